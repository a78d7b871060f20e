"""Schemas and what only a server backend has: both backends end up with the same tables,
PostgreSQL upgrades step by step and refuses a newer schema, two first-openers do not
race, errors are one line without the password, a serialisation conflict is retried,
a dropped connection is opened again, and exclusive() is an advisory lock."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import threading
import urllib.parse

import psycopg
import pytest
from click.testing import CliRunner
from conftest import SPECS_DIR, admin, database_url, ppr_record, sql, sql_value, write_yaml

from mcreview.cli import cli
from mcreview.services import importer
from mcreview.services.session import ReviewSession
from mcreview.store import SchemaTooNew, StoreError, open_store
from mcreview.store import postgres as pg
from mcreview.store import sqlite as sqlite_store
from mcreview.store.api import Transaction

_made = itertools.count(1)


@pytest.fixture
def empty_pg(pg_server):
    """(URL, name) of a database with nothing in it, not even the schema."""
    yield from _database(pg_server, "")


def _database(server: str, options: str):
    name = f"mcr_empty_{os.getpid()}_{next(_made)}"
    admin(server, f"CREATE DATABASE {name} {options}")
    yield database_url(server, name), name
    admin(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def english_pg(pg_server):
    """An empty database whose default collation is English (ICU), not byte order."""
    yield from _database(pg_server, "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'")


def password_of(url: str) -> str:
    return urllib.parse.urlsplit(url).password or ""


def schema_of(store) -> dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    return {t.name: (t.columns, t.key, t.parents) for t in store.read(lambda tx: tx.tables())}


def test_both_backends_have_the_same_schema_at_the_same_version(tmp_path, pg_url):
    lite = open_store(tmp_path / "queue.db")
    server = open_store(pg_url)
    try:
        assert (
            lite.schema_version()
            == server.schema_version()
            == sqlite_store.SCHEMA_VERSION
            == pg.SCHEMA_VERSION
        )
        assert schema_of(lite) == schema_of(server)  # same tables, columns in order, keys, foreign keys
    finally:
        lite.close()
        server.close()
    versions = [step.version for step in pg.STEPS]
    assert versions == sorted(set(versions)) and versions[-1] == len(sqlite_store.MIGRATIONS)


def test_text_columns_compare_byte_by_byte_like_sqlite(english_pg, tmp_path):
    """The database's locale must not reorder ids: keyset paging and checksums need the
    same order on both backends."""
    ids = ["a-1", "B-2", "_x", "Z-0", "é-1", "a_1"]
    results = []
    for target in (str(tmp_path / "q.db"), english_pg[0]):
        store = open_store(target)
        store.write(lambda tx: [tx.put_draft(assessor=i, submission_id="s", field="f", body="") for i in ids])
        results.append([row[0] for row in sql(store, "SELECT assessor FROM drafts ORDER BY assessor")])
        store.close()
    assert results[0] == results[1] == sorted(ids, key=lambda s: s.encode())


def test_postgres_upgrade_from_version_4_keeps_data(empty_pg, specs, tmp_path):
    url, _ = empty_pg
    pg.create_schema(url, stop_before=5)  # what the first PostgreSQL release left
    conn = psycopg.connect(url, autocommit=True)
    assert conn.execute("SELECT max(version) FROM mcreview_schema").fetchone() == (4,)
    assert conn.execute("SELECT to_regclass('attachment_contents')").fetchone() == (None,)
    conn.close()
    # Rows as that release's importer wrote them, through its own statements.
    spec = specs["positive-professional-relationships"]
    (submission,), _ = importer.read_submissions([write_yaml(tmp_path, "a.yaml", ppr_record())], specs)
    conn = psycopg.connect(url, autocommit=True)
    conn.execute(
        "INSERT INTO specs (hash, credential, version, title, body, loaded_at)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (spec.content_hash, spec.id, spec.version, spec.title, spec.body, "2026-01-01"),
    )
    conn.execute(
        "INSERT INTO submissions (id, credential, spec_hash, submitted, candidate, content_hash, imported_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (
            submission.id,
            spec.id,
            spec.content_hash,
            submission.submitted,
            submission.candidate,
            "h",
            "2026-01-01",
        ),
    )
    conn.execute(
        "INSERT INTO attempts (submission_id, attempt, spec_hash, submitted, content_hash, imported_at)"
        " VALUES (%s, 1, %s, %s, 'h', '2026-01-01')",
        (submission.id, spec.content_hash, submission.submitted),
    )
    for cid, body in submission.responses.items():
        conn.execute(
            "INSERT INTO responses (submission_id, attempt, component_id, body) VALUES (%s, 1, %s, %s)",
            (submission.id, cid, body),
        )
    conn.execute(
        "INSERT INTO attachments (submission_id, attempt, seq, component_id, path, url) VALUES"
        " (%s, 1, 0, 'action-plan', '/old/plan.pdf', NULL), (%s, 1, 1, 'action-plan', NULL, 'https://x.org')",
        (submission.id, submission.id),
    )
    conn.close()

    upgraded = open_store(url)
    try:
        assert upgraded.schema_version() == pg.SCHEMA_VERSION and pg.pending_steps(upgraded) == []
        state = ReviewSession(upgraded, "reader").load(submission.id)
        assert state.responses == submission.responses
        assert [(a.content_state, a.path) for a in state.attachments] == [
            ("not-stored", "/old/plan.pdf"),
            ("link", None),
        ]
        names = [row[0] for row in sql(upgraded, "SELECT name FROM mcreview_schema ORDER BY version")]
        assert names == [step.name for step in pg.STEPS]
    finally:
        upgraded.close()


def test_a_newer_postgres_schema_is_refused_at_open_in_one_line(pg_url):
    admin(
        pg_url,
        "INSERT INTO mcreview_schema (version, name, applied_at) VALUES (99, 'p099_future', 'x')",
    )
    with pytest.raises(SchemaTooNew) as refused:
        open_store(pg_url)
    message = str(refused.value)
    assert "\n" not in message and "schema version 99" in message and "upgrade mcreview" in message
    assert password_of(pg_url) not in message and urllib.parse.urlsplit(pg_url).path[1:] in message
    result = subprocess.run(
        [sys.executable, "-m", "mcreview", "--db", pg_url, "queue"], capture_output=True, text=True
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "schema version 99" in result.stderr
    assert password_of(pg_url) not in result.stderr


def test_a_step_this_release_does_not_know_is_refused(pg_url):
    admin(pg_url, "INSERT INTO mcreview_schema (version, name, applied_at) VALUES (3, 'p003_branch', 'x')")
    with pytest.raises(SchemaTooNew, match="p003_branch"):
        open_store(pg_url)


def test_two_first_openers_do_not_race_the_schema(empty_pg):
    url, _ = empty_pg
    barrier = threading.Barrier(4)
    opened: list[object] = []
    failed: list[BaseException] = []

    def first_open() -> None:
        barrier.wait()
        try:
            opened.append(open_store(url))
        except BaseException as error:  # reported below
            failed.append(error)

    threads = [threading.Thread(target=first_open) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failed == [] and len(opened) == 4
    try:
        counts = sql(
            opened[0], "SELECT version, count(*) FROM mcreview_schema GROUP BY version ORDER BY version"
        )
        assert counts == [(step.version, 1) for step in pg.STEPS]
    finally:
        for store in opened:
            store.close()


def test_location_and_errors_never_show_the_password(pg_url):
    store = open_store(pg_url)
    try:
        password = password_of(pg_url)
        assert password and password not in store.location
        assert store.location.startswith("postgresql://") and "127.0.0.1" in store.location
        with pytest.raises(StoreError) as failed:
            store.write(lambda tx: tx.db.execute("INSERT INTO no_such_table VALUES (?)", (password,)))
        message = str(failed.value)
        assert "\n" not in message and message.startswith(store.location) and "no_such_table" in message
        assert password not in message
        store.write(
            lambda tx: tx.put_position(assessor="ana", submission_id=None, component_id=None)
        )  # usable
    finally:
        store.close()


@pytest.mark.parametrize("problem", ["no server", "wrong password", "no database"])
def test_connection_errors_are_one_line_naming_host_and_database(pg_url, problem):
    parts = urllib.parse.urlsplit(pg_url)
    if problem == "no server":
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]  # nothing listens here once it is closed
        url = parts._replace(netloc=f"{parts.username}:{parts.password}@127.0.0.1:{port}").geturl()
    elif problem == "wrong password":
        url = parts._replace(
            netloc=f"{parts.username}:not-{parts.password}@{parts.hostname}:{parts.port}"
        ).geturl()
    else:
        url = parts._replace(path="/no_such_queue").geturl()
    with pytest.raises(StoreError) as failed:
        open_store(url)
    message = str(failed.value)
    assert "\n" not in message and "127.0.0.1" in message and "cannot connect" in message
    assert (parts.password or "") not in message
    result = CliRunner().invoke(cli, ["--db", url, "--specs", str(SPECS_DIR), "queue"])
    assert result.exit_code == 1 and (parts.password or "") not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_serialisation_conflict_reruns_the_whole_unit_of_work(pg_url):
    """Ana's transaction reads a row, Ben's commits a change to it, Ana's write to it then
    conflicts: the store runs Ana's work again, from the start, on the new state."""
    ana, ben = open_store(pg_url), open_store(pg_url)
    try:
        ana.write(lambda tx: tx.put_position(assessor="ana", submission_id="S-0", component_id=None))
        runs: list[str | None] = []

        def work(tx: Transaction) -> str | None:
            seen, _ = tx.position("ana")
            runs.append(seen)
            if len(runs) == 1:  # someone else commits in between, the first time only
                ben.write(
                    lambda other: other.put_position(assessor="ana", submission_id="S-ben", component_id=None)
                )
            tx.put_position(assessor="ana", submission_id=f"after {seen}", component_id=None)
            return seen

        assert ana.write(work) == "S-ben"  # the result of the run that committed
        assert runs == ["S-0", "S-ben"]
        assert ana.read(lambda tx: tx.position("ana")) == ("after S-ben", None)
    finally:
        ana.close()
        ben.close()


