"""The assessor's screen (issue 18): each item driven with keys, then checked on screen and
in the database."""

from __future__ import annotations

import io

from click.testing import CliRunner
from conftest import SAMPLE_DIR, SPECS_DIR, ppr_record, sql, sql_write, write_yaml
from test_app import TODAY, first_ppr, open_submission, query, widget_text
from textual.command import CommandPalette

from mcreview.cli import cli
from mcreview.core.vocabulary import Status
from mcreview.services import importer, phrases
from mcreview.services.attachment_view import pdf_text
from mcreview.services.preferences import PreferenceFile, parse_preferences
from mcreview.services.session import ReviewSession
from mcreview.tui.app import build_app
from mcreview.tui.lines_view import LinesView
from mcreview.tui.screens.attachment_screen import AttachmentList, AttachmentScreen
from mcreview.tui.screens.comment_editor import CommentEditor, PhrasePicker
from mcreview.tui.screens.confirm import ConfirmScreen
from mcreview.tui.screens.decision_screen import DecisionScreen
from mcreview.tui.screens.decision_view import DecisionView
from mcreview.tui.screens.help_screen import HelpScreen
from mcreview.tui.screens.queue_screen import QueueScreen
from mcreview.tui.screens.review_screen import ReviewScreen
from mcreview.tui.screens.rubric_screen import RubricScreen

FCR = "FCR-2026-001"
PPR_KEYS_BEFORE = ["1", "tab", "1", "tab", "1", "tab", "1", "d", "enter"]  # before issue 18: 9 keys


def visible_lines(pane: LinesView) -> str:
    """The lines of a scrolled pane that are on screen."""
    return widget_text(pane)


async def decided(pilot, submission_id: str) -> None:
    await open_submission(pilot, submission_id)
    await pilot.press("1", "1", "1", "1", "c", *"Clear goals.", "ctrl+o", "d", "enter")


# -- 1: every descriptor reachable at 80x24 -----------------------------------------------


async def test_the_lowest_levels_are_reachable_from_the_keyboard(sample_db):
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_submission(pilot, FCR)
        await pilot.press("tab")
        assert screen.component.id == "circle-map"
        pane = screen.query_one("#rubric-pane", LinesView)
        last = "Needs are stated in a negative tone"  # the last criterion of the lowest level
        assert last not in visible_lines(pane)  # below the fold at 80x24
        await pilot.press("end")  # the response has the keys: the rubric does not move
        assert pane.scroll_y == 0
        await pilot.press("o", "end")
        assert pane.has_focus and pane.scroll_y == pane.max_scroll_y > 0
        assert last in visible_lines(pane)
        assert "▶ Rubric" in str(pane.border_title)
        await pilot.press("f")
        assert isinstance(app.screen, RubricScreen)
        full = widget_text(app.screen.query_one("#rubric-full-text"))
        assert "3 Developing" in full and "Needs are stated in a negative tone" in full
        await pilot.press("3")  # chosen from the full view, recorded as the level key would
        assert app.screen is screen
    assert query(sample_db, "SELECT level FROM scores WHERE component_id = 'circle-map'") == [("Developing",)]


