"""Asking first: a screen that shows exactly what a key will record, and records it only
on an explicit confirming key. Escape goes back and records nothing."""

from __future__ import annotations

from enum import StrEnum

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from mcreview.tui.footer import KeyFooter
from mcreview.tui.safe import shown
from mcreview.tui.screens.base import SessionScreen


class Answer(StrEnum):
    CONFIRM = "confirm"
    EDIT = "edit"
    BACK = "back"


class ConfirmScreen(SessionScreen[Answer]):
    """Shows `body` (what will be recorded) under `title`; Enter or y confirms, e edits
    the text again (when `editable`), Escape or n goes back with nothing recorded."""

    BINDINGS = [
        Binding("enter,y", "answer('confirm')", "Record this", id="confirm.confirm", key_display="enter/y"),
        Binding("e", "answer('edit')", "Edit the text", id="confirm.edit"),
        Binding("escape,n", "answer('back')", "Back (nothing recorded)", id="confirm.back", key_display="esc"),
    ]

    def __init__(self, title: str, body: RenderableType, *, confirm: str, editable: bool = True) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.confirm_text = confirm
        self.editable = editable

    def compose(self) -> ComposeResult:
        yield Static(shown(f" {self.title_text} ", style="bold"), id="confirm-top", classes="topbar")
        with VerticalScroll(id="confirm-body"):
            yield Static(self.body, id="confirm-what")
            keys = Text()
            keys.append("Enter", style="bold reverse")
            keys.append(f" {self.confirm_text}  ·  ")
            if self.editable:
                keys.append("e", style="bold reverse")
                keys.append(" edit the text  ·  ")
            keys.append("Esc", style="bold reverse")
            keys.append(" back: nothing is recorded")
            yield Static(keys, id="confirm-keys")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-body").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "answer" and parameters == ("edit",) and not self.editable)

    def action_answer(self, answer: str) -> None:
        self.dismiss(Answer(answer))
