"""Scoring, comments and decisions: every change its own short transaction.

The screens call these and nothing else to change the queue, so a keystroke is
durable (committed with fsync) before the screen shows it, and the CLI and the
tests go through exactly the same code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from mcreview.core.scoring import EARNED, INCOMPLETE, NOT_YET, Outcome, evaluate
from mcreview.core.specs import Spec, spec_from_body
from mcreview.services.claims import ClaimedByOther, hold_claim, release_claim
from mcreview.store import sqlite as queue_db
from mcreview.store.sqlite import QueueDatabase

PENDING = "pending"
IN_REVIEW = "in_review"
DECIDED = "decided"
SYNCED = "synced"
RETURNED = "returned"
STATUSES = (PENDING, IN_REVIEW, DECIDED, SYNCED, RETURNED)
STATUS_LABELS = {
    PENDING: "pending",
    IN_REVIEW: "in review",
    DECIDED: "decided",
    SYNCED: "synced",
    RETURNED: "returned",
}
OVERALL = ""  # component id of the overall comment

_spec_cache: dict[str, Spec] = {}


class ReviewError(Exception):
    """A change the rules do not allow; the message is fit to show the assessor."""


@dataclass(frozen=True)
class AttachmentRow:
    component_id: str
    path: str | None
    url: str | None
    description: str


@dataclass(frozen=True)
class DecisionRow:
    revision: int
    assessor: str
    outcome: str
    computed: str
    override: bool
    justification: str
    comment: str
    decided_at: str


@dataclass
class SubmissionState:
    """Everything a review screen shows about one submission, read in one go."""

    id: str
    credential: str
    submitted: str
    candidate: str
    status: str
    revision: int
    assessor: str | None
    spec: Spec
    responses: dict[str, str]
    attachments: list[AttachmentRow]
    levels: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    decisions: list[DecisionRow] = field(default_factory=list)

    @property
    def outcome(self) -> Outcome:
        return evaluate(self.spec, self.levels)

    @property
    def current_decision(self) -> DecisionRow | None:
        for decision in self.decisions:
            if decision.revision == self.revision:
                return decision
        return None


def load_spec(database: QueueDatabase, spec_hash: str) -> Spec:
    """The pinned rubric; cached, since a hash always names the same content."""
    spec = _spec_cache.get(spec_hash)
    if spec is None:
        row = database.conn.execute("SELECT body FROM specs WHERE hash = ?", (spec_hash,)).fetchone()
        if row is None:
            raise ReviewError(f"spec {spec_hash} is missing from the database")
        spec = spec_from_body(row[0])
        _spec_cache[spec_hash] = spec
    return spec


def load_submission(database: QueueDatabase, submission_id: str) -> SubmissionState:
    conn = database.conn
    row = conn.execute(
        "SELECT id, credential, submitted, candidate, status, revision, assessor, spec_hash"
        " FROM submissions WHERE id = ?",
        (submission_id,),
    ).fetchone()
    if row is None:
        raise ReviewError(f"no submission '{submission_id}' in the queue")
    sid, credential, submitted, candidate, status, revision, assessor, spec_hash = row
    state = SubmissionState(
        sid,
        credential,
        submitted,
        candidate,
        status,
        revision,
        assessor,
        load_spec(database, spec_hash),
        dict(conn.execute("SELECT component_id, body FROM responses WHERE submission_id = ?", (sid,))),
        [
            AttachmentRow(*r)
            for r in conn.execute(
                "SELECT component_id, path, url, description FROM attachments"
                " WHERE submission_id = ? ORDER BY seq",
                (sid,),
            )
        ],
    )
    # One assessor scores a revision (claims keep others out), so read by revision.
    state.levels = dict(
        conn.execute(
            "SELECT component_id, level FROM scores WHERE submission_id = ? AND revision = ?",
            (sid, revision),
        )
    )
    state.comments = dict(
        conn.execute(
            "SELECT component_id, body FROM comments WHERE submission_id = ? AND revision = ?",
            (sid, revision),
        )
    )
    state.decisions = [
        DecisionRow(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7])
        for r in conn.execute(
            "SELECT revision, assessor, outcome, computed, override, justification, comment,"
            " decided_at FROM decisions WHERE submission_id = ? ORDER BY revision",
            (sid,),
        )
    ]
    return state


def _current(conn, submission_id: str) -> tuple[str, int, str]:
    row = conn.execute(
        "SELECT status, revision, spec_hash FROM submissions WHERE id = ?", (submission_id,)
    ).fetchone()
    if row is None:
        raise ReviewError(f"no submission '{submission_id}' in the queue")
    return row


def _open_for_scoring(conn, submission_id: str, assessor: str) -> tuple[int, str]:
    """Inside a write transaction: the revision to write to, if this assessor may.

    A write takes (or renews) the writer's claim in the same transaction, so a
    revision always has one scorer and nobody writes without holding the claim.
    """
    status, revision, spec_hash = _current(conn, submission_id)
    try:
        hold_claim(conn, submission_id, assessor)
    except ClaimedByOther as error:
        raise ReviewError(f"read-only: {error}") from None
    if status in (DECIDED, SYNCED, RETURNED):
        raise ReviewError("this revision is decided: press r to revise it")
    return revision, spec_hash


def set_level(
    database: QueueDatabase,
    submission_id: str,
    component_id: str,
    level: str | None,
    assessor: str,
) -> str | None:
    """Record (or with None, clear) a component's level; returns the level it replaced."""
    with queue_db.write(database) as conn:
        revision, spec_hash = _open_for_scoring(conn, submission_id, assessor)
        spec = load_spec(database, spec_hash)
        component = spec.component(component_id)
        if level is not None and (component.scale is None or level not in component.scale.levels):
            raise ReviewError(f"'{level}' is not a level of {component.title}")
        # One level per component per revision, whoever set it: an assessor taking
        # over a released submission carries on from what the screen showed.
        row = conn.execute(
            "SELECT level FROM scores WHERE submission_id = ? AND revision = ? AND component_id = ?",
            (submission_id, revision, component_id),
        ).fetchone()
        before = row[0] if row else None
        if before == level:
            return before
        now = queue_db.utc_now()
        conn.execute(
            "DELETE FROM scores WHERE submission_id = ? AND revision = ? AND component_id = ?"
            " AND assessor != ?",
            (submission_id, revision, component_id, assessor),
        )
        if level is None:
            conn.execute(
                "DELETE FROM scores WHERE submission_id = ? AND revision = ? AND component_id = ?",
                (submission_id, revision, component_id),
            )
        else:
            conn.execute(
                "INSERT INTO scores (submission_id, revision, assessor, component_id, level, passing,"
                " spec_hash, scored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (submission_id, revision, assessor, component_id)"
                " DO UPDATE SET level = excluded.level, passing = excluded.passing,"
                " spec_hash = excluded.spec_hash, scored_at = excluded.scored_at",
                (
                    submission_id,
                    revision,
                    assessor,
                    component_id,
                    level,
                    int(component.is_passing(level)),
                    spec_hash,
                    now,
                ),
            )
        conn.execute(
            "UPDATE submissions SET status = ?, assessor = ?, updated_at = ? WHERE id = ?",
            (IN_REVIEW, assessor, now, submission_id),
        )
        queue_db.record_event(conn, assessor, submission_id, "score", component_id, before, level, now)
    return before


