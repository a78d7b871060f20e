"""Decisions and scores for the benchmark databases, written by bulk SQL in one transaction.

Going through review.set_level/decide would cost one fsync'd transaction per key
(hundreds of thousands for the 100k queue), so the rows are written directly, in
one BEGIN IMMEDIATE transaction, exactly as those functions write them (attempt 1,
reading 1, one reading needed): scores rows (level, passing, spec hash), comments on some
components, the reading (open while part-scored; recorded with its outcome and part
outcomes once decided), a decisions row for a decided one (resolution 'single', the
assessor as its reader, reading 1 its basis), the submission's status, assessor and
updated_at, and 'score' / 'decide' events carrying the attempt and reading.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
from pathlib import Path

from mcreview.core.scoring import NOT_YET, evaluate
from mcreview.core.specs import spec_from_body
from mcreview.core.vocabulary import Status
from mcreview.store.sqlite import open_sqlite

DECIDED, IN_REVIEW, PENDING = Status.DECIDED.value, Status.IN_REVIEW.value, Status.PENDING.value

ASSESSORS = ("amara", "ben", "chiara", "dev", "eun-ji", "farid")
COMMENTS = (
    "The evidence for this component is specific and tied to the artifacts.",
    "Strong reflection; the examples make the change in practice visible.",
    "The response names the strategy but does not show its effect on students.",
    "Please point the assessor to the page of the portfolio that shows this.",
    "Clear plan with timelines; the monitoring step needs a named measure.",
)


def _stamp(submitted: str, rng: random.Random) -> str:
    day = dt.date.fromisoformat(submitted) + dt.timedelta(days=rng.randint(1, 30))
    moment = dt.datetime.combine(day, dt.time(rng.randint(7, 20), rng.randrange(60), rng.randrange(60)))
    return moment.replace(tzinfo=dt.UTC, microsecond=rng.randrange(1_000_000)).isoformat(timespec="microseconds")


def add_decisions(
    db_path: Path, decided: float, in_review: float, seed: int = 7, exclude: tuple[str, ...] = ()
) -> dict[str, int]:
    """Decide a share of the pending submissions and part-score another share."""
    rng = random.Random(seed)
    database = open_sqlite(db_path)
    conn = database.conn
    rows = conn.execute(
        "SELECT id, submitted, revision, spec_hash FROM submissions WHERE status = ? ORDER BY id", (PENDING,)
    ).fetchall()
    scores, comments, decisions, events, status_updates = [], [], [], [], []
    readings: list[tuple] = []
    specs = {h: spec_from_body(b) for h, b in conn.execute("SELECT hash, body FROM specs").fetchall()}
    counts = {"decided": 0, "in_review": 0}
    for sid, submitted, revision, spec_hash in rows:
        if sid in exclude:
            continue
        roll = rng.random()
        if roll >= decided + in_review:
            continue
        spec = specs[spec_hash]
        scored = [c for c in spec.components if c.scored]
        assessor = rng.choice(ASSESSORS)
        now = _stamp(submitted, rng)
        full = roll < decided
        chosen = scored if full else scored[: max(1, len(scored) // 2)]
        levels: dict[str, str] = {}
        for component in chosen:
            passing = [lv for lv in component.scale.levels if component.is_passing(lv)]
            failing = [lv for lv in component.scale.levels if not component.is_passing(lv)]
            level = rng.choice(passing) if (rng.random() < 0.9 or not failing) else rng.choice(failing)
            levels[component.id] = level
            scores.append(
                (
                    sid,
                    1,
                    revision,
                    1,
                    component.id,
                    level,
                    int(component.is_passing(level)),
                    spec_hash,
                    assessor,
                    now,
                )
            )
            events.append((now, assessor, sid, 1, 1, "score", component.id, None, level))
            if rng.random() < 0.3:
                comments.append((sid, 1, revision, 1, component.id, rng.choice(COMMENTS), assessor, now))
        if full:
            outcome = evaluate(spec, levels)
            comment = rng.choice(COMMENTS) if outcome.status == NOT_YET or rng.random() < 0.5 else ""
            parts = json.dumps(outcome.parts)
            readings.append(
                (sid, 1, revision, 1, assessor, "recorded", outcome.status, outcome.status, comment, parts) + (now, now)
            )
            decisions.append(
                (
                    sid,
                    1,
                    revision,
                    assessor,
                    outcome.status,
                    outcome.status,
                    0,
                    "",
                    comment,
                    parts,
                    spec_hash,
                    now,
                    "single",
                    assessor,
                    1,
                )
            )
            events.append((now, assessor, sid, 1, 1, "decide", f"revision {revision}", outcome.status, outcome.status))
            status_updates.append((DECIDED, assessor, now, sid))
            counts["decided"] += 1
        else:
            readings.append((sid, 1, revision, 1, assessor, "open", None, None, "", "{}", now, None))
            status_updates.append((IN_REVIEW, assessor, now, sid))
            counts["in_review"] += 1
    c = conn
    c.execute("BEGIN IMMEDIATE")
    if True:
        c.executemany(
            "INSERT INTO readings (submission_id, attempt, revision, reading, assessor, status, outcome,"
            " computed, comment, part_outcomes, started_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?)",
            readings,
        )
        c.executemany(
            "INSERT INTO scores (submission_id, attempt, revision, reading, component_id, level, passing,"
            " spec_hash, assessor, scored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            scores,
        )
        c.executemany(
            "INSERT INTO comments (submission_id, attempt, revision, reading, component_id, body, assessor,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            comments,
        )
        c.executemany(
            "INSERT INTO decisions (submission_id, attempt, revision, assessor, outcome, computed, override,"
            " justification, comment, part_outcomes, spec_hash, decided_at, resolution, readers,"
            " basis_reading) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            decisions,
        )
        c.executemany(
            "INSERT INTO events (at, assessor, submission_id, attempt, reading, action, target, before,"
            " after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            events,
        )
        c.executemany("UPDATE submissions SET status = ?, assessor = ?, updated_at = ? WHERE id = ?", status_updates)
    c.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()
    return counts


def build_sync_db(source: Path, target: Path, seed: int = 11) -> dict[str, int]:
    """Every submission of `source` (without the response text sync never reads), all decided."""
    for suffix in ("", "-wal", "-shm", "-synclock", "-writelock"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    database = open_sqlite(target)
    conn = database.conn
    conn.execute("ATTACH DATABASE ? AS src", (str(source),))
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO specs SELECT * FROM src.specs")
    conn.execute("INSERT INTO spec_components SELECT * FROM src.spec_components")
    conn.execute("INSERT INTO submissions SELECT * FROM src.submissions")
    conn.execute("INSERT INTO attempts SELECT * FROM src.attempts")
    conn.execute(
        "UPDATE submissions SET status = ?, assessor = NULL, revision = 1, updated_at = imported_at",
        (PENDING,),
    )
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE src")
    conn.close()
    return add_decisions(target, decided=1.0, in_review=0.0, seed=seed)


def reset_submission(db_path: Path, submission_id: str) -> None:
    """Back to pending with no scores, readings, claims or resume positions: each run starts the same."""
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("DELETE FROM scores WHERE submission_id = ?", (submission_id,))
    conn.execute("DELETE FROM comments WHERE submission_id = ?", (submission_id,))
    conn.execute("DELETE FROM drafts WHERE submission_id = ?", (submission_id,))
    conn.execute("DELETE FROM readings WHERE submission_id = ?", (submission_id,))
    conn.execute("UPDATE submissions SET status = ?, assessor = NULL WHERE id = ?", (PENDING, submission_id))
    conn.execute("DELETE FROM claims")
    conn.execute("DELETE FROM positions")
    conn.execute("COMMIT")
    conn.close()
