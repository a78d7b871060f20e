"""Pre-checks at import and on demand: look at the disk, compute, store."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from mcreview.core.prechecks import PreCheck, compute_prechecks, flags_of
from mcreview.core.specs import Spec
from mcreview.store import sqlite as queue_db
from mcreview.store.sqlite import QueueDatabase


def replace_prechecks(
    conn: sqlite3.Connection, submission_id: str, spec: Spec, found: list[PreCheck]
) -> None:
    """Inside a write transaction: store a submission's findings and its queue flags."""
    conn.execute("DELETE FROM prechecks WHERE submission_id = ?", (submission_id,))
    conn.executemany(
        "INSERT INTO prechecks (submission_id, spec_hash, component_id, kind, detail, start, end)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(submission_id, spec.content_hash, c.component_id, c.kind, c.detail, c.start, c.end) for c in found],
    )
    conn.execute("UPDATE submissions SET flags = ? WHERE id = ?", (flags_of(found), submission_id))


# Below this many submissions, starting worker processes costs more than it saves.
PARALLEL_FROM = 200
_worker_specs: dict[str, Spec] = {}


def attachment_facts(
    attachments: Sequence[tuple[str, str | None]],
) -> list[tuple[str, str | None, bool]]:
    """(component id, file name, present) for each (component id, absolute path or None)."""
    return [
        (component_id, Path(path).name if path else None, bool(path) and Path(path).exists())
        for component_id, path in attachments
    ]


def _attachments_of(submission) -> list[tuple[str, str | None, bool]]:
    return attachment_facts(
        [
            (a.component_id, str(Path(submission.base_dir) / a.path) if a.path else None)
            for a in submission.attachments
        ]
    )


def _init_worker(specs: dict[str, Spec]) -> None:
    _worker_specs.clear()
    _worker_specs.update(specs)


def _compute_job(job: tuple[str, dict[str, str], list[tuple[str, str | None]]]) -> list[PreCheck]:
    credential, responses, attachments = job
    return compute_prechecks(_worker_specs[credential], responses, attachments)


def compute_many(
    submissions: Sequence, specs: dict[str, Spec], workers: int | None = None
) -> list[list[PreCheck]]:
    """Every submission's findings, in order; on all cores when there are many.

    The checks are pure functions of the text (a few ms of CPU each for a typical
    submission), so an import computes them in worker processes before it takes the
    write lock, instead of one by one inside its transaction.
    """
    jobs = [(s.credential, s.responses, _attachments_of(s)) for s in submissions]
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(jobs) < PARALLEL_FROM:
        _init_worker(specs)
        return [_compute_job(job) for job in jobs]
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(specs,)) as pool:
        return list(pool.map(_compute_job, jobs, chunksize=32))


def load_prechecks(database: QueueDatabase, submission_id: str) -> list[PreCheck]:
    return [
        PreCheck(*row)
        for row in database.conn.execute(
            "SELECT component_id, kind, detail, start, end FROM prechecks WHERE submission_id = ?"
            " ORDER BY rowid",
            (submission_id,),
        )
    ]


def recompute_all(database: QueueDatabase, batch: int = 500) -> int:
    """Recompute every submission's pre-checks against its pinned spec (after the
    checks themselves improve); one short transaction per batch of submissions."""
    from mcreview.services.review import load_spec  # the spec cache lives there

    ids = [row[0] for row in database.conn.execute("SELECT id FROM submissions ORDER BY id")]
    for offset in range(0, len(ids), batch):
        chunk = ids[offset : offset + batch]
        with queue_db.write(database) as conn:
            for submission_id in chunk:
                spec_hash = conn.execute(
                    "SELECT spec_hash FROM submissions WHERE id = ?", (submission_id,)
                ).fetchone()[0]
                responses = dict(
                    conn.execute(
                        "SELECT component_id, body FROM responses WHERE submission_id = ?", (submission_id,)
                    )
                )
                attachments = list(
                    conn.execute(
                        "SELECT component_id, path FROM attachments WHERE submission_id = ? ORDER BY seq",
                        (submission_id,),
                    )
                )
                spec = load_spec(database, spec_hash)
                found = compute_prechecks(spec, responses, attachment_facts(attachments))
                replace_prechecks(conn, submission_id, spec, found)
    return len(ids)
