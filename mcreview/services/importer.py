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
from datetime import datetime, timedelta
from pathlib import Path

from mcreview.core.prechecks import PreCheck, flags_of
from mcreview.core.programme import Policy, Programme
from mcreview.core.specs import Problem, Spec
from mcreview.core.submissions import Attachment, Submission, SubmissionError, parse_submission
from mcreview.core.vocabulary import Outcome, Status, outcome_label
from mcreview.core.yamlio import YamlProblem, load_yaml
from mcreview.services.attachments import DEFAULT_LIMIT, store_content
from mcreview.services.library import SpecLibrary
from mcreview.services.prechecks import PrecheckPool
from mcreview.services.programme import programme_in
from mcreview.services.readings import readings_to_draw
from mcreview.services.specfiles import read_text_file
from mcreview.store.api import (
    CarriedLevel,
    NewAttachmentContent,
    NewSubmission,
    Store,
    SubmissionKey,
    SubmissionRow,
)
from mcreview.store.transaction import Transaction

YAML_SUFFIXES = {".yaml", ".yml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
IMPORTER = "import"  # the audit trail's name for who queued a submission
# One submission per YAML file. PyYAML reads a few MB a second, so a file far larger than
# any submission (each response holds at most MAX_RESPONSE_CHARS) would stall the import
# before the per-response check could refuse it; JSON Lines has no such limit.
MAX_YAML_BYTES = 32 * 1024 * 1024
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
        file_size = path.stat().st_size
        if path.suffix.lower() not in JSONL_SUFFIXES and file_size > MAX_YAML_BYTES:
            size = f"{file_size / 1024 / 1024:,.0f} MB"
            limit = f"{MAX_YAML_BYTES // 1024 // 1024} MB"
            message = f"{size}: a YAML submission may be at most {limit} (JSON Lines has no limit)"
            problems.append(Problem(name, 0, message))
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
                    parsed = parse_submission(record, specs, f"{name}:{number}", base_dir, number, file=name)
                except SubmissionError as error:
                    problems.append(Problem(name, number, error.message))
                    continue
                yield from _checked_on_disk(parsed, problems)
            continue
        try:
            record = load_yaml(text)
            parsed = parse_submission(record, specs, name, base_dir, file=name)
        except YamlProblem as error:
            problems.append(Problem(name, error.line, error.message))
            continue
        except SubmissionError as error:
            problems.append(Problem(name, error.line, error.message))
            continue
        yield from _checked_on_disk(parsed, problems)


def escaping_link(submission: Submission) -> str | None:
    """The first attachment path that leads outside the submission's folder through a
    symbolic link, or None. The path text was checked already (no '..', nothing absolute);
    a link inside the folder could still point at any file the importing user can read,
    which would then be copied into the queue for every assessor to see."""
    folder = Path(submission.base_dir).resolve()
    for attachment in submission.attachments:
        if attachment.path is None:
            continue
        target = (Path(submission.base_dir) / attachment.path).resolve()
        if target != folder and folder not in target.parents:
            return attachment.path
    return None


def _checked_on_disk(submission: Submission, problems: list[Problem]) -> Iterator[Submission]:
    link = escaping_link(submission)
    if link is None:
        yield submission
        return
    message = f"attachment path '{link[:120]}' is a symbolic link that leads outside the submission's folder"
    problems.append(Problem(submission.file or submission.source, submission.line, message))


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
    *,
    readings: int = 1,
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
        attempt=submission.attempt,
        note=submission.note,
        readings_needed=readings,
        contents=contents,
    )


