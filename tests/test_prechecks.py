"""Pre-checks: flags in the queue and the CLI, highlights on screen, returns."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from conftest import ppr_record, sql, sql_row, sql_value, words, write_yaml

from mcreview.cli import cli
from mcreview.core import prechecks as core_prechecks
from mcreview.services import importer, prechecks, queue
from mcreview.services.library import SpecLibrary
from mcreview.services.session import ReviewError, ReviewSession
from mcreview.store import open_store
from mcreview.tui.app import build_app
from mcreview.tui.lines_view import LinesView

IDENTIFYING = "FCR-2026-003"  # the sample submission that names a person, school and email


def test_word_limits_missing_and_empty(specs):
    spec = specs["positive-professional-relationships"]
    found = core_prechecks.compute_prechecks(
        spec,
        {"overview": words(120), "action-plan": "  ", "reflection": words(600)},
        [("case-study", "plan.pdf", False)],
    )
    details = sorted((c.component_id, c.kind) for c in found)
    assert details == [
        ("action-plan", "empty"),
        ("case-study", "attachment_missing"),
        ("case-study", "missing"),
        ("overview", "under_guide"),
        ("reflection", "over_guide"),
    ]
    # PPR calls its word counts a guide (issue 12, item 6): shown, never a W flag.
    under = next(c for c in found if c.kind == "under_guide")
    assert under.detail == (
        "Overview questions: 120 words, below the suggested 350 to 500 words (the document calls it a guide)"
    )
    assert core_prechecks.flags_of(found) == "M"


def test_identifier_offsets_point_into_the_response(specs):
    spec = specs["positive-professional-relationships"]
    text = words(400) + " Write to me at jo.doe@example.org please."
    found = core_prechecks.compute_prechecks(spec, {"overview": text}, [])
    email = next(c for c in found if c.kind == "identifier")
    assert text[email.start : email.end] == "jo.doe@example.org"
    assert core_prechecks.flags_of(found).startswith("I")


def test_sample_identifying_submission_is_flagged_in_the_queue(sample_db):
    database = open_store(sample_db)
    rows = {row.id: row for row in queue.page(database, queue.QueueFilter(), limit=100)}
    assert "I" in rows[IDENTIFYING].flags
    kinds = {
        c.detail.split(": possible ")[1].split(":")[0]
        for c in prechecks.load_prechecks(database, IDENTIFYING)
        if c.kind == "identifier"
    }
    assert {"email address", "phone number", "name with a title", "school or district name"} <= kinds
    database.close()
    result = CliRunner().invoke(cli, ["--db", str(sample_db), "queue"])
    line = next(line for line in result.output.splitlines() if line.startswith(IDENTIFYING))
    assert " I" in line
    details = CliRunner().invoke(cli, ["--db", str(sample_db), "checks", IDENTIFYING])
    assert "possible email address: dana.whitfield@example.org" in details.output


async def test_identifiers_are_highlighted_in_the_rendered_response(sample_db):
    app = build_app(sample_db, "ana", dt.date(2026, 11, 23))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *IDENTIFYING, "enter", "enter")
        screen = app.screen
        ids = [c.id for c in screen.state.spec.components]
        for _ in range(ids.index("do-artifacts")):
            await pilot.press("j")  # every component: do-artifacts takes no level, so Tab skips it
        assert screen.component.id == "do-artifacts"
        widget = screen.query_one("#response-pane", LinesView)
        marked = "".join(
            segment.text
            for strip in widget.lines
            for segment in strip
            if segment.style is not None and segment.style.reverse and segment.style.underline
        )
        assert "dana.whitfield@example.org" in marked
        assert "Dana Whitfield" in marked


async def test_return_for_identifying_information_without_scoring(sample_db):
    app = build_app(sample_db, "ana", dt.date(2026, 11, 23))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *IDENTIFYING, "enter", "enter", "d", "i", "escape")
        assert sql_row(app.session.store, "SELECT count(*) FROM decisions") == (0,)
        await pilot.press("i", *"Please remove names and contacts.", "ctrl+o")
        assert sql_row(app.session.store, "SELECT count(*) FROM decisions") == (0,)  # shown first
        await pilot.press("enter")
    database = open_store(sample_db)
    assert sql(database, "SELECT outcome, comment FROM decisions") == [
        ("returned_identifiable", "Please remove names and contacts.")
    ]
    assert sql_row(database, "SELECT status FROM submissions WHERE id = ?", (IDENTIFYING,)) == ("returned",)
    assert sql_row(database, "SELECT count(*) FROM scores") == (0,)
    database.close()


def test_return_needs_a_reason_and_a_comment(database, db_target, specs, tmp_path):
    importer.import_paths(database, [write_yaml(tmp_path, "a.yaml", ppr_record())], specs)
    with pytest.raises(ReviewError, match="comment"):
        ReviewSession(database, "ana").return_submission("PPR-T-001", reason="incomplete", comment=" ")
    with pytest.raises(ReviewError, match="reason"):
        ReviewSession(database, "ana").return_submission("PPR-T-001", reason="late", comment="x")
    assert ReviewSession(database, "ana").return_submission(
        "PPR-T-001", reason="incomplete", comment="Part 2 missing."
    ) == ("returned_incomplete")
    dest = tmp_path / "out"
    dest.mkdir()
    result = CliRunner().invoke(cli, ["--db", db_target, "sync", str(dest)])
    assert result.exit_code == 0, result.output
    exported = next(dest.glob("decisions-*.csv")).read_text(encoding="utf-8")
    assert "returned_incomplete" in exported and "Part 2 missing." in exported
    assert ReviewSession(database, "ana").reopen("PPR-T-001") == 2  # and it can be revised


def test_recompute_matches_import(sample_db):
    database = open_store(sample_db)
    before = sql(database, "SELECT submission_id, kind, detail, start_at FROM prechecks ORDER BY 1, 2, 3, 4")
    total = sql_value(database, "SELECT count(*) FROM submissions")
    assert prechecks.recompute_all(database, SpecLibrary()) == total
    after = sql(database, "SELECT submission_id, kind, detail, start_at FROM prechecks ORDER BY 1, 2, 3, 4")
    assert after == before and before
    database.close()


def test_prechecks_in_worker_processes_match_the_serial_ones(specs, monkeypatch):
    """Large imports compute pre-checks on all cores; the findings must not change."""
    records = [ppr_record(f"P-{i}") for i in range(6)]
    records[2]["responses"]["overview"] = words(400) + " mail me: a.b@example.org"
    records[4]["responses"]["reflection"] = words(900)
    submissions = [importer.parse_submission(r, specs, "x", "/tmp") for r in records]
    serial = prechecks.compute_many(submissions, specs, workers=1)
    monkeypatch.setattr(prechecks, "PARALLEL_FROM", 0)
    parallel = prechecks.compute_many(submissions, specs, workers=2)
    assert parallel == serial
    # records[4]'s 900-word reflection is above PPR's guide: a finding, not a W flag (issue 12, item 6)
    assert [core_prechecks.flags_of(found) for found in serial] == ["", "", "I", "", "", ""]
    assert [c.kind for c in serial[4]] == ["over_guide"]
