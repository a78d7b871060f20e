"""The Textual application: one factory builds it for the CLI and the tests alike."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.binding import Binding
from textual.notifications import SeverityLevel

from mcreview.core.textsafe import visible_controls
from mcreview.core.vocabulary import Status
from mcreview.services.session import ReviewError, ReviewSession, check_assessor_name
from mcreview.store import Store, StoreError, open_store
from mcreview.tui.keys import EscapeThenKey, install_escape_reading
from mcreview.tui.safe import install_output_guard

DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"


class McReviewApp(EscapeThenKey):
    """Holds the review session (the store and who is assessing); screens do the rest.

    Keys after an Escape wait for it (mcreview.tui.keys); every line drawn passes the
    output guard and every toast is shown as text (mcreview.tui.safe).
    """

    CSS_PATH = "app.tcss"
    TITLE = "mcreview"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="help", key_display="?"),
        Binding("T", "toggle_theme", "Theme", id="toggle_theme", show=False),
    ]

    def __init__(self, session: ReviewSession, today: dt.date | None = None) -> None:
        install_output_guard()
        install_escape_reading()
        super().__init__()
        self.session = session
        self.today = today or dt.date.today()
        # Over SSH every byte counts: no animated scrolling or fades.
        self.animation_level = "none"
        self.theme = DARK_THEME

    @property
    def assessor(self) -> str:
        return self.session.assessor

    def on_mount(self) -> None:
        from mcreview.tui.screens.queue_screen import QueueScreen

        self.push_screen(QueueScreen())
        submission_id, component_id = self.session.last_position()
        if submission_id is None:
            return
        # Forget the position before opening it: the review screen records it again
        # once the submission has painted, so a submission that never finishes opening
        # (a crash, a kill) is never reopened by the next start.
        try:
            self.session.remember_position(None, None)
            state = self.session.load(submission_id)
        except (ReviewError, StoreError):
            return
        if state.status in (Status.PENDING, Status.IN_REVIEW):
            self.open_submission(submission_id, component_id)

    def open_submission(self, submission_id: str, component_id: str | None = None) -> None:
        from mcreview.tui.screens.review_screen import ReviewScreen

        self.push_screen(ReviewScreen(submission_id, component_id))

    def action_help(self) -> None:
        from mcreview.tui.screens.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast (screens call this through Widget.notify) is plain text: messages
        quote ids, names and errors, never markup."""
        super().notify(
            visible_controls(message),
            title=visible_controls(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME

    def on_unmount(self) -> None:
        # A clean exit frees this assessor's claims at once; after a crash or a dropped
        # link they simply expire. The resume position is kept either way.
        try:
            self.session.release_all()
        finally:
            self.session.store.close()


def build_app(queue: Store | str | Path, assessor: str, today: dt.date | None = None) -> McReviewApp:
    """The one way to make the app, so the CLI and the tests run the same thing.

    `queue` is an open store, or where one is (a SQLite path or a postgresql:// URL).
    An assessor name with a control character is refused (ValueError), as the CLI
    refuses it: the name is drawn on every colleague's screen.
    """
    assessor = check_assessor_name(assessor)
    store = queue if not isinstance(queue, (str, Path)) else open_store(queue)
    return McReviewApp(ReviewSession(store, assessor), today)
