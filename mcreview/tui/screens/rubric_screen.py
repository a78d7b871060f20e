"""The focused component's rubric on the whole screen: every level and descriptor, the
lowest ones too, scrolled with ↑ ↓ PgUp PgDn Home End. A number key chooses that level
(the review screen records it, as its own key would); Escape or f goes back."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from mcreview.core.specs import Component
from mcreview.tui.footer import KeyFooter
from mcreview.tui.safe import shown
from mcreview.tui.screens.base import SessionScreen
from mcreview.tui.screens.rubric_text import full_rubric


class RubricScreen(SessionScreen[int | None]):
    BINDINGS = [
        *[
            Binding(str(n), f"choose({n})", "Choose level", id=f"rubric.level_{n}", show=n == 1, key_display="1-9")
            for n in range(1, 10)
        ],
        Binding("escape,f,q", "close", "Back", id="rubric.close", key_display="esc"),
    ]

    def __init__(self, component: Component, chosen: str | None) -> None:
        super().__init__()
        self.component = component
        self.chosen = chosen

    def compose(self) -> ComposeResult:
        yield Static(shown(f" Rubric · {self.component.title} (↑ ↓ PgUp PgDn scroll) "), classes="topbar")
        with VerticalScroll(id="rubric-full"):
            yield Static(full_rubric(self.component, self.chosen), id="rubric-full-text")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#rubric-full").focus()

    def action_choose(self, number: int) -> None:
        if self.level_of_key(self.component, number) is not None:
            self.dismiss(number)

    def action_close(self) -> None:
        self.dismiss(None)
