"""mcreview.core.checks: word counts and identifying-information findings, plus their evaluation."""

from __future__ import annotations

import random
import string
import subprocess
import sys
from pathlib import Path

import identifier_eval
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mcreview.core.checks import (
    CASE_STUDY_NAMES,
    IDENTIFIER_LABELS,
    Finding,
    count_words,
    find_identifiers,
)

LABELLED = Path(__file__).resolve().parent / "data" / "identifiers.yaml"
MARKDOWN_IT_LIMIT = 32_000  # mirrors checks._MARKDOWN_IT_LIMIT: longer input takes the fast path

# --- word counts -----------------------------------------------------------------------

WORD_CASES = [
    ("", 0),
    ("   \n\t  \n", 0),
    ("Hello world", 2),
    ("# Heading one\n\nBody text here.", 5),
    ("## Goals\n\nSetext heading\n==============\n\nPara.", 4),
    # link text counts; the URL and the title do not
    ('Read [the article](https://www.edutopia.org/article/x "Title here") today.', 4),
    ("[**nested** link](http://x.y)", 2),
    ('Ref [link text][ref] here.\n\n[ref]: https://example.org "Title"', 4),
    # images: neither the alt text nor the URL is seen as prose
    ("![a photo of my class](images/class.png) Caption words.", 2),
    ('![img](a.png "title words") after', 1),
    # list markers, including ordered numbers, are not words
    ("- one\n- two\n  - nested three\n1. first\n2. second\n10) tenth", 7),
    ("* star item\n+ plus item", 4),
    ("1. 2. 3.", 0),
    ("> quoted text\n> more quote", 4),
    ("***\n---\n___", 0),
    # table cells count, pipes and the delimiter row do not
    ("| Week | Goal |\n|------|------|\n| 1 | Learn names |\n| 2 | Call home |", 8),
    # code spans and code blocks are text the reader sees; the fence info string is not
    ("Use `print(x)` here.\n\n```python\nfor i in range(3):\n    print(i)\n```\n", 11),
    ("~~~\ntilde fence\n~~~", 2),
    ("    indented code block\n    second line", 5),
    # contractions, hyphens, numbers
    ("Don't stop; it's fine.", 4),
    ("I don’t know, we’re sure.", 5),
    ("well-being and self-regulation", 3),
    ("Word - dash -- double — em ... ellipsis !!!", 5),
    ("In 2026 I wrote a 1,000-word essay in 3.5 hours.", 10),
    ("**well**-being", 1),
    ("**bold**-faced and _under_score snake_case_word", 7),
    # HTML tags and comments are not words; text between tags is
    ('<div>Some <b>html</b> text</div>\n\nAnd <span class="x">inline</span> html.', 6),
    ("<!-- a comment -->\nVisible.", 1),
    ("Text <br> more", 2),
    # a visible URL or email address is one word
    ("A bare https://example.org/a/b?c=d link and jane.doe@school.org email.", 7),
    ("Auto <https://example.org/page> link.", 3),
    ("Entities &amp; &copy; stay.", 2),
    ("Escaped \\*not emphasis\\* and don\\'t.", 5),
    ("Unicode naïve café résumé Привет мир", 6),
]


@pytest.mark.parametrize(("markdown", "expected"), WORD_CASES)
def test_count_words(markdown: str, expected: int) -> None:
    assert count_words(markdown) == expected


@pytest.mark.parametrize(("markdown", "expected"), WORD_CASES)
def test_large_input_path_counts_the_same(markdown: str, expected: int) -> None:
    """Past the markdown-it size limit the linear fast path must agree on these cases."""
    copies = MARKDOWN_IT_LIMIT // (len(markdown) + 2) + 2
    big = "\n\n".join([markdown] * copies)
    assert len(big) > MARKDOWN_IT_LIMIT
    assert count_words(big) == expected * copies


def test_word_count_matches_a_plain_count_for_prose() -> None:
    assert count_words(" ".join(["practice"] * 400)) == 400
    assert count_words("## Goals\n\n- " + " ".join(["practice"] * 200)) == 201


# --- identifiers: each kind, exact text and offsets -----------------------------------

