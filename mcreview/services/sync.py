"""Sync: hand decided submissions to the issuing body as CSV files, once each.

Each run writes one batch: a pair of files named by batch number, so a receiver
loads every pair once and in order. The files are written to hidden temporary
names, fsynced and renamed into place (scores first, decisions last: a batch
exists once its decisions file does), and only then does the database record
them as synced. A run that dies part-way is finished or undone by the next run
to the same folder, so nothing goes out twice and nothing is skipped.
See docs/sync.md for the file format a receiver relies on.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from mcreview.services.review import DECIDED, SYNCED, load_spec
from mcreview.store import sqlite as queue_db
from mcreview.store.sqlite import QueueDatabase

DECISION_COLUMNS = (
    "batch",
    "submission_id",
    "credential",
    "candidate",
    "assessor",
    "decision",
    "decided_at",
    "revision",
    "override",
    "comment",
)  # then part1, part2, ... as many as the batch needs
SCORE_COLUMNS = (
    "batch",
    "submission_id",
    "revision",
    "part",
    "component",
    "level",
    "passing",
    "comment",
    "assessor",
)
# OWASP CSV injection: a spreadsheet runs a cell starting with these as a formula.
# "'" is on the list too, so a receiver can always strip exactly one leading "'".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")
DECISIONS_PREFIX = "decisions-"
SCORES_PREFIX = "scores-"

Key = tuple[str, int]  # (submission_id, revision): a decision's identity


class SyncError(Exception):
    """A sync that could not run; the message names the path and the reason, on one line."""


class FileOps:
    """The filesystem steps of writing a batch, kept in one object so tests can make any
    step fail (a full disk, a crash) and check what the folder and the database hold."""

    def write(self, path: Path, data: bytes) -> None:
        with open(path, "xb") as handle:  # x: never overwrite anything
            handle.write(data)
            handle.flush()

    def fsync(self, path: Path) -> None:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def rename(self, source: Path, target: Path) -> None:
        os.replace(source, target)

    def fsync_dir(self, path: Path) -> None:
        """Make renames in a folder durable (POSIX; Windows has no directory fsync)."""
        if os.name == "nt":
            return
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def remove(self, path: Path) -> None:
        path.unlink(missing_ok=True)


class DecisionOut(NamedTuple):  # a tuple: 100,000 of these are built per full export
    submission_id: str
    credential: str
    candidate: str
    assessor: str
    decision: str
    decided_at: str
    revision: int
    override: bool
    comment: str
    parts: dict[int, str]

    @property
    def key(self) -> Key:
        return (self.submission_id, self.revision)


class ScoreOut(NamedTuple):
    submission_id: str
    revision: int
    part: int | None
    component: str
    level: str
    passing: bool
    comment: str
    assessor: str


@dataclass(frozen=True)
class Interrupted:
    """A batch an earlier run reserved but never recorded as finished."""

    batch: int
    files: tuple[str, ...]  # final names, decisions file first
    reached_destination: bool  # its decisions file is in place: the batch went out, record it
    keys: tuple[Key, ...]  # what that decisions file holds
    scores: int


@dataclass
class SyncResult:
    destination: Path
    batch: int | None = None  # None: nothing written (nothing new, or a dry run)
    files: list[Path] = field(default_factory=list)
    decisions: list[Key] = field(default_factory=list)
    scores: int = 0
    interrupted: list[Interrupted] = field(default_factory=list)  # recovered, or to recover
    dry_run: bool = False


def neutralise(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (OWASP CSV injection)."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def restore(value: str) -> str:
    """What a receiver does to undo neutralise(): drop one leading "'"."""
    return value[1:] if value.startswith("'") else value


def batch_file_names(batch: int, started_at: str) -> tuple[str, str]:
    """(decisions, scores) names: batch number first so name order is batch order."""
    stamp = datetime.fromisoformat(started_at).strftime("%Y%m%dT%H%M%SZ")
    stem = f"{batch:06d}-{stamp}.csv"
    return DECISIONS_PREFIX + stem, SCORES_PREFIX + stem


def temp_name(final_name: str) -> str:
    """Hidden and not ending in .csv, so nothing mistakes it for a finished batch."""
    return f".{final_name}.tmp"


def render_csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    """RFC 4180: every field quoted, CRLF line ends, UTF-8 without a byte order mark."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(list(header))
    triggers = FORMULA_TRIGGERS  # neutralise(), inlined: it runs once per cell
    writer.writerows(
        [
            ("'" + cell if cell.startswith(triggers) else cell) if isinstance(cell, str) else cell
            for cell in row
        ]
        for row in rows
    )
    return buffer.getvalue().encode("utf-8")


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def decisions_csv(batch: int, decisions: list[DecisionOut]) -> bytes:
    parts = max((max(d.parts, default=0) for d in decisions), default=0)
    header = [*DECISION_COLUMNS, *(f"part{n}" for n in range(1, parts + 1))]
    rows = (
        [
            batch,
            d.submission_id,
            d.credential,
            d.candidate,
            d.assessor,
            d.decision,
            d.decided_at,
            d.revision,
            _yes_no(d.override),
            d.comment,
            *(d.parts.get(n, "") for n in range(1, parts + 1)),
        ]
        for d in decisions
    )
    return render_csv(header, rows)


