"""Every key of the screen underneath, with what it does, generated from its bindings."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

FLAGS_TITLE = "Queue flags"


def flag_rows() -> list[tuple[str, str]]:
    from mcreview.core.flags import FLAG_LABELS, FLAG_OLDER_RUBRIC, FLAG_ORDER

    return [(letter, FLAG_LABELS[letter]) for letter in (*FLAG_ORDER, FLAG_OLDER_RUBRIC)]


def key_rows(under: object, app_bindings: list[object]) -> list[tuple[str, str]]:
    """(keys, what they do) for a screen: its bindings, then the app's; the one source the
    help screen and the README's key table are checked against."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for binding in [*getattr(under, "BINDINGS", []), *app_bindings]:
        if not isinstance(binding, Binding) or binding.description in seen:
            continue
        seen.add(binding.description)
        rows.append((binding.key_display or binding.key.replace(",", " / "), binding.tooltip or binding.description))
    return rows


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
        for keys, does in key_rows(self.under, list(getattr(self.app, "BINDINGS", []))):
            table.add_row(keys, does)
        flags = Table(title=FLAGS_TITLE, expand=True)
        flags.add_column("flag", no_wrap=True)
        flags.add_column("means")
        for letter, meaning in flag_rows():
            flags.add_row(letter, meaning)
        with VerticalScroll(id="help-dialog"):
            yield Static(table)
            yield Static(flags)
            yield Static(ABOUT, id="help-about")
            yield Static("Esc, q or ? closes this help.", id="help-close")

    def action_close(self) -> None:
        self.dismiss(None)
