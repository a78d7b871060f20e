"""The queue's table drawn line by line (Textual's line API), with a row cursor.

A DataTable renders every cell through Rich and measures every cell of every row it
is given (800 cells for a page of 100): about 35 ms of the queue's first frame, the
frame every assessor waits for at every start. The queue's cells are short plain
strings, so this table sizes its columns from their cell lengths and draws only the
lines on screen, each as a handful of segments.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from mcreview.core.textsafe import visible_controls

# One space between columns and at each edge (DataTable puts two between columns): the
# queue's eight columns then fit 80 cells with ids of 15 characters and the assessor
# column showing, and no horizontal scrollbar is drawn for a column or two past the edge.
COLUMN_GAP = " "


class QueueTable(ScrollView, can_focus=True):
    """A header line and rows of text cells; the cursor moves by row and Enter (the
    screen's binding) or a click opens the row under it."""

    COMPONENT_CLASSES = {"queue-table--header", "queue-table--cursor", "queue-table--even-row"}
    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False, id="queue_table.up"),
        Binding("down", "cursor_down", "Down", show=False, id="queue_table.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="queue_table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="queue_table.page_down"),
        Binding("home", "first_row", "First row", show=False, id="queue_table.first_row"),
        Binding("end", "last_row", "Last row", show=False, id="queue_table.last_row"),
    ]

    class RowSelected(Message):
        """A row was clicked: the screen opens it."""

        def __init__(self, row: int) -> None:
            super().__init__()
            self.row = row

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.header: tuple[str, ...] = ()
        self.rows: list[tuple[str, ...]] = []
        self.widths: list[int] = []
        self.cursor_row = 0

    # -- content ---------------------------------------------------------------

    def set_rows(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        """Show these rows under this header, the cursor kept where it was (within
        the new rows). Cells are data: control characters are shown, never sent."""
        self.header = tuple(visible_controls(cell, keep_layout=False) for cell in header)
        self.rows = [tuple(visible_controls(cell, keep_layout=False) for cell in row) for row in rows]
        self.widths = [max(map(cell_len, column)) for column in zip(self.header, *self.rows, strict=True)]
        self.cursor_row = max(0, min(self.cursor_row, len(self.rows) - 1))
        line_width = sum(self.widths) + len(COLUMN_GAP) * (len(self.widths) + 1)
        self.virtual_size = Size(line_width, len(self.rows) + 1)  # + the header
        self.scroll_to(y=min(self.scroll_y, self.max_row_scroll()), animate=False)
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def row_text(self, index: int) -> tuple[str, ...]:
        """The cells of a row as drawn (tests, and anything that reads the screen)."""
        return self.rows[index]

    # -- cursor ----------------------------------------------------------------

    def move_cursor(self, *, row: int) -> None:
        """Put the cursor on a row (clamped to the rows there are) and keep it in view."""
        before = self.cursor_row
        self.cursor_row = max(0, min(row, len(self.rows) - 1))
        visible = self.visible_rows()
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif visible and self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False)
        elif before != self.cursor_row:
            # No scroll: only the two rows whose highlight changed are drawn again.
            self.refresh_lines(before + 1)
            self.refresh_lines(self.cursor_row + 1)

    def visible_rows(self) -> int:
        """Rows on screen at once (the header takes the first line)."""
        return max(0, self.scrollable_content_region.height - 1)

    def max_row_scroll(self) -> int:
        return max(0, len(self.rows) - self.visible_rows())

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - max(1, self.visible_rows()))

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + max(1, self.visible_rows()))

    def action_first_row(self) -> None:
        self.move_cursor(row=0)

    def action_last_row(self) -> None:
        self.move_cursor(row=len(self.rows) - 1)

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:  # the header
            return
        row = int(self.scroll_y) + event.y - 1
        if 0 <= row < len(self.rows):
            self.move_cursor(row=row)
            self.post_message(self.RowSelected(row))

    # -- drawing ---------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self.line(self.header, base + self.get_component_rich_style("queue-table--header"), width)
        index = int(self.scroll_y) + y - 1
        if not 0 <= index < len(self.rows):
            return Strip.blank(width, base)
        style = base
        if index % 2:
            style += self.get_component_rich_style("queue-table--even-row")
        if index == self.cursor_row:
            style += self.get_component_rich_style("queue-table--cursor")
        return self.line(self.rows[index], style, width)

    def line(self, cells: Sequence[str], style: Style, width: int) -> Strip:
        gap = COLUMN_GAP
        text = gap + gap.join(set_cell_size(cell, size) for cell, size in zip(cells, self.widths, strict=False)) + gap
        scroll_x = int(self.scroll_x)
        return Strip([Segment(text, style)]).crop_extend(scroll_x, scroll_x + width, style)

    def on_resize(self) -> None:
        self.move_cursor(row=self.cursor_row)