def set_comment(
    database: QueueDatabase,
    submission_id: str,
    component_id: str,
    body: str,
    assessor: str,
) -> None:
    """Save a comment (component, or OVERALL); an empty body removes it."""
    body = body.strip()
    with queue_db.write(database) as conn:
        revision, _ = _open_for_scoring(conn, submission_id, assessor)
        key = (submission_id, revision, assessor, component_id)
        row = conn.execute(
            "SELECT body FROM comments WHERE submission_id = ? AND revision = ? AND component_id = ?",
            (submission_id, revision, component_id),
        ).fetchone()
        before = row[0] if row else None
        if (before or "") == body:
            return
        now = queue_db.utc_now()
        conn.execute(  # one comment per component per revision, as with levels
            "DELETE FROM comments WHERE submission_id = ? AND revision = ? AND component_id = ?"
            " AND assessor != ?",
            (submission_id, revision, component_id, assessor),
        )
        if body:
            conn.execute(
                "INSERT INTO comments (submission_id, revision, assessor, component_id, body, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (submission_id, revision, assessor, component_id)"
                " DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                (*key, body, now),
            )
        else:
            conn.execute(
                "DELETE FROM comments WHERE submission_id = ? AND revision = ? AND assessor = ?"
                " AND component_id = ?",
                key,
            )
        conn.execute(
            "UPDATE submissions SET status = CASE WHEN status = ? THEN ? ELSE status END,"
            " assessor = ?, updated_at = ? WHERE id = ?",
            (PENDING, IN_REVIEW, assessor, now, submission_id),
        )
        queue_db.record_event(
            conn, assessor, submission_id, "comment", component_id or "overall", before, body or None, now
        )