async def test_panes_keep_their_place_on_a_level_and_start_at_the_top_on_a_new_component(sample_db):
    """The panes draw line by line: a level redraws the rubric where it was scrolled to, a
    new component starts at its top, and a resize wraps the text again at the new width."""
    app = build_app(sample_db, "ana", TODAY)
    app.preferences.change(auto_advance=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_submission(pilot, FCR)
        await pilot.press("tab")
        assert screen.component.id == "circle-map"
        pane = screen.query_one("#rubric-pane", LinesView)
        await pilot.press("o", "end")
        assert pane.scroll_y == pane.max_scroll_y > 0
        assert "none yet" in pane.text
        await pilot.press("1")
        assert screen.component.id == "circle-map"
        assert pane.scroll_y == pane.max_scroll_y > 0 and "none yet" not in pane.text
        await pilot.press("tab")
        assert screen.component.id != "circle-map" and pane.scroll_y == 0
        response = screen.query_one("#response-pane", LinesView)
        before, width = response.text.splitlines(), response.lines_width
        await pilot.resize_terminal(120, 40)  # side by side: the response pane is narrower
        await pilot.pause()
        after = response.text.splitlines()
        assert response.lines_width == response.scrollable_content_region.width != width
        assert len(after) != len(before) and " ".join(" ".join(after).split()) == " ".join(" ".join(before).split())


# -- 2: Escape never records ------------------------------------------------------------


async def test_escape_in_the_override_and_return_editors_records_nothing(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_submission(pilot, submission_id)
        await pilot.press("1", "2", "1", "1", "d")
        await pilot.press("o", *"Scan cut the measures off.", "escape")  # Escape: nothing, a draft kept
        assert isinstance(app.screen, DecisionScreen)
        await pilot.press("o", "ctrl+o")  # the draft came back; ^o hands it over
        assert isinstance(app.screen, ConfirmScreen)
        shown = widget_text(app.screen.query_one("#confirm-what"))
        assert "Outcome: Earned (an override)" in shown and "Scan cut the measures off." in shown
        await pilot.press("escape")  # back from the confirmation: nothing
        assert isinstance(app.screen, DecisionScreen)
        await pilot.press("n", *"Part 2 is missing.", "ctrl+o", "escape")  # confirmation refused
        assert isinstance(app.screen, DecisionScreen)
        assert query(sample_db, "SELECT count(*) FROM decisions") == [(0,)]
        assert query(sample_db, "SELECT count(*) FROM readings WHERE status = 'recorded'") == [(0,)]
        await pilot.press("n")  # the draft came back; confirm it this time
        await pilot.press("ctrl+o", "enter")
        assert isinstance(app.screen, QueueScreen)
    assert query(sample_db, "SELECT outcome, comment FROM decisions") == [("returned_incomplete", "Part 2 is missing.")]


async def test_escape_in_the_comment_editor_saves_nothing_and_keeps_a_draft(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_submission(pilot, submission_id)
        await pilot.press("1", "c", *"Goals need measures.", "escape")  # on the action plan
        assert app.screen is screen and screen.component.id == "action-plan"
        assert "none saved; a draft is kept" in " ".join(screen.query_one("#rubric-pane", LinesView).text.split())
        assert query(sample_db, "SELECT count(*) FROM comments") == [(0,)]
        assert query(sample_db, "SELECT body FROM drafts") == [("Goals need measures.",)]
        await pilot.press("2", "1", "1", "d")
        assert isinstance(app.screen, DecisionScreen)
        shown = " ".join(widget_text(app.screen.query_one("#decision-comment")).split())
        assert "Not saved, kept as drafts:" in shown
        await pilot.press("escape")  # back to the review screen
        await pilot.press("k", "k", "c")  # back up from the reflection to the action plan
        assert isinstance(app.screen, CommentEditor)
        await pilot.press("ctrl+o")  # the draft came back; now it is saved
        assert app.screen is screen
    assert query(sample_db, "SELECT component_id, body FROM comments") == [("action-plan", "Goals need measures.")]
    assert query(sample_db, "SELECT count(*) FROM drafts") == [(0,)]


# -- 3: r asks first; an unchanged revision can be cancelled ------------------------------


async def test_revising_asks_first_and_an_unchanged_revision_can_be_cancelled(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await decided(pilot, submission_id)
        sql_write_target(sample_db, "UPDATE submissions SET status = 'synced' WHERE id = ?", (submission_id,))
        await pilot.press("s", "slash", *submission_id, "enter", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)
        assert "It has been synced" in widget_text(app.screen.query_one("#confirm-what"))
        await pilot.press("escape")
        assert query(sample_db, "SELECT revision, status FROM submissions") [0:1] != []
        assert revision_and_status(sample_db, submission_id) == (1, "synced")
        await pilot.press("r", "enter")
        assert revision_and_status(sample_db, submission_id) == (2, "in_review")
        assert "r cancels it" in widget_text(screen.query_one("#review-notice"))
        await pilot.press("r", "enter")  # nothing changed: cancel it
        assert revision_and_status(sample_db, submission_id) == (1, "synced")
    actions = [r[0] for r in query(sample_db, "SELECT action FROM events WHERE submission_id = ? ORDER BY id", (submission_id,))]
    assert actions[-3:] == ["revise", "revise-cancel", "release"] or "revise-cancel" in actions
    assert query(sample_db, "SELECT count(*) FROM readings WHERE revision = 2") == [(0,)]


async def test_a_changed_revision_cannot_be_cancelled(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await decided(pilot, submission_id)
        await pilot.press("s", "slash", *submission_id, "enter", "enter", "r", "enter")
        await pilot.press("tab", "2")  # a change
        await pilot.press("r")
        assert isinstance(app.screen, ReviewScreen)  # no cancel offered
    assert revision_and_status(sample_db, submission_id) == (2, "in_review")


def sql_write_target(target, statement, params):
    from mcreview.store import open_store

    store = open_store(target)
    try:
        sql_write(store, statement, params)
    finally:
        store.close()


def revision_and_status(target, submission_id):
    return tuple(query(target, "SELECT revision, status FROM submissions WHERE id = ?", (submission_id,))[0])


# -- 4: a decided submission read back -----------------------------------------------------


async def test_a_decided_submission_is_read_back(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_submission(pilot, submission_id)
        await pilot.press("1", "2", "c", *"Goals lack measures.", "ctrl+o", "1", "1", "d")
        await pilot.press("c", *"Revise the plan.", "ctrl+o", "o", *"Template cut it off.", "ctrl+o", "enter")
        await pilot.press("s", "slash", *submission_id, "enter", "enter", "d")
        assert isinstance(app.screen, DecisionView)
        text = " ".join(widget_text(app.screen.query_one("#view-text")).split())
        for expected in (
            "Outcome: Earned",
            "Computed by the award rule: Not Yet",
            "Overridden: yes. Justification: Template cut it off.",
            "Overall comment: Revise the plan.",
            "Basic ✗",
            "Goals lack measures.",
        ):
            assert expected in text, expected
        await pilot.press("1", "escape")  # read-only: nothing changes
    assert query(sample_db, "SELECT count(*) FROM decisions") == [(1,)]


# -- 5: attachments ------------------------------------------------------------------------


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF with one line of text, written by hand (offsets computed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_a_pdf_is_shown_as_text_page_by_page():
    text, note = pdf_text(tiny_pdf("See page one of the plan."))
    assert "page 1 of 1" in text and "See page one of the plan." in text and note == ""


async def test_attachments_open_in_the_app(tmp_path, db_target, specs):
    folder = tmp_path / "in"
    (folder / "files").mkdir(parents=True)
    (folder / "files" / "plan.md").write_text("# The plan\n\nMeet **weekly**.", encoding="utf-8")
    (folder / "files" / "evidence.pdf").write_bytes(tiny_pdf("Page five shows the sign-in sheet."))
    (folder / "files" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    record = ppr_record()
    record["attachments"] = [
        {"component": "action-plan", "path": "files/plan.md", "description": "Plan"},
        {"component": "action-plan", "path": "files/evidence.pdf", "description": "Evidence"},
        {"component": "action-plan", "path": "files/photo.png", "description": "Photo"},
        {"component": "action-plan", "path": "files/gone.txt", "description": "Gone"},
    ]
    from mcreview.store import open_store

    store = open_store(db_target)
    report = importer.import_paths(store, [write_yaml(folder, "a.yaml", record)], specs)
    store.close()
    assert report.imported == ["PPR-T-001"], report.rejected
    (folder / "files" / "plan.md").unlink()  # shown from the queue's copy, not the file
    app = build_app(db_target, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_submission(pilot, "PPR-T-001")
        await pilot.press("tab")
        assert "(FILE MISSING)" in screen.query_one("#response-pane", LinesView).text
        shown = {}
        for index in range(4):
            await pilot.press("a")
            assert isinstance(app.screen, AttachmentList)
            await pilot.press(*["down"] * index, "enter")
            assert isinstance(app.screen, AttachmentScreen)
            shown[index] = " ".join(widget_text(app.screen.query_one("#attachment-text")).split())
            await pilot.press("escape", "escape")
            assert app.screen is screen
    assert "The plan" in shown[0] and "weekly" in shown[0] and "stored in the queue" in shown[0]
    assert "page 1 of 1" in shown[1] and "Page five shows the sign-in sheet." in shown[1]
    assert "photo.png" in shown[2] and "size: 108 bytes" in shown[2] and "type: image/png" in shown[2]
    assert "FILE MISSING" in shown[3] and "gone.txt" in shown[3]


# -- 6: fewer keys -------------------------------------------------------------------------


async def test_a_full_submission_takes_one_key_per_component_and_two_more(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_submission(pilot, submission_id)
        keys = ["1", "1", "1", "1", "d", "enter"]  # 6, against 9 before (PPR_KEYS_BEFORE)
        await pilot.press(*keys)
        assert isinstance(app.screen, QueueScreen)
    assert len(keys) == len(PPR_KEYS_BEFORE) - 3
    assert query(sample_db, "SELECT outcome FROM decisions") == [("earned",)]
    assert query(sample_db, "SELECT count(*) FROM scores") == [(4,)]


async def test_tab_skips_components_that_take_no_level_and_j_does_not(sample_db):
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_submission(pilot, FCR)
        await pilot.press("tab", "tab")
        assert screen.component.id == "review"  # past review-1 and review-2 (no level)
        await pilot.press("shift+tab", "j")
        assert screen.component.id == "review-1"
        await pilot.press("k", "k", "1", "1", "1", "1", "1")  # five levels: every scored component
    scored = {r[0] for r in query(sample_db, "SELECT component_id FROM scores")}
    assert scored == {"overview", "circle-map", "review", "design", "reflection"}


async def test_auto_advance_and_tab_stops_are_settings(sample_db, tmp_path):
    settings = tmp_path / "settings.yaml"
    settings.write_text("auto_advance: false\ntab_stops_on_unscored: true\n", encoding="utf-8")
    app = build_app(sample_db, "ana", TODAY, settings_file=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_submission(pilot, FCR)
        await pilot.press("1")
        assert screen.component.id == "overview"  # stays
        await pilot.press("tab", "tab")
        assert screen.component.id == "review-1"  # every component
        await pilot.press("A")  # auto-advance back on, remembered
    assert "auto_advance: true" in settings.read_text(encoding="utf-8")
    assert PreferenceFile.load(settings).preferences.auto_advance is True


def test_a_bad_settings_file_is_reported_and_the_defaults_used(tmp_path):
    preferences, problems = parse_preferences("theme: pink\nauto_advnce: false\n", "s.yaml")
    assert preferences.theme == "textual-dark" and preferences.auto_advance is True
    assert problems == [
        "s.yaml: 'theme' must be one of textual-dark, textual-light; using the default",
        "s.yaml: unknown setting 'auto_advnce' (known: auto_advance, tab_stops_on_unscored, theme)",
    ]


# -- 7: the comment bank -----------------------------------------------------------------


async def test_a_phrase_is_kept_inserted_and_edited(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_submission(pilot, submission_id)
        await pilot.press("tab", "2", "k")  # the action plan at Basic
        assert screen.component.id == "action-plan"
        await pilot.press("c", *"Make each goal measurable.", "ctrl+t", "ctrl+r")
        await pilot.press("c", *"Good start. ", "ctrl+n")
        assert isinstance(app.screen, PhrasePicker)
        await pilot.press("enter", "ctrl+o")
        await pilot.press("c", "ctrl+n", "e", "ctrl+u", *"Make every goal measurable.", "ctrl+o")
        assert isinstance(app.screen, PhrasePicker)
        await pilot.press("escape", "ctrl+r")
    assert query(sample_db, "SELECT component_id, body FROM comments") == [
        ("action-plan", "Good start. Make each goal measurable.")
    ]
    assert query(sample_db, "SELECT credential, component_id, level, body FROM phrases") == [
        ("positive-professional-relationships", "action-plan", "Basic", "Make every goal measurable.")
    ]


def test_phrases_export_and_import_as_yaml(tmp_path, db_target, specs):
    from mcreview.store import open_store

    store = open_store(db_target)
    phrases.save_phrase(
        store, specs, assessor="ana", credential="positive-professional-relationships",
        component_id="case-study", level="Basic", text="Apply it to the student.",
    )  # fmt: skip
    store.close()
    runner = CliRunner()
    base = ["--db", db_target, "--specs", str(SPECS_DIR), "--assessor", "ana"]
    out = tmp_path / "bank.yaml"
    result = runner.invoke(cli, [*base, "phrases", "export", str(out)])
    assert result.exit_code == 0 and "1 phrases written" in result.output
    assert "level: Basic" in out.read_text(encoding="utf-8")
    again = runner.invoke(cli, [*base, "phrases", "import", str(out)])
    assert again.exit_code == 0 and "0 phrases added, 1 already" in again.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "phrases:\n  - credential: positive-professional-relationships\n    component: case-study\n"
        "    level: Excellent\n    text: x\n  - credential: nope\n    text: y\n",
        encoding="utf-8",
    )
    refused = runner.invoke(cli, [*base, "phrases", "import", str(bad)])
    assert refused.exit_code == 1
    assert refused.output.splitlines() == [
        f"{bad}:2: 'Excellent' is not a level of case-study (Proficient, Basic, Developing)",
        f"{bad}:6: unknown credential 'nope'",
    ]


# -- 8: the response stays in view while commenting -------------------------------------------


async def test_the_comment_editor_leaves_the_response_in_view(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_submission(pilot, submission_id)
        pane = screen.query_one("#response-pane")
        await pilot.press("c")
        assert isinstance(app.screen, CommentEditor)
        dialog = app.screen.query_one("#comment-dialog")
        assert dialog.region.y - pane.region.y >= 8  # at least eight lines of the response above it
    async with build_app(sample_db, "ana", TODAY).run_test(size=(120, 40)) as pilot:
        screen = pilot.app.screen
        pane = screen.query_one("#response-pane")
        await pilot.press("c")
        dialog = pilot.app.screen.query_one("#comment-dialog")
        assert dialog.region.x >= pane.region.right - 1  # beside the response, over the rubric


# -- 9: a search never outlives a submission ----------------------------------------------------


async def test_the_queue_comes_back_unsearched_after_a_decision(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await decided(pilot, submission_id)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        assert queue.filters.text is None
        assert len(queue.page_rows) == 22  # every other open submission, not "no rows"
        assert widget_text(queue.query_one("#queue-filters")).strip().startswith("Showing: waiting for you")
        await pilot.press("question_mark", "escape")  # another screen: nothing is reset
        await pilot.press("slash", *"BIR", "enter", "question_mark", "escape")
        assert queue.filters.text == "BIR"


# -- 10: what matters is inside 80 columns -------------------------------------------------


async def test_status_revision_and_notices_are_inside_80_columns(sample_db):
    submission_id = first_ppr(sample_db)
    from mcreview.store import open_store

    store = open_store(sample_db)
    ReviewSession(store, "a-colleague-with-a-long-name").claim(submission_id)
    store.close()
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f", "f", "f")  # a credential filter
        line = widget_text(app.screen.query_one("#queue-filters"))
        assert "credential Facilitating Collaborative Relationship" in " ".join(line.split())
        await pilot.press("f", "f", "f")  # back to every credential
        screen = await open_submission(pilot, submission_id)
        top = widget_text(screen.query_one("#review-top")).splitlines()[0][:80]
        assert top.startswith(f" {submission_id}  rev 1 · pending") and "read-only" in top
        notice = " ".join(widget_text(screen.query_one("#review-notice")).split())
        assert "read-only: claimed by a-colleague-with-a-long-name" in notice


# -- 11: bullets, and answers under their prompts ----------------------------------------------


async def test_descriptors_keep_their_bullets_and_answers_sit_under_their_prompts(sample_db):
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_submission(pilot, FCR)
        await pilot.press("tab")
        rubric = screen.query_one("#rubric-pane", LinesView).text.splitlines()
        bullet = [i for i, line in enumerate(rubric) if "• The context section is complete" in line][0]
        text_starts = rubric[bullet].index("The context")
        wrapped = rubric[bullet + 1]
        assert wrapped.strip().startswith("understanding")  # the criterion's wrapped line ...
        assert len(wrapped) - len(wrapped.lstrip()) == text_starts  # ... hangs under its text, not its bullet
        response = screen.query_one("#response-pane", LinesView).text
        assert response.index("Prompt 2: Center Circle") < response.index("Center circle: Core Theme/Belief")
        assert response.index("Center circle: Core Theme") < response.index("Prompt 3:")
        await pilot.press("p")
        assert "Prompt 2:" not in screen.query_one("#response-pane", LinesView).text


# -- 12: the command palette --------------------------------------------------------------------


async def test_the_command_palette_goes_to_a_submission_and_filters(sample_db):
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"PPR-2026-002")
        await pilot.pause()
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        assert isinstance(app.screen, ReviewScreen) and app.screen.submission_id == "PPR-2026-002"
        await pilot.press("escape", "ctrl+p", *"status decided")
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        assert isinstance(app.screen, QueueScreen) and app.screen.filters.status == "decided"
        await pilot.press("question_mark")
        assert "^p" in widget_text(app.screen.query("Static").first())


# -- 13: the smaller things -----------------------------------------------------------------------


async def test_help_explains_the_flags_and_s_cycles_both_ways(sample_db):
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        queue = app.screen
        assert "W word limit" in widget_text(queue.query_one("#queue-page"))
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        from mcreview.core.prechecks import FLAG_LABELS

        flags = " ".join(widget_text(app.screen.query("Static")[1]).split())
        assert "Queue flags" in flags
        for letter, meaning in FLAG_LABELS.items():
            assert f"{letter} │ {meaning.split()[0]}" in flags, letter
        await pilot.press("escape", "s")
        assert queue.filters.status is None
        await pilot.press("S")
        assert queue.filters.status == "open"


async def test_the_theme_is_remembered(sample_db, tmp_path):
    settings = tmp_path / "config" / "settings.yaml"
    async with build_app(sample_db, "ana", TODAY, settings_file=settings).run_test() as pilot:
        assert pilot.app.theme == "textual-dark"
        await pilot.press("T")
    assert "theme: textual-light" in settings.read_text(encoding="utf-8")
    async with build_app(sample_db, "ana", TODAY, settings_file=settings).run_test() as pilot:
        assert pilot.app.theme == "textual-light"


async def test_one_toast_at_a_time(sample_db):
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_submission(pilot, first_ppr(sample_db))
        await pilot.press("9", "u", "9")
        assert len(app._notifications) == 1


async def test_leaving_without_scoring_leaves_it_pending_and_nobodys(sample_db):
    submission_id = first_ppr(sample_db)
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_submission(pilot, submission_id)
        await pilot.press("1")
        assert query(sample_db, "SELECT status, assessor FROM submissions WHERE id = ?", (submission_id,)) == [
            ("in_review", "ana")
        ]
        await pilot.press("u", "escape")  # every change taken back, then left
        assert isinstance(app.screen, QueueScreen)
    assert query(sample_db, "SELECT status, assessor FROM submissions WHERE id = ?", (submission_id,)) == [
        ("pending", None)
    ]
    assert query(sample_db, "SELECT count(*) FROM readings") == [(0,)]
    assert query(sample_db, "SELECT count(*) FROM claims") == [(0,)]
    # and a scored one stays in review under its assessor
    app = build_app(sample_db, "ana", TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_submission(pilot, submission_id)
        await pilot.press("1", "escape")
    assert query(sample_db, "SELECT status FROM submissions WHERE id = ?", (submission_id,)) == [("in_review",)]


def test_every_screen_and_key_of_the_readme_matches_the_help(sample_db):
    """The README's key table against the bindings the help screen is generated from."""
    from conftest import REPO

    from mcreview.tui.app import McReviewApp
    from mcreview.tui.screens.help_screen import key_rows

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| screen | key | does |") : readme.index("Opening a submission claims it")]
    screen_of = {
        "queue": QueueScreen,
        "review": ReviewScreen,
        "decision": DecisionScreen,
        "decision (read back)": DecisionView,
        "rubric": RubricScreen,
    }
    rows: dict[str, list[str]] = {}
    current = ""
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3:
            continue
        current = cells[0] or current
        rows.setdefault(current, []).append(cells[1])
    spelled = {"s-tab": "shift+tab", "escape": "esc"}
    for name, screen in [*screen_of.items(), ("everywhere", McReviewApp)]:
        documented = " ".join(rows[name]).lower()
        for keys, _ in key_rows(screen, []):
            for key in keys.lower().replace(" / ", " ").split():
                key = spelled.get(key, key)
                assert f"`{key}`" in documented or f"`{key} " in documented, (name, key)


def test_the_demo_queue_leaves_no_folder_behind(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    import sys

    monkeypatch.setattr(sys.modules["mcreview.cli.main"], "_run_app", lambda settings: None)
    result = CliRunner().invoke(cli, ["--assessor", "ana", "demo"])
    assert result.exit_code == 0, result.output
    assert list(tmp_path.iterdir()) == []


__all__ = ["SAMPLE_DIR", "sql", "Status"]


def test_an_app_that_crashes_exits_non_zero(tmp_path, monkeypatch):
    """A reinstall under a running app removed a module it then imported: the app stopped
    with ModuleNotFoundError and exit status 0. Now the app's return code is the exit status."""
    import sys

    import mcreview.tui.app as tui_app

    class Crashed:
        return_code = 1

        def run(self) -> None:
            pass

    monkeypatch.setattr(tui_app, "build_app", lambda *args, **kwargs: Crashed())
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "q.db"), "--assessor", "ana", "review"])
    assert result.exit_code == 1
    assert sys.modules["mcreview.cli.main"]
