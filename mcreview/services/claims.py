"""Claims: one assessor scores a submission at a time, on a lease that expires.

A claim is a row with an expiry time. Opening a submission claims it (or renews
the assessor's own claim); every scoring write re-checks the claim inside its
own transaction, so two assessors can never both score or decide one revision.
A lease nobody renews (a closed laptop, a dropped SSH link) simply runs out.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mcreview.store import sqlite as queue_db
from mcreview.store.sqlite import QueueDatabase

LEASE_SECONDS = 15 * 60


@dataclass(frozen=True)
class Claim:
    submission_id: str
    assessor: str
    claimed_at: str
    expires_at: str

    def expired(self, now: datetime | None = None) -> bool:
        return datetime.fromisoformat(self.expires_at) <= (now or datetime.now(UTC))


class ClaimedByOther(Exception):
    def __init__(self, claim: Claim) -> None:
        super().__init__(f"claimed by {claim.assessor} since {claim.claimed_at[:16].replace('T', ' ')} UTC")
        self.claim = claim


def current_claim(conn: sqlite3.Connection, submission_id: str) -> Claim | None:
    """The live claim on a submission, ignoring expired ones."""
    row = conn.execute(
        "SELECT submission_id, assessor, claimed_at, expires_at FROM claims WHERE submission_id = ?",
        (submission_id,),
    ).fetchone()
    if row is None:
        return None
    claim = Claim(*row)
    return None if claim.expired() else claim


def check_writable(conn: sqlite3.Connection, submission_id: str, assessor: str) -> None:
    """Raise ClaimedByOther when someone else holds a live claim."""
    claim = current_claim(conn, submission_id)
    if claim is not None and claim.assessor != assessor:
        raise ClaimedByOther(claim)


def hold_claim(
    conn: sqlite3.Connection, submission_id: str, assessor: str, lease_seconds: int = LEASE_SECONDS
) -> Claim:
    """Inside a write transaction: take or renew the assessor's claim, or raise
    ClaimedByOther. Scoring writes call this too, so nobody writes unclaimed."""
    existing = current_claim(conn, submission_id)
    if existing is not None and existing.assessor != assessor:
        raise ClaimedByOther(existing)
    now = datetime.now(UTC)
    expires = (now + timedelta(seconds=lease_seconds)).isoformat(timespec="microseconds")
    claimed_at = existing.claimed_at if existing else now.isoformat(timespec="microseconds")
    conn.execute(
        "INSERT INTO claims (submission_id, assessor, claimed_at, expires_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (submission_id) DO UPDATE SET assessor = excluded.assessor,"
        " claimed_at = excluded.claimed_at, expires_at = excluded.expires_at",
        (submission_id, assessor, claimed_at, expires),
    )
    if existing is None:
        queue_db.record_event(conn, assessor, submission_id, "claim", "", None, expires)
    return Claim(submission_id, assessor, claimed_at, expires)


def release_claim(conn: sqlite3.Connection, submission_id: str, assessor: str, at: str | None = None) -> None:
    """Inside a write transaction: drop the assessor's own claim, recorded."""
    cursor = conn.execute(
        "DELETE FROM claims WHERE submission_id = ? AND assessor = ?", (submission_id, assessor)
    )
    if cursor.rowcount:
        queue_db.record_event(conn, assessor, submission_id, "release", "", assessor, None, at)


def claim(
    database: QueueDatabase,
    submission_id: str,
    assessor: str,
    lease_seconds: int = LEASE_SECONDS,
) -> Claim:
    """Take or renew a claim; raises ClaimedByOther if another assessor holds it."""
    with queue_db.write(database) as conn:
        if conn.execute("SELECT 1 FROM submissions WHERE id = ?", (submission_id,)).fetchone() is None:
            raise LookupError(f"no submission '{submission_id}' in the queue")
        return hold_claim(conn, submission_id, assessor, lease_seconds)


def release(database: QueueDatabase, submission_id: str, assessor: str, forced: bool = False) -> Claim | None:
    """Give a claim up. Only its holder may, unless `forced` (recorded as such)."""
    with queue_db.write(database) as conn:
        row = conn.execute(
            "SELECT submission_id, assessor, claimed_at, expires_at FROM claims WHERE submission_id = ?",
            (submission_id,),
        ).fetchone()
        if row is None:
            return None
        held = Claim(*row)
        if held.assessor != assessor and not forced and not held.expired():
            raise ClaimedByOther(held)
        conn.execute("DELETE FROM claims WHERE submission_id = ?", (submission_id,))
        queue_db.record_event(
            conn,
            assessor,
            submission_id,
            "release-forced" if forced else "release",
            "",
            held.assessor,
            None,
        )
    return held


def release_all(database: QueueDatabase, assessor: str) -> int:
    """Give up every claim an assessor holds (on a clean exit)."""
    with queue_db.write(database) as conn:
        held = [
            row[0] for row in conn.execute("SELECT submission_id FROM claims WHERE assessor = ?", (assessor,))
        ]
        for submission_id in held:
            release_claim(conn, submission_id, assessor)
    return len(held)
