"""A scrolling pane drawn line by line (Textual's line API), for the review screen's panes.

A Static inside a VerticalScroll learns its new height only during layout; the
container then records its new virtual size, which asks for a second layout and a
repaint of the whole pane in the next frame: every component switch drew both panes
twice (about 7 KB per Tab in a real terminal). This pane renders its content to lines
itself, at the width it will be drawn at, and sets its own virtual size, so a new
component is one frame.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LinesView(ScrollView, can_focus=True):
    """Scrolls a Rich renderable; `update` replaces it. Keys as in any scrolling pane."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.renderable: RenderableType = Text("")
        self.lines: list[Strip] = []
        self.lines_width = -1  # the width `lines` were rendered at; -1: render again

    def update(self, renderable: RenderableType, *, keep_scroll: bool = False) -> None:
        """Show something else, drawn in the next frame: from the top, or with keep_scroll
        where it was (the same content redrawn, e.g. a level chosen). Only lines that
        changed are repainted."""
        before, before_width = self.lines, self.lines_width
        self.renderable = renderable
        self.render_content(self.scrollable_content_region.width)
        at_top = self.scroll_offset == (0, 0)
        if not keep_scroll and not at_top:
            self.scroll_to(0, 0, animate=False)
        if (keep_scroll or at_top) and before_width == self.lines_width and len(before) == len(self.lines):
            changed = [y for y, (old, new) in enumerate(zip(before, self.lines, strict=True)) if old != new]
            if changed:
                self.refresh_lines(changed[0], changed[-1] - changed[0] + 1)
            return
        self.refresh()

    def render_content(self, width: int) -> None:
        """Render the content to lines `width` cells wide; the virtual size follows."""
        if width <= 0:  # not laid out yet: rendered on first draw
            self.lines, self.lines_width = [], -1
            return
        console = self.app.console
        style = self.rich_style
        rendered = console.render_lines(self.renderable, console.options.update_width(width), style=style)
        self.lines = [Strip(line, width).simplify() for line in rendered]  # fewer SGR codes written
        self.lines_width = width
        self.virtual_size = Size(width, len(self.lines))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width != self.lines_width:  # the first draw, or a resize
            self.render_content(width)
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        if 0 <= index < len(self.lines):
            return self.lines[index].crop_extend(scroll_x, scroll_x + width, self.rich_style)
        return Strip.blank(width, self.rich_style)

    @property
    def drawn(self) -> bool:
        """Whether the content has been laid out at the pane's width (so it can paint)."""
        return self.lines_width > 0

    @property
    def text(self) -> str:
        """Everything the pane holds as plain text, one line per drawn line (tests, copying)."""
        return "\n".join(strip.text.rstrip() for strip in self.lines)

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self.lines_width:
            self.lines_width = -1  # wrap again at the new width on the next draw
            self.refresh()
