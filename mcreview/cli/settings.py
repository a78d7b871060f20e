"""Where mcreview finds its queue and specs, and who is assessing (from options and env)."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
import platformdirs

from mcreview.cli.output import warn
from mcreview.core.specs import Spec
from mcreview.services.session import ReviewSession
from mcreview.services.specfiles import load_spec_dir
from mcreview.store import Store, StoreError, is_server_url, open_store


@dataclass
class Settings:
    db: str  # a SQLite file path, or a postgresql:// URL
    specs_dir: Path
    assessor: str

    def specs(self) -> dict[str, Spec]:
        """Load specs or stop with one line per problem."""
        specs, problems = load_spec_dir(self.specs_dir)
        for problem in problems:
            warn(f"warning: {problem}")
        if not specs:
            raise click.ClickException(f"no usable specs in {self.specs_dir}")
        return specs

    def open_store(self) -> Store:
        """The queue, or one line saying why it cannot be opened."""
        try:
            store = open_store(self.db)
        except StoreError as error:
            raise click.ClickException(str(error)) from None
        for line in getattr(store, "warnings", []):
            warn(f"warning: {line}")
        login = default_assessor()
        if self.assessor != login and store.login_is_identity:
            where = store.location  # never a password
            store.close()
            raise click.ClickException(
                f"{where} is shared: you assess as your login name ({login}); --assessor and"
                " MCREVIEW_ASSESSOR may name someone else only on a queue that is yours alone (docs/team.md)"
            )
        return store

    @contextmanager
    def session(self) -> Iterator[ReviewSession]:
        """A review session on the queue, closed when the command ends."""
        store = self.open_store()
        try:
            yield ReviewSession(store, self.assessor)
        finally:
            store.close()

    @property
    def is_server(self) -> bool:
        return is_server_url(self.db)


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir("mcreview")) / "queue.db"


def default_assessor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "assessor"
