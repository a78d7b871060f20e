"""The SQLite store: one queue file on one host, shared by every assessor logged in to it.

Several assessors write to one file at once, so every connection runs in WAL mode
with a busy timeout and full fsync on commit, and every write starts with BEGIN
IMMEDIATE (take the write lock first, then read), which is what keeps "database is
locked" from reaching anyone. The clock is SQLite's (the host's), read inside the
transaction, so no process's idea of the time decides a lease.

Writers also queue on an OS lock (flock) on a side file, `<queue>-writelock`, taken
before BEGIN IMMEDIATE: a process blocked on it is woken the moment the holder lets go.
Without it, a writer that finds the write lock taken sleeps in SQLite's busy handler
(1, 2, 5, 10, … up to 100 ms a try) and may lose the lock to a newcomer each time it
wakes; with 32 assessors keying at once that made a level key wait up to a second.
A holder that dies releases it at once; SQLite's own busy timeout still applies to
any writer that does not take it (the sqlite3 shell, say).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mcreview.store.records import SchemaTooNew, StoreError, TableInfo
from mcreview.store.transaction import Transaction

if TYPE_CHECKING:
    import sqlite_utils

T = TypeVar("T")

BUSY_TIMEOUT_MS = 30_000
MIGRATION_SET = "mcreview"
# ISO 8601 in UTC to the microsecond, the same shape as every stored time. SQLite's %f
# has milliseconds; the zero padding keeps text order equal to time order.
NOW_SQL = "strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000+00:00'"
OWNER_ONLY = 0o600
GROUP_SHARED = 0o660


class _SQLiteDialect:
    """The driver side of a Transaction for sqlite3: `?` placeholders as they are."""

    now_sql = NOW_SQL

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def tables(self) -> list[TableInfo]:
        names = [
            row[0]
            for row in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
                " AND name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name"
            )
        ]
        found = []
        for name in names:
            # each row: cid, name, type, notnull, default, position in the primary key
            info = self.conn.execute(f'PRAGMA table_info("{name}")').fetchall()
            parents = {row[2] for row in self.conn.execute(f'PRAGMA foreign_key_list("{name}")')}
            found.append(
                TableInfo(
                    name=name,
                    columns=tuple(row[1] for row in info),
                    key=tuple(row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5])),
                    parents=tuple(sorted(parents - {name})),
                    binary=tuple(row[1] for row in info if str(row[2]).upper() == "BLOB"),
                )
            )
        return found

    def reset_identities(self) -> None:
        """Nothing to do: AUTOINCREMENT keeps its counter at the largest id inserted."""


class SQLiteStore:
    """A queue in one SQLite file (see the module docstring)."""

    backend = "sqlite"

    def __init__(
        self,
        conn: sqlite3.Connection,
        location: str,
        warnings: list[str] | None = None,
        write_lock: int | None = None,
    ) -> None:
        self.conn = conn
        self.location = location
        #: things the person opening it should know (e.g. "readable by every user")
        self.warnings = warnings or []
        self._write_lock = write_lock  # a descriptor of <queue>-writelock, or None

    @contextmanager
    def _writer_turn(self) -> Iterator[None]:
        """Wait in the OS's queue of writers (see the module docstring)."""
        fd = self._write_lock
        if fd is None:
            yield
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def write(self, work: Callable[[Transaction], T]) -> T:
        """One write transaction that holds the write lock from its first statement.

        Driver errors (a full disk, a corrupt file) come out as StoreError; errors the
        work raises itself (a rule it refused) come out as they are; either way
        nothing of the transaction is kept.
        """
        conn = self.conn
        with self._writer_turn():
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = work(Transaction(_SQLiteDialect(conn)))
                    conn.execute("COMMIT")
                except BaseException:
                    # SQLite may already have rolled back (a full disk, an I/O error); rolling
                    # back again would hide the error that matters.
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as error:
                raise StoreError(f"{self.location}: {error}") from error
        return result

    def read(self, work: Callable[[Transaction], T]) -> T:
        """One read transaction: in WAL mode every statement in it sees the same snapshot."""
        conn = self.conn
        try:
            conn.execute("BEGIN")
            try:
                return work(Transaction(_SQLiteDialect(conn)))
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")
        except sqlite3.Error as error:
            raise StoreError(f"{self.location}: {error}") from error

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """A named lock as a transaction on a small side file: held without the queue's
        write lock (assessors keep working), and a crashed holder releases it."""
        if self.location == ":memory:":  # no other process can race an in-memory queue
            yield
            return
        lock_path = Path(f"{self.location}-{name}lock")
        if not lock_path.exists():
            _create_like_folder(lock_path)
        conn = sqlite3.connect(lock_path, timeout=0, isolation_level=None)
        try:
            try:
                conn.execute("BEGIN EXCLUSIVE")
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode == sqlite3.SQLITE_BUSY:
                    raise StoreError(
                        f"{self.location}: another {name} of this queue is running; try again when it ends"
                    ) from None
                raise StoreError(f"{lock_path}: cannot take the {name} lock: {error}") from None
            yield
        finally:
            conn.close()

    @property
    def login_is_identity(self) -> bool:
        """True unless only its owner can open it (mode 0600, owned by whoever runs this):
        then nobody else's identity is at stake, and any assessor name may be used (a
        demo, a test)."""
        if self.location == ":memory:":
            return False
        try:
            info = os.stat(self.location)
        except OSError:
            return True
        return info.st_uid != os.getuid() or bool(info.st_mode & 0o077)

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self.conn.close()
        if self._write_lock is not None:
            os.close(self._write_lock)
            self._write_lock = None