KIND_CASES = [
    (
        "Please email dana.whitfield@mgusd.org before Friday.",
        Finding("email", 13, 37, "dana.whitfield@mgusd.org"),
    ),
    ("Call me at 555-123-4567 after school.", Finding("phone", 11, 23, "555-123-4567")),
    ("Call me at (555) 123-4567 after school.", Finding("phone", 11, 25, "(555) 123-4567")),
    ("Call me at +1 555 123 4567 after school.", Finding("phone", 11, 26, "+1 555 123 4567")),
    ("Our partners are on +44 20 7946 0958 in London.", Finding("phone", 20, 36, "+44 20 7946 0958")),
    ("We mailed it to 412 Elm Street last week.", Finding("street_address", 16, 30, "412 Elm Street")),
    ("My mentor, Mrs. Dana Whitfield, observed me.", Finding("titled_name", 11, 30, "Mrs. Dana Whitfield")),
    ("Dr. Okafor led the session.", Finding("titled_name", 0, 10, "Dr. Okafor")),
    ("Principal Ruiz visited.", Finding("titled_name", 0, 14, "Principal Ruiz")),
    ("I taught at Maple Grove Elementary for years.", Finding("school", 12, 34, "Maple Grove Elementary")),
    (
        "Families in Riverside Unified School District took the survey.",
        Finding("school", 12, 45, "Riverside Unified School District"),
    ),
    ("Follow me @MsKimTeaches for updates.", Finding("handle", 10, 23, "@MsKimTeaches")),
    (
        "My profile is https://www.linkedin.com/in/dana-whitfield.",
        Finding("url", 14, 56, "https://www.linkedin.com/in/dana-whitfield"),
    ),
    ("Yesterday Carlos Mendoza observed me.", Finding("name", 10, 24, "Carlos Mendoza")),
    ("I have taught in District 86 since 2019.", Finding("school", 17, 28, "District 86")),
]


@pytest.mark.parametrize(("text", "finding"), KIND_CASES, ids=[f.kind for _, f in KIND_CASES])
def test_each_kind_is_found_exactly(text: str, finding: Finding) -> None:
    assert find_identifiers(text) == [finding]
    assert text[finding.start : finding.end] == finding.text
    assert finding.kind in IDENTIFIER_LABELS


def test_several_findings_are_sorted_and_do_not_overlap() -> None:
    text = "See https://twitter.com/mrcho_teaches, or jo@example.org."
    assert find_identifiers(text) == [
        Finding("url", 4, 37, "https://twitter.com/mrcho_teaches"),
        Finding("email", 42, 56, "jo@example.org"),
    ]


def test_handle_inside_a_profile_url_is_one_url_finding() -> None:
    text = "Watch https://www.tiktok.com/@mrcho_teaches now."
    assert find_identifiers(text) == [Finding("url", 6, 43, "https://www.tiktok.com/@mrcho_teaches")]


def test_email_is_not_also_a_handle() -> None:
    assert [f.kind for f in find_identifiers("Write to sarah_kim88@gmail.com.")] == ["email"]


def test_case_study_characters_are_not_flagged() -> None:
    assert {"Anderson", "Benson"} == CASE_STUDY_NAMES
    text = (
        "In the case study, Ms. Anderson's student teacher struggles, while Mrs. Benson "
        "rarely gives feedback. The rubric names 'Ms. Anderson' and 'Mrs. Benson'."
    )
    assert find_identifiers(text) == []
    # Another person with a title next to them still is.
    assert [f.text for f in find_identifiers("Ms. Anderson reminded me of Mrs. Lee.")] == ["Mrs. Lee"]


CLEAN = [
    "Ms. and Mr. are titles; the principal and my mentor helped.",
    "I wrote this 1,000-word reflection during the 2024-2025 school year while teaching Grade 5.",
    "Our staff meeting runs from 3:15 to 4:30 p.m. in Room 214.",
    "On 10/14/2025 I read pp. 112-115 of the handbook, see p. 12.",
    "Each entry is dated, for example 2025-09-18, and timed at 10:05.",
    "I teach at a rural elementary school; our high school uses advisory.",
    "The middle school team used a 4-3-2-1 rubric for Unit 3, Lesson 7.",
    "Scores on the 400-1600 scale rose by 60 points; ISBN 978-1-4166-2990-7.",
    "I used Khan Academy videos and read https://www.edutopia.org/article/building-relationships.",
    "I watched https://www.youtube.com/watch?v=SFnMTHhKdkw with my team.",
    "We met @ 7:45 before school; the standard is CCSS.ELA-LITERACY.RL.5.2.",
    "The Elementary and Secondary Education Act shaped our plan.",
    "Middle School Math teachers share one planning period.",
]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_tricky_passages_produce_nothing(text: str) -> None:
    assert find_identifiers(text) == []


