"""Queue listings paged from SQLite by key, so a 100,000-row queue reads like a 10-row one."""

from __future__ import annotations

from dataclasses import dataclass

from mcreview.store.sqlite import QueueDatabase, utc_now

OPEN = "open"  # pending or in review: the work still to do


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None  # a status, OPEN, or None for all
    credential: str | None = None
    text: str | None = None  # matches id, candidate or credential


@dataclass(frozen=True)
class QueueRow:
    id: str
    credential: str
    status: str
    submitted: str
    assessor: str | None
    revision: int
    claimed_by: str | None = None  # a live claim's holder
    flags: str = ""  # pre-check flag letters, see mcreview.core.prechecks


def _where(filters: QueueFilter) -> tuple[str, list]:
    clauses: list[str] = []
    params: list = []
    if filters.status == OPEN:
        clauses.append("status IN ('pending', 'in_review')")
    elif filters.status:
        clauses.append("status = ?")
        params.append(filters.status)
    if filters.credential:
        clauses.append("credential = ?")
        params.append(filters.credential)
    if filters.text:
        clauses.append(
            "(id LIKE ? ESCAPE '\\' OR candidate LIKE ? ESCAPE '\\' OR credential LIKE ? ESCAPE '\\')"
        )
        needle = "%" + filters.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params.extend([needle, needle, needle])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def status_counts(database: QueueDatabase, filters: QueueFilter | None = None) -> dict[str, int]:
    """Counts per status under the credential/text filter (status filter ignored)."""
    base = QueueFilter(None, filters.credential, filters.text) if filters else QueueFilter()
    where, params = _where(base)
    return dict(
        database.conn.execute(f"SELECT status, count(*) FROM submissions{where} GROUP BY status", params)
    )


def page(
    database: QueueDatabase,
    filters: QueueFilter,
    after: tuple[str, str] | None = None,
    limit: int = 100,
    newest_first: bool = False,
) -> list[QueueRow]:
    """One page of rows ordered by (submitted, id); `after` is the last row's key.

    Keyset paging over the (status, submitted, id) index: each page costs the
    same however deep into the queue it is, unlike OFFSET.
    """
    where, params = _where(filters)
    op = "<" if newest_first else ">"
    if after is not None:
        where += (" AND " if where else " WHERE ") + f"(submitted, id) {op} (?, ?)"
        params.extend(after)
    direction = "DESC" if newest_first else "ASC"
    rows = database.conn.execute(
        "SELECT id, credential, status, submitted, assessor, revision,"
        " (SELECT assessor FROM claims WHERE submission_id = id AND expires_at > ?), flags"
        f" FROM submissions{where} ORDER BY submitted {direction}, id {direction} LIMIT ?",
        [utc_now(), *params, limit],
    )
    return [QueueRow(*row) for row in rows]


def page_before(
    database: QueueDatabase,
    filters: QueueFilter,
    before: tuple[str, str],
    limit: int = 100,
    newest_first: bool = False,
) -> list[QueueRow]:
    """The page that ends just before `before`, in display order."""
    rows = page(database, filters, before, limit, not newest_first)
    return list(reversed(rows))


def oldest_pending(database: QueueDatabase) -> str | None:
    row = database.conn.execute(
        "SELECT id FROM submissions WHERE status = 'pending' ORDER BY submitted, id LIMIT 1"
    ).fetchone()
    return row[0] if row else None
