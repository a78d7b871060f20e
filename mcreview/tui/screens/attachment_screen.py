"""Attachments in the app: a list of the submission's attachments (the focused
component's first), and one attachment shown full screen: text, Markdown, a PDF's text
page by page, or where the file is, its size and type, and whether it is missing."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from mcreview.core.textsafe import visible_controls
from mcreview.services.attachment_view import AttachmentView, view_attachment
from mcreview.services.session import ReviewError
from mcreview.store.api import StoreError
from mcreview.tui.footer import KeyFooter
from mcreview.tui.safe import shown
from mcreview.tui.screens.base import SessionModal, SessionScreen


class AttachmentList(SessionModal[None]):
    BINDINGS = [
        Binding("escape,a,q", "close", "Close", id="attachments.close", key_display="esc"),
    ]

    def __init__(self, submission_id: str, component_id: str) -> None:
        super().__init__()
        self.submission_id = submission_id
        self.component_id = component_id

    def compose(self) -> ComposeResult:
        state = self.session.load(self.submission_id)
        ordered = sorted(state.attachments, key=lambda a: (a.component_id != self.component_id, a.seq))
        options = []
        for attachment in ordered:
            label = Text()
            label.append(visible_controls(attachment.description) or "attachment", style="bold")
            where = attachment.url or attachment.path or ""
            label.append(f"  {visible_controls(where)}  ({visible_controls(attachment.component_id)})", style="dim")
            options.append(Option(label, id=str(attachment.seq)))
        yield Static("Attachments: ↑ ↓ choose, Enter opens, Esc closes", id="attachments-title")
        yield OptionList(*options, id="attachments-list")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        options.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.mcreview.push_screen(AttachmentScreen(self.submission_id, int(event.option.id)))

    def action_close(self) -> None:
        self.dismiss(None)


def view_renderable(view: AttachmentView) -> RenderableType:
    facts = Text()
    for fact in view.facts:
        facts.append(shown(fact + "\n"))
    blocks: list[RenderableType] = [facts]
    if view.note:
        style = "bold reverse" if view.kind == "missing" else "bold"
        blocks.append(shown(view.note, style=style))
    if view.kind == "markdown":
        blocks.append(Markdown(visible_controls(view.text), hyperlinks=False))
    elif view.kind in ("text", "pdf"):
        blocks.append(shown(view.text))
    return Group(*blocks)


class AttachmentScreen(SessionScreen[None]):
    BINDINGS = [
        Binding("escape,q", "close", "Back", id="attachment.close", key_display="esc"),
    ]

    def __init__(self, submission_id: str, seq: int) -> None:
        super().__init__()
        self.submission_id = submission_id
        self.seq = seq

    def compose(self) -> ComposeResult:
        try:
            view = view_attachment(self.session, self.submission_id, self.seq)
        except (ReviewError, StoreError) as error:
            view = AttachmentView("attachment", "other", note=f"cannot be shown: {error}")
        yield Static(shown(f" {self.submission_id} · {view.title} ({view.kind}) "), classes="topbar")
        with VerticalScroll(id="attachment-body"):
            yield Static(view_renderable(view), id="attachment-text")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#attachment-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
