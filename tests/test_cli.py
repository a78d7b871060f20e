"""The command line, driven through click's CliRunner and as a real process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import SPECS_DIR, ppr_record, write_yaml

from mcreview.cli import cli


@pytest.fixture
def run(db_target):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(
            cli,
            ["--db", str(db_target), "--specs", str(SPECS_DIR), "--assessor", "ana", *args],
            catch_exceptions=False,
        )

    return invoke


def test_specs_check_passes_on_bundled_specs(run):
    result = run("specs", "check", str(SPECS_DIR))
    assert result.exit_code == 0
    assert result.output.startswith("5 specs OK")


def test_specs_check_reports_file_and_line(run, tmp_path):
    (tmp_path / "bad.yaml").write_text("id: x\nscales: {}\nparts: []\n", encoding="utf-8")
    result = run("specs", "check", str(tmp_path))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert all(line.startswith(f"{tmp_path}/bad.yaml:") for line in lines)
    assert f"{tmp_path}/bad.yaml:2: no scales defined" in lines


def test_import_then_queue(run, tmp_path):
    write_yaml(tmp_path, "a.yaml", ppr_record("A-1"))
    write_yaml(tmp_path, "b.yaml", ppr_record("B-2", submitted="2026-09-01"))
    (tmp_path / "c.yaml").write_text("", encoding="utf-8")
    result = run("import", str(tmp_path))
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "2 imported, 0 already queued, 0 conflicts, 1 rejected"
    assert f"rejected: {tmp_path}/c.yaml:0: empty file" in result.output
    again = run("import", str(tmp_path / "a.yaml"))
    assert again.exit_code == 0
    assert again.output.strip() == "0 imported, 1 already queued, 0 conflicts, 0 rejected"
    listing = run("queue", "--json")
    rows = json.loads(listing.output)  # one JSON array, as sqlite-utils prints
    assert [r["id"] for r in rows] == ["B-2", "A-1"]  # oldest first
    assert rows[0]["status"] == "pending" and rows[0]["attempt"] == 1
    lines = run("queue", "--nl")  # one object per line
    assert [json.loads(line)["id"] for line in lines.output.splitlines()] == ["B-2", "A-1"]
    assert run("queue", "--json", "--nl").exit_code == 2
    table = run("queue", "--status", "pending")
    assert table.output.splitlines()[0].startswith("pending: 2")


def test_env_vars_configure_db_and_specs(tmp_path, monkeypatch):
    db = tmp_path / "env.db"
    monkeypatch.setenv("MCREVIEW_DB", str(db))
    monkeypatch.setenv("MCREVIEW_SPECS", str(SPECS_DIR))
    write_yaml(tmp_path, "a.yaml", ppr_record())
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "a.yaml")])
    assert result.exit_code == 0 and db.exists()


def test_unusable_database_is_one_line(tmp_path):
    bad = tmp_path / "not-a-db.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    result = subprocess.run(
        [sys.executable, "-m", "mcreview", "--db", str(bad), "queue"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(bad) in result.stderr
