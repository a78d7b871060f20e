"""Scoring, the award rule, decisions, revisions and claims, through the domain API."""

from __future__ import annotations

import json

import pytest
from conftest import all_passing, ppr_record, write_yaml

from mcreview.core.scoring import EARNED, INCOMPLETE, NOT_YET, evaluate
from mcreview.services import claims, importer, review

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
    assert review.set_level(database, queued, "overview", "Passing", "ana") is None
    assert review.set_level(database, queued, "overview", "Not Yet", "ana") == "Passing"
    row = database.conn.execute("SELECT level, passing, spec_hash, revision, assessor FROM scores").fetchone()
    assert row[:2] == ("Not Yet", 0) and row[3:] == (1, "ana")
    state = review.load_submission(database, queued)
    assert state.status == review.IN_REVIEW and state.levels == {"overview": "Not Yet"}
    assert row[2] == state.spec.content_hash  # the exact rubric it was scored on
    events = database.conn.execute(
        "SELECT assessor, action, target, before, after FROM events WHERE action = 'score'"
    ).fetchall()
    assert events == [
        ("ana", "score", "overview", None, "Passing"),
        ("ana", "score", "overview", "Passing", "Not Yet"),
    ]


def test_unknown_level_is_refused(database, queued):
    with pytest.raises(review.ReviewError):
        review.set_level(database, queued, "overview", "Proficient", "ana")


def test_decide_earned_then_revise(database, queued):
    for component, level in all_passing().items():
        review.set_level(database, queued, component, level, "ana")
    review.set_comment(database, queued, "case-study", "Clear rewrite.", "ana")
    assert review.decide(database, queued, "ana", "Well evidenced.") == EARNED
    state = review.load_submission(database, queued)
    assert state.status == review.DECIDED
    decision = state.current_decision
    assert (decision.outcome, decision.override, decision.comment) == (EARNED, False, "Well evidenced.")
    with pytest.raises(review.ReviewError, match="decided"):
        review.set_level(database, queued, "overview", "Not Yet", "ana")
    assert review.reopen(database, queued, "ana") == 2
    review.set_level(database, queued, "case-study", "Basic", "ana")
    assert review.decide(database, queued, "ana", "Rewrite lacks the principles.") == NOT_YET
    rows = database.conn.execute(
        "SELECT revision, outcome, part_outcomes FROM decisions ORDER BY revision"
    ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [(1, EARNED), (2, NOT_YET)]
    assert json.loads(rows[1][2]) == {"1": "pass", "2": "fail", "3": "pass"}
    carried = database.conn.execute(
        "SELECT body FROM comments WHERE revision = 2 AND component_id = 'case-study'"
    ).fetchone()
    assert carried == ("Clear rewrite.",)


def test_not_yet_needs_feedback_and_override_needs_justification(database, queued):
    for component, level in {**all_passing(), "action-plan": "Developing"}.items():
        review.set_level(database, queued, component, level, "ana")
    with pytest.raises(review.ReviewError, match="feedback"):
        review.decide(database, queued, "ana", "")
    with pytest.raises(review.ReviewError, match="justification"):
        review.decide(database, queued, "ana", "ok", outcome=EARNED)
    assert review.decide(database, queued, "ana", "ok", EARNED, "Plan template was mis-scanned") == EARNED
    row = database.conn.execute("SELECT override, computed, justification FROM decisions").fetchone()
    assert row == (1, NOT_YET, "Plan template was mis-scanned")
    assert database.conn.execute("SELECT count(*) FROM events WHERE action = 'override'").fetchone()[0] == 1


def test_incomplete_cannot_be_decided(database, queued):
    review.set_level(database, queued, "overview", "Passing", "ana")
    with pytest.raises(review.ReviewError, match="Still to score"):
        review.decide(database, queued, "ana", "")


def test_claimed_submission_is_read_only_to_others(database, queued):
    claims.claim(database, queued, "ana")
    with pytest.raises(review.ReviewError, match="claimed by ana"):
        review.set_level(database, queued, "overview", "Passing", "ben")
    with pytest.raises(claims.ClaimedByOther):
        claims.claim(database, queued, "ben")
    review.set_level(database, queued, "overview", "Passing", "ana")
    assert database.conn.execute("SELECT count(*) FROM scores").fetchone()[0] == 1


def test_expired_lease_frees_the_submission(database, queued):
    claims.claim(database, queued, "ana", lease_seconds=-1)  # already past its expiry
    assert claims.current_claim(database.conn, queued) is None
    claims.claim(database, queued, "ben")
    review.set_level(database, queued, "overview", "Passing", "ben")
    assert claims.current_claim(database.conn, queued).assessor == "ben"


def test_position_is_remembered(database, queued):
    review.remember_position(database, "ana", queued, "case-study")
    assert review.last_position(database, "ana") == (queued, "case-study")
    assert review.last_position(database, "ben") == (None, None)
