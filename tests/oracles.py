"""Test oracles: rebuild state from the audit trail alone, to check the tables against it."""

from __future__ import annotations

from conftest import sql

from mcreview.core.vocabulary import Event
from mcreview.store.api import EventRow

ScoreKey = tuple[str, int, str, str]  # (submission_id, revision, assessor, component_id)
_COLUMNS = "id, at, assessor, submission_id, action, target, before, after"


def replay_scores(database) -> dict[ScoreKey, str]:
    """Rebuild the scores table (key -> level) from the event log alone.

    'score' events set (after = level) or clear (after = NULL) a component's one
    level on the submission's current revision, whoever set it before; a 'revise'
    event moves the submission to the next revision and copies the previous
    revision's levels to it under the reopening assessor, as ReviewSession.reopen
    does. Comparing the result with the scores table shows whether every change was
    recorded exactly once.
    """
    revision: dict[str, int] = {}
    scores: dict[ScoreKey, str] = {}
    rows = sql(
        database,
        f"SELECT {_COLUMNS} FROM events WHERE action IN (?, ?, ?) ORDER BY id",
        (Event.IMPORT, Event.SCORE, Event.REVISE),
    )
    for event in (EventRow(*row) for row in rows):
        sid = event.submission_id
        if sid is None:
            continue
        if event.action == Event.IMPORT:
            revision[sid] = 1
        elif event.action == Event.SCORE:
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


def current_scores(database) -> dict[ScoreKey, str]:
    """The scores table in the same shape as replay_scores, for comparison."""
    rows = sql(database, "SELECT submission_id, revision, assessor, component_id, level FROM scores")
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows}
