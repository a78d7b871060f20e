"""The `mcreview` command: a thin click layer over the services.

Textual is imported only by the commands that open the UI, so scripted use
(import, queue, sync) starts fast and works without a terminal; the importer, the
pre-checks (markdown-it) and sync are imported only by their commands, so opening
the UI does not pay for them either.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import click
import platformdirs

from mcreview.cli.migrate import migrate_command
from mcreview.cli.output import raw_json, say, warn
from mcreview.cli.phrases import phrases_command
from mcreview.cli.programme import route_command, settings_command
from mcreview.cli.readings import agreement_command, calibration_command
from mcreview.cli.settings import Settings, default_assessor, default_db_path
from mcreview.cli.sync import sync_command
from mcreview.cli.team import history_command, release_command
from mcreview.core.vocabulary import Status
from mcreview.services import queue
from mcreview.services.session import check_assessor_name
from mcreview.services.specfiles import default_specs_dir, load_spec_dir
from mcreview.store import Store

STATUSES = [status.value for status in Status]


@click.group(invoke_without_command=True)
@click.option(
    "--db",
    "db",
    envvar="MCREVIEW_DB",
    default=None,
    help="Queue: a SQLite file or a postgresql:// URL (env MCREVIEW_DB; default in your user data folder).",
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
def cli(ctx: click.Context, db: str | None, specs_dir: Path | None, assessor: str | None) -> None:
    """Assess educator micro-credential submissions from the terminal."""
    try:
        name = check_assessor_name(assessor or default_assessor())
    except ValueError as error:
        # One line, naming where the name came from: the option, the environment, or
        # the login name (getpass reads LOGNAME/USER, which anyone can set).
        source = ctx.get_parameter_source("assessor")
        if source == click.core.ParameterSource.COMMANDLINE:
            where = "--assessor"
        elif source == click.core.ParameterSource.ENVIRONMENT:
            where = "MCREVIEW_ASSESSOR"
        else:
            where = "your login name (pass --assessor NAME)"
        raise click.ClickException(f"{where}: {error}") from None
    ctx.obj = Settings(db or str(default_db_path()), specs_dir or default_specs_dir(), name)
    if ctx.invoked_subcommand is None:
        ctx.invoke(review)


def _run_app(settings: Settings) -> None:
    from mcreview.tui.app import build_app  # Textual loads only here

    store = settings.open_store()  # refuse a bad queue with one line, before the screen changes
    # The assessor's own settings (theme, auto-advance): the user config folder.
    preferences = Path(platformdirs.user_config_dir("mcreview")) / "settings.yaml"
    app = build_app(store, settings.assessor, settings_file=preferences)
    app.run()
    if app.return_code:  # a crash (a module gone under a running app after a reinstall): not 0
        sys.exit(app.return_code)


@cli.command()
@click.pass_obj
def review(settings: Settings) -> None:
    """Open the review screens on the queue database."""
    _run_app(settings)


@cli.command()
@click.option(
    "--keep", is_flag=True, help="Keep the demo queue in your user data folder and reuse it next time."
)
@click.pass_obj
def demo(settings: Settings, keep: bool) -> None:
    """Open the app on a fresh queue loaded with the bundled sample submissions."""
    from mcreview.services.demo import build_demo_queue

    folder = (
        Path(platformdirs.user_data_dir("mcreview"))
        if keep
        else Path(tempfile.mkdtemp(prefix="mcreview-demo-"))
    )
    settings.db = str(folder / "demo.db")
    try:
        store = settings.open_store()
        try:
            report = build_demo_queue(store, settings.specs())
        finally:
            store.close()
        warn(f"demo queue: {settings.db} ({report.summary()})")
        _run_app(settings)
    finally:
        if keep:
            say(f"demo queue kept at {settings.db}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--attachment-limit",
    "limit_mb",
    type=click.IntRange(0, 1000),
    default=20,
    show_default=True,
    envvar="MCREVIEW_ATTACHMENT_LIMIT_MB",
    help="Largest attachment (MB) whose contents the queue keeps (env MCREVIEW_ATTACHMENT_LIMIT_MB).",
)
@click.pass_obj
def import_command(settings: Settings, paths: tuple[Path, ...], limit_mb: int) -> None:
    """Queue submissions from YAML files, folders or .jsonl files."""
    from mcreview.services import importer

    specs = settings.specs()
    with settings.session() as session:
        report = importer.import_paths(
            session.store, list(paths), specs, attachment_limit=limit_mb * 1024 * 1024
        )
    for problem in report.rejected:
        warn(f"rejected: {problem}")
    for problem in report.conflicts:
        warn(f"conflict: {problem}")
    say(report.summary())
    if not report.ok:
        sys.exit(1)


def _queue_line(row: queue.QueueRow) -> str:
    who = row.assessor or (f"→ {row.routed_to}" if row.routed_to else "")
    return (
        f"{row.id:<20} {row.credential:<42} {row.status:<10} {row.attempt:<7} "
        f"{row.submitted:<10} {row.flags:<5} {who}"
    )


@cli.command("queue")
@click.option("--status", type=click.Choice(STATUSES), help="Only this status.")
@click.option("--credential", help="Only this credential id.")
@click.option("--resubmissions", is_flag=True, help="Only later attempts (resubmissions).")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of rows, for scripts.")
@click.option("--nl", "as_lines", is_flag=True, help="One JSON object per line (JSON Lines), for scripts.")
@click.option("--limit", type=int, default=0, help="At most this many rows (0: all).")
@click.pass_obj
def queue_command(
    settings: Settings,
    status: str | None,
    credential: str | None,
    resubmissions: bool,
    as_json: bool,
    as_lines: bool,
    limit: int,
) -> None:
    """Print status counts and the queue.

    Flags: I possible identifying information, W outside a word limit,
    M missing or empty response or attachment (details: mcreview checks ID).
    Attempt 2 and up is a resubmission; "→ NAME" is a resubmission kept for NAME.
    """
    if as_json and as_lines:
        raise click.UsageError("give --json or --nl, not both")
    filters = queue.QueueFilter(status=status, credential=credential, resubmissions=resubmissions)
    with settings.session() as session:
        rows = _all_rows(session.store, filters, limit)
        if as_json:
            raw_json("[" + ",\n".join(json.dumps(row._asdict()) for row in rows) + "]")
            return
        if as_lines:
            for row in rows:
                raw_json(json.dumps(row._asdict()))
            return
        counts = queue.status_counts(session.store, filters)
    say("  ".join(f"{s}: {counts.get(s, 0)}" for s in STATUSES))
    say(
        f"{'id':<20} {'credential':<42} {'status':<10} {'attempt':<7} {'submitted':<10} {'flags':<5} assessor"
    )
    for row in rows:
        say(_queue_line(row))


def _all_rows(store: Store, filters: queue.QueueFilter, limit: int) -> list[queue.QueueRow]:
    """Every row under the filter (at most `limit`), read a page at a time."""
    rows: list[queue.QueueRow] = []
    after = None
    while True:
        page = queue.page(store, filters, after=after, limit=500)
        rows.extend(page)
        if limit and len(rows) >= limit:
            return rows[:limit]
        if len(page) < 500:
            return rows
        after = (page[-1].submitted, page[-1].id)


@cli.command("checks")
@click.argument("submission_id", required=False)
@click.option("--recompute", is_flag=True, help="Recompute every submission's pre-checks.")
@click.pass_obj
def checks_command(settings: Settings, submission_id: str | None, recompute: bool) -> None:
    """Show a submission's pre-checks (word limits, completeness, identifiers)."""
    from mcreview.services import prechecks

    if submission_id is None and not recompute:
        raise click.UsageError("name a submission, or pass --recompute")
    with settings.session() as session:
        if recompute:
            done = prechecks.recompute_all(session.store, session.library)
            say(f"recomputed pre-checks for {done} submissions")
        if submission_id is None:
            return
        if not session.exists(submission_id):
            raise click.ClickException(f"no submission '{submission_id}' in the queue")
        found = prechecks.load_prechecks(session.store, submission_id)
    for check in found:
        say(check.detail)
    if not found:
        say("no findings")


