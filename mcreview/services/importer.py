"""Import submissions (YAML files, folders, JSON Lines) into the queue.

Each file is checked on its own and rejected with one line naming the file and
place; the valid rest goes in. Writes are committed in bounded chunks (a few
hundred submissions, each chunk its own short transaction), so an import of
100,000 submissions never holds the write lock long enough to keep an assessor's
key waiting. Every submission goes in whole or not at all, and importing is
idempotent by content hash: re-running an interrupted import queues exactly what
the first run did not, and reports the rest as already queued.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mcreview.core.prechecks import PreCheck, flags_of
from mcreview.core.specs import Problem, Spec
from mcreview.core.submissions import Attachment, Submission, SubmissionError, parse_submission
from mcreview.core.yamlio import YamlProblem, load_yaml
from mcreview.services.attachments import DEFAULT_LIMIT, store_content
from mcreview.services.prechecks import PrecheckPool
from mcreview.services.specfiles import read_text_file
from mcreview.store.api import NewAttachmentContent, NewSubmission, Store
from mcreview.store.transaction import Transaction

YAML_SUFFIXES = {".yaml", ".yml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
IMPORTER = "import"  # the audit trail's name for who queued a submission
CHUNK = 250  # submissions per write transaction: short enough that assessors never wait long


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    already_queued: list[str] = field(default_factory=list)
    conflicts: list[Problem] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected and not self.conflicts

    def summary(self) -> str:
        return (
            f"{len(self.imported)} imported, {len(self.already_queued)} already queued, "
            f"{len(self.conflicts)} conflicts, {len(self.rejected)} rejected"
        )


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in YAML_SUFFIXES | JSONL_SUFFIXES
            )
        else:
            yield path


def iter_submissions(
    paths: Iterable[Path], specs: dict[str, Spec], problems: list[Problem]
) -> Iterator[Submission]:
    """Parse and check every file, one submission at a time; bad input goes to `problems`."""
    for path in _files(paths):
        name = str(path)
        if not path.exists():
            problems.append(Problem(name, 0, "no such file or folder"))
            continue
        try:
            text = read_text_file(path)
        except ValueError as error:
            problems.append(Problem(name, 0, str(error)))
            continue
        base_dir = str(path.parent.resolve())
        if path.suffix.lower() in JSONL_SUFFIXES:
            # JSON Lines end at "\n" only; str.splitlines() would also split on \x85 or
            # U+2028 inside a line and misnumber every line after it.
            for number, line in enumerate(text.split("\n"), start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except (json.JSONDecodeError, RecursionError) as error:
                    message = getattr(error, "msg", "nested too deeply")
                    problems.append(Problem(name, number, f"malformed JSON: {message}"))
                    continue
                try:
                    yield parse_submission(record, specs, f"{name}:{number}", base_dir, number)
                except SubmissionError as error:
                    problems.append(Problem(name, number, error.message))
            continue
        try:
            record = load_yaml(text)
            yield parse_submission(record, specs, name, base_dir)
        except YamlProblem as error:
            problems.append(Problem(name, error.line, error.message))
        except SubmissionError as error:
            problems.append(Problem(name, error.line, error.message))


def read_submissions(paths: Iterable[Path], specs: dict[str, Spec]) -> tuple[list[Submission], list[Problem]]:
    """Parse and check every file into a list; never raises for bad input."""
    problems: list[Problem] = []
    return list(iter_submissions(paths, specs, problems)), problems


def _attachment_path(submission: Submission, path: str | None) -> str | None:
    """Store attachment paths absolute, so the review screen finds them from anywhere."""
    if path is None:
        return None
    resolved = Path(path)
    if not resolved.is_absolute():
        resolved = Path(submission.base_dir) / resolved
    return str(resolved)


def _new_submission(
    submission: Submission,
    spec: Spec,
    found: Sequence[PreCheck],
    contents: tuple[NewAttachmentContent, ...] = (),
) -> NewSubmission:
    return NewSubmission(
        id=submission.id,
        credential=submission.credential,
        candidate=submission.candidate,
        submitted=submission.submitted,
        content_hash=submission.content_hash,
        source=submission.source,
        spec_hash=spec.content_hash,
        responses=submission.responses,
        attachments=tuple(
            Attachment(a.component_id, _attachment_path(submission, a.path), a.url, a.description)
            for a in submission.attachments
        ),
        flags=flags_of(found),
        prechecks=tuple((c.component_id, c.kind, c.detail, c.start, c.end) for c in found),
        contents=contents,
    )


def _store_contents(
    store: Store, chunk: Sequence[tuple[Submission, list[PreCheck]]], limit: int
) -> list[tuple[NewAttachmentContent, ...]]:
    """Each new submission's attachment files, filed in the queue before the chunk's write
    (one file in memory at a time; a re-run finds them there already)."""
    queued = store.read(lambda tx: tx.content_hashes([s.id for s, _ in chunk]))
    return [
        ()
        if submission.id in queued
        else tuple(
            store_content(store, _attachment_path(submission, a.path), limit=limit)
            for a in submission.attachments
        )
        for submission, _ in chunk
    ]


def store_spec(tx: Transaction, spec: Spec) -> None:
    """Keep the exact rubric text a submission is pinned to (once per content hash)."""
    tx.put_spec(
        spec_hash=spec.content_hash,
        credential=spec.id,
        version=spec.version,
        title=spec.title,
        body=spec.body,
        components=[(c.id, c.part_number) for c in spec.components],
    )


def _write_chunk(
    store: Store,
    chunk: Sequence[tuple[Submission, list[PreCheck]]],
    specs: dict[str, Spec],
    report: ImportReport,
    seen: dict[str, str],
    attachment_limit: int = DEFAULT_LIMIT,
) -> None:
    """One short transaction: queue what is new in the chunk; report the rest."""
    contents = _store_contents(store, chunk, attachment_limit)

    def work(tx: Transaction) -> tuple[list[str], list[str], list[Problem]]:
        imported: list[str] = []
        already: list[str] = []
        conflicts: list[Problem] = []
        for spec in {s.credential: specs[s.credential] for s, _ in chunk}.values():
            store_spec(tx, spec)
        stored = tx.content_hashes([s.id for s, _ in chunk])
        batch_seen: dict[str, str] = {}
        for (submission, found), stored_contents in zip(chunk, contents, strict=True):
            existing = stored.get(submission.id) or batch_seen.get(submission.id) or seen.get(submission.id)
            if existing is not None:
                if existing == submission.content_hash:
                    already.append(submission.id)
                else:
                    conflicts.append(
                        Problem(
                            submission.source,
                            0,
                            f"conflict: '{submission.id}' is already queued with different content;"
                            " not overwritten",
                        )
                    )
                continue
            spec = specs[submission.credential]
            tx.add_submission(_new_submission(submission, spec, found, stored_contents), importer=IMPORTER)
            batch_seen[submission.id] = submission.content_hash
            imported.append(submission.id)
        return imported, already, conflicts

    imported, already, conflicts = store.write(work)
    # Only once the chunk is committed: a retried transaction must not report twice.
    for submission, _ in chunk:
        if submission.id in imported:
            seen[submission.id] = submission.content_hash
    report.imported.extend(imported)
    report.already_queued.extend(already)
    report.conflicts.extend(conflicts)


def import_submissions(
    store: Store,
    submissions: Iterable[Submission],
    specs: dict[str, Spec],
    report: ImportReport,
    *,
    chunk_size: int = CHUNK,
    attachment_limit: int = DEFAULT_LIMIT,
) -> None:
    """Queue checked submissions, committed a chunk at a time.

    Pre-checks are computed outside the write lock (on every core for a big import),
    so other writers keep going while the text is checked.
    """
    seen: dict[str, str] = {}
    with PrecheckPool(specs) as pool:
        for chunk in pool.checked_chunks(submissions, chunk_size):
            _write_chunk(store, chunk, specs, report, seen, attachment_limit)


def import_paths(
    store: Store,
    paths: Iterable[Path],
    specs: dict[str, Spec],
    *,
    chunk_size: int = CHUNK,
    attachment_limit: int = DEFAULT_LIMIT,
) -> ImportReport:
    """Read, check and queue; the report says what happened to every file."""
    report = ImportReport()
    submissions = iter_submissions(paths, specs, report.rejected)
    import_submissions(
        store, submissions, specs, report, chunk_size=chunk_size, attachment_limit=attachment_limit
    )
    return report
