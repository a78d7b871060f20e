"""A submission's audit trail, on screen: who changed what, when."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from mcreview.services.history import format_history
from mcreview.tui.safe import shown
from mcreview.tui.screens.base import SessionModal


class HistoryScreen(SessionModal[None]):
    BINDINGS = [Binding("escape,q,h", "close", "Close", id="history.close")]

    def __init__(self, submission_id: str) -> None:
        super().__init__()
        self.submission_id = submission_id

    def compose(self) -> ComposeResult:
        lines = format_history(self.session.history(self.submission_id))
        body = shown(f"History of {self.submission_id} (oldest first; Esc closes)\n\n", style="bold")
        body.append(shown("\n".join(lines) or "no events"))
        with VerticalScroll(id="history-dialog"):
            yield Static(body, id="history-text")

    def on_mount(self) -> None:
        scroller = self.query_one(VerticalScroll)
        scroller.focus()
        scroller.scroll_end(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
