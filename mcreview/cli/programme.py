"""`mcreview settings`: the programme's policy in force, checked and loaded (docs/programme.md);
`mcreview route`: send a resubmission to an assessor or to the open queue."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mcreview.cli.output import say, warn
from mcreview.cli.settings import Settings
from mcreview.core.programme import ProgrammeError, parse_programme, policy_lines
from mcreview.services.programme import SettingsRefused, current_programme, load_programme
from mcreview.services.session import ReviewError
from mcreview.services.specfiles import read_text_file


@click.group("settings", invoke_without_command=True)
@click.pass_context
def settings_command(ctx: click.Context) -> None:
    """Print the programme settings in force, per credential, with where each comes from."""
    if ctx.invoked_subcommand is not None:
        return
    settings: Settings = ctx.obj
    credentials = sorted(settings.specs())
    with settings.session() as session:
        programme = current_programme(session.store)
    if not programme.body:
        say("no programme settings loaded: mcreview's defaults are in force (mcreview settings load FILE)")
    for line in policy_lines(programme, credentials):
        say(line)


def _read(settings: Settings, path: Path) -> tuple[str, tuple[str, ...]]:
    try:
        text = read_text_file(path)
    except ValueError as error:
        raise click.ClickException(f"{path}: {error}") from None
    return text, tuple(sorted(settings.specs()))


@settings_command.command("check")
@click.argument("path", type=click.Path(path_type=Path))
@click.pass_obj
def settings_check(settings: Settings, path: Path) -> None:
    """Check a programme settings file: one line per problem, nothing loaded."""
    text, credentials = _read(settings, path)
    try:
        parse_programme(text, str(path), credentials=credentials)
    except ProgrammeError as error:
        for problem in error.problems:
            say(str(problem))
        sys.exit(1)
    say(f"{path}: OK")


@settings_command.command("load")
@click.argument("path", type=click.Path(path_type=Path))
@click.pass_obj
def settings_load(settings: Settings, path: Path) -> None:
    """Check a programme settings file and put it in force for everyone on this queue."""
    text, credentials = _read(settings, path)
    with settings.session() as session:
        try:
            programme = load_programme(
                session.store, text=text, file=str(path), assessor=settings.assessor, credentials=credentials
            )
        except ProgrammeError as error:
            for problem in error.problems:
                warn(str(problem))
            sys.exit(1)
        except SettingsRefused as error:
            raise click.ClickException(str(error)) from None
    say(f"programme settings {programme.content_hash} from {path} are in force")


@click.command("route")
@click.argument("submission_id", metavar="ID")
@click.option("--to", "to", metavar="ASSESSOR", help="Keep it for this assessor.")
@click.option("--open", "to_open", is_flag=True, help="Send it to the open queue (anyone may take it).")
@click.pass_obj
def route_command(settings: Settings, submission_id: str, to: str | None, to_open: bool) -> None:
    """Route an open resubmission to an assessor, or to the open queue (recorded)."""
    if bool(to) == to_open:
        raise click.UsageError("give exactly one of --to ASSESSOR or --open")
    with settings.session() as session:
        try:
            before = session.route(submission_id, to=to)
        except ReviewError as error:
            raise click.ClickException(str(error)) from None
    where = f"routed to {to}" if to else "in the open queue"
    say(f"{submission_id}: {where} (was {'routed to ' + before if before else 'in the open queue'})")
