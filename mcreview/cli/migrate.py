"""`mcreview migrate --to URL`: move a team's queue to another store (say, from one
host's SQLite file to a PostgreSQL server), verified table by table.

The current queue (--db) is copied, queue and audit trail, into an empty target, then
each table's row count and checksum are compared on both sides (mcreview.store.copy).
"""

from __future__ import annotations

import click

from mcreview.cli.output import say
from mcreview.cli.settings import Settings
from mcreview.store import StoreError, open_store


@click.command("migrate")
@click.option(
    "--to",
    "target",
    required=True,
    metavar="URL",
    help="The empty queue to copy into: a postgresql:// URL (or a new SQLite file).",
)
@click.pass_obj
def migrate_command(settings: Settings, target: str) -> None:
    """Copy the whole queue (--db) into an empty one and verify the copy."""
    from mcreview.store.copy import copy_queue

    if target == settings.db:
        raise click.ClickException("--to names the queue being copied: give an empty one")
    source = settings.open_store()
    try:
        try:
            destination = open_store(target)
        except StoreError as error:
            raise click.ClickException(str(error)) from None
        try:
            verified = copy_queue(source, destination)
        except StoreError as error:
            raise click.ClickException(str(error)) from None
        finally:
            destination.close()
    finally:
        source.close()
    for table in verified:
        say(f"{table.name:<22} {table.rows:>9} rows  sha256 {table.sha256[:16]}  verified")
    say(f"copied {sum(t.rows for t in verified)} rows in {len(verified)} tables to {destination.location}")
