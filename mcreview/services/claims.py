"""Claims: one assessor scores a reading at a time, on a lease that expires.

A claim is a row with an expiry time, on one reading of a submission (two readers of
one attempt hold one each; a lead moderating holds reading 0). Opening a submission
claims the reader's reading (or renews the claim); every scoring write re-checks it
inside its own transaction, so two assessors can never both score one reading or
decide one revision. A lease nobody renews (a closed laptop, a dropped SSH link)
simply runs out. Whether a lease is live is decided by the database's clock
(tx.now()), never by the clock of the process asking, so a process whose clock runs
ahead cannot take over a live claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mcreview.core.vocabulary import Event
from mcreview.store.api import ClaimRow
from mcreview.store.transaction import Transaction

LEASE_SECONDS = 15 * 60
# A write renews its writer's lease only once this much of it has run (a tenth of a
# short lease): most level keys then write their score and not the claim row too, which
# shortens SQLite's write lock and removes a conflict PostgreSQL's SERIALIZABLE reruns.
RENEW_AFTER_SECONDS = 60.0


class ClaimedByOther(Exception):
    def __init__(self, claim: ClaimRow) -> None:
        super().__init__(f"claimed by {claim.assessor} since {claim.claimed_at[:16].replace('T', ' ')} UTC")
        self.claim = claim


def later(at: str, seconds: float) -> str:
    """A stored time plus some seconds, in the same text form (the arithmetic is ours, the
    starting time is the database's)."""
    moment = datetime.fromisoformat(at) + timedelta(seconds=seconds)
    return moment.isoformat(timespec="microseconds")


def live_claims(tx: Transaction, submission_id: str) -> list[ClaimRow]:
    """The live claims on a submission (an expired one is no claim), one per reading held."""
    now = tx.now()
    return [claim for claim in tx.claims(submission_id) if claim.live_at(now)]


def live_claim(tx: Transaction, submission_id: str, reading: int | None = None) -> ClaimRow | None:
    """The live claim on one reading (or, with no reading given, the first live claim)."""
    for claim in live_claims(tx, submission_id):
        if reading is None or claim.reading == reading:
            return claim
    return None


def hold_claim(
    tx: Transaction,
    submission_id: str,
    assessor: str,
    *,
    reading: int = 1,
    lease_seconds: float = LEASE_SECONDS,
) -> ClaimRow:
    """Inside a write transaction: take or renew the assessor's claim on a reading, or
    raise ClaimedByOther. Scoring writes call this too, so nobody writes unclaimed."""
    existing = live_claim(tx, submission_id, reading)
    if existing is not None and existing.assessor != assessor:
        raise ClaimedByOther(existing)
    now = tx.now()
    if existing is not None and existing.expires_at >= later(now, lease_seconds - _renew_after(lease_seconds)):
        return existing  # renewed a moment ago: the lease still runs to within a minute of full
    claim = ClaimRow(
        submission_id, assessor, existing.claimed_at if existing else now, later(now, lease_seconds), reading
    )
    tx.put_claim(claim)
    if existing is None:
        tx.record_event(
            assessor=assessor,
            submission_id=submission_id,
            action=Event.CLAIM,
            target="" if reading == 1 else f"reading {reading}",
            after=claim.expires_at,
            reading=reading,
        )
    return claim


def _renew_after(lease_seconds: float) -> float:
    return min(RENEW_AFTER_SECONDS, lease_seconds / 10)


def release_own_claim(tx: Transaction, submission_id: str, assessor: str) -> None:
    """Inside a write transaction: drop the assessor's own claims on a submission, recorded."""
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
    """Give the claims on a submission up: only their holder may, unless `forced` (then
    every claim on it goes, recorded as such). Returns the first claim that was held."""
    held = tx.claims(submission_id)
    if not held:
        return None
    now = tx.now()
    if not forced:
        own = [claim for claim in held if claim.assessor == assessor]
        others = [claim for claim in held if claim.assessor != assessor and claim.live_at(now)]
        if not own and others:
            raise ClaimedByOther(others[0])
        held = own or held  # nobody else holds a live one: an expired one can be tidied away
    first = held[0]
    for claim in held:
        tx.delete_claim(submission_id, reading=claim.reading)
    tx.record_event(
        assessor=assessor,
        submission_id=submission_id,
        action=Event.RELEASE_FORCED if forced else Event.RELEASE,
        before=first.assessor,
    )
    return Released(first, first.live_at(now))


def release_all_claims(tx: Transaction, assessor: str) -> int:
    """Give up every claim an assessor holds (on a clean exit)."""
    held = tx.claimed_by(assessor)
    for submission_id in held:
        release_own_claim(tx, submission_id, assessor)
    return len(held)
