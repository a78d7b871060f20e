"""The computed outcome on the five real specs: required evidence stops the award
(issue 12, item 1), programme rules are marked (item 3), every rule is explained."""

from __future__ import annotations

import itertools

import pytest
from conftest import all_passing, words

from mcreview.core.evidence import AttachmentFact, Evidence
from mcreview.core.scoring import EARNED, INCOMPLETE, NOT_YET, evaluate

FCR = "facilitating-collaborative-relationships"


def fcr_levels() -> dict[str, str]:
    return {
        "overview": "Passing",
        "circle-map": "Proficient",
        "review": "Proficient",
        "design": "Proficient",
        "reflection": "Passing",
    }


def fcr_responses() -> dict[str, str]:
    return {
        "overview": words(400),
        "circle-map": words(200),
        "review-1": words(80),
        "review-2": words(80),
        "design": words(200),
        "do-artifacts": "\n\n".join(f"**Artifact {n}.** " + words(30) for n in (1, 2, 3)),
        "participant-feedback": "### Participant A\n\n" + words(60) + "\n\n### Participant B\n\n" + words(60),
        "reflection": words(450),
    }


def fcr_attachments() -> list[AttachmentFact]:
    return [
        AttachmentFact("design", "design-template.docx"),
        AttachmentFact("do-artifacts", "newsletter.pdf"),
        AttachmentFact("do-artifacts", "slides.pdf"),
        AttachmentFact("do-artifacts", "https://example.org/webinar", link=True),
    ]


def test_complete_fcr_submission_is_earned(specs):
    spec = specs[FCR]
    outcome = evaluate(spec, fcr_levels(), evidence=Evidence.of(fcr_responses(), fcr_attachments()))
    assert outcome.status == EARNED
    assert outcome.missing == ()
    assert outcome.evidence_checked
    assert outcome.explanation[0].source == "required" and outcome.explanation[0].held is True


def test_fcr_missing_artifacts_is_not_earned_and_says_what_is_missing(specs):
    """The case in the issue: Artifact 4, Artifact 5 and one Review answer missing,
    every scored component at its passing level. It computed Earned and was recorded."""
    spec = specs[FCR]
    responses = fcr_responses()
    for cid in ("do-artifacts", "participant-feedback", "review-2"):
        del responses[cid]
    attachments = [a for a in fcr_attachments() if a.component_id != "do-artifacts"]
    levels = fcr_levels()
    assert evaluate(spec, levels).status == EARNED  # what it computed: levels alone
    outcome = evaluate(spec, levels, evidence=Evidence.of(responses, attachments))
    assert outcome.status == NOT_YET
    reason = outcome.reason(spec)
    assert reason.startswith("Not earned: ")
    assert "Artifact 4: Do (part 1) missing" in reason
    assert "Artifact 5: Feedback from Participants, Do (part 2) missing" in reason
    assert "Artifact 2: Review, question 2 missing" in reason
    kinds = {(m.component_id, m.kind) for m in outcome.missing}
    assert ("do-artifacts", "missing") in kinds and ("do-artifacts", "uploads") in kinds
    assert ("participant-feedback", "missing") in kinds and ("review-2", "missing") in kinds
    (decided,) = outcome.decided_by
    assert decided.source == "required" and decided.held is False
    assert outcome.parts == {1: "pass", 2: "fail", 3: "pass"}


def test_artifact_4_alone_missing_reads_as_the_issue_asks(specs):
    spec = specs[FCR]
    responses = fcr_responses()
    del responses["do-artifacts"]
    attachments = [a for a in fcr_attachments() if a.component_id != "do-artifacts"]
    outcome = evaluate(spec, fcr_levels(), evidence=Evidence.of(responses, attachments))
    assert (
        outcome.reason(spec)
        == "Not earned: Artifact 4: Do (part 1) missing, Artifact 4: Do (part 1): 0 of 3 required uploads."
    )


def test_required_uploads_stop_the_award(specs):
    spec = specs[FCR]
    one_file = [AttachmentFact("design", "d.docx"), AttachmentFact("do-artifacts", "all-three.pdf")]
    outcome = evaluate(spec, fcr_levels(), evidence=Evidence.of(fcr_responses(), one_file))
    assert outcome.status == NOT_YET
    assert outcome.reason(spec) == "Not earned: Artifact 4: Do (part 1): 1 of 3 required uploads."
    # the same file attached twice is one upload; a file that is not there does not count
    twice = [
        *one_file,
        AttachmentFact("do-artifacts", "all-three.pdf"),
        AttachmentFact("do-artifacts", "x.pdf", False),
    ]
    assert evaluate(spec, fcr_levels(), evidence=Evidence.of(fcr_responses(), twice)).status == NOT_YET
    no_design = [a for a in fcr_attachments() if a.component_id != "design"]
    outcome = evaluate(spec, fcr_levels(), evidence=Evidence.of(fcr_responses(), no_design))
    assert outcome.reason(spec) == "Not earned: Artifact 3: Design: no upload."


