"""Import submissions (YAML files, folders, JSON Lines) into the queue.

Each file is checked on its own and rejected with one line naming the file and
place; the valid rest of the batch goes in within one transaction, so an
interrupted import leaves nothing half-written. A submission is pinned to the
hash of the spec it was checked against.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcreview.core.specs import Problem, Spec, canonical_json
from mcreview.core.yamlio import YamlProblem, line_of, load_yaml
from mcreview.services.prechecks import compute_many, replace_prechecks
from mcreview.services.specfiles import read_text_file
from mcreview.store import sqlite as queue_db
from mcreview.store.sqlite import QueueDatabase

SUBMISSION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
CANDIDATE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
YAML_SUFFIXES = {".yaml", ".yml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
IMPORTER = "import"


@dataclass(frozen=True)
class Attachment:
    component_id: str
    path: str | None
    url: str | None
    description: str


@dataclass(frozen=True)
class Submission:
    id: str
    credential: str
    submitted: str
    candidate: str
    responses: dict[str, str]
    attachments: tuple[Attachment, ...]
    source: str  # file (and line, for JSON Lines) it came from
    base_dir: str  # where relative attachment paths resolve from
    content_hash: str


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


class SubmissionError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _date_text(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10]).isoformat()
        except ValueError:
            return None
    return None


def parse_submission(
    record: Any, specs: dict[str, Spec], source: str, base_dir: str, base_line: int = 0
) -> Submission:
    """Check one record against its spec; raise SubmissionError naming the line."""

    def at(container: Any, key: Any) -> int:
        return base_line or line_of(container, key, 1)

    if not isinstance(record, dict):
        raise SubmissionError(base_line or 1, "a submission must be a mapping")
    for key in ("id", "credential", "submitted", "candidate", "responses"):
        if record.get(key) in (None, ""):
            raise SubmissionError(at(record, key) if key in record else base_line or 1, f"missing '{key}'")
    submission_id = str(record["id"]).strip()
    if not SUBMISSION_ID.match(submission_id):
        raise SubmissionError(
            at(record, "id"), f"id '{submission_id[:40]}' may hold only letters, digits, '.', '_' and '-'"
        )
    credential = str(record["credential"]).strip()
    spec = specs.get(credential)
    if spec is None:
        raise SubmissionError(at(record, "credential"), f"unknown credential '{credential[:60]}'")
    submitted = _date_text(record["submitted"])
    if submitted is None:
        raise SubmissionError(at(record, "submitted"), "'submitted' must be a date (YYYY-MM-DD)")
    candidate = str(record["candidate"]).strip()
    if not CANDIDATE_CODE.match(candidate) or " " in candidate:
        raise SubmissionError(
            at(record, "candidate"), "'candidate' must be a pseudonymous code such as C-40817"
        )
    raw_responses = record["responses"]
    if not isinstance(raw_responses, dict):
        raise SubmissionError(at(record, "responses"), "'responses' must map component ids to text")
    responses: dict[str, str] = {}
    takes_response = {c.id for c in spec.components if c.takes_response}
    for key, value in raw_responses.items():
        key_text = str(key)
        if key_text not in takes_response:
            raise SubmissionError(
                at(raw_responses, key), f"'{key_text[:60]}' is not a response of credential '{credential}'"
            )
        if value is None:
            value = ""
        if not isinstance(value, (str, int, float)):
            raise SubmissionError(at(raw_responses, key), f"response '{key_text}' must be text")
        responses[key_text] = str(value)
    for part in spec.parts:
        wanted = [c.id for c in part.components if c.takes_response]
        if wanted and not any(cid in responses for cid in wanted):
            raise SubmissionError(
                at(record, "responses"),
                f"missing Part {part.number} ({part.title}): no response for {', '.join(wanted)}",
            )
    attachments = []
    raw_attachments = record.get("attachments") or []
    if not isinstance(raw_attachments, list):
        raise SubmissionError(at(record, "attachments"), "'attachments' must be a list")
    component_ids = {c.id for c in spec.components}
    for index, item in enumerate(raw_attachments):
        line = base_line or line_of(raw_attachments, index, 1)
        if not isinstance(item, dict):
            raise SubmissionError(line, "an attachment must be a mapping")
        component_id = str(item.get("component", ""))
        if component_id not in component_ids:
            raise SubmissionError(line, f"attachment names unknown component '{component_id[:60]}'")
        path, url = item.get("path"), item.get("url")
        if bool(path) == bool(url):
            raise SubmissionError(line, "an attachment needs exactly one of 'path' or 'url'")
        attachments.append(
            Attachment(
                component_id,
                str(path) if path else None,
                str(url) if url else None,
                str(item.get("description") or ""),
            )
        )
    canonical = {
        "id": submission_id,
        "credential": credential,
        "submitted": submitted,
        "candidate": candidate,
        "responses": responses,
        "attachments": [a.__dict__ for a in attachments],
    }
    content_hash = hashlib.sha256(canonical_json(canonical).encode()).hexdigest()[:16]
    return Submission(
        submission_id,
        credential,
        submitted,
        candidate,
        responses,
        tuple(attachments),
        source,
        base_dir,
        content_hash,
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


def read_submissions(paths: Iterable[Path], specs: dict[str, Spec]) -> tuple[list[Submission], list[Problem]]:
    """Parse and check every file; never raises for bad input."""
    good: list[Submission] = []
    problems: list[Problem] = []
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
                    good.append(parse_submission(record, specs, f"{name}:{number}", base_dir, number))
                except SubmissionError as error:
                    problems.append(Problem(name, number, error.message))
            continue
        try:
            record = load_yaml(text)
            good.append(parse_submission(record, specs, name, base_dir))
        except YamlProblem as error:
            problems.append(Problem(name, error.line, error.message))
        except SubmissionError as error:
            problems.append(Problem(name, error.line, error.message))
    return good, problems


def store_spec(conn: sqlite3.Connection, spec: Spec) -> None:
    """Keep the exact rubric text a submission is pinned to (once per content hash)."""
    conn.execute(
        "INSERT OR IGNORE INTO specs (hash, credential, version, title, body, loaded_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (spec.content_hash, spec.id, spec.version, spec.title, spec.body, queue_db.utc_now()),
    )


def import_submissions(
    database: QueueDatabase,
    submissions: list[Submission],
    specs: dict[str, Spec],
    report: ImportReport,
    after_insert: Any = None,
) -> None:
    """Queue the checked submissions in one transaction; conflicts are reported, not written.

    Pre-checks are computed and stored in the same transaction; `after_insert(conn,
    submission, spec)`, if given, runs there too for each new submission.
    """
    now = queue_db.utc_now()
    found = compute_many(submissions, specs)  # before the write lock: other writers keep going
    with queue_db.write(database) as conn:
        for spec in {s.credential: specs[s.credential] for s in submissions}.values():
            store_spec(conn, spec)
        seen_in_batch: dict[str, str] = {}
        for submission, checks in zip(submissions, found, strict=True):
            row = conn.execute(
                "SELECT content_hash FROM submissions WHERE id = ?", (submission.id,)
            ).fetchone()
            existing = row[0] if row else seen_in_batch.get(submission.id)
            if existing is not None:
                if existing == submission.content_hash:
                    report.already_queued.append(submission.id)
                else:
                    report.conflicts.append(
                        Problem(
                            submission.source,
                            0,
                            f"conflict: '{submission.id}' is already queued with different content;"
                            " not overwritten",
                        )
                    )
                continue
            spec = specs[submission.credential]
            conn.execute(
                "INSERT INTO submissions (id, credential, spec_hash, submitted, candidate,"
                " content_hash, source, imported_at, status, revision, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 1, ?)",
                (
                    submission.id,
                    submission.credential,
                    spec.content_hash,
                    submission.submitted,
                    submission.candidate,
                    submission.content_hash,
                    submission.source,
                    now,
                    now,
                ),
            )
            conn.executemany(
                "INSERT INTO responses (submission_id, component_id, body) VALUES (?, ?, ?)",
                [(submission.id, cid, body) for cid, body in submission.responses.items()],
            )
            conn.executemany(
                "INSERT INTO attachments (submission_id, seq, component_id, path, url, description)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        submission.id,
                        seq,
                        a.component_id,
                        _attachment_path(submission, a),
                        a.url,
                        a.description,
                    )
                    for seq, a in enumerate(submission.attachments)
                ],
            )
            queue_db.record_event(
                conn,
                IMPORTER,
                submission.id,
                "import",
                after=json.dumps({"source": submission.source, "spec": spec.content_hash}),
                at=now,
            )
            replace_prechecks(conn, submission.id, spec, checks)
            if after_insert is not None:
                after_insert(conn, submission, spec)
            seen_in_batch[submission.id] = submission.content_hash
            report.imported.append(submission.id)


def _attachment_path(submission: Submission, attachment: Attachment) -> str | None:
    """Store attachment paths absolute, so the review screen finds them from anywhere."""
    if attachment.path is None:
        return None
    path = Path(attachment.path)
    if not path.is_absolute():
        path = Path(submission.base_dir) / path
    return str(path)


def import_paths(
    database: QueueDatabase, paths: Iterable[Path], specs: dict[str, Spec], after_insert: Any = None
) -> ImportReport:
    """Read, check and queue; the report says what happened to every file."""
    submissions, problems = read_submissions(paths, specs)
    report = ImportReport(rejected=problems)
    if submissions:
        import_submissions(database, submissions, specs, report, after_insert)
    return report
