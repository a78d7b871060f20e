"""The PostgreSQL store: one queue on a database server, for assessors on several hosts.

The same Transaction (store/transaction.py) runs here as on SQLite: this module
supplies the connection, the placeholder style (`?` becomes `%s`) and the clock (the
server's, as ISO 8601 UTC text to the microsecond, the shape SQLite stores, so text
order is time order and a queue moves between backends unchanged). Timestamps stay
TEXT columns on both backends for the same reason.

Concurrency is PostgreSQL's own: every write is one SERIALIZABLE transaction, retried
from the start when the server reports a serialisation failure or a deadlock (a unit
of work has no side effects, so running it again is safe); a read is one REPEATABLE
READ snapshot. So two assessors can never both take a claim, and no update is lost,
without a lock of our own. `exclusive(name)` is a session-level advisory lock on a
connection of its own, so a crashed holder releases it.

The schema is created and upgraded by STEPS, numbered like SQLite's migrations (the
first PostgreSQL step is version 4: the schema SQLite has after m004), recorded in
the `mcreview_schema` table and applied at open under an advisory lock, so two
first-openers cannot race; a database whose schema is newer than this mcreview knows
is refused at open.
"""

from __future__ import annotations

import contextlib
import functools
import random
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg.pq import TransactionStatus

from mcreview.store.records import SchemaTooNew, StoreError, TableInfo
from mcreview.store.transaction import Transaction

T = TypeVar("T")

# ISO 8601 in UTC to the microsecond: exactly what SQLite's NOW_SQL and claims.later() write.
NOW_SQL = "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
LOCK_NAMESPACE = 0x6D637276  # "mcrv": the first key of every advisory lock mcreview takes
MIGRATION_LOCK = -1  # second key of the schema-upgrade lock (named locks hash to >= 0)
CONNECT_TIMEOUT_S = 10
LOCK_TIMEOUT = "30s"  # like SQLite's busy timeout: a row lock held longer is an error, not a hang
RETRY_SECONDS = 30.0  # keep retrying a conflicted unit of work this long, then give up
SCHEMA_TABLE = "mcreview_schema"
RETRYABLE = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)


@functools.lru_cache(maxsize=1024)
def _placeholders(sql: str) -> str:
    """The shared dialect's `?` as psycopg's `%s` (a literal % doubled first). The SQL in
    transaction.py has no `?` or `%` inside string literals that must survive as they are."""
    return sql.replace("%", "%%").replace("?", "%s")


def _one_line(error: BaseException, password: str | None = None) -> str:
    lines = str(error).strip().splitlines()
    text = lines[0].strip() if lines else type(error).__name__
    if password:
        text = text.replace(password, "***")
    return text


@dataclass(frozen=True)
class Target:
    """A postgresql:// URL, split into what to show and what to connect with."""

    url: str
    location: str  # the URL without its password (or any query options)
    password: str | None


def parse_url(url: str) -> Target:
    try:
        params = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        raise StoreError("not a valid PostgreSQL URL (postgresql://user@host:port/database)") from None
    host = str(params.get("host") or "local socket")
    port = f":{params['port']}" if params.get("port") else ""
    user = f"{params['user']}@" if params.get("user") else ""
    database = str(params.get("dbname") or params.get("user") or "")
    password = params.get("password")
    return Target(url, f"postgresql://{user}{host}{port}/{database}", str(password) if password else None)


