"""Escape followed fast by a key (issue 10, item 5): Escape, then the key, on every screen.

Over SSH the two often arrive in one read (ESC then "1"); Textual read that as alt+1,
or through its WezTerm table as "¡", which the comment editor typed while the level
key was lost.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import SAMPLE_DIR, SPECS_DIR
from ptyterm import PtyApp
from test_app import first_ppr, open_submission, query
from textual._xterm_parser import XTermParser
from textual.binding import Binding

from mcreview.services import importer
from mcreview.services.specfiles import load_spec_dir
from mcreview.store.sqlite import open_sqlite
from mcreview.tui.app import McReviewApp, build_app
from mcreview.tui.screens.comment_editor import CommentEditor
from mcreview.tui.screens.decision_screen import DecisionScreen
from mcreview.tui.screens.help_screen import HelpScreen
from mcreview.tui.screens.history_screen import HistoryScreen
from mcreview.tui.screens.queue_screen import QueueScreen
from mcreview.tui.screens.review_screen import ReviewScreen

TODAY = dt.date(2026, 11, 23)


def keys_read(data: str) -> list[tuple[str, str | None]]:
    from mcreview.tui.keys import install_escape_reading

    install_escape_reading()
    return [(event.key, event.character) for event in XTermParser().feed(data) if hasattr(event, "key")]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("\x1b1", [("escape", "\x1b"), ("1", "1")]),  # Textual read "¡" (WezTerm's Option-1)
        ("\x1b2", [("escape", "\x1b"), ("2", "2")]),  # and "™"
        ("\x1bc", [("escape", "\x1b"), ("c", "c")]),
        ("\x1b\t", [("escape", "\x1b"), ("tab", "\t")]),  # Textual read shift+tab
        ("\x1bb", [("escape", "\x1b"), ("b", "b")]),  # Textual read ctrl+left
        ("\x1b?", [("escape", "\x1b"), ("question_mark", "?")]),  # Textual dropped the Escape
        ("x\x1b1y", [("x", "x"), ("escape", "\x1b"), ("1", "1"), ("y", "y")]),
        ("\x1b[A", [("up", None)]),  # terminal sequences still read whole
        ("\x1bOP", [("f1", None)]),
    ],
)
def test_the_parser_reads_escape_then_the_key(data, expected):
    assert keys_read(data) == expected


def test_no_screen_binds_an_alt_key():
    """The rule rests on this: an alt+key means nothing here, so it can mean Escape + key."""
    classes = [
        McReviewApp,
        QueueScreen,
        ReviewScreen,
        DecisionScreen,
        CommentEditor,
        HelpScreen,
        HistoryScreen,
    ]
    for cls in classes:
        for binding in cls.BINDINGS:
            assert isinstance(binding, Binding)
            assert "alt+" not in binding.key, (cls.__name__, binding.key)


async def test_alt_key_in_the_comment_editor_closes_then_scores(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_submission(pilot, submission_id)
        component = screen.component.id
        await pilot.press("c", *"Clear goals.")
        assert isinstance(app.screen, CommentEditor)
        await pilot.press("alt+1")  # as a terminal reports ESC 1 when it decodes alt itself
        assert app.screen is screen
    assert query(sample_db, "SELECT count(*) FROM comments") == [(0,)]  # Escape saves nothing
    assert query(sample_db, "SELECT field, body FROM drafts") == [(component, "Clear goals.")]
    assert query(sample_db, "SELECT component_id FROM scores") == [(component,)]


async def test_alt_key_on_the_queue_search_clears_then_acts(sample_db):
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"PPR")
        await pilot.press("alt+o")  # Escape clears the search, then o opens the oldest pending
        assert isinstance(app.screen, ReviewScreen)


async def test_alt_key_on_the_decision_screen_goes_back_then_scores(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_submission(pilot, submission_id)
        await pilot.press("d")
        assert isinstance(app.screen, DecisionScreen)
        overview = screen.component
        await pilot.press("alt+2")
        assert app.screen is screen
        assert screen.state.levels == {overview.id: overview.scale.levels[1]}


def test_escape_and_a_level_key_in_one_read_on_a_pty(tmp_path):
    """The real app: ESC 1 written at once, as an SSH packet delivers it."""
    path = tmp_path / "queue.db"
    database = open_sqlite(path)
    specs, _ = load_spec_dir(SPECS_DIR)
    importer.import_paths(database, [SAMPLE_DIR], specs)
    database.conn.close()

    def scores() -> list:
        return query(path, "SELECT component_id, level FROM scores")

    app = PtyApp(["--db", str(path), "--specs", str(SPECS_DIR), "--assessor", "ana"])
    try:
        app.wait_for_text("Oldest pending")
        app.send(b"o")
        app.wait_for_text("Rubric")
        app.send(b"c")
        app.wait_for_text("^r discard")
        app.send(b"Clear goals.")
        app.wait_for(lambda: query(path, "SELECT body FROM drafts") == [("Clear goals.",)], "the draft")
        app.send(b"\x1b1")  # Escape closes the editor (saving nothing), then 1 scores
        app.wait_for(lambda: len(scores()) == 1, "the level")
    finally:
        app.kill()
    ((component, level),) = scores()
    spec_levels = {c.id: c for s in specs.values() for c in s.components}
    assert level == spec_levels[component].scale.levels[0]
    assert query(path, "SELECT count(*) FROM comments") == [(0,)]
    assert query(path, "SELECT field, body FROM drafts") == [(component, "Clear goals.")]