def test_labels_cover_every_kind() -> None:
    assert set(IDENTIFIER_LABELS) == {
        "email",
        "phone",
        "street_address",
        "titled_name",
        "school",
        "handle",
        "url",
        "name",
    }
    assert all(label and label == label.strip() for label in IDENTIFIER_LABELS.values())


# --- districts and schools named by a code (issue item 9) ------------------------------

DISTRICT_CODES = [
    ("Our district, District 86, adopted a new grading policy.", ["District 86"]),
    ("I joined USD 383 after three years in Colorado.", ["USD 383"]),
    ("The ISD #622 induction cohort met monthly.", ["ISD #622"]),
    ("SD38 teachers get two release days; SD-43 teachers get one.", ["SD38", "SD-43"]),
    ("Across CHSD 218 and CCSD 59 every freshman has an advisor.", ["CHSD 218", "CCSD 59"]),
    ("Independent School District 281 requires a portfolio.", ["Independent School District 281"]),
    ("School District No. 36 released new reporting guidelines.", ["School District No. 36"]),
    ("Cedar Hollow Unified School District No. 12 voted.", ["Cedar Hollow Unified School District No. 12"]),
    ("Our school is in CESA 6; my last one was in SAU 39 and RSU 22.", ["CESA 6", "SAU 39", "RSU 22"]),
    ("I presented at the Region 10 ESC and the AEA 267 institute.", ["Region 10 ESC", "AEA 267"]),
    ("I taught at P.S. 94 and J.H.S. 189 before moving to D214.", ["P.S. 94", "J.H.S. 189", "D214"]),
    ("I teach science in Poudre R-1, and my sister teaches in Eugene 4J.", ["Poudre R-1", "Eugene 4J"]),
]


@pytest.mark.parametrize(("text", "codes"), DISTRICT_CODES)
def test_districts_named_by_code_are_found(text: str, codes: list[str]) -> None:
    assert [(f.kind, f.text) for f in find_identifiers(text)] == [("school", c) for c in codes]


CLEAN_CODE_LIKE = [
    "Our district's three middle schools share one bus fleet. District-wide, it worked.",
    "Room D112 is the makerspace. The spread was small (M = 82, SD 6).",
    "Mean scores rose from 61.2 (SD = 9.4) to 70.8 (SD = 7.1).",
    "Congressional District 4 candidates spoke; the grant covered USD 2,400.",
    "Our ISD's calendar has two early-release days each month.",
    "Level R-1 texts and Unit 5 of Grade 4J are not districts.",
]


@pytest.mark.parametrize("text", CLEAN_CODE_LIKE)
def test_code_like_text_is_not_a_district(text: str) -> None:
    assert find_identifiers(text) == []


# --- names without a title, and a first name with an initial (issue item 9) -----------

UNTITLED_NAMES = [
    # first and last name, no title
    ("Last spring Carlos Mendoza and I co-taught the unit.", ["Carlos Mendoza"]),
    ("Samantha Reyes said the new routine saved ten minutes.", ["Samantha Reyes"]),
    ("The PLC (Samantha Reyes, Jorge Castillo and I) met weekly.", ["Samantha Reyes", "Jorge Castillo"]),
    ("Alejandro Ruiz's father asked for the syllabus in Spanish.", ["Alejandro Ruiz"]),
    ("Maria Elena Torres, our assistant principal, led the walk.", ["Maria Elena Torres"]),
    ("Our counselor, Rosa de la Fuente, joined the meeting.", ["Rosa de la Fuente"]),
    # a hyphenated given name; a soft line break inside a name
    ("I co-planned with Jean-Luc Moreau and Kwabena\nOwusu.", ["Jean-Luc Moreau", "Kwabena\nOwusu"]),
    # a given name that is also a word needs a listed surname after it
    ("We invited Joy Patterson from the district office.", ["Joy Patterson"]),
    ("Mark Sullivan coaches the debate team.", ["Mark Sullivan"]),
    # a first name in no list, with a role word before or an apposition after
    ("My mentor, Oyelaran Adekunle, filmed the lesson.", ["Oyelaran Adekunle"]),
    ("Observer: Thandiwe Mokoena. Focus: questioning.", ["Thandiwe Mokoena"]),
    ("I worked with Ngoc Anh Pham, a paraprofessional, on reading.", ["Ngoc Anh Pham"]),
    ("Zebulon Quaye (instructional coach) modelled the lesson.", ["Zebulon Quaye"]),
]

