"""Pre-checks an assessor sees before scoring: word limits, completeness, identifiers.

Computed at import against the spec the submission is pinned to, stored, and shown
as flags in the queue and beside the response. They inform; they never fail a
submission by themselves.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from mcreview import db as queue_db
from mcreview.checks import IDENTIFIER_LABELS, count_words, find_identifiers
from mcreview.db import QueueDatabase
from mcreview.specs import Spec

# Queue flag letters, in the order they are shown.
FLAG_WORDS = "W"  # a response outside its word limit
FLAG_MISSING = "M"  # a missing or empty response, or a missing attachment file
FLAG_IDENTIFIER = "I"  # possible identifying information
FLAG_ORDER = (FLAG_IDENTIFIER, FLAG_WORDS, FLAG_MISSING)
FLAG_LABELS = {
    FLAG_IDENTIFIER: "possible identifying information",
    FLAG_WORDS: "outside a word limit",
    FLAG_MISSING: "missing or empty response or attachment",
}


@dataclass(frozen=True)
class PreCheck:
    component_id: str
    kind: str  # under_limit | over_limit | missing | empty | attachment_missing | identifier
    detail: str  # one line for the assessor
    start: int | None = None  # identifier findings: offsets into the response text
    end: int | None = None

    @property
    def flag(self) -> str:
        if self.kind == "identifier":
            return FLAG_IDENTIFIER
        if self.kind in ("under_limit", "over_limit"):
            return FLAG_WORDS
        return FLAG_MISSING


def compute_prechecks(
    spec: Spec,
    responses: dict[str, str],
    attachments: Iterable[tuple[str, str | None]],
) -> list[PreCheck]:
    """Every finding for one submission; `attachments` are (component id, absolute path or None)."""
    found: list[PreCheck] = []
    for component in spec.components:
        if not component.takes_response:
            continue
        body = responses.get(component.id)
        if body is None:
            if component.response == "required":
                found.append(PreCheck(component.id, "missing", f"{component.title}: no response submitted"))
            continue
        if not body.strip():
            found.append(PreCheck(component.id, "empty", f"{component.title}: the response is empty"))
            continue
        limits = component.word_limits
        if limits is not None and limits.checked:
            words = count_words(body)
            verdict = limits.verdict(words)
            if verdict is not None:
                bound = limits.minimum if verdict == "under" else limits.maximum
                side = "minimum" if verdict == "under" else "maximum"
                found.append(
                    PreCheck(
                        component.id,
                        f"{verdict}_limit",
                        f"{component.title}: {words} words, {side} {bound} ({limits.text or 'the limit'})",
                    )
                )
        for finding in find_identifiers(body):
            label = IDENTIFIER_LABELS.get(finding.kind, finding.kind)
            found.append(
                PreCheck(
                    component.id,
                    "identifier",
                    f"{component.title}: possible {label}: {finding.text[:80]}",
                    finding.start,
                    finding.end,
                )
            )
    for component_id, path in attachments:
        if path is not None and not Path(path).exists():
            title = spec.component(component_id).title
            found.append(
                PreCheck(
                    component_id, "attachment_missing", f"{title}: attachment not found: {Path(path).name}"
                )
            )
    return found


def flags_of(found: Iterable[PreCheck]) -> str:
    letters = {check.flag for check in found}
    return "".join(flag for flag in FLAG_ORDER if flag in letters)


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


def store_prechecks(conn: sqlite3.Connection, submission, spec: Spec) -> None:
    """The import hook: runs inside the import transaction for each new submission."""
    attachments = [
        (a.component_id, str(Path(submission.base_dir) / a.path) if a.path else None)
        for a in submission.attachments
    ]
    replace_prechecks(conn, submission.id, spec, compute_prechecks(spec, submission.responses, attachments))


# Below this many submissions, starting worker processes costs more than it saves.
PARALLEL_FROM = 200
_worker_specs: dict[str, Spec] = {}


def _attachments_of(submission) -> list[tuple[str, str | None]]:
    return [
        (a.component_id, str(Path(submission.base_dir) / a.path) if a.path else None)
        for a in submission.attachments
    ]


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
    from mcreview.review import load_spec  # the spec cache lives there

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
                replace_prechecks(conn, submission_id, spec, compute_prechecks(spec, responses, attachments))
    return len(ids)
