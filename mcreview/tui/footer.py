"""The key line at the foot of every screen: Textual's Footer, recomposed only when the
keys it shows change.

Textual's Footer rebuilds every key widget each time the screen's bindings are
updated, which it is on every focus change and refresh of the bindings (a Tab between
components, a level key): each rebuild mounts and styles a dozen widgets and repaints
the row, although the keys shown are nearly always the same. This one compares what it
would show with what it shows and leaves the widgets alone when nothing differs.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

Shown = tuple[tuple[str, str, str, bool, str], ...]


class KeyFooter(Footer):
    """A Footer that recomposes only when the keys it would show differ."""

    def __init__(self, *, compact: bool = True) -> None:
        super().__init__(compact=compact)
        self.keys_shown: Shown | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            super().bindings_changed(screen)
            return
        shown = tuple(
            (binding.key, binding.description, binding.action, enabled, tooltip)
            for (_, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show
        )
        if shown == self.keys_shown:
            return
        self.keys_shown = shown
        super().bindings_changed(screen)
