"""The Textual application: one factory builds it for the CLI and the tests alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.command import Provider
from textual.notifications import SeverityLevel
from textual.screen import Screen

from mcreview.core.textsafe import visible_controls
from mcreview.core.vocabulary import Status
from mcreview.services.preferences import PreferenceFile
from mcreview.services.session import ReviewError, ReviewSession, check_assessor_name
from mcreview.store import Store, StoreError, open_store
from mcreview.tui.keys import EscapeThenKey, install_escape_reading
from mcreview.tui.safe import install_output_guard

DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"
PALETTE_KEY = "ctrl+p"  # a plain control byte (0x10): passes SSH and tmux, unlike ctrl+s/ctrl+q
TOAST_SECONDS = 4.0
PRELOAD_AFTER_S = 0.2  # after the queue's first frame: the review screens' modules load meanwhile


def _assessor_commands() -> type[Provider]:
    from mcreview.tui.commands import AssessorCommands  # loaded when the palette first opens

    return AssessorCommands


class McReviewApp(EscapeThenKey):
    """Holds the review session (the store and who is assessing); screens do the rest.

    Keys after an Escape wait for it (mcreview.tui.keys); every line drawn passes the
    output guard and every toast is shown as text (mcreview.tui.safe).
    """

    CSS_PATH = "app.tcss"
    TITLE = "mcreview"
    ENABLE_COMMAND_PALETTE = True
    COMMAND_PALETTE_BINDING = PALETTE_KEY
    COMMAND_PALETTE_DISPLAY = "^p"
    COMMANDS = {_assessor_commands}
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="help", key_display="?"),
        Binding(
            PALETTE_KEY,
            "command_palette",
            "Commands",
            id="command_palette",
            tooltip="Command palette: go to a submission by id, filter, insert a phrase, open an attachment, theme",
            key_display="^p",
            priority=True,
            show=False,  # the footer shows the palette's key at its right end already
        ),
        Binding("T", "toggle_theme", "Theme (dark / light, remembered)", id="toggle_theme", show=False),
    ]

    def __init__(
        self,
        session: ReviewSession,
        today: dt.date | None = None,
        preferences: PreferenceFile | None = None,
    ) -> None:
        install_output_guard()
        install_escape_reading()
        super().__init__()
        self.session = session
        self.today = today or dt.date.today()
        self.preferences = preferences or PreferenceFile.load(None)
        # Over SSH every byte counts: no animated scrolling or fades.
        self.animation_level = "none"
        self.theme = self.preferences.preferences.theme

    @property
    def assessor(self) -> str:
        return self.session.assessor

    def on_mount(self) -> None:
        from mcreview.tui.screens.queue_screen import QueueScreen

        self.push_screen(QueueScreen())
        self.call_after_refresh(lambda: self.set_timer(PRELOAD_AFTER_S, self.preload_screens))
        self.show_startup_problems()
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
        if state.status in (Status.PENDING, Status.IN_REVIEW, Status.SECOND_READING):
            self.open_submission(submission_id, component_id)

    def preload_screens(self) -> None:
        """Load the review and moderation screens' modules (Rich's Markdown, markdown-it,
        the checks, the diff) while the assessor reads the queue, so the first Enter of the
        session does not wait for them (~60-130 ms). Start-up does not load them."""
        import mcreview.tui.screens.moderation_screen  # noqa: F401
        import mcreview.tui.screens.review_screen  # noqa: F401

    def open_submission(self, submission_id: str, component_id: str | None = None) -> None:
        """The review screen; for a lead, a submission waiting for them opens their view:
        moderation (two readings disagree) or approval (the grantor model)."""
        from mcreview.tui.screens.queue_screen import QueueScreen
        from mcreview.tui.screens.review_screen import ReviewScreen

        if isinstance(self.screen, QueueScreen):
            self.screen.opened = True
        try:
            state = self.session.load(submission_id)
        except (ReviewError, StoreError) as error:
            self.notify(f"Not opened: {error}", severity="error")
            return
        if state.lead and state.status is Status.MODERATION:
            from mcreview.tui.screens.moderation_screen import ModerationScreen

            self.push_screen(ModerationScreen(submission_id))
            return
        if state.lead and state.status is Status.APPROVAL:
            from mcreview.tui.screens.decision_view import DecisionView

            self.push_screen(DecisionView(submission_id))
            return
        self.push_screen(ReviewScreen(submission_id, component_id, state))

    def go_to(self, submission_id: str) -> None:
        """Open a submission from anywhere: back to the queue first (leaving what is open)."""
        from mcreview.tui.screens.queue_screen import QueueScreen

        while not isinstance(self.screen, QueueScreen) and len(self.screen_stack) > 2:
            leave = getattr(self.screen, "leave_submission", None)
            if callable(leave):
                leave()
            self.pop_screen()
        self.open_submission(submission_id)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """mcreview's own commands (mcreview.tui.commands) replace Textual's list."""
        return ()

    def show_startup_problems(self) -> None:
        for problem in self.preferences.problems:
            self.notify(problem, severity="warning", timeout=10)

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
        quote ids, names and errors, never markup. One toast at a time, gone after a few
        seconds: a new one replaces the last, so none goes stale over the rubric."""
        self.clear_notifications()
        super().notify(
            visible_controls(message),
            title=visible_controls(title),
            severity=severity,
            timeout=TOAST_SECONDS if timeout is None else timeout,
            markup=False,
        )

    def action_toggle_theme(self) -> None:
        self.set_theme(LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME)

    def set_theme(self, theme: str) -> None:
        """Switch and remember (the user settings file); a failure to save is said once."""
        self.theme = theme
        self.preferences.change(theme=theme)
        if self.preferences.save_error:
            self.notify(self.preferences.save_error, severity="warning")

    def set_preference(self, **changes: Any) -> None:
        self.preferences.change(**changes)
        if self.preferences.save_error:
            self.notify(self.preferences.save_error, severity="warning")

    def on_unmount(self) -> None:
        # A clean exit frees this assessor's claims at once; after a crash or a dropped
        # link they simply expire. The resume position is kept either way.
        try:
            self.session.release_all()
        finally:
            self.session.store.close()


def build_app(
    queue: Store | str | Path,
    assessor: str,
    today: dt.date | None = None,
    *,
    settings_file: Path | None = None,
) -> McReviewApp:
    """The one way to make the app, so the CLI and the tests run the same thing.

    `queue` is an open store, or where one is (a SQLite path or a postgresql:// URL).
    An assessor name with a control character is refused (ValueError), as the CLI
    refuses it: the name is drawn on every colleague's screen. `settings_file` is the
    assessor's own settings (theme, auto-advance); without one they are defaults kept
    in memory (tests).
    """
    assessor = check_assessor_name(assessor)
    store = queue if not isinstance(queue, (str, Path)) else open_store(queue)
    return McReviewApp(ReviewSession(store, assessor), today, PreferenceFile.load(settings_file))
