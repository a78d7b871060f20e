"""Sync: hand decisions to the credential platform in batches, once each per format.

Each run writes one batch in one export format (services/export: CSV, Open Badges
3.0), named by batch number, so a receiver loads every batch once and in order. The
format renders the batch's files; this module writes them the same way for every
format: the batch's contents are recorded in the database, each file is written to
a hidden temporary name and fsynced, the payload files are renamed into place first
and the marker file last (a batch exists once its marker does), the folder is
fsynced, and only then is the batch recorded as finished. A run that dies part-way
is finished or undone by the next run to the same folder, keyed off the marker, so
nothing goes out twice and nothing is skipped. See docs/sync.md for what a receiver
relies on.
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from mcreview.core.specs import SpecError
from mcreview.core.vocabulary import Event
from mcreview.services.export import CsvFormat, ExportError, ExportFormat, Key, Records, Rubric, make_format
from mcreview.services.export.base import Batch, Rendered
from mcreview.services.library import SpecLibrary, SpecMissing
from mcreview.store.api import Store, StoreError
from mcreview.store.transaction import Transaction


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


@dataclass(frozen=True)
class Interrupted:
    """A batch an earlier run reserved but never recorded as finished."""

    batch: int
    format: str
    files: tuple[str, ...]  # final names, marker first
    reached_destination: bool  # its marker is in place: the batch went out, record it
    keys: tuple[Key, ...]  # the decisions it carries
    scores: int


@dataclass
class SyncResult:
    destination: Path
    format: str = CsvFormat.name
    batch: int | None = None  # None: nothing written (nothing new, or a dry run)
    files: list[Path] = field(default_factory=list)  # marker first
    decisions: list[Key] = field(default_factory=list)
    scores: int = 0
    interrupted: list[Interrupted] = field(default_factory=list)  # recovered, or to recover
    dry_run: bool = False


def temp_name(final_name: str) -> str:
    """Hidden and with its own ending, so nothing mistakes it for a finished file."""
    return f".{final_name}.tmp"


def collect(
    store: Store, fmt: ExportFormat, everything: bool = False, exclude: frozenset[Key] = frozenset()
) -> Records:
    """The decision revisions to export in this format (those not yet sent in it, or with
    everything all of them), oldest decision first, with the scores of exactly those
    revisions in file order, their pinned rubrics and, if the format wants it, the
    evidence: all from one snapshot."""
    library = SpecLibrary()
    name = fmt.name

    def work(tx: Transaction) -> Records:
        decisions = tx.export_decisions(format=name, everything=everything)
        scores = tx.export_scores(format=name, everything=everything)
        responses, attachments = (
            tx.export_evidence(format=name, everything=everything) if fmt.needs_evidence else ([], [])
        )
        hashes = dict.fromkeys(d.spec_hash for d in decisions)
        rubrics = {h: Rubric.of(library.spec(tx, h)) for h in hashes}
        return Records(decisions, scores, rubrics, responses, attachments)

    try:
        records = store.read(work)
    except (SpecMissing, SpecError) as error:
        raise SyncError(f"cannot export: {str(error).splitlines()[0]}") from None
    return records.without(exclude)


def check_destination(destination: Path) -> Path:
    """Refuse a folder we cannot write to before anything changes; never create one."""
    if not destination.exists():
        raise SyncError(f"{destination}: does not exist (create the folder first)")
    if not destination.is_dir():
        raise SyncError(f"{destination}: is not a directory")
    if not os.access(destination, os.W_OK | os.X_OK):
        raise SyncError(f"{destination}: is not writable")
    return destination.resolve()


def _format(name: str) -> ExportFormat:
    """A batch's own format, as recovery needs it: unconfigured, only to read a marker."""
    try:
        return make_format(name)
    except ExportError as error:
        raise SyncError(str(error)) from None


def _batch_keys(store: Store, batch: int) -> list[Key]:
    return store.read(lambda tx: tx.sync_batch_keys(batch))


def find_interrupted(store: Store, destination: Path) -> list[Interrupted]:
    """Batches reserved for this folder that no run finished; reads, changes nothing."""
    found = []
    for batch in store.read(lambda tx: tx.unfinished_sync_batches(str(destination))):
        names = tuple(json.loads(batch.files))
        reached = bool(names) and (destination / names[0]).is_file()
        keys: Sequence[Key] = ()
        if reached:
            keys = _batch_keys(store, batch.id)
            if not keys:  # written by an mcreview that did not record a batch's contents
                try:
                    keys = _format(batch.format).keys_in_marker(destination / names[0]) or ()
                except (OSError, ValueError, KeyError) as error:
                    raise SyncError(
                        f"{destination / names[0]}: cannot read interrupted batch: {error}"
                    ) from None
        found.append(Interrupted(batch.id, batch.format, names, reached, tuple(keys), batch.scores))
    return found


