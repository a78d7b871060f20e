"""The five credential specs: they load, they say what the seed documents say, and a
spec file that is wrong says where."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mcreview.core.specs import SpecError, parse_spec, spec_from_body
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


def test_stored_bodies_rebuild_the_same_specs(specs):
    for spec in specs.values():
        again = spec_from_body(spec.body)
        assert again == spec
        assert again.content_hash == spec.content_hash


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
    assert spec.programme_rules == ()


def test_ppr_word_counts_are_a_guide(specs):
    """'Please use the suggested word count as a guide': guidance, never a broken limit."""
    spec = specs["positive-professional-relationships"]
    for cid in ("overview", "reflection"):
        limits = spec.component(cid).word_limits
        assert limits.guide and not limits.checked
        assert limits.verdict(10) is None
        check = limits.assess(" ".join(["word"] * 120))
        assert check.verdict is None and check.guidance == "under"
        assert "a guide, not a limit" in check.summary


def test_ppr_method_components_reach_every_component(specs):
    spec = specs["positive-professional-relationships"]
    for component in spec.components:
        titles = [r.id for r in spec.reference_for(component)]
        assert "method-components" in titles
    components = next(r for r in spec.reference if r.id == "method-components")
    assert len([line for line in components.text.splitlines() if ":" in line]) == 7
    case_study = [r.id for r in spec.reference_for(spec.component("case-study"))]
    assert "case-study" in case_study and "adult-learning-principles" in case_study
    sheet = spec.reference_sheet(spec.component("case-study"))
    headings = [heading for heading, _ in sheet]
    assert "Competency" in headings and "Key method" in headings
    assert any(heading.startswith("Spec notes") for heading in headings)
    assert any("not the document's words" in text for _, text in sheet)  # a note is labelled


def test_eln_specs_mark_the_programme_rules_apart(specs):
    """The ELN documents give no award sentence and no criteria for Parts 1 and 3."""
    for spec_id in ("building-internal-relationships", "building-personal-relationships"):
        spec = specs[spec_id]
        assert spec.award_quote is None
        assert spec.award_statement.startswith("The document states no award rule.")
        assert [(r.part, r.source) for r in spec.award_rules] == [(2, "document")]
        assert [(r.part, r.source) for r in spec.programme_rules] == [(1, "programme"), (3, "programme")]
        assert all(r.why for r in spec.programme_rules)
        assert spec.component("narrative").scale.programme
        assert spec.component("narrative").scale.why
        assert not spec.component("eo1").scale.programme
        assert spec.part(2).uploads is not None and spec.part(2).uploads.minimum == 1


def test_eln_specs_have_minimums_and_four_outcomes(specs):
    for spec_id in ("building-internal-relationships", "building-personal-relationships"):
        spec = specs[spec_id]
        assert spec.component("narrative").word_limits.minimum == 1000
        assert spec.component("narrative").word_limits.maximum is None
        assert spec.component("reflection").word_limits.minimum == 500
        assert [c.id for c in spec.part(2).components] == ["eo1", "eo2", "eo3", "eo4"]
        assert "compellingly demonstrate proficiency" in spec.component("eo1").levels["Proficient"]
        refs = spec.reference_for(spec.component("reflection"))
        assert [r.id for r in refs] == ["essential-outcomes"]


def test_fcr_review_is_judged_on_two_bounded_responses(specs):
    spec = specs["facilitating-collaborative-relationships"]
    review = spec.component("review")
    assert review.response == "none"
    assert [c.id for c in spec.evidence_for(review)] == ["review-1", "review-2"]
    assert spec.component("review-1").word_limits.minimum == 50
    assert spec.component("review-1").word_limits.maximum == 150
    assert spec.component("reflection").word_limits.minimum == 400
    assert not spec.component("do-artifacts").scored  # required but the seed gives no rubric


def test_fcr_answers_are_judged_under_the_review_rubric(specs):
    spec = specs["facilitating-collaborative-relationships"]
    assert spec.component("review-1").judged_under == "review"
    assert spec.component("review-2").judged_under == "review"
    assert spec.component("do-artifacts").judged_under is None
    sheet = spec.reference_sheet(spec.component("review-1"))
    assert sheet[0] == ("Judged under", "Artifact 2: Review: this response is scored with that rubric.")
    rpp = specs["reflective-practices-peer-support"]
    assert rpp.component("activity-evaluation").judged_under == "part1-evaluation"


def test_fcr_uploads_pieces_and_bullets(specs):
    spec = specs["facilitating-collaborative-relationships"]
    assert spec.component("design").uploads.minimum == 1
    assert spec.component("do-artifacts").uploads.minimum == 3
    assert spec.component("participant-feedback").pieces.minimum == 2
    limits = spec.component("review-1").word_limits
    three_bullets = "- First point here.\n- Second point here.\n- Third point here.\n"
    check = limits.assess(three_bullets)
    assert check.words < 50 and check.bullets == 3
    assert check.verdict is None and check.within_by == "bullets"  # no longer UNDER (item 6)
    assert limits.assess("Too short.").verdict == "under"
    assert limits.assess(" ".join(["word"] * 151)).verdict == "over"
    assert limits.range_verdict(20) == "under" and limits.range_verdict(151) == "over"
    levels = [r.id for r in spec.reference_for(spec.component("design"))]
    assert "nea-competency-levels" in levels and "leadership-plan-types" in levels


def test_rpp_limits_yes_no_and_the_six_lists(specs):
    spec = specs["reflective-practices-peer-support"]
    assert spec.component("activity-evaluation").word_limits.maximum == 250
    assert spec.component("reflection").word_limits.maximum == 300
    plan = spec.component("coaching-plan")
    assert plan.scale.levels == ("Yes", "No")
    assert plan.scale.passing == frozenset({"Yes"})
    lists = [r.id for r in spec.reference_for(plan)]
    assert lists[:6] == [
        "beliefs",
        "teaching-expertise",
        "coaching-skills",
        "relational-skills",
        "content-expertise",
        "leadership-skills",
    ]


# -- against the seed documents -----------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _quoted(line: str, seed: str) -> bool:
    """A line of the spec appears in the seed: the same letters and digits in order, with
    the seed's punctuation, bullets and PDF line breaks (and spaces the PDF lost, as in
    'WhoWe Are') ignored."""
    return _norm(line) in _norm(seed) or _norm(line).replace(" ", "") in _norm(seed).replace(" ", "")


def _seed(spec) -> str:
    return (SEEDS / spec.source).read_text(encoding="utf-8")


needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not beside the repo")


@needs_seeds
def test_descriptors_are_quoted_from_the_seeds(specs):
    """Every descriptor's words appear in the seed it was written from."""
    for spec in specs.values():
        seed = _seed(spec)
        for component in spec.components:
            for level, descriptor in component.levels.items():
                if descriptor is None:
                    continue
                for line in descriptor.splitlines():
                    assert _quoted(line, seed), (spec.id, component.id, level, line)


