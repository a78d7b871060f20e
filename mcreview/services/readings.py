"""Readings: how an attempt's independent readings become one final decision.

The programme says how many readings an attempt needs (one; two; two for a drawn
sample; two when the first says Not Yet). Each reader scores their own reading and
records an outcome. With one reading, that is the decision (or, in the grantor model,
a lead approves it first). With two, they are compared once both are recorded: when
they agree (on the outcome, or on every level if the programme asks) the outcome is
final; when they disagree, a lead moderates. A second reader never sees the first
reading's levels, comments or outcome until both are recorded (blind).

Everything here runs inside the caller's transaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from mcreview.core.programme import Policy
from mcreview.core.vocabulary import (
    MODERATION_READING,
    Event,
    Outcome,
    ReadingKind,
    Resolution,
    Status,
)
from mcreview.services.claims import ClaimedByOther, live_claims, release_own_claim
from mcreview.store.api import ClaimRow, NewDecision, ReadingRow, SubmissionKey, SubmissionRow
from mcreview.store.transaction import Transaction


def readings_to_draw(policy: Policy, submission_id: str, attempt: int) -> int:
    """How many readings a newly queued attempt needs. A sample is drawn from the
    submission's identity, so the same queue draws the same sample however often it is
    rebuilt."""
    if policy.readings == "two":
        return 2
    if policy.readings == "sample":
        digest = hashlib.sha256(f"{submission_id}\x00{attempt}".encode()).digest()
        return 2 if int.from_bytes(digest[:4], "big") % 100 < policy.sample_percent else 1
    return 1  # one; when-not-yet starts with one and asks for a second on Not Yet


def independent(readings: list[ReadingRow]) -> list[ReadingRow]:
    return [r for r in readings if r.kind == ReadingKind.READING]


@dataclass(frozen=True)
class Slot:
    """The reading an assessor would work on, or why they cannot."""

    reading: int | None
    exists: bool = False  # a readings row is there already (theirs, or one to carry on)
    reason: str | None = None  # why it is read-only for them
    holder: ClaimRow | None = None  # when another assessor's live claim is why


def slot_for(tx: Transaction, row: SubmissionRow, assessor: str) -> Slot:
    """Which reading of the current attempt this assessor scores: their own; a new one
    while the attempt needs more; an open one whose reader's lease ran out (a hand-over).
    Otherwise none, and why."""
    status = Status(row.status)
    if status.is_closed:
        return Slot(None, reason="this revision is decided: press r to revise it")
    if status.with_lead:
        return Slot(None, reason=f"waiting for a lead ({status.label})")
    readings = independent(tx.readings(row.id, row.attempt, row.revision))
    mine = [r for r in readings if r.assessor == assessor]
    if mine:
        if mine[0].recorded:
            return Slot(mine[0].reading, True, "you have recorded your reading; it waits for a second reader")
        return Slot(mine[0].reading, True)
    needed = tx.readings_needed(row.id, row.attempt)
    # A slot is taken by a reading, or by a live claim whose reader has not written yet.
    claimed = {c.reading: c for c in live_claims(tx, row.id) if c.reading != MODERATION_READING}
    for number, claim in claimed.items():
        if claim.assessor == assessor and number not in {r.reading for r in readings}:
            return Slot(number)  # claimed, nothing written yet
    taken = {r.reading for r in readings} | set(claimed)
    if len(taken) < needed:
        return Slot(next(n for n in range(1, needed + 1) if n not in taken))
    holder: ClaimRow | None = None
    for reading in readings:
        if reading.recorded:
            continue
        held = claimed.get(reading.reading)
        if held is None or held.assessor == assessor:
            return Slot(reading.reading, True)  # carry on a reading whose reader left
        holder = holder or held
    for number, held in claimed.items():  # a slot claimed by someone who has written nothing yet
        if number not in {r.reading for r in readings}:
            holder = holder or held
    if holder is not None:
        return Slot(None, reason=f"read-only: {ClaimedByOther(holder)}", holder=holder)
    return Slot(None, reason="read-only: every reading this attempt needs is taken")


def open_reading(tx: Transaction, row: SubmissionRow, slot: Slot, assessor: str) -> SubmissionKey:
    """Start the slot's reading, or carry on the one there (recorded as a hand-over)."""
    assert slot.reading is not None
    key = row.key(slot.reading)
    existing = {r.reading: r for r in tx.readings(row.id, row.attempt, row.revision)}.get(slot.reading)
    if existing is None:
        tx.add_reading(key, assessor=assessor, kind=ReadingKind.READING)
    elif existing.assessor != assessor:
        tx.hand_over_reading(key, assessor=assessor)
    return key