FIRST_NAME_INITIAL = [
    ("Destiny M. raised her hand for the first time in November.", ["Destiny M."]),
    ("I conferred with my student Eli K. about his question.", ["Eli K."]),
    ("Student: Kayla B. Goal: read for 20 minutes each night.", ["Kayla B."]),
    ("Hannah and her brother Caleb T. both joined the club.", ["Caleb T."]),
    ("Caleb T.'s reading log showed weekend reading only.", ["Caleb T."]),
    ("A student named Quetzali R. asked to present first.", ["Quetzali R."]),
]


@pytest.mark.parametrize(("text", "names"), UNTITLED_NAMES)
def test_untitled_names_are_found(text: str, names: list[str]) -> None:
    assert [(f.kind, f.text) for f in find_identifiers(text)] == [("name", n) for n in names]


@pytest.mark.parametrize(("text", "names"), FIRST_NAME_INITIAL)
def test_first_name_with_an_initial_is_found(text: str, names: list[str]) -> None:
    assert [(f.kind, f.text) for f in find_identifiers(text)] == [("name", n) for n in names]


CLEAN_NAME_LIKE = [
    # title-case phrases of the credentials and of school documents
    "Building Internal Relationships asks for Essential Outcome 2 and Part 2 evidence.",
    "Our Professional Learning Community and Building Leadership Team meet on Mondays.",
    "### Essential Outcome 3: Professional Conduct",
    "Learning Forward and the Hope Street Group shaped our plan.",
    "Summer Camp starts in June, and Winter Break begins on December 20.",
    "Grace Period rules for late work were posted in August.",
    "Virginia Department of Education guidance and the Georgia Milestones data.",
    "The Lincoln Center field trip and the Kennedy Center workshop were highlights.",
    "Student C and Student D missed the post-test; Group A read section one.",
    "Plan B was the library, Part B of the rubric is on family communication.",
    "Vitamin D came up in health, and Henry V in English.",
    "Between Ana and I, the lab took two days. Jordan asked to retake the quiz.",
    "I Do, We Do, You Do modelling and Think Pair Share helped the newcomers.",
    # published authors and public figures are not identifying
    "I read Hattie (2009) and Marzano (2007) before the feedback cycle.",
    "As Robert Marzano notes, students need to know the learning goal.",
    "Jennifer Serravallo's The Reading Strategies Book gave me goal cards.",
    "Culturally responsive teaching (Zaretta Hammond, 2015) frames my plan.",
    "Rafaela Montoya-Quist (2021) studied family engagement in rural districts.",
    "Martin Luther King Jr. and Cesar Chavez were the focus of our unit.",
    "Harry Potter and Percy Jackson were the most checked-out books.",
    # the case study
    "In the case study, Sarah Anderson is Ms. Anderson's student teacher.",
]


@pytest.mark.parametrize("text", CLEAN_NAME_LIKE)
def test_name_like_phrases_are_not_flagged(text: str) -> None:
    assert find_identifiers(text) == []


def test_a_first_name_alone_is_not_flagged() -> None:
    text = "Jaylen and Ana presented first; Destiny went last, and Jordan asked why."
    assert find_identifiers(text) == []


def test_a_titled_name_is_reported_once_as_titled() -> None:
    text = "Coach Danielle Brooks and Principal Maria Gonzalez visited."
    assert [(f.kind, f.text) for f in find_identifiers(text)] == [
        ("titled_name", "Coach Danielle Brooks"),
        ("titled_name", "Principal Maria Gonzalez"),
    ]


