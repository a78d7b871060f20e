"""Every key of the screen underneath, with what it does, generated from its bindings."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

ABOUT = (
    "Every level, comment and decision is saved the moment you make it; "
    "quitting or a dropped connection loses nothing. No key needs ctrl+s, ctrl+q, "
    "ctrl+enter or a function key."
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
    ]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        table = Table(title=f"Keys: {type(self.under).__name__.replace('Screen', '')}", expand=True)
        table.add_column("key", no_wrap=True)
        table.add_column("does")
        seen: set[str] = set()
        bindings = [*getattr(self.under, "BINDINGS", []), *getattr(self.app, "BINDINGS", [])]
        for binding in bindings:
            if not isinstance(binding, Binding) or binding.description in seen:
                continue
            seen.add(binding.description)
            keys = binding.key_display or binding.key.replace(",", " / ")
            table.add_row(keys, binding.description)
        with VerticalScroll(id="help-dialog"):
            yield Static(table)
            yield Static(ABOUT, id="help-about")
            yield Static("Esc, q or ? closes this help.", id="help-close")

    def action_close(self) -> None:
        self.dismiss(None)