def scores_csv(batch: int, scores: list[ScoreOut]) -> bytes:
    rows = (
        [
            batch,
            s.submission_id,
            s.revision,
            "" if s.part is None else s.part,
            s.component,
            s.level,
            _yes_no(s.passing),
            s.comment,
            s.assessor,
        ]
        for s in scores
    )
    return render_csv(SCORE_COLUMNS, rows)


@contextmanager
def _snapshot(database: QueueDatabase) -> Iterator[sqlite3.Connection]:
    """One read transaction, so decisions and their scores come from the same moment."""
    conn = database.conn
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


def _parts(text: str) -> dict[int, str]:
    try:
        raw = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    parts: dict[int, str] = {}
    for number, outcome in raw.items() if isinstance(raw, dict) else ():
        if str(number).isdigit():
            parts[int(number)] = str(outcome)
    return parts


def collect(
    database: QueueDatabase, everything: bool = False, exclude: frozenset[Key] = frozenset()
) -> tuple[list[DecisionOut], list[ScoreOut]]:
    """The decision revisions to export (unsynced ones, or with everything all of them),
    oldest decision first, and the scores of exactly those revisions.

    Two queries, however many decisions: the scores come back already in file order
    (decision order, then rubric order), with the rubric's order and part numbers
    joined from a small temporary table, so no Python runs per score row but the copy.
    """
    unsynced = "" if everything else " WHERE d.sync_batch IS NULL"
    parsed: dict[str, dict[int, str]] = {}  # part_outcomes texts repeat: parse each once
    with _snapshot(database) as conn:
        decisions = []
        for row in conn.execute(
            "SELECT d.submission_id, s.credential, s.candidate, d.assessor, d.outcome, d.decided_at,"
            " d.revision, d.override, d.comment, d.part_outcomes"
            " FROM decisions d JOIN submissions s ON s.id = d.submission_id"
            + unsynced
            + " ORDER BY d.decided_at, d.submission_id, d.revision"
        ):
            parts = parsed.get(row[9])
            if parts is None:
                parts = parsed[row[9]] = _parts(row[9])
            decisions.append(DecisionOut(*row[:7], bool(row[7]), row[8], parts))
        _rubric_table(database, conn)
        rows = conn.execute(
            "SELECT sc.submission_id, sc.revision, r.part, sc.component_id, sc.level, sc.passing,"
            " COALESCE(c.body, ''), sc.assessor"
            " FROM decisions d JOIN scores sc ON sc.submission_id = d.submission_id"
            " AND sc.revision = d.revision"
            " LEFT JOIN comments c ON c.submission_id = sc.submission_id AND c.revision = sc.revision"
            " AND c.assessor = sc.assessor AND c.component_id = sc.component_id"
            " LEFT JOIN temp.sync_rubric r ON r.spec_hash = sc.spec_hash AND r.component_id = sc.component_id"
            + unsynced
            + " ORDER BY d.decided_at, d.submission_id, d.revision, COALESCE(r.position, 1000000),"
            " sc.component_id, sc.assessor"
        ).fetchall()
        conn.execute("DROP TABLE temp.sync_rubric")
    if exclude:
        decisions = [d for d in decisions if d.key not in exclude]
        rows = [r for r in rows if (r[0], r[1]) not in exclude]
    return decisions, list(map(ScoreOut._make, rows))