@needs_seeds
def test_award_statements_and_rule_quotes_are_the_documents_words(specs):
    for spec in specs.values():
        seed = _seed(spec)
        if spec.award_quote is not None:
            assert _quoted(spec.award_quote, seed), spec.id
        for rule in spec.award_rules:
            assert rule.quote and _quoted(rule.quote, seed), (spec.id, rule.quote)
        for rule in spec.programme_rules:
            assert rule.why and rule.programme, spec.id


@needs_seeds
def test_reference_material_uploads_and_pieces_are_quoted_from_the_seeds(specs):
    """Item 7: reference text is quoted, line by line, from the document; so are the
    words that require uploads and pieces."""
    for spec in specs.values():
        seed = _seed(spec)
        for item in spec.reference:
            for line in item.text.splitlines():
                assert _quoted(line, seed), (spec.id, item.id, line)
        for component in spec.components:
            for requirement in (component.uploads, component.pieces):
                if requirement is not None:
                    assert _quoted(requirement.text, seed), (spec.id, component.id)
        for part in spec.parts:
            if part.uploads is not None:
                assert _quoted(part.uploads.text, seed), (spec.id, part.number)


@needs_seeds
def test_word_limit_texts_are_the_documents_words(specs):
    for spec in specs.values():
        seed = _seed(spec)
        for component in spec.components:
            if component.word_limits is not None and component.word_limits.text:
                assert _quoted(component.word_limits.text, seed), (spec.id, component.id)


