"""Second readings and moderation on screen (issue 14): two readers and a lead, with keys,
then the database. Four paths: agreement, disagreement then moderation, a reading passed
back and recorded again, and approval in the grantor model."""

from __future__ import annotations

import pytest
from conftest import ppr_record, sql, write_yaml
from test_app import TODAY, widget_text
from textual.widgets import Static

from mcreview.core.vocabulary import Status
from mcreview.services import importer
from mcreview.services.programme import load_programme
from mcreview.services.session import ReviewSession
from mcreview.tui.app import build_app
from mcreview.tui.screens.confirm import ConfirmScreen
from mcreview.tui.screens.decision_screen import DecisionScreen
from mcreview.tui.screens.decision_view import DecisionView
from mcreview.tui.screens.moderation_screen import ModerateScreen, ModerationScreen, ReaderChoice
from mcreview.tui.screens.queue_screen import QueueScreen
from mcreview.tui.screens.review_screen import ReviewScreen

SID = "PPR-T-001"
TWO_READINGS = "leads: [lead]\ndefaults:\n  readings: two\n"
APPROVAL = "leads: [lead]\ndefaults:\n  approval: true\n"


def queue_with(database, specs, tmp_path, programme: str) -> None:
    load_programme(database, text=programme, file="p.yaml", assessor="lead", credentials=specs)
    report = importer.import_paths(database, [write_yaml(tmp_path, "a.yaml", ppr_record(SID))], specs)
    assert report.imported == [SID]


async def open_it(pilot):
    await pilot.press("slash", *SID, "enter", "enter")
    return pilot.app.screen


def status(database) -> str:
    return sql(database, "SELECT status FROM submissions WHERE id = ?", (SID,))[0][0]


def decisions(database):
    return ReviewSession(database, "lead").load(SID).decisions


