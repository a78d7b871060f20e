"""The award-rule language (issue 12, item 4): every shape, checked against oracles
written by hand, and every way of writing a rule wrongly rejected with its line."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from mcreview.core.scoring import EARNED, INCOMPLETE, NOT_YET, evaluate
from mcreview.core.specs import SpecError, parse_spec
from mcreview.services.specfiles import load_spec_dir

NEW_SHAPE = Path(__file__).parent / "data" / "new-shape"
LEVELS = ("Exemplary", "Proficient", "Developing", "Not Yet")
ARTIFACTS = ("protocol", "notes", "plan", "follow-up")


@pytest.fixture(scope="module")
def four_level():
    specs, problems = load_spec_dir(NEW_SHAPE / "specs")
    assert problems == []
    return specs["data-conversations"]


def oracle_3_of_4(chosen: tuple[str | None, ...], context: str | None) -> str:
    """Written from the document's sentence, not from the evaluator: 'at least 3 of the
    4 Part 2 artifacts must be rated Proficient or above, none may be rated Not Yet,
    and Part 1 must receive a passing score.'"""
    good = sum(1 for level in chosen if level in ("Exemplary", "Proficient"))
    unrated = sum(1 for level in chosen if level is None)
    if "Not Yet" in chosen or context == "Not Yet":
        return NOT_YET  # a rule is already broken
    if good + unrated < 3:
        return NOT_YET  # 3 can no longer be reached
    if unrated or context is None:
        return INCOMPLETE
    return EARNED if good >= 3 else NOT_YET


def test_3_of_4_rule_against_the_oracle_over_every_combination(four_level):
    seen = {EARNED: 0, NOT_YET: 0, INCOMPLETE: 0}
    for chosen in itertools.product((None, *LEVELS), repeat=4):
        for context in (None, "Passing", "Not Yet"):
            levels = {cid: level for cid, level in zip(ARTIFACTS, chosen, strict=True) if level}
            if context:
                levels["context"] = context
            outcome = evaluate(four_level, levels)
            expected = oracle_3_of_4(chosen, context)
            assert outcome.status == expected, (chosen, context, outcome.reason(four_level))
            seen[expected] += 1
    assert sum(seen.values()) == 5**4 * 3
    assert all(seen.values())  # every outcome occurs


def test_3_of_4_explains_which_rule_decided(four_level):
    levels = {"context": "Passing", "protocol": "Exemplary", "notes": "Developing", "plan": "Developing"}
    levels["follow-up"] = "Proficient"
    outcome = evaluate(four_level, levels)
    assert outcome.status == NOT_YET
    (decided,) = outcome.decided_by
    assert decided.text == "Part 2: at least 3 of 4 scored components at Proficient or above"
    assert decided.why.startswith("2 of 4 at Proficient or above, 3 needed")
    assert decided.source == "document" and decided.quote.startswith("at least 3 of the 4")
    assert {cid for cid, _ in outcome.failing} == {"notes", "plan"}
    assert outcome.reason(four_level).startswith("Not earned: 2 of 4 at Proficient or above")
    none_rule = outcome.explanation[2]
    assert none_rule.text == "Part 2: no scored component at Not Yet" and none_rule.held is True


def test_none_not_yet_names_the_offender(four_level):
    levels = dict.fromkeys(ARTIFACTS, "Exemplary") | {"context": "Passing", "notes": "Not Yet"}
    outcome = evaluate(four_level, levels)
    assert outcome.status == NOT_YET
    assert outcome.failing == (("notes", "Not Yet"),)
    assert any("Artifact 2: Meeting notes is Not Yet" in r.why for r in outcome.decided_by)


# -- every shape, on a small spec ------------------------------------------------------------

