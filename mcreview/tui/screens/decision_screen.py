"""The decision: every component's level and comment, the computed outcome, confirm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from mcreview.core.specs import Spec
from mcreview.core.vocabulary import OVERALL, Outcome, ReturnReason, Status, outcome_label
from mcreview.services.session import ReviewError, SubmissionState
from mcreview.store.api import StoreError
from mcreview.tui.footer import KeyFooter
from mcreview.tui.safe import shown
from mcreview.tui.screens.base import SessionAccess, SessionScreen
from mcreview.tui.screens.confirm import Answer, ConfirmScreen

SOURCE_SHORT = {
    "document": "the document's rule",
    "programme": "the programme's own rule (the document is silent)",
    "required": "the document's requirements",
}


def levels_table(spec: Spec, levels: dict[str, str], comments: dict[str, str]) -> Table:
    """Every component's level (with ✓/✗: never colour alone) and its comment."""
    table = Table(expand=True, show_edge=False, pad_edge=False)
    table.add_column("part", no_wrap=True)
    table.add_column("component")
    table.add_column("level", no_wrap=True)
    table.add_column("comment")
    for component in spec.components:
        level = levels.get(component.id)
        if not component.scored:
            level_text = Text("not scored", style="dim")
        elif level is None:
            level_text = Text("— unscored", style="bold")
        else:
            passing = component.is_passing(level)
            level_text = shown(f"{level} {'✓' if passing else '✗'}", style="" if passing else "bold")
        comment = shown(comments.get(component.id, ""))
        table.add_row(str(component.part_number), shown(component.title), level_text, comment)
    return table


def what_happens(
    state: SubmissionState, *, assessor: str, approval: bool, second_on_not_yet: bool, outcome: str
) -> str:
    """What recording this reader's outcome does, in the programme's terms."""
    others = [
        r for r in state.readings if r.kind == "reading" and r.recorded and r.assessor != assessor
    ]
    if state.readings_needed >= 2:
        if others:
            return (
                "your reading: it is compared with the other reading, recorded already;"
                " if they agree it is final, if not a lead moderates"
            )
        return "your reading: a second reader reads it independently before it is final"
    if second_on_not_yet and outcome == Outcome.NOT_YET and state.revision == 1:
        return "your reading: Not Yet asks for a second, independent reading before it is final"
    if approval:
        return "your reading: a lead approves it (or sends it back) before it is final"
    return "recorded: final"


def recorded_message(submission_id: str, label: str, status: Status) -> str:
    """After recording, what became of it (the status read back from the queue)."""
    if status is Status.SECOND_READING:
        return f"{submission_id}: your reading ({label}) is recorded; a second reader reads it before it is final."
    if status is Status.MODERATION:
        return f"{submission_id}: your reading ({label}) is recorded; the readings disagree, so a lead moderates."
    if status is Status.APPROVAL:
        return f"{submission_id}: your reading ({label}) is recorded; it waits for a lead's approval."
    if status.is_open:
        return f"{submission_id}: your reading ({label}) is recorded; it waits for another reading."
    return f"{submission_id}: {label} recorded: final."


def ask_for_text(
    screen: SessionAccess,
    *,
    title: str,
    initial: str,
    draft_key: tuple[str, str],
    summary: Callable[[str], RenderableType],
    confirm: str,
    record: Callable[[str], bool],
    empty: str,
) -> None:
    """Write a text (a justification, a reason, a note), then see what will be recorded and
    confirm it. The editor only hands the text over; nothing is recorded until the
    confirming key on the screen that shows it. Escape anywhere records nothing, and the
    text stays a draft until it is recorded."""
    from mcreview.tui.screens.comment_editor import CommentEditor, forget_draft

    app = screen.mcreview

    def written(text: str | None) -> None:
        if text is None:
            return  # discarded in the editor (ctrl+r): nothing to record
        if not text.strip():
            cast(Any, screen).notify(empty, severity="warning")
            return
        body = summary(text)

        def answered(answer: Answer | None) -> None:
            if answer is Answer.CONFIRM:
                if record(text):
                    forget_draft(screen, draft_key)
            elif answer is Answer.EDIT:
                app.push_screen(CommentEditor(title, text, draft_key), written)
            else:
                cast(Any, screen).notify("Nothing recorded; what you wrote is kept as a draft.")

        app.push_screen(ConfirmScreen(title, body, confirm=confirm), answered)

    app.push_screen(CommentEditor(title, initial, draft_key), written)