def _faker_loaded_after(statements: str) -> bool:
    code = f"import sys; {statements}; sys.exit(any(m.split('.')[0] == 'faker' for m in sys.modules))"
    root = Path(__file__).resolve().parent.parent
    return subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 1


def test_the_name_list_is_loaded_lazily() -> None:
    """Faker's data costs ~0.15 s to load; the UI's start-up and a plain import of the
    checks must not pay for it, only the first search for names does."""
    assert not _faker_loaded_after("import mcreview.tui.app")
    assert not _faker_loaded_after("import mcreview.core.checks, mcreview.core.prechecks")
    assert _faker_loaded_after("import mcreview.core.checks as c; c.find_identifiers('Maria Gonzalez')")


def test_without_the_name_list_the_check_still_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    from mcreview.core import checks, names

    empty = names.NameLists(frozenset(), frozenset(), frozenset())
    monkeypatch.setattr(checks, "name_lists", lambda: empty)
    checks._name_model.cache_clear()
    try:
        found = find_identifiers("My mentor, Keisha Okafor, visited District 86. Ms. Lee too.")
        assert [(f.kind, f.text) for f in found] == [
            ("name", "Keisha Okafor"),
            ("school", "District 86"),
            ("titled_name", "Ms. Lee"),
        ]
    finally:
        checks._name_model.cache_clear()


# --- the labelled set -------------------------------------------------------------------


def test_labelled_set_is_well_formed() -> None:
    passages = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))["passages"]
    assert len(passages) >= 60
    with_ids = [p for p in passages if p["expected"]]
    assert 0.35 <= len(with_ids) / len(passages) <= 0.65
    for passage in with_ids:
        for item in passage["expected"]:
            assert item["kind"] in IDENTIFIER_LABELS
            assert item["text"] in passage["text"]


def test_labelled_set_precision_and_recall() -> None:
    result = identifier_eval.evaluate(LABELLED)
    # Measured when written: precision 1.000, recall 1.000 over 130 passages (the
    # second batch of 41 was written after the first detector and scored 0.987 recall
    # before the personal-site URL rule was added).
    assert result["precision"] >= 0.9, result["errors"]
    assert result["recall"] >= 0.9, result["errors"]
    for kind, row in result["kinds"].items():
        assert row["expected"] > 0, kind
        assert row["precision"] >= 0.8 and row["recall"] >= 0.8, (kind, row)


def test_labelled_set_recall_on_the_new_classes() -> None:
    """Untitled names (with initials) and coded districts: each at 0.9 or better."""
    result = identifier_eval.evaluate(LABELLED)
    for kind in ("name", "school"):
        row = result["kinds"][kind]
        assert row["expected"] >= 15, kind
        assert row["precision"] >= 0.9 and row["recall"] >= 0.9, (kind, row, result["errors"])


def test_evaluate_counts_overlap_by_kind(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "passages": [
                    # found (overlapping, shorter than the label): a true positive
                    {
                        "text": "Ask Mrs. Dana Whitfield.",
                        "expected": [{"kind": "titled_name", "text": "Mrs. Dana Whitfield"}],
                    },
                    # labelled with the wrong kind: one miss and one false positive
                    {
                        "text": "Mail jo@example.org now.",
                        "expected": [{"kind": "handle", "text": "jo@example.org"}],
                    },
                    {"text": "Nothing here at 3:15.", "expected": []},
                ]
            }
        ),
        encoding="utf-8",
    )
    result = identifier_eval.evaluate(path)
    assert (result["tp"], result["fp"], result["fn"]) == (1, 1, 1)
    assert result["precision"] == pytest.approx(0.5)
    assert result["recall"] == pytest.approx(0.5)
    assert result["kinds"]["email"]["fp"] == 1
    assert result["kinds"]["handle"]["fn"] == 1


