"""The decision: every component's level and comment, the computed outcome, confirm."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from mcreview.core.vocabulary import OVERALL, Outcome, ReturnReason, outcome_label
from mcreview.services.session import ReviewError, SubmissionState
from mcreview.store.api import StoreError
from mcreview.tui.safe import shown
from mcreview.tui.screens.base import SessionScreen

SOURCE_SHORT = {
    "document": "the document's rule",
    "programme": "the programme's own rule (the document is silent)",
    "required": "the document's requirements",
}


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
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_state()
        self.query_one("#decision-body").focus()

    def refresh_state(self) -> None:
        self.state = self.session.load(self.submission_id)
        state = self.state
        spec = state.spec
        self.query_one("#decision-top", Static).update(
            shown(f" Decision · {state.id} · {spec.title} · revision {state.revision} ", style="bold")
        )
        outcome = state.outcome
        head = Text()
        head.append("Computed outcome: ")
        head.append(f" {outcome.label} ", style="bold reverse")
        head.append(shown(f"\n{outcome.reason(spec)}\n"))
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
        table = Table(expand=True, show_edge=False, pad_edge=False)
        table.add_column("part", no_wrap=True)
        table.add_column("component")
        table.add_column("level", no_wrap=True)
        table.add_column("comment")
        for component in spec.components:
            level = state.levels.get(component.id)
            if not component.scored:
                level_text = Text("not scored", style="dim")
            elif level is None:
                level_text = Text("— unscored", style="bold")
            else:
                passing = component.is_passing(level)
                level_text = shown(f"{level} {'✓' if passing else '✗'}", style="" if passing else "bold")
            comment = shown(state.comments.get(component.id, ""))
            table.add_row(str(component.part_number), shown(component.title), level_text, comment)
        self.query_one("#decision-table", Static).update(table)
        overall = state.comments.get(OVERALL, "")
        text = Text()
        text.append("Overall comment: ", style="bold")
        if overall:
            text.append(shown(overall))
        else:
            text.append("(none — press c; required for Not Yet, the candidate needs feedback)")
        text.append(
            "\n\nEnter records the computed outcome · o overrides it (with a justification)"
            "\ni returns it unscored for identifying information · n returns it as incomplete"
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
        self.notify(f"{self.submission_id}: {chosen.label} recorded.")
        self.dismiss(True)
        return True

    def action_confirm(self) -> None:
        self.record()

    def action_comment(self) -> None:
        from mcreview.tui.screens.comment_editor import edit_comment

        current = self.state.comments.get(OVERALL, "")
        title = "Overall comment (feedback to the candidate)"
        edit_comment(self, title, self.submission_id, OVERALL, current, self.refresh_state)

    def action_override(self) -> None:
        from mcreview.tui.screens.comment_editor import CommentEditor, forget_draft

        computed = self.state.outcome.status
        other = Outcome.NOT_YET if computed == Outcome.EARNED else Outcome.EARNED

        draft_key = (self.submission_id, "override")

        def save(text: str | None) -> None:
            if not text or not text.strip():
                self.notify("Override cancelled: it needs a written justification.", severity="warning")
                return
            if self.record(other, text):
                forget_draft(self, draft_key)

        title = f"Override {outcome_label(computed)} → {other.label}: why?"
        self.app.push_screen(CommentEditor(title, "", draft_key), save)

    def action_return(self, reason: str) -> None:
        """Send it back unscored; the comment tells the candidate why."""
        from mcreview.tui.screens.comment_editor import CommentEditor, forget_draft

        why = ReturnReason(reason)
        label = why.label
        current = self.state.comments.get(OVERALL, "")

        def save(text: str | None) -> None:
            if not text or not text.strip():
                self.notify("Not returned: it needs a comment saying why.", severity="warning")
                return
            try:
                outcome = self.session.return_submission(self.submission_id, reason=why, comment=text)
            except (ReviewError, StoreError) as error:
                self.notify(f"Not returned: {error}", severity="error")
                return
            forget_draft(self, draft_key)
            self.notify(f"{self.submission_id}: {outcome.label}.")
            self.dismiss(True)

        draft_key = (self.submission_id, f"return-{reason}")
        title = f"Return ({label}): tell the candidate why"
        self.app.push_screen(CommentEditor(title, current, draft_key), save)

    def action_back(self) -> None:
        self.dismiss(False)