def _finish(
    tx: Transaction,
    batch: int,
    fmt: str,
    keys: Sequence[Key],
    scores: int,
    destination: Path,
    files: Iterable[str],
    assessor: str,
    recovered: bool = False,
) -> None:
    """Inside a write transaction: the batch is in the folder; its decisions are synced."""
    tx.finish_sync_batch(batch)
    detail: dict[str, object] = {
        "destination": str(destination),
        "format": fmt,
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
        for name in item.files:  # e.g. payload files renamed before the run died
            fs.remove(destination / name)
    fs.fsync_dir(destination)

    def work(tx: Transaction) -> None:
        if item.reached_destination:
            if not tx.sync_batch_keys(item.batch):  # an older mcreview's batch: keys from its marker
                tx.set_sync_batch_contents(item.batch, files=item.files, keys=item.keys, scores=item.scores)
            _finish(
                tx, item.batch, item.format, item.keys, item.scores, destination, item.files, assessor, True
            )
        else:
            tx.drop_sync_batch(item.batch)
            tx.record_event(
                assessor=assessor,
                submission_id=None,
                action=Event.SYNC_ABANDONED,
                target=f"batch {item.batch}",
            )

    store.write(work)


def _reserve(store: Store, destination: Path, assessor: str, fmt: str) -> tuple[int, str]:
    """Take the next batch number up front, so two runs can never write the same names."""
    return store.write(
        lambda tx: tx.reserve_sync_batch(destination=str(destination), assessor=assessor, format=fmt)
    )


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


def _render(fmt: ExportFormat, batch: Batch) -> Rendered:
    try:
        return fmt.render(batch)
    except ExportError as error:
        raise SyncError(f"{fmt.name}: {error}") from None


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """An export builds millions of strings and tuples and no reference cycles: the cycle
    collector would walk them again and again (1.1 s of a 9 s sync at 100,000 decisions)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def sync(
    store: Store,
    destination: Path,
    assessor: str,
    *,
    fmt: ExportFormat | None = None,
    everything: bool = False,
    dry_run: bool = False,
    fs: FileOps | None = None,
) -> SyncResult:
    """Export the decision revisions not yet sent in this format (CSV unless told), or
    with everything all of them, as one batch.

    The database records the batch as finished only after its files are durably in
    place; a failure before that leaves the database's sync state as it was.
    """
    with _without_cycle_collection():
        return _sync(store, destination, assessor, fmt or CsvFormat(), everything, dry_run, fs or FileOps())


def _sync(
    store: Store,
    destination: Path,
    assessor: str,
    fmt: ExportFormat,
    everything: bool,
    dry_run: bool,
    fs: FileOps,
) -> SyncResult:
    shown = destination
    destination = check_destination(destination)
    result = SyncResult(shown, fmt.name, dry_run=dry_run)
    if dry_run:
        result.interrupted = find_interrupted(store, destination)
        adopted = frozenset(k for item in result.interrupted if item.format == fmt.name for k in item.keys)
        records = collect(store, fmt, everything, frozenset() if everything else adopted)
        if records.decisions:  # rendered, not written: the counts, and any problem, are real
            rendered = _render(fmt, Batch(0, store.read(lambda tx: tx.now()), records))
            result.scores = rendered.scores
        result.decisions = [d.key for d in records.decisions]
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
        records = collect(store, fmt, everything)
        if not records.decisions:
            return result
        batch, started = _reserve(store, destination, assessor, fmt.name)
        try:
            rendered = _render(fmt, Batch(batch, started, records))
        except SyncError:
            _release(store, batch)
            raise
        names = rendered.names
        clash = [name for name in names if (destination / name).exists()]
        if clash:
            _release(store, batch)
            raise SyncError(f"{shown / clash[0]}: already exists (is another queue database syncing here?)")
        keys = [d.key for d in records.decisions]
        store.write(
            lambda tx: tx.set_sync_batch_contents(batch, files=names, keys=keys, scores=rendered.scores)
        )
        try:  # the payload first, the marker last: a receiver that sees a marker sees the batch
            _place(fs, destination, rendered.in_write_order)
        except OSError as error:
            if (destination / names[0]).exists():
                raise SyncError(
                    f"{shown}: batch {batch} is written but could not be confirmed on disk"
                    f" ({_reason(error)}); the next sync here will record it"
                ) from None
            if _undo(fs, destination, names):
                _release(store, batch)  # else the next sync here finds the reservation and cleans up
            raise SyncError(f"{shown}: cannot write the batch files: {_reason(error)}") from None
        store.write(
            lambda tx: _finish(tx, batch, fmt.name, keys, rendered.scores, destination, names, assessor)
        )
    result.batch = batch
    result.files = [shown / name for name in names]
    result.decisions = keys
    result.scores = rendered.scores
    return result


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
