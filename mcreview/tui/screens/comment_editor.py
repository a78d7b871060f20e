"""A multi-line editor for comments and justifications, closed with SSH-safe keys."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Static, TextArea

from mcreview.core.textsafe import visible_controls
from mcreview.services.session import ReviewError
from mcreview.store.api import StoreError
from mcreview.tui.safe import shown
from mcreview.tui.screens.base import SessionAccess, SessionModal, SessionScreen

DRAFT_DELAY_SECONDS = 0.4  # save the draft when typing pauses this long


class CommentEditor(SessionModal[str | None]):
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
        self.initial = visible_controls(text)  # what is saved is what the assessor saw
        self.draft_key = draft_key  # (submission id, field)
        self.restored = False
        self.draft_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        text = self.initial
        draft = self.read_draft()
        if draft is not None and visible_controls(draft) != self.initial:
            text, self.restored = visible_controls(draft), True
        with Vertical(id="comment-dialog"):
            yield Static(shown(self.title_text), id="comment-title")
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
        submission_id, field = self.draft_key
        with contextlib.suppress(StoreError):
            return self.session.load_draft(submission_id, field=field)
        return None

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self.draft_key is None:
            return
        if self.draft_timer is not None:
            self.draft_timer.stop()
        self.draft_timer = self.set_timer(DRAFT_DELAY_SECONDS, self.write_draft)

    def write_draft(self) -> None:
        if self.draft_key is None:
            return
        submission_id, field = self.draft_key
        with contextlib.suppress(StoreError):  # the draft is a safety net, not the save
            self.session.save_draft(submission_id, field=field, body=self.query_one(TextArea).text)

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
        forget_draft(self, self.draft_key)
        self.dismiss(None)


def forget_draft(screen: SessionAccess, draft_key: tuple[str, str] | None) -> None:
    """Called once the text is saved for real (or deliberately discarded)."""
    if draft_key is not None:
        submission_id, field = draft_key
        with contextlib.suppress(StoreError):
            screen.session.drop_draft(submission_id, field=field)


def edit_comment(
    screen: SessionScreen[Any],
    title: str,
    submission_id: str,
    component_id: str,
    current: str,
    after: Callable[[], None],
) -> None:
    """Open the editor on a component's (or the overall) comment and save what comes back.

    The draft is dropped only once the comment is saved; `after` re-reads the screen.
    """
    draft_key = (submission_id, component_id or "overall")

    def save(text: str | None) -> None:
        if text is None:
            return
        if text.strip() != current.strip():
            try:
                screen.session.set_comment(submission_id, component_id=component_id, body=text)
            except (ReviewError, StoreError) as error:
                screen.notify(f"Comment not saved (kept as a draft): {error}", severity="error")
                return
            finally:
                after()
        forget_draft(screen, draft_key)

    screen.app.push_screen(CommentEditor(title, current, draft_key), save)