def _open_write_lock(path: Path) -> int | None:
    """A descriptor of the queue's writer lock file, created like the queue; None where
    it cannot be made (then writers queue on SQLite's busy handler alone)."""
    lock_path = Path(f"{path}-writelock")
    try:
        if not lock_path.exists():
            _create_like_folder(lock_path)
        return os.open(lock_path, os.O_RDWR)
    except (OSError, StoreError):
        return None


def open_sqlite(path: str | Path) -> SQLiteStore:
    """Open (creating if needed) a queue file with the settings every writer needs.

    Raises StoreError with one line when the file cannot be used: a folder or file
    that is not writable, not a database, or a schema newer than this mcreview's.
    """
    path = Path(path)
    warnings: list[str] = []
    memory = str(path) == ":memory:"
    if not memory:
        _prepare_file(path)
        warnings.extend(_mode_warnings(path))
    try:
        conn = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        _refuse_newer(conn, path)
        store = SQLiteStore(conn, str(path), warnings, None if memory else _open_write_lock(path))
        if pending_migrations(conn):
            import sqlite_utils

            # Under the write lock, so two first-openers cannot both apply a migration;
            # apply() re-reads what is pending and nests each step in a savepoint.
            def migrate(tx: Transaction) -> None:
                _refuse_newer(conn, path)
                migration_set().apply(sqlite_utils.Database(conn))
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

            store.write(migrate)
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path}: cannot open the queue database: {error}") from None
    return store


