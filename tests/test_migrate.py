"""Moving a team across: `mcreview migrate --to URL` copies a queue and its audit trail
into an empty store, verified by per-table counts and checksums."""

from __future__ import annotations

import urllib.parse

import pytest
from click.testing import CliRunner
from conftest import (
    SAMPLE_DIR,
    SPECS_DIR,
    all_passing,
    dump,
    ppr_record,
    sql,
    sql_value,
    sql_write,
    write_yaml,
)

from mcreview.cli import cli
from mcreview.services import importer, phrases, sync
from mcreview.services.history import format_history
from mcreview.services.programme import load_programme
from mcreview.services.session import ReviewSession
from mcreview.store import StoreError, open_store
from mcreview.store.api import TableInfo
from mcreview.store.copy import copy_order, copy_queue, table_digest


def busy_queue(target: str, specs, tmp_path) -> str:
    """A queue with something in every table: imports with stored attachments, claims,
    levels, comments, drafts, positions, decisions, a revision, a sync batch."""
    store = open_store(target)
    try:
        assert importer.import_paths(store, [SAMPLE_DIR], specs).ok
        extra = write_yaml(tmp_path, "t.yaml", ppr_record("PPR-T-001"))
        assert importer.import_paths(store, [extra], specs).ok
        ana = ReviewSession(store, "ana")
        for component, level in all_passing().items():
            ana.set_level("PPR-T-001", component_id=component, level=level)
        ana.set_comment("PPR-T-001", component_id="case-study", body='Ünïcode ✓ "quoted"\nline 2')
        ana.decide("PPR-T-001", comment="Well evidenced.")
        phrases.save_phrase(
            store,
            specs,
            assessor="ana",
            credential="positive-professional-relationships",
            component_id="case-study",
            level="Basic",
            text="Apply it to the student teacher.",
        )
        load_programme(store, text="leads: [lead]\n", file="programme.yaml", assessor="lead", credentials=specs)
        ReviewSession(store, "lead").mark_gold("PPR-T-001")
        outbox = tmp_path / "outbox"
        outbox.mkdir(exist_ok=True)
        sync.sync(store, outbox, "lead")
        ReviewSession(store, "ben").reopen("PPR-T-001")
        ReviewSession(store, "cy").claim("PPR-2026-001")
        ReviewSession(store, "cy").save_draft("PPR-2026-001", field="comment:overview", body="half a thought")
        ReviewSession(store, "cy").remember_position("PPR-2026-001", "overview")
        empty = [
            t.name
            for t in store.read(lambda tx: tx.tables())
            if not store.read(lambda tx, t=t: tx.table_count(t))
        ]
        assert empty == []  # every table has rows, so every table's copy is checked
    finally:
        store.close()
    return target


def test_a_sqlite_queue_moves_to_postgres_and_keeps_working(tmp_path, specs, pg_url):
    source = busy_queue(str(tmp_path / "team.db"), specs, tmp_path)
    result = CliRunner().invoke(cli, ["--db", source, "--specs", str(SPECS_DIR), "migrate", "--to", pg_url])
    assert result.exit_code == 0, result.output
    password = urllib.parse.urlsplit(pg_url).password or ""
    assert password and password not in result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("copied ") and lines[-1].endswith(urllib.parse.urlsplit(pg_url).path)
    source_store = open_store(source)
    tables = len(source_store.read(lambda tx: tx.tables()))
    source_store.close()
    assert tables >= 16 and sum(1 for line in lines if line.endswith("verified")) == tables

    old, new = open_store(source), open_store(pg_url)
    try:
        assert dump(old) == dump(new)  # every row of every table, value for value
        assert format_history(ReviewSession(old, "r").history("PPR-T-001")) == format_history(
            ReviewSession(new, "r").history("PPR-T-001")
        )
        attachment = ReviewSession(new, "r").load("BIR-2026-001").attachments[0]
        assert attachment.stored
        content = ReviewSession(new, "r").attachment_content("BIR-2026-001", seq=attachment.seq)
        assert content == ReviewSession(old, "r").attachment_content("BIR-2026-001", seq=attachment.seq)
        last = sql_value(new, "SELECT max(id) FROM events")
        ReviewSession(new, "ben").set_level("PPR-T-001", component_id="overview", level="Not Yet")
        assert sql_value(new, "SELECT max(id) FROM events") > last  # ids go on after the copied ones
        batch, _ = new.write(lambda tx: tx.reserve_sync_batch(destination="/x", assessor="lead", format="csv"))
        assert batch > sql_value(old, "SELECT max(id) FROM sync_batches")
    finally:
        old.close()
        new.close()

    again = CliRunner().invoke(cli, ["--db", source, "migrate", "--to", pg_url])
    assert again.exit_code == 1 and "not empty" in again.output
    assert len(again.output.strip().splitlines()) == 1 and password not in again.output


def test_a_postgres_queue_moves_back_to_a_sqlite_file_in_small_chunks(tmp_path, specs, pg_url):
    busy_queue(pg_url, specs, tmp_path)
    source, target = open_store(pg_url), open_store(tmp_path / "back.db")
    try:
        verified = copy_queue(source, target, chunk_rows=3)  # many chunks, composite keys paged
        assert {t.name: t.rows for t in verified} == {name: len(rows) for name, rows in dump(source).items()}
        assert dump(source) == dump(target)
    finally:
        source.close()
        target.close()


def test_the_checksum_tells_a_changed_row(tmp_path, specs, db_target):
    busy_queue(db_target, specs, tmp_path)
    copy_path = str(tmp_path / "copy.db")
    source, target = open_store(db_target), open_store(copy_path)
    try:
        copy_queue(source, target)
        scores = next(t for t in source.read(lambda tx: tx.tables()) if t.name == "scores")
        assert table_digest(source, scores) == table_digest(target, scores)
        sql_write(
            target, "UPDATE scores SET level = 'Basic' WHERE component_id = 'overview' AND revision = 1"
        )
        changed = table_digest(target, scores)
        assert changed.rows == table_digest(source, scores).rows
        assert changed.sha256 != table_digest(source, scores).sha256
    finally:
        source.close()
        target.close()


def test_the_target_must_be_empty_and_alike(tmp_path, specs, pg_url):
    source = open_store(tmp_path / "a.db")
    target = open_store(pg_url)
    try:
        target.write(lambda tx: tx.put_position(assessor="someone", submission_id=None, component_id=None))
        with pytest.raises(StoreError, match=r"not empty \(table positions has 1 rows\)"):
            copy_queue(source, target)
        sql_write(target, "DELETE FROM positions")
        sql_write(target, "ALTER TABLE drafts ADD COLUMN surprise TEXT")
        with pytest.raises(StoreError, match="table drafts has other columns"):
            copy_queue(source, target)
        assert sql(target, "SELECT count(*) FROM submissions") == [(0,)]
    finally:
        source.close()
        target.close()


def test_parents_are_copied_before_the_tables_that_point_at_them():
    tables = [
        TableInfo("scores", ("a",), ("a",), ("submissions", "specs")),
        TableInfo("specs", ("a",), ("a",)),
        TableInfo("submissions", ("a",), ("a",), ("specs",)),
        TableInfo("events", ("a",), ("a",)),
    ]
    assert [t.name for t in copy_order(tables)] == ["events", "specs", "submissions", "scores"]
    with pytest.raises(StoreError, match="cycle"):
        copy_order([TableInfo("a", ("x",), ("x",), ("b",)), TableInfo("b", ("x",), ("x",), ("a",))])
