"""docs/spec-format.md and the JSON Schema come from the format's one definition, its
examples are valid specs, and a credential of a new shape written from them works end to
end (issue 12, items 5 and 10)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO

from mcreview.cli import cli
from mcreview.core import spec_model
from mcreview.core.evidence import Evidence
from mcreview.core.scoring import EARNED, NOT_YET, evaluate
from mcreview.core.specs import parse_spec
from mcreview.services.session import ReviewSession
from mcreview.store.sqlite import open_sqlite

GUIDE = REPO / "docs" / "spec-format.md"
SCHEMA = REPO / "docs" / "spec.schema.json"
NEW_SHAPE = Path(__file__).parent / "data" / "new-shape"


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)


def test_the_key_tables_in_the_guide_are_generated_from_the_model():
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("<!-- keys:start -->\n", 1)[1].split("<!-- keys:end -->", 1)[0]
    assert section == spec_model.key_tables(), "run: mcreview specs schema --keys, and paste it"


def test_the_schema_file_is_the_models_schema():
    assert SCHEMA.read_text(encoding="utf-8") == spec_model.json_schema_text(), (
        "run: mcreview specs schema > docs/spec.schema.json"
    )


def test_specs_schema_command_prints_the_schema():
    result = CliRunner().invoke(cli, ["specs", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["$schema"].endswith("2020-12/schema")
    assert set(schema["required"]) >= {"id", "title", "version", "source", "scales", "parts", "award"}
    assert schema["additionalProperties"] is False  # unknown keys are errors for an editor too
    keys = CliRunner().invoke(cli, ["specs", "schema", "--keys"])
    assert keys.output == spec_model.key_tables()


def example_spec() -> str:
    (block,) = [b for b in yaml_blocks() if b.startswith("id: family-math-nights")]
    return block


def test_the_complete_example_in_the_guide_is_a_valid_spec():
    spec = parse_spec(example_spec(), "guide.yaml")
    assert spec.component("overview").word_limits.per == "question"
    assert spec.component("plan").uploads.minimum == 1
    assert [r.id for r in spec.reference_for(spec.component("plan"))] == ["principles"]


def rule_examples() -> list[str]:
    (block,) = [b for b in yaml_blocks() if b.startswith("# this part needs these levels")]
    return re.split(r"\n(?=# )", block.strip())


@pytest.mark.parametrize("example", rule_examples(), ids=lambda e: e.splitlines()[0][2:])
def test_every_rule_shape_in_the_guide_is_a_valid_rule(example):
    rule = "\n".join("    " + line for line in example.splitlines()[1:])
    text = example_spec().split("\naward:\n")[0] + (
        '\naward:\n  statement: "x"\n  rules:\n' + rule.replace('quote: "..."', 'quote: "x"') + "\n"
    )
    spec = parse_spec(text, "guide.yaml")
    assert len(spec.award_rules) == 1
    assert evaluate(spec, {}).status in ("incomplete", "not_yet")


def test_a_credential_of_a_new_shape_end_to_end(tmp_path):
    """Four levels, a count rule, a per-question maximum and an upload, written from the
    guide alone: checked, imported, pre-checked, scored and decided."""
    specs_dir = NEW_SHAPE / "specs"
    db = tmp_path / "queue.db"
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(
            cli,
            ["--db", str(db), "--specs", str(specs_dir), "--assessor", "ana", *args],
            catch_exceptions=False,
        )

    checked = run("specs", "check")
    assert checked.exit_code == 0 and checked.output.startswith("1 specs OK: data-conversations")
    imported = run("import", str(NEW_SHAPE / "submissions"))
    assert imported.exit_code == 0, imported.output
    findings = run("checks", "DC-2026-001").output.splitlines()
    assert findings == [
        "Context questions: question 3 (What changed in your teaching after the last …): "
        "160 words, maximum 150 (150 words maximum per question)"
    ]

    database = open_sqlite(db)
    state = ReviewSession(database, "reader").load("DC-2026-001")
    spec = state.spec
    levels = {"context": "Passing", "protocol": "Exemplary", "notes": "Proficient", "plan": "Developing"}
    levels["follow-up"] = "Proficient"
    for cid, level in levels.items():
        ReviewSession(database, "ana").set_level("DC-2026-001", component_id=cid, level=level)
    state = ReviewSession(database, "reader").load("DC-2026-001")
    attachments = [
        (a.component_id, a.path, True) if a.path else (a.component_id, None, True) for a in state.attachments
    ]
    evidence = Evidence.of(state.responses, attachments)
    outcome = evaluate(spec, state.levels, evidence=evidence)
    assert outcome.status == EARNED  # 3 of 4 at Proficient or above, none Not Yet, Part 1 passing
    assert [r.verdict for r in outcome.explanation] == ["holds", "holds", "holds", "holds"]
    assert ReviewSession(database, "ana").decide("DC-2026-001", comment="") == EARNED

    no_upload = Evidence.of(state.responses, [])
    assert evaluate(spec, state.levels, evidence=no_upload).reason(spec) == (
        "Not earned: Artifact 4: Follow-up evidence: no upload."
    )
    worse = {**state.levels, "notes": "Developing"}
    assert evaluate(spec, worse, evidence=evidence).status == NOT_YET
    database.close()


def test_the_new_shape_quotes_its_document():
    spec_text = (NEW_SHAPE / "specs" / "data-conversations.yaml").read_text(encoding="utf-8")
    document = " ".join((NEW_SHAPE / "document.txt").read_text(encoding="utf-8").split())
    spec = parse_spec(spec_text, "x.yaml")
    for quote in [spec.award_quote, *(r.quote for r in spec.award_rules)]:
        assert quote in document
    record = yaml.safe_load((NEW_SHAPE / "submissions" / "dc-001.yaml").read_text(encoding="utf-8"))
    assert set(record["responses"]) == {c.id for c in spec.components}
