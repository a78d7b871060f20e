"""Every statement the services run, written once for every SQL backend.

A Transaction wraps one open database transaction. Its methods are the typed
operations the services call; the SQL is written in the subset SQLite and
PostgreSQL share (ON CONFLICT upserts, row values, RETURNING), with `?`
placeholders that a backend's Dialect rewrites for its driver. Nothing here
commits: the Store that opened the transaction does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from mcreview.core.vocabulary import LEAD_STATUSES, OPEN_STATUSES, Status
from mcreview.store.records import (
    OPEN_WORK,
    AttachmentContent,
    AttachmentRow,
    CarriedLevel,
    ClaimRow,
    ContentState,
    DecisionRow,
    EventRow,
    ExportAttachment,
    ExportDecision,
    ExportResponse,
    ExportScore,
    GoldReading,
    NewAttachmentContent,
    NewDecision,
    NewSubmission,
    PhraseRow,
    QueueFilter,
    QueueRow,
    ReadingPair,
    ReadingRow,
    StoreError,
    SubmissionKey,
    SubmissionRow,
    SyncBatchRow,
    TableInfo,
)

if TYPE_CHECKING:
    from mcreview.core.prechecks import PreCheck


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Dialect(Protocol):
    """What differs between backends, kept to a handful of hooks."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    #: an SQL expression for the database's current time as ISO 8601 text in UTC
    now_sql: str

    def tables(self) -> list[TableInfo]:
        """The queue's tables, from the backend's own catalogue (not its bookkeeping)."""
        ...

    def reset_identities(self) -> None:
        """After rows were copied in with their ids: the next generated id follows them."""
        ...