def visible_reading(tx: Transaction, row: SubmissionRow, assessor: str, *, lead: bool) -> int | None:
    """Whose levels this assessor may see of the current revision: the final ones once
    decided; their own reading; the only reading when one is all it needs; nothing of a
    reading they may not see yet (blind second reading). Leads see reading 1 while
    moderating (the moderation view shows both)."""
    status = Status(row.status)
    if status.is_closed:
        decision = tx.final_decision(row.id, row.attempt)
        return decision.basis_reading if decision and decision.revision == row.revision else 1
    readings = independent(tx.readings(row.id, row.attempt, row.revision))
    for reading in readings:
        if reading.assessor == assessor:
            return reading.reading
    if lead and status.with_lead:
        return readings[0].reading if readings else 1
    if tx.readings_needed(row.id, row.attempt) == 1:
        return readings[0].reading if readings else 1
    return None


def _agree(tx: Transaction, first: ReadingRow, second: ReadingRow, policy: Policy) -> bool:
    if first.outcome != second.outcome:
        return False
    return policy.agreement == "outcome" or tx.levels(first.key) == tx.levels(second.key)


def finalise(
    tx: Transaction,
    row: SubmissionRow,
    basis: ReadingRow,
    *,
    resolution: Resolution,
    decided_by: str,
    readers: tuple[str, ...],
    approved_by: str | None = None,
    event: Event | None = None,
) -> Status:
    """Record the final decision from a reading (its outcome, levels and comments)."""
    outcome = basis.outcome or ""
    returned = outcome.startswith("returned")
    tx.put_decision(
        NewDecision(
            key=basis.key,
            assessor=decided_by,
            outcome=outcome,
            computed=basis.computed or "",
            override=basis.override,
            justification=basis.justification,
            comment=basis.comment,
            part_outcomes=basis.part_outcomes,
            spec_hash=row.spec_hash,
            at=tx.now(),
            resolution=resolution,
            readers=readers,
            approved_by=approved_by,
        )
    )
    status = Status.RETURNED if returned else Status.DECIDED
    tx.set_status(row.id, status=status, assessor=decided_by)
    if event is None:
        event = Event.RETURN if returned else (Event.OVERRIDE if basis.override else Event.DECIDE)
    tx.record_event(
        assessor=decided_by,
        submission_id=row.id,
        attempt=row.attempt,
        reading=basis.reading,
        action=event,
        target=f"revision {row.revision}",
        before=basis.computed,
        after=outcome,
    )
    for reader in {decided_by, *readers}:
        release_own_claim(tx, row.id, reader)  # a decided submission needs no claims
    return status


def resolve(tx: Transaction, row: SubmissionRow, policy: Policy, *, assessor: str) -> Status:
    """After a reading is recorded: final, waiting for a second reading, or for a lead."""
    readings = independent(tx.readings(row.id, row.attempt, row.revision))
    recorded = [r for r in readings if r.recorded]
    needed = tx.readings_needed(row.id, row.attempt)
    calibration = tx.calibration_of(row.id) is not None
    if (
        policy.readings == "when-not-yet"
        and needed == 1
        and len(recorded) == 1
        and recorded[0].outcome == Outcome.NOT_YET
        and row.revision == 1
        and not calibration
    ):
        needed = 2
        tx.set_readings_needed(row.id, row.attempt, 2)
    if len(recorded) < needed:
        status = Status.SECOND_READING if len(recorded) == 1 else Status.IN_REVIEW
        tx.set_status(row.id, status=status, assessor=assessor)
        return status
    if needed == 1:
        if policy.approval and not calibration:
            tx.set_status(row.id, status=Status.APPROVAL, assessor=assessor)
            return Status.APPROVAL
        return finalise(
            tx,
            row,
            recorded[0],
            resolution=Resolution.SINGLE,
            decided_by=assessor,
            readers=(recorded[0].assessor,),
        )
    first, second = recorded[0], recorded[1]
    if _agree(tx, first, second, policy):
        return finalise(
            tx,
            row,
            first,
            resolution=Resolution.AGREED,
            decided_by=assessor,
            readers=(first.assessor, second.assessor),
        )
    tx.set_status(row.id, status=Status.MODERATION, assessor=assessor)
    return Status.MODERATION


def reading_event_detail(reading: ReadingRow) -> str:
    return json.dumps({"reading": reading.reading, "outcome": reading.outcome})


MODERATION = MODERATION_READING
