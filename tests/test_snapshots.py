"""Snapshots of the main screens at 80x24 and 120x40 (pytest-textual-snapshot).

Deterministic by construction: a fixed sample queue, a fixed "today" for ages, no
clock on screen, no animation. Update with `pytest --snapshot-update` after an
intended change, and look at the report before committing.
"""

from __future__ import annotations

import datetime as dt

import pytest

from mcreview.tui.app import build_app

TODAY = dt.date(2026, 11, 23)
SIZES = [(80, 24), (120, 40)]
FIRST_PPR = "PPR-2026-001"


@pytest.fixture
def sample_app(sqlite_sample_db):
    # One set of reference images: the screens draw what the session returns, the same on
    # both backends (the Pilot tests in test_app.py run on both).
    return build_app(sqlite_sample_db, "ana", TODAY)


@pytest.fixture
def snap(snap_compare):
    """snap_compare after the keys, with any toast cleared first. A toast goes on the wall
    clock (after five seconds), so whether one is still up when the picture is taken would
    depend on how fast the machine ran the keys; the Pilot tests check what toasts say."""

    def compare(app, *, press=(), terminal_size):
        async def keys_then_no_toasts(pilot):
            await pilot.press(*press)
            await pilot.pause()
            pilot.app.clear_notifications()
            await pilot.pause()

        return snap_compare(app, run_before=keys_then_no_toasts, terminal_size=terminal_size)

    return compare


def open_keys(submission_id: str) -> list[str]:
    return ["slash", *submission_id, "enter", "enter"]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_queue_screen(snap, sample_app, size):
    assert snap(sample_app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_review_screen(snap, sample_app, size):
    keys = [*open_keys(FIRST_PPR), "tab", "2"]  # Action Plan, scored Basic
    assert snap(sample_app, press=keys, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_decision_screen(snap, sample_app, size):
    keys = [*open_keys(FIRST_PPR), "1", "tab", "2", "tab", "1", "tab", "1", "c", *"Fine.", "ctrl+o", "d"]
    assert snap(sample_app, press=keys, terminal_size=size)


FCR = "FCR-2026-001"


def test_review_screen_rubric_scrolled_to_its_last_level(snap, sample_app):
    """Issue 18, item 1: the lowest descriptors are reachable at 80x24 (o, then End)."""
    keys = [*open_keys(FCR), "tab", "o", "end"]
    assert snap(sample_app, press=keys, terminal_size=(80, 24))


def test_full_screen_rubric_at_its_last_level(snap, sample_app):
    keys = [*open_keys(FCR), "tab", "f", "end"]
    assert snap(sample_app, press=keys, terminal_size=(80, 24))


def test_comment_editor_keeps_the_response_in_view(snap, sample_app):
    keys = [*open_keys(FIRST_PPR), "c", *"Add measures to each goal."]
    assert snap(sample_app, press=keys, terminal_size=(80, 24))


def test_override_confirmation(snap, sample_app):
    keys = [*open_keys(FIRST_PPR), "1", "2", "1", "1", "d", "o", *"Scan cut it off.", "ctrl+o"]
    assert snap(sample_app, press=keys, terminal_size=(80, 24))


@pytest.fixture
def decided_app(sqlite_sample_db):
    """PPR-2026-001 decided with an override, at a fixed time (the view shows when)."""
    from conftest import sql_write

    from mcreview.services.session import ReviewSession
    from mcreview.store import open_store

    store = open_store(sqlite_sample_db)
    session = ReviewSession(store, "ana")
    levels = {"overview": "Passing", "action-plan": "Basic", "case-study": "Proficient", "reflection": "Passing"}
    for component, level in levels.items():
        session.set_level(FIRST_PPR, component_id=component, level=level)
    session.set_comment(FIRST_PPR, component_id="action-plan", body="The goals have no measures.")
    session.decide(
        FIRST_PPR,
        comment="Strong case study; the plan needs measures.",
        outcome="earned",
        justification="The measures are in the appendix the template cut off.",
    )
    sql_write(store, "UPDATE decisions SET decided_at = '2026-11-20T10:00:00.000000+00:00'")
    session.remember_position(None, None)
    store.close()
    return build_app(sqlite_sample_db, "ana", TODAY)


def test_decision_read_back(snap, decided_app):
    """Issue 18, item 4: the recorded decision, read-only."""
    assert snap(decided_app, press=["s", *open_keys(FIRST_PPR), "d"], terminal_size=(80, 24))


def test_attachment_screen(snap, sample_app):
    keys = [*open_keys(FCR), "tab", "a", "enter"]
    assert snap(sample_app, press=keys, terminal_size=(80, 24))


@pytest.fixture
def moderation_app(tmp_path):
    from conftest import SAMPLE_DIR, SPECS_DIR

    from mcreview.services import importer
    from mcreview.services.programme import load_programme
    from mcreview.services.session import ReviewSession
    from mcreview.services.specfiles import load_spec_dir
    from mcreview.store import open_store

    store = open_store(str(tmp_path / "moderation.db"))
    specs, _ = load_spec_dir(SPECS_DIR)
    text = "leads: [lead]\ndefaults:\n  readings: two\n"
    load_programme(store, text=text, file="p.yaml", assessor="lead", credentials=specs)
    assert importer.import_paths(store, [SAMPLE_DIR], specs).ok
    for who, case_study in (("ana", "Proficient"), ("ben", "Basic")):
        session = ReviewSession(store, who)
        levels = {"overview": "Passing", "action-plan": "Proficient", "case-study": case_study, "reflection": "Passing"}
        for component, level in levels.items():
            session.set_level(FIRST_PPR, component_id=component, level=level)
        session.decide(FIRST_PPR, comment="" if case_study == "Proficient" else "Apply it to the student.")
    store.close()
    return build_app(str(tmp_path / "moderation.db"), "lead", TODAY)


def test_moderation_screen(snap, moderation_app):
    assert snap(moderation_app, press=open_keys(FIRST_PPR), terminal_size=(80, 24))
