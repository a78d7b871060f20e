"""A multi-line editor for comments and justifications, closed with SSH-safe keys."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.widgets.text_area import Edit, EditResult

from mcreview.core.specs import Spec
from mcreview.core.textsafe import visible_controls
from mcreview.services import phrases
from mcreview.services.session import MAX_COMMENT_CHARS, ReviewError
from mcreview.store.api import StoreError
from mcreview.tui.safe import shown
from mcreview.tui.screens.base import SessionAccess, SessionModal, SessionScreen

COUNT_FROM = MAX_COMMENT_CHARS * 9 // 10  # the count shows from 9,000 characters on
WIDE = 110  # as the review screen: from this width the editor sits beside the response


@dataclass(frozen=True)
class PhraseContext:
    """Where a comment is being written, for the comment bank: the credential, the
    component ('' for the overall comment) and its level ('' if none yet)."""

    spec: Spec
    component_id: str
    level: str

    @property
    def credential(self) -> str:
        return self.spec.id


class DraftTextArea(TextArea):
    """A TextArea that hands every change of its text to `on_change` before returning.

    Every edit (a key, a paste, a deletion, undo and redo) goes through `edit`, `undo`
    or `redo`, and the screen is drawn only after the handler that made the edit
    returns: so when `on_change` writes the draft, the text is durable before it is
    on screen. An edit that would make the text longer than `limit` is refused and
    reported to `on_refused`. Control characters in pasted text are kept as their
    visible symbols, so what is saved is what the assessor saw.
    """

    def __init__(
        self,
        text: str,
        *,
        limit: int,
        on_change: Callable[[str], None],
        on_refused: Callable[[int], None],
        **kwargs: Any,
    ) -> None:
        super().__init__(visible_controls(text), **kwargs)
        self.limit = limit
        self.on_change = on_change
        self.on_refused = on_refused

    def edit(self, edit: Edit) -> EditResult:
        edit.text = visible_controls(edit.text)
        removed = len(self.get_text_range(edit.from_location, edit.to_location))
        length = len(self.text) - removed + len(edit.text)
        if len(edit.text) > removed and length > self.limit:
            self.on_refused(length)
            return EditResult(end_location=self.cursor_location, replaced_text="")
        result = super().edit(edit)
        self.on_change(self.text)
        return result

    def undo(self) -> None:
        super().undo()
        self.on_change(self.text)

    def redo(self) -> None:
        super().redo()
        self.on_change(self.text)


class CommentEditor(SessionModal[str | None]):
    """Returns the edited text, or None when the edit is discarded.

    ctrl+o saves (not ctrl+s: terminals over SSH may swallow it); ctrl+r discards.
    Escape closes without saving anything, as it does everywhere: the text stays a draft,
    offered again the next time this editor opens. While open, every change of the text is written to the
    queue database as a draft before it is drawn (one small transaction with fsync,
    about a millisecond), so a dropped link, a crash or kill -9 mid-sentence loses
    nothing that was on screen: the next time this editor opens for the same thing,
    the draft comes back. The text may hold at most MAX_COMMENT_CHARS characters, the
    most the queue accepts: the count shows near the limit, and typing or pasting
    past it is refused here rather than at the save.
    """

    BINDINGS = [
        Binding("escape", "close", "Close, keep a draft", id="comment.close"),
        Binding("ctrl+o", "save", "Save & close", id="comment.save"),
        Binding("ctrl+r", "discard", "Discard edit", id="comment.discard"),
        Binding("ctrl+n", "insert_phrase", "Comment bank: insert a phrase", id="comment.insert_phrase"),
        Binding(
            "ctrl+t", "keep_phrase", "Comment bank: keep the selection (or all) as a phrase", id="comment.keep_phrase"
        ),
    ]

    def __init__(
        self,
        title: str,
        text: str = "",
        draft_key: tuple[str, str] | None = None,
        *,
        bank: PhraseContext | None = None,
        append: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.initial = visible_controls(text)
        self.draft_key = draft_key  # (submission id, field)
        self.bank = bank
        self.append = visible_controls(append)
        self.restored = False
        self.draft_failed: str | None = None
        self.refused: int | None = None  # the length an edit would have reached

    def compose(self) -> ComposeResult:
        text = self.initial
        draft = self.read_draft()
        if draft is not None and visible_controls(draft) != self.initial:
            text, self.restored = visible_controls(draft), True
        if self.append:
            text = f"{text.rstrip()}\n\n{self.append}" if text.strip() else self.append
        if self.app.size.width >= WIDE:
            self.add_class("-beside")
        editor = DraftTextArea(
            text,
            limit=MAX_COMMENT_CHARS,
            on_change=self.changed,
            on_refused=self.refuse,
            id="comment-text",
            soft_wrap=True,
            show_line_numbers=False,
        )
        with Vertical(id="comment-dialog"):
            yield Static(shown(self.title_text), id="comment-title")
            yield editor
            status = Static(self.status_text(len(text)), id="comment-count")
            status.display = bool(status.content)
            yield status
            help_line = "^o save and close · Esc close, keep a draft · ^r discard the edit"
            if self.bank is not None:
                help_line = "^o save · Esc keep draft · ^r discard · ^n insert phrase · ^t keep phrase"
            yield Static(help_line, id="comment-help")

    def on_mount(self) -> None:
        editor = self.query_one(DraftTextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)
        if self.restored:
            self.notify("Restored the unsaved draft from your last session.")

    def read_draft(self) -> str | None:
        if self.draft_key is None:
            return None
        submission_id, field = self.draft_key
        with contextlib.suppress(StoreError):
            return self.session.load_draft(submission_id, field=field)
        return None

    # -- every change, before it is drawn --------------------------------------------

    def changed(self, text: str) -> None:
        """The text changed: keep it as a draft now, then say how long it is."""
        self.refused = None
        self.write_draft(text)
        self.show_status(len(text))

    def write_draft(self, text: str) -> None:
        if self.draft_key is None:
            return
        submission_id, field = self.draft_key
        try:
            self.session.save_draft(submission_id, field=field, body=text)
        except StoreError as error:  # the draft is a safety net, not the save: say so, go on
            self.draft_failed = str(error)
        else:
            self.draft_failed = None

    def refuse(self, length: int) -> None:
        self.refused = length
        self.show_status(len(self.query_one(DraftTextArea).text))

    def show_status(self, length: int) -> None:
        with contextlib.suppress(NoMatches):  # not mounted yet: compose draws the first one
            line = self.status_text(length)
            status = self.query_one("#comment-count", Static)
            status.update(line)
            status.display = bool(line)

    def status_text(self, length: int) -> Text:
        line = Text()
        if length >= COUNT_FROM:
            at_limit = length >= MAX_COMMENT_CHARS
            line.append(
                f"{length:,} / {MAX_COMMENT_CHARS:,} characters" + (": the limit" if at_limit else ""),
                style="bold reverse" if at_limit else "bold",
            )
        if self.refused is not None:
            line.append(
                ("  " if line else "") + f"Not added: the text would be {self.refused:,} characters;"
                f" a comment holds at most {MAX_COMMENT_CHARS:,}.",
                style="bold",
            )
        if self.draft_failed is not None:
            line.append(("  " if line else "") + "Draft not saved: ", style="bold")
            line.append(shown(self.draft_failed))
        return line

    # -- closing -----------------------------------------------------------------------

    def action_save(self) -> None:
        """Hand the text back; the caller drops the draft once its save succeeded."""
        self.dismiss(self.query_one(DraftTextArea).text)

    def action_close(self) -> None:
        """Escape: nothing is saved; the text typed is kept as the draft it already is."""
        text = self.query_one(DraftTextArea).text
        if text.strip() != self.initial.strip():
            kept = "kept as a draft: reopen it and press ^o to save" if self.draft_key else "^o saves"
            self.app.notify(f"Not saved ({kept}).")
        self.dismiss(None)

    def action_discard(self) -> None:
        forget_draft(self, self.draft_key)
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in ("insert_phrase", "keep_phrase") and self.bank is None)

    def insert(self, text: str) -> None:
        """Put a phrase in at the cursor (through the editor's own edit: durable first)."""
        editor = self.query_one(DraftTextArea)
        editor.insert(visible_controls(text))
        editor.focus()

    def action_insert_phrase(self) -> None:
        if self.bank is None:
            return

        def chosen(text: str | None) -> None:
            if text:
                self.insert(text)

        self.app.push_screen(PhrasePicker(self.bank), chosen)

    def action_keep_phrase(self) -> None:
        bank = self.bank
        if bank is None:
            return
        editor = self.query_one(DraftTextArea)
        text = (editor.selected_text or editor.text).strip()
        if not text:
            self.notify("Nothing to keep: write or select the phrase first.", severity="warning")
            return
        try:
            phrases.save_phrase(
                self.session.store,
                {bank.credential: bank.spec},
                assessor=self.session.assessor,
                credential=bank.credential,
                component_id=bank.component_id,
                level=bank.level,
                text=text,
            )
        except (phrases.PhraseError, StoreError) as error:
            self.notify(f"Phrase not kept: {error}", severity="error")
            return
        where = f"{bank.component_id or 'the overall comment'}, {bank.level or 'any level'}"
        self.notify(f"Kept in the comment bank for {where}.")


class PhrasePicker(SessionModal[str | None]):
    """The comment bank for where the assessor is writing: Enter inserts a phrase, e edits
    it, x deletes it (asks first); Escape closes and inserts nothing."""

    BINDINGS = [
        Binding("e", "edit", "Edit the phrase", id="phrases.edit"),
        Binding("x", "delete", "Delete the phrase", id="phrases.delete"),
        Binding("escape", "close", "Close", id="phrases.close", key_display="esc"),
    ]

    def __init__(self, bank: PhraseContext) -> None:
        super().__init__()
        self.bank = bank
        self.rows: list[Any] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="phrase-dialog"):
            where = f"{self.bank.component_id or 'overall comment'} · {self.bank.level or 'any level'}"
            yield Static(shown(f"Comment bank: {where}"), id="phrase-title")
            yield OptionList(id="phrase-list")
            yield Static("Enter inserts · e edits · x deletes · Esc closes", id="phrase-help")

    def on_mount(self) -> None:
        self.fill()
        options = self.query_one(OptionList)
        options.focus()
        options.highlighted = 0

    def fill(self) -> None:
        bank = self.bank
        level = bank.level or None
        self.rows = phrases.phrases_for(self.session.store, bank.credential, bank.component_id, level)
        options = self.query_one(OptionList)
        options.clear_options()
        for row in self.rows:
            label = Text()
            label.append("[this level] " if row.level else "[any level] ", style="dim")
            label.append(visible_controls(row.body))
            options.add_option(Option(label, id=str(row.id)))
        if not self.rows:
            empty = Text("(no phrases here yet: ^t in the editor keeps one)", style="dim")
            options.add_option(Option(empty, id="none"))

    def selected(self) -> Any:
        options = self.query_one(OptionList)
        index = options.highlighted
        if index is None or not self.rows or index >= len(self.rows):
            return None
        return self.rows[index]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if 0 <= event.option_index < len(self.rows):
            self.dismiss(self.rows[event.option_index].body)

    def action_edit(self) -> None:
        row = self.selected()
        if row is None:
            return

        def edited(text: str | None) -> None:
            if text is None or not text.strip() or text.strip() == row.body:
                return
            try:
                phrases.save_phrase(
                    self.session.store,
                    {self.bank.credential: self.bank.spec},
                    assessor=self.session.assessor,
                    credential=row.credential,
                    component_id=row.component_id,
                    level=row.level,
                    text=text,
                    phrase_id=row.id,
                )
            except (phrases.PhraseError, StoreError) as error:
                self.notify(f"Phrase not changed: {error}", severity="error")
            self.fill()

        self.app.push_screen(CommentEditor("Edit the phrase (shared with the team)", row.body), edited)

    def action_delete(self) -> None:
        row = self.selected()
        if row is None:
            return
        from mcreview.tui.screens.confirm import Answer, ConfirmScreen

        def answered(answer: Answer | None) -> None:
            if answer is Answer.CONFIRM:
                with contextlib.suppress(StoreError):
                    phrases.delete_phrase(self.session.store, row.id)
                self.fill()

        body = Text("This phrase goes from the comment bank, for the whole team:\n\n  ")
        body.append(shown(row.body))
        self.app.push_screen(ConfirmScreen("Delete a phrase?", body, confirm="deletes it", editable=False), answered)

    def action_close(self) -> None:
        self.dismiss(None)