def test_a_dropped_connection_is_one_error_then_opened_again(pg_url, pg_server):
    store = open_store(pg_url)
    try:
        pid = store.read(lambda tx: tx.db.execute("SELECT pg_backend_pid()").fetchone()[0])
        admin(pg_server, f"SELECT pg_terminate_backend({int(pid)})")
        with pytest.raises(StoreError) as failed:
            store.write(lambda tx: tx.put_position(assessor="ana", submission_id="x", component_id=None))
        assert "\n" not in str(failed.value)
        store.write(lambda tx: tx.put_position(assessor="ana", submission_id="y", component_id=None))
        assert store.read(lambda tx: tx.position("ana")) == ("y", None)
    finally:
        store.close()


def test_exclusive_is_an_advisory_lock_held_across_transactions(pg_url):
    first, second = open_store(pg_url), open_store(pg_url)
    try:
        with first.exclusive("sync"):
            first.write(lambda tx: tx.put_position(assessor="a", submission_id=None, component_id=None))
            with (
                pytest.raises(StoreError, match="another sync of this queue is running"),
                second.exclusive("sync"),
            ):
                pass
            with second.exclusive("import"):  # another name is another lock
                second.write(lambda tx: tx.put_position(assessor="b", submission_id=None, component_id=None))
        with second.exclusive("sync"):  # released when its holder leaves
            assert sql_value(second, "SELECT count(*) FROM positions") == 2
    finally:
        first.close()
        second.close()