class _PostgresDialect:
    """The driver side of a Transaction for psycopg."""

    now_sql = NOW_SQL

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        return self.conn.execute(_placeholders(sql), tuple(params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        batch = [tuple(row) for row in rows]
        if batch:
            with self.conn.cursor() as cursor:
                cursor.executemany(_placeholders(sql), batch)

    def tables(self) -> list[TableInfo]:
        names = [
            row[0]
            for row in self.conn.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname <> %s"
                " ORDER BY c.relname",
                (SCHEMA_TABLE,),
            )
        ]
        found = []
        for name in names:
            columns = self.conn.execute(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
                " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                (name,),
            ).fetchall()
            key = self.conn.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a"
                " ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
                " WHERE i.indrelid = %s::regclass AND i.indisprimary"
                " ORDER BY array_position(i.indkey::int2[], a.attnum)",
                (name,),
            ).fetchall()
            parents = self.conn.execute(
                "SELECT DISTINCT confrelid::regclass::text FROM pg_constraint"
                " WHERE conrelid = %s::regclass AND contype = 'f' AND confrelid <> conrelid",
                (name,),
            ).fetchall()
            found.append(
                TableInfo(
                    name=name,
                    columns=tuple(row[0] for row in columns),
                    key=tuple(row[0] for row in key),
                    parents=tuple(sorted(row[0] for row in parents)),
                    binary=tuple(row[0] for row in columns if row[1] == "bytea"),
                )
            )
        return found

    def reset_identities(self) -> None:
        identities = self.conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND is_identity = 'YES'"
        ).fetchall()
        for table, column in identities:
            self.conn.execute(
                f'SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max("{column}"), 0) + 1, false)'
                f' FROM "{table}"',
                (f'"{table}"', column),
            )


