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


def open_keys(submission_id: str) -> list[str]:
    return ["slash", *submission_id, "enter", "enter"]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_queue_screen(snap_compare, sample_app, size):
    assert snap_compare(sample_app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_review_screen(snap_compare, sample_app, size):
    keys = [*open_keys(FIRST_PPR), "tab", "2"]  # Action Plan, scored Basic
    assert snap_compare(sample_app, press=keys, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_decision_screen(snap_compare, sample_app, size):
    keys = [*open_keys(FIRST_PPR), "1", "tab", "2", "tab", "1", "tab", "1", "c", *"Fine.", "ctrl+o", "d"]
    assert snap_compare(sample_app, press=keys, terminal_size=size)
