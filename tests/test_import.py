"""Import: round trip, idempotence, conflicts, bad input, one transaction per batch."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLE_DIR, ppr_record, sql, sql_value, write_yaml

from mcreview.core.textsafe import visible_controls
from mcreview.services import importer
from mcreview.services.session import ReviewSession
from mcreview.store.transaction import Transaction


def test_round_trip(database, specs, tmp_path):
    record = ppr_record(
        attachments=[
            {"component": "action-plan", "path": "plan.pdf", "description": "The template"},
            {"component": "case-study", "url": "https://example.org/case", "description": "Link"},
        ]
    )
    record["responses"]["overview"] = 'Quotes "and" *Markdown*\n\n- a list\n- é ü 中文'
    path = write_yaml(tmp_path, "one.yaml", record)
    report = importer.import_paths(database, [path], specs)
    assert report.imported == ["PPR-T-001"] and report.ok
    state = ReviewSession(database, "reader").load("PPR-T-001")
    assert state.responses == record["responses"]
    assert state.submitted == "2026-10-01" and state.candidate == "C-10001"
    assert state.spec.content_hash == specs["positive-professional-relationships"].content_hash
    assert [(a.component_id, a.description) for a in state.attachments] == [
        ("action-plan", "The template"),
        ("case-study", "Link"),
    ]
    assert state.attachments[0].path == str(tmp_path / "plan.pdf")
    assert state.attachments[1].url == "https://example.org/case"
    events = sql(database, "SELECT action, submission_id FROM events")
    assert events == [("import", "PPR-T-001")]


def test_import_twice_adds_nothing(database, specs, tmp_path):
    path = write_yaml(tmp_path, "one.yaml", ppr_record())
    importer.import_paths(database, [path], specs)
    report = importer.import_paths(database, [path], specs)
    assert report.imported == [] and report.already_queued == ["PPR-T-001"] and report.ok
    assert sql_value(database, "SELECT count(*) FROM submissions") == 1
    assert sql_value(database, "SELECT count(*) FROM responses") == 4


def test_changed_content_is_a_conflict_and_not_overwritten(database, specs, tmp_path):
    importer.import_paths(database, [write_yaml(tmp_path, "a.yaml", ppr_record())], specs)
    changed = ppr_record()
    changed["responses"]["overview"] = "Something else entirely."
    path = write_yaml(tmp_path, "b.yaml", changed)
    report = importer.import_paths(database, [path], specs)
    assert not report.ok
    assert [str(c) for c in report.conflicts] == [
        f"{path}:1: conflict: 'PPR-T-001' attempt 1 is already queued with different content;"
        " not overwritten (a resubmission says attempt: 2)"
    ]
    body = sql_value(database, "SELECT body FROM responses WHERE component_id = 'overview'")
    assert body != "Something else entirely."


def test_later_spec_edit_does_not_change_queued_rubric(database, specs, tmp_path):
    importer.import_paths(database, [write_yaml(tmp_path, "a.yaml", ppr_record())], specs)
    original = specs["positive-professional-relationships"]
    from mcreview.core.specs import parse_spec

    edited = parse_spec(original.body.replace("Goals need to be measurable", "Goals may be vague"), "e")
    importer.import_paths(
        database,
        [write_yaml(tmp_path, "b.yaml", ppr_record("PPR-T-002"))],
        {**specs, original.id: edited},
    )
    first = ReviewSession(database, "reader").load("PPR-T-001").spec
    second = ReviewSession(database, "reader").load("PPR-T-002").spec
    assert "Goals need to be measurable" in first.component("action-plan").levels["Proficient"]
    assert "Goals may be vague" in second.component("action-plan").levels["Proficient"]
    assert sql_value(database, "SELECT count(*) FROM specs") == 2


BAD = [
    ("malformed.yaml", b"id: [unclosed\n", "malformed.yaml:1: malformed YAML: expected ',' or ']'"),
    ("empty.yaml", b"", "empty.yaml:0: empty file"),
    ("latin1.yaml", "id: caf\xe9\n".encode("latin-1"), "latin1.yaml:0: not UTF-8 (byte 7)"),
    ("unknown.yaml", None, "unknown.yaml:2: unknown credential 'no-such-credential'"),
    ("nopart.yaml", None, "nopart.yaml:5: missing Part 3 (Reflection): no response for reflection"),
    ("name.yaml", None, "name.yaml:4: 'candidate' must be a pseudonymous code such as C-40817"),
    ("list.yaml", b"- a\n- b\n", "list.yaml:1: a submission must be a mapping"),
    ("nodate.yaml", None, "nodate.yaml:3: 'submitted' must be a date (YYYY-MM-DD)"),
    ("stray.yaml", None, "stray.yaml:13: 'part-9' is not a response of credential"),
]


def bad_record(name: str) -> dict:
    record = ppr_record(f"BAD-{name.split('.')[0]}")
    if name == "unknown.yaml":
        record["credential"] = "no-such-credential"
    elif name == "nopart.yaml":
        del record["responses"]["reflection"]
    elif name == "name.yaml":
        record["candidate"] = "Dana Whitfield"
    elif name == "nodate.yaml":
        record["submitted"] = "last Tuesday"
    elif name == "stray.yaml":
        record["responses"]["part-9"] = "extra"
    return record


@pytest.mark.parametrize(("name", "content", "expected"), BAD)
def test_bad_input_is_rejected_with_one_line(database, specs, tmp_path, name, content, expected):
    good = write_yaml(tmp_path, "good.yaml", ppr_record("GOOD-1"))
    bad = tmp_path / name
    if content is None:
        write_yaml(tmp_path, name, bad_record(name))
    else:
        bad.write_bytes(content)
    report = importer.import_paths(database, [good, bad], specs)
    assert report.imported == ["GOOD-1"]  # the good part of the batch still goes through
    assert len(report.rejected) == 1
    line = str(report.rejected[0]).replace(str(tmp_path) + "/", "")
    assert line.startswith(expected), line
    assert "\n" not in line


def test_jsonl_bulk_load_with_a_bad_line(database, specs, tmp_path):
    lines = [json.dumps(ppr_record(f"J-{i}")) for i in range(5)]
    lines.insert(2, "{not json")
    (tmp_path / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = importer.import_paths(database, [tmp_path / "batch.jsonl"], specs)
    assert report.imported == [f"J-{i}" for i in range(5)]
    assert [p.line for p in report.rejected] == [3]
    assert report.rejected[0].message.startswith("malformed JSON")


def test_interrupted_import_keeps_whole_chunks_and_resumes(database, specs, tmp_path, monkeypatch):
    """Chunks commit one by one: a crash mid-chunk keeps the chunks before it whole,
    writes nothing of the chunk it was in, and a re-run queues exactly the rest."""
    paths = [write_yaml(tmp_path, f"{i:02}.yaml", ppr_record(f"I-{i:02}")) for i in range(7)]
    real_add = Transaction.add_submission

    def crash_on_sixth(tx, new, **kwargs):
        if new.id == "I-05":
            raise KeyboardInterrupt
        real_add(tx, new, **kwargs)

    monkeypatch.setattr(Transaction, "add_submission", crash_on_sixth)
    with pytest.raises(KeyboardInterrupt):
        importer.import_paths(database, paths, specs, chunk_size=3)
    queued = [row[0] for row in sql(database, "SELECT id FROM submissions ORDER BY id")]
    assert queued == ["I-00", "I-01", "I-02"]  # the first chunk, whole; nothing of the second
    for table in ("responses", "attempts", "events"):
        ids = {row[0] for row in sql(database, f"SELECT DISTINCT submission_id FROM {table}")}
        assert ids == set(queued), table
    monkeypatch.setattr(Transaction, "add_submission", real_add)
    report = importer.import_paths(database, paths, specs, chunk_size=3)
    assert report.already_queued == queued
    assert report.imported == ["I-03", "I-04", "I-05", "I-06"]
    assert sql_value(database, "SELECT count(*) FROM submissions") == 7


def test_sample_queue_imports_cleanly(database, specs):
    report = importer.import_paths(database, [SAMPLE_DIR], specs)
    assert report.rejected == [] and report.conflicts == []
    assert len(report.imported) >= 20
    credentials = {row[0] for row in sql(database, "SELECT DISTINCT credential FROM submissions")}
    assert credentials == set(specs)


# -- attachment paths stay inside the submission's folder (issue 10, item 10) -----------


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("../../etc/passwd", "leaves the submission's folder ('..')"),
        ("attachments/../../secret.txt", "leaves the submission's folder ('..')"),
        ("/etc/passwd", "is absolute: it must be relative to the submission's folder"),
        ("..\\..\\etc\\passwd", "holds a backslash (write paths with '/')"),
        ("plan.pdf\x00/../../etc/passwd", "holds a control character"),
        ("C:/Windows/win.ini", "names a drive: it must be relative to the submission's folder"),
    ],
)
def test_an_attachment_path_outside_the_folder_is_rejected_with_one_line(
    database, specs, tmp_path, monkeypatch, path, why
):
    record = ppr_record(attachments=[{"component": "action-plan", "path": path, "description": "x"}])
    file = write_yaml(tmp_path, "escape.yaml", record)
    probed: list[str] = []
    real_exists = importer.Path.exists

    def exists(self):
        probed.append(str(self))
        return real_exists(self)

    monkeypatch.setattr(importer.Path, "exists", exists)
    report = importer.import_paths(database, [file], specs)
    assert report.imported == []
    [problem] = [str(p) for p in report.rejected]
    assert problem.startswith(f"{file}:") and "\n" not in problem
    assert problem.endswith(f"attachment path '{visible_controls(path)}' {why}")
    assert not [p for p in probed if "passwd" in p or "secret" in p or "win.ini" in p]  # never looked at


def test_attachment_paths_inside_the_folder_still_import(database, specs, tmp_path):
    record = ppr_record(
        attachments=[
            {"component": "action-plan", "path": "attachments/plan.pdf", "description": "x"},
            {"component": "case-study", "path": "./notes..v2.txt", "description": "y"},
        ]
    )
    report = importer.import_paths(database, [write_yaml(tmp_path, "ok.yaml", record)], specs)
    assert report.imported == ["PPR-T-001"]


def test_a_yaml_file_too_large_for_any_submission_is_refused_unread(database, specs, tmp_path, monkeypatch):
    from mcreview.services import importer as importer_module

    monkeypatch.setattr(importer_module, "MAX_YAML_BYTES", 100_000)  # the real limit is 32 MB
    write_yaml(tmp_path, "small.yaml", ppr_record("PPR-T-001"))
    (tmp_path / "huge.yaml").write_text("id: PPR-T-002\nnotes: |\n" + "  x\n" * 50_000, encoding="utf-8")
    report = importer_module.import_paths(database, [tmp_path], specs)
    assert report.imported == ["PPR-T-001"]
    (problem,) = report.rejected
    assert problem.file.endswith("huge.yaml") and "a YAML submission may be at most" in problem.message
