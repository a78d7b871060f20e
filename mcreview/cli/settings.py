"""Where mcreview finds its database, specs and sample queue, and who is assessing."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from pathlib import Path

import click
import platformdirs

from mcreview.core.specs import Spec
from mcreview.services.specfiles import load_spec_dir
from mcreview.store import sqlite as queue_db
from mcreview.store.sqlite import QueueDatabase


@dataclass
class Settings:
    db_path: Path
    specs_dir: Path
    assessor: str

    def specs(self) -> dict[str, Spec]:
        """Load specs or stop with one line per problem."""
        specs, problems = load_spec_dir(self.specs_dir)
        for problem in problems:
            click.echo(f"warning: {problem}", err=True)
        if not specs:
            raise click.ClickException(f"no usable specs in {self.specs_dir}")
        return specs

    def database(self) -> QueueDatabase:
        try:
            return queue_db.connect(self.db_path)
        except Exception as error:  # sqlite3 raises several types for a bad file
            raise click.ClickException(f"{self.db_path}: cannot open the queue database: {error}") from None


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir("mcreview")) / "queue.db"


def default_assessor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "assessor"
