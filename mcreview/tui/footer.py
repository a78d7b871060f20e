"""The key line at the foot of every screen: Textual's Footer, recomposed only when the
keys it shows change.

Textual's Footer rebuilds every key widget each time the screen's bindings are
updated, which they are on every focus change and refresh of the bindings (a Tab
between components, a level key): each rebuild mounts and styles a dozen widgets and
repaints the row, although the keys shown are nearly always the same. This one notes
what it composed and, when the bindings are updated, recomposes only if what it would
show now differs.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

Shown = tuple[tuple[str, str, str, bool, str], ...]


class KeyFooter(Footer):
    """A Footer that recomposes only when the keys it would show differ."""

    def __init__(self, *, compact: bool = True) -> None:
        super().__init__(compact=compact)
        self.keys_shown: Shown | None = None  # what the last compose showed; None: nothing yet

    def shown_now(self) -> Shown:
        return tuple(
            (binding.key, binding.description, binding.action, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        self.keys_shown = self.shown_now() if widgets else None
        yield from widgets

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self.keys_shown is None or screen is not self.screen or not self.is_attached:
            super().bindings_changed(screen)
            return
        if screen.app.app_focus:
            self.call_after_refresh(self.recompose_if_changed)

    async def recompose_if_changed(self) -> None:
        if self.is_attached and self.shown_now() != self.keys_shown:
            await self.recompose()