def test_the_team_roles_of_docs_team_md(pg_server, specs, tmp_path):
    """The setup docs/team.md gives: an owner role that creates and upgrades the schema, and
    assessor logins in a team role that may read and write rows but not change the schema.
    An assessor opening a queue that needs an upgrade is told, in one line, to let the owner."""
    tag = f"{os.getpid()}_{next(_made)}"
    owner, team, ana, db = f"mcr_owner_{tag}", f"mcr_team_{tag}", f"mcr_ana_{tag}", f"mcr_roles_{tag}"
    statements = [
        f"CREATE ROLE {owner} LOGIN PASSWORD 'owner-secret'",
        f"CREATE ROLE {team} NOLOGIN",
        f"CREATE ROLE {ana} LOGIN PASSWORD 'ana-secret' IN ROLE {team}",
        f"CREATE DATABASE {db} OWNER {owner} ENCODING 'UTF8' TEMPLATE template0",
        f"REVOKE ALL ON DATABASE {db} FROM PUBLIC",
        f"GRANT CONNECT ON DATABASE {db} TO {team}",
    ]
    for statement in statements:
        admin(pg_server, statement)
    parts = urllib.parse.urlsplit(pg_server)

    def url(role: str, password: str) -> str:
        return parts._replace(
            netloc=f"{role}:{password}@{parts.hostname}:{parts.port}", path=f"/{db}"
        ).geturl()

    try:
        pg.create_schema(url(owner, "owner-secret"), stop_before=5)  # an older release's schema
        for statement in [
            f"GRANT USAGE ON SCHEMA public TO {team}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {team}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {team}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
            f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {team}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
            f" GRANT USAGE, SELECT ON SEQUENCES TO {team}",
        ]:
            admin(url(owner, "owner-secret"), statement)
        with pytest.raises(StoreError) as refused:
            open_store(url(ana, "ana-secret"))
        message = str(refused.value)
        assert f"needs upgrading to version {pg.SCHEMA_VERSION}" in message and "owns the database" in message
        assert "\n" not in message and "ana-secret" not in message
        open_store(url(owner, "owner-secret")).close()  # the owner upgrades it
        store = open_store(url(ana, "ana-secret"))
        try:
            (tmp_path / "plan.txt").write_bytes(b"plan")
            record = ppr_record(
                attachments=[{"component": "action-plan", "path": "plan.txt", "description": ""}]
            )
            assert importer.import_paths(store, [write_yaml(tmp_path, "a.yaml", record)], specs).ok
            ReviewSession(store, "ana").set_level("PPR-T-001", component_id="overview", level="Passing")
            assert ReviewSession(store, "ana").attachment_content("PPR-T-001", seq=0).content == b"plan"
            with pytest.raises(StoreError, match="must be owner|permission denied"):
                store.write(lambda tx: tx.db.execute("DROP TABLE events"))
        finally:
            store.close()
    finally:
        admin(pg_server, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        for role in (ana, team, owner):
            admin(pg_server, f"DROP ROLE IF EXISTS {role}")
