"""The store: the only package that talks to a database (see api.py for the contract)."""

from __future__ import annotations

from pathlib import Path

from mcreview.store.api import SchemaTooNew, Store, StoreError

__all__ = ["SchemaTooNew", "Store", "StoreError", "is_server_url", "open_store"]

SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server_url(target: str | Path) -> bool:
    return str(target).startswith(SERVER_SCHEMES)


def open_store(target: str | Path) -> Store:
    """Open the queue at `target`: a PostgreSQL URL selects the server backend, anything
    else is a SQLite file path. Raises StoreError with one line when it cannot be used."""
    if is_server_url(target):
        from mcreview.store.postgres import open_postgres  # psycopg loads only for a server queue

        return open_postgres(str(target))
    from mcreview.store.sqlite import open_sqlite

    return open_sqlite(target)