BASE = """\
id: shapes
title: Shapes
version: "1"
source: shapes.txt
issuer: null
scales:
  four:
    levels: [A, B, C, D]
    passing: [A, B]
    descriptors: where-given
  pf:
    levels: [Pass, Fail]
    passing: [Pass]
    descriptors: where-given
parts:
  - number: 1
    title: One
    components:
      - {id: x, title: X, scale: pf, levels: {Pass: null, Fail: null}}
  - number: 2
    title: Two
    components:
      - {id: p, title: P, scale: four, levels: {A: null, B: null, C: null, D: null}}
      - {id: q, title: Q, scale: four, levels: {A: null, B: null, C: null, D: null}}
      - {id: r, title: R, scale: four, levels: {A: null, B: null, C: null, D: null}}
  - number: 3
    title: Three
    components:
      - {id: y, title: Y, scale: pf, levels: {Pass: null, Fail: null}}
      - {id: z, title: Z, response: optional}
award:
  statement: The rule.
  rules:
RULES
"""


def spec_with(rules: str):
    return parse_spec(BASE.replace("RULES\n", rules), "shapes.yaml")


def all_levels():
    """Every full assignment of levels (no unscored), as dicts."""
    choices = {"x": ("Pass", "Fail"), "y": ("Pass", "Fail"), "p": "ABCD", "q": "ABCD", "r": "ABCD"}
    keys = list(choices)
    for values in itertools.product(*(choices[k] for k in keys)):
        yield dict(zip(keys, values, strict=True))


SHAPES = [
    # (rules YAML, oracle over a full assignment)
    ("    - {component: p, need: [A], quote: q}\n", lambda v: v["p"] == "A"),
    ("    - {components: [p, q], at_or_above: B, quote: q}\n", lambda v: v["p"] in "AB" and v["q"] in "AB"),
    ("    - {part: 2, count: any, need: [A], quote: q}\n", lambda v: "A" in (v["p"], v["q"], v["r"])),
    ("    - {part: 2, count: none, at_or_below: C, quote: q}\n", lambda v: all(v[c] in "AB" for c in "pqr")),
    ("    - {part: 2, at_most: 1, need: [D], quote: q}\n", lambda v: [v[c] for c in "pqr"].count("D") <= 1),
    (
        "    - {part: 2, at_least: 1, at_most: 2, need: [A], quote: q}\n",
        lambda v: 1 <= [v[c] for c in "pqr"].count("A") <= 2,
    ),
    ("    - {parts: [1, 3], need: passing, quote: q}\n", lambda v: v["x"] == "Pass" and v["y"] == "Pass"),
    ("    - {need: passing, quote: q}\n", lambda v: all(v[c] in ("Pass", "A", "B") for c in v)),
    (
        "    - any_of:\n        - {part: 2, need: [A]}\n"
        "        - {part: 2, at_least: 2, need: [A]}\n      quote: q\n",
        lambda v: [v[c] for c in "pqr"].count("A") >= 2,
    ),
    (
        "    - all_of:\n        - {component: x, need: passing}\n        - {component: y, need: [Fail]}\n"
        "      quote: q\n",
        lambda v: v["x"] == "Pass" and v["y"] == "Fail",
    ),
]


@pytest.mark.parametrize(("rules", "oracle"), SHAPES, ids=[str(i) for i in range(len(SHAPES))])
def test_each_rule_shape_against_its_oracle(rules, oracle):
    spec = spec_with(rules)
    for levels in all_levels():
        expected = EARNED if oracle(levels) else NOT_YET
        assert evaluate(spec, levels).status == expected, (rules, levels)


def test_an_open_rule_is_incomplete_and_a_reachable_failure_is_not_decided_early():
    spec = spec_with("    - {part: 2, at_least: 2, need: [A], quote: q}\n")
    assert evaluate(spec, {"p": "A"}).status == INCOMPLETE
    assert evaluate(spec, {"p": "D", "q": "D"}).status == NOT_YET  # 2 can no longer be reached
    assert evaluate(spec, {"p": "A", "q": "A"}).status == EARNED  # r does not matter any more


