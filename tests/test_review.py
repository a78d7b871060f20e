"""Scoring, the award rule, decisions, revisions and claims, through the domain API."""

from __future__ import annotations

import json

import pytest
from conftest import all_passing, live_claim_of, ppr_record, sql, sql_row, sql_value, write_yaml

from mcreview.core.scoring import EARNED, INCOMPLETE, NOT_YET, evaluate
from mcreview.core.vocabulary import Status
from mcreview.services import importer
from mcreview.services.claims import ClaimedByOther
from mcreview.services.session import ReviewError, ReviewSession

PPR = "positive-professional-relationships"


@pytest.fixture
def queued(database, specs, tmp_path):
    importer.import_paths(database, [write_yaml(tmp_path, "a.yaml", ppr_record())], specs)
    return "PPR-T-001"


def test_award_rule(specs):
    spec = specs[PPR]
    assert evaluate(spec, all_passing()).status == EARNED
    basic = {**all_passing(), "case-study": "Basic"}
    outcome = evaluate(spec, basic)
    assert outcome.status == NOT_YET
    assert outcome.failing == (("case-study", "Basic"),)
    assert outcome.parts == {1: "pass", 2: "fail", 3: "pass"}
    assert "Artifact 2" in outcome.reason(spec)
    partial = evaluate(spec, {"overview": "Passing"})
    assert partial.status == INCOMPLETE
    assert partial.unscored == ("action-plan", "case-study", "reflection")


def test_yes_no_and_response_less_components(specs):
    spec = specs["reflective-practices-peer-support"]
    levels = {"part1-evaluation": "Passing", "coaching-plan": "Yes", "reflection": "Passing"}
    assert evaluate(spec, levels).status == EARNED
    assert evaluate(spec, {**levels, "coaching-plan": "No"}).status == NOT_YET


def test_scores_are_written_and_audited(database, queued):
    assert ReviewSession(database, "ana").set_level(queued, component_id="overview", level="Passing") is None
    assert (
        ReviewSession(database, "ana").set_level(queued, component_id="overview", level="Not Yet")
        == "Passing"
    )
    row = sql_row(database, "SELECT level, passing, spec_hash, revision, assessor FROM scores")
    assert row[:2] == ("Not Yet", 0) and row[3:] == (1, "ana")
    state = ReviewSession(database, "reader").load(queued)
    assert state.status == Status.IN_REVIEW and state.levels == {"overview": "Not Yet"}
    assert row[2] == state.spec.content_hash  # the exact rubric it was scored on
    events = sql(
        database, "SELECT assessor, action, target, before, after FROM events WHERE action = 'score'"
    )
    assert events == [
        ("ana", "score", "overview", None, "Passing"),
        ("ana", "score", "overview", "Passing", "Not Yet"),
    ]


def test_unknown_level_is_refused(database, queued):
    with pytest.raises(ReviewError):
        ReviewSession(database, "ana").set_level(queued, component_id="overview", level="Proficient")


def test_a_comment_on_an_unknown_component_is_refused(database, queued):
    """A script or an older client must not file feedback under a component the rubric lacks:
    it would reach the candidate's export with no title to show it under."""
    session = ReviewSession(database, "ana")
    with pytest.raises(ReviewError, match="'case-studdy' is not a component"):
        session.set_comment(queued, component_id="case-studdy", body="Clear rewrite.")
    session.set_comment(queued, component_id="", body="Overall, clear.")  # the overall comment
    assert sql(database, "SELECT component_id, body FROM comments") == [("", "Overall, clear.")]


def test_decide_earned_then_revise(database, queued):
    for component, level in all_passing().items():
        ReviewSession(database, "ana").set_level(queued, component_id=component, level=level)
    ReviewSession(database, "ana").set_comment(queued, component_id="case-study", body="Clear rewrite.")
    assert ReviewSession(database, "ana").decide(queued, comment="Well evidenced.") == EARNED
    state = ReviewSession(database, "reader").load(queued)
    assert state.status == Status.DECIDED
    decision = state.current_decision
    assert (decision.outcome, decision.override, decision.comment) == (EARNED, False, "Well evidenced.")
    with pytest.raises(ReviewError, match="decided"):
        ReviewSession(database, "ana").set_level(queued, component_id="overview", level="Not Yet")
    assert ReviewSession(database, "ana").reopen(queued) == 2
    ReviewSession(database, "ana").set_level(queued, component_id="case-study", level="Basic")
    assert ReviewSession(database, "ana").decide(queued, comment="Rewrite lacks the principles.") == NOT_YET
    rows = sql(database, "SELECT revision, outcome, part_outcomes FROM decisions ORDER BY revision")
    assert [(r[0], r[1]) for r in rows] == [(1, EARNED), (2, NOT_YET)]
    assert json.loads(rows[1][2]) == {"1": "pass", "2": "fail", "3": "pass"}
    carried = sql_row(
        database, "SELECT body FROM comments WHERE revision = 2 AND component_id = 'case-study'"
    )
    assert carried == ("Clear rewrite.",)


def test_not_yet_needs_feedback_and_override_needs_justification(database, queued):
    for component, level in {**all_passing(), "action-plan": "Developing"}.items():
        ReviewSession(database, "ana").set_level(queued, component_id=component, level=level)
    with pytest.raises(ReviewError, match="feedback"):
        ReviewSession(database, "ana").decide(queued, comment="")
    with pytest.raises(ReviewError, match="justification"):
        ReviewSession(database, "ana").decide(queued, comment="ok", outcome=EARNED)
    assert (
        ReviewSession(database, "ana").decide(
            queued, comment="ok", outcome=EARNED, justification="Plan template was mis-scanned"
        )
        == EARNED
    )
    row = sql_row(database, "SELECT override, computed, justification FROM decisions")
    assert row == (1, NOT_YET, "Plan template was mis-scanned")
    assert sql_value(database, "SELECT count(*) FROM events WHERE action = 'override'") == 1


def test_incomplete_cannot_be_decided(database, queued):
    ReviewSession(database, "ana").set_level(queued, component_id="overview", level="Passing")
    with pytest.raises(ReviewError, match="Still to score"):
        ReviewSession(database, "ana").decide(queued, comment="")


def test_claimed_submission_is_read_only_to_others(database, queued):
    ReviewSession(database, "ana").claim(queued)
    with pytest.raises(ReviewError, match="claimed by ana"):
        ReviewSession(database, "ben").set_level(queued, component_id="overview", level="Passing")
    with pytest.raises(ClaimedByOther):
        ReviewSession(database, "ben").claim(queued)
    ReviewSession(database, "ana").set_level(queued, component_id="overview", level="Passing")
    assert sql_value(database, "SELECT count(*) FROM scores") == 1


def test_expired_lease_frees_the_submission(database, queued):
    ReviewSession(database, "ana", lease_seconds=-1).claim(queued)  # already past its expiry
    assert live_claim_of(database, queued) is None
    ReviewSession(database, "ben").claim(queued)
    ReviewSession(database, "ben").set_level(queued, component_id="overview", level="Passing")
    assert live_claim_of(database, queued).assessor == "ben"


def test_position_is_remembered(database, queued):
    ReviewSession(database, "ana").remember_position(queued, "case-study")
    assert ReviewSession(database, "ana").last_position() == (queued, "case-study")
    assert ReviewSession(database, "ben").last_position() == (None, None)
