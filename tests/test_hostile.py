"""Hostile and broken input never crashes anything (property-based, bounded examples).

Every failure must come back as one line naming the file and place; terminal escape
sequences in a response are shown as text, never sent to the assessor's terminal.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import string

import pytest
from click.testing import CliRunner
from conftest import SPECS_DIR, ppr_record, write_yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.markdown import Markdown

from mcreview.cli import cli
from mcreview.core.specs import SpecError, parse_spec
from mcreview.core.textsafe import visible_controls
from mcreview.services import importer
from mcreview.services.specfiles import load_spec_dir
from mcreview.store import open_store
from mcreview.tui.app import build_app
from mcreview.tui.screens.highlight import HighlightWords

PROBLEM_LINE = re.compile(r"^[^\n]+:\d+: [^\n]+$")
SPEC_TEXT = (SPECS_DIR / "positive-professional-relationships.yaml").read_text(encoding="utf-8")
BOUNDED = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
nasty_text = st.lists(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)
    | st.sampled_from(
        ["\x1b[2J", "\x1b]0;x\x07", "\x9b", "\u202e", "\u0301", "[bold]", "**", "#", "> ", "- ", "|"]
    ),
    max_size=30,
).map("".join)


@pytest.fixture(scope="module")
def specs():
    loaded, problems = load_spec_dir(SPECS_DIR)
    assert problems == []
    return loaded


def assert_one_line_problems(problems) -> None:
    for problem in problems:
        assert PROBLEM_LINE.match(str(problem)), repr(str(problem))


@BOUNDED
@given(st.text(max_size=400))
def test_any_text_as_a_spec(text):
    try:
        parse_spec(text, "x.yaml")
    except SpecError as error:
        assert error.problems
        assert_one_line_problems(error.problems)


@BOUNDED
@given(st.data())
def test_mutated_real_spec(data):
    lines = SPEC_TEXT.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["drop", "dup", "garble", "dedent"]))
        if action == "drop":
            del lines[index]
        elif action == "dup":
            lines.insert(index, lines[index])
        elif action == "garble":
            lines[index] = data.draw(st.text(alphabet=string.printable, max_size=30))
        else:
            lines[index] = lines[index].lstrip()
        if not lines:
            lines = [""]
    try:
        parse_spec("\n".join(lines), "x.yaml")
    except SpecError as error:
        assert_one_line_problems(error.problems)


@BOUNDED
@given(record=json_values)
def test_any_json_record_as_a_submission(specs, record):
    try:
        importer.parse_submission(record, specs, "s.jsonl:1", "/tmp", 1)
    except importer.SubmissionError as error:
        assert "\n" not in error.message and error.line >= 1


@BOUNDED
@given(st.data())
def test_mutated_submissions_in_a_jsonl_batch(specs, tmp_path_factory, data):
    lines = []
    for i in range(3):
        record = ppr_record(f"H-{i}")
        key = data.draw(st.sampled_from(["id", "credential", "submitted", "candidate", "responses", "extra"]))
        record[key] = data.draw(json_values)
        lines.append(json.dumps(record))
    lines.append(data.draw(st.text(max_size=60)).replace("\n", " "))
    path = tmp_path_factory.mktemp("jsonl") / "batch.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    good, problems = importer.read_submissions([path], specs)
    assert len(good) + len(problems) <= 4
    assert_one_line_problems(problems)


@BOUNDED
@given(nasty_text)
def test_responses_never_reach_the_terminal_as_control_codes(text):
    safe = visible_controls(text)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", safe)
    console = Console(file=io.StringIO(), width=60, color_system=None, force_terminal=False)
    console.print(HighlightWords(Markdown(safe, hyperlinks=False), [safe[:5]]))
    output = console.file.getvalue()
    assert "\x1b" not in output and "\x9b" not in output


def test_import_cli_on_garbage_files(tmp_path):
    (tmp_path / "binary.yaml").write_bytes(bytes(range(256)))
    (tmp_path / "deep.yaml").write_text("a: " + "[" * 20000, encoding="utf-8")
    (tmp_path / "alias.yaml").write_text("a: &a [*a, *a]\nb: *a\n", encoding="utf-8")
    (tmp_path / "huge-line.jsonl").write_text("{" * 100000 + "\n", encoding="utf-8")
    write_yaml(tmp_path, "good.yaml", ppr_record())
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "q.db"), "--specs", str(SPECS_DIR), "import", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    rejected = [line for line in result.output.splitlines() if line.startswith("rejected: ")]
    assert len(rejected) == 4
    for line in rejected:
        assert PROBLEM_LINE.match(line.removeprefix("rejected: ")), line
    assert result.output.splitlines()[-1] == "1 imported, 0 already queued, 0 conflicts, 4 rejected"


async def test_review_screen_survives_huge_nested_and_bidi_responses(tmp_path, db_target, specs):
    record = ppr_record()
    record["responses"]["overview"] = ("lorem ipsum dolor " * 60 + "\n\n") * 900  # about 1 MB
    record["responses"]["action-plan"] = (
        "> " * 300 + "deep\n\n" + "".join("  " * i + "- x\n" for i in range(200))
    )
    record["responses"]["case-study"] = "\u202eRTL override\u202c שלום עולם e\u0301\u0301\u0301 \x1b[31mred"
    path = db_target
    database = open_store(path)
    report = importer.import_paths(database, [write_yaml(tmp_path, "a.yaml", record)], specs)
    assert report.imported == ["PPR-T-001"]
    database.close()
    app = build_app(path, "ana", dt.date(2026, 11, 23))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.press("pagedown", "tab", "pagedown", "tab")
        screen = app.screen
        assert screen.component.id == "case-study"
        await pilot.press("1")
        assert screen.state.levels == {"case-study": "Proficient"}
