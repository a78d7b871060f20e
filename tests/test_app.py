"""The screens, driven with keys as an assessor would, then checked in the database."""

from __future__ import annotations

import datetime as dt

from conftest import SPECS_DIR, sql
from textual.geometry import Region

from mcreview.services import importer
from mcreview.services.session import ReviewSession
from mcreview.services.specfiles import load_spec_dir
from mcreview.store import open_store
from mcreview.tui.app import build_app
from mcreview.tui.lines_view import LinesView
from mcreview.tui.queue_table import QueueTable
from mcreview.tui.screens.confirm import ConfirmScreen
from mcreview.tui.screens.decision_screen import DecisionScreen
from mcreview.tui.screens.queue_screen import QueueScreen
from mcreview.tui.screens.review_screen import ReviewScreen

TODAY = dt.date(2026, 11, 23)


def query(target, statement: str, params=()):
    database = open_store(target)
    try:
        return sql(database, statement, params)
    finally:
        database.close()


def first_ppr(path) -> str:
    return query(
        path,
        "SELECT id FROM submissions WHERE credential = 'positive-professional-relationships'"
        " ORDER BY submitted, id LIMIT 1",
    )[0][0]


def widget_text(widget) -> str:
    """The text a widget paints, as the assessor would read it."""
    size = widget.size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, size.width, size.height)))


async def open_submission(pilot, submission_id: str) -> ReviewScreen:
    """Find the row with keys (search) and open it with Enter."""
    await pilot.press("slash", *submission_id, "enter")
    await pilot.press("enter")
    screen = pilot.app.screen
    assert isinstance(screen, ReviewScreen)
    assert screen.submission_id == submission_id
    return screen


async def test_queue_lists_open_work_oldest_first(sample_db):
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        table = screen.query_one(QueueTable)
        expected = query(sample_db, "SELECT id FROM submissions ORDER BY submitted, id")
        assert table.row_count == len(expected)
        assert [row.id for row in screen.page_rows] == [r[0] for r in expected]
        await pilot.press("a")  # newest first
        assert screen.page_rows[0].id == expected[-1][0]
        await pilot.press("f")  # first credential only
        assert {row.credential for row in screen.page_rows} == {screen.credentials[0]}


async def test_queue_cursor_keys_and_a_click_open_the_row_under_the_cursor(sample_db):
    """The queue's table moves its cursor by row (up, down, page, home, end), keeps it on
    screen, and opens the row the cursor is on (Enter) or the one clicked."""
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        table = screen.query_one(QueueTable)
        ids = [row.id for row in screen.page_rows]
        assert len(ids) > table.visible_rows() > 0  # the sample fills more than one screen
        await pilot.press("down", "down")
        assert table.cursor_row == 2 and screen.selected_id() == ids[2]
        await pilot.press("end")
        assert table.cursor_row == len(ids) - 1
        assert table.scroll_y == table.max_row_scroll()  # the last row is on screen
        assert ids[-1] in widget_text(table)
        await pilot.press("home", "pagedown")
        assert table.cursor_row == table.visible_rows()
        await pilot.press("up")
        assert screen.selected_id() == ids[table.visible_rows() - 1]
        await pilot.press("home")
        await pilot.click(QueueTable, offset=(3, 4))  # the header is line 0: line 4 is row 3
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.submission_id == ids[3]


async def test_queue_counts_follow_the_rows(sample_db):
    """The first frame shows the rows; the status counts are read after it and then shown."""
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        await pilot.pause()
        pending = query(sample_db, "SELECT count(*) FROM submissions WHERE status = 'pending'")[0][0]
        counts = widget_text(screen.query_one("#queue-counts"))
        assert f"pending {pending}" in counts and "…" not in counts
        assert f"rows 1–{len(screen.page_rows)} of {pending}" in widget_text(screen.query_one("#queue-page"))
        screen.draw_status_lines(None)  # what the first frame says before the counts are in
        await pilot.pause()
        assert "of …" in widget_text(screen.query_one("#queue-page"))
        assert "pending …" in widget_text(screen.query_one("#queue-counts"))