class DecisionScreen(SessionScreen[bool]):
    """Returns True once a decision is recorded."""

    BINDINGS = [
        Binding("enter", "confirm", "Confirm outcome", id="decision.confirm"),
        Binding("c", "comment", "Overall comment", id="decision.comment"),
        Binding("o", "override", "Override", id="decision.override"),
        Binding(
            "i",
            "return('identifiable')",
            "Return: identifying",
            id="decision.return_identifiable",
            show=False,
        ),
        Binding(
            "n", "return('incomplete')", "Return: incomplete", id="decision.return_incomplete", show=False
        ),
        Binding("escape", "back", "Back", id="decision.back"),
    ]

    def __init__(self, submission_id: str) -> None:
        super().__init__()
        self.submission_id = submission_id
        self.state: SubmissionState

    def compose(self) -> ComposeResult:
        yield Static("", id="decision-top", classes="topbar")
        with VerticalScroll(id="decision-body"):
            yield Static("", id="decision-outcome")
            yield Static("", id="decision-table")
            yield Static("", id="decision-comment")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.refresh_state()
        self.query_one("#decision-body").focus()

    def refresh_state(self) -> None:
        self.state = self.session.load(self.submission_id)
        self.policy = self.session.policy(self.state.credential)
        state = self.state
        spec = state.spec
        self.query_one("#decision-top", Static).update(
            shown(f" Decision · {state.id} · rev {state.revision} · {spec.title} ", style="bold")
        )
        outcome = state.outcome
        head = Text()
        head.append("Computed outcome: ")
        head.append(f" {outcome.label} ", style="bold reverse")
        head.append("\n")
        if outcome.status in (Outcome.EARNED, Outcome.NOT_YET):  # what Enter does, first
            head.append("Enter", style="bold reverse")
            head.append(f" records {outcome.label}: {self.happens(outcome.status)}\n", style="bold")
        head.append(shown(f"{outcome.reason(spec)}\n"))
        statement = spec.award_statement or "(the document states no award rule)"
        quoted = "" if spec.award_quote else " (not quoted: the document has no award sentence)"
        head.append(shown(f"Award rule: {statement}{quoted}\n", style="italic"))
        decided = set(map(id, outcome.decided_by))
        for result in outcome.explanation:
            mark = {"holds": "✓", "fails": "✗", "open": "…", "not checked": "-"}[result.verdict]
            style = "bold" if id(result) in decided and outcome.status != "earned" else ""
            head.append(shown(f"{mark} {result.text}: {result.verdict}", style=style))
            head.append(f" · {SOURCE_SHORT.get(result.source, result.source)}", style="dim")
            if result.why and result.verdict != "holds":
                head.append(shown(f"\n    {result.why}"))
            head.append("\n")
        parts = " · ".join(f"Part {number}: {status}" for number, status in outcome.parts.items())
        head.append(parts)
        self.query_one("#decision-outcome", Static).update(head)
        table = levels_table(spec, state.levels, state.comments)
        self.query_one("#decision-table", Static).update(table)
        overall = state.comments.get(OVERALL, "")
        text = Text()
        text.append("Overall comment: ", style="bold")
        if overall:
            text.append(shown(overall))
        else:
            text.append("(none — press c; required for Not Yet, the candidate needs feedback)")
        unsaved = self.session.unsaved_comments(state)
        if unsaved:
            titles = {c.id: c.title for c in spec.components} | {OVERALL: "the overall comment"}
            names = ", ".join(titles.get(cid, cid) for cid in unsaved)
            text.append("\n⚑ Not saved, kept as drafts: ", style="bold")
            text.append(shown(names))
            text.append(" (reopen with c and press ^o to save; a draft is not recorded)")
        happens = self.happens(outcome.status)
        text.append("\n\n")
        if outcome.status in (Outcome.EARNED, Outcome.NOT_YET):
            text.append("Enter", style="bold reverse")
            text.append(f" records {outcome.label}: {happens}", style="bold")
        else:
            text.append(f"Enter records nothing yet: {outcome.label} (score every component first)", style="bold")
        text.append(
            "\no overrides it (a justification, then a screen to confirm)"
            "\ni returns it unscored for identifying information · n returns it as incomplete (both confirmed)"
        )
        self.query_one("#decision-comment", Static).update(text)

    def record(self, outcome: str | None = None, justification: str = "") -> bool:
        """Record what this screen shows; refused if a level changed since it was drawn."""
        comment = self.state.comments.get(OVERALL, "")
        try:
            chosen = self.session.decide(
                self.submission_id,
                comment=comment,
                outcome=outcome,
                justification=justification,
                seen_levels=self.state.levels,
            )
        except (ReviewError, StoreError) as error:
            self.notify(f"Not decided: {error}", severity="error")
            self.refresh_state()
            return False
        self.report_recorded(chosen.label)
        self.dismiss(True)
        return True

    def happens(self, outcome: str) -> str:
        return what_happens(
            self.state,
            assessor=self.session.assessor,
            approval=self.policy.approval,
            second_on_not_yet=self.policy.readings == "when-not-yet",
            outcome=outcome,
        )

    def report_recorded(self, label: str) -> None:
        try:
            status = self.session.load(self.submission_id).status
        except (ReviewError, StoreError):
            status = Status.DECIDED
        self.notify(recorded_message(self.submission_id, label, status))

    def action_confirm(self) -> None:
        self.record()

    def action_comment(self) -> None:
        from mcreview.tui.screens.comment_editor import edit_comment

        current = self.state.comments.get(OVERALL, "")
        title = "Overall comment (feedback to the candidate)"
        from mcreview.tui.screens.comment_editor import PhraseContext

        bank = PhraseContext(self.state.spec, OVERALL, "")
        edit_comment(self, title, self.submission_id, OVERALL, current, self.refresh_state, bank=bank)

    def action_override(self) -> None:
        computed = self.state.outcome.status
        other = Outcome.NOT_YET if computed == Outcome.EARNED else Outcome.EARNED
        title = f"Override {outcome_label(computed)} → {other.label}: why?"

        def summary(text: str) -> RenderableType:
            body = Text()
            body.append("This will be recorded:\n\n", style="bold")
            body.append(f"  Outcome: {other.label} (an override)\n", style="bold")
            body.append(f"  Computed by the award rule: {outcome_label(computed)}\n")
            body.append("  Justification: ")
            body.append(shown(text))
            body.append("\n  Overall comment: ")
            overall = self.state.comments.get(OVERALL, "")
            body.append(shown(overall) if overall else Text("(none)", style="dim"))
            body.append(f"\n\n{self.happens(other)}", style="bold")
            return body

        ask_for_text(
            self,
            title=title,
            initial="",
            draft_key=(self.submission_id, "override"),
            summary=summary,
            confirm=f"records the override: {other.label}",
            record=lambda text: self.record(other, text),
            empty="Override cancelled: it needs a written justification.",
        )

    def action_return(self, reason: str) -> None:
        """Send it back unscored; the comment tells the candidate why."""
        why = ReturnReason(reason)
        title = f"Return ({why.label}): tell the candidate why"

        def summary(text: str) -> RenderableType:
            body = Text()
            body.append("This will be recorded:\n\n", style="bold")
            body.append(f"  Outcome: {why.outcome.label} (returned unscored)\n", style="bold")
            body.append("  Comment to the candidate: ")
            body.append(shown(text))
            body.append(f"\n\n{self.happens(why.outcome)}", style="bold")
            return body

        def record(text: str) -> bool:
            try:
                outcome = self.session.return_submission(self.submission_id, reason=why, comment=text)
            except (ReviewError, StoreError) as error:
                self.notify(f"Not returned: {error}", severity="error")
                return False
            self.report_recorded(outcome.label)
            self.dismiss(True)
            return True

        ask_for_text(
            self,
            title=title,
            initial=self.state.comments.get(OVERALL, ""),
            draft_key=(self.submission_id, f"return-{reason}"),
            summary=summary,
            confirm=f"returns it: {why.outcome.label}",
            record=record,
            empty="Not returned: it needs a comment saying why.",
        )

    def action_back(self) -> None:
        self.dismiss(False)
