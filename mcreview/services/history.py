"""A submission's audit trail, read back from the events table.

Every change to the queue appends an event in the same transaction that made it,
so the trail answers "who did what, when" for a disputed decision, and replaying
the score events must rebuild the scores table exactly (the team tests use this
to prove no score was lost or written twice under concurrent assessors).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from mcreview.store.sqlite import QueueDatabase

ELLIPSIS = "…"
NEWLINE_MARK = "⏎"
VALUE_WIDTH = 60
MISSING = "-"

ScoreKey = tuple[str, int, str, str]  # (submission_id, revision, assessor, component_id)


@dataclass(frozen=True)
class Event:
    """One row of the events table."""

    id: int
    at: str
    assessor: str
    submission_id: str | None
    action: str
    target: str
    before: str | None
    after: str | None


_COLUMNS = "id, at, assessor, submission_id, action, target, before, after"


def submission_history(database: QueueDatabase, submission_id: str) -> list[Event]:
    """Every event recorded for one submission, oldest first (id order is commit order)."""
    rows = database.conn.execute(
        f"SELECT {_COLUMNS} FROM events WHERE submission_id = ? ORDER BY id", (submission_id,)
    )
    return [Event(*row) for row in rows]


def shorten(value: str | None, width: int = VALUE_WIDTH) -> str:
    """One-line form of a stored value: newlines shown as ⏎, long text cut with an ellipsis."""
    if value is None:
        return MISSING
    text = value.replace("\r\n", "\n").replace("\n", NEWLINE_MARK)
    if len(text) > width:
        return text[: width - 1] + ELLIPSIS
    return text


def utc_second(at: str) -> str:
    """An event time as 'YYYY-MM-DD HH:MM:SSZ', whatever offset it was stored with."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    if moment.tzinfo is None:  # stored times carry an offset; treat a bare one as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def format_event(event: Event) -> str:
    """One readable line: time, assessor, action, target, before → after."""
    parts = [utc_second(event.at), f"{event.assessor:<12}", f"{event.action:<14}"]
    if event.target:
        parts.append(shorten(event.target))
    if event.before is not None or event.after is not None:
        parts.append(f"{shorten(event.before)} → {shorten(event.after)}")
    return "  ".join(parts).rstrip()


def format_history(events: list[Event]) -> list[str]:
    """One line per event, in the order given."""
    return [format_event(event) for event in events]


def replay_scores(database: QueueDatabase) -> dict[ScoreKey, str]:
    """Rebuild the scores table (key → level) from the event log alone.

    'score' events set (after = level) or clear (after = NULL) a component's one
    level on the submission's current revision, whoever set it before; a 'revise'
    event moves the submission to the next revision and copies the previous revision's scores to it under the
    reopening assessor, as review.reopen does. Comparing the result with the
    scores table shows whether every change was recorded exactly once.
    """
    revision: dict[str, int] = {}
    scores: dict[ScoreKey, str] = {}
    rows = database.conn.execute(
        f"SELECT {_COLUMNS} FROM events WHERE action IN ('import', 'score', 'revise') ORDER BY id"
    )
    for event in (Event(*row) for row in rows):
        sid = event.submission_id
        if sid is None:
            continue
        if event.action == "import":
            revision[sid] = 1
        elif event.action == "score":
            # One level per component per revision: a score replaces whoever set it before.
            rev = revision.get(sid, 1)
            for key in [k for k in scores if k[0] == sid and k[1] == rev and k[3] == event.target]:
                del scores[key]
            if event.after is not None:
                scores[(sid, rev, event.assessor, event.target)] = event.after
        else:  # revise: before/after are the old and new revision numbers
            old, new = int(event.before or revision.get(sid, 1)), int(event.after or 0)
            carried = {key: level for key, level in scores.items() if key[0] == sid and key[1] == old}
            for (_, _, _, component_id), level in carried.items():
                scores[(sid, new, event.assessor, component_id)] = level
            revision[sid] = new
    return scores


def current_scores(database: QueueDatabase) -> dict[ScoreKey, str]:
    """The scores table in the same shape as replay_scores, for comparison."""
    rows = database.conn.execute("SELECT submission_id, revision, assessor, component_id, level FROM scores")
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows}
