"""Pre-checks for what the revised specs require (issue 12, items 2 and 6): uploads,
pieces, bullet points, per-piece limits and guides."""

from __future__ import annotations

from conftest import words

from mcreview.core.pieces import bullet_count, split_pieces
from mcreview.core.prechecks import compute_prechecks, flags_of

FCR = "facilitating-collaborative-relationships"


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


FCR_FILES = [
    ("design", "design.docx", True),
    ("do-artifacts", "a.pdf", True),
    ("do-artifacts", "b.pdf", True),
    ("do-artifacts", None, True),  # a link
]


def kinds(found) -> list[tuple[str, str]]:
    return sorted((c.component_id, c.kind) for c in found if c.kind != "identifier")


def test_a_complete_fcr_submission_has_no_findings(specs):
    assert kinds(compute_prechecks(specs[FCR], fcr_responses(), FCR_FILES)) == []


def test_a_submission_with_no_attachment_at_all_is_flagged(specs):
    found = compute_prechecks(specs[FCR], fcr_responses(), [])
    assert kinds(found) == [("design", "uploads_missing"), ("do-artifacts", "uploads_missing")]
    assert flags_of(found) == "M"
    detail = next(c.detail for c in found if c.component_id == "do-artifacts")
    assert detail.startswith(
        "Artifact 4: Do (part 1): 0 of 3 required upload(s) (Upload 3 different artifacts"
    )


def test_eln_portfolio_upload_is_required_once_for_the_part(specs):
    spec = specs["building-personal-relationships"]
    responses = {"narrative": words(1100), "reflection": words(600)} | {
        f"eo{n}": words(100) for n in (1, 2, 3, 4)
    }
    found = compute_prechecks(spec, responses, [])
    assert kinds(found) == [("eo1", "uploads_missing")]
    assert found[0].detail.startswith("Part 2 (Skill Demonstration Product with Self-Analysis): no upload")
    assert compute_prechecks(spec, responses, [("eo3", "portfolio.pdf", True)]) == []
    missing_file = compute_prechecks(spec, responses, [("eo3", "portfolio.pdf", False)])
    assert kinds(missing_file) == [("eo1", "uploads_missing"), ("eo3", "attachment_missing")]


def test_review_answers_in_3_to_5_bullet_points_are_within_the_limit(specs):
    bullets = "- I will ask.\n- I will listen.\n- I will share what I learn.\n"
    responses = fcr_responses() | {"review-1": bullets}
    assert kinds(compute_prechecks(specs[FCR], responses, FCR_FILES)) == []
    short = fcr_responses() | {"review-1": "Too short, and no bullet points."}
    found = compute_prechecks(specs[FCR], short, FCR_FILES)
    assert kinds(found) == [("review-1", "under_limit")]
    assert "6 words and 0 bullet points, minimum 50" in found[0].detail


def test_each_marked_annotation_is_checked_and_an_unmarked_response_is_shown(specs):
    annotations = "1. Sign-up sheet.\n2. " + words(30) + "\n3. " + words(60) + "\n"
    found = compute_prechecks(specs[FCR], fcr_responses() | {"do-artifacts": annotations}, FCR_FILES)
    assert kinds(found) == [("do-artifacts", "piece_over_limit"), ("do-artifacts", "piece_under_limit")]
    assert flags_of(found) == "W"
    unmarked = compute_prechecks(specs[FCR], fcr_responses() | {"do-artifacts": words(90)}, FCR_FILES)
    assert kinds(unmarked) == [("do-artifacts", "pieces_unmarked")]
    assert flags_of(unmarked) == ""  # shown beside the response, no queue flag


def test_feedback_from_one_stakeholder_is_flagged(specs):
    one = "**Teacher (grade 3)**\n\n- It was fun.\n- We met.\n- I learned.\n"
    found = compute_prechecks(specs[FCR], fcr_responses() | {"participant-feedback": one}, FCR_FILES)
    assert kinds(found) == [("participant-feedback", "too_few_pieces")]
    assert "1 stakeholder piece(s) marked, at least 2 asked" in found[0].detail


def test_ppr_guide_is_guidance_not_a_flag(specs):
    spec = specs["positive-professional-relationships"]
    responses = {"overview": words(600), "action-plan": words(100), "case-study": words(100)}
    responses["reflection"] = words(400)
    found = compute_prechecks(spec, responses, [])
    assert kinds(found) == [("overview", "over_guide")]
    assert flags_of(found) == ""


def test_pieces_are_headings_then_bold_paragraphs_then_list_items():
    headed = "Intro line.\n\n## Q1\n\nOne two.\n\n## Q2\n\n- a\n- b\n"
    assert [(p.label, p.text.split()) for p in split_pieces(headed)] == [
        ("Q1", ["One", "two."]),
        ("Q2", ["-", "a", "-", "b"]),
    ]
    bold = "Intro.\n\n**First.** one\n\n- sub\n\n**Second.** two\n"
    assert [p.label for p in split_pieces(bold)] == ["First. one", "Second. two"]
    listed = "Intro:\n\n1. one\n   more\n2. two\n   - nested\n\nAfter the list.\n"
    assert [p.text.split()[1] for p in split_pieces(listed)] == ["one", "two"]
    assert bullet_count(listed) == 2
    fenced = "```\n# not a heading\n- not an item\n```\nplain text\n"
    assert split_pieces(fenced) == [] and bullet_count(fenced) == 0
    assert split_pieces("Just a paragraph.") == []