@cli.group()
def specs() -> None:
    """Work with credential specs."""


@specs.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.pass_obj
def specs_check(settings: Settings, directory: Path | None) -> None:
    """Validate every spec in DIRECTORY (default: the configured specs).

    When the queue database exists, also flag a spec whose content changed while its
    version did not (compared with the rubrics the queue holds).
    """
    from mcreview.services import rubrics

    loaded, problems = load_spec_dir(directory or settings.specs_dir)
    for problem in problems:
        say(str(problem))
    drifted: list[str] = []
    if settings.is_server or Path(settings.db).exists():
        with settings.session() as session:
            drifted = [str(found) for found in rubrics.drift(session.store, loaded)]
    for line in drifted:
        say(line)
    if problems or drifted:
        sys.exit(1)
    say(f"{len(loaded)} specs OK: {', '.join(sorted(loaded))}")


@specs.command("move")
@click.argument("credentials", nargs=-1)
@click.option("--dry-run", is_flag=True, help="Say what would move; change nothing.")
@click.pass_obj
def specs_move(settings: Settings, credentials: tuple[str, ...], dry_run: bool) -> None:
    """Move pending, unscored submissions to the current rubric of their credential.

    The current rubric is the spec file's (the configured specs); scored submissions keep
    the rubric they were scored on. Each move is recorded in the audit trail.
    """
    from mcreview.services import rubrics

    specs = settings.specs()
    unknown = [c for c in credentials if c not in specs]
    if unknown:
        raise click.ClickException(f"no spec for credential '{unknown[0]}'")
    with settings.session() as session:
        for credential in credentials or tuple(sorted(specs)):
            report = rubrics.move_to_current(
                session.store, specs[credential], assessor=settings.assessor, dry_run=dry_run
            )
            verb = "would move" if dry_run else "moved"
            say(f"{credential}: {verb} {len(report.moved)} to version {specs[credential].version}")
            for line in report.refused:
                warn(f"  not moved: {line}")


