"""The queue: one page of submissions at a time, read from SQLite by key."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static

from mcreview.core.flags import FLAG_LABELS, FLAG_OLDER_RUBRIC, FLAG_ORDER
from mcreview.core.textsafe import visible_controls
from mcreview.core.vocabulary import STATUS_LABELS, Status
from mcreview.services import queue
from mcreview.tui.footer import KeyFooter
from mcreview.tui.queue_table import QueueTable
from mcreview.tui.safe import shown
from mcreview.tui.screens.base import SessionScreen

PAGE_SIZE = 100
COLUMNS = ("id", "credential", "att", "status", "submitted", "age", "flag", "assessor")
CREDENTIAL_WIDTH = 16
STATUSES: tuple[str, ...] = tuple(status.value for status in Status)
STATUS_SCOPE = {
    queue.OPEN_WORK: "waiting for you",
    None: "all statuses",
}  # keeps the table inside 80 columns
STATUS_CYCLE: tuple[str | None, ...] = (queue.OPEN_WORK, None, *STATUSES)
SEARCH_CHARACTERS = r"[^\x00-\x1f\x7f-\x9f]*"  # a paste's control characters never get in


def age_text(submitted: str, today: dt.date) -> str:
    try:
        days = (today - dt.date.fromisoformat(submitted)).days
    except ValueError:
        return "?"
    return f"{days}d"


def attempt_text(attempt: int, limit: int | None) -> str:
    """'2/3' for a resubmission (attempt 2 of at most 3); blank for a first attempt."""
    return f"{attempt}/{max(limit or attempt, attempt)}" if attempt > 1 else ""


def who_text(row: queue.QueueRow) -> str:
    """A live claim's holder (⚑), else the last assessor, else where a resubmission is routed (→)."""
    if row.claimed_by:
        return f"⚑ {row.claimed_by}"
    if row.routed_to and Status(row.status).is_open:
        return f"→ {row.routed_to}"
    return row.assessor or ""


FLAG_SHORT = {"I": "identifying?", "W": "word limit", "M": "missing", "V": "older rubric"}