def test_programme_rules_count_and_are_shown_as_the_programmes_own():
    spec = spec_with(
        "    - {part: 2, need: passing, quote: q}\n"
        "  programme_rules:\n    - {part: 1, need: passing, why: the document is silent}\n"
    )
    levels = {"x": "Fail", "y": "Pass", "p": "A", "q": "A", "r": "A"}
    outcome = evaluate(spec, levels)
    assert outcome.status == NOT_YET
    (decided,) = outcome.decided_by
    assert decided.source == "programme" and decided.programme
    assert decided.justification == "the document is silent"
    assert "the programme's own rule" in decided.source_label
    assert outcome.reason(spec).endswith("(the programme's own rule).")


def test_the_first_rule_language_still_means_what_it_meant():
    """`part:` + `need:` rules (and `need` left out: passing) behave exactly as before."""
    spec = spec_with("    - {part: 2, quote: q}\n    - {part: 1, need: passing, quote: q}\n")
    assert [(r.part, r.need) for r in spec.award_rules] == [(2, "passing"), (1, "passing")]
    outcome = evaluate(spec, {"x": "Pass", "p": "A", "q": "C"})
    assert outcome.status == NOT_YET
    assert outcome.parts == {1: "pass", 2: "fail"}
    assert outcome.failing == (("q", "C"),)


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ("    - {part: 9, quote: q}\n", "shapes.yaml:34: award rule names unknown part 9"),
        ("    - {component: nope, need: passing, quote: q}\n", "award rule names unknown component 'nope'"),
        ("    - {component: z, need: passing, quote: q}\n", "component 'z' has no scale"),
        ("    - {part: 2, need: [E], quote: q}\n", "needs 'E', not a level of component 'p'"),
        ("    - {part: 2, at_least: 4, need: [A], quote: q}\n", "at_least 4 but the rule selects only 3"),
        ("    - {part: 2, at_least: 2, at_most: 1, need: [A], quote: q}\n", "at_least 2 is above at_most 1"),
        ("    - {part: 2, count: all, at_least: 1, need: [A], quote: q}\n", "give 'count' or 'at_least'"),
        ("    - {part: 2, component: p, need: [A], quote: q}\n", "give one of component, components"),
        (
            "    - {part: 2, need: [A], at_or_above: B, quote: q}\n",
            "give one condition, not need and at_or_above",
        ),
        ("    - {part: 2, count: most, quote: q}\n", "'count' must be one of 'all', 'any' or 'none'"),
        ("    - {part: 2, present: false, quote: q}\n", "'present' can only be true"),
        ("    - {quote: q}\n", "says nothing"),
        ("    - {all_of: [], quote: q}\n", "'all_of' lists no rules"),
        ("    - {part: 2, all_of: [{part: 1}], quote: q}\n", "'all_of' takes no selector or count"),
        ("    - {part: 2, at_leest: 2, quote: q}\n", "unknown key 'at_leest' (did you mean 'at_least'?)"),
    ],
)
def test_rules_written_wrongly_are_rejected_with_their_line(rules, message):
    with pytest.raises(SpecError) as error:
        spec_with(rules)
    assert any(message in str(p) for p in error.value.problems), [str(p) for p in error.value.problems]
    assert all(str(p).startswith("shapes.yaml:") for p in error.value.problems)


def test_a_threshold_on_an_unordered_scale_is_refused():
    text = BASE.replace("    passing: [A, B]\n", "    passing: [A, B]\n    order: unordered\n")
    text = text.replace("RULES\n", "    - {part: 2, at_or_above: B, quote: q}\n")
    with pytest.raises(SpecError, match="is unordered; 'at_or_above' needs an order"):
        parse_spec(text, "shapes.yaml")


def test_worst_first_scales_rank_the_other_way():
    text = BASE.replace("    levels: [A, B, C, D]\n", "    levels: [D, C, B, A]\n    order: worst-first\n")
    spec = parse_spec(text.replace("RULES\n", "    - {part: 2, at_or_above: B, quote: q}\n"), "shapes.yaml")
    assert evaluate(spec, {"p": "A", "q": "B", "r": "B"}).status == EARNED
    assert evaluate(spec, {"p": "A", "q": "B", "r": "C"}).status == NOT_YET
