"""Copy a whole queue from one store to another (`mcreview migrate --to URL`), verified.

Every table, queue and audit trail alike, is copied into an empty target with the same
schema version, parents before the tables whose foreign keys point at them, in bounded
chunks in primary-key order (a few rows at a time for tables holding file contents).
Then each table is verified on both sides: the row count, and a SHA-256 over every row
in key order, computed here the same way from what each backend returns. Timestamps are
TEXT on both backends, so the checksums of a faithful copy are byte for byte equal.

The copy reads the source in many short transactions: stop the team first (docs/team.md);
a change made during the copy shows up as a checksum mismatch, not as a silent loss.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from mcreview.store.api import Store, StoreError, TableInfo, Transaction

CHUNK_ROWS = 1000
CHUNK_ROWS_BINARY = 4  # rows of attachment contents (up to the import limit each) per chunk


@dataclass(frozen=True)
class TableCopy:
    name: str
    rows: int
    sha256: str


def copy_order(tables: Sequence[TableInfo]) -> list[TableInfo]:
    """Parents first (a table after every table its foreign keys point at), else by name."""
    by_name = {table.name: table for table in tables}
    done: list[TableInfo] = []
    seen: set[str] = set()

    def visit(table: TableInfo, path: tuple[str, ...]) -> None:
        if table.name in seen:
            return
        if table.name in path:
            raise StoreError(f"foreign keys form a cycle through {table.name}: cannot order the copy")
        for parent in table.parents:
            if parent in by_name:
                visit(by_name[parent], (*path, table.name))
        seen.add(table.name)
        done.append(table)

    for table in sorted(tables, key=lambda t: t.name):
        visit(table, ())
    return done


def _chunk(table: TableInfo, chunk_rows: int) -> int:
    return min(chunk_rows, CHUNK_ROWS_BINARY) if table.binary else chunk_rows


def _rows(store: Store, table: TableInfo, chunk_rows: int) -> Iterator[list[tuple[Any, ...]]]:
    """A table's rows in key order, one bounded chunk (one short read) at a time."""
    after: tuple[Any, ...] | None = None
    key_at = [table.columns.index(column) for column in table.key]
    limit = _chunk(table, chunk_rows)
    while True:

        def work(tx: Transaction, after: tuple[Any, ...] | None = after) -> list[tuple[Any, ...]]:
            return tx.table_rows(table, after=after, limit=limit)

        rows = store.read(work)
        if rows:
            yield rows
        if len(rows) < limit:
            return
        after = tuple(rows[-1][i] for i in key_at)


def _encode(value: Any) -> bytes:
    """One value, typed and length-prefixed, so ('ab', 'c') and ('a', 'bc') differ."""
    if value is None:
        return b"N"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        text = str(value).encode()
        return b"I" + str(len(text)).encode() + b":" + text
    if isinstance(value, str):
        data = value.encode("utf-8")
        return b"S" + str(len(data)).encode() + b":" + data
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        return b"B" + str(len(data)).encode() + b":" + data
    if isinstance(value, float):
        text = repr(value).encode()
        return b"F" + str(len(text)).encode() + b":" + text
    raise StoreError(f"cannot checksum a value of type {type(value).__name__}")


def table_digest(store: Store, table: TableInfo, *, chunk_rows: int = CHUNK_ROWS) -> TableCopy:
    """Row count and SHA-256 of a table's content, in key order, the same on every backend."""
    digest = hashlib.sha256()
    count = 0
    for rows in _rows(store, table, chunk_rows):
        for row in rows:
            digest.update(b"R" + b"".join(_encode(value) for value in row))
            count += 1
    return TableCopy(table.name, count, digest.hexdigest())


def _counter(table: TableInfo) -> Callable[[Transaction], int]:
    return lambda tx: tx.table_count(table)


def _inserter(table: TableInfo, rows: list[tuple[Any, ...]]) -> Callable[[Transaction], None]:
    return lambda tx: tx.insert_rows(table, table.columns, rows)


def _columns(store: Store) -> dict[str, TableInfo]:
    return {table.name: table for table in store.read(lambda tx: tx.tables())}


def copy_queue(
    source: Store,
    target: Store,
    *,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[str, int], None] | None = None,
) -> list[TableCopy]:
    """Copy every table of `source` into the empty `target`, then verify; returns what was
    verified per table. Raises StoreError (one line) if the target is not empty, the
    schemas differ, or a count or checksum does not match."""
    if source.schema_version() != target.schema_version():
        raise StoreError(
            f"{target.location}: schema version {target.schema_version()}, but {source.location}"
            f" has {source.schema_version()}"
        )
    tables = _columns(source)
    theirs = _columns(target)
    if set(tables) != set(theirs):
        extra = sorted(set(tables) ^ set(theirs))
        raise StoreError(
            f"{target.location}: its tables differ from {source.location}'s ({', '.join(extra)})"
        )
    for name, table in tables.items():
        if set(table.columns) != set(theirs[name].columns) or table.key != theirs[name].key:
            raise StoreError(f"{target.location}: table {name} has other columns than {source.location}'s")
    for name, table in sorted(theirs.items()):
        count = target.read(_counter(table))
        if count:
            raise StoreError(
                f"{target.location}: not empty (table {name} has {count} rows); migrate copies into"
                " an empty database only"
            )
    ordered = copy_order(list(tables.values()))
    for table in ordered:
        copied = 0
        for rows in _rows(source, table, chunk_rows):
            target.write(_inserter(table, rows))
            copied += len(rows)
            if progress is not None:
                progress(table.name, copied)
    target.write(lambda tx: tx.reset_identities())
    verified = []
    for table in ordered:
        mine = table_digest(source, table, chunk_rows=chunk_rows)
        copy = table_digest(target, table, chunk_rows=chunk_rows)  # the source's column order
        if mine.rows != copy.rows:
            raise StoreError(
                f"{target.location}: table {table.name} has {copy.rows} rows, the source {mine.rows}"
                " (was the queue in use during the copy?)"
            )
        if mine.sha256 != copy.sha256:
            raise StoreError(
                f"{target.location}: table {table.name} differs from the source (checksum"
                f" {copy.sha256[:12]} against {mine.sha256[:12]}; was the queue in use during the copy?)"
            )
        verified.append(mine)
    return verified