def _store_contents(
    store: Store, chunk: Sequence[tuple[Submission, list[PreCheck]]], limit: int
) -> list[tuple[NewAttachmentContent, ...]]:
    """Each new submission's attachment files, filed in the queue before the chunk's write
    (one file in memory at a time; a re-run finds them there already)."""
    queued = store.read(lambda tx: tx.attempt_hashes([s.id for s, _ in chunk]))
    return [
        ()
        if submission.content_hash in queued.get(submission.id, {}).values()
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


def _refusal(submission: Submission, message: str) -> Problem:
    return Problem(submission.file or submission.source, submission.line, message)


def _previous_assessor(tx: Transaction, assessor: str, policy: Policy) -> str | None:
    """The previous attempt's assessor, if they are still active (recorded anything lately)."""
    last = tx.last_activity(assessor)
    if last is None:
        return None
    idle = datetime.fromisoformat(tx.now()) - datetime.fromisoformat(last)
    return assessor if idle <= timedelta(days=policy.active_days) else None


def _carried_levels(
    tx: Transaction, row: SubmissionRow, spec: Spec, library: SpecLibrary
) -> list[CarriedLevel]:
    """The levels that passed on the previous attempt and mean the same on the new rubric."""
    decision = tx.final_decision(row.id, row.attempt)
    if decision is None:
        return []
    old_spec = library.spec(tx, row.spec_hash)
    carried = []
    for component_id, level in tx.levels(SubmissionKey(row.id, row.attempt, decision.revision)).items():
        try:
            old, new = old_spec.component(component_id), spec.component(component_id)
        except KeyError:
            continue
        if (
            old.is_passing(level)
            and new.scale is not None
            and level in new.scale.levels
            and new.is_passing(level)
        ):
            carried.append(CarriedLevel(component_id, level, True, spec.content_hash, row.attempt))
    return carried


def _queue_attempt(
    tx: Transaction,
    submission: Submission,
    found: list[PreCheck],
    spec: Spec,
    programme: Programme,
    library: SpecLibrary,
    contents: tuple[NewAttachmentContent, ...] = (),
) -> Problem | None:
    """Queue a resubmission if the cycle allows it, or say in one line why not."""
    row = tx.submission(submission.id)
    assert row is not None
    label = f"'{submission.id}' attempt {submission.attempt}"
    if submission.attempt != row.attempt + 1:
        return _refusal(
            submission, f"{label} cannot follow attempt {row.attempt}: attempts are numbered 1, 2, 3 …"
        )
    if (row.credential, row.candidate) != (submission.credential, submission.candidate):
        return _refusal(
            submission,
            f"{label} is for {submission.credential} by {submission.candidate}, but attempt {row.attempt}"
            f" is for {row.credential} by {row.candidate}",
        )
    policy = programme.policy(submission.credential)
    if submission.attempt > policy.attempts:
        return _refusal(
            submission,
            f"{label} is past the limit of {policy.attempts} attempts for {submission.credential}"
            " (programme setting 'attempts')",
        )
    status = Status(row.status)
    decision = tx.final_decision(row.id, row.attempt)
    if status.is_open:
        return _refusal(
            submission,
            f"{label}: attempt {row.attempt} is still {status.label};"
            " import the resubmission once it is decided",
        )
    if status is not Status.RETURNED and (decision is None or decision.outcome != Outcome.NOT_YET):
        outcome = outcome_label(decision.outcome) if decision is not None else status.label
        return _refusal(
            submission, f"{label}: attempt {row.attempt} was decided {outcome}; nothing to resubmit"
        )
    routed_to = None
    if policy.routing == "previous-assessor" and decision is not None:
        routed_to = _previous_assessor(tx, decision.assessor, policy)
    carried = _carried_levels(tx, row, spec, library) if policy.carry_over == "passed" else []
    tx.add_attempt(
        _new_submission(
            submission, spec, found, readings=readings_to_draw(policy, submission.id, submission.attempt)
        ),
        importer=IMPORTER,
        routed_to=routed_to,
        carried=carried,
    )
    return None


def _write_chunk(
    store: Store,
    chunk: Sequence[tuple[Submission, list[PreCheck]]],
    specs: dict[str, Spec],
    report: ImportReport,
    library: SpecLibrary,
    attachment_limit: int = DEFAULT_LIMIT,
) -> None:
    """One short transaction: queue what is new in the chunk (new submissions and the
    attempts that continue earlier ones); report the rest."""
    contents = _store_contents(store, chunk, attachment_limit)  # filed before the chunk's write

    def work(tx: Transaction) -> ImportReport:
        done = ImportReport()
        programme = programme_in(tx)
        for spec in {s.credential: specs[s.credential] for s, _ in chunk}.values():
            store_spec(tx, spec)
        stored = tx.attempt_hashes([s.id for s, _ in chunk])
        for (submission, found), stored_contents in zip(chunk, contents, strict=True):
            spec = specs[submission.credential]
            attempts = stored.get(submission.id)
            if attempts is None:  # a new submission (or a resubmission whose first attempt is unknown)
                if submission.attempt > 1:
                    done.rejected.append(
                        _refusal(
                            submission,
                            f"'{submission.id}' attempt {submission.attempt}:"
                            " no earlier attempt of it is queued",
                        )
                    )
                    continue
                draw = readings_to_draw(programme.policy(submission.credential), submission.id, 1)
                new = _new_submission(submission, spec, found, stored_contents, readings=draw)
                tx.add_submission(new, importer=IMPORTER)
                stored[submission.id] = {1: submission.content_hash}
                done.imported.append(submission.id)
            elif submission.content_hash in attempts.values():
                done.already_queued.append(submission.id)
            elif submission.attempt in attempts:
                hint = " (a resubmission says attempt: 2)" if submission.attempt == 1 else ""
                done.conflicts.append(
                    _refusal(
                        submission,
                        f"conflict: '{submission.id}' attempt {submission.attempt} is already queued with"
                        f" different content; not overwritten{hint}",
                    )
                )
            else:
                refused = _queue_attempt(tx, submission, found, spec, programme, library, stored_contents)
                if refused is not None:
                    done.rejected.append(refused)
                    continue
                attempts[submission.attempt] = submission.content_hash
                done.imported.append(submission.id)
        return done

    # Reported only once the chunk is committed: a retried transaction must not report twice.
    done = store.write(work)
    report.imported.extend(done.imported)
    report.already_queued.extend(done.already_queued)
    report.conflicts.extend(done.conflicts)
    report.rejected.extend(done.rejected)


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
    library = SpecLibrary()
    with PrecheckPool(specs) as pool:
        for chunk in pool.checked_chunks(submissions, chunk_size):
            _write_chunk(store, chunk, specs, report, library, attachment_limit)


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