def test_eval_command_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert identifier_eval.main([str(LABELLED)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["kind", "expected", "found"]
    assert "overall (" in out and "precision" in out and "recall" in out
    assert identifier_eval.DEFAULT_PATH == LABELLED


def test_eval_command_reports_a_bad_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert identifier_eval.main([str(tmp_path / "missing.yaml")]) == 2
    assert "missing.yaml" in capsys.readouterr().err


def test_checks_module_does_not_import_textual() -> None:
    code = "import sys, mcreview.core.checks; sys.exit(any(m.startswith('textual') for m in sys.modules))"
    root = Path(__file__).resolve().parent.parent
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0


# --- properties and size ----------------------------------------------------------------

FRAGMENTS = [
    "Mrs. ",
    "Dr. Okafor",
    "Ms. Anderson",
    "Principal ",
    "Elementary",
    " High School",
    "@",
    "@handle",
    "jo@example.org",
    "https://",
    "www.",
    "twitter.com/",
    "x.com/@a",
    "(555) ",
    "555-123-4567",
    "+44 ",
    "1-",
    "412 Elm Street",
    "[",
    "](",
    ")",
    "![",
    "`",
    "```\n",
    "<!--",
    "-->",
    "<b>",
    "&amp;",
    "\\",
    "*",
    "_",
    "|",
    "\n",
    " ",
    "’",
    "'",
    "-",
    ".",
    ",",
    "1",
    # names without a title, initials, role cues and district codes
    "Maria ",
    "Gonzalez",
    "Jaylen R.",
    " R",
    "de la ",
    "Anne-",
    "O'",
    "Grace ",
    "Kim",
    "my mentor, ",
    ", the counselor",
    " (coach)",
    ", who teaches",
    " (2015)",
    "District ",
    "No. ",
    "#",
    "214",
    "SD-",
    "USD ",
    "P.S. ",
    "D21",
    "Weld R-",
    "4J",
    "ESC Region ",
    "Ab",
    "A",
    "É",
]
TEXTS = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=40).map("".join),
)


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_never_raises_and_findings_are_well_formed(text: str) -> None:
    words = count_words(text)
    assert isinstance(words, int) and words >= 0
    findings = find_identifiers(text)
    previous_end = 0
    for finding in findings:
        assert finding.kind in IDENTIFIER_LABELS
        assert 0 <= finding.start < finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.text
        assert finding.start >= previous_end  # sorted and non-overlapping
        previous_end = finding.end


REFLECTION = """## Reflection

When I started at Maple Grove Elementary in 2019, I did not yet see how much a **positive
relationship** with colleagues mattered. My mentor, Mrs. Dana Whitfield, greeted each
student at the door at 7:45. In the case study, Ms. Anderson does the same.

- I met with my PLC every Tuesday ([protocol](https://www.edutopia.org/article/x)).
- I kept a log of 1,000 words a week and reviewed it with Dr. Okafor.
- Families could text me at 555-123-4567.
- My student Eli K. read with Carlos Mendoza, as Hattie (2009) suggests, in District 86.

| Week | Goal |
|------|------|
| 1 | Learn every name |

"""


def test_one_megabyte_of_realistic_text() -> None:
    copies = 1_000_000 // len(REFLECTION) + 1
    big = REFLECTION * copies
    assert len(big) >= 1_000_000
    assert count_words(big) == count_words(REFLECTION) * copies
    per_copy = find_identifiers(REFLECTION)
    kinds = ["school", "titled_name", "titled_name", "phone", "name", "name", "school"]
    assert [f.kind for f in per_copy] == kinds
    assert len(find_identifiers(big)) == len(per_copy) * copies


ADVERSARIAL = {
    "brackets": "[" * 1_000_000,
    "short lines": "a\n" * 500_000,
    "unclosed comments": "<!--" * 250_000,
    "link openers": "[a](" * 250_000,
    "at signs": "a@" * 500_000,
    "titles": "Mrs. " * 200_000,
    "digits": "1 " * 500_000,
    "capitals": "Aa Bb Cc Dd " * 83_334,
    "url": "https://x.org/" + ")" * 1_000_000,
    # the untitled-name and district-code patterns
    "capital run": "A" * 1_000_000,
    "hyphenated capitals": "A-" * 500_000,
    "apostrophe capitals": "A'" * 500_000,
    "one long word": "M" + "a" * 1_000_000,
    "given names": "Maria " * 166_667,
    "full names": "Maria Gonzalez " * 66_667,
    "initials": "Maria R. " * 111_112,
    "particles": "Maria de la " * 83_334,
    "names across lines": "Maria\n" * 166_667,
    "appositions": "Xx Yy, the counselor " * 47_620,
    "role cues": "my mentor, Xx " * 71_429,
    "spaces after a name": "Maria" + " " * 1_000_000,
    "districts": "District 214 " * 76_924,
    "district acronyms": "SD-38 USD 259 ISD #709 D214 P.S. 321 " * 27_028,
    "place codes": "Weld R-" * 142_858,
    "random": "".join(random.Random(7).choices(string.printable + "’—é", k=1_000_000)),
}


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_one_megabyte_of_adversarial_text_returns(text: str) -> None:
    assert len(text) >= 1_000_000
    assert count_words(text) >= 0
    assert isinstance(find_identifiers(text), list)


