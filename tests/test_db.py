"""The database layer: settings on every connection, upgrades, a Textual-free core."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys

import pytest
import sqlite_utils
from click.testing import CliRunner
from conftest import ppr_record, write_yaml

from mcreview.cli import cli
from mcreview.services import importer
from mcreview.services.session import ReviewSession
from mcreview.store import SchemaTooNew
from mcreview.store import sqlite as sqlite_store
from mcreview.store.sqlite import open_sqlite


def test_connection_settings(sqlite_database):
    conn = sqlite_database.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == sqlite_store.BUSY_TIMEOUT_MS
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_upgrade_from_first_schema_keeps_data(tmp_path, specs):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    sqlite_store.migration_set().apply(old, stop_before="m002_claims_sync_prechecks")
    assert "claims" not in old.table_names()
    # The rows the first release's import wrote, in the first release's schema.
    spec = specs["positive-professional-relationships"]
    (submission,), _ = importer.read_submissions([write_yaml(tmp_path, "a.yaml", ppr_record())], specs)
    conn = old.conn
    conn.execute(
        "INSERT INTO specs (hash, credential, version, title, body, loaded_at) VALUES (?, ?, ?, ?, ?, ?)",
        (spec.content_hash, spec.id, spec.version, spec.title, spec.body, "2026-01-01"),
    )
    conn.execute(
        "INSERT INTO submissions (id, credential, spec_hash, submitted, candidate, content_hash,"
        " imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            submission.id,
            spec.id,
            spec.content_hash,
            submission.submitted,
            submission.candidate,
            submission.content_hash,
            "2026-01-01",
        ),
    )
    conn.executemany(
        "INSERT INTO responses (submission_id, component_id, body) VALUES (?, ?, ?)",
        [(submission.id, cid, body) for cid, body in submission.responses.items()],
    )
    conn.execute(
        "INSERT INTO decisions (submission_id, revision, assessor, outcome, computed, spec_hash,"
        " decided_at) SELECT id, 1, 'ana', 'earned', 'earned', spec_hash, '2026-01-01' FROM submissions"
    )
    old.conn.close()

    upgraded = open_sqlite(path)
    assert {"claims", "sync_batches", "prechecks", "drafts"} <= set(
        sqlite_utils.Database(upgraded.conn).table_names()
    )
    assert [m.name for m in sqlite_store.migration_set().applied(sqlite_utils.Database(upgraded.conn))] == [
        "m001_initial",
        "m002_claims_sync_prechecks",
        "m003_drafts",
        "m004_attempts_readings",
        "m005_resubmissions",
        "m006_sync_formats",
        "m007_readings",
        "m008_attachment_contents",
        "m009_phrases",
    ]
    assert upgraded.schema_version() == sqlite_store.SCHEMA_VERSION
    state = ReviewSession(upgraded, "reader").load("PPR-T-001")
    assert state.responses["overview"].startswith("practice")
    assert state.attempt == 1 and state.decisions[0].attempt == 1 and state.decisions[0].outcome == "earned"
    positions = upgraded.conn.execute("SELECT count(*) FROM spec_components").fetchone()[0]
    assert positions == len(spec.components)
    assert upgraded.conn.execute("SELECT sync_batch FROM decisions").fetchone() == (None,)
    assert upgraded.conn.execute("SELECT flags FROM submissions").fetchone() == ("",)


def test_upgrade_to_sync_per_format_keeps_what_went_out(tmp_path, specs):
    """m005: a queue whose decisions went out as CSV keeps them synced as CSV (and only as
    CSV), and a batch an older mcreview left half-recorded is still finished from its file."""
    path = tmp_path / "v4.db"
    old = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    sqlite_store.migration_set().apply(old, stop_before="m006_sync_formats")
    spec = specs["positive-professional-relationships"]
    conn = old.conn
    conn.execute(
        "INSERT INTO specs (hash, credential, version, title, body, loaded_at) VALUES (?, ?, ?, ?, ?, ?)",
        (spec.content_hash, spec.id, spec.version, spec.title, spec.body, "2026-01-01"),
    )
    for sid in ("A", "B", "C"):
        conn.execute(
            "INSERT INTO submissions (id, credential, spec_hash, submitted, candidate, content_hash,"
            " imported_at, status) VALUES (?, ?, ?, '2026-01-01', 'C-1', 'x', '2026-01-01', 'decided')",
            (sid, spec.id, spec.content_hash),
        )
        conn.execute(
            "INSERT INTO decisions (submission_id, attempt, revision, assessor, outcome, computed, spec_hash,"
            " decided_at) VALUES (?, 1, 1, 'ana', 'earned', 'earned', ?, ?)",
            (sid, spec.content_hash, f"2026-01-0{ord(sid) - 64}T00:00:00.000000+00:00"),
        )
    folder = tmp_path / "outbox"
    folder.mkdir()
    conn.execute(
        "INSERT INTO sync_batches (started_at, finished_at, destination, decisions, scores, files, assessor)"
        " VALUES ('2026-01-01', '2026-01-01', ?, 1, 0, '[\"decisions-000001-X.csv\"]', 'ana')",
        (str(folder.resolve()),),
    )
    conn.execute("UPDATE decisions SET sync_batch = 1 WHERE submission_id = 'A'")
    # Batch 2 reached the folder but the old mcreview died before recording it: the old
    # file (no byte order mark, no attempt column) is all that says what it holds.
    conn.execute(
        "INSERT INTO sync_batches (started_at, destination, files, assessor)"
        " VALUES ('2026-01-02', ?, '[\"decisions-000002-X.csv\", \"scores-000002-X.csv\"]', 'ana')",
        (str(folder.resolve()),),
    )
    (folder / "decisions-000002-X.csv").write_bytes(b'"batch","submission_id","revision"\r\n"2","B","1"\r\n')
    (folder / "scores-000002-X.csv").write_bytes(b'"batch"\r\n')
    conn.close()

    from mcreview.services import sync
    from mcreview.services.export import Ob3Format

    upgraded = open_sqlite(path)
    formats = upgraded.conn.execute("SELECT id, format FROM sync_batches ORDER BY id").fetchall()
    assert formats == [(1, "csv"), (2, "csv")]
    assert upgraded.conn.execute("SELECT * FROM sync_batch_decisions").fetchall() == [(1, "A", 1, 1)]
    result = sync.sync(upgraded, folder, "ana", dry_run=True)
    (interrupted,) = result.interrupted
    assert (interrupted.batch, interrupted.reached_destination, interrupted.keys) == (2, True, (("B", 1, 1),))
    assert result.decisions == [("C", 1, 1)]  # A went out in batch 1, B in batch 2
    result = sync.sync(upgraded, folder, "ana")
    assert result.decisions == [("C", 1, 1)] and result.batch == 3
    carried = upgraded.conn.execute("SELECT batch, submission_id FROM sync_batch_decisions ORDER BY 1")
    assert carried.fetchall() == [(1, "A"), (2, "B"), (3, "C")]
    # Sent as CSV is not sent as Open Badges: every decision is still to go out as ob3.
    ob3 = sync.sync(upgraded, folder, "ana", fmt=Ob3Format(issuer_name="Test"), dry_run=True)
    assert ob3.decisions == [("A", 1, 1), ("B", 1, 1), ("C", 1, 1)]
    upgraded.close()


def test_two_first_openers_do_not_race_the_schema(tmp_path):
    path = tmp_path / "race.db"
    first = open_sqlite(path)
    second = open_sqlite(path)  # sees nothing pending, applies nothing
    assert sqlite_store.pending_migrations(first.conn) == sqlite_store.pending_migrations(second.conn) == []


def test_writers_queue_on_the_lock_file_and_one_waiting_gets_in_after_the_holder(tmp_path):
    """A write waits its turn on <queue>-writelock (woken when the holder lets go) rather
    than in SQLite's busy handler; a second writer started while the first holds the lock
    commits after it, and both writes are kept."""
    import threading

    path = tmp_path / "queue.db"
    first, second = open_sqlite(path), open_sqlite(path)
    inside, order = threading.Event(), []
    release = threading.Event()

    def slow(tx):
        inside.set()
        release.wait(10)
        tx.put_position(assessor="ana", submission_id=None, component_id=None)
        order.append("first")

    def quick(tx):
        tx.put_position(assessor="ben", submission_id=None, component_id=None)
        order.append("second")

    holder = threading.Thread(target=first.write, args=(slow,))
    holder.start()
    assert inside.wait(10)
    waiter = threading.Thread(target=second.write, args=(quick,))
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive() and order == []  # queued on the lock, not failed
    release.set()
    holder.join(10)
    waiter.join(10)
    assert order == ["first", "second"]
    rows = first.conn.execute("SELECT assessor FROM positions ORDER BY assessor").fetchall()
    assert rows == [("ana",), ("ben",)]
    first.close()
    second.close()


def test_core_modules_do_not_load_textual():
    """Domain logic stays usable without the UI: importing it must not load Textual."""
    code = (
        "import sys; import mcreview.cli, mcreview.services.importer, mcreview.services.session,"
        " mcreview.core.scoring, mcreview.core.specs, mcreview.services.queue, mcreview.services.sync;"
        " bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')];"
        " print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_new_database_modes_owner_only_or_team_group(tmp_path):
    """SQLite makes files 0644 whatever the umask, and -wal/-shm copy that mode. A new
    queue is the owner's alone (no other user on the host reads responses), except in a
    group-writable team folder, where the group must be able to write it too."""
    team = tmp_path / "team"
    team.mkdir()
    team.chmod(0o2775)
    database = open_sqlite(team / "queue.db")
    database.write(lambda tx: tx.put_position(assessor="ana", submission_id=None, component_id=None))
    for name in ("queue.db", "queue.db-wal", "queue.db-shm", "queue.db-writelock"):
        assert stat.S_IMODE((team / name).stat().st_mode) == 0o660, name
    database.close()
    private = tmp_path / "private"
    private.mkdir()
    private.chmod(0o755)
    mine = open_sqlite(private / "queue.db")
    mine.write(lambda tx: tx.put_position(assessor="ana", submission_id=None, component_id=None))
    for name in ("queue.db", "queue.db-wal", "queue.db-shm", "queue.db-writelock"):
        assert stat.S_IMODE((private / name).stat().st_mode) == 0o600, name
    assert mine.warnings == []
    mine.close()


def test_a_queue_readable_by_everyone_is_warned_about(tmp_path):
    path = tmp_path / "queue.db"
    open_sqlite(path).close()
    path.chmod(0o644)
    store = open_sqlite(path)
    assert len(store.warnings) == 1 and "readable by every user" in store.warnings[0]
    store.close()


def test_a_default_folder_is_made_private(tmp_path):
    store = open_sqlite(tmp_path / "new" / "deeper" / "queue.db")
    store.close()
    assert stat.S_IMODE((tmp_path / "new" / "deeper").stat().st_mode) == 0o700


def test_a_newer_schema_is_refused_at_open_in_one_line(tmp_path):
    path = tmp_path / "queue.db"
    store = open_sqlite(path)
    store.conn.execute(f"PRAGMA user_version = {sqlite_store.SCHEMA_VERSION + 3}")
    store.close()
    with pytest.raises(SchemaTooNew) as refused:
        open_sqlite(path)
    message = str(refused.value)
    assert "\n" not in message and str(path) in message
    assert f"schema version {sqlite_store.SCHEMA_VERSION + 3}" in message and "upgrade mcreview" in message
    result = CliRunner().invoke(cli, ["--db", str(path), "queue"])
    assert result.exit_code == 1 and f"schema version {sqlite_store.SCHEMA_VERSION + 3}" in result.output
    assert "Traceback" not in result.output


def test_a_migration_from_a_newer_release_is_refused(tmp_path):
    path = tmp_path / "queue.db"
    store = open_sqlite(path)
    store.conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('mcreview', 'm099_future', 'x')"
    )
    store.close()
    with pytest.raises(SchemaTooNew, match="m099_future"):
        open_sqlite(path)


def test_the_ui_path_does_not_load_slow_imports():
    """sqlite-utils, PyYAML and markdown-it cost start-up time the screens do not need."""
    code = (
        "import sys; import mcreview.tui.app, mcreview.cli, mcreview.tui.screens.queue_screen;"
        " bad = [m for m in ('sqlite_utils', 'yaml', 'markdown_it', 'pydantic') if m in sys.modules];"
        " print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
