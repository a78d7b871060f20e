"""What every screen shares: typed access to the app and its review session."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol, TypeVar, cast

from textual.screen import ModalScreen, Screen

from mcreview.core.specs import Component
from mcreview.services.preferences import PreferenceFile
from mcreview.services.session import ReviewSession

ResultT = TypeVar("ResultT")


class ReviewApp(Protocol):
    """What screens need of the app (mcreview.tui.app.McReviewApp), without importing it."""

    session: ReviewSession
    today: dt.date

    preferences: PreferenceFile

    def open_submission(self, submission_id: str, component_id: str | None = None) -> None: ...

    def go_to(self, submission_id: str) -> None: ...

    def set_theme(self, theme: str) -> None: ...

    def set_preference(self, **changes: Any) -> None: ...

    def action_help(self) -> None: ...

    def push_screen(self, screen: Any, callback: Any = None) -> Any: ...

    def pop_screen(self) -> Any: ...


class SessionAccess:
    """`self.session` is the app's ReviewSession, typed (Textual types `self.app` as App)."""

    @property
    def mcreview(self) -> ReviewApp:
        return cast(ReviewApp, self.app)  # type: ignore[attr-defined]

    @property
    def session(self) -> ReviewSession:
        return self.mcreview.session

    def level_of_key(self, component: Component, number: int) -> str | None:
        """The level a number key names on this component, or None after saying why not
        (it takes no level, or has fewer levels): the same answer on every screen."""
        scale = component.scale
        if scale is None:
            self.notify("This component is required but not scored.", severity="warning")  # type: ignore[attr-defined]
            return None
        if number > len(scale.levels):
            self.notify(f"{component.title} has {len(scale.levels)} levels.", severity="warning")  # type: ignore[attr-defined]
            return None
        return scale.levels[number - 1]


class SessionScreen(SessionAccess, Screen[ResultT]):
    """A full screen of the app."""


class SessionModal(SessionAccess, ModalScreen[ResultT]):
    """A dialog over another screen."""
