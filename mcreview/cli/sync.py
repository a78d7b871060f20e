"""`mcreview sync DEST`: export decided submissions as CSV batches (see docs/sync.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from mcreview.cli.output import say
from mcreview.cli.settings import Settings

if TYPE_CHECKING:  # imported by the command itself, so other commands do not load it
    from mcreview.services import sync


def _recovery_lines(result: sync.SyncResult) -> list[str]:
    lines = []
    for item in result.interrupted:
        would = "would " if result.dry_run else ""
        if item.reached_destination:
            verb = "record" if result.dry_run else "recorded"
            lines.append(
                f"{would}{verb} interrupted batch {item.batch}: {len(item.keys)} decisions,"
                f" {item.scores} scores already in {result.destination / item.files[0]}"
            )
        else:
            verb = "discard" if result.dry_run else "discarded"
            lines.append(f"{would}{verb} interrupted batch {item.batch}: its files never reached the folder")
    return lines


@click.command("sync")
@click.argument("destination", type=click.Path(path_type=Path))
@click.option("--all", "everything", is_flag=True, help="Re-export every decision, synced before or not.")
@click.option("--dry-run", is_flag=True, help="Show what would go out; write nothing, change nothing.")
@click.pass_obj
def sync_command(settings: Settings, destination: Path, everything: bool, dry_run: bool) -> None:
    """Export new decisions and their scores as a pair of CSV files in DESTINATION."""
    from mcreview.services import sync

    with settings.session() as session:
        try:
            result = sync.sync(
                session.store, destination, settings.assessor, everything=everything, dry_run=dry_run
            )
        except sync.SyncError as error:
            raise click.ClickException(str(error)) from None
    for line in _recovery_lines(result):
        say(line)
    if not result.decisions:
        say("nothing new to sync")
        return
    if dry_run:
        say(f"would sync {len(result.decisions)} decisions, {result.scores} scores to {result.destination}:")
        for submission_id, _attempt, revision in result.decisions:
            say(f"  {submission_id} revision {revision}")
        say("dry run: nothing written")
        return
    say(f"batch {result.batch}: {len(result.decisions)} decisions, {result.scores} scores")
    for path in result.files:
        say(f"  {path}")
