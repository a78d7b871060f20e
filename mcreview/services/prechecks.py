"""Pre-checks at import and on demand: look at the disk, compute, store.

The checks themselves are pure (mcreview.core.prechecks); here the attachment files
are looked for, the work is spread over every core for a big import, and the
findings go to the store.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from types import TracebackType

from mcreview.core.prechecks import PreCheck, compute_prechecks, flags_of
from mcreview.core.specs import Spec
from mcreview.core.submissions import Submission
from mcreview.services.library import SpecLibrary
from mcreview.store.api import Store
from mcreview.store.transaction import Transaction

# Below this many submissions, starting worker processes costs more than it saves.
PARALLEL_FROM = 200
JOB_BATCH = 32  # submissions per task sent to a worker process
_worker_specs: dict[str, Spec] = {}

Job = tuple[str, dict[str, str], list[tuple[str, str | None]]]


def attachment_facts(
    attachments: Sequence[tuple[str, str | None]],
) -> list[tuple[str, str | None, bool]]:
    """(component id, file name, present) for each (component id, absolute path or None)."""
    facts: list[tuple[str, str | None, bool]] = []
    for component_id, path in attachments:
        if path is None:
            facts.append((component_id, None, True))  # a link: nothing on disk to look for
        else:
            facts.append((component_id, Path(path).name, Path(path).exists()))
    return facts


def _job(submission: Submission) -> Job:
    paths = [
        (a.component_id, str(Path(submission.base_dir) / a.path) if a.path else None)
        for a in submission.attachments
    ]
    return (submission.credential, submission.responses, paths)


def _init_worker(specs: dict[str, Spec]) -> None:
    _worker_specs.clear()
    _worker_specs.update(specs)


def _compute_jobs(jobs: list[Job]) -> list[list[PreCheck]]:
    return [
        compute_prechecks(_worker_specs[credential], responses, attachment_facts(paths))
        for credential, responses, paths in jobs
    ]


def _batches(items: Sequence[Job], size: int) -> Iterator[list[Job]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class PrecheckPool:
    """Computes pre-checks for a stream of submissions, a chunk at a time.

    The checks are pure functions of the text (a few ms of CPU each for a typical
    submission), so a big import computes them in worker processes, one chunk ahead
    of the chunk being written, instead of inside its write transaction. Small
    imports (under PARALLEL_FROM) run them in this process.
    """

    def __init__(self, specs: dict[str, Spec], workers: int | None = None) -> None:
        self.specs = specs
        self.workers = workers or os.cpu_count() or 1
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> PrecheckPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def _submit(self, chunk: list[Submission]) -> list[Future[list[list[PreCheck]]]]:
        assert self.pool is not None
        return [
            self.pool.submit(_compute_jobs, batch) for batch in _batches([_job(s) for s in chunk], JOB_BATCH)
        ]

    def checked_chunks(
        self, submissions: Iterable[Submission], size: int
    ) -> Iterator[list[tuple[Submission, list[PreCheck]]]]:
        stream = iter(submissions)
        head = list(islice(stream, PARALLEL_FROM))
        chunks = _chunks(head, stream, size)
        if self.workers < 2 or len(head) < PARALLEL_FROM:
            _init_worker(self.specs)
            for chunk in chunks:
                yield list(zip(chunk, _compute_jobs([_job(s) for s in chunk]), strict=True))
            return
        self.pool = ProcessPoolExecutor(self.workers, initializer=_init_worker, initargs=(self.specs,))
        ahead: tuple[list[Submission], list[Future[list[list[PreCheck]]]]] | None = None
        for chunk in chunks:
            current, ahead = ahead, (chunk, self._submit(chunk))
            if current is not None:
                yield _collect(current)
        if ahead is not None:
            yield _collect(ahead)


def _chunks(head: list[Submission], rest: Iterator[Submission], size: int) -> Iterator[list[Submission]]:
    for start in range(0, len(head), size):
        yield head[start : start + size]
    # A short last chunk of the head is not topped up: chunks stay bounded either way.
    while chunk := list(islice(rest, size)):
        yield chunk


def _collect(
    pending: tuple[list[Submission], list[Future[list[list[PreCheck]]]]],
) -> list[tuple[Submission, list[PreCheck]]]:
    chunk, futures = pending
    found = [checks for future in futures for checks in future.result()]
    return list(zip(chunk, found, strict=True))


def compute_many(
    submissions: Sequence[Submission], specs: dict[str, Spec], workers: int | None = None
) -> list[list[PreCheck]]:
    """Every submission's findings, in order (on all cores when there are many)."""
    with PrecheckPool(specs, workers) as pool:
        return [found for chunk in pool.checked_chunks(submissions, 10**9) for _, found in chunk]


def load_prechecks(store: Store, submission_id: str) -> list[PreCheck]:
    """The findings on a submission's current attempt (none if it is not queued)."""

    def work(tx: Transaction) -> list[PreCheck]:
        row = tx.submission(submission_id)
        return tx.prechecks(row.id, row.attempt) if row is not None else []

    return store.read(work)


def _recheck(tx: Transaction, library: SpecLibrary, submission_id: str) -> None:
    row = tx.submission(submission_id)
    if row is None:
        return
    spec = library.spec(tx, row.spec_hash)
    responses = tx.responses(row.id, row.attempt)
    attachments = tx.attachments(row.id, row.attempt)
    facts = attachment_facts([(a.component_id, a.path) for a in attachments])
    # A file whose bytes are in the queue is there, whichever host recomputes.
    facts = [
        (cid, name, present or a.stored) for (cid, name, present), a in zip(facts, attachments, strict=True)
    ]
    found = compute_prechecks(spec, responses, facts)
    tx.replace_prechecks(row, found, flags=flags_of(found))


def _next_ids(store: Store, after: str, limit: int) -> list[str]:
    return store.read(lambda tx: tx.submission_ids(after=after, limit=limit))


def recompute_all(store: Store, library: SpecLibrary, *, batch: int = 500) -> int:
    """Recompute every submission's pre-checks against its pinned spec (after the checks
    themselves improve); one short transaction per batch of submissions."""
    done = 0
    after = ""
    while True:
        ids = _next_ids(store, after, batch)
        if not ids:
            return done

        def work(tx: Transaction, ids: list[str] = ids) -> None:
            for submission_id in ids:
                _recheck(tx, library, submission_id)

        store.write(work)
        done += len(ids)
        after = ids[-1]