class PostgresStore:
    """A queue in one PostgreSQL database (see the module docstring)."""

    backend = "postgresql"
    # Assessors log in on different hosts, so a host's login name proves nothing to the
    # server: --assessor is trusted (docs/team.md: one database role per assessor).
    login_is_identity = False

    def __init__(self, target: Target, conn: psycopg.Connection[Any]) -> None:
        self.target = target
        self.location = target.location
        self.conn = conn
        #: things the person opening it should know (none yet on this backend)
        self.warnings: list[str] = []
        self._lock = threading.RLock()  # one unit of work at a time on this connection
        #: units of work run again after a serialisation failure or deadlock (for measuring)
        self.retries = 0

    # -- connections ---------------------------------------------------------------

    def _connection(self) -> psycopg.Connection[Any]:
        """The store's connection, opened again if the server dropped it (a restart)."""
        if self.conn.closed or self.conn.broken:
            self.conn = connect(self.target)
        return self.conn

    def _error(self, error: BaseException) -> StoreError:
        return StoreError(f"{self.location}: {_one_line(error, self.target.password)}")

    # -- units of work ---------------------------------------------------------------

    def write(self, work: Callable[[Transaction], T]) -> T:
        """One SERIALIZABLE transaction, committed (and so durable: synchronous_commit is on)
        before returning; run again from the start after a serialisation failure or a
        deadlock. Driver errors come out as StoreError; errors the work raises itself come
        out as they are; either way nothing of the transaction is kept."""
        deadline = time.monotonic() + RETRY_SECONDS
        tries = 0
        with self._lock:
            while True:
                try:
                    return self._run(work, "BEGIN ISOLATION LEVEL SERIALIZABLE")
                except RETRYABLE as error:
                    tries += 1
                    self.retries += 1
                    if time.monotonic() > deadline:
                        raise StoreError(
                            f"{self.location}: gave up after {tries} conflicting tries:"
                            f" {_one_line(error, self.target.password)}"
                        ) from None
                    # Back off a little, at random, so the conflicting writers spread out.
                    time.sleep(random.uniform(0, min(0.05, 0.002 * 2 ** min(tries, 6))))
                except psycopg.Error as error:
                    raise self._error(error) from None

    def read(self, work: Callable[[Transaction], T]) -> T:
        """One read-only snapshot (REPEATABLE READ): every statement sees the same data."""
        with self._lock:
            try:
                return self._run(work, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            except psycopg.Error as error:
                raise self._error(error) from None

    def _run(self, work: Callable[[Transaction], T], begin: str) -> T:
        conn = self._connection()
        conn.execute(begin)
        try:
            result = work(Transaction(_PostgresDialect(conn)))
            conn.execute("COMMIT")
        except BaseException:
            if not conn.closed and conn.info.transaction_status != TransactionStatus.IDLE:
                # If the connection is gone, the error that matters is the first one.
                with contextlib.suppress(psycopg.Error):
                    conn.execute("ROLLBACK")
            raise
        return result

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """A named session-level advisory lock, on a connection of its own: held across
        transactions without blocking anyone's writes; a crashed holder's connection
        closes and releases it."""
        conn = connect(self.target)
        try:
            try:
                row = conn.execute(
                    "SELECT pg_try_advisory_lock(%s::int4, %s::int4)", (LOCK_NAMESPACE, _lock_key(name))
                ).fetchone()
            except psycopg.Error as error:
                raise self._error(error) from None
            if not row or not row[0]:
                raise StoreError(
                    f"{self.location}: another {name} of this queue is running; try again when it ends"
                )
            yield
        finally:
            conn.close()

    def schema_version(self) -> int:
        with self._lock:
            try:
                return _schema_version(self._connection())
            except psycopg.Error as error:
                raise self._error(error) from None

    def close(self) -> None:
        self.conn.close()


def _lock_key(name: str) -> int:
    return zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF


def connect(target: Target) -> psycopg.Connection[Any]:
    """A connection with the settings every unit of work relies on; StoreError if none."""
    try:
        conn = psycopg.connect(
            target.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, application_name="mcreview"
        )
    except psycopg.Error as error:
        raise StoreError(f"{target.location}: cannot connect: {_one_line(error, target.password)}") from None
    try:
        conn.execute("SET synchronous_commit = on")  # a commit is on the server's disk before it returns
        conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
    except psycopg.Error as error:
        conn.close()
        raise StoreError(f"{target.location}: {_one_line(error, target.password)}") from None
    return conn


def open_postgres(url: str) -> PostgresStore:
    """Connect to the queue at a postgresql:// URL, creating or upgrading its schema.

    Raises StoreError with one line (the host and database, never the password) when the
    server cannot be reached, the role may not do what is needed, or the schema is newer
    than this mcreview's.
    """
    target = parse_url(url)
    conn = connect(target)
    try:
        if _pending(conn, target):
            _migrate(conn, target)
    except StoreError:
        conn.close()
        raise
    except pg_errors.InsufficientPrivilege:
        conn.close()
        raise StoreError(
            f"{target.location}: the queue's schema needs upgrading to version {SCHEMA_VERSION},"
            " which this role may not do: open it once as the role that owns the database (docs/team.md)"
        ) from None
    except psycopg.Error as error:
        conn.close()
        raise StoreError(
            f"{target.location}: cannot open the queue database: {_one_line(error, target.password)}"
        ) from None
    return PostgresStore(target, conn)


# -- schema --------------------------------------------------------------------------


def _ddl(script: str) -> list[str]:
    """A schema script as statements. Every TEXT column compares byte by byte (COLLATE "C"),
    as SQLite does, so ordering, keyset paging and migration checksums agree between the
    backends whatever locale the database was created with."""
    return [
        statement.replace(" TEXT", ' TEXT COLLATE "C"').strip()
        for statement in script.split(";")
        if statement.strip()
    ]


@dataclass(frozen=True)
class Step:
    version: int  # the schema version once applied: the same number as SQLite's step
    name: str
    statements: tuple[str, ...]


def _step(version: int, name: str, script: str) -> Step:
    return Step(version, name, tuple(_ddl(script)))


# The schema SQLite has after m001-m004, as one step (PostgreSQL queues start there).
P004 = """
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
    updated_at TEXT,
    flags TEXT NOT NULL DEFAULT '',
    attempt INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX submissions_by_status ON submissions(status, submitted, id);
CREATE INDEX submissions_by_submitted ON submissions(submitted, id);
CREATE INDEX submissions_by_credential ON submissions(credential, submitted, id);
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
CREATE TABLE spec_components (
    spec_hash TEXT NOT NULL REFERENCES specs(hash),
    component_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    part INTEGER NOT NULL,
    PRIMARY KEY (spec_hash, component_id)
);
CREATE TABLE responses (
    submission_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    component_id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (submission_id, attempt, component_id),
    FOREIGN KEY (submission_id, attempt) REFERENCES attempts(submission_id, attempt)
);
CREATE TABLE attachments (
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
CREATE TABLE prechecks (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES submissions(id),
    attempt INTEGER NOT NULL,
    spec_hash TEXT NOT NULL,
    component_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    start_at INTEGER,
    end_at INTEGER
);
CREATE INDEX prechecks_by_submission ON prechecks(submission_id, attempt, id);
CREATE TABLE scores (
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
CREATE TABLE comments (
    submission_id TEXT NOT NULL REFERENCES submissions(id),
    attempt INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    reading INTEGER NOT NULL,
    component_id TEXT NOT NULL,
    body TEXT NOT NULL,
    assessor TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (submission_id, attempt, revision, reading, component_id)
);
CREATE TABLE sync_batches (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    destination TEXT NOT NULL,
    decisions INTEGER NOT NULL DEFAULT 0,
    scores INTEGER NOT NULL DEFAULT 0,
    files TEXT NOT NULL DEFAULT '[]',
    assessor TEXT NOT NULL
);
CREATE TABLE decisions (
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
    sync_batch BIGINT REFERENCES sync_batches(id),
    PRIMARY KEY (submission_id, attempt, revision)
);
CREATE INDEX decisions_unsynced ON decisions(sync_batch, decided_at);
CREATE TABLE events (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at TEXT NOT NULL,
    assessor TEXT NOT NULL,
    submission_id TEXT,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    before TEXT,
    after TEXT,
    attempt INTEGER
);
CREATE INDEX events_by_submission ON events(submission_id, id);
CREATE TABLE positions (
    assessor TEXT PRIMARY KEY,
    submission_id TEXT,
    component_id TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE claims (
    submission_id TEXT PRIMARY KEY REFERENCES submissions(id),
    assessor TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE drafts (
    assessor TEXT NOT NULL,
    submission_id TEXT NOT NULL,
    field TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (assessor, submission_id, field)
)
"""

# SQLite's m005: resubmissions (routing, carried levels), programme settings.
P005 = """
ALTER TABLE submissions ADD COLUMN routed_to TEXT;
ALTER TABLE scores ADD COLUMN carried_from INTEGER;
CREATE TABLE programme_settings (
    version BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    body TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by TEXT NOT NULL
);
CREATE INDEX events_by_assessor ON events(assessor, id);
CREATE INDEX specs_by_credential ON specs(credential, loaded_at)
"""

# SQLite's m006: sync per export format.
P006 = """
ALTER TABLE sync_batches ADD COLUMN format TEXT NOT NULL DEFAULT 'csv';
CREATE TABLE sync_batch_decisions (
    batch BIGINT NOT NULL REFERENCES sync_batches(id),
    submission_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    PRIMARY KEY (batch, submission_id, attempt, revision),
    FOREIGN KEY (submission_id, attempt, revision) REFERENCES decisions(submission_id, attempt, revision)
);
CREATE INDEX sync_batch_decisions_by_decision
    ON sync_batch_decisions(submission_id, attempt, revision, batch);
INSERT INTO sync_batch_decisions (batch, submission_id, attempt, revision)
    SELECT sync_batch, submission_id, attempt, revision FROM decisions WHERE sync_batch IS NOT NULL;
DROP INDEX decisions_unsynced
"""

# SQLite's m007: readings, moderation, calibration; claims per reading.
P007 = """
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
"""

# SQLite's m008: attachment contents in the queue, content-addressed.
P008 = """
CREATE TABLE attachment_contents (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    content BYTEA NOT NULL,
    stored_at TEXT NOT NULL
);
ALTER TABLE attachments ADD COLUMN content_state TEXT NOT NULL DEFAULT 'not-stored';
ALTER TABLE attachments ADD COLUMN content_sha256 TEXT REFERENCES attachment_contents(sha256);
ALTER TABLE attachments ADD COLUMN size BIGINT;
UPDATE attachments SET content_state = 'link' WHERE path IS NULL
"""

P009 = """
CREATE TABLE phrases (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    credential TEXT NOT NULL,
    component_id TEXT NOT NULL,
    level TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (credential, component_id, level, body)
)
"""

# Ordered; a new step is one more entry, numbered like its SQLite twin (docs/architecture.md).
STEPS = (
    _step(4, "p004_attempts_readings", P004),
    _step(5, "p005_resubmissions", P005),
    _step(6, "p006_sync_formats", P006),
    _step(7, "p007_readings", P007),
    _step(8, "p008_attachment_contents", P008),
    _step(9, "p009_phrases", P009),
)
SCHEMA_VERSION = STEPS[-1].version


def _schema_version(conn: psycopg.Connection[Any]) -> int:
    if _has_schema_table(conn):
        row = conn.execute(f"SELECT coalesce(max(version), 0) FROM {SCHEMA_TABLE}").fetchone()
        return int(row[0]) if row else 0
    return 0


def _has_schema_table(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute("SELECT to_regclass(%s)", (SCHEMA_TABLE,)).fetchone()
    return bool(row and row[0])


def _applied(conn: psycopg.Connection[Any]) -> list[tuple[int, str]]:
    if not _has_schema_table(conn):
        return []
    return [(int(v), str(n)) for v, n in conn.execute(f"SELECT version, name FROM {SCHEMA_TABLE}")]


def _refuse_newer(applied: list[tuple[int, str]], target: Target) -> None:
    known = {(step.version, step.name) for step in STEPS}
    unknown = sorted(set(applied) - known)
    if unknown:
        version = max(v for v, _ in applied)
        shown = version if version > SCHEMA_VERSION else f"with migration {unknown[0][1]}"
        raise SchemaTooNew(
            f"{target.location}: this queue has schema version {shown}, newer than this mcreview knows"
            f" (version {SCHEMA_VERSION}): upgrade mcreview to open it"
        )


def _pending(conn: psycopg.Connection[Any], target: Target) -> list[Step]:
    applied = _applied(conn)
    _refuse_newer(applied, target)
    done = {version for version, _ in applied}
    return [step for step in STEPS if step.version not in done]


def pending_steps(store: PostgresStore) -> list[str]:
    """Names of the steps not yet applied (for tests and `mcreview` diagnostics)."""
    with store._lock:
        return [step.name for step in _pending(store._connection(), store.target)]


def _migrate(conn: psycopg.Connection[Any], target: Target, *, stop_before: int | None = None) -> None:
    """Apply the pending steps in one transaction, under an advisory lock: a second
    first-opener waits, then finds nothing pending. READ COMMITTED, so what is pending
    is read after the lock is granted, not from a snapshot taken before it."""
    conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
    try:
        conn.execute("SELECT pg_advisory_xact_lock(%s::int4, %s::int4)", (LOCK_NAMESPACE, MIGRATION_LOCK))
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (version INTEGER PRIMARY KEY,"
            ' name TEXT COLLATE "C" NOT NULL, applied_at TEXT COLLATE "C" NOT NULL)'
        )
        for step in _pending(conn, target):
            if stop_before is not None and step.version >= stop_before:
                break
            for statement in step.statements:
                conn.execute(statement)
            conn.execute(
                f"INSERT INTO {SCHEMA_TABLE} (version, name, applied_at) VALUES (%s, %s, {NOW_SQL})",
                (step.version, step.name),
            )
        conn.execute("COMMIT")
    except BaseException:
        if conn.info.transaction_status != TransactionStatus.IDLE:
            conn.execute("ROLLBACK")
        raise


def create_schema(url: str, *, stop_before: int) -> None:
    """Create a queue schema only up to (not including) step `stop_before`: what an older
    mcreview left, for upgrade tests."""
    target = parse_url(url)
    conn = connect(target)
    try:
        _migrate(conn, target, stop_before=stop_before)
    finally:
        conn.close()
