"""`mcreview phrases`: the comment bank shared by a team, exported and imported as YAML."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mcreview.cli.output import say, warn
from mcreview.cli.settings import Settings
from mcreview.services import phrases
from mcreview.services.preferences import write_atomically
from mcreview.services.specfiles import read_text_file


@click.group("phrases", invoke_without_command=True)
@click.pass_context
def phrases_command(ctx: click.Context) -> None:
    """List the comment bank: phrases per credential, component and level."""
    if ctx.invoked_subcommand is not None:
        return
    settings: Settings = ctx.obj
    with settings.session() as session:
        rows = phrases.all_phrases(session.store)
    if not rows:
        say("the comment bank is empty: add phrases in the app (b while commenting) or mcreview phrases import FILE")
    for row in rows:
        where = f"{row.credential} / {row.component_id or 'overall'} / {row.level or 'any level'}"
        say(f"{row.id:>5}  {where}: {row.body}")


@phrases_command.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--credential", default=None, help="Only this credential's phrases.")
@click.pass_obj
def phrases_export(settings: Settings, path: Path, credential: str | None) -> None:
    """Write the comment bank to PATH as YAML (for another queue: mcreview phrases import)."""
    with settings.session() as session:
        text = phrases.export_text(session.store, credential)
        count = len(phrases.all_phrases(session.store, credential))
    try:
        write_atomically(path, text)
    except OSError as error:
        raise click.ClickException(f"{path}: cannot write ({error.strerror or error})") from None
    say(f"{count} phrases written to {path}")


@phrases_command.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def phrases_import(settings: Settings, path: Path) -> None:
    """Add the phrases in a YAML file to the comment bank; nothing is added if any is wrong."""
    try:
        text = read_text_file(path)
    except ValueError as error:
        raise click.ClickException(f"{path}: {error}") from None
    specs = settings.specs()
    with settings.session() as session:
        result, problems = phrases.import_text(session.store, specs, text, str(path), assessor=settings.assessor)
    if result is None:
        for problem in problems:
            warn(problem)
        sys.exit(1)
    say(f"{path}: {result.added} phrases added, {result.already} already in the comment bank")
