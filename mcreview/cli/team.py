"""Team commands: read a submission's audit trail, free a claim someone left behind.

A lead needs both from a shell when assessors share one queue: `history` to
settle who changed what, `release` when a colleague's lease is holding a
submission they will not come back to (recorded as a forced release).
"""

from __future__ import annotations

import click

from mcreview.cli.output import say
from mcreview.cli.settings import Settings
from mcreview.services.history import format_history
from mcreview.services.session import ReviewSession


def _require_submission(session: ReviewSession, submission_id: str) -> None:
    """Stop with one line (exit 1) when the id is not in the queue."""
    if not session.exists(submission_id):
        raise click.ClickException(f"no submission '{submission_id}' in the queue")


@click.command("history")
@click.argument("submission_id", metavar="ID")
@click.pass_obj
def history_command(settings: Settings, submission_id: str) -> None:
    """Print every recorded change to submission ID, oldest first (times in UTC)."""
    with settings.session() as session:
        _require_submission(session, submission_id)
        for line in format_history(session.history(submission_id)):
            say(line)


@click.command("release")
@click.argument("submission_id", metavar="ID")
@click.pass_obj
def release_command(settings: Settings, submission_id: str) -> None:
    """Free the claim on submission ID, whoever holds it (recorded as release-forced)."""
    with settings.session() as session:
        _require_submission(session, submission_id)
        released = session.release(submission_id, forced=True)
    if released is None:
        say(f"{submission_id}: not claimed")
        return
    held = released.claim
    since = held.claimed_at[:19].replace("T", " ")
    state = "lease was live" if released.was_live else "lease had expired"
    say(f"{submission_id}: released the claim held by {held.assessor} since {since} UTC ({state})")