def _lines_executed(text: str) -> int:
    """Python lines run inside mcreview.core.checks while finding identifiers in ``text``:
    a count of work done that does not depend on the machine's speed."""
    import mcreview.core.checks as checks_module

    source = checks_module.__file__
    count = 0

    def tracer(frame, event, arg):  # noqa: ANN001, ANN202 - sys.settrace protocol
        nonlocal count
        if frame.f_code.co_filename != source:
            return None
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        find_identifiers(text)
    finally:
        sys.settrace(None)
    return count


NAME_FRAGMENTS = FRAGMENTS[FRAGMENTS.index("Maria ") :] + [" ", " ", "\n", ",", ".", "Aa ", "Bb "]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(NAME_FRAGMENTS), min_size=1, max_size=12).map("".join))
def test_work_grows_linearly_with_hostile_input(unit: str) -> None:
    """Doubling a hostile text at most doubles the Python work done on it (plus a
    constant): no loop re-reads what it has read. The regular expressions are covered
    by the 1 MB cases above, which a pattern that backtracks could not finish."""
    find_identifiers("Maria Gonzalez")  # load the name lists outside the count
    copies = max(16, 4_000 // len(unit))
    once, twice = _lines_executed(unit * copies), _lines_executed(unit * (2 * copies))
    assert twice <= 2.2 * once + 400, (unit, once, twice)


def test_held_out_identifier_set_precision_and_recall():
    """A set written without reading the detector; never tuned against. Measured:
    precision 0.974, recall 0.950 (see docs/checks.md)."""
    from pathlib import Path

    from identifier_eval import evaluate

    result = evaluate(Path(__file__).parent / "data" / "identifiers_holdout.yaml")
    assert result["precision"] >= 0.9
    assert result["recall"] >= 0.9


def test_second_held_out_set_precision_and_recall() -> None:
    """Written and committed before the untitled-name and district-code detection
    existed; measured once when it was done: precision 1.000, recall 1.000 over 102
    passages (see docs/checks.md for why that is optimistic)."""
    result = identifier_eval.evaluate(LABELLED.parent / "identifiers_holdout2.yaml")
    assert result["precision"] >= 0.9, result["errors"]
    assert result["recall"] >= 0.9, result["errors"]
    for kind in ("name", "school"):
        assert result["kinds"][kind]["recall"] >= 0.9, (kind, result["errors"])


# --- the fast paths give what the plain patterns give ------------------------------------


@pytest.mark.parametrize(
    "text",
    ["1.5a", "a1.5b-c", "1.2.3", "1,000-word", "x.5b", "a-b-c", "a--b", "don't", "it’s", "1.5-a", "-a-", "",
     "snake_case", "é-a", "٣.٣a", "²x", "a’b — c… “d”", "1.5.7b 9,9 .5 5."],
)  # fmt: skip
def test_word_total_matches_word_pattern(text):
    from mcreview.core import checks

    assert checks._word_total(text) == len(checks._WORD.findall(text))


def test_word_total_matches_word_pattern_on_random_text():
    from mcreview.core import checks

    rng = random.Random(11)
    alphabet = "aZ09-'’.,_ é٣²\n–"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert checks._word_total(text) == len(checks._WORD.findall(text)), text


def test_phone_cue_sees_a_non_ascii_digit_first():
    # Arabic-Indic digits are digits too: the first cue must not be past the run's start.
    text = "Café ? ? call me: ٥٥٥-١٢٣-٤٥٦٧ then"
    assert [(f.kind, f.text) for f in find_identifiers(text)] == [("phone", "٥٥٥-١٢٣-٤٥٦٧")]