async def read(db_target, who: str, keys: list[str], *, expect: str, comment: str = "") -> str:
    """One reader scores with keys and records their reading; returns the toast's text."""
    app = build_app(db_target, who, TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_it(pilot)
        assert isinstance(screen, ReviewScreen)
        await pilot.press(*keys, "d")
        assert isinstance(app.screen, DecisionScreen)
        if comment:
            await pilot.press("c", *comment, "ctrl+o")
        said = widget_text(app.screen.query_one("#decision-comment", Static))
        assert expect in " ".join(said.split()), said
        await pilot.press("enter")
        assert isinstance(app.screen, QueueScreen)
        return " ".join(n.message for n in app._notifications)


async def test_two_readings_that_agree_are_final(db_target, database, specs, tmp_path):
    queue_with(database, specs, tmp_path, TWO_READINGS)
    said = await read(db_target, "ana", ["1", "1", "1", "1"], expect="a second reader reads it independently")
    assert "a second reader reads it before it is final" in said
    assert status(database) == Status.SECOND_READING and decisions(database) == []
    app = build_app(db_target, "ben", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_it(pilot)
        assert screen.state.levels == {}  # blind: ana's levels are not shown to ben
        assert "reading 1 recorded (ana)" in widget_text(screen.query_one("#review-notice"))
    said = await read(db_target, "ben", ["1", "1", "1", "1"], expect="compared with the other reading")
    assert "recorded: final" in said
    (decision,) = decisions(database)
    assert (decision.resolution, decision.outcome, set(decision.readers)) == ("agreed", "earned", {"ana", "ben"})


async def disagree(db_target, database, specs, tmp_path) -> None:
    queue_with(database, specs, tmp_path, TWO_READINGS)
    await read(db_target, "ana", ["1", "1", "1", "1"], expect="a second reader")
    said = await read(db_target, "ben", ["1", "1", "2", "1"], expect="compared", comment="Case study is thin.")
    assert "the readings disagree, so a lead moderates" in said
    assert status(database) == Status.MODERATION


async def test_readings_that_disagree_are_moderated_with_a_reason(db_target, database, specs, tmp_path):
    await disagree(db_target, database, specs, tmp_path)
    app = build_app(db_target, "lead", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_it(pilot)
        assert isinstance(screen, ModerationScreen)
        assert screen.component.id == "case-study"  # the first component they differ on
        text = widget_text(screen.query_one("#moderation-text"))
        assert "Reading 1: ana" in text and "Reading 2: ben" in text and "Case study is thin." in text
        assert "THE READINGS DIFFER" in text
        await pilot.press("1")  # the final level, durable at once
        levels = ReviewSession(database, "lead").moderation(SID).final_levels
        assert levels["case-study"] == "Proficient" and levels["overview"] == "Passing"  # agreed ones start set
        await pilot.press("d")
        assert isinstance(app.screen, ModerateScreen)
        await pilot.press("enter")  # no reason yet: refused
        assert decisions(database) == []
        await pilot.press("escape")  # back: nothing recorded
        assert isinstance(app.screen, ModerationScreen) and decisions(database) == []
        await pilot.press("d", "w", *"Both readings meet the rubric once read in full.", "ctrl+o")
        text = widget_text(app.screen.query_one("#moderate-text"))
        assert "Both readings meet the rubric" in text and "Earned" in text
        await pilot.press("enter")
        assert isinstance(app.screen, QueueScreen)
    (decision,) = decisions(database)
    assert (decision.resolution, decision.outcome, decision.assessor) == ("moderated", "earned", "lead")
    assert decision.justification == "Both readings meet the rubric once read in full."
    assert status(database) == Status.DECIDED


async def test_a_reading_passed_back_is_changed_and_recorded_again(db_target, database, specs, tmp_path):
    await disagree(db_target, database, specs, tmp_path)
    app = build_app(db_target, "lead", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_it(pilot)
        await pilot.press("s")
        assert isinstance(app.screen, ReaderChoice)
        await pilot.press("2", *"Read the case study again.", "ctrl+o")
        assert isinstance(app.screen, ConfirmScreen)
        assert status(database) == Status.MODERATION  # not yet: the confirming key records
        await pilot.press("enter")
        assert isinstance(app.screen, QueueScreen)
    assert status(database) == Status.SECOND_READING
    app = build_app(db_target, "ben", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_it(pilot)
        notice = widget_text(screen.query_one("#review-notice"))
        assert "Sent back by the lead: Read the case study again." in notice
        await pilot.press("tab", "tab")
        assert screen.component.id == "case-study"
        await pilot.press("1", "d", "enter")
    (decision,) = decisions(database)
    assert (decision.resolution, decision.outcome) == ("agreed", "earned")
    levels = sql(
        database,
        "SELECT level FROM scores WHERE submission_id = ? AND component_id = 'case-study' AND assessor = 'ben'",
        (SID,),
    )
    assert levels == [("Proficient",)]


async def test_the_grantor_model_a_lead_approves_a_single_reading(db_target, database, specs, tmp_path):
    queue_with(database, specs, tmp_path, APPROVAL)
    said = await read(db_target, "ana", ["1", "1", "1", "1"], expect="a lead approves it")
    assert "waits for a lead's approval" in said
    assert status(database) == Status.APPROVAL and decisions(database) == []
    app = build_app(db_target, "lead", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_it(pilot)
        assert isinstance(screen, DecisionView) and screen.approving
        text = widget_text(screen.query_one("#view-text"))
        assert "Reading 1 recorded by ana" in text and "Earned" in text
        await pilot.press("a")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # nothing recorded
        assert decisions(database) == []
        await pilot.press("a", "enter")
        assert isinstance(app.screen, QueueScreen)
    (decision,) = decisions(database)
    assert (decision.resolution, decision.outcome, decision.approved_by) == ("approved", "earned", "lead")


@pytest.mark.parametrize("programme", [TWO_READINGS])
async def test_a_reader_who_is_not_a_lead_cannot_moderate(db_target, database, specs, tmp_path, programme):
    await disagree(db_target, database, specs, tmp_path)
    app = build_app(db_target, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")  # every status: a reader's queue does not list moderation
        screen = await open_it(pilot)
        assert isinstance(screen, ReviewScreen)  # not the moderation view
        await pilot.press("d")
        assert app.screen is not None and not isinstance(app.screen, (ModerationScreen, DecisionScreen))
    assert status(database) == Status.MODERATION
