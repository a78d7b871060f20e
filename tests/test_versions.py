"""Rubric versions, the pure part (issue 12, item 8)."""

from __future__ import annotations

from mcreview.core.specs import parse_spec
from mcreview.core.versions import move_problems, rubric_note, version_drift

PPR = "positive-professional-relationships"


def test_content_changed_but_version_did_not(specs):
    spec = specs[PPR]
    edited = parse_spec(spec.body.replace("Goals need to be measurable", "Goals may be vague"), "e.yaml")
    assert edited.version == spec.version and edited.content_hash != spec.content_hash
    stored = [(spec.version, spec.content_hash), ("1", "0123456789abcdef")]
    (drift,) = version_drift(edited, stored)
    assert drift.stored_hash == spec.content_hash and drift.current_hash == edited.content_hash
    assert "the content changed but the version did not" in str(drift)
    assert version_drift(spec, stored) == []  # unchanged: nothing to say
    bumped = parse_spec(edited.body.replace('"version":"2"', '"version":"3"'), "b.yaml")
    assert bumped.version == "3" and version_drift(bumped, stored) == []


def test_rubric_note_for_the_queue_and_review_screen(specs):
    spec = specs[PPR]
    assert rubric_note(spec.content_hash, spec.version, spec) is None
    assert rubric_note("0123456789abcdef", "1", spec) == "older rubric: version '1', current '2'"
    assert "same version" in rubric_note("0123456789abcdef", "2", spec)
    assert rubric_note(spec.content_hash, spec.version, None) == "its credential has no spec loaded now"


def test_move_problems(specs):
    spec = specs[PPR]
    responses = ["overview", "action-plan", "case-study", "reflection"]
    assert move_problems(spec, spec, responses, ["action-plan"]) == []
    renamed = parse_spec(spec.body.replace('"id":"reflection"', '"id":"closing"'), "r.yaml")
    assert move_problems(spec, renamed, responses) == [
        "response 'reflection' is not a response of the current rubric",
        "no response for Part 3 of the current rubric",
    ]
    other = specs["reflective-practices-peer-support"]
    assert move_problems(spec, other, responses)[0].startswith("'positive-professional-relationships' and")