_SUBMISSION_COLUMNS = (
    "id, credential, candidate, attempt, submitted, status, revision, assessor, spec_hash, flags, routed_to"
)
_EVENT_COLUMNS = "id, at, assessor, submission_id, action, target, before, after"
_OPEN_LIST = ", ".join(f"'{status.value}'" for status in sorted(OPEN_STATUSES))
_LEAD_LIST = ", ".join(f"'{status.value}'" for status in sorted(LEAD_STATUSES))


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class Transaction:
    """One open transaction; see the module docstring."""

    db: Dialect
    _now: str | None = None

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.db.execute(sql, params).fetchone()

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self.db.execute(sql, params).fetchall()

    def now(self) -> str:
        """The database's time, read once per transaction: every row it writes agrees."""
        if self._now is None:
            self._now = str(self._one(f"SELECT {self.db.now_sql}")[0])
        return self._now

    # -- specs -------------------------------------------------------------------

    def put_spec(
        self,
        *,
        spec_hash: str,
        credential: str,
        version: str,
        title: str,
        body: str,
        components: Sequence[tuple[str, int]],
    ) -> None:
        """Keep the exact rubric a submission is pinned to, once per content hash, with
        each component's rubric position and part (exports order and label scores by them)."""
        cursor = self.db.execute(
            "INSERT INTO specs (hash, credential, version, title, body, loaded_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (hash) DO NOTHING",
            (spec_hash, credential, version, title, body, self.now()),
        )
        if cursor.rowcount:
            self.db.executemany(
                "INSERT INTO spec_components (spec_hash, component_id, position, part) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (spec_hash, component_id) DO NOTHING",
                [(spec_hash, cid, position, part) for position, (cid, part) in enumerate(components)],
            )

    def spec_body(self, spec_hash: str) -> str | None:
        row = self._one("SELECT body FROM specs WHERE hash = ?", (spec_hash,))
        return row[0] if row else None

    def spec_hashes(self) -> list[str]:
        return [row[0] for row in self._all("SELECT hash FROM specs ORDER BY loaded_at, hash")]

    def spec_versions(self, credential: str) -> list[tuple[str, str]]:
        """Every rubric stored for a credential, as (version, content hash), oldest first."""
        return [
            (row[0], row[1])
            for row in self._all(
                "SELECT version, hash FROM specs WHERE credential = ? ORDER BY loaded_at, hash", (credential,)
            )
        ]

    def current_spec_hash(self, credential: str) -> str | None:
        """The rubric most recently loaded for a credential: the one new imports use."""
        row = self._one(
            "SELECT hash FROM specs WHERE credential = ? ORDER BY loaded_at DESC, hash DESC LIMIT 1",
            (credential,),
        )
        return row[0] if row else None

    def movable_to(self, credential: str, spec_hash: str) -> list[str]:
        """Pending submissions of a credential on another rubric, with no level or comment yet."""
        return [
            row[0]
            for row in self._all(
                "SELECT s.id FROM submissions s WHERE s.credential = ? AND s.spec_hash != ? AND s.status = ?"
                " AND NOT EXISTS (SELECT 1 FROM scores sc WHERE sc.submission_id = s.id"
                " AND sc.attempt = s.attempt)"
                " AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.submission_id = s.id"
                " AND c.attempt = s.attempt)"
                " ORDER BY s.id",
                (credential, spec_hash, Status.PENDING.value),
            )
        ]

    def repin(self, row: SubmissionRow, spec_hash: str) -> None:
        """Move an unscored attempt to another rubric of its credential."""
        self.db.execute("UPDATE submissions SET spec_hash = ? WHERE id = ?", (spec_hash, row.id))
        self.db.execute(
            "UPDATE attempts SET spec_hash = ? WHERE submission_id = ? AND attempt = ?",
            (spec_hash, row.id, row.attempt),
        )

    def credential_titles(self) -> dict[str, str]:
        """Each credential's title, as the most recently loaded spec names it."""
        return dict(self._all("SELECT credential, title FROM specs ORDER BY loaded_at, hash"))

    # -- submissions ---------------------------------------------------------------

    def submission(self, submission_id: str) -> SubmissionRow | None:
        row = self._one(f"SELECT {_SUBMISSION_COLUMNS} FROM submissions WHERE id = ?", (submission_id,))
        return SubmissionRow(*row) if row else None

    def content_hashes(self, submission_ids: Sequence[str]) -> dict[str, str]:
        """The stored content hash of each of these ids that is already queued."""
        found: dict[str, str] = {}
        for start in range(0, len(submission_ids), 500):
            chunk = list(submission_ids[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            found.update(self._all(f"SELECT id, content_hash FROM submissions WHERE id IN ({marks})", chunk))
        return found

    def add_submission(self, new: NewSubmission, *, importer: str) -> None:
        """Queue a checked new submission: its first attempt, with its event."""
        now = self.now()
        self.db.execute(
            "INSERT INTO submissions (id, credential, spec_hash, submitted, candidate, content_hash, source,"
            " imported_at, status, revision, attempt, flags, updated_at, calibration_of, routed_to)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)",
            (
                new.id,
                new.credential,
                new.spec_hash,
                new.submitted,
                new.candidate,
                new.content_hash,
                new.source,
                now,
                Status.PENDING.value,
                new.attempt,
                new.flags,
                now,
                new.calibration_of,
                new.routed_to,
            ),
        )
        self._add_attempt_content(new)
        self.record_event(
            assessor=importer,
            submission_id=new.id,
            attempt=new.attempt,
            action="import",
            after=json.dumps({"source": new.source, "spec": new.spec_hash}),
        )

    def add_attempt(
        self, new: NewSubmission, *, importer: str, routed_to: str | None, carried: Sequence[CarriedLevel]
    ) -> None:
        """Queue a resubmission as the submission's next attempt: pending, revision 1, pinned
        to the rubric it was imported against; the earlier attempts stay as they were."""
        now = self.now()
        self.db.execute(
            "UPDATE submissions SET attempt = ?, spec_hash = ?, submitted = ?, content_hash = ?, source = ?,"
            " imported_at = ?, status = ?, revision = 1, assessor = NULL, flags = ?, routed_to = ?,"
            " updated_at = ? WHERE id = ?",
            (
                new.attempt,
                new.spec_hash,
                new.submitted,
                new.content_hash,
                new.source,
                now,
                Status.PENDING.value,
                new.flags,
                routed_to,
                now,
                new.id,
            ),
        )
        self._add_attempt_content(new)
        key = SubmissionKey(new.id, new.attempt, 1)
        for level in carried:
            self.db.execute(
                "INSERT INTO scores (submission_id, attempt, revision, reading, component_id, level, passing,"
                " spec_hash, assessor, scored_at, carried_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key.submission_id,
                    key.attempt,
                    key.revision,
                    key.reading,
                    level.component_id,
                    level.level,
                    int(level.passing),
                    level.spec_hash,
                    importer,
                    now,
                    level.from_attempt,
                ),
            )
        self.record_event(
            assessor=importer,
            submission_id=new.id,
            attempt=new.attempt,
            action="resubmit",
            target=f"attempt {new.attempt}",
            after=json.dumps(
                {
                    "source": new.source,
                    "spec": new.spec_hash,
                    "routed_to": routed_to,
                    "carried": [level.component_id for level in carried],
                }
            ),
        )

    def _add_attempt_content(self, new: NewSubmission) -> None:
        self.db.execute(
            "INSERT INTO attempts (submission_id, attempt, spec_hash, submitted, content_hash, source, note,"
            " imported_at, readings_needed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                new.id,
                new.attempt,
                new.spec_hash,
                new.submitted,
                new.content_hash,
                new.source,
                new.note,
                self.now(),
                new.readings_needed,
            ),
        )
        self.db.executemany(
            "INSERT INTO responses (submission_id, attempt, component_id, body) VALUES (?, ?, ?, ?)",
            [(new.id, new.attempt, cid, body) for cid, body in new.responses.items()],
        )
        contents = new.contents or tuple(
            NewAttachmentContent(ContentState.LINK if a.path is None else ContentState.NOT_STORED)
            for a in new.attachments
        )
        self.db.executemany(
            "INSERT INTO attachments (submission_id, attempt, seq, component_id, path, url, description,"
            " content_state, content_sha256, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (new.id, new.attempt, seq, a.component_id, a.path, a.url, a.description)
                + (str(c.state), c.sha256, c.size)
                for seq, (a, c) in enumerate(zip(new.attachments, contents, strict=True))
            ],
        )
        self._insert_prechecks(new.id, new.attempt, new.spec_hash, new.prechecks)

    def attempt_hashes(self, submission_ids: Sequence[str]) -> dict[str, dict[int, str]]:
        """For each of these ids already queued: every attempt's content hash."""
        found: dict[str, dict[int, str]] = {}
        for start in range(0, len(submission_ids), 500):
            chunk = list(submission_ids[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            for sid, attempt, content_hash in self._all(
                f"SELECT submission_id, attempt, content_hash FROM attempts WHERE submission_id IN ({marks})",
                chunk,
            ):
                found.setdefault(sid, {})[int(attempt)] = content_hash
        return found

    def attempt_note(self, submission_id: str, attempt: int) -> str:
        row = self._one(
            "SELECT note FROM attempts WHERE submission_id = ? AND attempt = ?", (submission_id, attempt)
        )
        return row[0] if row else ""

    def attempt_spec_hash(self, submission_id: str, attempt: int) -> str | None:
        row = self._one(
            "SELECT spec_hash FROM attempts WHERE submission_id = ? AND attempt = ?", (submission_id, attempt)
        )
        return row[0] if row else None

    def calibration_of(self, submission_id: str) -> str | None:
        """The gold submission this one is an unmarked calibration copy of, if it is one."""
        row = self._one("SELECT calibration_of FROM submissions WHERE id = ?", (submission_id,))
        return row[0] if row else None

    def set_route(self, submission_id: str, routed_to: str | None) -> None:
        self.db.execute("UPDATE submissions SET routed_to = ? WHERE id = ?", (routed_to, submission_id))

    def last_activity(self, assessor: str) -> str | None:
        """When the assessor last recorded anything (their latest event)."""
        row = self._one("SELECT max(at) FROM events WHERE assessor = ?", (assessor,))
        return row[0] if row else None

    def responses(self, submission_id: str, attempt: int) -> dict[str, str]:
        return dict(
            self._all(
                "SELECT component_id, body FROM responses WHERE submission_id = ? AND attempt = ?",
                (submission_id, attempt),
            )
        )

    def attachments(self, submission_id: str, attempt: int) -> list[AttachmentRow]:
        return [
            AttachmentRow(*row)
            for row in self._all(
                "SELECT a.component_id, a.path, a.url, a.description, a.seq, a.content_state,"
                " a.content_sha256, a.size, c.media_type FROM attachments a"
                " LEFT JOIN attachment_contents c ON c.sha256 = a.content_sha256"
                " WHERE a.submission_id = ? AND a.attempt = ? ORDER BY a.seq",
                (submission_id, attempt),
            )
        ]

    # -- attachment contents ---------------------------------------------------------

    def has_content(self, sha256: str) -> bool:
        return self._one("SELECT 1 FROM attachment_contents WHERE sha256 = ?", (sha256,)) is not None

    def put_content(self, content: AttachmentContent) -> None:
        """File an attachment's bytes under their SHA-256, once (the importer does this before
        the submission that points at them)."""
        self.db.execute(
            "INSERT INTO attachment_contents (sha256, size, media_type, content, stored_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
            (content.sha256, content.size, content.media_type, content.content, self.now()),
        )

    def attachment_content(self, submission_id: str, attempt: int, seq: int) -> AttachmentContent | None:
        """The stored bytes of one attachment, or None when they are not in the queue."""
        row = self._one(
            "SELECT c.sha256, c.size, c.media_type, c.content FROM attachments a"
            " JOIN attachment_contents c ON c.sha256 = a.content_sha256"
            " WHERE a.submission_id = ? AND a.attempt = ? AND a.seq = ?",
            (submission_id, attempt, seq),
        )
        return AttachmentContent(row[0], int(row[1]), row[2], bytes(row[3])) if row else None

    def set_status(self, submission_id: str, *, status: Status, assessor: str) -> None:
        self.db.execute(
            "UPDATE submissions SET status = ?, assessor = ?, updated_at = ? WHERE id = ?",
            (status.value, assessor, self.now(), submission_id),
        )

    def start_review(self, submission_id: str, *, assessor: str) -> None:
        """Pending becomes in review (any other status stays); the assessor is the last writer.

        Only when that changes the row: every level key calls this, and rewriting the same
        row (and its index entries) on each key was lock time for everyone else writing,
        and, on PostgreSQL, a write that SERIALIZABLE units of work conflicted on."""
        self.db.execute(
            "UPDATE submissions SET status = CASE WHEN status = ? THEN ? ELSE status END,"
            " assessor = ?, updated_at = ? WHERE id = ? AND (status = ? OR assessor IS NULL OR assessor <> ?)",
            (
                Status.PENDING.value,
                Status.IN_REVIEW.value,
                assessor,
                self.now(),
                submission_id,
                Status.PENDING.value,
                assessor,
            ),
        )

    def start_revision(self, row: SubmissionRow, *, assessor: str, basis_reading: int) -> int:
        """A new revision of a decided attempt: one reading, by the reviser, starting from the
        final levels and comments (those of the decision's basis reading)."""
        new = row.revision + 1
        now = self.now()
        self.db.execute(
            "INSERT INTO scores (submission_id, attempt, revision, reading, component_id, level, passing,"
            " spec_hash, assessor, scored_at, carried_from) SELECT submission_id, attempt, ?, 1,"
            " component_id, level, passing, spec_hash, ?, ?, carried_from FROM scores"
            " WHERE submission_id = ? AND attempt = ? AND revision = ? AND reading = ?",
            (new, assessor, now, row.id, row.attempt, row.revision, basis_reading),
        )
        self.db.execute(
            "INSERT INTO comments (submission_id, attempt, revision, reading, component_id, body, assessor,"
            " updated_at) SELECT submission_id, attempt, ?, 1, component_id, body, ?, ? FROM comments"
            " WHERE submission_id = ? AND attempt = ? AND revision = ? AND reading = ?",
            (new, assessor, now, row.id, row.attempt, row.revision, basis_reading),
        )
        self.db.execute(
            "INSERT INTO readings (submission_id, attempt, revision, reading, assessor, started_at)"
            " VALUES (?, ?, ?, 1, ?, ?)",
            (row.id, row.attempt, new, assessor, now),
        )
        self.db.execute(
            "UPDATE submissions SET status = ?, revision = ?, assessor = ?, updated_at = ? WHERE id = ?",
            (Status.IN_REVIEW.value, new, assessor, now, row.id),
        )
        return new

    def cancel_revision(self, row: SubmissionRow, *, status: Status) -> int:
        """Take back a revision nobody changed: its reading, levels and comments go, and the
        submission is at the revision before, in `status`, as it was. Returns that revision."""
        params = (row.id, row.attempt, row.revision)
        where = " WHERE submission_id = ? AND attempt = ? AND revision = ?"
        for table in ("scores", "comments", "readings"):
            self.db.execute(f"DELETE FROM {table}{where}", params)
        self.db.execute(
            "UPDATE submissions SET status = ?, revision = ?, updated_at = ? WHERE id = ?",
            (status.value, row.revision - 1, self.now(), row.id),
        )
        return row.revision - 1

    def delete_reading(self, key: SubmissionKey) -> None:
        """An open reading its reader left without a level or comment: gone, with the levels
        carried over to it (a first reading keeps those: they came with the import)."""
        where = " WHERE submission_id = ? AND attempt = ? AND revision = ? AND reading = ?"
        params = (key.submission_id, key.attempt, key.revision, key.reading)
        if key.reading != 1:
            self.db.execute(f"DELETE FROM scores{where} AND carried_from IS NOT NULL", params)
        self.db.execute(f"DELETE FROM readings{where} AND status = 'open'", params)

    def reset_to_pending(self, submission_id: str) -> None:
        """Back to pending, with nobody's name on it: scoring started and was taken back."""
        self.db.execute(
            "UPDATE submissions SET status = ?, assessor = NULL, updated_at = ? WHERE id = ? AND status = ?",
            (Status.PENDING.value, self.now(), submission_id, Status.IN_REVIEW.value),
        )

    # -- levels and comments -------------------------------------------------------

    def carried(self, key: SubmissionKey) -> dict[str, int]:
        """The components whose level was carried over, and from which attempt."""
        return {
            cid: int(attempt)
            for cid, attempt in self._all(
                "SELECT component_id, carried_from FROM scores WHERE submission_id = ? AND attempt = ?"
                " AND revision = ? AND reading = ? AND carried_from IS NOT NULL",
                (key.submission_id, key.attempt, key.revision, key.reading),
            )
        }

    def levels(self, key: SubmissionKey) -> dict[str, str]:
        return dict(
            self._all(
                "SELECT component_id, level FROM scores WHERE submission_id = ? AND attempt = ?"
                " AND revision = ? AND reading = ?",
                (key.submission_id, key.attempt, key.revision, key.reading),
            )
        )

    def put_level(
        self,
        key: SubmissionKey,
        component_id: str,
        *,
        level: str,
        passing: bool,
        spec_hash: str,
        assessor: str,
    ) -> None:
        self.db.execute(
            "INSERT INTO scores (submission_id, attempt, revision, reading, component_id, level, passing,"
            " spec_hash, assessor, scored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (submission_id, attempt, revision, reading, component_id) DO UPDATE SET"
            " level = excluded.level, passing = excluded.passing, spec_hash = excluded.spec_hash,"
            " assessor = excluded.assessor, scored_at = excluded.scored_at, carried_from = NULL",
            (
                key.submission_id,
                key.attempt,
                key.revision,
                key.reading,
                component_id,
                level,
                int(passing),
                spec_hash,
                assessor,
                self.now(),
            ),
        )

    def delete_level(self, key: SubmissionKey, component_id: str) -> None:
        self.db.execute(
            "DELETE FROM scores WHERE submission_id = ? AND attempt = ? AND revision = ? AND reading = ?"
            " AND component_id = ?",
            (key.submission_id, key.attempt, key.revision, key.reading, component_id),
        )

    def comments(self, key: SubmissionKey) -> dict[str, str]:
        return dict(
            self._all(
                "SELECT component_id, body FROM comments WHERE submission_id = ? AND attempt = ?"
                " AND revision = ? AND reading = ?",
                (key.submission_id, key.attempt, key.revision, key.reading),
            )
        )

    def put_comment(self, key: SubmissionKey, component_id: str, *, body: str, assessor: str) -> None:
        self.db.execute(
            "INSERT INTO comments (submission_id, attempt, revision, reading, component_id, body, assessor,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (submission_id, attempt, revision, reading, component_id) DO UPDATE SET"
            " body = excluded.body, assessor = excluded.assessor, updated_at = excluded.updated_at",
            (
                key.submission_id,
                key.attempt,
                key.revision,
                key.reading,
                component_id,
                body,
                assessor,
                self.now(),
            ),
        )

    def delete_comment(self, key: SubmissionKey, component_id: str) -> None:
        self.db.execute(
            "DELETE FROM comments WHERE submission_id = ? AND attempt = ? AND revision = ? AND reading = ?"
            " AND component_id = ?",
            (key.submission_id, key.attempt, key.revision, key.reading, component_id),
        )

    def last_score_event(self, key: SubmissionKey, component_id: str) -> EventRow | None:
        """The latest change to a component's level in one reading (who made it, from what, to what)."""
        row = self._one(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE submission_id = ? AND action = 'score'"
            " AND target = ? AND COALESCE(attempt, 1) = ? AND COALESCE(reading, 1) = ? ORDER BY id DESC"
            " LIMIT 1",
            (key.submission_id, component_id, key.attempt, key.reading),
        )
        return EventRow(*row) if row else None

    # -- decisions -----------------------------------------------------------------

    def put_decision(self, decision: NewDecision) -> None:
        key = decision.key
        self.db.execute(
            "INSERT INTO decisions (submission_id, attempt, revision, assessor, outcome, computed, override,"
            " justification, comment, part_outcomes, spec_hash, decided_at, resolution, readers,"
            " basis_reading,"
            " approved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key.submission_id,
                key.attempt,
                key.revision,
                decision.assessor,
                decision.outcome,
                decision.computed,
                int(decision.override),
                decision.justification,
                decision.comment,
                decision.part_outcomes,
                decision.spec_hash,
                decision.at,
                decision.resolution,
                ",".join(decision.readers or (decision.assessor,)),
                key.reading,
                decision.approved_by,
            ),
        )

    def final_decision(self, submission_id: str, attempt: int) -> DecisionRow | None:
        """The decision of an attempt's latest decided revision."""
        decided = [d for d in self.decisions(submission_id) if d.attempt == attempt]
        return decided[-1] if decided else None

    def decisions(self, submission_id: str) -> list[DecisionRow]:
        return [
            DecisionRow(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                bool(r[5]),
                r[6],
                r[7],
                r[8],
                r[9],
                tuple(r[10].split(",")),
                r[11],
                r[12],
            )
            for r in self._all(
                "SELECT attempt, revision, assessor, outcome, computed, override, justification, comment,"
                " decided_at, resolution, readers, basis_reading, approved_by FROM decisions"
                " WHERE submission_id = ? ORDER BY attempt, revision",
                (submission_id,),
            )
        ]

    # -- readings ------------------------------------------------------------------

    def readings(self, submission_id: str, attempt: int, revision: int) -> list[ReadingRow]:
        """Every reading of one revision of an attempt, in reading order (moderation first, as 0)."""
        return [
            ReadingRow(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                r[8],
                bool(r[9]),
                r[10],
                r[11],
                r[12],
                r[13],
                r[14],
                r[15],
            )
            for r in self._all(
                "SELECT submission_id, attempt, revision, reading, assessor, kind, status, outcome, computed,"
                " override, justification, comment, part_outcomes, note, started_at, recorded_at FROM"
                " readings"
                " WHERE submission_id = ? AND attempt = ? AND revision = ? ORDER BY reading",
                (submission_id, attempt, revision),
            )
        ]

    def add_reading(self, key: SubmissionKey, *, assessor: str, kind: str) -> None:
        """Start a reading; a later reading of an attempt gets the levels carried over to it too."""
        self.db.execute(
            "INSERT INTO readings (submission_id, attempt, revision, reading, assessor, kind, started_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key.submission_id, key.attempt, key.revision, key.reading, assessor, kind, self.now()),
        )
        if key.reading != 1:
            self.db.execute(
                "INSERT INTO scores (submission_id, attempt, revision, reading, component_id, level, passing,"
                " spec_hash, assessor, scored_at, carried_from) SELECT submission_id, attempt, revision, ?,"
                " component_id, level, passing, spec_hash, assessor, ?, carried_from FROM scores"
                " WHERE submission_id = ? AND attempt = ? AND revision = ? AND reading = 1"
                " AND carried_from IS NOT NULL",
                (key.reading, self.now(), key.submission_id, key.attempt, key.revision),
            )

    def hand_over_reading(self, key: SubmissionKey, *, assessor: str) -> None:
        """An open reading whose reader let their claim lapse, carried on by another. A
        recorded reading keeps its reader whatever the caller asks: StoreError."""
        changed = self.db.execute(
            "UPDATE readings SET assessor = ? WHERE submission_id = ? AND attempt = ? AND revision = ?"
            " AND reading = ? AND status = 'open'",
            (assessor, key.submission_id, key.attempt, key.revision, key.reading),
        ).rowcount
        if changed == 0:
            raise StoreError(f"reading {key.reading} of {key.submission_id} is not open: it cannot be handed over")

    def record_reading(
        self,
        key: SubmissionKey,
        *,
        outcome: str,
        computed: str,
        override: bool,
        justification: str,
        comment: str,
        part_outcomes: str,
    ) -> None:
        self.db.execute(
            "UPDATE readings SET status = 'recorded', outcome = ?, computed = ?, override = ?,"
            " justification = ?,"
            " comment = ?, part_outcomes = ?, recorded_at = ? WHERE submission_id = ? AND attempt = ?"
            " AND revision = ? AND reading = ?",
            (
                outcome,
                computed,
                int(override),
                justification,
                comment,
                part_outcomes,
                self.now(),
                key.submission_id,
                key.attempt,
                key.revision,
                key.reading,
            ),
        )

    def reopen_reading(self, key: SubmissionKey, *, note: str) -> None:
        """Pass a recorded reading back to its reader, with a lead's note."""
        self.db.execute(
            "UPDATE readings SET status = 'open', note = ?, recorded_at = NULL WHERE submission_id = ?"
            " AND attempt = ? AND revision = ? AND reading = ?",
            (note, key.submission_id, key.attempt, key.revision, key.reading),
        )

    def readings_needed(self, submission_id: str, attempt: int) -> int:
        row = self._one(
            "SELECT readings_needed FROM attempts WHERE submission_id = ? AND attempt = ?",
            (submission_id, attempt),
        )
        return int(row[0]) if row else 1

    def set_readings_needed(self, submission_id: str, attempt: int, needed: int) -> None:
        self.db.execute(
            "UPDATE attempts SET readings_needed = ? WHERE submission_id = ? AND attempt = ?",
            (needed, submission_id, attempt),
        )

    def reading_pairs(self, *, credential: str | None = None, since: str | None = None) -> list[ReadingPair]:
        """Every attempt revision with two recorded independent readings (calibration copies
        aside), with both readings' levels: what the agreement figures compare."""
        clauses = ["a.status = 'recorded'", "b.status = 'recorded'", "s.calibration_of IS NULL"]
        params: list[str] = []
        if credential:
            clauses.append("s.credential = ?")
            params.append(credential)
        if since:
            clauses.append("b.recorded_at >= ?")
            params.append(since)
        pairs = self._all(
            "SELECT a.submission_id, a.attempt, a.revision, s.credential, s.spec_hash, a.assessor,"
            " b.assessor,"
            " a.outcome, b.outcome, b.recorded_at FROM readings a"
            " JOIN readings b ON b.submission_id = a.submission_id AND b.attempt = a.attempt"
            " AND b.revision = a.revision AND a.reading = 1 AND b.reading = 2"
            " JOIN submissions s ON s.id = a.submission_id WHERE "
            + " AND ".join(clauses)
            + " ORDER BY b.recorded_at, a.submission_id",
            params,
        )
        found = []
        for sid, attempt, revision, cred, spec_hash, first, second, out_a, out_b, at in pairs:
            levels = tuple(self.levels(SubmissionKey(sid, attempt, revision, n)) for n in (1, 2))
            spec_hash = self.attempt_spec_hash(sid, attempt) or spec_hash
            found.append(ReadingPair(sid, cred, spec_hash, (first, second), (out_a, out_b), levels, at))  # type: ignore[arg-type]
        return found

    # -- gold submissions and calibration ---------------------------------------------

    def mark_gold(self, submission_id: str, attempt: int, revision: int, *, marked_by: str) -> None:
        self.db.execute(
            "INSERT INTO gold (submission_id, attempt, revision, marked_by, marked_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (submission_id, attempt) DO UPDATE SET revision = excluded.revision,"
            " marked_by = excluded.marked_by, marked_at = excluded.marked_at",
            (submission_id, attempt, revision, marked_by, self.now()),
        )

    def gold(self) -> list[tuple[str, int, int]]:
        """Every gold submission, as (id, attempt, revision), in id order: its final levels are
        the true score. (Without the ORDER BY, PostgreSQL returns a re-marked row last.)"""
        return [
            (r[0], int(r[1]), int(r[2]))
            for r in self._all(
                "SELECT submission_id, attempt, revision FROM gold ORDER BY submission_id, attempt"
            )
        ]

    def calibration_copies(self, gold_id: str) -> list[tuple[str, str | None]]:
        """The unmarked copies of a gold submission, as (id, assessor it is routed to)."""
        return [
            (r[0], r[1])
            for r in self._all(
                "SELECT id, routed_to FROM submissions WHERE calibration_of = ? ORDER BY id", (gold_id,)
            )
        ]

    def gold_readings(self) -> list[GoldReading]:
        """Every recorded reading of a calibration copy, beside its gold submission's final levels."""
        found = []
        for sid, gold_id, credential, spec_hash in self._all(
            "SELECT id, calibration_of, credential, spec_hash FROM submissions WHERE calibration_of IS NOT"
            " NULL"
            " ORDER BY id"
        ):
            gold_row = self._one(
                "SELECT g.attempt, g.revision, d.basis_reading, d.outcome FROM gold g JOIN decisions d"
                " ON d.submission_id = g.submission_id AND d.attempt = g.attempt AND d.revision = g.revision"
                " WHERE g.submission_id = ?",
                (gold_id,),
            )
            if gold_row is None:
                continue
            attempt, revision, basis, gold_outcome = gold_row
            gold_levels = self.levels(SubmissionKey(gold_id, attempt, revision, basis))
            for reading in self.readings(sid, 1, 1):
                if reading.recorded and reading.kind == "reading":
                    found.append(
                        GoldReading(
                            gold_id,
                            sid,
                            credential,
                            spec_hash,
                            reading.assessor,
                            self.levels(reading.key),
                            gold_levels,
                            reading.outcome or "",
                            gold_outcome,
                        )
                    )
        return found

    # -- claims --------------------------------------------------------------------

    def claims(self, submission_id: str) -> list[ClaimRow]:
        """Every claim row on a submission (one per reading held), live or expired: compare
        each expiry with now() to tell."""
        return [
            ClaimRow(*row)
            for row in self._all(
                "SELECT submission_id, assessor, claimed_at, expires_at, reading FROM claims"
                " WHERE submission_id = ? ORDER BY reading",
                (submission_id,),
            )
        ]

    def claim(self, submission_id: str, reading: int) -> ClaimRow | None:
        """The claim on one reading, live or expired."""
        for claim in self.claims(submission_id):
            if claim.reading == reading:
                return claim
        return None

    def put_claim(self, claim: ClaimRow) -> None:
        self.db.execute(
            "INSERT INTO claims (submission_id, reading, assessor, claimed_at, expires_at) VALUES (?, ?, ?,"
            " ?, ?)"
            " ON CONFLICT (submission_id, reading) DO UPDATE SET assessor = excluded.assessor,"
            " claimed_at = excluded.claimed_at, expires_at = excluded.expires_at",
            (claim.submission_id, claim.reading, claim.assessor, claim.claimed_at, claim.expires_at),
        )

    def delete_claim(
        self, submission_id: str, *, reading: int | None = None, assessor: str | None = None
    ) -> int:
        """Drop claims on a submission (of one reading, and only `assessor`'s, when given);
        returns how many."""
        sql = "DELETE FROM claims WHERE submission_id = ?"
        params: list[Any] = [submission_id]
        if reading is not None:
            sql += " AND reading = ?"
            params.append(reading)
        if assessor is not None:
            sql += " AND assessor = ?"
            params.append(assessor)
        return self.db.execute(sql, params).rowcount

    def claimed_by(self, assessor: str) -> list[str]:
        return [
            row[0]
            for row in self._all(
                "SELECT DISTINCT submission_id FROM claims WHERE assessor = ? ORDER BY submission_id",
                (assessor,),
            )
        ]

    # -- the audit trail -----------------------------------------------------------

    def record_event(
        self,
        *,
        assessor: str,
        submission_id: str | None,
        action: str,
        target: str = "",
        before: str | None = None,
        after: str | None = None,
        attempt: int | None = None,
        reading: int | None = None,
    ) -> None:
        """Append to the audit trail, in the transaction that made the change."""
        self.db.execute(
            "INSERT INTO events (at, assessor, submission_id, attempt, reading, action, target, before,"
            " after)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (self.now(), assessor, submission_id, attempt, reading, str(action), target, before, after),
        )

    def event_readings(self, submission_id: str) -> list[tuple[int, int | None, int | None]]:
        """Each event's (id, attempt, reading), for hiding another reader's work from a reader."""
        return [
            (int(r[0]), r[1], r[2])
            for r in self._all(
                "SELECT id, attempt, reading FROM events WHERE submission_id = ? ORDER BY id",
                (submission_id,),
            )
        ]

    def events(self, submission_id: str) -> list[EventRow]:
        """Every event of one submission, in commit order."""
        return [
            EventRow(*row)
            for row in self._all(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE submission_id = ? ORDER BY id", (submission_id,)
            )
        ]

    # -- drafts and resume positions -----------------------------------------------

    def put_draft(self, *, assessor: str, submission_id: str, field: str, body: str) -> None:
        self.db.execute(
            "INSERT INTO drafts (assessor, submission_id, field, body, updated_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (assessor, submission_id, field) DO UPDATE SET body = excluded.body,"
            " updated_at = excluded.updated_at",
            (assessor, submission_id, field, body, self.now()),
        )

    def draft(self, *, assessor: str, submission_id: str, field: str) -> str | None:
        row = self._one(
            "SELECT body FROM drafts WHERE assessor = ? AND submission_id = ? AND field = ?",
            (assessor, submission_id, field),
        )
        return row[0] if row else None

    def drafts(self, *, assessor: str, submission_id: str) -> dict[str, str]:
        """Every draft an assessor has on a submission, by field."""
        return dict(
            self._all(
                "SELECT field, body FROM drafts WHERE assessor = ? AND submission_id = ? ORDER BY field",
                (assessor, submission_id),
            )
        )

    def delete_draft(self, *, assessor: str, submission_id: str, field: str) -> None:
        self.db.execute(
            "DELETE FROM drafts WHERE assessor = ? AND submission_id = ? AND field = ?",
            (assessor, submission_id, field),
        )

    def put_position(self, *, assessor: str, submission_id: str | None, component_id: str | None) -> None:
        self.db.execute(
            "INSERT INTO positions (assessor, submission_id, component_id, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (assessor) DO UPDATE SET submission_id = excluded.submission_id,"
            " component_id = excluded.component_id, updated_at = excluded.updated_at",
            (assessor, submission_id, component_id, self.now()),
        )

    def position(self, assessor: str) -> tuple[str | None, str | None]:
        row = self._one("SELECT submission_id, component_id FROM positions WHERE assessor = ?", (assessor,))
        return (row[0], row[1]) if row else (None, None)

    # -- the comment bank --------------------------------------------------------------

    _PHRASE = "SELECT id, credential, component_id, level, body, created_by, updated_at FROM phrases"

    def phrases(self, credential: str | None = None) -> list[PhraseRow]:
        """A credential's phrases (every credential's, with None), in a stable order."""
        where, params = (" WHERE credential = ?", (credential,)) if credential is not None else ("", ())
        return [
            PhraseRow(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6])
            for r in self._all(self._PHRASE + where + " ORDER BY credential, component_id, level, id", params)
        ]

    def put_phrase(
        self, *, credential: str, component_id: str, level: str, body: str, assessor: str, phrase_id: int | None = None
    ) -> int:
        """Add a phrase (or, with phrase_id, change that one's text); the same text for the same
        place is kept once. Returns the phrase's id."""
        now = self.now()
        if phrase_id is not None:
            self.db.execute(
                "UPDATE phrases SET body = ?, created_by = ?, updated_at = ? WHERE id = ?",
                (body, assessor, now, phrase_id),
            )
            return phrase_id
        row = self._one(
            "INSERT INTO phrases (credential, component_id, level, body, created_by, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (credential, component_id, level, body)"
            " DO UPDATE SET updated_at = excluded.updated_at RETURNING id",
            (credential, component_id, level, body, assessor, now),
        )
        return int(row[0])

    def delete_phrase(self, phrase_id: int) -> bool:
        return self.db.execute("DELETE FROM phrases WHERE id = ?", (phrase_id,)).rowcount > 0

    # -- pre-checks ------------------------------------------------------------------

    def _insert_prechecks(
        self,
        submission_id: str,
        attempt: int,
        spec_hash: str,
        found: Iterable[tuple[str, str, str, int | None, int | None]],
    ) -> None:
        self.db.executemany(
            "INSERT INTO prechecks (submission_id, attempt, spec_hash, component_id, kind, detail, start_at,"
            " end_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(submission_id, attempt, spec_hash, *finding) for finding in found],
        )

    def replace_prechecks(self, row: SubmissionRow, found: Sequence[PreCheck], *, flags: str) -> None:
        """A submission's findings and its queue flags, replaced (after the checks improve)."""
        self.db.execute(
            "DELETE FROM prechecks WHERE submission_id = ? AND attempt = ?", (row.id, row.attempt)
        )
        self._insert_prechecks(
            row.id,
            row.attempt,
            row.spec_hash,
            [(c.component_id, c.kind, c.detail, c.start, c.end) for c in found],
        )
        self.db.execute("UPDATE submissions SET flags = ? WHERE id = ?", (flags, row.id))

    def prechecks(self, submission_id: str, attempt: int) -> list[PreCheck]:
        from mcreview.core.prechecks import PreCheck  # the checks load markdown-it: not at start-up

        return [
            PreCheck(*row)
            for row in self._all(
                "SELECT component_id, kind, detail, start_at, end_at FROM prechecks"
                " WHERE submission_id = ? AND attempt = ? ORDER BY id",
                (submission_id, attempt),
            )
        ]

    def submission_ids(self, *, after: str = "", limit: int = 500) -> list[str]:
        """Every submission id in order, a page at a time (for queue-wide passes)."""
        return [
            row[0]
            for row in self._all(
                "SELECT id FROM submissions WHERE id > ? ORDER BY id LIMIT ?", (after, limit)
            )
        ]

    # -- the queue -----------------------------------------------------------------

    @staticmethod
    def _where(filters: QueueFilter) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if filters.status == OPEN_WORK:
            if filters.assessor is None:
                clauses.append(f"status IN ({_OPEN_LIST})")
            else:
                # The work waiting for this assessor: not what they have read already (a
                # second reading is someone else's), not what is kept for another; a lead's too.
                lead = f" OR status IN ({_LEAD_LIST})" if filters.lead else ""
                clauses.append(
                    f"((status IN ({_OPEN_LIST}) AND (routed_to IS NULL OR routed_to = ?)"
                    " AND NOT EXISTS (SELECT 1 FROM readings rd WHERE rd.submission_id = submissions.id"
                    " AND rd.attempt = submissions.attempt AND rd.revision = submissions.revision"
                    f" AND rd.assessor = ? AND rd.status = 'recorded')){lead})"
                )
                params.extend([filters.assessor, filters.assessor])
        elif filters.status:
            clauses.append("status = ?")
            params.append(filters.status)
        if filters.credential:
            clauses.append("credential = ?")
            params.append(filters.credential)
        if filters.resubmissions:
            clauses.append("attempt > 1")
        if filters.text:
            # LIKE ignores ASCII case in SQLite but not in PostgreSQL: lower() both sides, so
            # a search finds the same rows on both (ids, candidates and credentials are ASCII).
            clauses.append(
                "(lower(id) LIKE ? ESCAPE '\\' OR lower(candidate) LIKE ? ESCAPE '\\'"
                " OR lower(credential) LIKE ? ESCAPE '\\')"
            )
            needle = _like_pattern(filters.text.lower())
            params.extend([needle, needle, needle])
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def status_counts(self, filters: QueueFilter) -> dict[str, int]:
        """Counts per status under the credential and text filter (the status filter is ignored)."""
        where, params = self._where(
            QueueFilter(None, filters.credential, filters.text, filters.resubmissions)
        )
        return {
            status: int(count)
            for status, count in self._all(
                f"SELECT status, count(*) FROM submissions{where} GROUP BY status", params
            )
        }

    def queue_page(
        self,
        filters: QueueFilter,
        *,
        after: tuple[str, str] | None = None,
        limit: int = 100,
        newest_first: bool = False,
    ) -> list[QueueRow]:
        """One page ordered by (submitted, id); `after` is the previous page's last key.

        Keyset paging over the (status, submitted, id) index: each page costs the same
        however deep into the queue it is, unlike OFFSET.
        """
        where, params = self._where(filters)
        if after is not None:
            op = "<" if newest_first else ">"
            where += (" AND " if where else " WHERE ") + f"(submitted, id) {op} (?, ?)"
            params.extend(after)
        direction = "DESC" if newest_first else "ASC"
        rows = self._all(
            "SELECT id, credential, status, submitted, assessor, revision,"
            " (SELECT min(c.assessor) FROM claims c WHERE c.submission_id = submissions.id AND c.expires_at"
            " > ?),"
            " flags || CASE WHEN spec_hash = (SELECT sp.hash FROM specs sp WHERE sp.credential ="
            " submissions.credential ORDER BY sp.loaded_at DESC, sp.hash DESC LIMIT 1) THEN '' ELSE 'V' END,"
            f" attempt, routed_to FROM submissions{where}"
            f" ORDER BY submitted {direction}, id {direction} LIMIT ?",
            [self.now(), *params, limit],
        )
        return [QueueRow(*row) for row in rows]

    def oldest_pending(self, assessor: str) -> str | None:
        """The oldest pending submission this assessor may take: routed to them, or to nobody."""
        row = self._one(
            "SELECT id FROM submissions WHERE status IN (?, ?) AND (routed_to IS NULL OR routed_to = ?)"
            " AND NOT EXISTS (SELECT 1 FROM readings rd WHERE rd.submission_id = submissions.id"
            " AND rd.attempt = submissions.attempt AND rd.revision = submissions.revision AND rd.assessor ="
            " ?)"
            " ORDER BY CASE status WHEN ? THEN 0 ELSE 1 END, submitted, id LIMIT 1",
            (Status.PENDING.value, Status.SECOND_READING.value, assessor, assessor, Status.PENDING.value),
        )
        return row[0] if row else None

    # -- programme settings ------------------------------------------------------------

    def programme_body(self) -> str:
        """The programme settings in force (canonical JSON), or "" for mcreview's defaults."""
        row = self._one("SELECT body FROM programme_settings ORDER BY version DESC LIMIT 1")
        return row[0] if row else ""

    def put_programme(self, *, body: str, content_hash: str, loaded_by: str) -> None:
        self.db.execute(
            "INSERT INTO programme_settings (body, content_hash, loaded_at, loaded_by) VALUES (?, ?, ?, ?)",
            (body, content_hash, self.now(), loaded_by),
        )

    # -- sync ------------------------------------------------------------------------
    # A batch is written in one export format; sync_batch_decisions lists the decision
    # revisions it carries. A revision is synced *in a format* once a finished batch of
    # that format carries it, so a decision sent as CSV is still to send as OB3.

    @staticmethod
    def _to_export(format: str, everything: bool) -> tuple[str, tuple[Any, ...]]:
        """The WHERE clause choosing the decisions `d` to export in a format, and its parameters.
        Calibration copies of gold submissions never go out: no candidate sent them."""
        real = " WHERE NOT EXISTS (SELECT 1 FROM submissions cal WHERE cal.id = d.submission_id"
        real += " AND cal.calibration_of IS NOT NULL)"
        if everything:
            return real, ()
        return (
            real
            + " AND NOT EXISTS (SELECT 1 FROM sync_batch_decisions m JOIN sync_batches b ON b.id = m.batch"
            " WHERE m.submission_id = d.submission_id AND m.attempt = d.attempt AND m.revision = d.revision"
            " AND b.format = ? AND b.finished_at IS NOT NULL)",
            (format,),
        )

    def export_decisions(self, *, format: str, everything: bool) -> list[ExportDecision]:
        """Decisions to export in `format` (those no finished batch of it carried, or all),
        oldest decision first."""
        where, params = self._to_export(format, everything)
        return [
            ExportDecision(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                bool(r[8]),
                r[9],
                r[10],
                r[11],
                r[12],
                r[13],
                r[14],
                r[15],
            )
            for r in self._all(
                "SELECT d.submission_id, s.credential, s.candidate, d.assessor, d.outcome, d.decided_at,"
                " d.attempt, d.revision, d.override, d.comment, d.part_outcomes, d.computed, d.justification,"
                " d.spec_hash, d.readers, d.resolution"
                " FROM decisions d JOIN submissions s ON s.id = d.submission_id"
                + where
                + " ORDER BY d.decided_at, d.submission_id, d.attempt, d.revision",
                params,
            )
        ]

    def export_scores(self, *, format: str, everything: bool) -> list[ExportScore]:
        """The levels of exactly the decisions export_decisions returns, in file order
        (decision order, then rubric order)."""
        where, params = self._to_export(format, everything)
        rows = self._all(
            "SELECT sc.submission_id, sc.attempt, sc.revision, r.part, sc.component_id, sc.level, sc.passing,"
            " COALESCE(c.body, ''), sc.assessor, sc.reading, sc.spec_hash"
            " FROM decisions d JOIN scores sc ON sc.submission_id = d.submission_id"
            " AND sc.attempt = d.attempt AND sc.revision = d.revision AND sc.reading = d.basis_reading"
            " LEFT JOIN comments c ON c.submission_id = sc.submission_id AND c.attempt = sc.attempt"
            " AND c.revision = sc.revision AND c.reading = sc.reading AND c.component_id = sc.component_id"
            " LEFT JOIN spec_components r ON r.spec_hash = sc.spec_hash AND r.component_id = sc.component_id"
            + where
            + " ORDER BY d.decided_at, d.submission_id, d.attempt, d.revision, COALESCE(r.position, 1000000),"
            " sc.component_id, sc.reading",
            params,
        )
        return [
            ExportScore(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8], r[9], r[10]) for r in rows
        ]

    def export_evidence(
        self, *, format: str, everything: bool
    ) -> tuple[list[ExportResponse], list[ExportAttachment]]:
        """What the attempts of those decisions hold, by reference: the components with a
        response (not their text) and the attachments."""
        where, params = self._to_export(format, everything)
        responses = self._all(
            "SELECT DISTINCT d.submission_id, d.attempt, r.component_id FROM decisions d JOIN responses r"
            " ON r.submission_id = d.submission_id AND r.attempt = d.attempt AND r.body <> ''"
            + where
            + " ORDER BY 1, 2, 3",
            params,
        )
        attachments = self._all(
            "SELECT DISTINCT d.submission_id, d.attempt, a.seq, a.component_id, a.path, a.url, a.description"
            " FROM decisions d JOIN attachments a"
            " ON a.submission_id = d.submission_id AND a.attempt = d.attempt" + where + " ORDER BY 1, 2, 3",
            params,
        )
        return [ExportResponse(*row) for row in responses], [ExportAttachment(*row) for row in attachments]

    def reserve_sync_batch(self, *, destination: str, assessor: str, format: str) -> tuple[int, str]:
        """Take the next batch number up front, so two runs never write the same names."""
        started = self.now()
        row = self._one(
            "INSERT INTO sync_batches (started_at, destination, assessor, format) VALUES (?, ?, ?, ?)"
            " RETURNING id",
            (started, destination, assessor, format),
        )
        return int(row[0]), started

    def set_sync_batch_contents(
        self, batch: int, *, files: Sequence[str], keys: Sequence[tuple[str, int, int]], scores: int
    ) -> None:
        """What a reserved batch will hold, recorded before its files are written: the names
        (marker first) so a later run can clean up, and the decision revisions it carries
        (they count as synced once the batch is finished)."""
        self.db.execute(
            "UPDATE sync_batches SET files = ?, decisions = ?, scores = ?"
            " WHERE id = ? AND finished_at IS NULL",
            (json.dumps(list(files)), len(keys), scores, batch),
        )
        self.db.executemany(
            "INSERT INTO sync_batch_decisions (batch, submission_id, attempt, revision) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (batch, submission_id, attempt, revision) DO NOTHING",
            # In key order: the inserts walk the primary key's b-tree once, in order
            # (in decision order they land all over it: 100,000 keys took 0.8 s).
            [(batch, sid, attempt, revision) for sid, attempt, revision in sorted(keys)],
        )

    def unfinished_sync_batches(self, destination: str) -> list[SyncBatchRow]:
        return [
            SyncBatchRow(*row)
            for row in self._all(
                "SELECT id, started_at, files, format, decisions, scores FROM sync_batches"
                " WHERE finished_at IS NULL AND destination = ? ORDER BY id",
                (destination,),
            )
        ]

    def sync_batch_keys(self, batch: int) -> list[tuple[str, int, int]]:
        """The decision revisions a batch carries, in decision order."""
        return [
            (row[0], int(row[1]), int(row[2]))
            for row in self._all(
                "SELECT m.submission_id, m.attempt, m.revision FROM sync_batch_decisions m"
                " JOIN decisions d ON d.submission_id = m.submission_id AND d.attempt = m.attempt"
                " AND d.revision = m.revision WHERE m.batch = ?"
                " ORDER BY d.decided_at, m.submission_id, m.attempt, m.revision",
                (batch,),
            )
        ]

    def drop_sync_batch(self, batch: int) -> None:
        """Forget a reservation whose files never reached the folder."""
        unfinished = " AND EXISTS (SELECT 1 FROM sync_batches b WHERE b.id = ? AND b.finished_at IS NULL)"
        self.db.execute("DELETE FROM sync_batch_decisions WHERE batch = ?" + unfinished, (batch, batch))
        self.db.execute("DELETE FROM sync_batches WHERE id = ? AND finished_at IS NULL", (batch,))

    def finish_sync_batch(self, batch: int) -> None:
        """The batch's files are in place: its decisions are now synced in its format, and
        their submissions move to synced while the exported revision is the current decision."""
        now = self.now()
        self.db.execute(
            "UPDATE submissions SET status = ?, updated_at = ? WHERE status = ? AND EXISTS (SELECT 1"
            " FROM sync_batch_decisions m WHERE m.batch = ? AND m.submission_id = submissions.id"
            " AND m.attempt = submissions.attempt AND m.revision = submissions.revision)",
            (Status.SYNCED.value, now, Status.DECIDED.value, batch),
        )
        self.db.execute(
            "UPDATE sync_batches SET finished_at = ? WHERE id = ? AND finished_at IS NULL", (now, batch)
        )

    # -- copying a whole queue (mcreview migrate) ----------------------------------------

    def tables(self) -> list[TableInfo]:
        return self.db.tables()

    def table_rows(
        self, table: TableInfo, *, after: Sequence[Any] | None = None, limit: int = 1000
    ) -> list[tuple[Any, ...]]:
        """One chunk of a table's rows, every column, in primary-key order after `after`."""
        columns = ", ".join(_quoted(c) for c in table.columns)
        key = ", ".join(_quoted(c) for c in table.key)
        params: list[Any] = []
        where = ""
        if after is not None:
            where = f" WHERE ({key}) > ({', '.join('?' * len(table.key))})"
            params.extend(after)
        rows = self._all(
            f"SELECT {columns} FROM {_quoted(table.name)}{where} ORDER BY {key} LIMIT ?", [*params, limit]
        )
        return [tuple(row) for row in rows]

    def insert_rows(self, table: TableInfo, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        names = ", ".join(_quoted(c) for c in columns)
        marks = ", ".join("?" * len(columns))
        self.db.executemany(f"INSERT INTO {_quoted(table.name)} ({names}) VALUES ({marks})", rows)

    def table_count(self, table: TableInfo) -> int:
        return int(self._one(f"SELECT count(*) FROM {_quoted(table.name)}")[0])

    def reset_identities(self) -> None:
        self.db.reset_identities()


def _quoted(name: str) -> str:
    """An identifier from the catalogue, quoted the way both backends read it."""
    return '"' + name.replace('"', '""') + '"'
