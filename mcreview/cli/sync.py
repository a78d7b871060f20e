"""`mcreview sync DEST`: export decided submissions as batches, CSV or Open Badges 3.0
(see docs/sync.md)."""

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
@click.option(
    "--format",
    "format_name",
    metavar="NAME",
    default="csv",
    show_default=True,
    help="The export format (docs/sync.md): csv, a decisions and a scores file per batch; ob3, an"
    " Open Badges 3.0 credential per earned decision and a manifest. What went out is kept per format.",
)
@click.option("--all", "everything", is_flag=True, help="Re-export every decision, synced before or not.")
@click.option("--dry-run", is_flag=True, help="Show what would go out; write nothing, change nothing.")
@click.option(
    "--issuer-id",
    envvar="MCREVIEW_ISSUER_ID",
    metavar="URI",
    help="ob3: the issuer profile's id (a URI); default: derived from the issuer's name.",
)
@click.option(
    "--issuer-name",
    envvar="MCREVIEW_ISSUER_NAME",
    help="ob3: the issuer's name, instead of the one each spec gives (needed when a spec names none).",
)
@click.option(
    "--base-url",
    envvar="MCREVIEW_BASE_URL",
    metavar="URL",
    help="ob3: make credential, achievement and evidence ids URLs under this; default: urn:uuid ids.",
)
@click.option(
    "--sign-key",
    type=click.Path(path_type=Path, dir_okay=False),
    help="ob3: sign each credential as a VC-JWT with this Ed25519 private key (PEM); default: unsigned.",
)
@click.pass_obj
def sync_command(
    settings: Settings,
    destination: Path,
    format_name: str,
    everything: bool,
    dry_run: bool,
    issuer_id: str | None,
    issuer_name: str | None,
    base_url: str | None,
    sign_key: Path | None,
) -> None:
    """Export new decisions to DESTINATION: as a pair of CSV files, or as Open Badges 3.0."""
    from mcreview.services import sync
    from mcreview.services.export import DEFAULT_FORMAT, ExportError, ExportOptions, make_format

    options = ExportOptions(
        issuer_id=issuer_id, issuer_name=issuer_name, base_url=base_url, sign_key=sign_key
    )
    try:  # the exporters are imported here, so other commands start without them
        fmt = make_format(format_name, options)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    with settings.session() as session:
        try:
            result = sync.sync(
                session.store, destination, settings.assessor, fmt=fmt, everything=everything, dry_run=dry_run
            )
        except sync.SyncError as error:
            raise click.ClickException(str(error)) from None
    for line in _recovery_lines(result):
        say(line)
    as_format = "" if fmt.name == DEFAULT_FORMAT else f" as {fmt.name}"
    if not result.decisions:
        say(f"nothing new to sync{as_format}")
        return
    if dry_run:
        say(
            f"would sync {len(result.decisions)} decisions, {result.scores} scores"
            f" to {result.destination}{as_format}:"
        )
        for submission_id, _attempt, revision in result.decisions:
            say(f"  {submission_id} revision {revision}")
        say("dry run: nothing written")
        return
    say(f"batch {result.batch}{as_format}: {len(result.decisions)} decisions, {result.scores} scores")
    for path in result.files:
        say(f"  {path}")
