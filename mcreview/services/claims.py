"""Claims: one assessor scores a submission at a time, on a lease that expires.

A claim is a row with an expiry time. Opening a submission claims it (or renews
the assessor's own claim); every scoring write re-checks the claim inside its
own transaction, so two assessors can never both score or decide one revision.
A lease nobody renews (a closed laptop, a dropped SSH link) simply runs out.
Whether a lease is live is decided by the database's clock (tx.now()), never by
the clock of the process asking, so a process whose clock runs ahead cannot take
over a live claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mcreview.core.vocabulary import Event
from mcreview.store.api import ClaimRow
from mcreview.store.transaction import Transaction

LEASE_SECONDS = 15 * 60


class ClaimedByOther(Exception):
    def __init__(self, claim: ClaimRow) -> None:
        super().__init__(f"claimed by {claim.assessor} since {claim.claimed_at[:16].replace('T', ' ')} UTC")
        self.claim = claim


def later(at: str, seconds: float) -> str:
    """A stored time plus some seconds, in the same text form (the arithmetic is ours, the
    starting time is the database's)."""
    moment = datetime.fromisoformat(at) + timedelta(seconds=seconds)
    return moment.isoformat(timespec="microseconds")


def live_claim(tx: Transaction, submission_id: str) -> ClaimRow | None:
    """The live claim on a submission, if any (an expired one is no claim)."""
    claim = tx.claim(submission_id)
    return claim if claim is not None and claim.live_at(tx.now()) else None


def hold_claim(
    tx: Transaction, submission_id: str, assessor: str, *, lease_seconds: float = LEASE_SECONDS
) -> ClaimRow:
    """Inside a write transaction: take or renew the assessor's claim, or raise
    ClaimedByOther. Scoring writes call this too, so nobody writes unclaimed."""
    existing = live_claim(tx, submission_id)
    if existing is not None and existing.assessor != assessor:
        raise ClaimedByOther(existing)
    now = tx.now()
    claim = ClaimRow(
        submission_id, assessor, existing.claimed_at if existing else now, later(now, lease_seconds)
    )
    tx.put_claim(claim)
    if existing is None:
        tx.record_event(
            assessor=assessor, submission_id=submission_id, action=Event.CLAIM, after=claim.expires_at
        )
    return claim


def release_own_claim(tx: Transaction, submission_id: str, assessor: str) -> None:
    """Inside a write transaction: drop the assessor's own claim, recorded."""
    if tx.delete_claim(submission_id, assessor=assessor):
        tx.record_event(assessor=assessor, submission_id=submission_id, action=Event.RELEASE, before=assessor)


@dataclass(frozen=True)
class Released:
    """A claim given up, and whether its lease was still live when it was."""

    claim: ClaimRow
    was_live: bool

    @property
    def assessor(self) -> str:
        return self.claim.assessor


def release_claim(
    tx: Transaction, submission_id: str, assessor: str, *, forced: bool = False
) -> Released | None:
    """Give a claim up: only its holder may, unless `forced` (recorded as such)."""
    held = tx.claim(submission_id)
    if held is None:
        return None
    live = held.live_at(tx.now())
    if held.assessor != assessor and not forced and live:
        raise ClaimedByOther(held)
    tx.delete_claim(submission_id)
    tx.record_event(
        assessor=assessor,
        submission_id=submission_id,
        action=Event.RELEASE_FORCED if forced else Event.RELEASE,
        before=held.assessor,
    )
    return Released(held, live)


def release_all_claims(tx: Transaction, assessor: str) -> int:
    """Give up every claim an assessor holds (on a clean exit)."""
    held = tx.claimed_by(assessor)
    for submission_id in held:
        release_own_claim(tx, submission_id, assessor)
    return len(held)
