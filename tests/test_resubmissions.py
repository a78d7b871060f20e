"""Resubmissions: Not Yet, feedback, resubmit, reassess (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SPECS_DIR, all_passing, ppr_record, sql, sql_write, words, write_yaml
from test_app import TODAY, open_submission

from mcreview.cli import cli
from mcreview.core.diff import Change, changed_words, word_diff
from mcreview.core.programme import Policy, ProgrammeError, parse_programme, policy_lines
from mcreview.core.vocabulary import Outcome, Status
from mcreview.services import importer, queue
from mcreview.services.demo import build_demo_queue
from mcreview.services.programme import SettingsRefused, current_programme, load_programme
from mcreview.services.session import ReviewError, ReviewSession
from mcreview.tui.app import build_app
from mcreview.tui.lines_view import LinesView
from mcreview.tui.queue_table import QueueTable
from mcreview.tui.screens.decision_screen import DecisionScreen
from mcreview.tui.screens.review_screen import ReviewScreen

SID = "PPR-T-001"
NOT_YET_LEVELS = {**all_passing(), "case-study": "Basic"}


def attempt(n: int, **changes: object) -> dict:
    record = ppr_record(SID, attempt=n, submitted=f"2026-11-0{n}")
    record["responses"]["case-study"] = words(280) + f" rewritten for attempt {n}"
    record.update(changes)
    return record


def queue_one(database, specs, tmp_path: Path, record: dict, name: str) -> importer.ImportReport:
    return importer.import_paths(database, [write_yaml(tmp_path, name, record)], specs)


def decide(
    database, levels: dict[str, str], *, who: str = "ana", comment: str = "Revise the case study."
) -> None:
    session = ReviewSession(database, who)
    for component, level in levels.items():
        session.set_level(SID, component_id=component, level=level)
    if levels.get("case-study") == "Basic":
        session.set_comment(SID, component_id="case-study", body="Apply every component to Ms. Anderson.")
    session.decide(SID, comment=comment)


@pytest.fixture
def first_not_yet(database, specs, tmp_path) -> None:
    assert queue_one(database, specs, tmp_path, ppr_record(SID), "a1.yaml").imported == [SID]
    decide(database, NOT_YET_LEVELS)


# -- import: what is accepted, what is refused, and the message --------------------------


def test_attempt_two_is_queued_after_not_yet(database, specs, tmp_path, first_not_yet):
    report = queue_one(database, specs, tmp_path, attempt(2, resubmission_note="I rewrote it."), "a2.yaml")
    assert report.imported == [SID] and report.ok
    state = ReviewSession(database, "ben").load(SID)
    assert (state.attempt, state.status, state.revision, state.levels) == (2, Status.PENDING, 1, {})
    assert state.note == "I rewrote it."
    assert state.previous is not None and state.previous.levels == NOT_YET_LEVELS
    assert state.previous.comments["case-study"] == "Apply every component to Ms. Anderson."
    assert state.previous.decision is not None and state.previous.decision.outcome == Outcome.NOT_YET
    assert state.responses["case-study"].endswith("rewritten for attempt 2")
    again = queue_one(database, specs, tmp_path, attempt(2, resubmission_note="I rewrote it."), "a2.yaml")
    assert again.already_queued == [SID] and again.imported == []


def test_attempt_two_is_queued_after_a_return(database, specs, tmp_path):
    queue_one(database, specs, tmp_path, ppr_record(SID), "a1.yaml")
    ReviewSession(database, "ana").return_submission(SID, reason="incomplete", comment="Part 2 is missing.")
    assert queue_one(database, specs, tmp_path, attempt(2), "a2.yaml").imported == [SID]


def refusal(report: importer.ImportReport) -> str:
    assert report.imported == [] and len(report.rejected + report.conflicts) == 1
    problem = (report.rejected + report.conflicts)[0]
    assert "\n" not in str(problem)
    return str(problem)


def test_attempt_two_is_refused_while_attempt_one_is_open(database, specs, tmp_path):
    queue_one(database, specs, tmp_path, ppr_record(SID), "a1.yaml")
    message = refusal(queue_one(database, specs, tmp_path, attempt(2), "a2.yaml"))
    path = tmp_path / "a2.yaml"
    line = path.read_text().splitlines().index("attempt: 2") + 1  # the error names the attempt's line
    assert message == (
        f"{path}:{line}: '{SID}' attempt 2: attempt 1 is still pending; import the resubmission once it is decided"
    )
    ReviewSession(database, "ana").set_level(SID, component_id="overview", level="Passing")
    assert "attempt 1 is still in review" in refusal(
        queue_one(database, specs, tmp_path, attempt(2), "a2.yaml")
    )


def test_attempt_two_is_refused_after_earned(database, specs, tmp_path):
    queue_one(database, specs, tmp_path, ppr_record(SID), "a1.yaml")
    decide(database, all_passing(), comment="")
    assert refusal(queue_one(database, specs, tmp_path, attempt(2), "a2.yaml")).endswith(
        f"'{SID}' attempt 2: attempt 1 was decided Earned; nothing to resubmit"
    )


def test_an_attempt_past_the_programmes_limit_is_refused(database, specs, tmp_path, first_not_yet):
    load_programme(
        database, text="defaults:\n  attempts: 2\n", file="programme.yaml", assessor="lead", credentials=specs
    )
    queue_one(database, specs, tmp_path, attempt(2), "a2.yaml")
    decide(database, NOT_YET_LEVELS)
    message = refusal(queue_one(database, specs, tmp_path, attempt(3), "a3.yaml"))
    assert message.endswith(
        f"'{SID}' attempt 3 is past the limit of 2 attempts for positive-professional-relationships"
        " (programme setting 'attempts')"
    )


def test_attempts_out_of_order_or_for_someone_else_are_refused(database, specs, tmp_path, first_not_yet):
    assert "cannot follow attempt 1" in refusal(queue_one(database, specs, tmp_path, attempt(3), "a3.yaml"))
    other = refusal(queue_one(database, specs, tmp_path, attempt(2, candidate="C-99999"), "x.yaml"))
    assert "is for positive-professional-relationships by C-99999, but attempt 1" in other
    orphan = refusal(queue_one(database, specs, tmp_path, attempt(2, id="PPR-T-404"), "o.yaml"))
    assert orphan.endswith("'PPR-T-404' attempt 2: no earlier attempt of it is queued")
    changed = ppr_record(SID)
    changed["responses"]["overview"] = words(380)
    conflict = refusal(queue_one(database, specs, tmp_path, changed, "c.yaml"))
    assert "attempt 1 is already queued with different content" in conflict and "attempt: 2" in conflict


def test_a_misspelt_attempt_key_is_an_error_not_a_conflict(database, specs, tmp_path, first_not_yet):
    record = attempt(2)
    record["attemt"] = record.pop("attempt")
    message = refusal(queue_one(database, specs, tmp_path, record, "typo.yaml"))
    assert "unknown key 'attemt' (did you mean 'attempt'?)" in message


# -- carrying over what passed, when the programme says so ------------------------------


def test_carry_over_keeps_passed_levels_and_they_are_not_rescored(database, specs, tmp_path, first_not_yet):
    load_programme(
        database, text="defaults:\n  carry_over: passed\n", file="p.yaml", assessor="lead", credentials=specs
    )
    queue_one(database, specs, tmp_path, attempt(2), "a2.yaml")
    ben = ReviewSession(database, "ana")  # the previous assessor, to whom it is routed
    state = ben.load(SID)
    assert state.carried == {"overview": 1, "action-plan": 1, "reflection": 1}
    assert state.levels == {"overview": "Passing", "action-plan": "Proficient", "reflection": "Passing"}
    with pytest.raises(ReviewError, match="carried over, not rescored"):
        ben.set_level(SID, component_id="overview", level="Not Yet")
    ben.set_level(SID, component_id="case-study", level="Proficient")
    assert ben.load(SID).outcome.status == Outcome.EARNED  # the award counts the carried levels
    assert ben.decide(SID, comment="") == Outcome.EARNED


def test_by_default_everything_is_rescored(database, specs, tmp_path, first_not_yet):
    queue_one(database, specs, tmp_path, attempt(2), "a2.yaml")
    assert ReviewSession(database, "ben").load(SID).levels == {}


# -- routing ------------------------------------------------------------------------------


def test_a_resubmission_goes_to_the_previous_assessor_while_active(database, specs, tmp_path, first_not_yet):
    queue_one(database, specs, tmp_path, attempt(2), "a2.yaml")
    ben, ana = ReviewSession(database, "ben"), ReviewSession(database, "ana")
    assert ben.load(SID).row.routed_to == "ana"
    with pytest.raises(ReviewError, match="routed to ana, who assessed attempt 1"):
        ben.claim(SID)
    assert queue.oldest_pending(database, "ben") != SID
    assert queue.oldest_pending(database, "ana") == SID
    ana.set_level(SID, component_id="overview", level="Passing")
    assert ben.route(SID, to=None) == "ana"  # no leads configured: any assessor may route
    ana.release(SID)
    ben.claim(SID)


def test_an_inactive_previous_assessor_sends_it_to_the_open_queue(database, specs, tmp_path, first_not_yet):
    sql_write(database, "UPDATE events SET at = '2020-01-01T00:00:00.000000+00:00' WHERE assessor = 'ana'")
    queue_one(database, specs, tmp_path, attempt(2), "a2.yaml")
    assert ReviewSession(database, "ben").load(SID).row.routed_to is None


def test_routing_to_the_open_queue_is_a_programme_setting(database, specs, tmp_path, first_not_yet):
    load_programme(
        database, text="defaults:\n  routing: open-queue\n", file="p.yaml", assessor="lead", credentials=specs
    )
    queue_one(database, specs, tmp_path, attempt(2), "a2.yaml")
    ReviewSession(database, "ben").claim(SID)


def test_once_leads_are_named_only_a_lead_may_route(database, specs, tmp_path, first_not_yet):
    load_programme(database, text="leads: [lead]\n", file="p.yaml", assessor="lead", credentials=specs)
    queue_one(database, specs, tmp_path, attempt(2), "a2.yaml")
    with pytest.raises(ReviewError, match="only a lead"):
        ReviewSession(database, "ben").route(SID, to=None)
    ReviewSession(database, "lead").route(SID, to="ben")
    ReviewSession(database, "ben").claim(SID)


# -- the queue, the CLI, history and sync carry the attempt ------------------------------


def test_queue_history_and_sync_carry_the_attempt(db_path, database, specs, tmp_path, first_not_yet):
    queue_one(database, specs, tmp_path, attempt(2), "a2.yaml")
    runner = CliRunner()
    base = ["--db", str(db_path), "--specs", str(SPECS_DIR), "--assessor", "ana"]
    rows = json.loads(runner.invoke(cli, [*base, "queue", "--json", "--resubmissions"]).output)
    assert [(r["id"], r["attempt"], r["routed_to"]) for r in rows] == [(SID, 2, "ana")]
    decide(database, all_passing(), comment="")
    history = runner.invoke(cli, [*base, "history", SID]).output
    assert "resubmit" in history and history.index("not_yet") < history.index("resubmit")
    dest = tmp_path / "out"
    dest.mkdir()
    assert runner.invoke(cli, [*base, "sync", str(dest)]).exit_code == 0
    (decisions,) = dest.glob("decisions-*.csv")
    lines = decisions.read_text(encoding="utf-8-sig").splitlines()
    header = [cell.strip('"') for cell in lines[0].split(",")]
    attempts = sorted(line.split(",")[header.index("attempt")].strip('"') for line in lines[1:])
    assert attempts == ["1", "2"]


# -- programme settings ------------------------------------------------------------------


def test_programme_settings_are_checked_with_one_line_per_problem(specs):
    text = "defaults:\n  atempts: 2\n  routing: anyone\ncredentials:\n  no-such-credential: {}\nlead: [ana]\n"
    with pytest.raises(ProgrammeError) as error:
        parse_programme(text, "programme.yaml", credentials=tuple(specs))
    assert [str(p) for p in error.value.problems] == [
        "programme.yaml:6: unknown key 'lead' (did you mean 'leads'?)",
        "programme.yaml:2: defaults: unknown setting 'atempts' (did you mean 'attempts'?)",
        "programme.yaml:3: defaults: 'routing' must be one of previous-assessor, open-queue",
        "programme.yaml:5: unknown credential 'no-such-credential'",
    ]


def test_defaults_then_overrides_per_credential():
    programme = parse_programme(
        "defaults:\n  attempts: 2\ncredentials:\n  fcr:\n    attempts: 3\n",
        "p.yaml",
        credentials=("fcr", "ppr"),
    )
    assert programme.policy("fcr").attempts == 3 and programme.policy("ppr").attempts == 2
    assert programme.policy("ppr").carry_over == Policy().carry_over
    lines = policy_lines(programme, ["fcr", "ppr"])
    assert any(line.split() == ["attempts", "3", "(this", "credential)"] for line in lines)
    assert any(line.split() == ["attempts", "2", "(programme", "default)"] for line in lines)
    assert any(line.split() == ["routing", "previous-assessor", "(mcreview", "default)"] for line in lines)


def test_only_a_lead_may_change_settings_once_leads_are_named(database, specs):
    load_programme(database, text="leads: [lead]\n", file="p.yaml", assessor="coordinator", credentials=specs)
    with pytest.raises(SettingsRefused, match="only a lead"):
        load_programme(database, text="leads: [ben]\n", file="p.yaml", assessor="ben", credentials=specs)
    load_programme(database, text="leads: [lead, ben]\n", file="p.yaml", assessor="lead", credentials=specs)
    assert current_programme(database).leads == ("lead", "ben")
    events = sql(database, "SELECT assessor FROM events WHERE action = 'settings' ORDER BY id")
    assert events == [("coordinator",), ("lead",)]


def test_settings_commands(db_path, tmp_path):
    runner = CliRunner()
    base = ["--db", str(db_path), "--specs", str(SPECS_DIR), "--assessor", "lead"]
    shown = runner.invoke(cli, [*base, "settings"])
    assert shown.exit_code == 0 and "mcreview's defaults are in force" in shown.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("defaults:\n  attempts: none\n", encoding="utf-8")
    checked = runner.invoke(cli, [*base, "settings", "check", str(bad)])
    assert checked.exit_code == 1
    assert checked.output.strip() == f"{bad}:2: defaults: 'attempts' must be a whole number from 1 to 10000"
    good = tmp_path / "good.yaml"
    good.write_text("leads: [lead]\ndefaults:\n  attempts: 2\n", encoding="utf-8")
    assert runner.invoke(cli, [*base, "settings", "load", str(good)]).exit_code == 0
    assert "attempts         2" in runner.invoke(cli, [*base, "settings"]).output


# -- the word diff ----------------------------------------------------------------------------


def test_word_diff_marks_added_and_removed_words_and_rejoins_the_new_text():
    old = "The plan has two goals.\nIt ends in May."
    new = "The plan has three measurable goals.\nIt ends in June."
    pieces = word_diff(old, new)
    assert "".join(p.text for p in pieces if p.change != Change.REMOVED) == new
    assert [p.text.strip() for p in pieces if p.change == Change.ADDED] == ["three measurable", "June."]
    assert [p.text.strip() for p in pieces if p.change == Change.REMOVED] == ["two", "May."]
    assert changed_words(pieces) == (3, 2)


def test_word_diff_of_long_texts_stays_within_bounds():
    old = "\n".join(f"line {i} of the response" for i in range(30_000))
    new = old.replace("line 15000 of", "line 15000, rewritten, of")
    pieces = word_diff(old, new)
    assert "".join(p.text for p in pieces if p.change != Change.REMOVED) == new
    assert changed_words(pieces) == (2, 1)  # "15000," "rewritten," for "15000"


# -- the demo queue ---------------------------------------------------------------------------


def test_the_demo_queue_has_resubmissions_with_their_history(tmp_path, specs):
    from mcreview.store.sqlite import open_sqlite

    store = open_sqlite(tmp_path / "demo.db")
    report = build_demo_queue(store, specs)
    assert report.resubmitted.ok and len(report.resubmitted.imported) == 3
    reader = ReviewSession(store, "newcomer")
    outcomes = {}
    for sid in report.resubmitted.imported:
        state = reader.load(sid)
        assert state.attempt == 2 and state.previous is not None and state.previous.decision is not None
        assert state.previous.decision.assessor == "mira" and state.previous.overall_comment
        outcomes[sid] = state.previous.decision.outcome
        assert [e.assessor for e in reader.history(sid) if e.action in ("decide", "return")] == ["mira"]
    assert sorted(outcomes.values()) == ["not_yet", "not_yet", "returned_incomplete"]
    store.close()


# -- the cycle with keys -------------------------------------------------------------------


async def test_grade_not_yet_resubmit_see_the_feedback_and_the_diff_then_decide(
    db_path, database, specs, tmp_path
):
    queue_one(database, specs, tmp_path, ppr_record(SID), "a1.yaml")
    app = build_app(db_path, "ana", TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_submission(pilot, SID)
        await pilot.press("1", "1", "c", *"Apply every component.", "ctrl+o", "2", "1")
        await pilot.press("d")
        assert isinstance(app.screen, DecisionScreen)
        await pilot.press("c", *"Revise the case study.", "ctrl+o", "enter")
        assert not isinstance(app.screen, DecisionScreen)
    assert ReviewSession(database, "ana").load(SID).decisions[0].outcome == Outcome.NOT_YET

    assert queue_one(database, specs, tmp_path, attempt(2, resubmission_note="Rewrote it."), "a2.yaml").ok
    app = build_app(db_path, "ana", TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        table = app.screen.query_one(QueueTable)
        assert "2/3" in table.row_text(0)
        screen = await open_submission(pilot, SID)
        assert isinstance(screen, ReviewScreen)
        response = screen.query_one("#response-pane", LinesView).text
        assert "Resubmission: attempt 2. Attempt 1 was Not Yet (ana)." in response
        assert "Revise the case study." in response and "Rewrote it." in response
        await pilot.press("tab", "tab")  # the case study
        rubric = screen.query_one("#rubric-pane", LinesView).text
        assert "Attempt 1: Basic (did not pass)" in rubric and "Apply every component." in rubric
        await pilot.press("w")
        diff = screen.query_one("#response-pane", LinesView).text
        assert "{+rewritten for attempt 2+}" in diff.replace("\n", " ")
        await pilot.press("shift+tab", "shift+tab", "1", "1", "1", "1", "d")
        assert isinstance(app.screen, DecisionScreen)
        await pilot.press("enter")
    state = ReviewSession(database, "ana").load(SID)
    assert [(d.attempt, d.outcome) for d in state.decisions] == [(1, Outcome.NOT_YET), (2, Outcome.EARNED)]
