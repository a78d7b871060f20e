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
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from mcreview.core.vocabulary import Event
from mcreview.store.api import ExportDecision, ExportScore, Store, StoreError
from mcreview.store.transaction import Transaction

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

Key = tuple[str, int, int]  # (submission_id, attempt, revision): a decision's identity
# A receiver's file may hold anything the export can write: a 10,000-character comment is
# far below this, but recovery must never fail on a field the csv module thinks too big.
FIELD_LIMIT = 2**31 - 1


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
    attempt: int
    revision: int
    override: bool
    comment: str
    parts: dict[int, str]

    @property
    def key(self) -> Key:
        return (self.submission_id, self.attempt, self.revision)


ScoreOut = ExportScore


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


def _decision_out(row: ExportDecision, parsed: dict[str, dict[int, str]]) -> DecisionOut:
    parts = parsed.get(row.part_outcomes)
    if parts is None:  # part_outcomes texts repeat: parse each once
        parts = parsed[row.part_outcomes] = _parts(row.part_outcomes)
    return DecisionOut(
        row.submission_id,
        row.credential,
        row.candidate,
        row.assessor,
        row.outcome,
        row.decided_at,
        row.attempt,
        row.revision,
        row.override,
        row.comment,
        parts,
    )


def collect(
    store: Store, everything: bool = False, exclude: frozenset[Key] = frozenset()
) -> tuple[list[DecisionOut], list[ScoreOut]]:
    """The decision revisions to export (unsynced ones, or with everything all of them),
    oldest decision first, and the scores of exactly those revisions, from one snapshot
    and in file order."""

    def work(tx: Transaction) -> tuple[list[ExportDecision], list[ExportScore]]:
        return tx.export_decisions(everything=everything), tx.export_scores(everything=everything)

    rows, scores = store.read(work)
    parsed: dict[str, dict[int, str]] = {}
    decisions = [_decision_out(row, parsed) for row in rows]
    if exclude:
        decisions = [d for d in decisions if d.key not in exclude]
        scores = [s for s in scores if (s.submission_id, s.attempt, s.revision) not in exclude]
    return decisions, scores


def check_destination(destination: Path) -> Path:
    """Refuse a folder we cannot write to before anything changes; never create one."""
    if not destination.exists():
        raise SyncError(f"{destination}: does not exist (create the folder first)")
    if not destination.is_dir():
        raise SyncError(f"{destination}: is not a directory")
    if not os.access(destination, os.W_OK | os.X_OK):
        raise SyncError(f"{destination}: is not writable")
    return destination.resolve()


def _reader(handle: io.TextIOBase) -> csv.DictReader[str]:
    csv.field_size_limit(FIELD_LIMIT)
    return csv.DictReader(handle)


def _read_keys(path: Path) -> tuple[Key, ...]:
    with open(path, encoding="utf-8", newline="") as handle:
        return tuple(
            (restore(row["submission_id"]), int(row.get("attempt") or 1), int(row["revision"]))
            for row in _reader(handle)
        )


def _count_rows(path: Path) -> int:
    if not path.exists():
        return 0
    with open(path, encoding="utf-8", newline="") as handle:
        return sum(1 for _ in _reader(handle))


def find_interrupted(store: Store, destination: Path) -> list[Interrupted]:
    """Batches reserved for this folder that no run finished; reads, changes nothing."""
    found = []
    for batch in store.read(lambda tx: tx.unfinished_sync_batches(str(destination))):
        names = tuple(sorted(json.loads(batch.files), key=lambda n: not n.startswith(DECISIONS_PREFIX)))
        keys: tuple[Key, ...] = ()
        scores = 0
        reached = bool(names) and (destination / names[0]).is_file()
        if reached:
            try:
                keys = _read_keys(destination / names[0])
                scores = sum(_count_rows(destination / n) for n in names[1:])
            except (OSError, ValueError, KeyError, csv.Error) as error:
                raise SyncError(f"{destination / names[0]}: cannot read interrupted batch: {error}") from None
        found.append(Interrupted(batch.id, names, reached, keys, scores))
    return found