def _computed(conn, database: QueueDatabase, submission_id: str, revision: int, spec_hash: str):
    """The award rule applied to the levels of one revision, inside a transaction."""
    spec = load_spec(database, spec_hash)
    levels = dict(
        conn.execute(
            "SELECT component_id, level FROM scores WHERE submission_id = ? AND revision = ?",
            (submission_id, revision),
        )
    )
    return spec, evaluate(spec, levels)


def _record_decision(
    conn,
    submission_id: str,
    revision: int,
    assessor: str,
    outcome: str,
    computed: Outcome,
    comment: str,
    spec_hash: str,
    status: str,
    action: str,
    justification: str = "",
) -> None:
    """Write a revision's decision, its event, and free the decider's claim."""
    now = queue_db.utc_now()
    conn.execute(
        "INSERT INTO decisions (submission_id, revision, assessor, outcome, computed, override,"
        " justification, comment, part_outcomes, spec_hash, decided_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            submission_id,
            revision,
            assessor,
            outcome,
            computed.status,
            int(action == "override"),
            justification,
            comment,
            json.dumps(computed.parts),
            spec_hash,
            now,
        ),
    )
    conn.execute(
        "UPDATE submissions SET status = ?, assessor = ?, updated_at = ? WHERE id = ?",
        (status, assessor, now, submission_id),
    )
    queue_db.record_event(
        conn, assessor, submission_id, action, f"revision {revision}", computed.status, outcome, now
    )
    release_claim(conn, submission_id, assessor, now)  # a decided submission needs no claim


def decide(
    database: QueueDatabase,
    submission_id: str,
    assessor: str,
    comment: str,
    outcome: str | None = None,
    justification: str = "",
) -> str:
    """Record the decision for the current revision; returns the outcome recorded.

    The computed outcome comes from the award rule. Choosing another outcome is an
    override and needs a written justification; Not Yet needs feedback.
    """
    comment = comment.strip()
    justification = justification.strip()
    with queue_db.write(database) as conn:
        revision, spec_hash = _open_for_scoring(conn, submission_id, assessor)
        spec, computed = _computed(conn, database, submission_id, revision, spec_hash)
        chosen = outcome or computed.status
        if chosen not in (EARNED, NOT_YET):
            raise ReviewError(f"cannot decide yet: {computed.reason(spec)}")
        override = chosen != computed.status
        if override and not justification:
            raise ReviewError("overriding the computed outcome needs a written justification")
        if chosen == NOT_YET and not comment:
            raise ReviewError("Not Yet needs an overall comment: the candidate needs feedback")
        action = "override" if override else "decide"
        _record_decision(
            conn,
            submission_id,
            revision,
            assessor,
            chosen,
            computed,
            comment,
            spec_hash,
            DECIDED,
            action,
            justification,
        )
    return chosen


