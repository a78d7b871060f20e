"""Drafts of text being typed, saved as the assessor types so a crash loses nothing.

A draft is not a comment: it has no audit event and nothing exports it. It is
kept until the editor saves or discards, and offered again when the same editor
opens after an interrupted session.
"""

from __future__ import annotations

from mcreview.store import sqlite as queue_db
from mcreview.store.sqlite import QueueDatabase


def save_draft(database: QueueDatabase, assessor: str, submission_id: str, field: str, body: str) -> None:
    with queue_db.write(database) as conn:
        conn.execute(
            "INSERT INTO drafts (assessor, submission_id, field, body, updated_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (assessor, submission_id, field) DO UPDATE SET body = excluded.body,"
            " updated_at = excluded.updated_at",
            (assessor, submission_id, field, body, queue_db.utc_now()),
        )


def load_draft(database: QueueDatabase, assessor: str, submission_id: str, field: str) -> str | None:
    row = database.conn.execute(
        "SELECT body FROM drafts WHERE assessor = ? AND submission_id = ? AND field = ?",
        (assessor, submission_id, field),
    ).fetchone()
    return row[0] if row else None


def drop_draft(database: QueueDatabase, assessor: str, submission_id: str, field: str) -> None:
    with queue_db.write(database) as conn:
        conn.execute(
            "DELETE FROM drafts WHERE assessor = ? AND submission_id = ? AND field = ?",
            (assessor, submission_id, field),
        )
