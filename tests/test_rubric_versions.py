"""Rubric versions: drift caught by `specs check`, older rubrics shown, unscored submissions moved."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SPECS_DIR, ppr_record, write_yaml

from mcreview.cli import cli
from mcreview.services import importer, queue
from mcreview.services.session import ReviewSession
from mcreview.services.specfiles import load_spec_dir

PPR_FILE = "positive-professional-relationships.yaml"


@pytest.fixture
def edited_specs(tmp_path: Path) -> Path:
    """A copy of the bundled specs, to edit."""
    folder = tmp_path / "specs"
    shutil.copytree(SPECS_DIR, folder)
    return folder


def edit(folder: Path, *, version: str | None) -> None:
    path = folder / PPR_FILE
    text = path.read_text(encoding="utf-8").replace(
        "For cooperating (mentor) teachers", "For cooperating teachers"
    )
    if version is not None:
        text = text.replace('version: "2"', f'version: "{version}"', 1)
    path.write_text(text, encoding="utf-8")


def run(db_path: Path, specs_dir: Path, *args: str):
    return CliRunner().invoke(
        cli, ["--db", str(db_path), "--specs", str(specs_dir), "--assessor", "lead", *args]
    )


@pytest.fixture
def queued(db_path, database, tmp_path) -> list[str]:
    specs, _ = load_spec_dir(SPECS_DIR)
    records = [ppr_record(f"PPR-V-{i}", candidate=f"C-2000{i}") for i in range(3)]
    paths = [write_yaml(tmp_path, f"{i}.yaml", r) for i, r in enumerate(records)]
    assert len(importer.import_paths(database, paths, specs).imported) == 3
    return [r["id"] for r in records]


def test_an_edit_without_a_new_version_is_flagged_against_the_queue(db_path, queued, edited_specs):
    assert 'version: "2"' in (edited_specs / PPR_FILE).read_text(encoding="utf-8")
    edit(edited_specs, version=None)
    result = run(db_path, edited_specs, "specs", "check")
    assert result.exit_code == 1
    assert (
        "spec 'positive-professional-relationships' version '2': the content changed but the version did not"
        in (result.output)
    )
    edit(edited_specs, version="3")
    assert run(db_path, edited_specs, "specs", "check").exit_code == 0


def test_older_rubrics_are_shown_and_unscored_submissions_move(db_path, database, queued, edited_specs):
    edit(edited_specs, version="3")
    new_specs, _ = load_spec_dir(edited_specs)
    ReviewSession(database, "ana").set_level(queued[0], component_id="overview", level="Passing")
    later = write_yaml(edited_specs.parent, "new.yaml", ppr_record("PPR-V-new", candidate="C-20009"))
    importer.import_paths(database, [later], new_specs)  # the revised rubric is now the current one
    flags = {row.id: row.flags for row in queue.page(database, queue.QueueFilter(), limit=10)}
    assert {sid: "V" in flags[sid] for sid in [*queued, "PPR-V-new"]} == {
        queued[0]: True,
        queued[1]: True,
        queued[2]: True,
        "PPR-V-new": False,
    }
    note = ReviewSession(database, "ana").load(queued[1]).rubric_note
    assert note == "older rubric: version '2', current '3'"

    dry = run(db_path, edited_specs, "specs", "move", "--dry-run", "positive-professional-relationships")
    assert dry.exit_code == 0 and "would move 2 to version 3" in dry.output
    assert ReviewSession(database, "ana").load(queued[1]).rubric_note is not None
    moved = run(db_path, edited_specs, "specs", "move", "positive-professional-relationships")
    assert moved.exit_code == 0 and "moved 2 to version 3" in moved.output
    session = ReviewSession(database, "ana")
    assert session.load(queued[1]).rubric_note is None and session.load(queued[2]).rubric_note is None
    assert session.load(queued[0]).rubric_note == "older rubric: version '2', current '3'"  # scored: it stays
    events = [e for e in session.history(queued[1]) if e.action == "rubric-move"]
    assert len(events) == 1 and events[0].assessor == "lead" and events[0].target == "2 → 3"