def _prepare_file(path: Path) -> None:
    """Make the folder and, for a new queue, the file itself with the right mode.

    SQLite creates a file 0644 whatever the umask, and its -wal/-shm copy the main
    file's mode; so the file is created here first: readable by its owner only, or by
    the group too when the folder is a group-writable team folder (docs/team.md).
    """
    folder = path.parent
    if not folder.exists():
        try:
            folder.mkdir(parents=True, mode=0o700)
        except OSError as error:
            raise StoreError(f"{path}: cannot create its folder {folder}: {error.strerror}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(f"{path}: its folder {folder} is not writable by you")
    if not path.exists():
        _create_like_folder(path)
    elif not os.access(path, os.R_OK | os.W_OK):
        raise StoreError(f"{path}: not writable by you (a team database wants mode 660)")


def _create_like_folder(path: Path) -> None:
    """Create an empty file readable by its owner only, or by the group too in a
    group-writable (team) folder."""
    mode = GROUP_SHARED if path.parent.stat().st_mode & stat.S_IWGRP else OWNER_ONLY
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
        os.close(fd)
        os.chmod(path, mode)  # the umask may have taken bits the team folder needs
    except FileExistsError:
        pass  # another first-opener made it a moment ago
    except OSError as error:
        raise StoreError(f"{path}: cannot create: {error.strerror}") from None


def _mode_warnings(path: Path) -> list[str]:
    mode = path.stat().st_mode
    if mode & stat.S_IROTH:
        return [
            f"{path} is readable by every user on this host (mode {stat.filemode(mode)}):"
            f" chmod o-rwx {path} (docs/team.md)"
        ]
    return []


def _refuse_newer(conn: sqlite3.Connection, path: Path) -> None:
    """A database made by a newer mcreview would fail at its first write: say so now."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    unknown = sorted(set(_applied(conn)) - {step.__name__ for step in MIGRATIONS})
    if version > SCHEMA_VERSION or unknown:
        shown = version if version > SCHEMA_VERSION else f"with migration {unknown[0]}"
        raise SchemaTooNew(
            f"{path}: this queue has schema version {shown}, newer than this mcreview knows"
            f" (version {SCHEMA_VERSION}): upgrade mcreview to open it"
        )


# -- migrations --------------------------------------------------------------------
# m001-m003 are the first release's schema, kept as they were so an old queue
# upgrades step by step; m004 and m005 are this release's. Applied by sqlite-utils, which
# records each by name; PRAGMA user_version holds the schema version number.


def _run_statements(db: sqlite_utils.Database, script: str) -> None:
    """Run a schema script statement by statement: executescript() would COMMIT
    the surrounding transaction, and migrations run inside one."""
    for statement in script.split(";"):
        if statement.strip():
            db.conn.execute(statement)


def m001_initial(db: sqlite_utils.Database) -> None:
    _run_statements(
        db,
        """
        CREATE TABLE specs (
            hash TEXT PRIMARY KEY,
            credential TEXT NOT NULL,
            version TEXT NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            loaded_at TEXT NOT NULL
        );
        CREATE TABLE submissions (
            id TEXT PRIMARY KEY,
            credential TEXT NOT NULL,
            spec_hash TEXT NOT NULL REFERENCES specs(hash),
            submitted TEXT NOT NULL,
            candidate TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            source TEXT,
            imported_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            revision INTEGER NOT NULL DEFAULT 1,
            assessor TEXT,
            updated_at TEXT
        );
        CREATE INDEX submissions_by_status ON submissions(status, submitted, id);
        CREATE INDEX submissions_by_submitted ON submissions(submitted, id);
        CREATE INDEX submissions_by_credential ON submissions(credential, submitted, id);
        CREATE TABLE responses (
            submission_id TEXT NOT NULL REFERENCES submissions(id),
            component_id TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (submission_id, component_id)
        );
        CREATE TABLE attachments (
            submission_id TEXT NOT NULL REFERENCES submissions(id),
            seq INTEGER NOT NULL,
            component_id TEXT NOT NULL,
            path TEXT,
            url TEXT,
            description TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (submission_id, seq)
        );
        CREATE TABLE scores (
            submission_id TEXT NOT NULL REFERENCES submissions(id),
            revision INTEGER NOT NULL,
            assessor TEXT NOT NULL,
            component_id TEXT NOT NULL,
            level TEXT NOT NULL,
            passing INTEGER NOT NULL,
            spec_hash TEXT NOT NULL REFERENCES specs(hash),
            scored_at TEXT NOT NULL,
            PRIMARY KEY (submission_id, revision, assessor, component_id)
        );
        CREATE TABLE comments (
            submission_id TEXT NOT NULL REFERENCES submissions(id),
            revision INTEGER NOT NULL,
            assessor TEXT NOT NULL,
            component_id TEXT NOT NULL,  -- '' is the overall comment
            body TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (submission_id, revision, assessor, component_id)
        );
        CREATE TABLE decisions (
            submission_id TEXT NOT NULL REFERENCES submissions(id),
            revision INTEGER NOT NULL,
            assessor TEXT NOT NULL,
            outcome TEXT NOT NULL,
            computed TEXT NOT NULL,
            override INTEGER NOT NULL DEFAULT 0,
            justification TEXT NOT NULL DEFAULT '',
            comment TEXT NOT NULL DEFAULT '',
            part_outcomes TEXT NOT NULL DEFAULT '{}',
            spec_hash TEXT NOT NULL REFERENCES specs(hash),
            decided_at TEXT NOT NULL,
            PRIMARY KEY (submission_id, revision)
        );
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            assessor TEXT NOT NULL,
            submission_id TEXT,
            action TEXT NOT NULL,
            target TEXT NOT NULL DEFAULT '',
            before TEXT,
            after TEXT
        );
        CREATE INDEX events_by_submission ON events(submission_id, id);
        CREATE TABLE positions (
            assessor TEXT PRIMARY KEY,
            submission_id TEXT,
            component_id TEXT,
            updated_at TEXT NOT NULL
        );
        """,
    )


def m002_claims_sync_prechecks(db: sqlite_utils.Database) -> None:
    _run_statements(
        db,
        """
        CREATE TABLE claims (
            submission_id TEXT PRIMARY KEY REFERENCES submissions(id),
            assessor TEXT NOT NULL,
            claimed_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE TABLE sync_batches (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            destination TEXT NOT NULL,
            decisions INTEGER NOT NULL DEFAULT 0,
            scores INTEGER NOT NULL DEFAULT 0,
            files TEXT NOT NULL DEFAULT '[]',
            assessor TEXT NOT NULL
        );
        ALTER TABLE decisions ADD COLUMN sync_batch INTEGER REFERENCES sync_batches(id);
        CREATE INDEX decisions_unsynced ON decisions(sync_batch, decided_at);
        CREATE TABLE prechecks (
            submission_id TEXT NOT NULL REFERENCES submissions(id),
            spec_hash TEXT NOT NULL,
            component_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL,
            start INTEGER,
            end INTEGER
        );
        CREATE INDEX prechecks_by_submission ON prechecks(submission_id, component_id);
        ALTER TABLE submissions ADD COLUMN flags TEXT NOT NULL DEFAULT ''
        """,
    )


def m003_drafts(db: sqlite_utils.Database) -> None:
    _run_statements(
        db,
        """
        CREATE TABLE drafts (
            assessor TEXT NOT NULL,
            submission_id TEXT NOT NULL,
            field TEXT NOT NULL,
            body TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (assessor, submission_id, field)
        )
        """,
    )


def m004_attempts_readings(db: sqlite_utils.Database) -> None:
    """Attempts and readings: a submission has numbered attempts (resubmissions), and a
    level or comment belongs to one reading of one revision of one attempt. Existing rows
    become attempt 1, reading 1. Also: each stored rubric's components with their
    position and part (exports order scores by them), and names that are not reserved
    words in PostgreSQL (prechecks start/end)."""
    _run_statements(
        db,
        """
        ALTER TABLE submissions ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
        CREATE TABLE attempts (
            submission_id TEXT NOT NULL REFERENCES submissions(id),
            attempt INTEGER NOT NULL,
            spec_hash TEXT NOT NULL REFERENCES specs(hash),
            submitted TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            source TEXT,
            note TEXT NOT NULL DEFAULT '',
            imported_at TEXT NOT NULL,
            PRIMARY KEY (submission_id, attempt)
        );
        INSERT INTO attempts (submission_id, attempt, spec_hash, submitted, content_hash, source, imported_at)
            SELECT id, 1, spec_hash, submitted, content_hash, source, imported_at FROM submissions;
        CREATE TABLE spec_components (
            spec_hash TEXT NOT NULL REFERENCES specs(hash),
            component_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            part INTEGER NOT NULL,
            PRIMARY KEY (spec_hash, component_id)
        );

        CREATE TABLE responses_v4 (
            submission_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            component_id TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (submission_id, attempt, component_id),
            FOREIGN KEY (submission_id, attempt) REFERENCES attempts(submission_id, attempt)
        );
        INSERT INTO responses_v4 SELECT submission_id, 1, component_id, body FROM responses;
        DROP TABLE responses;
        ALTER TABLE responses_v4 RENAME TO responses;

        CREATE TABLE attachments_v4 (
            submission_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            component_id TEXT NOT NULL,
            path TEXT,
            url TEXT,
            description TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (submission_id, attempt, seq),
            FOREIGN KEY (submission_id, attempt) REFERENCES attempts(submission_id, attempt)
        );
        INSERT INTO attachments_v4
            SELECT submission_id, 1, seq, component_id, path, url, description FROM attachments;
        DROP TABLE attachments;
        ALTER TABLE attachments_v4 RENAME TO attachments;

        CREATE TABLE prechecks_v4 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            submission_id TEXT NOT NULL REFERENCES submissions(id),
            attempt INTEGER NOT NULL,
            spec_hash TEXT NOT NULL,
            component_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL,
            start_at INTEGER,
            end_at INTEGER
        );
        INSERT INTO prechecks_v4
            (submission_id, attempt, spec_hash, component_id, kind, detail, start_at, end_at)
            SELECT submission_id, 1, spec_hash, component_id, kind, detail, start, end FROM prechecks
            ORDER BY rowid;
        DROP TABLE prechecks;
        ALTER TABLE prechecks_v4 RENAME TO prechecks;
        CREATE INDEX prechecks_by_submission ON prechecks(submission_id, attempt, id);

        CREATE TABLE scores_v4 (
            submission_id TEXT NOT NULL REFERENCES submissions(id),
            attempt INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            reading INTEGER NOT NULL,
            component_id TEXT NOT NULL,
            level TEXT NOT NULL,
            passing INTEGER NOT NULL,
            spec_hash TEXT NOT NULL REFERENCES specs(hash),
            assessor TEXT NOT NULL,
            scored_at TEXT NOT NULL,
            PRIMARY KEY (submission_id, attempt, revision, reading, component_id)
        );
        INSERT INTO scores_v4 SELECT submission_id, 1, revision, 1, component_id, level, passing, spec_hash,
            assessor, scored_at FROM scores WHERE true
            ON CONFLICT (submission_id, attempt, revision, reading, component_id) DO NOTHING;
        DROP TABLE scores;
        ALTER TABLE scores_v4 RENAME TO scores;

        CREATE TABLE comments_v4 (
            submission_id TEXT NOT NULL REFERENCES submissions(id),
            attempt INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            reading INTEGER NOT NULL,
            component_id TEXT NOT NULL,  -- '' is the overall comment
            body TEXT NOT NULL,
            assessor TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (submission_id, attempt, revision, reading, component_id)
        );
        INSERT INTO comments_v4 SELECT submission_id, 1, revision, 1, component_id, body, assessor, updated_at
            FROM comments WHERE true
            ON CONFLICT (submission_id, attempt, revision, reading, component_id) DO NOTHING;
        DROP TABLE comments;
        ALTER TABLE comments_v4 RENAME TO comments;

        CREATE TABLE decisions_v4 (
            submission_id TEXT NOT NULL REFERENCES submissions(id),
            attempt INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            assessor TEXT NOT NULL,
            outcome TEXT NOT NULL,
            computed TEXT NOT NULL,
            override INTEGER NOT NULL DEFAULT 0,
            justification TEXT NOT NULL DEFAULT '',
            comment TEXT NOT NULL DEFAULT '',
            part_outcomes TEXT NOT NULL DEFAULT '{}',
            spec_hash TEXT NOT NULL REFERENCES specs(hash),
            decided_at TEXT NOT NULL,
            sync_batch INTEGER REFERENCES sync_batches(id),
            PRIMARY KEY (submission_id, attempt, revision)
        );
        INSERT INTO decisions_v4 SELECT submission_id, 1, revision, assessor, outcome, computed, override,
            justification, comment, part_outcomes, spec_hash, decided_at, sync_batch FROM decisions;
        DROP TABLE decisions;
        ALTER TABLE decisions_v4 RENAME TO decisions;
        CREATE INDEX decisions_unsynced ON decisions(sync_batch, decided_at);

        ALTER TABLE events ADD COLUMN attempt INTEGER
        """,
    )
    # Every stored rubric's components, in rubric order, from its stored body.
    import json

    for spec_hash, body in db.conn.execute("SELECT hash, body FROM specs").fetchall():
        data = json.loads(body)
        rows = [
            (spec_hash, component["id"], position, part["number"])
            for position, (part, component) in enumerate(
                (part, component)
                for part in data.get("parts", [])
                for component in part.get("components", [])
            )
        ]
        db.conn.executemany(
            "INSERT INTO spec_components (spec_hash, component_id, position, part) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (spec_hash, component_id) DO NOTHING",
            rows,
        )


def m005_resubmissions(db: sqlite_utils.Database) -> None:
    """Resubmissions and programme settings: a resubmission may be routed to the previous
    attempt's assessor, a level may be carried over from an earlier attempt, and the
    programme settings in force are kept in the queue (every version, for the audit)."""
    _run_statements(
        db,
        """
        ALTER TABLE submissions ADD COLUMN routed_to TEXT;
        ALTER TABLE scores ADD COLUMN carried_from INTEGER;
        CREATE TABLE programme_settings (
            version INTEGER PRIMARY KEY AUTOINCREMENT,
            body TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            loaded_at TEXT NOT NULL,
            loaded_by TEXT NOT NULL
        );
        CREATE INDEX events_by_assessor ON events(assessor, id);
        CREATE INDEX specs_by_credential ON specs(credential, loaded_at)
        """,
    )


def m006_sync_formats(db: sqlite_utils.Database) -> None:
    """Sync per export format (CSV, Open Badges 3.0): each batch records the format it was
    written in (every earlier batch was CSV), and sync_batch_decisions lists the decision
    revisions each batch carries, recorded when its files are named, before they are
    written. A revision is synced in a format once a finished batch of that format carries
    it, so a decision sent as CSV is still to send as OB3. Additive: the batches earlier
    releases finished are copied from decisions.sync_batch, which is no longer written (it
    stays, as SQLite cannot drop a column a foreign key names without rebuilding the table)."""
    _run_statements(
        db,
        """
        ALTER TABLE sync_batches ADD COLUMN format TEXT NOT NULL DEFAULT 'csv';
        CREATE TABLE sync_batch_decisions (
            batch INTEGER NOT NULL REFERENCES sync_batches(id),
            submission_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            PRIMARY KEY (batch, submission_id, attempt, revision),
            FOREIGN KEY (submission_id, attempt, revision)
                REFERENCES decisions(submission_id, attempt, revision)
        );
        CREATE INDEX sync_batch_decisions_by_decision
            ON sync_batch_decisions(submission_id, attempt, revision, batch);
        INSERT INTO sync_batch_decisions (batch, submission_id, attempt, revision)
            SELECT sync_batch, submission_id, attempt, revision FROM decisions WHERE sync_batch IS NOT NULL;
        DROP INDEX decisions_unsynced
        """,
    )


def m007_readings(db: sqlite_utils.Database) -> None:
    """Second readings, moderation and calibration. An attempt has readings (each an
    assessor's own levels and comments, recorded with an outcome); the final decision
    says how it came about (one reading, two that agreed, a lead's moderation, a lead's
    approval), who read it, and which reading's levels are final. Claims are per reading,
    so two readers of one attempt work at once. Gold submissions and their unmarked
    calibration copies. Existing decisions become single readings by their assessor."""
    _run_statements(
        db,
        """
        CREATE TABLE readings (
            submission_id TEXT NOT NULL REFERENCES submissions(id),
            attempt INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            reading INTEGER NOT NULL,
            assessor TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'reading',
            status TEXT NOT NULL DEFAULT 'open',
            outcome TEXT,
            computed TEXT,
            override INTEGER NOT NULL DEFAULT 0,
            justification TEXT NOT NULL DEFAULT '',
            comment TEXT NOT NULL DEFAULT '',
            part_outcomes TEXT NOT NULL DEFAULT '{}',
            note TEXT NOT NULL DEFAULT '',
            started_at TEXT NOT NULL,
            recorded_at TEXT,
            PRIMARY KEY (submission_id, attempt, revision, reading)
        );
        INSERT INTO readings (submission_id, attempt, revision, reading, assessor, status, outcome, computed,
            override, justification, comment, part_outcomes, started_at, recorded_at)
            SELECT submission_id, attempt, revision, 1, assessor, 'recorded', outcome, computed, override,
            justification, comment, part_outcomes, decided_at, decided_at FROM decisions;
        INSERT INTO readings (submission_id, attempt, revision, reading, assessor, started_at)
            SELECT s.id, s.attempt, s.revision, 1, COALESCE(s.assessor, 'import'),
            COALESCE(s.updated_at, s.imported_at) FROM submissions s WHERE s.status = 'in_review';
        ALTER TABLE attempts ADD COLUMN readings_needed INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE decisions ADD COLUMN resolution TEXT NOT NULL DEFAULT 'single';
        ALTER TABLE decisions ADD COLUMN readers TEXT NOT NULL DEFAULT '';
        ALTER TABLE decisions ADD COLUMN basis_reading INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE decisions ADD COLUMN approved_by TEXT;
        UPDATE decisions SET readers = assessor;
        ALTER TABLE submissions ADD COLUMN calibration_of TEXT;
        CREATE TABLE gold (
            submission_id TEXT NOT NULL REFERENCES submissions(id),
            attempt INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            marked_by TEXT NOT NULL,
            marked_at TEXT NOT NULL,
            PRIMARY KEY (submission_id, attempt)
        );
        DROP TABLE claims;
        CREATE TABLE claims (
            submission_id TEXT NOT NULL REFERENCES submissions(id),
            reading INTEGER NOT NULL,
            assessor TEXT NOT NULL,
            claimed_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            PRIMARY KEY (submission_id, reading)
        );
        CREATE INDEX claims_by_assessor ON claims(assessor);
        ALTER TABLE events ADD COLUMN reading INTEGER
        """,
    )


def m008_attachment_contents(db: sqlite_utils.Database) -> None:
    """Attachment contents in the queue: assessors on another host cannot read the importing
    host's files. Content-addressed (one row per SHA-256, however many attachments share
    it); each attachment says whether its bytes are stored and, if not, why. Attachments
    queued before this step are 'not-stored' (or 'link' for a URL)."""
    _run_statements(
        db,
        """
        CREATE TABLE attachment_contents (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            media_type TEXT NOT NULL,
            content BLOB NOT NULL,
            stored_at TEXT NOT NULL
        );
        ALTER TABLE attachments ADD COLUMN content_state TEXT NOT NULL DEFAULT 'not-stored';
        ALTER TABLE attachments ADD COLUMN content_sha256 TEXT REFERENCES attachment_contents(sha256);
        ALTER TABLE attachments ADD COLUMN size INTEGER;
        UPDATE attachments SET content_state = 'link' WHERE path IS NULL
        """,
    )


def m009_phrases(db: sqlite_utils.Database) -> None:
    """The comment bank: phrases an assessor inserts while commenting, kept per credential,
    component and level ('' for any) in the queue, so a team shares them."""
    _run_statements(
        db,
        """
        CREATE TABLE phrases (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            credential TEXT NOT NULL,
            component_id TEXT NOT NULL,
            level TEXT NOT NULL,
            body TEXT NOT NULL,
            created_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (credential, component_id, level, body)
        )
        """,
    )


# A new step: a function here, appended to MIGRATIONS, and the same step (same number) in
# store/postgres.py's STEPS; tests/test_schema.py checks that both backends end up alike.
MIGRATIONS = (
    m001_initial,
    m002_claims_sync_prechecks,
    m003_drafts,
    m004_attempts_readings,
    m005_resubmissions,
    m006_sync_formats,
    m007_readings,
    m008_attachment_contents,
    m009_phrases,
)
SCHEMA_VERSION = len(MIGRATIONS)


def migration_set() -> sqlite_utils.Migrations:
    """The schema's migrations in order, as sqlite-utils runs and records them."""
    import sqlite_utils

    migrations = sqlite_utils.Migrations(MIGRATION_SET)
    for step in MIGRATIONS:
        migrations()(step)
    return migrations


def _applied(conn: sqlite3.Connection) -> list[str]:
    try:
        return [
            row[0]
            for row in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", (MIGRATION_SET,)
            )
        ]
    except sqlite3.OperationalError:  # a new database: no record yet
        return []


def pending_migrations(conn: sqlite3.Connection) -> list[str]:
    """Names not yet applied, read from sqlite-utils' own record of them."""
    applied = set(_applied(conn))
    return [step.__name__ for step in MIGRATIONS if step.__name__ not in applied]
