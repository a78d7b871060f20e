"""The `mcreview` command: a thin click layer over the library modules.

Textual is imported only by the commands that open the UI, so scripted use
(import, queue, sync) starts fast and works without a terminal; the importer, the
pre-checks (markdown-it) and sync are imported only by their commands, so opening
the UI does not pay for them either.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click
import platformdirs

from mcreview.cli.settings import Settings, default_assessor, default_db_path
from mcreview.services import queue
from mcreview.services.review import STATUSES
from mcreview.services.specfiles import default_specs_dir, load_spec_dir, sample_queue_dir


@click.group(invoke_without_command=True)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="MCREVIEW_DB",
    default=None,
    help="Queue database (env MCREVIEW_DB; default in your user data folder).",
)
@click.option(
    "--specs",
    "specs_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="MCREVIEW_SPECS",
    default=None,
    help="Folder of credential specs (env MCREVIEW_SPECS; default: the bundled specs).",
)
@click.option(
    "--assessor",
    envvar="MCREVIEW_ASSESSOR",
    default=None,
    help="Your assessor name (env MCREVIEW_ASSESSOR; default: your login name).",
)
@click.version_option(package_name="mcreview")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, specs_dir: Path | None, assessor: str | None) -> None:
    """Assess educator micro-credential submissions from the terminal."""
    ctx.obj = Settings(
        db_path or default_db_path(),
        specs_dir or default_specs_dir(),
        (assessor or default_assessor()).strip() or "assessor",
    )
    if ctx.invoked_subcommand is None:
        ctx.invoke(review)


def _run_app(settings: Settings) -> None:
    from mcreview.tui.app import build_app  # Textual loads only here

    database = settings.database()
    database.conn.close()
    app = build_app(settings.db_path, settings.assessor)
    app.run()


@cli.command()
@click.pass_obj
def review(settings: Settings) -> None:
    """Open the review screens on the queue database."""
    _run_app(settings)


@cli.command()
@click.option("--keep", is_flag=True, help="Reuse the demo database from last time instead of a fresh one.")
@click.pass_obj
def demo(settings: Settings, keep: bool) -> None:
    """Open the app on a fresh database loaded with the bundled sample queue."""
    folder = (
        Path(platformdirs.user_data_dir("mcreview"))
        if keep
        else Path(tempfile.mkdtemp(prefix="mcreview-demo-"))
    )
    settings.db_path = folder / "demo.db"
    database = settings.database()
    from mcreview.services import importer

    report = importer.import_paths(database, [sample_queue_dir()], settings.specs())
    database.conn.close()
    click.echo(f"demo queue: {settings.db_path} ({report.summary()})", err=True)
    _run_app(settings)
    click.echo(f"demo database kept at {settings.db_path}")


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def import_command(settings: Settings, paths: tuple[Path, ...]) -> None:
    """Queue submissions from YAML files, folders or .jsonl files."""
    specs = settings.specs()
    database = settings.database()
    from mcreview.services import importer

    report = importer.import_paths(database, list(paths), specs)
    for problem in report.rejected:
        click.echo(f"rejected: {problem}", err=True)
    for problem in report.conflicts:
        click.echo(f"conflict: {problem}", err=True)
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


@cli.command("queue")
@click.option("--status", type=click.Choice(STATUSES), help="Only this status.")
@click.option("--credential", help="Only this credential id.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines for scripts.")
@click.option("--limit", type=int, default=0, help="At most this many rows (0: all).")
@click.pass_obj
def queue_command(
    settings: Settings, status: str | None, credential: str | None, as_json: bool, limit: int
) -> None:
    """Print status counts and the queue.

    Flags: I possible identifying information, W outside a word limit,
    M missing or empty response or attachment (details: mcreview checks ID).
    """
    database = settings.database()
    filters = queue.QueueFilter(status=status, credential=credential)
    counts = queue.status_counts(database, filters)
    if not as_json:
        click.echo("  ".join(f"{s}: {counts.get(s, 0)}" for s in STATUSES))
        click.echo(f"{'id':<20} {'credential':<42} {'status':<10} {'submitted':<10} {'flags':<5} assessor")
    after = None
    shown = 0
    while True:
        rows = queue.page(database, filters, after, 500)
        for row in rows:
            if as_json:
                click.echo(json.dumps(row.__dict__))
            else:
                click.echo(
                    f"{row.id:<20} {row.credential:<42} {row.status:<10} "
                    f"{row.submitted:<10} {row.flags:<5} {row.assessor or ''}"
                )
            shown += 1
            if limit and shown >= limit:
                return
        if len(rows) < 500:
            return
        after = (rows[-1].submitted, rows[-1].id)


@cli.command("checks")
@click.argument("submission_id", required=False)
@click.option("--recompute", is_flag=True, help="Recompute every submission's pre-checks.")
@click.pass_obj
def checks_command(settings: Settings, submission_id: str | None, recompute: bool) -> None:
    """Show a submission's pre-checks (word limits, completeness, identifiers)."""
    from mcreview.services import prechecks

    database = settings.database()
    if recompute:
        click.echo(f"recomputed pre-checks for {prechecks.recompute_all(database)} submissions")
    if submission_id is None:
        if not recompute:
            raise click.UsageError("name a submission, or pass --recompute")
        return
    if database.conn.execute("SELECT 1 FROM submissions WHERE id = ?", (submission_id,)).fetchone() is None:
        raise click.ClickException(f"no submission '{submission_id}' in the queue")
    found = prechecks.load_prechecks(database, submission_id)
    for check in found:
        click.echo(check.detail)
    if not found:
        click.echo("no findings")


@cli.group()
def specs() -> None:
    """Work with credential specs."""


@specs.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.pass_obj
def specs_check(settings: Settings, directory: Path | None) -> None:
    """Validate every spec in DIRECTORY (default: the configured specs)."""
    loaded, problems = load_spec_dir(directory or settings.specs_dir)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        sys.exit(1)
    click.echo(f"{len(loaded)} specs OK: {', '.join(sorted(loaded))}")


@specs.command("schema")
@click.option("--keys", is_flag=True, help="Print the key tables of docs/spec-format.md instead.")
def specs_schema(keys: bool) -> None:
    """Print the JSON Schema of a spec file, for an editor's completion and checks."""
    from mcreview.core import spec_model  # pydantic loads only here

    click.echo(spec_model.key_tables() if keys else spec_model.json_schema_text(), nl=False)


# Commands kept in their own modules register below, one line each.
from mcreview.cli.sync import sync_command  # noqa: E402
from mcreview.cli.team import history_command, release_command  # noqa: E402

cli.add_command(history_command)
cli.add_command(release_command)
cli.add_command(sync_command)


def main() -> None:
    """Entry point: never a traceback for the assessor, whatever goes wrong."""
    try:
        cli.main(standalone_mode=False, prog_name="mcreview")
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # last resort: one line, never a traceback
        if os.environ.get("MCREVIEW_DEBUG"):
            raise
        click.echo(f"mcreview: error: {type(error).__name__}: {error}", err=True)
        sys.exit(1)
