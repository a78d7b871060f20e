"""The queue database: connection settings, schema migrations, write transactions.

Several assessors write to one SQLite file at once, so every connection runs in
WAL mode with a busy timeout and full fsync on commit, and every write starts
with BEGIN IMMEDIATE (take the write lock first, then read), which is what keeps
"database is locked" from reaching anyone.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_MS = 30_000
MIGRATION_SET = "mcreview"


class QueueDatabase:
    """The open queue: one sqlite3 connection with the settings every writer needs.

    sqlite-utils is loaded only when a migration has to run: importing it costs about
    100 ms, a tenth of the app's start-up, for nothing the screens use.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def table_names(self) -> list[str]:
        rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return [row[0] for row in rows]


def _run_statements(db: sqlite_utils.Database, script: str) -> None:  # noqa: F821
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


def utc_now() -> str:
    """Timestamps are ISO 8601 in UTC with an explicit offset, to the microsecond."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def connect(path: str | Path) -> QueueDatabase:
    """Open (creating if needed) a queue database with the settings every writer needs."""
    path = Path(path)
    is_new = False
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
        is_new = not path.exists()
        _refuse_unwritable(path)
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    if is_new:
        _share_like_folder(path)
    db = QueueDatabase(conn)
    if pending_migrations(conn):
        import sqlite_utils

        # Under the write lock, so two first-openers cannot both apply a migration;
        # apply() re-reads what is pending and nests each step in a savepoint.
        with write(db):
            migration_set().apply(sqlite_utils.Database(conn))
    return db


class DatabaseAccessError(Exception):
    """The queue file or its folder cannot be written: say so before anyone scores."""


def _refuse_unwritable(path: Path) -> None:
    """SQLite opens an unwritable file read-only without a word; scoring would then
    fail at the first key. WAL also needs to create files beside the database."""
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseAccessError(f"{path}: its folder {folder} is not writable by you")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise DatabaseAccessError(f"{path}: not writable by you (a team database wants mode 660)")


def _share_like_folder(path: Path) -> None:
    """A new database in a group-writable folder is made group-writable too, since
    SQLite creates it 0644 whatever the umask, and its -wal/-shm copy that mode."""
    folder_mode = path.parent.stat().st_mode
    if folder_mode & stat.S_IWGRP and path.exists():
        path.chmod(path.stat().st_mode | stat.S_IRGRP | stat.S_IWGRP)


@contextmanager
def write(db: QueueDatabase) -> Iterator[sqlite3.Connection]:
    """One write transaction that holds the write lock from its first statement."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        # SQLite may already have rolled back (a full disk, an I/O error); rolling
        # back again would hide the error that matters.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def record_event(
    conn: sqlite3.Connection,
    assessor: str,
    submission_id: str | None,
    action: str,
    target: str = "",
    before: str | None = None,
    after: str | None = None,
    at: str | None = None,
) -> None:
    """Append to the audit trail; call inside the transaction that made the change."""
    conn.execute(
        "INSERT INTO events (at, assessor, submission_id, action, target, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (at or utc_now(), assessor, submission_id, action, target, before, after),
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


MIGRATIONS = (m001_initial, m002_claims_sync_prechecks, m003_drafts)


def migration_set() -> sqlite_utils.Migrations:
    """The schema's migrations in order, as sqlite-utils runs and records them."""
    import sqlite_utils

    migrations = sqlite_utils.Migrations(MIGRATION_SET)
    for step in MIGRATIONS:
        migrations()(step)
    return migrations


def pending_migrations(conn: sqlite3.Connection) -> list[str]:
    """Names not yet applied, read from sqlite-utils' own record of them."""
    try:
        applied = {
            row[0]
            for row in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", (MIGRATION_SET,)
            )
        }
    except sqlite3.OperationalError:  # a new database: no record yet
        applied = set()
    return [step.__name__ for step in MIGRATIONS if step.__name__ not in applied]