def forget_draft(screen: SessionAccess, draft_key: tuple[str, str] | None) -> None:
    """Called once the text is saved for real (or deliberately discarded)."""
    if draft_key is not None:
        submission_id, field = draft_key
        with contextlib.suppress(StoreError):
            screen.session.drop_draft(submission_id, field=field)


def edit_comment(
    screen: SessionScreen[Any],
    title: str,
    submission_id: str,
    component_id: str,
    current: str,
    after: Callable[[], None],
    *,
    bank: PhraseContext | None = None,
    append: str = "",
) -> None:
    """Open the editor on a component's (or the overall) comment and save what comes back.

    The draft is dropped only once the comment is saved; `after` re-reads the screen.
    """
    draft_key = (submission_id, component_id or "overall")

    def save(text: str | None) -> None:
        try:
            if text is None:  # closed or discarded: the screen shows whether a draft is left
                return
            if text.strip() != current.strip():
                try:
                    screen.session.set_comment(submission_id, component_id=component_id, body=text)
                except (ReviewError, StoreError) as error:
                    screen.notify(f"Comment not saved (kept as a draft): {error}", severity="error")
                    return
            forget_draft(screen, draft_key)
        finally:
            after()

    screen.app.push_screen(CommentEditor(title, current, draft_key, bank=bank, append=append), save)