# -- a spec file that is wrong --------------------------------------------------------------


def check(tmp_path, text: str) -> list[str]:
    (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
    _, problems = load_spec_dir(tmp_path)
    return [str(p).replace(str(tmp_path) + "/", "") for p in problems]


MINIMAL = """\
id: demo
title: Demo
version: "1"
source: demo.txt
issuer: null
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
      quote: Pass part 1.
"""


def test_minimal_spec_is_clean(tmp_path):
    assert check(tmp_path, MINIMAL) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("scale: pf", "scale: nope"), "x.yaml:17: unknown scale 'nope'"),
        (
            ("descriptors: where-given", "descriptors: required"),
            "x.yaml:20: component 'a': level 'Not Yet' has no descriptor but scale 'pf' requires one",
        ),
        (("    - part: 1", "    - part: 7"), "x.yaml:24: award rule names unknown part 7"),
        (
            ("title: A\n", "title: A\n        word_limits: {min: 500, max: 300}\n"),
            "x.yaml:17: word limit min 500 is above max 300",
        ),
        (
            ("levels: [Passing, Not Yet]", "levels: [Yes, No]"),
            'x.yaml:8: scale \'pf\': a level read as true/false; quote it ("Yes", "No")',
        ),
        (("      quote: Pass part 1.\n", ""), "x.yaml:24: award rule 1: a document rule needs 'quote'"),
        (
            (
                "  rules:\n    - part: 1\n      need: passing\n      quote: Pass part 1.\n",
                "  rules: []\n  programme_rules:\n    - part: 1\n",
            ),
            "x.yaml:25: programme rule 1: a programme rule needs 'why'",
        ),
    ],
)
def test_spec_problems_name_file_and_line(tmp_path, change, expected):
    problems = check(tmp_path, MINIMAL.replace(*change))
    assert any(p.startswith(expected) for p in problems), problems


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # a misspelt key used to lose the limit silently
        (
            ("title: A\n", "title: A\n        word_limit: {min: 5}\n"),
            "x.yaml:17: component 'a': unknown key 'word_limit' (did you mean 'word_limits'?)",
        ),
        # an invented key used to do nothing
        (
            ("      need: passing\n", "      need: passing\n      at_lest: 3\n"),
            "x.yaml:26: award rule 1: unknown key 'at_lest' (did you mean 'at_least'?)",
        ),
        (
            ("title: Demo\n", "title: Demo\ncompetancy: x\n"),
            "x.yaml:3: unknown key 'competancy' (did you mean 'competency'?)",
        ),
        (
            ("    passing: [Passing]\n", "    passing: [Passing]\n    colour: red\n"),
            "x.yaml:10: scale 'pf': unknown key 'colour'",
        ),
        (
            ("title: One\n", "title: One\n    instuctions: x\n"),
            "x.yaml:14: part 1: unknown key 'instuctions' (did you mean 'instructions'?)",
        ),
    ],
)
def test_unknown_keys_are_errors_with_their_line(tmp_path, change, expected):
    assert expected in check(tmp_path, MINIMAL.replace(*change))


def test_a_close_unknown_key_names_the_key_meant_and_a_far_one_does_not(tmp_path):
    problems = check(tmp_path, MINIMAL.replace("title: A\n", "title: A\n        zebra: 1\n"))
    assert problems == ["x.yaml:17: component 'a': unknown key 'zebra'"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("title: A\n", "title: A\n        title: B\n"),
            "x.yaml:17: duplicate key 'title' (first on line 16",
        ),
        (
            ('version: "1"\n', 'version: "1"\nversion: "2"\n'),
            "x.yaml:4: duplicate key 'version' (first on line 3",
        ),
        (
            ("          Not Yet: null\n", "          Not Yet: null\n          Passing: Better\n"),
            "x.yaml:21: duplicate key 'Passing' (first on line 19",
        ),
    ],
)
def test_duplicate_keys_are_errors_with_both_lines(tmp_path, change, expected):
    problems = check(tmp_path, MINIMAL.replace(*change))
    assert any(p.startswith(expected) for p in problems), problems


