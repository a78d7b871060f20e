"""A review session: one assessor working on one queue.

Screens and commands change the queue only through a ReviewSession, so a keystroke
is durable (committed with fsync) before the screen shows it, and the CLI and the
tests go through exactly the same code. Every change is one short transaction that
first takes (or renews) the assessor's claim, then checks, writes and records the
event.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mcreview.core.scoring import Outcome, evaluate
from mcreview.core.specs import Spec
from mcreview.core.vocabulary import DECIDABLE, OVERALL, Event, ReturnReason, Status
from mcreview.core.vocabulary import Outcome as OutcomeName
from mcreview.services.claims import (
    LEASE_SECONDS,
    ClaimedByOther,
    Released,
    hold_claim,
    release_all_claims,
    release_claim,
    release_own_claim,
)
from mcreview.services.library import SpecLibrary, SpecMissing
from mcreview.store.api import (
    AttachmentRow,
    ClaimRow,
    DecisionRow,
    EventRow,
    NewDecision,
    Store,
    SubmissionKey,
    SubmissionRow,
)
from mcreview.store.transaction import Transaction

if TYPE_CHECKING:
    from mcreview.core.prechecks import PreCheck  # loads markdown-it: not on the UI's start-up path

MAX_COMMENT_CHARS = 10_000  # a comment, justification or return note: about 1,500 words
MAX_ASSESSOR_CHARS = 64


class ReviewError(Exception):
    """A change the rules do not allow; the message is fit to show the assessor."""


def check_assessor_name(name: str) -> str:
    """An assessor name is shown on every colleague's screen: refuse control characters
    (an escape sequence there would reach their terminal) and anything unprintable."""
    name = name.strip()
    if not name:
        raise ValueError("the assessor name is empty")
    if len(name) > MAX_ASSESSOR_CHARS:
        raise ValueError(f"the assessor name is longer than {MAX_ASSESSOR_CHARS} characters")
    for char in name:
        if unicodedata.category(char) == "Cs":  # an undecodable byte of an argument or variable
            raise ValueError("the assessor name is not valid UTF-8")
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") or (char.isspace() and char != " "):
            raise ValueError(f"the assessor name holds a control character (U+{ord(char):04X})")
    return name


def check_text_length(text: str, what: str) -> str:
    if len(text) > MAX_COMMENT_CHARS:
        raise ReviewError(
            f"{what} is {len(text):,} characters; the most a {what} may hold is {MAX_COMMENT_CHARS:,}"
        )
    return text


@dataclass
class SubmissionState:
    """Everything a review screen shows about one submission, read in one snapshot."""

    row: SubmissionRow
    spec: Spec
    responses: dict[str, str]
    attachments: list[AttachmentRow]
    levels: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    decisions: list[DecisionRow] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.row.id

    @property
    def credential(self) -> str:
        return self.row.credential

    @property
    def candidate(self) -> str:
        return self.row.candidate

    @property
    def submitted(self) -> str:
        return self.row.submitted

    @property
    def assessor(self) -> str | None:
        return self.row.assessor

    @property
    def status(self) -> Status:
        return Status(self.row.status)

    @property
    def revision(self) -> int:
        return self.row.revision

    @property
    def attempt(self) -> int:
        return self.row.attempt

    @property
    def outcome(self) -> Outcome:
        return evaluate(self.spec, self.levels)

    @property
    def current_decision(self) -> DecisionRow | None:
        for decision in self.decisions:
            if (decision.attempt, decision.revision) == (self.attempt, self.revision):
                return decision
        return None


@dataclass(frozen=True)
class ReviewSession:
    """The store and who is assessing: what every screen and command works through."""

    store: Store
    assessor: str
    library: SpecLibrary = field(default_factory=SpecLibrary)
    lease_seconds: float = LEASE_SECONDS

    # -- reading -------------------------------------------------------------------

    def _row(self, tx: Transaction, submission_id: str) -> SubmissionRow:
        row = tx.submission(submission_id)
        if row is None:
            raise ReviewError(f"no submission '{submission_id}' in the queue")
        return row

    def _spec(self, tx: Transaction, spec_hash: str) -> Spec:
        try:
            return self.library.spec(tx, spec_hash)
        except SpecMissing as error:
            raise ReviewError(str(error)) from None

    def load(self, submission_id: str) -> SubmissionState:
        def work(tx: Transaction) -> SubmissionState:
            row = self._row(tx, submission_id)
            key = row.key()
            return SubmissionState(
                row=row,
                spec=self._spec(tx, row.spec_hash),
                responses=tx.responses(row.id, row.attempt),
                attachments=tx.attachments(row.id, row.attempt),
                levels=tx.levels(key),
                comments=tx.comments(key),
                decisions=tx.decisions(row.id),
            )

        return self.store.read(work)

    def exists(self, submission_id: str) -> bool:
        return self.store.read(lambda tx: tx.submission(submission_id)) is not None

    def prechecks(self, state: SubmissionState) -> list[PreCheck]:
        return self.store.read(lambda tx: tx.prechecks(state.id, state.attempt))

    def history(self, submission_id: str) -> list[EventRow]:
        return self.store.read(lambda tx: tx.events(submission_id))

    # -- scoring -------------------------------------------------------------------

    def _open_for_scoring(self, tx: Transaction, submission_id: str) -> SubmissionRow:
        """Inside a write transaction: the row to write to, if this assessor may.

        A write takes (or renews) the writer's claim in the same transaction, so a
        revision always has one scorer and nobody writes without holding the claim.
        """
        row = self._row(tx, submission_id)
        try:
            hold_claim(tx, submission_id, self.assessor, lease_seconds=self.lease_seconds)
        except ClaimedByOther as error:
            raise ReviewError(f"read-only: {error}") from None
        if Status(row.status).is_closed:
            raise ReviewError("this revision is decided: press r to revise it")
        return row

    def _write_level(
        self, tx: Transaction, row: SubmissionRow, component_id: str, level: str | None
    ) -> str | None:
        spec = self._spec(tx, row.spec_hash)
        try:
            component = spec.component(component_id)
        except KeyError:
            raise ReviewError(f"'{component_id}' is not a component of {spec.title}") from None
        if level is not None and (component.scale is None or level not in component.scale.levels):
            raise ReviewError(f"'{level}' is not a level of {component.title}")
        key = row.key()
        before = tx.levels(key).get(component_id)
        if before == level:
            return before
        if level is None:
            tx.delete_level(key, component_id)
        else:
            tx.put_level(
                key,
                component_id,
                level=level,
                passing=component.is_passing(level),
                spec_hash=row.spec_hash,
                assessor=self.assessor,
            )
        tx.set_status(row.id, status=Status.IN_REVIEW, assessor=self.assessor)
        tx.record_event(
            assessor=self.assessor,
            submission_id=row.id,
            action=Event.SCORE,
            target=component_id,
            before=before,
            after=level,
        )
        return before

    def set_level(self, submission_id: str, *, component_id: str, level: str | None) -> str | None:
        """Record (or with None, clear) a component's level; returns the level it replaced."""

        def work(tx: Transaction) -> str | None:
            row = self._open_for_scoring(tx, submission_id)
            return self._write_level(tx, row, component_id, level)

        return self.store.write(work)

    def undo_level(
        self, submission_id: str, *, component_id: str, undoing: str | None, restore: str | None
    ) -> None:
        """Put back the level a change of ours replaced, only while that change is still
        the current value: never over a level someone else has set since."""

        def work(tx: Transaction) -> None:
            row = self._open_for_scoring(tx, submission_id)
            current = tx.levels(row.key()).get(component_id)
            last = tx.last_score_event(submission_id, component_id)
            if current != undoing or last is None or last.assessor != self.assessor:
                who = last.assessor if last is not None else "someone"
                raise ReviewError(
                    f"not undone: {component_id} was changed by {who} since (it is {current or 'unscored'})"
                )
            self._write_level(tx, row, component_id, restore)

        self.store.write(work)

    def set_comment(self, submission_id: str, *, component_id: str, body: str) -> None:
        """Save a comment (on a component, or OVERALL); an empty body removes it."""
        body = check_text_length(body.strip(), "comment")

        def work(tx: Transaction) -> None:
            row = self._open_for_scoring(tx, submission_id)
            key = row.key()
            before = tx.comments(key).get(component_id)
            if (before or "") == body:
                return
            if body:
                tx.put_comment(key, component_id, body=body, assessor=self.assessor)
            else:
                tx.delete_comment(key, component_id)
            tx.start_review(row.id, assessor=self.assessor)
            tx.record_event(
                assessor=self.assessor,
                submission_id=row.id,
                action=Event.COMMENT,
                target=component_id or "overall",
                before=before,
                after=body or None,
            )

        self.store.write(work)

    # -- decisions -----------------------------------------------------------------

    def _computed(
        self, tx: Transaction, row: SubmissionRow, seen: Mapping[str, str] | None
    ) -> tuple[Spec, Outcome]:
        """The award rule applied to the levels as they are now, refusing when they are
        not the levels the assessor was shown (someone changed one meanwhile)."""
        spec = self._spec(tx, row.spec_hash)
        levels = tx.levels(row.key())
        if seen is not None and dict(seen) != levels:
            changed = sorted(
                spec.component(cid).title
                for cid in set(seen) | set(levels)
                if seen.get(cid) != levels.get(cid)
            )
            raise ReviewError(
                "not recorded: the levels changed since this screen was drawn"
                f" ({', '.join(changed)}); look again before deciding"
            )
        return spec, evaluate(spec, levels)

    def _record_decision(
        self,
        tx: Transaction,
        row: SubmissionRow,
        *,
        outcome: str,
        computed: Outcome,
        comment: str,
        status: Status,
        action: Event,
        justification: str = "",
    ) -> None:
        """Write a revision's decision and its event, and free the decider's claim."""
        tx.put_decision(
            NewDecision(
                key=row.key(),
                assessor=self.assessor,
                outcome=outcome,
                computed=computed.status,
                override=action == Event.OVERRIDE,
                justification=justification,
                comment=comment,
                part_outcomes=json.dumps(computed.parts),
                spec_hash=row.spec_hash,
                at=tx.now(),
            )
        )
        tx.set_status(row.id, status=status, assessor=self.assessor)
        tx.record_event(
            assessor=self.assessor,
            submission_id=row.id,
            action=action,
            target=f"revision {row.revision}",
            before=computed.status,
            after=outcome,
        )
        release_own_claim(tx, row.id, self.assessor)  # a decided submission needs no claim

    def decide(
        self,
        submission_id: str,
        *,
        comment: str,
        outcome: str | None = None,
        justification: str = "",
        seen_levels: Mapping[str, str] | None = None,
    ) -> OutcomeName:
        """Record the decision for the current revision; returns the outcome recorded.

        The computed outcome comes from the award rule. Choosing another outcome is an
        override and needs a written justification; Not Yet needs feedback. With
        `seen_levels` (what the decision screen showed), nothing is recorded if a level
        changed since.
        """
        comment = check_text_length(comment.strip(), "comment")
        justification = check_text_length(justification.strip(), "justification")

        def work(tx: Transaction) -> OutcomeName:
            row = self._open_for_scoring(tx, submission_id)
            spec, computed = self._computed(tx, row, seen_levels)
            chosen = OutcomeName(outcome or computed.status)
            if chosen not in DECIDABLE:
                raise ReviewError(f"cannot decide yet: {computed.reason(spec)}")
            override = chosen != computed.status
            if override and not justification:
                raise ReviewError("overriding the computed outcome needs a written justification")
            if chosen == OutcomeName.NOT_YET and not comment:
                raise ReviewError("Not Yet needs an overall comment: the candidate needs feedback")
            self._record_decision(
                tx,
                row,
                outcome=chosen,
                computed=computed,
                comment=comment,
                status=Status.DECIDED,
                action=Event.OVERRIDE if override else Event.DECIDE,
                justification=justification,
            )
            return chosen

        return self.store.write(work)

    def return_submission(
        self, submission_id: str, *, reason: ReturnReason | str, comment: str
    ) -> OutcomeName:
        """Send a submission back without scoring it (identifying information, or
        incomplete). Recorded as this revision's decision so sync exports it."""
        try:
            why = ReturnReason(reason)
        except ValueError:
            raise ReviewError(f"unknown return reason '{reason}'") from None
        comment = check_text_length(comment.strip(), "comment")
        if not comment:
            raise ReviewError("a returned submission needs a comment saying why")

        def work(tx: Transaction) -> OutcomeName:
            row = self._open_for_scoring(tx, submission_id)
            _, computed = self._computed(tx, row, None)
            self._record_decision(
                tx,
                row,
                outcome=why.outcome,
                computed=computed,
                comment=comment,
                status=Status.RETURNED,
                action=Event.RETURN,
            )
            return why.outcome

        return self.store.write(work)

    def reopen(self, submission_id: str) -> int:
        """Start a new revision of a decided submission, carrying its levels forward.

        The old decision, levels and comments stay as they were.
        """

        def work(tx: Transaction) -> int:
            row = self._row(tx, submission_id)
            try:
                hold_claim(tx, submission_id, self.assessor, lease_seconds=self.lease_seconds)
            except ClaimedByOther as error:
                raise ReviewError(f"read-only: {error}") from None
            if Status(row.status).is_open:
                raise ReviewError("only a decided submission can be revised")
            new = tx.start_revision(row, assessor=self.assessor)
            tx.record_event(
                assessor=self.assessor,
                submission_id=row.id,
                action=Event.REVISE,
                before=str(row.revision),
                after=str(new),
            )
            return new

        return self.store.write(work)

    # -- claims --------------------------------------------------------------------

    def claim(self, submission_id: str) -> ClaimRow:
        """Take or renew a claim; raises ClaimedByOther if another assessor holds it."""

        def work(tx: Transaction) -> ClaimRow:
            self._row(tx, submission_id)
            return hold_claim(tx, submission_id, self.assessor, lease_seconds=self.lease_seconds)

        return self.store.write(work)

    def release(self, submission_id: str, *, forced: bool = False) -> Released | None:
        """Give a claim up (only its holder may, unless forced, which is recorded)."""
        return self.store.write(lambda tx: release_claim(tx, submission_id, self.assessor, forced=forced))

    def release_all(self) -> int:
        return self.store.write(lambda tx: release_all_claims(tx, self.assessor))

    # -- drafts and where the assessor was -----------------------------------------

    def save_draft(self, submission_id: str, *, field: str, body: str) -> None:
        """Text being typed: kept until saved or discarded, no audit event, never exported."""
        self.store.write(
            lambda tx: tx.put_draft(
                assessor=self.assessor, submission_id=submission_id, field=field, body=body
            )
        )

    def load_draft(self, submission_id: str, *, field: str) -> str | None:
        return self.store.read(
            lambda tx: tx.draft(assessor=self.assessor, submission_id=submission_id, field=field)
        )

    def drop_draft(self, submission_id: str, *, field: str) -> None:
        self.store.write(
            lambda tx: tx.delete_draft(assessor=self.assessor, submission_id=submission_id, field=field)
        )

    def remember_position(self, submission_id: str | None, component_id: str | None) -> None:
        """Where the assessor is, so reopening the app resumes there."""
        self.store.write(
            lambda tx: tx.put_position(
                assessor=self.assessor, submission_id=submission_id, component_id=component_id
            )
        )

    def last_position(self) -> tuple[str | None, str | None]:
        return self.store.read(lambda tx: tx.position(self.assessor))


__all__ = [
    "OVERALL",
    "MAX_COMMENT_CHARS",
    "ClaimedByOther",
    "ReviewError",
    "ReviewSession",
    "SubmissionKey",
    "SubmissionState",
    "check_assessor_name",
]
