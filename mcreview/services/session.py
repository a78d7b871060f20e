"""A review session: one assessor working on one queue.

Screens and commands change the queue only through a ReviewSession, so a keystroke
is durable (committed with fsync) before the screen shows it, and the CLI and the
tests go through exactly the same code. Every change is one short transaction that
first takes (or renews) the assessor's claim, then checks, writes and records the
event.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mcreview.core.evidence import Evidence
from mcreview.core.programme import Policy
from mcreview.core.scoring import Outcome, evaluate
from mcreview.core.specs import Spec
from mcreview.core.submissions import Attachment
from mcreview.core.versions import rubric_note
from mcreview.core.vocabulary import (
    DECIDABLE,
    MODERATION_READING,
    OVERALL,
    Event,
    Resolution,
    ReturnReason,
    Status,
)
from mcreview.core.vocabulary import Outcome as OutcomeName
from mcreview.services.attachments import intact
from mcreview.services.claims import (
    LEASE_SECONDS,
    ClaimedByOther,
    Released,
    hold_claim,
    release_all_claims,
    release_claim,
    release_own_claim,
)
from mcreview.services.evidence import evidence_of
from mcreview.services.library import SpecLibrary, SpecMissing
from mcreview.services.programme import programme_in
from mcreview.services.readings import finalise, open_reading, resolve, slot_for, visible_reading
from mcreview.store.api import (
    AttachmentContent,
    AttachmentRow,
    ClaimRow,
    DecisionRow,
    EventRow,
    NewSubmission,
    ReadingRow,
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


def calibration_id(row: SubmissionRow, assessor: str, taken: set[str], tx: Transaction) -> str:
    """An id for a calibration copy that looks like any other of its credential: the gold
    id's prefix and year, and a number drawn from the gold id and the assessor."""
    stem = row.id.rsplit("-", 1)[0] if "-" in row.id else row.id
    seed = int(hashlib.sha256(f"{row.id}\x00{assessor}".encode()).hexdigest(), 16)
    for step in range(1000):
        candidate = f"{stem}-{(seed + step) % 9000 + 1000}"
        if candidate not in taken and tx.submission(candidate) is None:
            return candidate
    raise ReviewError(f"no free id for a calibration copy of '{row.id}'")


def check_text_length(text: str, what: str) -> str:
    if len(text) > MAX_COMMENT_CHARS:
        raise ReviewError(
            f"{what} is {len(text):,} characters; the most a {what} may hold is {MAX_COMMENT_CHARS:,}"
        )
    return text


@dataclass(frozen=True)
class PreviousAttempt:
    """What the candidate was told last time: the attempt before the one being scored."""

    attempt: int
    spec: Spec
    responses: dict[str, str]
    levels: dict[str, str]
    comments: dict[str, str]
    decision: DecisionRow | None

    @property
    def overall_comment(self) -> str:
        return self.comments.get(OVERALL, "") or (self.decision.comment if self.decision else "")


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
    carried: dict[str, int] = field(default_factory=dict)  # component -> attempt its level came from
    note: str = ""  # the candidate's resubmission note
    previous: PreviousAttempt | None = None
    reading: int | None = None  # whose levels these are (None: a reading this assessor may not see yet)
    readings: list[ReadingRow] = field(
        default_factory=list
    )  # this revision's readings: who, and whether recorded
    readings_needed: int = 1
    lead: bool = False  # the assessor looking is one of the programme's leads
    sent_back: str = ""  # a lead's note on this assessor's reading, when it was passed back
    evidence: Evidence | None = None  # what was submitted, for the award rule's required evidence
    rubric_note: str | None = None  # set when the pinned rubric is not the credential's current one

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
    def blind(self) -> bool:
        """Another reader's levels exist that this assessor may not see yet."""
        return self.reading is None

    def reading_line(self) -> str:
        """Who has read this revision, without what they found (the blind rule)."""
        if self.readings_needed < 2 and len(self.readings) <= 1:
            return ""
        parts = [
            f"reading {r.reading} {'recorded' if r.recorded else 'open'} ({r.assessor})"
            for r in self.readings
            if r.kind == "reading"
        ]
        return f"{self.readings_needed} readings needed: " + ", ".join(parts or ["none yet"])

    @property
    def outcome(self) -> Outcome:
        """The award rule applied to the levels and to what was submitted."""
        return evaluate(self.spec, self.levels, evidence=self.evidence)

    @property
    def current_decision(self) -> DecisionRow | None:
        for decision in self.decisions:
            if (decision.attempt, decision.revision) == (self.attempt, self.revision):
                return decision
        return None


