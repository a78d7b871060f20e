"""The command palette (ctrl+p): assessor commands, gathered from the screen underneath.

Every screen may offer its own commands (`palette_commands()`: name, help, what to do);
the palette adds those of the whole app (the theme, help) and, for what is typed,
the submissions whose id, candidate or credential match it. Names from data are shown
with their control characters made visible, like everything else on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from mcreview.core.textsafe import visible_controls
from mcreview.services import queue
from mcreview.store.api import StoreError
from mcreview.tui.screens.base import ReviewApp

Command = tuple[str, str, Callable[[], Any]]
MAX_SUBMISSION_HITS = 8
THEMES = (("Theme: dark", "textual-dark"), ("Theme: light", "textual-light"))


class AssessorCommands(Provider):
    @property
    def review_app(self) -> ReviewApp:
        return cast(ReviewApp, self.app)

    def commands(self) -> list[Command]:
        app = self.review_app
        found: list[Command] = []
        offer = getattr(self.screen, "palette_commands", None)
        if callable(offer):
            found.extend(offer())
        for name, theme in THEMES:
            found.append((name, "switch the colour theme (remembered)", partial(app.set_theme, theme)))
        found.append(("Help: every key of this screen", "the ? screen", app.action_help))
        return [(visible_controls(name), visible_controls(help), run) for name, help, run in found]

    async def discover(self) -> Hits:
        for name, help, run in self.commands():
            yield DiscoveryHit(name, run, help=help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help, run in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, text=name, help=help)
        text = query.strip()
        if not text:
            return
        app = self.review_app
        try:
            rows = queue.page(app.session.store, queue.QueueFilter(text=text), limit=MAX_SUBMISSION_HITS)
        except StoreError:
            return
        for row in rows:
            name = visible_controls(f"Open {row.id}")
            exact = row.id.casefold() == text.casefold()
            yield Hit(
                1.0 if exact else 0.5,
                name,
                partial(app.go_to, row.id),
                text=name,
                help=visible_controls(f"{row.credential} · {row.status.replace('_', ' ')} · submitted {row.submitted}"),
            )
