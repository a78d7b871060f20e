"""A multi-line editor for comments and justifications, closed with SSH-safe keys."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Static, TextArea

from mcreview.services import drafts, review

DRAFT_DELAY_SECONDS = 0.4  # save the draft when typing pauses this long


class CommentEditor(ModalScreen[str | None]):
    """Returns the edited text, or None when the edit is discarded.

    Escape and ctrl+o both save, since either may be all a terminal over SSH passes
    through; ctrl+r discards. While open, the text is kept as a draft in the queue
    database, so a dropped link or a crash mid-sentence loses nothing: the next time
    this editor opens for the same thing, the draft comes back.
    """

    BINDINGS = [
        Binding("escape", "save", "Save & close", id="comment.save_escape"),
        Binding("ctrl+o", "save", "Save & close", id="comment.save"),
        Binding("ctrl+r", "discard", "Discard edit", id="comment.discard"),
    ]

    def __init__(self, title: str, text: str = "", draft_key: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.initial = text
        self.draft_key = draft_key  # (submission id, field)
        self.restored = False
        self.draft_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        text = self.initial
        draft = self.read_draft()
        if draft is not None and draft != self.initial:
            text, self.restored = draft, True
        with Vertical(id="comment-dialog"):
            yield Static(self.title_text, id="comment-title")
            yield TextArea(text, id="comment-text", soft_wrap=True, show_line_numbers=False)
            yield Static("Esc or ctrl+o: save and close · ctrl+r: discard the edit", id="comment-help")

    def on_mount(self) -> None:
        editor = self.query_one(TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)
        if self.restored:
            self.notify("Restored the unsaved draft from your last session.")

    def read_draft(self) -> str | None:
        if self.draft_key is None:
            return None
        with contextlib.suppress(sqlite3.Error):
            return drafts.load_draft(self.app.database, self.app.assessor, *self.draft_key)
        return None

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self.draft_key is None:
            return
        if self.draft_timer is not None:
            self.draft_timer.stop()
        self.draft_timer = self.set_timer(DRAFT_DELAY_SECONDS, self.write_draft)

    def write_draft(self) -> None:
        with contextlib.suppress(sqlite3.Error):  # the draft is a safety net, not the save
            drafts.save_draft(
                self.app.database, self.app.assessor, *self.draft_key, self.query_one(TextArea).text
            )

    def action_save(self) -> None:
        """Hand the text back; the caller drops the draft once its save succeeded."""
        if self.draft_timer is not None:
            self.draft_timer.stop()
        text = self.query_one(TextArea).text
        if self.draft_key is not None and text != self.initial:
            self.write_draft()  # kept until the caller's save succeeds
        self.dismiss(text)

    def action_discard(self) -> None:
        if self.draft_timer is not None:
            self.draft_timer.stop()
        forget_draft(self.app, self.draft_key)
        self.dismiss(None)


def forget_draft(app, draft_key: tuple[str, str] | None) -> None:
    """Called once the text is saved for real (or deliberately discarded)."""
    if draft_key is not None:
        with contextlib.suppress(sqlite3.Error):
            drafts.drop_draft(app.database, app.assessor, *draft_key)


def edit_comment(
    screen: Screen, title: str, submission_id: str, component_id: str, current: str, after: Callable[[], None]
) -> None:
    """Open the editor on a component's (or the overall) comment and save what comes back.

    The draft is dropped only once the comment is saved; `after` re-reads the screen.
    """
    app = screen.app
    draft_key = (submission_id, component_id or "overall")

    def save(text: str | None) -> None:
        if text is None:
            return
        if text.strip() != current.strip():
            try:
                review.set_comment(app.database, submission_id, component_id, text, app.assessor)
            except (review.ReviewError, sqlite3.Error) as error:
                screen.notify(f"Comment not saved (kept as a draft): {error}", severity="error")
                return
            finally:
                after()
        forget_draft(app, draft_key)

    app.push_screen(CommentEditor(title, current, draft_key), save)
