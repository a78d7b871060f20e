"""Team commands: read a submission's audit trail, free a claim someone left behind.

A lead needs both from a shell when assessors share one queue: `history` to
settle who changed what, `release` when a colleague's lease is holding a
submission they will not come back to (recorded as a forced release).
"""

from __future__ import annotations

import click

from mcreview.cli.settings import Settings
from mcreview.services import claims
from mcreview.services.history import format_history, submission_history
from mcreview.store.sqlite import QueueDatabase


def _require_submission(database: QueueDatabase, submission_id: str) -> None:
    """Stop with one line (exit 1) when the id is not in the queue."""
    row = database.conn.execute("SELECT 1 FROM submissions WHERE id = ?", (submission_id,)).fetchone()
    if row is None:
        raise click.ClickException(f"no submission '{submission_id}' in the queue")


@click.command("history")
@click.argument("submission_id", metavar="ID")
@click.pass_obj
def history_command(settings: Settings, submission_id: str) -> None:
    """Print every recorded change to submission ID, oldest first (times in UTC)."""
    database = settings.database()
    try:
        _require_submission(database, submission_id)
        for line in format_history(submission_history(database, submission_id)):
            click.echo(line)
    finally:
        database.conn.close()


@click.command("release")
@click.argument("submission_id", metavar="ID")
@click.pass_obj
def release_command(settings: Settings, submission_id: str) -> None:
    """Free the claim on submission ID, whoever holds it (recorded as release-forced)."""
    database = settings.database()
    try:
        _require_submission(database, submission_id)
        held = claims.release(database, submission_id, settings.assessor, forced=True)
    finally:
        database.conn.close()
    if held is None:
        click.echo(f"{submission_id}: not claimed")
        return
    since = held.claimed_at[:19].replace("T", " ")
    state = "lease had expired" if held.expired() else "lease was live"
    click.echo(f"{submission_id}: released the claim held by {held.assessor} since {since} UTC ({state})")