@specs.command("schema")
@click.option("--keys", is_flag=True, help="Print the key tables of docs/spec-format.md instead.")
def specs_schema(keys: bool) -> None:
    """Print the JSON Schema of a spec file, for an editor's completion and checks."""
    from mcreview.core import spec_model  # pydantic loads only here

    raw_json((spec_model.key_tables() if keys else spec_model.json_schema_text()).rstrip("\n"))


# Commands kept in their own modules register here, one line each.
cli.add_command(history_command)
cli.add_command(migrate_command)
cli.add_command(release_command)
cli.add_command(sync_command)
cli.add_command(settings_command)
cli.add_command(route_command)
cli.add_command(agreement_command)
cli.add_command(calibration_command)
cli.add_command(phrases_command)


def main() -> None:
    """Entry point: never a traceback for the assessor, whatever goes wrong."""
    try:
        cli.main(standalone_mode=False, prog_name="mcreview")
    except click.exceptions.Abort:
        warn("aborted")
        sys.exit(130)
    except click.ClickException as error:
        if isinstance(error, click.UsageError) and error.ctx is not None:
            warn(error.ctx.get_usage())
        warn(f"Error: {error.format_message()}")  # the message may quote a file name or an id
        sys.exit(error.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # last resort: one line, never a traceback
        if os.environ.get("MCREVIEW_DEBUG"):
            raise
        warn(f"mcreview: error: {type(error).__name__}: {error}")
        sys.exit(1)