def flag_legend() -> str:
    """The flag letters, in the order the queue shows them (full words in ? help)."""
    letters = [*FLAG_ORDER, FLAG_OLDER_RUBRIC]
    return "flags: " + " ".join(f"{letter} {FLAG_SHORT.get(letter, FLAG_LABELS[letter])}" for letter in letters)


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class QueueScreen(SessionScreen[None]):
    """Lists submissions; Enter opens one for review."""

    BINDINGS = [
        Binding("enter", "open", "Open", id="queue.open"),
        Binding("o", "oldest_pending", "Oldest pending", id="queue.oldest_pending"),
        Binding("s", "cycle_status(1)", "Status", id="queue.cycle_status"),
        Binding("S", "cycle_status(-1)", "Status, backwards", id="queue.cycle_status_back", show=False),
        Binding("f", "cycle_credential", "Credential", id="queue.cycle_credential"),
        # Priority: handled as it arrives, so the keys typed after "/" reach the search box.
        Binding("slash", "search", "Search", id="queue.search", key_display="/", priority=True),
        Binding("a", "toggle_order", "Age order", id="queue.toggle_order"),
        Binding("r", "toggle_resubmissions", "Resubmissions only", id="queue.resubmissions", show=False),
        Binding("right_square_bracket", "next_page", "Next page", id="queue.next_page", key_display="]"),
        Binding(
            "left_square_bracket", "previous_page", "Prev page", id="queue.previous_page", key_display="["
        ),
        Binding("g", "refresh_queue", "Refresh", id="queue.refresh", show=False),
        Binding("escape", "clear_search", "Clear search", id="queue.clear_search", show=False),
        Binding("q", "app.quit", "Quit", id="queue.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filters = queue.QueueFilter(status=queue.OPEN_WORK)  # narrowed to you on mount
        self.newest_first = False
        self.page_rows: list[queue.QueueRow] = []
        self.page_start = 0  # rows before this page, for the "rows a–b" line
        self.credentials: list[str] = []
        self.attempt_limits: dict[str, int] = {}
        self.titles: dict[str, str] = {}
        self.suspended = False  # another screen is (or was, until resumed) over this one
        self.counts: dict[str, int] | None = None  # per status, None until first counted
        self.opened = False  # ... and it was a submission opened from here

    def compose(self) -> ComposeResult:
        yield Static("", id="queue-title", classes="topbar")
        yield Static("", id="queue-counts")
        yield Static("", id="queue-filters")
        with Horizontal(id="search-bar"):
            yield Static("Search:", id="search-label")
            yield Input(
                placeholder="id, candidate or credential; Enter applies, Escape clears",
                id="search",
                restrict=SEARCH_CHARACTERS,
            )
        yield QueueTable(id="queue-table")
        yield Static("", id="queue-page")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(QueueTable)
        self.titles = queue.credential_titles(self.session.store)
        self.filters = queue.QueueFilter(
            status=queue.OPEN_WORK, assessor=self.session.assessor, lead=self.session.is_lead()
        )
        self.credentials = sorted(self.titles)
        self.attempt_limits = {c: self.session.policy(c).attempts for c in self.credentials}
        self.query_one("#search-bar").display = False
        self.query_one("#queue-title", Static).update(
            shown(f"mcreview · queue · assessor {self.session.assessor} · ? for help")
        )
        self.reload()
        table.focus()

    def on_screen_suspend(self) -> None:
        self.suspended = True

    def on_screen_resume(self) -> None:
        # Textual resumes a screen right after mounting it, when on_mount has just read
        # the page: read it again only on the way back from another screen.
        if self.suspended:
            self.suspended = False
            opened, self.opened = self.opened, False
            if opened and self.filters.text:
                # Back from a submission: the queue as it was before the search, so a
                # search never hides work after a decision.
                self.query_one("#search", Input).value = ""
                self.query_one("#search-bar").display = False
                self.set_filters(text=None)
                self.notify("Search cleared: the whole queue again (/ searches).")
                return
            self.reload(keep_page=True)

    # -- data -----------------------------------------------------------------

    def reload(self, keep_page: bool = False) -> None:
        """Read the first page (or the current one again) and the counts."""
        after = None
        if keep_page and self.page_rows and self.page_start:
            first = self.page_rows[0]
            previous = queue.page_before(
                self.session.store,
                self.filters,
                before=(first.submitted, first.id),
                limit=1,
                newest_first=self.newest_first,
            )
            if previous:
                after = (previous[-1].submitted, previous[-1].id)
        else:
            self.page_start = 0
        self.show_page(
            queue.page(
                self.session.store, self.filters, after=after, limit=PAGE_SIZE, newest_first=self.newest_first
            )
        )

    def show_page(self, rows: list[queue.QueueRow]) -> None:
        self.page_rows = rows
        today = self.mcreview.today
        cells = [
            (
                row.id,
                shorten(visible_controls(self.titles.get(row.credential, row.credential)), CREDENTIAL_WIDTH),
                attempt_text(row.attempt, self.attempt_limits.get(row.credential)),
                STATUS_LABELS.get(Status(row.status), row.status),
                row.submitted,
                age_text(row.submitted, today),
                row.flags,
                who_text(row),
            )
            for row in rows
        ]
        self.query_one(QueueTable).set_rows(COLUMNS, cells)  # the cursor stays on its row number
        self.update_status_lines()

    def update_status_lines(self) -> None:
        """The counts and scope lines; the very first time, the counts a frame after the rows."""
        if self.counts is None and self.page_rows:
            # Counting is a scan of the status index (tens of ms at 100,000 rows): the
            # first frame shows the rows and the counts follow in the next one.
            self.draw_status_lines(None)
            self.call_after_refresh(self.count_statuses)
        else:
            self.count_statuses()

    def count_statuses(self) -> None:
        self.counts = queue.status_counts(self.session.store, self.filters)
        self.draw_status_lines(self.counts)

    def draw_status_lines(self, counts: dict[str, int] | None) -> None:
        """counts None: not counted yet (the lines say so)."""
        line = Text()
        visible = self.visible_statuses()
        for status in STATUSES:  # the statuses in the filter, and any other that holds something
            if status not in visible and not (counts or {}).get(status):
                continue
            if line:
                line.append(" · ")
            label = f"{STATUS_LABELS[Status(status)]} {'…' if counts is None else counts.get(status, 0)}"
            line.append(label, style="reverse" if status in visible else "")
        total = "…" if counts is None else sum(counts.get(s, 0) for s in visible)
        self.query_one("#queue-counts", Static).update(line)
        count = len(self.page_rows)
        credential = self.filters.credential
        scope = Text("Showing: ", style="bold")
        scope.append(self.scope_text(), style="bold")
        scope.append(" · ")
        if credential:
            scope.append(shown(f"credential {self.titles.get(credential, credential)}", style="bold reverse"))
        else:
            scope.append("all credentials")
        if self.filters.text:
            scope.append(" · ")
            scope.append(shown(f"search “{self.filters.text}”", style="bold reverse"))
        if self.filters.resubmissions:
            scope.append(" · ")
            scope.append("resubmissions only", style="bold reverse")
        scope.append(" · newest first" if self.newest_first else " · oldest first")
        self.query_one("#queue-filters", Static).update(scope)
        span = f"rows {self.page_start + 1}–{self.page_start + count} of {total}" if count else "no rows"
        if not count and not any((counts or {}).values()):
            span = "the queue is empty: load submissions with `mcreview import PATH`"
        elif not count:
            span = "no rows here: s / f change the filters, Esc clears a search"
        self.query_one("#queue-page", Static).update(shown(f"{span} · {flag_legend()}"))

    def scope_text(self) -> str:
        status = self.filters.status
        if status is None or status in STATUS_SCOPE:
            return STATUS_SCOPE[status]
        return f"status {Status(status).label}"

    def visible_statuses(self) -> tuple[str, ...]:
        if self.filters.status == queue.OPEN_WORK:
            lead = (Status.MODERATION.value, Status.APPROVAL.value) if self.filters.lead else ()
            return (Status.PENDING.value, Status.IN_REVIEW.value, Status.SECOND_READING.value, *lead)
        if self.filters.status is None:
            return STATUSES
        return (self.filters.status,)

    # -- actions --------------------------------------------------------------

    def selected_id(self) -> str | None:
        table = self.query_one(QueueTable)
        if not self.page_rows:
            return None
        return self.page_rows[min(table.cursor_row, len(self.page_rows) - 1)].id

    def action_open(self) -> None:
        submission_id = self.selected_id()
        if submission_id is not None:
            self.mcreview.open_submission(submission_id)

    def action_oldest_pending(self) -> None:
        submission_id = queue.oldest_pending(self.session.store, self.session.assessor)
        if submission_id is None:
            self.notify("No pending submissions.")
            return
        self.mcreview.open_submission(submission_id)

    def action_cycle_status(self, step: int = 1) -> None:
        index = STATUS_CYCLE.index(self.filters.status)
        self.set_filters(status=STATUS_CYCLE[(index + step) % len(STATUS_CYCLE)])

    def action_cycle_credential(self) -> None:
        options: list[str | None] = [None, *self.credentials]
        index = options.index(self.filters.credential) if self.filters.credential in options else 0
        self.set_filters(credential=options[(index + 1) % len(options)])

    def action_toggle_resubmissions(self) -> None:
        self.set_filters(resubmissions=not self.filters.resubmissions)

    def action_toggle_order(self) -> None:
        self.newest_first = not self.newest_first
        self.reload()

    def set_filters(self, **changes: str | bool | None) -> None:
        self.filters = self.filters._replace(**changes)  # type: ignore[arg-type]
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # "/" typed inside the search box is just a character.
        return not (action == "search" and isinstance(self.focused, Input))

    def action_search(self) -> None:
        bar = self.query_one("#search-bar")
        bar.display = True
        # Focus now, not on the next tick, so keys typed straight after "/" land here.
        self.set_focus(self.query_one("#search", Input))

    def apply_search(self) -> None:
        text = self.query_one("#search", Input).value.strip()
        self.query_one("#search-bar").display = bool(text)
        self.query_one(QueueTable).focus()
        self.set_filters(text=text or None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.apply_search()

    def action_clear_search(self) -> None:
        self.query_one("#search", Input).value = ""
        self.query_one("#search-bar").display = False
        self.query_one(QueueTable).focus()
        if self.filters.text:
            self.set_filters(text=None)

    def action_refresh_queue(self) -> None:
        """Re-read the page: other assessors' claims and decisions show up."""
        self.reload(keep_page=True)

    def action_next_page(self) -> None:
        if len(self.page_rows) < PAGE_SIZE:
            self.notify("This is the last page.")
            return
        last = self.page_rows[-1]
        rows = queue.page(
            self.session.store,
            self.filters,
            after=(last.submitted, last.id),
            limit=PAGE_SIZE,
            newest_first=self.newest_first,
        )
        if not rows:
            self.notify("This is the last page.")
            return
        self.page_start += len(self.page_rows)
        self.query_one(QueueTable).move_cursor(row=0)
        self.show_page(rows)

    def action_previous_page(self) -> None:
        if not self.page_rows or self.page_start == 0:
            self.notify("This is the first page.")
            return
        first = self.page_rows[0]
        rows = queue.page_before(
            self.session.store,
            self.filters,
            before=(first.submitted, first.id),
            limit=PAGE_SIZE,
            newest_first=self.newest_first,
        )
        self.page_start = max(0, self.page_start - len(rows))
        self.query_one(QueueTable).move_cursor(row=0)
        self.show_page(rows)

    def on_queue_table_row_selected(self, event: QueueTable.RowSelected) -> None:
        self.action_open()

    def palette_commands(self) -> list[tuple[str, str, object]]:
        from functools import partial

        found: list[tuple[str, str, object]] = [
            ("Filter: every credential", "the credential filter off", partial(self.set_filters, credential=None))
        ]
        for credential in self.credentials:
            title = self.titles.get(credential, credential)
            found.append((f"Filter: credential {title}", credential, partial(self.set_filters, credential=credential)))
        for status in STATUS_CYCLE:
            name = STATUS_SCOPE.get(status) or Status(str(status)).label
            found.append((f"Filter: status {name}", "the status filter", partial(self.set_filters, status=status)))
        found.append(("Open the oldest pending submission", "o", self.action_oldest_pending))
        return found