def test_every_duplicate_key_is_reported(tmp_path):
    text = MINIMAL.replace("title: A\n", "title: A\n        title: B\n").replace(
        "source: demo.txt\n", "source: demo.txt\nsource: other.txt\n"
    )
    problems = check(tmp_path, text)
    assert [p.split(":")[1] for p in problems] == ["5", "18"], problems


@pytest.mark.parametrize(
    ("change", "line"),
    [
        # an unclosed quote swallows the next lines up to the next quote
        (("title: A\n", 'title: "A\n'), 16),
        # a missing colon: the parser notices only at the next key
        (("  pf:\n", "  pf\n"), 7),
        # an unclosed flow sequence
        (("levels: [Passing, Not Yet]", "levels: [Passing, Not Yet"), 8),
        (("      - id: a\n", "      - id: a\n     bad: indent\n"), 16),
    ],
)
def test_yaml_syntax_errors_point_at_the_mistake(tmp_path, change, line):
    """Item 5: a syntax error was reported where the parser gave up, up to ten lines
    after the mistake."""
    problems = check(tmp_path, MINIMAL.replace(*change))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"x.yaml:{line}: malformed YAML"), problems


def test_unclosed_quote_ten_lines_before_the_parser_notices(tmp_path):
    text = MINIMAL.replace("title: Demo\n", 'title: "Demo\n')
    (problem,) = check(tmp_path, text)
    assert problem.startswith("x.yaml:2: malformed YAML: the quoted text opened on line 2")


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
        "? [a, b]\n: 1\n",
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


def test_a_stored_spec_of_the_first_rule_language_still_reads():
    """Databases hold specs written before quotes, programme rules and uploads existed."""
    old = MINIMAL.replace("      quote: Pass part 1.\n", "").replace(
        'version: "1"\nsource: demo.txt\nissuer: null\n', ""
    )
    with pytest.raises(SpecError):
        parse_spec(old, "x.yaml")  # a spec file must now quote its document
    from mcreview.core.specs import _plain, canonical_json
    from mcreview.core.yamlio import load_yaml

    stored = spec_from_body(canonical_json(_plain(load_yaml(old))))
    assert [(r.part, r.need, r.source) for r in stored.award_rules] == [(1, "passing", "document")]
    assert stored.version == "1"


def test_the_ui_path_rebuilds_specs_without_pydantic_or_yaml(specs):
    import subprocess
    import sys

    body = specs["facilitating-collaborative-relationships"].body
    code = (
        "import sys, json; from mcreview.core.specs import spec_from_body;"
        " import mcreview.core.scoring;"
        " spec = spec_from_body(sys.stdin.read());"
        " bad = [m for m in ('pydantic', 'yaml') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], input=body, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_limit_on_pieces_of_a_response_is_checked_per_piece(specs):
    fcr = specs["facilitating-collaborative-relationships"]
    limits = fcr.component("do-artifacts").word_limits
    assert (limits.minimum, limits.maximum, limits.per) == (20, 50, "annotation")
    assert not limits.checked  # the whole response's count alone cannot tell
    assert limits.verdict(500) is None
    marked = "**Artifact 1.** " + " ".join(["word"] * 25) + "\n\n**Artifact 2.** too short here\n"
    check_ = limits.assess(marked)
    assert [(p.words, p.verdict) for p in check_.pieces] == [(27, None), (5, "under")]
    assert check_.verdict == "under"
    unmarked = limits.assess(" ".join(["word"] * 90))
    assert unmarked.pieces is None and not unmarked.checkable and unmarked.verdict is None
    assert "does not mark its pieces" in unmarked.summary
