"""The store's contract: what the services may ask of a queue database, and what comes back.

A Store runs units of work. `store.write(work)` runs `work(tx)` in one write
transaction that holds the write lock (or, on a server, is serialisable) from its
first statement, and retries it from the start when the backend reports a
serialisation conflict; so `work` must only read and write through `tx` and return
a value, with no side effects of its own. `store.read(work)` runs it on one
consistent snapshot. Every timestamp a transaction writes comes from `tx.now()`:
the database's clock, never the caller's.

The records below are what transactions return; they carry plain values (text,
numbers) so the same services run on every backend.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol, TypeVar

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
    SchemaTooNew,
    StoreError,
    SubmissionKey,
    SubmissionRow,
    SyncBatchRow,
    TableInfo,
)
from mcreview.store.transaction import Transaction

T = TypeVar("T")

__all__ = [
    "AttachmentContent",
    "AttachmentRow",
    "CarriedLevel",
    "ClaimRow",
    "ContentState",
    "DecisionRow",
    "EventRow",
    "ExportAttachment",
    "ExportDecision",
    "ExportResponse",
    "ExportScore",
    "GoldReading",
    "NewAttachmentContent",
    "NewDecision",
    "NewSubmission",
    "PhraseRow",
    "OPEN_WORK",
    "QueueFilter",
    "QueueRow",
    "ReadingPair",
    "ReadingRow",
    "SchemaTooNew",
    "Store",
    "StoreError",
    "SubmissionKey",
    "SubmissionRow",
    "SyncBatchRow",
    "TableInfo",
    "Transaction",
]


class Store(Protocol):
    """A queue database behind one interface (SQLite file, PostgreSQL server)."""

    #: where it is, for messages: a file path or a URL without its password
    location: str
    #: "sqlite" or "postgresql"
    backend: str
    #: things the person opening it should know (e.g. "readable by every user")
    warnings: list[str]

    @property
    def login_is_identity(self) -> bool:
        """On a queue others on this host can open, the login name is who you are (SSH has
        authenticated it), so `--assessor` may name only yourself. False for a queue that
        is yours alone, and for a server queue, whose readers log in on other hosts."""
        ...

    def write(self, work: Callable[[Transaction], T]) -> T:
        """Run `work` in one write transaction; committed durably before returning."""
        ...

    def read(self, work: Callable[[Transaction], T]) -> T:
        """Run `work` on one consistent read snapshot."""
        ...

    def exclusive(self, name: str) -> AbstractContextManager[None]:
        """Hold a named lock across transactions (one sync per queue at a time) without
        holding the write lock; raises StoreError at once if another process holds it."""
        ...

    def schema_version(self) -> int: ...

    def close(self) -> None: ...
