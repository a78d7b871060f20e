"""The five credential specs: they load, and they say what the seed documents say."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcreview.core.specs import parse_spec
from mcreview.services.specfiles import load_spec_dir

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


def test_all_five_specs_load(specs):
    assert sorted(specs) == [
        "building-internal-relationships",
        "building-personal-relationships",
        "facilitating-collaborative-relationships",
        "positive-professional-relationships",
        "reflective-practices-peer-support",
    ]


def test_ppr_limits_descriptors_and_award(specs):
    spec = specs["positive-professional-relationships"]
    overview = spec.component("overview")
    assert (overview.word_limits.minimum, overview.word_limits.maximum) == (350, 500)
    assert overview.levels["Passing"].startswith("Responses completely answer each question")
    assert overview.levels["Not Yet"] is None  # the seed is silent
    action_plan = spec.component("action-plan")
    assert action_plan.scale.levels == ("Proficient", "Basic", "Developing")
    assert "Goals need to be measurable" in action_plan.levels["Proficient"]
    assert "Incomplete action plan" in action_plan.levels["Developing"]
    assert "Mrs. Benson" in spec.component("case-study").levels["Developing"]
    assert "proficient for all components in Part 2" in spec.award_statement
    assert [(r.part, r.need) for r in spec.award_rules] == [
        (1, "passing"),
        (2, ("Proficient",)),
        (3, "passing"),
    ]


def test_eln_specs_have_minimums_and_four_outcomes(specs):
    for spec_id in ("building-internal-relationships", "building-personal-relationships"):
        spec = specs[spec_id]
        assert spec.component("narrative").word_limits.minimum == 1000
        assert spec.component("narrative").word_limits.maximum is None
        assert spec.component("reflection").word_limits.minimum == 500
        assert [c.id for c in spec.part(2).components] == ["eo1", "eo2", "eo3", "eo4"]
        assert "compellingly demonstrate proficiency" in spec.component("eo1").levels["Proficient"]


def test_fcr_review_is_judged_on_two_bounded_responses(specs):
    spec = specs["facilitating-collaborative-relationships"]
    review = spec.component("review")
    assert review.response == "none"
    assert [c.id for c in spec.evidence_for(review)] == ["review-1", "review-2"]
    assert spec.component("review-1").word_limits.minimum == 50
    assert spec.component("review-1").word_limits.maximum == 150
    assert spec.component("reflection").word_limits.minimum == 400
    assert not spec.component("do-artifacts").scored  # required but the seed gives no rubric


def test_rpp_limits_and_yes_no(specs):
    spec = specs["reflective-practices-peer-support"]
    assert spec.component("activity-evaluation").word_limits.maximum == 250
    assert spec.component("reflection").word_limits.maximum == 300
    plan = spec.component("coaching-plan")
    assert plan.scale.levels == ("Yes", "No")
    assert plan.scale.passing == frozenset({"Yes"})


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not beside the repo")
def test_descriptors_are_quoted_from_the_seeds(specs):
    """Every descriptor's words appear in the seed it was written from."""
    import re

    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()

    for spec in specs.values():
        seed = norm((SEEDS / spec.source).read_text(encoding="utf-8"))
        for component in spec.components:
            for level, descriptor in component.levels.items():
                if descriptor is None:
                    continue
                for line in descriptor.splitlines():
                    assert norm(line) in seed, (spec.id, component.id, level, line)


def check(tmp_path, text: str) -> list[str]:
    (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
    _, problems = load_spec_dir(tmp_path)
    return [str(p).replace(str(tmp_path) + "/", "") for p in problems]


MINIMAL = """\
id: demo
title: Demo
scales:
  pf:
    levels: [Passing, Not Yet]
    passing: [Passing]
    descriptors: where-given
parts:
  - number: 1
    title: One
    components:
      - id: a
        title: A
        scale: pf
        levels:
          Passing: Good
          Not Yet: null
award:
  statement: Pass part 1.
  rules:
    - part: 1
      need: passing
"""


def test_minimal_spec_is_clean(tmp_path):
    assert check(tmp_path, MINIMAL) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("scale: pf", "scale: nope"), "x.yaml:14: unknown scale 'nope'"),
        (
            ("descriptors: where-given", "descriptors: required"),
            "x.yaml:17: component 'a': level 'Not Yet' has no descriptor but scale 'pf' requires one",
        ),
        (("    - part: 1", "    - part: 7"), "x.yaml:21: award rule names unknown part 7"),
        (
            ("title: A\n", "title: A\n        word_limits: {min: 500, max: 300}\n"),
            "x.yaml:14: word limit min 500 is above max 300",
        ),
        (
            ("levels: [Passing, Not Yet]", "levels: [Yes, No]"),
            'x.yaml:5: scale \'pf\': a level read as true/false; quote it ("Yes", "No")',
        ),
    ],
)
def test_spec_problems_name_file_and_line(tmp_path, change, expected):
    assert expected in check(tmp_path, MINIMAL.replace(*change))


def test_duplicate_component_ids(tmp_path):
    text = MINIMAL.replace(
        "award:",
        "  - number: 2\n    title: Two\n    components:\n"
        "      - id: a\n        title: Again\n        response: required\naward:",
    )
    problems = check(tmp_path, text)
    assert any("duplicate component id 'a'" in p for p in problems), problems


def test_duplicate_spec_ids_across_files(tmp_path):
    (tmp_path / "y.yaml").write_text(MINIMAL, encoding="utf-8")
    problems = check(tmp_path, MINIMAL)
    assert any("duplicate spec id 'demo'" in p for p in problems)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n",
        "- just\n- a list\n",
        "id: [unclosed\n",
        "!!python/object:os.system {}\n",
        "id: demo\nparts: 5\n",
        "\x00\x01",
        "a: &x [*x]\n",
        "[" * 5000,
    ],
)
def test_garbage_gives_lines_not_tracebacks(tmp_path, text):
    problems = check(tmp_path, text)
    assert problems
    assert all(p.startswith("x.yaml:") for p in problems)


def test_spec_hash_changes_with_content():
    a = parse_spec(MINIMAL, "a.yaml")
    b = parse_spec(MINIMAL.replace("Passing: Good", "Passing: Better"), "b.yaml")
    assert a.content_hash != b.content_hash
    assert parse_spec(a.body, "stored").content_hash == a.content_hash


def test_a_limit_on_pieces_of_a_response_is_shown_not_checked(specs):
    limits = specs["facilitating-collaborative-relationships"].component("do-artifacts").word_limits
    assert (limits.minimum, limits.maximum, limits.per) == (20, 50, "annotation")
    assert not limits.checked
    assert limits.verdict(500) is None
    review_limits = specs["facilitating-collaborative-relationships"].component("review-1").word_limits
    assert review_limits.verdict(20) == "under" and review_limits.verdict(151) == "over"