RETURN_REASONS = {
    "identifiable": "returned_identifiable",
    "incomplete": "returned_incomplete",
}


def return_submission(
    database: QueueDatabase, submission_id: str, assessor: str, reason: str, comment: str
) -> str:
    """Send a submission back without scoring it (identifying information, or
    incomplete). Recorded as this revision's decision so sync exports it."""
    outcome = RETURN_REASONS.get(reason)
    if outcome is None:
        raise ReviewError(f"unknown return reason '{reason}'")
    comment = comment.strip()
    if not comment:
        raise ReviewError("a returned submission needs a comment saying why")
    with queue_db.write(database) as conn:
        revision, spec_hash = _open_for_scoring(conn, submission_id, assessor)
        _, computed = _computed(conn, database, submission_id, revision, spec_hash)
        _record_decision(
            conn, submission_id, revision, assessor, outcome, computed, comment, spec_hash, RETURNED, "return"
        )
    return outcome


def reopen(database: QueueDatabase, submission_id: str, assessor: str) -> int:
    """Start a new revision of a decided submission, carrying its scores forward.

    The old decision, scores and comments stay as they were.
    """
    with queue_db.write(database) as conn:
        status, revision, _ = _current(conn, submission_id)
        try:
            hold_claim(conn, submission_id, assessor)
        except ClaimedByOther as error:
            raise ReviewError(f"read-only: {error}") from None
        if status not in (DECIDED, SYNCED, RETURNED):
            raise ReviewError("only a decided submission can be revised")
        new = revision + 1
        now = queue_db.utc_now()
        conn.execute(
            "INSERT INTO scores (submission_id, revision, assessor, component_id, level, passing,"
            " spec_hash, scored_at) SELECT submission_id, ?, ?, component_id, level, passing,"
            " spec_hash, ? FROM scores WHERE submission_id = ? AND revision = ?",
            (new, assessor, now, submission_id, revision),
        )
        conn.execute(
            "INSERT INTO comments (submission_id, revision, assessor, component_id, body, updated_at)"
            " SELECT submission_id, ?, ?, component_id, body, ? FROM comments"
            " WHERE submission_id = ? AND revision = ?",
            (new, assessor, now, submission_id, revision),
        )
        conn.execute(
            "UPDATE submissions SET status = ?, revision = ?, assessor = ?, updated_at = ? WHERE id = ?",
            (IN_REVIEW, new, assessor, now, submission_id),
        )
        queue_db.record_event(conn, assessor, submission_id, "revise", "", str(revision), str(new), now)
    return new


def remember_position(
    database: QueueDatabase, assessor: str, submission_id: str | None, component_id: str | None
) -> None:
    """Where the assessor is, so reopening the app resumes there."""
    with queue_db.write(database) as conn:
        conn.execute(
            "INSERT INTO positions (assessor, submission_id, component_id, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (assessor) DO UPDATE SET"
            " submission_id = excluded.submission_id, component_id = excluded.component_id,"
            " updated_at = excluded.updated_at",
            (assessor, submission_id, component_id, queue_db.utc_now()),
        )


def last_position(database: QueueDatabase, assessor: str) -> tuple[str | None, str | None]:
    row = database.conn.execute(
        "SELECT submission_id, component_id FROM positions WHERE assessor = ?", (assessor,)
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


__all__ = [
    "DECIDED",
    "EARNED",
    "INCOMPLETE",
    "IN_REVIEW",
    "NOT_YET",
    "PENDING",
    "RETURNED",
    "STATUSES",
    "SYNCED",
    "ReviewError",
    "SubmissionState",
    "decide",
    "load_submission",
    "reopen",
    "set_comment",
    "set_level",
]