def _rubric_table(database: QueueDatabase, conn: sqlite3.Connection) -> None:
    """temp.sync_rubric: each stored spec's components with their rubric position and part."""
    conn.execute(
        "CREATE TEMP TABLE sync_rubric (spec_hash TEXT, component_id TEXT, position INTEGER,"
        " part INTEGER, PRIMARY KEY (spec_hash, component_id)) WITHOUT ROWID"
    )
    for (spec_hash,) in conn.execute("SELECT hash FROM specs").fetchall():
        components = load_spec(database, spec_hash).components
        conn.executemany(
            "INSERT OR IGNORE INTO temp.sync_rubric VALUES (?, ?, ?, ?)",
            [(spec_hash, c.id, position, c.part_number) for position, c in enumerate(components)],
        )


def check_destination(destination: Path) -> Path:
    """Refuse a folder we cannot write to before anything changes; never create one."""
    if not destination.exists():
        raise SyncError(f"{destination}: does not exist (create the folder first)")
    if not destination.is_dir():
        raise SyncError(f"{destination}: is not a directory")
    if not os.access(destination, os.W_OK | os.X_OK):
        raise SyncError(f"{destination}: is not writable")
    return destination.resolve()


def _database_file(database: QueueDatabase) -> str:
    for _, name, file in database.conn.execute("PRAGMA database_list"):
        if name == "main":
            return file or ""
    return ""


@contextmanager
def _page_cache(conn: sqlite3.Connection, kib: int = 128 * 1024) -> Iterator[None]:
    """A larger page cache while a batch is read and marked: a full export touches every
    decisions and submissions page, and SQLite's default 2 MB cache spills to the WAL
    again and again inside the marking transaction."""
    previous = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{kib}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {previous}")


@contextmanager
def sync_lock(database: QueueDatabase) -> Iterator[None]:
    """One sync per queue at a time, without holding the queue's write lock (assessors keep
    working). The lock is a transaction on a small side file, so a crashed sync releases it."""
    path = _database_file(database)
    if not path:  # an in-memory database has no other process to race with
        yield
        return
    lock_path = path + "-synclock"
    conn = sqlite3.connect(lock_path, timeout=0, isolation_level=None)
    try:
        try:
            conn.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode == sqlite3.SQLITE_BUSY:
                raise SyncError(
                    f"{path}: another sync of this queue is running; try again when it ends"
                ) from None
            raise SyncError(f"{lock_path}: cannot take the sync lock: {error}") from None
        yield
    finally:
        conn.close()


def _read_keys(path: Path) -> tuple[Key, ...]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return tuple((restore(row["submission_id"]), int(row["revision"])) for row in reader)


