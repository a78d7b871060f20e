"""Shared fixtures: the real specs, a fresh queue on each backend, submission builders.

Every test that takes `database`, `db_target` or `sample_db` runs twice: on a SQLite
file and on a PostgreSQL database of its own (made from a migrated template, so it is
quick). The PostgreSQL server is the one MCREVIEW_TEST_PG names, or else one this
file starts for the session (tools/pgserver.py: loopback, a temporary data directory,
an unprivileged user) and stops at the end. Without PostgreSQL on the machine those
tests are skipped, saying why; in CI (CI=true) PostgreSQL is installed if absent and a
missing server fails the run instead. MCREVIEW_TEST_PG=off skips them on purpose.
"""

from __future__ import annotations

import itertools
import os
import urllib.parse
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from mcreview.core.specs import Spec
from mcreview.services.specfiles import load_spec_dir
from mcreview.store import Store, open_store

REPO = Path(__file__).resolve().parent.parent
SPECS_DIR = REPO / "mcreview" / "data" / "specs"
SAMPLE_DIR = REPO / "mcreview" / "data" / "sample_queue"
PG_ENV = "MCREVIEW_TEST_PG"
PG_UNAVAILABLE_ENV = "MCREVIEW_TEST_PG_UNAVAILABLE"  # why there is no server, for the skip
BACKENDS = ["sqlite", "postgresql"]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


# -- the PostgreSQL server: started once, in the controlling process -----------------


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or os.environ.get(PG_ENV):
        return  # an xdist worker (its controller started the server), or a server is named
    import pgserver

    try:
        if in_ci():
            pgserver.install_if_absent()
        server = pgserver.start()
    except pgserver.ServerUnavailable as error:
        if in_ci():
            raise pytest.UsageError(f"CI runs every test on PostgreSQL too, but: {error}") from None
        os.environ[PG_UNAVAILABLE_ENV] = str(error)
        return
    config.stash[_SERVER] = server
    os.environ[PG_ENV] = server.url  # xdist workers start after this and inherit it


def pytest_unconfigure(config: pytest.Config) -> None:
    server = config.stash.get(_SERVER, None)
    if server is not None:
        import pgserver

        pgserver.stop(server)
        os.environ.pop(PG_ENV, None)


_SERVER: pytest.StashKey[Any] = pytest.StashKey()
_names = itertools.count(1)


def _server_url() -> str:
    url = os.environ.get(PG_ENV, "")
    if url and url != "off":
        return url
    reason = f"{PG_ENV}=off" if url == "off" else os.environ.get(PG_UNAVAILABLE_ENV, f"{PG_ENV} is not set")
    if in_ci():  # CI runs the whole suite on both backends: a missing server is a failure
        pytest.fail(f"no PostgreSQL server in CI: {reason}")
    pytest.skip(f"no PostgreSQL server: {reason}")


def database_url(server: str, name: str) -> str:
    return urllib.parse.urlsplit(server)._replace(path=f"/{name}").geturl()


