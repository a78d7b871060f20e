"""A recorded decision, read back: the outcome and the computed outcome, any override
and its justification, the overall comment, each level and its comment. Read-only.

For a lead, the same view of a single reading waiting for approval (the grantor model):
`a` approves it, `s` sends it back to its reader with a note, each on a screen that
shows what will be recorded first.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from mcreview.core.vocabulary import OVERALL, Status, outcome_label
from mcreview.services.session import ReviewError, SubmissionState
from mcreview.store.api import DecisionRow, ReadingRow, StoreError
from mcreview.tui.footer import KeyFooter
from mcreview.tui.safe import shown
from mcreview.tui.screens.base import SessionScreen
from mcreview.tui.screens.confirm import Answer, ConfirmScreen
from mcreview.tui.screens.decision_screen import levels_table
from mcreview.tui.screens.send_back import send_back

RESOLUTIONS = {
    "single": "one reading, final as recorded",
    "agreed": "two independent readings agreed",
    "moderated": "two readings disagreed; a lead moderated",
    "approved": "one reading, approved by a lead",
}


def recorded_block(
    *,
    outcome: str,
    computed: str,
    override: bool,
    justification: str,
    comment: str,
) -> Text:
    text = Text()
    text.append("Outcome: ")
    text.append(f" {outcome_label(outcome)} ", style="bold reverse")
    text.append(f"\nComputed by the award rule: {outcome_label(computed)}")
    if override:
        text.append("\nOverridden: ", style="bold")
        text.append("yes. Justification: ")
        text.append(shown(justification or "(none recorded)"))
    elif justification:  # a lead's reason for a moderated outcome
        text.append("\nReason: ", style="bold")
        text.append(shown(justification))
    else:
        text.append("\nOverridden: no")
    text.append("\nOverall comment: ", style="bold")
    text.append(shown(comment) if comment else Text("(none)", style="dim"))
    return text


def decision_lines(decision: DecisionRow) -> Text:
    text = Text()
    readers = ", ".join(decision.readers) or decision.assessor
    how = RESOLUTIONS.get(decision.resolution, decision.resolution)
    text.append(shown(f"Revision {decision.revision} · decided {decision.decided_at[:16].replace('T', ' ')} UTC"))
    text.append(shown(f" by {decision.assessor}\nHow: {how} (read by {readers})"))
    if decision.approved_by:
        text.append(shown(f"; approved by {decision.approved_by}"))
    return text


class DecisionView(SessionScreen[None]):
    """Returns nothing; for a lead approving, the submission is decided or sent back."""

    BINDINGS = [
        Binding("a", "approve", "Approve (final)", id="view.approve"),
        Binding("s", "send_back", "Send back with a note", id="view.send_back"),
        Binding("h", "history", "History", id="view.history"),
        Binding("escape,q", "back", "Back", id="view.back", key_display="esc"),
    ]

    def __init__(self, submission_id: str) -> None:
        super().__init__()
        self.submission_id = submission_id
        self.state: SubmissionState
        self.reading: ReadingRow | None = None  # the reading shown, when not a final decision

    def compose(self) -> ComposeResult:
        yield Static("", id="view-top", classes="topbar")
        with VerticalScroll(id="view-body"):
            yield Static("", id="view-text")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.refresh_view()
        self.query_one("#view-body").focus()

    @property
    def approving(self) -> bool:
        return self.state.lead and self.state.status is Status.APPROVAL

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("approve", "send_back"):
            return self.approving
        return True

    def refresh_view(self) -> None:
        self.state = state = self.session.load(self.submission_id)
        recorded = [r for r in state.readings if r.kind == "reading" and r.recorded]
        decision = state.current_decision
        blocks: list[RenderableType] = []
        if decision is not None and state.status.is_closed:
            title = f" {state.id} · rev {state.revision} · {state.status.label} · recorded decision (read-only) "
            blocks.append(decision_lines(decision))
            blocks.append(
                recorded_block(
                    outcome=decision.outcome,
                    computed=decision.computed,
                    override=decision.override,
                    justification=decision.justification,
                    comment=decision.comment or state.comments.get(OVERALL, ""),
                )
            )
        else:
            mine = [r for r in recorded if r.assessor == self.session.assessor]
            shown_reading = (recorded[:1] if self.approving else mine[:1]) or recorded[:1]
            if not shown_reading or state.blind:
                title = f" {state.id} · rev {state.revision} · {state.status.label} "
                blocks.append(Text("Nothing recorded that you may see yet.", style="bold"))
            else:
                self.reading = reading = shown_reading[0]
                what = "waiting for your approval" if self.approving else "your recorded reading (read-only)"
                title = f" {state.id} · rev {state.revision} · {state.status.label} · {what} "
                blocks.append(shown(f"Reading {reading.reading} recorded by {reading.assessor}"))
                blocks.append(
                    recorded_block(
                        outcome=reading.outcome or "",
                        computed=reading.computed or "",
                        override=reading.override,
                        justification=reading.justification,
                        comment=reading.comment,
                    )
                )
        blocks.append(Text(""))
        blocks.append(levels_table(state.spec, state.levels, state.comments))
        if self.approving and self.reading is not None:
            keys = Text("\n")
            keys.append("a", style="bold reverse")
            keys.append(" approves it: the outcome above becomes final  ·  ")
            keys.append("s", style="bold reverse")
            keys.append(shown(f" sends it back to {self.reading.assessor} with a note  ·  "))
            keys.append("Esc", style="bold reverse")
            keys.append(" back, nothing recorded")
            blocks.append(keys)
        else:
            blocks.append(Text("\nEsc: back · on the review screen, r revises it", style="dim"))
        self.query_one("#view-top", Static).update(shown(title, style="bold"))
        self.query_one("#view-text", Static).update(Group(*blocks))

    def action_approve(self) -> None:
        reading = self.reading
        if reading is None:
            return
        body = Text()
        body.append("This will be recorded:\n\n", style="bold")
        label = outcome_label(reading.outcome or "")
        body.append(shown(f"  Approved by you: {label}, the reading of {reading.assessor}"))
        body.append("\n  It becomes the final decision (resolution: approved).", style="bold")

        def answered(answer: Answer | None) -> None:
            if answer is not Answer.CONFIRM:
                self.notify("Nothing recorded.")
                return
            try:
                outcome = self.session.approve(self.submission_id)
            except (ReviewError, StoreError) as error:
                self.notify(f"Not approved: {error}", severity="error")
                self.refresh_view()
                return
            self.notify(f"{self.submission_id}: {outcome.label} approved: final.")
            self.dismiss(None)

        self.mcreview.push_screen(
            ConfirmScreen("Approve this reading", body, confirm="approves it", editable=False), answered
        )

    def action_send_back(self) -> None:
        reading = self.reading
        if reading is None:
            return
        send_back(self, reading.assessor, done=self.close, afterwards="it comes back to you")

    def close(self) -> None:
        self.dismiss(None)

    def action_history(self) -> None:
        from mcreview.tui.screens.history_screen import HistoryScreen

        self.mcreview.push_screen(HistoryScreen(self.submission_id))

    def action_back(self) -> None:
        self.dismiss(None)