def _count_rows(path: Path) -> int:
    if not path.exists():
        return 0
    with open(path, encoding="utf-8", newline="") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def find_interrupted(database: QueueDatabase, destination: Path) -> list[Interrupted]:
    """Batches reserved for this folder that no run finished; reads, changes nothing."""
    found = []
    for batch, files in database.conn.execute(
        "SELECT id, files FROM sync_batches WHERE finished_at IS NULL AND destination = ? ORDER BY id",
        (str(destination),),
    ).fetchall():
        names = tuple(sorted(json.loads(files), key=lambda n: not n.startswith(DECISIONS_PREFIX)))
        keys: tuple[Key, ...] = ()
        scores = 0
        reached = bool(names) and (destination / names[0]).is_file()
        if reached:
            try:
                keys = _read_keys(destination / names[0])
                scores = sum(_count_rows(destination / n) for n in names[1:])
            except (OSError, ValueError, KeyError, csv.Error) as error:
                raise SyncError(f"{destination / names[0]}: cannot read interrupted batch: {error}") from None
        found.append(Interrupted(batch, names, reached, keys, scores))
    return found


def _mark(
    conn: sqlite3.Connection,
    batch: int,
    keys: Iterable[Key],
    scores: int,
    destination: Path,
    files: Iterable[str],
    assessor: str,
    recovered: bool = False,
) -> None:
    """Inside a write transaction: these revisions went out in this batch."""
    keys = list(keys)
    now = queue_db.utc_now()
    # One set-based UPDATE per table, driven by a temporary table of the keys: at 100,000
    # decisions, 200,000 single-row UPDATEs spent their time on statement overhead.
    conn.execute(
        "CREATE TEMP TABLE sync_keys (submission_id TEXT, revision INTEGER,"
        " PRIMARY KEY (submission_id, revision)) WITHOUT ROWID"
    )
    try:
        conn.executemany("INSERT OR IGNORE INTO temp.sync_keys VALUES (?, ?)", keys)
        conn.execute(  # a decision's sync_batch is the latest batch that carried it
            "UPDATE decisions SET sync_batch = ?"
            " WHERE (submission_id, revision) IN (SELECT submission_id, revision FROM temp.sync_keys)"
            " AND (sync_batch IS NULL OR sync_batch < ?)",
            (batch, batch),
        )
        conn.execute(  # only when the exported revision is still the current decision
            "UPDATE submissions SET status = ?, updated_at = ? WHERE status = ?"
            " AND (id, revision) IN (SELECT submission_id, revision FROM temp.sync_keys)",
            (SYNCED, now, DECIDED),
        )
    finally:
        conn.execute("DROP TABLE temp.sync_keys")
    conn.execute(
        "UPDATE sync_batches SET finished_at = ?, decisions = ?, scores = ? WHERE id = ?",
        (now, len(keys), scores, batch),
    )
    detail = {"destination": str(destination), "files": list(files), "decisions": len(keys), "scores": scores}
    if recovered:
        detail["recovered"] = True
    queue_db.record_event(conn, assessor, None, "sync", f"batch {batch}", None, json.dumps(detail), now)


def _recover(
    database: QueueDatabase, destination: Path, item: Interrupted, assessor: str, fs: FileOps
) -> None:
    """Finish recording a batch that reached the folder, or undo one that did not."""
    for name in item.files:
        fs.remove(destination / temp_name(name))
    if not item.reached_destination:
        for name in item.files:  # e.g. a scores file renamed before the run died
            fs.remove(destination / name)
    fs.fsync_dir(destination)
    with queue_db.write(database) as conn:
        if item.reached_destination:
            _mark(conn, item.batch, item.keys, item.scores, destination, item.files, assessor, recovered=True)
        else:
            conn.execute("DELETE FROM sync_batches WHERE id = ? AND finished_at IS NULL", (item.batch,))
            queue_db.record_event(conn, assessor, None, "sync_abandoned", f"batch {item.batch}")


def _reserve(database: QueueDatabase, destination: Path, assessor: str) -> tuple[int, tuple[str, str]]:
    """Take the next batch number up front, so two runs can never write the same names."""
    with queue_db.write(database) as conn:
        started = queue_db.utc_now()
        batch = conn.execute(
            "INSERT INTO sync_batches (started_at, destination, assessor) VALUES (?, ?, ?)",
            (started, str(destination), assessor),
        ).lastrowid
        names = batch_file_names(batch, started)
        conn.execute("UPDATE sync_batches SET files = ? WHERE id = ?", (json.dumps(list(names)), batch))
    return batch, names


