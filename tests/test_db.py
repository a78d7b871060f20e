"""The database layer: settings on every connection, upgrades, a Textual-free core."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import sqlite_utils
from conftest import ppr_record, write_yaml

from mcreview.services import importer, review
from mcreview.store import sqlite as queue_db


def test_connection_settings(database):
    conn = database.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == queue_db.BUSY_TIMEOUT_MS
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_upgrade_from_first_schema_keeps_data(tmp_path, specs):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    queue_db.migration_set().apply(old, stop_before="m002_claims_sync_prechecks")
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

    upgraded = queue_db.connect(path)
    assert {"claims", "sync_batches", "prechecks", "drafts"} <= set(upgraded.table_names())
    assert [m.name for m in queue_db.migration_set().applied(sqlite_utils.Database(upgraded.conn))] == [
        "m001_initial",
        "m002_claims_sync_prechecks",
        "m003_drafts",
    ]
    state = review.load_submission(upgraded, "PPR-T-001")
    assert state.responses["overview"].startswith("practice")
    assert upgraded.conn.execute("SELECT sync_batch FROM decisions").fetchone() == (None,)
    assert upgraded.conn.execute("SELECT flags FROM submissions").fetchone() == ("",)


def test_two_first_openers_do_not_race_the_schema(tmp_path):
    path = tmp_path / "race.db"
    first = queue_db.connect(path)
    second = queue_db.connect(path)  # sees nothing pending, applies nothing
    assert queue_db.pending_migrations(first.conn) == queue_db.pending_migrations(second.conn) == []


def test_core_modules_do_not_load_textual():
    """Domain logic stays usable without the UI: importing it must not load Textual."""
    code = (
        "import sys; import mcreview.cli, mcreview.services.importer, mcreview.services.review,"
        " mcreview.core.scoring, mcreview.core.specs, mcreview.services.queue, mcreview.services.claims;"
        " bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')];"
        " print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_new_database_in_a_group_writable_folder_is_group_writable(tmp_path):
    """SQLite makes files 0644 whatever the umask, and -wal/-shm copy that mode: a team
    folder's database must come out group-writable or the second assessor is locked out."""
    import stat

    team = tmp_path / "team"
    team.mkdir()
    team.chmod(0o2775)
    database = queue_db.connect(team / "queue.db")
    database.conn.close()
    assert (team / "queue.db").stat().st_mode & stat.S_IWGRP
    private = tmp_path / "private"
    private.mkdir()
    private.chmod(0o755)
    queue_db.connect(private / "queue.db").conn.close()
    assert not (private / "queue.db").stat().st_mode & stat.S_IWGRP


def test_the_ui_path_does_not_load_slow_imports():
    """sqlite-utils, PyYAML and markdown-it cost start-up time the screens do not need."""
    code = (
        "import sys; import mcreview.tui.app, mcreview.cli, mcreview.tui.screens.queue_screen;"
        " bad = [m for m in ('sqlite_utils', 'yaml', 'markdown_it', 'pydantic') if m in sys.modules];"
        " print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