def test_an_empty_required_response_stops_the_award(specs):
    spec = specs[FCR]
    responses = fcr_responses() | {"participant-feedback": "  \n"}
    outcome = evaluate(spec, fcr_levels(), evidence=Evidence.of(responses, fcr_attachments()))
    assert outcome.status == NOT_YET
    assert "Artifact 5: Feedback from Participants, Do (part 2) empty" in outcome.reason(spec)


def test_missing_evidence_decides_not_yet_even_with_levels_still_to_choose(specs):
    spec = specs[FCR]
    responses = fcr_responses()
    del responses["do-artifacts"]
    outcome = evaluate(spec, {"overview": "Passing"}, evidence=Evidence.of(responses, fcr_attachments()))
    assert outcome.status == NOT_YET  # the assessor may decide (or return it) now
    assert "circle-map" in outcome.unscored


def test_eln_part_uploads_are_counted_over_the_whole_part(specs):
    spec = specs["building-internal-relationships"]
    levels = {"narrative": "Passing", "reflection": "Passing"} | {f"eo{n}": "Proficient" for n in range(1, 5)}
    responses = {"narrative": words(1100), "reflection": words(600)} | {
        f"eo{n}": words(200) for n in range(1, 5)
    }
    assert evaluate(spec, levels, evidence=Evidence.of(responses, [])).reason(spec) == (
        "Not earned: Part 2: no upload."
    )
    portfolio = [("eo1", "portfolio.pdf", True)]  # the tuples compute_prechecks takes work too
    assert evaluate(spec, levels, evidence=Evidence.of(responses, portfolio)).status == EARNED


def test_without_evidence_the_scored_rules_behave_as_before(specs):
    spec = specs["positive-professional-relationships"]
    outcome = evaluate(spec, all_passing())
    assert outcome.status == EARNED and not outcome.evidence_checked
    required = outcome.explanation[0]
    assert not required.checked and required.verdict == "not checked"
    assert required not in outcome.decided_by
    assert evaluate(spec, {"overview": "Passing"}).status == INCOMPLETE


def test_every_rule_is_explained_with_its_source_and_quote(specs):
    spec = specs["positive-professional-relationships"]
    outcome = evaluate(spec, {**all_passing(), "case-study": "Basic"})
    texts = [(r.text, r.verdict, r.source) for r in outcome.explanation]
    assert texts == [
        (
            "Every required response submitted, not empty, with its required uploads",
            "not checked",
            "required",
        ),
        ("Part 1: every scored component at a passing level", "holds", "document"),
        ("Part 2: every scored component at Proficient", "fails", "document"),
        ("Part 3: every scored component at a passing level", "holds", "document"),
    ]
    failed = outcome.explanation[2]
    assert failed.quote == "be proficient for all components in Part 2"
    assert failed.why == "Artifact 2: Case Study is Basic, not at Proficient"
    assert outcome.decided_by == (failed,)


@pytest.mark.parametrize("spec_id", ["building-internal-relationships", "building-personal-relationships"])
def test_eln_programme_rules_are_what_turns_the_outcome_and_say_so(specs, spec_id):
    """Item 3: over all 729 level combinations (each of six components unscored,
    passing or not), wherever the outcome turns on the programme's Part 1 / Part 3
    judgement, a programme rule is among the rules that decided, labelled as such."""
    spec = specs[spec_id]
    scored = [c.id for c in spec.components if c.scored]
    assert len(scored) == 6
    turned = 0
    for values in itertools.product((None, "pass", "fail"), repeat=6):
        levels = {}
        for cid, value in zip(scored, values, strict=True):
            if value is not None:
                component = spec.component(cid)
                passing = sorted(component.scale.passing)[0]
                failing = next(level for level in component.scale.levels if level != passing)
                levels[cid] = passing if value == "pass" else failing
        outcome = evaluate(spec, levels)
        document_only = {k: v for k, v in levels.items() if spec.component(k).part_number == 2}
        document_only |= {"narrative": "Passing", "reflection": "Passing"}
        baseline = evaluate(spec, document_only)
        if outcome.status != baseline.status:
            turned += 1
            assert any(r.programme for r in outcome.decided_by), levels
            if outcome.status == NOT_YET:
                assert "(the programme's own rule)" in outcome.reason(spec)
        else:
            assert not any(r.programme for r in outcome.decided_by if r.held is False) or (
                baseline.status == NOT_YET
            )
    assert turned
