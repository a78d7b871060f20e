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

from mcreview.core.vocabulary import OPEN_STATUSES, Status
from mcreview.store.records import (
    OPEN_WORK,
    AttachmentContent,
    AttachmentRow,
    ClaimRow,
    ContentState,
    DecisionRow,
    EventRow,
    ExportDecision,
    ExportScore,
    NewAttachmentContent,
    NewDecision,
    NewSubmission,
    QueueFilter,
    QueueRow,
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
    "id, credential, candidate, attempt, submitted, status, revision, assessor, spec_hash, flags"
)
_EVENT_COLUMNS = "id, at, assessor, submission_id, action, target, before, after"
_OPEN_LIST = ", ".join(f"'{status.value}'" for status in sorted(OPEN_STATUSES))


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
        """Queue a checked submission: its attempt, responses, attachments, pre-checks, event."""
        now = self.now()
        self.db.execute(
            "INSERT INTO submissions (id, credential, spec_hash, submitted, candidate, content_hash, source,"
            " imported_at, status, revision, attempt, flags, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
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
            ),
        )
        self.db.execute(
            "INSERT INTO attempts (submission_id, attempt, spec_hash, submitted, content_hash, source,"
            " imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (new.id, new.attempt, new.spec_hash, new.submitted, new.content_hash, new.source, now),
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
        self.record_event(
            assessor=importer,
            submission_id=new.id,
            action="import",
            after=json.dumps({"source": new.source, "spec": new.spec_hash}),
        )

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
        """Pending becomes in review (any other status stays); the assessor is the last writer."""
        self.db.execute(
            "UPDATE submissions SET status = CASE WHEN status = ? THEN ? ELSE status END,"
            " assessor = ?, updated_at = ? WHERE id = ?",
            (Status.PENDING.value, Status.IN_REVIEW.value, assessor, self.now(), submission_id),
        )

    def start_revision(self, row: SubmissionRow, *, assessor: str) -> int:
        """A new revision of a decided attempt, carrying its levels and comments forward."""
        new = row.revision + 1
        now = self.now()
        self.db.execute(
            "INSERT INTO scores (submission_id, attempt, revision, reading, component_id, level, passing,"
            " spec_hash, assessor, scored_at) SELECT submission_id, attempt, ?, reading, component_id, level,"
            " passing, spec_hash, ?, ? FROM scores WHERE submission_id = ? AND attempt = ? AND revision = ?",
            (new, assessor, now, row.id, row.attempt, row.revision),
        )
        self.db.execute(
            "INSERT INTO comments (submission_id, attempt, revision, reading, component_id, body, assessor,"
            " updated_at) SELECT submission_id, attempt, ?, reading, component_id, body, ?, ? FROM comments"
            " WHERE submission_id = ? AND attempt = ? AND revision = ?",
            (new, assessor, now, row.id, row.attempt, row.revision),
        )
        self.db.execute(
            "UPDATE submissions SET status = ?, revision = ?, assessor = ?, updated_at = ? WHERE id = ?",
            (Status.IN_REVIEW.value, new, assessor, now, row.id),
        )
        return new

    # -- levels and comments -------------------------------------------------------

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
            " assessor = excluded.assessor, scored_at = excluded.scored_at",
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

    def last_score_event(self, submission_id: str, component_id: str) -> EventRow | None:
        """The latest change to a component's level (who made it, from what, to what)."""
        row = self._one(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE submission_id = ? AND action = 'score'"
            " AND target = ? ORDER BY id DESC LIMIT 1",
            (submission_id, component_id),
        )
        return EventRow(*row) if row else None

    # -- decisions -----------------------------------------------------------------

    def put_decision(self, decision: NewDecision) -> None:
        key = decision.key
        self.db.execute(
            "INSERT INTO decisions (submission_id, attempt, revision, assessor, outcome, computed, override,"
            " justification, comment, part_outcomes, spec_hash, decided_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            ),
        )

    def decisions(self, submission_id: str) -> list[DecisionRow]:
        return [
            DecisionRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7], r[8])
            for r in self._all(
                "SELECT attempt, revision, assessor, outcome, computed, override, justification, comment,"
                " decided_at FROM decisions WHERE submission_id = ? ORDER BY attempt, revision",
                (submission_id,),
            )
        ]

    # -- claims --------------------------------------------------------------------

    def claim(self, submission_id: str) -> ClaimRow | None:
        """The claim row, live or expired: compare its expiry with now() to tell."""
        row = self._one(
            "SELECT submission_id, assessor, claimed_at, expires_at FROM claims WHERE submission_id = ?",
            (submission_id,),
        )
        return ClaimRow(*row) if row else None

    def put_claim(self, claim: ClaimRow) -> None:
        self.db.execute(
            "INSERT INTO claims (submission_id, assessor, claimed_at, expires_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (submission_id) DO UPDATE SET assessor = excluded.assessor,"
            " claimed_at = excluded.claimed_at, expires_at = excluded.expires_at",
            (claim.submission_id, claim.assessor, claim.claimed_at, claim.expires_at),
        )

    def delete_claim(self, submission_id: str, *, assessor: str | None = None) -> bool:
        """Drop the claim (only if `assessor` holds it, when given); True if one was dropped."""
        if assessor is None:
            cursor = self.db.execute("DELETE FROM claims WHERE submission_id = ?", (submission_id,))
        else:
            cursor = self.db.execute(
                "DELETE FROM claims WHERE submission_id = ? AND assessor = ?", (submission_id, assessor)
            )
        return cursor.rowcount > 0

    def claimed_by(self, assessor: str) -> list[str]:
        return [
            row[0]
            for row in self._all(
                "SELECT submission_id FROM claims WHERE assessor = ? ORDER BY submission_id", (assessor,)
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
    ) -> None:
        """Append to the audit trail, in the transaction that made the change."""
        self.db.execute(
            "INSERT INTO events (at, assessor, submission_id, action, target, before, after)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (self.now(), assessor, submission_id, str(action), target, before, after),
        )

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
            clauses.append(f"status IN ({_OPEN_LIST})")
        elif filters.status:
            clauses.append("status = ?")
            params.append(filters.status)
        if filters.credential:
            clauses.append("credential = ?")
            params.append(filters.credential)
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
        where, params = self._where(QueueFilter(None, filters.credential, filters.text))
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
            " (SELECT c.assessor FROM claims c WHERE c.submission_id = submissions.id AND c.expires_at > ?),"
            f" flags, attempt FROM submissions{where} ORDER BY submitted {direction}, id {direction} LIMIT ?",
            [self.now(), *params, limit],
        )
        return [QueueRow(*row) for row in rows]

    def oldest_pending(self) -> str | None:
        row = self._one(
            "SELECT id FROM submissions WHERE status = ? ORDER BY submitted, id LIMIT 1",
            (Status.PENDING.value,),
        )
        return row[0] if row else None

    # -- sync ------------------------------------------------------------------------

    def export_decisions(self, *, everything: bool) -> list[ExportDecision]:
        """Decisions to export (unsynced ones, or all), oldest decision first."""
        unsynced = "" if everything else " WHERE d.sync_batch IS NULL"
        return [
            ExportDecision(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]), r[9], r[10])
            for r in self._all(
                "SELECT d.submission_id, s.credential, s.candidate, d.assessor, d.outcome, d.decided_at,"
                " d.attempt, d.revision, d.override, d.comment, d.part_outcomes"
                " FROM decisions d JOIN submissions s ON s.id = d.submission_id"
                + unsynced
                + " ORDER BY d.decided_at, d.submission_id, d.attempt, d.revision"
            )
        ]

    def export_scores(self, *, everything: bool) -> list[ExportScore]:
        """The levels of exactly the decisions export_decisions returns, in file order
        (decision order, then rubric order)."""
        unsynced = "" if everything else " WHERE d.sync_batch IS NULL"
        rows = self._all(
            "SELECT sc.submission_id, sc.attempt, sc.revision, r.part, sc.component_id, sc.level, sc.passing,"
            " COALESCE(c.body, ''), sc.assessor"
            " FROM decisions d JOIN scores sc ON sc.submission_id = d.submission_id"
            " AND sc.attempt = d.attempt AND sc.revision = d.revision"
            " LEFT JOIN comments c ON c.submission_id = sc.submission_id AND c.attempt = sc.attempt"
            " AND c.revision = sc.revision AND c.reading = sc.reading AND c.component_id = sc.component_id"
            " LEFT JOIN spec_components r ON r.spec_hash = sc.spec_hash AND r.component_id = sc.component_id"
            + unsynced
            + " ORDER BY d.decided_at, d.submission_id, d.attempt, d.revision, COALESCE(r.position, 1000000),"
            " sc.component_id, sc.reading"
        )
        return [ExportScore(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8]) for r in rows]

    def reserve_sync_batch(self, *, destination: str, assessor: str) -> tuple[int, str]:
        """Take the next batch number up front, so two runs never write the same names."""
        started = self.now()
        row = self._one(
            "INSERT INTO sync_batches (started_at, destination, assessor) VALUES (?, ?, ?) RETURNING id",
            (started, destination, assessor),
        )
        return int(row[0]), started

    def set_sync_batch_files(self, batch: int, files: Sequence[str]) -> None:
        self.db.execute("UPDATE sync_batches SET files = ? WHERE id = ?", (json.dumps(list(files)), batch))

    def unfinished_sync_batches(self, destination: str) -> list[SyncBatchRow]:
        return [
            SyncBatchRow(*row)
            for row in self._all(
                "SELECT id, started_at, files FROM sync_batches WHERE finished_at IS NULL AND destination = ?"
                " ORDER BY id",
                (destination,),
            )
        ]

    def drop_sync_batch(self, batch: int) -> None:
        """Forget a reservation whose files never reached the folder."""
        self.db.execute("DELETE FROM sync_batches WHERE id = ? AND finished_at IS NULL", (batch,))

    def mark_synced(self, batch: int, keys: Sequence[tuple[str, int, int]], *, scores: int) -> None:
        """These decisions went out in this batch: record it, and move their submissions to
        synced while the exported revision is still the current decision."""
        now = self.now()
        self.db.executemany(
            "UPDATE decisions SET sync_batch = ? WHERE submission_id = ? AND attempt = ? AND revision = ?"
            " AND (sync_batch IS NULL OR sync_batch < ?)",
            [(batch, sid, attempt, revision, batch) for sid, attempt, revision in keys],
        )
        self.db.executemany(
            "UPDATE submissions SET status = ?, updated_at = ? WHERE status = ? AND id = ? AND attempt = ?"
            " AND revision = ?",
            [
                (Status.SYNCED.value, now, Status.DECIDED.value, sid, attempt, revision)
                for sid, attempt, revision in keys
            ],
        )
        self.db.execute(
            "UPDATE sync_batches SET finished_at = ?, decisions = ?, scores = ? WHERE id = ?",
            (now, len(keys), scores, batch),
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