def _release(database: QueueDatabase, batch: int) -> None:
    """Forget a reservation whose files never reached the folder."""
    with queue_db.write(database) as conn:
        conn.execute("DELETE FROM sync_batches WHERE id = ? AND finished_at IS NULL", (batch,))


def _place(fs: FileOps, destination: Path, files: list[tuple[str, bytes]]) -> None:
    """Write every temp file, fsync each, rename them in list order, fsync the folder."""
    temps = [destination / temp_name(name) for name, _ in files]
    for temp, (_, data) in zip(temps, files, strict=True):
        fs.write(temp, data)
    for temp in temps:
        fs.fsync(temp)
    for temp, (name, _) in zip(temps, files, strict=True):
        fs.rename(temp, destination / name)
    fs.fsync_dir(destination)


def _undo(fs: FileOps, destination: Path, names: Iterable[str]) -> bool:
    """Put the folder back as it was after a failed write; False if something stayed."""
    try:
        for name in names:
            fs.remove(destination / temp_name(name))
            fs.remove(destination / name)
    except OSError:
        return False
    return True


def sync(
    database: QueueDatabase,
    destination: Path,
    assessor: str,
    *,
    everything: bool = False,
    dry_run: bool = False,
    fs: FileOps | None = None,
) -> SyncResult:
    """Export unsynced decision revisions (or, with everything, all of them) as one batch.

    The database records the batch only after both files are durably in place; a
    failure before that leaves the database's sync state as it was.
    """
    fs = fs or FileOps()
    shown = destination
    destination = check_destination(destination)
    result = SyncResult(shown, dry_run=dry_run)
    if dry_run:
        result.interrupted = find_interrupted(database, destination)
        adopted = frozenset(k for item in result.interrupted for k in item.keys)
        decisions, scores = collect(database, everything, frozenset() if everything else adopted)
        result.decisions = [d.key for d in decisions]
        result.scores = len(scores)
        return result
    with sync_lock(database), _page_cache(database.conn):
        try:
            result.interrupted = find_interrupted(database, destination)
            for item in result.interrupted:
                _recover(database, destination, item, assessor, fs)
        except OSError as error:
            raise SyncError(f"{shown}: cannot clean up an interrupted sync: {_reason(error)}") from None
        decisions, scores = collect(database, everything)
        if not decisions:
            return result
        batch, (decisions_name, scores_name) = _reserve(database, destination, assessor)
        # Scores first, decisions last: a receiver that sees a decisions file sees its scores.
        files = [(scores_name, scores_csv(batch, scores)), (decisions_name, decisions_csv(batch, decisions))]
        clash = [name for name, _ in files if (destination / name).exists()]
        if clash:
            _release(database, batch)
            raise SyncError(f"{shown / clash[0]}: already exists (is another queue database syncing here?)")
        try:
            _place(fs, destination, files)
        except OSError as error:
            if (destination / decisions_name).exists():
                raise SyncError(
                    f"{shown}: batch {batch} is written but could not be confirmed on disk"
                    f" ({_reason(error)}); the next sync here will record it"
                ) from None
            if _undo(fs, destination, [scores_name, decisions_name]):
                _release(database, batch)  # else the next sync here finds the reservation and cleans up
            raise SyncError(f"{shown}: cannot write the batch files: {_reason(error)}") from None
        keys = [d.key for d in decisions]
        with queue_db.write(database) as conn:
            _mark(conn, batch, keys, len(scores), destination, [decisions_name, scores_name], assessor)
    result.batch = batch
    result.files = [shown / decisions_name, shown / scores_name]
    result.decisions = [d.key for d in decisions]
    result.scores = len(scores)
    return result


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