async def test_grade_earned_with_keys_only(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_submission(pilot, submission_id)
        assert screen.component.id == "overview"
        await pilot.press("1", "1", "1", "1")  # each level moves on to the next component to score
        assert screen.component.id == "reflection"  # the last: nothing left, it stays
        await pilot.press("c", *"Clear and specific.", "ctrl+o")
        await pilot.press("d")
        assert isinstance(app.screen, DecisionScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, QueueScreen)
    levels = query(
        sample_db,
        "SELECT component_id, level, assessor FROM scores WHERE submission_id = ?",
        (submission_id,),
    )
    assert sorted(levels) == [
        ("action-plan", "Proficient", "ana"),
        ("case-study", "Proficient", "ana"),
        ("overview", "Passing", "ana"),
        ("reflection", "Passing", "ana"),
    ]
    assert query(sample_db, "SELECT component_id, body FROM comments") == [
        ("reflection", "Clear and specific.")
    ]
    assert query(sample_db, "SELECT outcome, override, assessor FROM decisions") == [("earned", 0, "ana")]
    assert query(sample_db, "SELECT status FROM submissions WHERE id = ?", (submission_id,)) == [("decided",)]
    actions = [
        r[0]
        for r in query(
            sample_db, "SELECT action FROM events WHERE submission_id = ? ORDER BY id", (submission_id,)
        )
    ]
    assert actions == ["import", "claim", "score", "score", "score", "score", "comment", "decide", "release"]
    assert query(sample_db, "SELECT count(*) FROM claims") == [(0,)]


async def test_grade_not_yet_needs_feedback(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_submission(pilot, submission_id)
        await pilot.press("1", "2", "1", "1", "d")
        await pilot.press("enter")  # refused: Not Yet needs an overall comment
        assert isinstance(app.screen, DecisionScreen)
        assert query(sample_db, "SELECT count(*) FROM decisions") == [(0,)]
        await pilot.press("c", *"Add measures to goals.", "ctrl+o")
        await pilot.press("enter")
        assert isinstance(app.screen, QueueScreen)
    assert query(sample_db, "SELECT outcome, computed, comment FROM decisions") == [
        ("not_yet", "not_yet", "Add measures to goals.")
    ]


async def test_override_needs_justification(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_submission(pilot, submission_id)
        await pilot.press("1", "2", "1", "1", "d")
        await pilot.press("o", "escape")  # empty justification: nothing recorded
        assert query(sample_db, "SELECT count(*) FROM decisions") == [(0,)]
        await pilot.press("o", *"Template scan cut the measures off.", "ctrl+o")
        assert isinstance(app.screen, ConfirmScreen)  # what will be recorded, before it is
        assert query(sample_db, "SELECT count(*) FROM decisions") == [(0,)]
        await pilot.press("enter")
        assert isinstance(app.screen, QueueScreen)
    assert query(sample_db, "SELECT outcome, computed, override, justification FROM decisions") == [
        ("earned", "not_yet", 1, "Template scan cut the measures off.")
    ]


async def test_undo_restores_previous_level(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_submission(pilot, submission_id)
        await pilot.press("tab", "1", "3", "u")
        assert query(sample_db, "SELECT level FROM scores") == [("Proficient",)]
        await pilot.press("u")
        assert query(sample_db, "SELECT count(*) FROM scores") == [(0,)]
        await pilot.press("9")  # no ninth level: refused, nothing written
        assert query(sample_db, "SELECT count(*) FROM scores") == [(0,)]


async def test_revise_keeps_the_old_decision(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_submission(pilot, submission_id)
        await pilot.press("1", "1", "1", "1", "d", "enter")
        await pilot.press(*"sssssss")  # cycle the filter to "decided"
        screen = app.screen
        assert [row.id for row in screen.page_rows] == [submission_id]
        await pilot.press("enter")
        await pilot.press("1")  # decided: read-only until revised
        assert query(sample_db, "SELECT count(*) FROM events WHERE action = 'score'") == [(4,)]
        await pilot.press("r")  # asks first
        assert isinstance(app.screen, ConfirmScreen)
        assert query(sample_db, "SELECT revision FROM submissions WHERE id = ?", (submission_id,)) == [(1,)]
        await pilot.press("enter", "tab", "2", "d", "c", *"Case study lacks evidence.", "ctrl+o", "enter")
    assert query(sample_db, "SELECT revision, outcome FROM decisions ORDER BY revision") == [
        (1, "earned"),
        (2, "not_yet"),
    ]


async def test_claimed_submission_is_read_only_for_another_assessor(sample_db):
    submission_id = first_ppr(sample_db)
    database = open_store(sample_db)
    ReviewSession(database, "ana").claim(submission_id)
    database.close()
    app = build_app(sample_db, "ben", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_submission(pilot, submission_id)
        assert screen.read_only_reason.startswith("read-only: claimed by ana")
        await pilot.press("1", "c")
        assert app.screen is screen  # no editor opened
    assert query(sample_db, "SELECT count(*) FROM scores") == [(0,)]
    assert query(sample_db, "SELECT assessor FROM claims") == [("ana",)]


async def test_reopening_resumes_where_the_assessor_left(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_submission(pilot, submission_id)
        await pilot.press("tab", "tab", "1")  # the case study, then on to the reflection
    again = build_app(sample_db, "ana", TODAY)
    async with again.run_test(size=(80, 24)):
        screen = again.screen
        assert isinstance(screen, ReviewScreen)
        assert (screen.submission_id, screen.component.id) == (submission_id, "reflection")
        assert screen.state.levels == {"case-study": "Proficient"}


async def test_help_screen_lists_the_keys(sample_db):
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        text = widget_text(app.screen.query("Static").first())
        assert "Oldest pending" in text and "Search" in text and "Credential" in text
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_escape_sequences_in_a_response_are_shown_as_text(tmp_path, db_target):
    from conftest import ppr_record, write_yaml

    record = ppr_record()
    record["responses"]["overview"] = "before \x1b[2J\x1b]0;pwned\x07 after [bold]x[/bold]"
    path = db_target
    database = open_store(path)
    specs, _ = load_spec_dir(SPECS_DIR)
    importer.import_paths(database, [write_yaml(tmp_path, "a.yaml", record)], specs)
    database.close()
    app = build_app(path, "ana", TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_submission(pilot, "PPR-T-001")
        text = screen.query_one("#response-pane", LinesView).text
        assert "␛[2J" in text and "␇" in text and "[bold]x[/bold]" in text
        assert "\x1b" not in text


def test_state_reads_back_from_the_database(sample_db):
    """What the review screen shows is what load_submission reads: one source of truth."""
    submission_id = first_ppr(sample_db)
    database = open_store(sample_db)
    ReviewSession(database, "ana").set_level(submission_id, component_id="overview", level="Passing")
    assert ReviewSession(database, "reader").load(submission_id).levels == {"overview": "Passing"}
    database.close()


async def test_history_key_shows_the_audit_trail(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_submission(pilot, submission_id)
        await pilot.press("1", "h")
        text = widget_text(app.screen.query_one("#history-text"))
        assert "import" in text and "claim" in text and "score" in text and "Passing" in text
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)


async def test_empty_queue_says_how_to_fill_it(db_target):
    app = build_app(db_target, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "mcreview import PATH" in widget_text(app.screen.query_one("#queue-page"))
        await pilot.press("o", "enter")  # nothing to open: no crash, still the queue
        assert isinstance(app.screen, QueueScreen)


async def test_the_footer_is_rebuilt_only_when_its_keys_change(sample_db, monkeypatch):
    """Textual's Footer rebuilds its key widgets on every update of the screen's bindings;
    KeyFooter only when the keys it shows change: not for Tab, a level key or the way back
    to the queue, whose keys are as they were (Footer rebuilt twice for that)."""
    from mcreview.tui.footer import KeyFooter

    rebuilt: list[str] = []
    recompose = KeyFooter.recompose

    async def counted(self):
        rebuilt.append("footer")
        await recompose(self)

    monkeypatch.setattr(KeyFooter, "recompose", counted)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_submission(pilot, first_ppr(sample_db))
        await pilot.pause()
        assert rebuilt  # the review screen's keys are shown
        rebuilt.clear()
        await pilot.press("tab", "1", "tab", "escape")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        assert rebuilt == []
        assert app.screen.query_one(KeyFooter).keys_shown