def _mark(
    tx: Transaction,
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
    tx.mark_synced(batch, keys, scores=scores)
    detail: dict[str, object] = {
        "destination": str(destination),
        "files": list(files),
        "decisions": len(keys),
        "scores": scores,
    }
    if recovered:
        detail["recovered"] = True
    tx.record_event(
        assessor=assessor,
        submission_id=None,
        action=Event.SYNC,
        target=f"batch {batch}",
        after=json.dumps(detail),
    )


def _recover(store: Store, destination: Path, item: Interrupted, assessor: str, fs: FileOps) -> None:
    """Finish recording a batch that reached the folder, or undo one that did not."""
    for name in item.files:
        fs.remove(destination / temp_name(name))
    if not item.reached_destination:
        for name in item.files:  # e.g. a scores file renamed before the run died
            fs.remove(destination / name)
    fs.fsync_dir(destination)

    def work(tx: Transaction) -> None:
        if item.reached_destination:
            _mark(tx, item.batch, item.keys, item.scores, destination, item.files, assessor, recovered=True)
        else:
            tx.drop_sync_batch(item.batch)
            tx.record_event(
                assessor=assessor,
                submission_id=None,
                action=Event.SYNC_ABANDONED,
                target=f"batch {item.batch}",
            )

    store.write(work)


def _reserve(store: Store, destination: Path, assessor: str) -> tuple[int, tuple[str, str]]:
    """Take the next batch number up front, so two runs can never write the same names."""

    def work(tx: Transaction) -> tuple[int, tuple[str, str]]:
        batch, started = tx.reserve_sync_batch(destination=str(destination), assessor=assessor)
        names = batch_file_names(batch, started)
        tx.set_sync_batch_files(batch, names)
        return batch, names

    return store.write(work)


def _release(store: Store, batch: int) -> None:
    """Forget a reservation whose files never reached the folder."""
    store.write(lambda tx: tx.drop_sync_batch(batch))


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
    store: Store,
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
        result.interrupted = find_interrupted(store, destination)
        adopted = frozenset(k for item in result.interrupted for k in item.keys)
        decisions, scores = collect(store, everything, frozenset() if everything else adopted)
        result.decisions = [d.key for d in decisions]
        result.scores = len(scores)
        return result
    with ExitStack() as held:
        try:  # one sync per queue at a time; assessors keep working meanwhile
            held.enter_context(store.exclusive("sync"))
        except StoreError as error:
            raise SyncError(str(error)) from None
        try:
            result.interrupted = find_interrupted(store, destination)
            for item in result.interrupted:
                _recover(store, destination, item, assessor, fs)
        except OSError as error:
            raise SyncError(f"{shown}: cannot clean up an interrupted sync: {_reason(error)}") from None
        decisions, scores = collect(store, everything)
        if not decisions:
            return result
        batch, (decisions_name, scores_name) = _reserve(store, destination, assessor)
        # Scores first, decisions last: a receiver that sees a decisions file sees its scores.
        files = [(scores_name, scores_csv(batch, scores)), (decisions_name, decisions_csv(batch, decisions))]
        clash = [name for name, _ in files if (destination / name).exists()]
        if clash:
            _release(store, batch)
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
                _release(store, batch)  # else the next sync here finds the reservation and cleans up
            raise SyncError(f"{shown}: cannot write the batch files: {_reason(error)}") from None
        keys = [d.key for d in decisions]
        store.write(
            lambda tx: _mark(
                tx, batch, keys, len(scores), destination, [decisions_name, scores_name], assessor
            )
        )
    result.batch = batch
    result.files = [shown / decisions_name, shown / scores_name]
    result.decisions = [d.key for d in decisions]
    result.scores = len(scores)
    return result


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
