"""Queue listings, paged by key, so a 100,000-row queue reads like a 10-row one."""

from __future__ import annotations

from mcreview.store.api import OPEN_WORK, QueueFilter, QueueRow, Store

__all__ = ["OPEN_WORK", "QueueFilter", "QueueRow", "oldest_pending", "page", "page_before", "status_counts"]


def status_counts(store: Store, filters: QueueFilter | None = None) -> dict[str, int]:
    """Counts per status under the credential and text filter (the status filter is ignored)."""
    return store.read(lambda tx: tx.status_counts(filters or QueueFilter()))


def page(
    store: Store,
    filters: QueueFilter,
    *,
    after: tuple[str, str] | None = None,
    limit: int = 100,
    newest_first: bool = False,
) -> list[QueueRow]:
    """One page of rows ordered by (submitted, id); `after` is the last row's key."""
    return store.read(lambda tx: tx.queue_page(filters, after=after, limit=limit, newest_first=newest_first))


def page_before(
    store: Store,
    filters: QueueFilter,
    *,
    before: tuple[str, str],
    limit: int = 100,
    newest_first: bool = False,
) -> list[QueueRow]:
    """The page that ends just before `before`, in display order."""
    rows = page(store, filters, after=before, limit=limit, newest_first=not newest_first)
    return list(reversed(rows))


def oldest_pending(store: Store, assessor: str) -> str | None:
    """The oldest pending submission this assessor may take (routed to them, or to nobody)."""
    return store.read(lambda tx: tx.oldest_pending(assessor))


def credential_titles(store: Store) -> dict[str, str]:
    return store.read(lambda tx: tx.credential_titles())