@dataclass(frozen=True)
class Moderation:
    """Two readings that disagree, side by side, and the lead's final levels so far."""

    row: SubmissionRow
    spec: Spec
    readings: tuple[ReadingRow, ReadingRow]
    levels: tuple[dict[str, str], dict[str, str]]
    comments: tuple[dict[str, str], dict[str, str]]
    final_levels: dict[str, str]
    final_comments: dict[str, str]
    evidence: Evidence | None = None  # what was submitted, for the award rule's required evidence

    def agreed(self, component_id: str) -> bool:
        return self.levels[0].get(component_id) == self.levels[1].get(component_id)

    @property
    def outcome(self) -> Outcome:
        """The award rule applied to the final levels as they stand (what moderate() records
        unless the lead overrides it). Before the lead's first level, the agreed ones."""
        levels = self.final_levels or {
            cid: level for cid, level in self.levels[0].items() if self.levels[1].get(cid) == level
        }
        return evaluate(self.spec, levels, evidence=self.evidence)

    @property
    def id(self) -> str:
        return self.row.id


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

    def load(self, submission_id: str, *, known: SubmissionState | None = None) -> SubmissionState:
        """The submission as the database holds it now. `known`: a state loaded earlier; an
        attempt's responses never change once queued, so its responses are not read again
        while it is the same attempt (a response can be megabytes, read on every key)."""

        def work(tx: Transaction) -> SubmissionState:
            row = self._row(tx, submission_id)
            lead = programme_in(tx).is_lead(self.assessor)
            reading = visible_reading(tx, row, self.assessor, lead=lead)
            key = row.key(reading if reading is not None else 1)
            shown = reading is not None
            same_attempt = known is not None and known.row.id == row.id and known.row.attempt == row.attempt
            responses = known.responses if known is not None and same_attempt else tx.responses(row.id, row.attempt)
            attachments = tx.attachments(row.id, row.attempt)
            readings = tx.readings(row.id, row.attempt, row.revision)
            mine = [r for r in readings if r.assessor == self.assessor and r.kind == "reading"]
            return SubmissionState(
                row=row,
                spec=self._spec(tx, row.spec_hash),
                responses=responses,
                attachments=attachments,
                evidence=evidence_of(responses, attachments),
                levels=tx.levels(key) if shown else {},
                comments=tx.comments(key) if shown else {},
                decisions=tx.decisions(row.id),
                carried=tx.carried(key),
                note=tx.attempt_note(row.id, row.attempt),
                previous=self._previous(
                    tx, row, known.previous.responses if same_attempt and known and known.previous else None
                ),
                rubric_note=self._rubric_note(tx, row),
                reading=reading,
                readings=readings,
                readings_needed=tx.readings_needed(row.id, row.attempt),
                lead=lead,
                sent_back=mine[0].note if mine and not mine[0].recorded else "",
            )

        return self.store.read(work)

    def _rubric_note(self, tx: Transaction, row: SubmissionRow) -> str | None:
        current_hash = tx.current_spec_hash(row.credential)
        if current_hash is None or current_hash == row.spec_hash:
            return None
        pinned = self._spec(tx, row.spec_hash)
        return rubric_note(row.spec_hash, pinned.version, self._spec(tx, current_hash))

    def _previous(
        self, tx: Transaction, row: SubmissionRow, responses: dict[str, str] | None = None
    ) -> PreviousAttempt | None:
        """`responses`: the previous attempt's, already read (they never change)."""
        if row.attempt == 1:
            return None
        attempt = row.attempt - 1
        decision = tx.final_decision(row.id, attempt)
        key = SubmissionKey(
            row.id, attempt, decision.revision if decision else 1, decision.basis_reading if decision else 1
        )
        spec_hash = tx.attempt_spec_hash(row.id, attempt) or row.spec_hash
        return PreviousAttempt(
            attempt=attempt,
            spec=self._spec(tx, spec_hash),
            responses=tx.responses(row.id, attempt) if responses is None else responses,
            levels=tx.levels(key),
            comments=tx.comments(key),
            decision=decision,
        )

    def is_lead(self) -> bool:
        """Whether the programme settings name this assessor as a lead."""
        return self.store.read(lambda tx: programme_in(tx).is_lead(self.assessor))

    def policy(self, credential: str) -> Policy:
        """The programme's policy for a credential (attempt limit, carry-over, readings)."""
        return self.store.read(lambda tx: programme_in(tx).policy(credential))

    def exists(self, submission_id: str) -> bool:
        return self.store.read(lambda tx: tx.submission(submission_id)) is not None

    def prechecks(self, state: SubmissionState) -> list[PreCheck]:
        return self.store.read(lambda tx: tx.prechecks(state.id, state.attempt))

    def history(self, submission_id: str) -> list[EventRow]:
        """The submission's audit trail, as this assessor may see it: while an attempt's
        readings are not all recorded, what another reader did to their reading is left
        out for everyone but the leads (the blind rule); the rest is all there."""

        def work(tx: Transaction) -> list[EventRow]:
            events = tx.events(submission_id)
            row = tx.submission(submission_id)
            if row is None or Status(row.status).is_closed or programme_in(tx).is_lead(self.assessor):
                return events
            mine = {
                r.reading
                for r in tx.readings(row.id, row.attempt, row.revision)
                if r.assessor == self.assessor
            }
            if tx.readings_needed(row.id, row.attempt) < 2:
                return events
            hidden = {
                event_id
                for event_id, attempt, reading in tx.event_readings(submission_id)
                if attempt == row.attempt and reading is not None and reading not in mine
            }
            return [e for e in events if e.id not in hidden]

        return self.store.read(work)

    def attachment_content(
        self, submission_id: str, *, seq: int, attempt: int | None = None
    ) -> AttachmentContent | None:
        """The bytes of one attachment (`seq` as in SubmissionState.attachments; the current
        attempt unless given), as imported; None when they are not in the queue (its
        AttachmentRow.content_state says why)."""

        def work(tx: Transaction) -> AttachmentContent | None:
            row = self._row(tx, submission_id)
            return tx.attachment_content(submission_id, row.attempt if attempt is None else attempt, seq)

        content = self.store.read(work)
        if content is not None and not intact(content):
            raise ReviewError(
                f"attachment {seq} of {submission_id} is damaged: its bytes do not match its hash"
            )
        return content

    # -- scoring -------------------------------------------------------------------

    def _open_for_scoring(self, tx: Transaction, submission_id: str) -> tuple[SubmissionRow, SubmissionKey]:
        """Inside a write transaction: the row and the reading to write to, if this
        assessor may.

        A write takes (or renews) the writer's claim on their reading in the same
        transaction, so a reading always has one scorer and nobody writes without
        holding the claim.
        """
        row = self._row(tx, submission_id)
        self._refuse_if_routed_elsewhere(row)
        slot = slot_for(tx, row, self.assessor)
        if slot.reason is not None or slot.reading is None:
            raise ReviewError(slot.reason or "read-only")
        try:
            hold_claim(
                tx, submission_id, self.assessor, reading=slot.reading, lease_seconds=self.lease_seconds
            )
        except ClaimedByOther as error:
            raise ReviewError(f"read-only: {error}") from None
        return row, open_reading(tx, row, slot, self.assessor)

    def _refuse_if_routed_elsewhere(self, row: SubmissionRow) -> None:
        """A resubmission kept for the previous attempt's assessor is theirs while it is open."""
        if row.routed_to and row.routed_to != self.assessor and Status(row.status).is_open:
            raise ReviewError(
                f"read-only: routed to {row.routed_to}, who assessed attempt {row.attempt - 1}"
                " (a lead can send it to the open queue: mcreview route ID --open)"
            )

    def _write_level(
        self, tx: Transaction, row: SubmissionRow, key: SubmissionKey, component_id: str, level: str | None
    ) -> str | None:
        spec = self._spec(tx, row.spec_hash)
        try:
            component = spec.component(component_id)
        except KeyError:
            raise ReviewError(f"'{component_id}' is not a component of {spec.title}") from None
        carried = tx.carried(key)
        if component_id in carried:
            raise ReviewError(
                f"{component.title} passed on attempt {carried[component_id]} and is carried over,"
                " not rescored (programme setting 'carry_over')"
            )
        if level is not None and (component.scale is None or level not in component.scale.levels):
            raise ReviewError(f"'{level}' is not a level of {component.title}")
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
        tx.start_review(row.id, assessor=self.assessor)
        tx.record_event(
            assessor=self.assessor,
            submission_id=row.id,
            attempt=row.attempt,
            reading=key.reading,
            action=Event.SCORE,
            target=component_id,
            before=before,
            after=level,
        )
        return before

    def set_level(self, submission_id: str, *, component_id: str, level: str | None) -> str | None:
        """Record (or with None, clear) a component's level; returns the level it replaced."""

        def work(tx: Transaction) -> str | None:
            row, key = self._open_for_scoring(tx, submission_id)
            return self._write_level(tx, row, key, component_id, level)

        return self.store.write(work)

    def undo_level(
        self, submission_id: str, *, component_id: str, undoing: str | None, restore: str | None
    ) -> None:
        """Put back the level a change of ours replaced, only while that change is still
        the current value: never over a level someone else has set since."""

        def work(tx: Transaction) -> None:
            row, key = self._open_for_scoring(tx, submission_id)
            current = tx.levels(key).get(component_id)
            last = tx.last_score_event(key, component_id)
            if current != undoing or last is None or last.assessor != self.assessor:
                who = last.assessor if last is not None else "someone"
                raise ReviewError(
                    f"not undone: {component_id} was changed by {who} since (it is {current or 'unscored'})"
                )
            self._write_level(tx, row, key, component_id, restore)

        self.store.write(work)

    def set_comment(self, submission_id: str, *, component_id: str, body: str) -> None:
        """Save a comment (on a component, or OVERALL); an empty body removes it."""
        body = check_text_length(body.strip(), "comment")

        def work(tx: Transaction) -> None:
            row, key = self._open_for_scoring(tx, submission_id)
            if component_id != OVERALL:
                spec = self._spec(tx, row.spec_hash)
                if component_id not in {c.id for c in spec.components}:
                    raise ReviewError(f"'{component_id}' is not a component of {spec.title}")
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
                attempt=row.attempt,
                reading=key.reading,
                action=Event.COMMENT,
                target=component_id or "overall",
                before=before,
                after=body or None,
            )

        self.store.write(work)

    # -- decisions -----------------------------------------------------------------

    def _computed(
        self, tx: Transaction, row: SubmissionRow, key: SubmissionKey, seen: Mapping[str, str] | None
    ) -> tuple[Spec, Outcome]:
        """The award rule applied to a reading's levels as they are now, refusing when they
        are not the levels the assessor was shown (someone changed one meanwhile)."""
        spec = self._spec(tx, row.spec_hash)
        levels = tx.levels(key)
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
        evidence = evidence_of(tx.responses(row.id, row.attempt), tx.attachments(row.id, row.attempt))
        return spec, evaluate(spec, levels, evidence=evidence)

    def _record_reading(
        self,
        tx: Transaction,
        row: SubmissionRow,
        key: SubmissionKey,
        *,
        outcome: str,
        computed: Outcome,
        comment: str,
        justification: str = "",
    ) -> Status:
        """Record this assessor's reading, then let the readings decide: final at once for a
        single reading (as it always was), or waiting for a second reading or a lead."""
        tx.record_reading(
            key,
            outcome=outcome,
            computed=computed.status,
            override=outcome not in (computed.status,) and not outcome.startswith("returned"),
            justification=justification,
            comment=comment,
            part_outcomes=json.dumps(computed.parts),
        )
        status = resolve(tx, row, programme_in(tx).policy(row.credential), assessor=self.assessor)
        if not status.is_closed:  # not final yet: the reading itself is the event
            tx.record_event(
                assessor=self.assessor,
                submission_id=row.id,
                attempt=row.attempt,
                reading=key.reading,
                action=Event.READING,
                target=f"revision {row.revision}",
                before=computed.status,
                after=outcome,
            )
            release_own_claim(tx, row.id, self.assessor)
        return status

    def decide(
        self,
        submission_id: str,
        *,
        comment: str,
        outcome: str | None = None,
        justification: str = "",
        seen_levels: Mapping[str, str] | None = None,
    ) -> OutcomeName:
        """Record this assessor's outcome for the current revision; returns it.

        With one reading that is the decision; with two it is final once both are
        recorded and agree (see mcreview.services.readings). The computed outcome comes
        from the award rule. Choosing another outcome is an override and needs a written
        justification; Not Yet needs feedback. With `seen_levels` (what the decision
        screen showed), nothing is recorded if a level changed since.
        """
        comment = check_text_length(comment.strip(), "comment")
        justification = check_text_length(justification.strip(), "justification")

        def work(tx: Transaction) -> OutcomeName:
            row, key = self._open_for_scoring(tx, submission_id)
            spec, computed = self._computed(tx, row, key, seen_levels)
            chosen = OutcomeName(outcome or computed.status)
            if chosen not in DECIDABLE:
                raise ReviewError(f"cannot decide yet: {computed.reason(spec)}")
            override = chosen != computed.status
            if override and not justification:
                raise ReviewError("overriding the computed outcome needs a written justification")
            if chosen == OutcomeName.NOT_YET and not comment:
                raise ReviewError("Not Yet needs an overall comment: the candidate needs feedback")
            self._record_reading(
                tx, row, key, outcome=chosen, computed=computed, comment=comment, justification=justification
            )
            return chosen

        return self.store.write(work)

    def return_submission(
        self, submission_id: str, *, reason: ReturnReason | str, comment: str
    ) -> OutcomeName:
        """Send a submission back without scoring it (identifying information, or
        incomplete). Recorded as this reading's outcome, and so the revision's decision
        (sync exports it) once the readings are done."""
        try:
            why = ReturnReason(reason)
        except ValueError:
            raise ReviewError(f"unknown return reason '{reason}'") from None
        comment = check_text_length(comment.strip(), "comment")
        if not comment:
            raise ReviewError("a returned submission needs a comment saying why")

        def work(tx: Transaction) -> OutcomeName:
            row, key = self._open_for_scoring(tx, submission_id)
            _, computed = self._computed(tx, row, key, None)
            self._record_reading(tx, row, key, outcome=why.outcome, computed=computed, comment=comment)
            return why.outcome

        return self.store.write(work)

    # -- leads: moderation, approval, passing back ----------------------------------------

    def _as_lead(self, tx: Transaction, submission_id: str, *, waiting: Status) -> SubmissionRow:
        row = self._row(tx, submission_id)
        programme = programme_in(tx)
        if not programme.leads:
            raise ReviewError("no leads are named in the programme settings ('leads'): nobody can moderate")
        if not programme.is_lead(self.assessor):
            raise ReviewError(f"only a lead ({', '.join(programme.leads)}) may do this")
        if Status(row.status) is not waiting:
            raise ReviewError(
                f"'{submission_id}' is {Status(row.status).label}, not waiting for {waiting.label}"
            )
        return row

    def moderation(self, submission_id: str) -> Moderation:
        """Both readings of a disagreement, side by side, for a lead (nobody else may see them)."""

        def work(tx: Transaction) -> Moderation:
            row = self._as_lead(tx, submission_id, waiting=Status.MODERATION)
            readings = tx.readings(row.id, row.attempt, row.revision)
            first, second = [r for r in readings if r.kind == "reading" and r.recorded][:2]
            final = next((r for r in readings if r.kind == "moderation"), None)
            key = row.key(MODERATION_READING)
            return Moderation(
                row=row,
                spec=self._spec(tx, row.spec_hash),
                readings=(first, second),
                levels=(tx.levels(first.key), tx.levels(second.key)),
                comments=(tx.comments(first.key), tx.comments(second.key)),
                final_levels=tx.levels(key) if final else {},
                final_comments=tx.comments(key) if final else {},
                evidence=evidence_of(tx.responses(row.id, row.attempt), tx.attachments(row.id, row.attempt)),
            )

        return self.store.read(work)

    def _moderation_key(self, tx: Transaction, row: SubmissionRow) -> SubmissionKey:
        """The lead's own reading (number 0): started with the levels both readings share."""
        key = row.key(MODERATION_READING)
        try:
            hold_claim(
                tx, row.id, self.assessor, reading=MODERATION_READING, lease_seconds=self.lease_seconds
            )
        except ClaimedByOther as error:
            raise ReviewError(f"read-only: {error}") from None
        if not any(r.kind == "moderation" for r in tx.readings(row.id, row.attempt, row.revision)):
            tx.add_reading(key, assessor=self.assessor, kind="moderation")
            readers = [r for r in tx.readings(row.id, row.attempt, row.revision) if r.kind == "reading"]
            first, second = (tx.levels(r.key) for r in readers[:2])
            spec = self._spec(tx, row.spec_hash)
            for component_id, level in first.items():
                if second.get(component_id) == level:
                    component = spec.component(component_id)
                    tx.put_level(
                        key,
                        component_id,
                        level=level,
                        passing=component.is_passing(level),
                        spec_hash=row.spec_hash,
                        assessor=self.assessor,
                    )
        else:
            tx.hand_over_reading(key, assessor=self.assessor)
        return key

    def set_final_level(self, submission_id: str, *, component_id: str, level: str | None) -> str | None:
        """A lead sets a final level while moderating (each key durable, like a reader's)."""

        def work(tx: Transaction) -> str | None:
            row = self._as_lead(tx, submission_id, waiting=Status.MODERATION)
            key = self._moderation_key(tx, row)
            return self._write_level(tx, row, key, component_id, level)

        return self.store.write(work)

    def set_final_comment(self, submission_id: str, *, component_id: str, body: str) -> None:
        body = check_text_length(body.strip(), "comment")

        def work(tx: Transaction) -> None:
            row = self._as_lead(tx, submission_id, waiting=Status.MODERATION)
            key = self._moderation_key(tx, row)
            if body:
                tx.put_comment(key, component_id, body=body, assessor=self.assessor)
            else:
                tx.delete_comment(key, component_id)
            tx.record_event(
                assessor=self.assessor,
                submission_id=row.id,
                attempt=row.attempt,
                reading=MODERATION_READING,
                action=Event.COMMENT,
                target=component_id or "overall",
                after=body or None,
            )

        self.store.write(work)

    def moderate(
        self, submission_id: str, *, reason: str, comment: str, outcome: str | None = None
    ) -> OutcomeName:
        """A lead's final word on two readings that disagreed: the final levels (set with
        set_final_level), the outcome (the award rule's, or an override), the feedback,
        and the reason, all recorded; the readings stay as they were."""
        reason = check_text_length(reason.strip(), "reason")
        comment = check_text_length(comment.strip(), "comment")
        if not reason:
            raise ReviewError("moderating needs a written reason: why this outcome")

        def work(tx: Transaction) -> OutcomeName:
            row = self._as_lead(tx, submission_id, waiting=Status.MODERATION)
            key = self._moderation_key(tx, row)
            spec, computed = self._computed(tx, row, key, None)
            chosen = OutcomeName(outcome or computed.status)
            if chosen not in DECIDABLE:
                raise ReviewError(f"cannot decide yet: {computed.reason(spec)}")
            if chosen == OutcomeName.NOT_YET and not comment:
                raise ReviewError("Not Yet needs an overall comment: the candidate needs feedback")
            tx.record_reading(
                key,
                outcome=chosen,
                computed=computed.status,
                override=chosen != computed.status,
                justification=reason,
                comment=comment,
                part_outcomes=json.dumps(computed.parts),
            )
            readings = tx.readings(row.id, row.attempt, row.revision)
            basis = next(r for r in readings if r.kind == "moderation")
            readers = tuple(r.assessor for r in readings if r.kind == "reading")
            finalise(
                tx,
                row,
                basis,
                resolution=Resolution.MODERATED,
                decided_by=self.assessor,
                readers=readers,
                event=Event.MODERATE,
            )
            return chosen

        return self.store.write(work)

    def approve(self, submission_id: str) -> OutcomeName:
        """The grantor model: a lead makes a single reading final, as recorded."""

        def work(tx: Transaction) -> OutcomeName:
            row = self._as_lead(tx, submission_id, waiting=Status.APPROVAL)
            reading = next(r for r in tx.readings(row.id, row.attempt, row.revision) if r.recorded)
            finalise(
                tx,
                row,
                reading,
                resolution=Resolution.APPROVED,
                decided_by=reading.assessor,
                readers=(reading.assessor,),
                approved_by=self.assessor,
                event=Event.APPROVE,
            )
            return OutcomeName(reading.outcome or "")

        return self.store.write(work)

    def send_back(self, submission_id: str, *, reader: str, note: str) -> None:
        """A lead passes a recorded reading back to its reader, with a note saying what to
        look at again (from moderation or approval); the reader changes it and records again."""
        note = check_text_length(note.strip(), "note")
        if not note:
            raise ReviewError("passing a reading back needs a note for the reader")

        def work(tx: Transaction) -> None:
            row = self._row(tx, submission_id)
            waiting = Status(row.status)
            if not waiting.with_lead:
                raise ReviewError(f"'{submission_id}' is {waiting.label}: there is nothing to pass back")
            self._as_lead(tx, submission_id, waiting=waiting)
            readings = [r for r in tx.readings(row.id, row.attempt, row.revision) if r.kind == "reading"]
            chosen = [r for r in readings if r.assessor == reader]
            if not chosen:
                names = ", ".join(r.assessor for r in readings)
                raise ReviewError(f"{reader} has no reading of this attempt (readers: {names})")
            tx.reopen_reading(chosen[0].key, note=note)
            recorded = sum(1 for r in readings if r.recorded and r.assessor != reader)
            tx.set_status(
                row.id, status=Status.SECOND_READING if recorded else Status.IN_REVIEW, assessor=self.assessor
            )
            tx.delete_claim(row.id, reading=MODERATION_READING)
            tx.record_event(
                assessor=self.assessor,
                submission_id=row.id,
                attempt=row.attempt,
                reading=chosen[0].reading,
                action=Event.SEND_BACK,
                target=reader,
                after=note,
            )

        self.store.write(work)

    def reopen(self, submission_id: str) -> int:
        """Start a new revision of a decided submission, carrying its levels forward.

        The old decision, levels and comments stay as they were.
        """

        def work(tx: Transaction) -> int:
            row = self._row(tx, submission_id)
            if not Status(row.status).is_closed:
                raise ReviewError("only a decided submission can be revised")
            try:
                hold_claim(tx, submission_id, self.assessor, lease_seconds=self.lease_seconds)
            except ClaimedByOther as error:
                raise ReviewError(f"read-only: {error}") from None
            decision = tx.final_decision(row.id, row.attempt)
            basis = decision.basis_reading if decision is not None else 1
            new = tx.start_revision(row, assessor=self.assessor, basis_reading=basis)
            tx.record_event(
                assessor=self.assessor,
                submission_id=row.id,
                attempt=row.attempt,
                action=Event.REVISE,
                target=row.status,  # what it was, so a revision nobody changed can be taken back
                before=str(row.revision),
                after=str(new),
            )
            return new

        return self.store.write(work)

    def _unchanged_revision(self, tx: Transaction, row: SubmissionRow) -> bool:
        """The open revision holds exactly the levels and comments it started from."""
        if row.revision < 2 or Status(row.status) is not Status.IN_REVIEW:
            return False
        readings = tx.readings(row.id, row.attempt, row.revision)
        if len(readings) != 1 or readings[0].recorded:
            return False
        earlier = [d for d in tx.decisions(row.id) if (d.attempt, d.revision) == (row.attempt, row.revision - 1)]
        if not earlier:
            return False
        before = SubmissionKey(row.id, row.attempt, row.revision - 1, earlier[0].basis_reading)
        now = readings[0].key
        return tx.levels(now) == tx.levels(before) and tx.comments(now) == tx.comments(before)

    def revision_unchanged(self, submission_id: str) -> bool:
        """Whether the current revision could be cancelled: open, and nothing changed in it."""
        return self.store.read(lambda tx: self._unchanged_revision(tx, self._row(tx, submission_id)))

    def cancel_revision(self, submission_id: str) -> int:
        """Take back a revision in which nothing was changed: the submission is decided (or
        synced, or returned) again at the revision before, as it was. Returns that revision."""

        def work(tx: Transaction) -> int:
            row = self._row(tx, submission_id)
            if not self._unchanged_revision(tx, row):
                raise ReviewError(
                    "only an open revision with no change in it can be cancelled"
                    " (decide it, or put its levels and comments back as they were)"
                )
            revised = [e for e in tx.events(row.id) if e.action == Event.REVISE and e.after == str(row.revision)]
            target = revised[-1].target if revised else ""
            status = Status(target) if target in {s.value for s in Status} else Status.DECIDED
            if not status.is_closed:
                status = Status.DECIDED
            previous = tx.cancel_revision(row, status=status)
            tx.delete_claim(row.id, assessor=self.assessor)
            tx.record_event(
                assessor=self.assessor,
                submission_id=row.id,
                attempt=row.attempt,
                action=Event.REVISE_CANCEL,
                target=status.value,
                before=str(row.revision),
                after=str(previous),
            )
            return previous

        return self.store.write(work)

    def leave(self, submission_id: str) -> None:
        """The assessor leaves a submission: their claim goes, and if their reading holds no
        level or comment of their own (opened, or scored and every change taken back), it
        goes too, so the submission is not left "in review" under their name."""

        def work(tx: Transaction) -> None:
            row = self._row(tx, submission_id)
            readings = tx.readings(row.id, row.attempt, row.revision)
            mine = [r for r in readings if r.assessor == self.assessor and r.kind == "reading"]
            if row.revision == 1 and mine and not mine[0].recorded and not mine[0].note:
                key = mine[0].key
                carried = tx.carried(key)
                own_levels = [c for c in tx.levels(key) if c not in carried]
                if not own_levels and not tx.comments(key):
                    tx.delete_reading(key)
                    if len(readings) == 1 and not any(r.recorded for r in readings):
                        tx.reset_to_pending(row.id)
            with contextlib.suppress(ClaimedByOther):
                release_claim(tx, submission_id, self.assessor)

        self.store.write(work)

    def route(self, submission_id: str, *, to: str | None) -> str | None:
        """Send an open resubmission to an assessor, or (to=None) to the open queue; returns
        where it was routed before. Once the programme names leads, only a lead may."""

        def work(tx: Transaction) -> str | None:
            row = self._row(tx, submission_id)
            programme = programme_in(tx)
            if programme.leads and not programme.is_lead(self.assessor):
                raise ReviewError(f"only a lead ({', '.join(programme.leads)}) may route submissions")
            if Status(row.status).is_closed:
                status = Status(row.status).label
                raise ReviewError(f"'{submission_id}' is {status}: there is nothing to route")
            tx.set_route(row.id, to)
            tx.record_event(
                assessor=self.assessor,
                submission_id=row.id,
                attempt=row.attempt,
                action=Event.ROUTE,
                before=row.routed_to,
                after=to,
            )
            return row.routed_to

        return self.store.write(work)

    # -- gold submissions and calibration ------------------------------------------------

    def _lead_row(self, tx: Transaction, submission_id: str) -> SubmissionRow:
        row = self._row(tx, submission_id)
        programme = programme_in(tx)
        if not programme.is_lead(self.assessor):
            names = ", ".join(programme.leads) or "none are named in the programme settings"
            raise ReviewError(f"only a lead ({names}) may do this")
        return row

    def mark_gold(self, submission_id: str) -> None:
        """A lead marks a decided submission as gold: its final levels become the true
        score assessors are calibrated against."""

        def work(tx: Transaction) -> None:
            row = self._lead_row(tx, submission_id)
            decision = tx.final_decision(row.id, row.attempt)
            if (
                decision is None
                or not Status(row.status).is_closed
                or decision.outcome.startswith("returned")
            ):
                raise ReviewError(f"'{submission_id}' has no final levels to be gold: decide it first")
            if tx.calibration_of(row.id) is not None:
                raise ReviewError(f"'{submission_id}' is a calibration copy, not a candidate's submission")
            tx.mark_gold(row.id, row.attempt, decision.revision, marked_by=self.assessor)
            tx.record_event(
                assessor=self.assessor,
                submission_id=row.id,
                attempt=row.attempt,
                action=Event.GOLD,
                target=f"revision {decision.revision}",
            )

        self.store.write(work)

    def seed_calibration(self, gold_id: str, *, assessors: Sequence[str]) -> list[str]:
        """A lead puts an unmarked copy of a gold submission in each assessor's queue (kept
        for them, scored like any other, never exported); returns the copies' ids."""

        def work(tx: Transaction) -> list[str]:
            row = self._lead_row(tx, gold_id)
            if not any(g[0] == gold_id for g in tx.gold()):
                raise ReviewError(f"'{gold_id}' is not gold: mark it first (mcreview calibration gold ID)")
            made = []
            for assessor in assessors:
                copy_id = calibration_id(
                    row, assessor, {sid for sid, _ in tx.calibration_copies(gold_id)}, tx
                )
                responses = tx.responses(row.id, row.attempt)
                attachments = tx.attachments(row.id, row.attempt)
                found = tx.prechecks(row.id, row.attempt)
                tx.add_submission(
                    NewSubmission(
                        id=copy_id,
                        credential=row.credential,
                        candidate=f"C-{int(hashlib.sha256(copy_id.encode()).hexdigest()[:8], 16) % 90000 + 10000}",
                        submitted=tx.now()[:10],
                        content_hash=hashlib.sha256(f"{gold_id}:{copy_id}".encode()).hexdigest()[:16],
                        source="",  # unmarked: the link to the gold is calibration_of, and an event on the gold
                        spec_hash=row.spec_hash,
                        responses=responses,
                        attachments=tuple(
                            Attachment(a.component_id, a.path, a.url, a.description) for a in attachments
                        ),
                        flags=row.flags,
                        prechecks=tuple((c.component_id, c.kind, c.detail, c.start, c.end) for c in found),
                        calibration_of=gold_id,
                        routed_to=assessor,
                    ),
                    importer=self.assessor,
                )
                tx.record_event(  # on the gold submission: the copy itself carries no mark
                    assessor=self.assessor,
                    submission_id=gold_id,
                    attempt=row.attempt,
                    action=Event.CALIBRATION,
                    target=copy_id,
                    after=assessor,
                )
                made.append(copy_id)
            return made

        return self.store.write(work)

    # -- claims --------------------------------------------------------------------

    def claim(self, submission_id: str) -> ClaimRow:
        """Take or renew a claim; raises ClaimedByOther if another assessor holds it."""

        def work(tx: Transaction) -> ClaimRow:
            row = self._row(tx, submission_id)
            self._refuse_if_routed_elsewhere(row)
            if Status(row.status).is_closed:  # claimed to revise it: a revision has one reading
                return hold_claim(tx, submission_id, self.assessor, lease_seconds=self.lease_seconds)
            slot = slot_for(tx, row, self.assessor)
            if slot.holder is not None:
                raise ClaimedByOther(slot.holder)
            if slot.reading is None or slot.reason is not None:
                raise ReviewError(slot.reason or "read-only")
            return hold_claim(
                tx, submission_id, self.assessor, reading=slot.reading, lease_seconds=self.lease_seconds
            )

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

    def unsaved_comments(self, state: SubmissionState) -> list[str]:
        """The comments (component ids, OVERALL) with a draft that differs from the saved text:
        what Escape left unsaved in the editor, for the decision screen to point out."""
        drafts = self.store.read(lambda tx: tx.drafts(assessor=self.assessor, submission_id=state.id))
        fields = [(OVERALL, "overall")] + [(c.id, c.id) for c in state.spec.components]
        return [
            cid
            for cid, field in fields
            if field in drafts and drafts[field].strip() != state.comments.get(cid, "").strip()
        ]

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
