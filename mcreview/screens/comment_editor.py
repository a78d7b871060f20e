"""A multi-line editor for comments and justifications, closed with SSH-safe keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea


class CommentEditor(ModalScreen[str | None]):
    """Returns the edited text; Escape and ctrl+o both save, since either may be all
    a terminal over SSH passes through. ctrl+r discards the edit."""

    BINDINGS = [
        Binding("escape", "save", "Save & close", id="comment.save_escape"),
        Binding("ctrl+o", "save", "Save & close", id="comment.save"),
        Binding("ctrl+r", "discard", "Discard edit", id="comment.discard"),
    ]

    def __init__(self, title: str, text: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.initial = text

    def compose(self) -> ComposeResult:
        with Vertical(id="comment-dialog"):
            yield Static(self.title_text, id="comment-title")
            yield TextArea(self.initial, id="comment-text", soft_wrap=True, show_line_numbers=False)
            yield Static("Esc or ctrl+o: save and close · ctrl+r: discard the edit", id="comment-help")

    def on_mount(self) -> None:
        editor = self.query_one(TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_discard(self) -> None:
        self.dismiss(None)
