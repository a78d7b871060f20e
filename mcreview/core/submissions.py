"""The submission format: one record checked against its credential's spec.

Pure: a record (parsed YAML or JSON) in, a checked Submission or a SubmissionError
naming the line out. Reading files and writing the queue is the importer's job
(mcreview.services.importer); see docs/submission-format.md for the format.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from mcreview.core.specs import Spec, canonical_json
from mcreview.core.textsafe import visible_controls
from mcreview.core.yamlio import line_of

SUBMISSION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
CANDIDATE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
MAX_ATTEMPT = 99
RECORD_KEYS = (
    "id",
    "credential",
    "submitted",
    "candidate",
    "responses",
    "attachments",
    "attempt",
    "resubmission_note",
)
# The most text one response may hold: about 150,000 words, far past any word limit.
# A longer one is refused at import, so no response in the queue is too big to read.
MAX_RESPONSE_CHARS = 1_000_000


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
    attempt: int = 1  # 2 and up: a resubmission continuing the same id
    note: str = ""  # the candidate's resubmission note
    file: str = ""  # the file it came from, for error lines
    line: int = 0  # where in that file (its JSON Lines line, or the YAML line of `attempt`)


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


def attachment_path_problem(path: str) -> str | None:
    """Why an attachment path may not be used, or None: it must name a file inside the
    submission's own folder. Checked on the text alone (the disk is never asked about a
    path refused here): no absolute path, no '..' part, and none of the characters that
    could smuggle either past this check (a backslash, a NUL, a control character)."""
    if "\x00" in path or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in path):
        return "holds a control character"
    if "\\" in path:
        return "holds a backslash (write paths with '/')"
    if path.startswith("/"):
        return "is absolute: it must be relative to the submission's folder"
    if re.match(r"^[A-Za-z]:", path):
        return "names a drive: it must be relative to the submission's folder"
    if ".." in path.split("/"):
        return "leaves the submission's folder ('..')"
    return None


def parse_submission(
    record: Any, specs: dict[str, Spec], source: str, base_dir: str, base_line: int = 0, *, file: str = ""
) -> Submission:
    """Check one record against its spec; raise SubmissionError naming the line."""

    def at(container: Any, key: Any) -> int:
        return base_line or line_of(container, key, 1)

    if not isinstance(record, dict):
        raise SubmissionError(base_line or 1, "a submission must be a mapping")
    for key in record:
        if str(key) not in RECORD_KEYS:
            near = difflib.get_close_matches(str(key), RECORD_KEYS, n=1, cutoff=0.6)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            shown = visible_controls(str(key)[:40]).replace("\n", "⏎")
            raise SubmissionError(at(record, key), f"unknown key '{shown}'{hint}")
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
        text = str(value)
        if len(text) > MAX_RESPONSE_CHARS:
            raise SubmissionError(
                at(raw_responses, key),
                f"response '{key_text}' is {len(text):,} characters;"
                f" the most a response may hold is {MAX_RESPONSE_CHARS:,}",
            )
        responses[key_text] = text
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
        if path:
            problem = attachment_path_problem(str(path))
            if problem is not None:
                raise SubmissionError(line, f"attachment path '{str(path)[:120]}' {problem}")
        attachments.append(
            Attachment(
                component_id,
                str(path) if path else None,
                str(url) if url else None,
                str(item.get("description") or ""),
            )
        )
    attempt = record.get("attempt", 1)
    if isinstance(attempt, bool) or not isinstance(attempt, int) or not 1 <= attempt <= MAX_ATTEMPT:
        raise SubmissionError(
            at(record, "attempt"), f"'attempt' must be a whole number from 1 to {MAX_ATTEMPT}"
        )
    note = record.get("resubmission_note")
    if note is not None and not isinstance(note, str):
        raise SubmissionError(at(record, "resubmission_note"), "'resubmission_note' must be text")
    if note and attempt == 1:
        raise SubmissionError(
            at(record, "resubmission_note"),
            "'resubmission_note' goes with a resubmission (attempt: 2 or more)",
        )
    canonical: dict[str, Any] = {
        "id": submission_id,
        "credential": credential,
        "submitted": submitted,
        "candidate": candidate,
        "responses": responses,
        "attachments": [a.__dict__ for a in attachments],
    }
    if attempt > 1:  # first attempts hash as they always have, so re-imports stay idempotent
        canonical["attempt"] = attempt
        canonical["resubmission_note"] = note or ""
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
        attempt=attempt,
        note=(note or "").strip(),
        file=file or source,
        line=base_line or line_of(record, "attempt" if "attempt" in record else "id", 1),
    )