def admin(server: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(statement)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[tuple[str, str]]:
    """(server URL, template name): a database this worker migrated once, copied per test."""
    server = _server_url()
    name = f"mcr_tpl_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    admin(server, f"DROP DATABASE IF EXISTS {name}")
    admin(server, f"CREATE DATABASE {name}")
    open_store(database_url(server, name)).close()
    yield server, name
    admin(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def fresh_pg_database(pg_template: tuple[str, str]) -> tuple[str, str]:
    """(URL, name) of a new queue database with the current schema and nothing in it."""
    server, template = pg_template
    name = f"{template.replace('mcr_tpl_', 'mcr_')}_{next(_names)}"
    admin(server, f"CREATE DATABASE {name} TEMPLATE {template}")
    return database_url(server, name), name


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, migrated, empty PostgreSQL queue database, dropped afterwards."""
    template = request.getfixturevalue("pg_template")
    url, name = fresh_pg_database(template)
    yield url
    admin(template[0], f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg_server(pg_template: tuple[str, str]) -> str:
    """The server's URL (a role that may create databases), for tests that make their own."""
    return pg_template[0]


@pytest.fixture(scope="session")
def specs() -> dict[str, Spec]:
    loaded, problems = load_spec_dir(SPECS_DIR)
    assert problems == []
    return loaded


# -- a queue on either backend -------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Where the test's queue is: a SQLite file path, or a postgresql:// URL."""
    if backend == "sqlite":
        return str(tmp_path / "queue.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def db_path(db_target: str) -> str:
    """db_target's old name, so tests written before the PostgreSQL backend run on both."""
    return db_target


@pytest.fixture
def database(db_target: str) -> Iterator[Store]:
    store = open_store(db_target)
    yield store
    store.close()


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Any]:
    """A SQLite queue, for tests of what only SQLite has (pragmas, file modes, WAL)."""
    from mcreview.store.sqlite import open_sqlite

    store = open_sqlite(tmp_path / "queue.db")
    yield store
    store.close()


def sql(store: Store, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of a query in the shared dialect (`?` placeholders), on either backend."""
    return store.read(lambda tx: [tuple(row) for row in tx.db.execute(query, params).fetchall()])


def sql_row(store: Store, query: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
    """The first row, or None."""
    rows = sql(store, query, params)
    return rows[0] if rows else None


def sql_value(store: Store, query: str, params: Sequence[Any] = ()) -> Any:
    """The first column of the first row."""
    rows = sql(store, query, params)
    return rows[0][0] if rows else None


def sql_write(store: Store, query: str, params: Sequence[Any] = ()) -> int:
    """Run one statement in a write transaction; the number of rows it changed."""
    return store.write(lambda tx: tx.db.execute(query, params).rowcount)


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order: what the queue holds, on either backend."""

    def work(tx: Any) -> dict[str, list[tuple[Any, ...]]]:
        return {table.name: tx.table_rows(table, limit=10**9) for table in tx.tables()}

    return store.read(work)


def words(n: int, word: str = "practice") -> str:
    return " ".join([word] * n)


def ppr_record(submission_id: str = "PPR-T-001", **changes) -> dict:
    """A complete Positive Professional Relationships submission."""
    record = {
        "id": submission_id,
        "credential": "positive-professional-relationships",
        "submitted": "2026-10-01",
        "candidate": "C-10001",
        "responses": {
            "overview": words(400),
            "action-plan": "## Goals\n\n- " + words(200),
            "case-study": words(300),
            "reflection": words(420),
        },
    }
    record.update(changes)
    return record


def write_yaml(folder: Path, name: str, record) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(record, sort_keys=False, width=10**6), encoding="utf-8")
    return path


@pytest.fixture
def sample_db(db_target: str) -> str:
    """A queue (a SQLite path or a PostgreSQL URL) loaded with the bundled sample queue."""
    from mcreview.services import importer

    database = open_store(db_target)
    specs, _ = load_spec_dir(SPECS_DIR)
    report = importer.import_paths(database, [SAMPLE_DIR], specs)
    assert report.imported and not report.rejected
    database.close()
    return db_target


@pytest.fixture
def sqlite_sample_db(tmp_path: Path) -> str:
    """The sample queue in a SQLite file only (the screenshots: one set of reference images)."""
    from mcreview.services import importer

    path = str(tmp_path / "sample.db")
    database = open_store(path)
    specs, _ = load_spec_dir(SPECS_DIR)
    assert importer.import_paths(database, [stable_sample_dir()], specs).ok
    database.close()
    return path


def stable_sample_dir() -> Path:
    """The sample queue copied to one fixed folder, so attachment paths on screen are the
    same in every clone (the snapshots show them). Copied again when the sample changes;
    a lock keeps parallel workers from copying over each other."""
    import fcntl
    import hashlib
    import shutil
    import tempfile

    digest = hashlib.sha256()
    for file in sorted(SAMPLE_DIR.rglob("*")):
        if file.is_file():
            digest.update(str(file.relative_to(SAMPLE_DIR)).encode() + b"\0" + file.read_bytes())
    home = Path(tempfile.gettempdir()) / "mcreview-snapshot-sample"
    home.mkdir(parents=True, exist_ok=True)
    fixed, stamp = home / "sample_queue", home / "digest"
    with open(home / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (stamp.exists() and stamp.read_text() == digest.hexdigest() and fixed.is_dir()):
            shutil.rmtree(fixed, ignore_errors=True)
            shutil.copytree(SAMPLE_DIR, fixed)
            stamp.write_text(digest.hexdigest())
    return fixed


def all_passing() -> dict[str, str]:
    """Every scored component of a PPR submission at its passing level."""
    return {
        "overview": "Passing",
        "action-plan": "Proficient",
        "case-study": "Proficient",
        "reflection": "Passing",
    }


def live_claim_of(store, submission_id: str):
    """The live claim on a submission, judged by the database's clock."""
    from mcreview.services.claims import live_claim

    return store.read(lambda tx: live_claim(tx, submission_id))
