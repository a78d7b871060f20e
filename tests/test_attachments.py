"""Attachment contents in the queue: stored at import under a size limit, read back from
any host, recorded as missing or too large otherwise; on both backends."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner
from conftest import SPECS_DIR, ppr_record, sql, sql_value, sql_write, write_yaml

from mcreview.cli import cli
from mcreview.services import importer, prechecks
from mcreview.services.attachments import media_type
from mcreview.services.library import SpecLibrary
from mcreview.services.session import ReviewError, ReviewSession

SID = "PPR-T-001"


def with_attachments(folder, sid: str = SID, **changes) -> dict:
    record = ppr_record(
        sid,
        attachments=[
            {"component": "action-plan", "path": "plan.pdf", "description": "The plan"},
            {"component": "case-study", "url": "https://example.org/case", "description": "A link"},
            {"component": "case-study", "path": "gone.docx", "description": "Never uploaded"},
            {"component": "reflection", "path": "video.mp4", "description": "Too big"},
        ],
        **changes,
    )
    return record


@pytest.fixture
def files(tmp_path):
    plan = b"%PDF-1.4\n" + bytes(range(256)) * 8  # binary, with NUL bytes; under 4096
    (tmp_path / "plan.pdf").write_bytes(plan)
    (tmp_path / "video.mp4").write_bytes(b"\x00" * 5000)
    return {"plan": plan}


def test_contents_are_stored_and_read_back(database, specs, tmp_path, files):
    path = write_yaml(tmp_path, "a.yaml", with_attachments(tmp_path))
    report = importer.import_paths(database, [path], specs, attachment_limit=4096)
    assert report.imported == [SID]
    state = ReviewSession(database, "reader").load(SID)
    assert [(a.seq, a.content_state, a.size) for a in state.attachments] == [
        (0, "stored", len(files["plan"])),
        (1, "link", None),
        (2, "missing", None),
        (3, "too-large", 5000),
    ]
    stored = state.attachments[0]
    assert stored.content_sha256 == hashlib.sha256(files["plan"]).hexdigest()
    assert stored.media_type == "application/pdf"
    content = ReviewSession(database, "ben").attachment_content(SID, seq=0)
    assert (
        content is not None and content.content == files["plan"] and content.media_type == "application/pdf"
    )
    for seq in (1, 2, 3):
        assert ReviewSession(database, "ben").attachment_content(SID, seq=seq) is None
    flags = [c.kind for c in prechecks.load_prechecks(database, SID)]
    assert flags.count("attachment_missing") == 1  # gone.docx; the too-large file is there


def test_one_copy_of_the_same_bytes_and_none_on_a_rerun(database, specs, tmp_path, files):
    paths = [write_yaml(tmp_path, f"{sid}.yaml", with_attachments(tmp_path, sid)) for sid in ("A-1", "A-2")]
    importer.import_paths(database, paths, specs, attachment_limit=4096)
    assert sql_value(database, "SELECT count(*) FROM attachment_contents") == 1
    stored_at = sql(database, "SELECT stored_at FROM attachment_contents")
    again = importer.import_paths(database, paths, specs, attachment_limit=4096)
    assert again.already_queued == ["A-1", "A-2"]
    assert sql(database, "SELECT stored_at FROM attachment_contents") == stored_at


def test_the_file_can_go_once_imported(database, specs, tmp_path, files):
    """Another host never had the file: recomputed pre-checks and the bytes do not need it."""
    importer.import_paths(database, [write_yaml(tmp_path, "a.yaml", with_attachments(tmp_path))], specs)
    before = [(c.kind, c.detail) for c in prechecks.load_prechecks(database, SID)]
    (tmp_path / "plan.pdf").unlink()
    prechecks.recompute_all(database, SpecLibrary())
    assert [(c.kind, c.detail) for c in prechecks.load_prechecks(database, SID)] == before
    assert ReviewSession(database, "ben").attachment_content(SID, seq=0).content == files["plan"]


def test_damaged_contents_are_refused(database, specs, tmp_path, files):
    importer.import_paths(database, [write_yaml(tmp_path, "a.yaml", with_attachments(tmp_path))], specs)
    sha = hashlib.sha256(files["plan"]).hexdigest()
    assert (
        sql_write(database, "UPDATE attachment_contents SET content = ? WHERE sha256 = ?", (b"x", sha)) == 1
    )
    with pytest.raises(ReviewError, match="damaged"):
        ReviewSession(database, "ben").attachment_content(SID, seq=0)


def test_the_limit_is_a_setting_of_the_import_command(db_target, tmp_path, files):
    write_yaml(tmp_path, "a.yaml", with_attachments(tmp_path))
    runner = CliRunner()
    base = ["--db", db_target, "--specs", str(SPECS_DIR), "import"]
    result = runner.invoke(cli, [*base, "--attachment-limit", "0", str(tmp_path / "a.yaml")])
    assert result.exit_code == 0, result.output
    refused = runner.invoke(cli, [*base, "--attachment-limit", "5000", str(tmp_path / "a.yaml")])
    assert refused.exit_code == 2 and "5000" in refused.output
    from mcreview.store import open_store

    store = open_store(db_target)
    try:
        states = sql(store, "SELECT seq, content_state, size FROM attachments ORDER BY seq")
        assert states == [
            (0, "too-large", len(files["plan"])),
            (1, "link", None),
            (2, "missing", None),
            (3, "too-large", 5000),
        ]
    finally:
        store.close()


def test_media_types_come_from_pythons_own_table():
    assert media_type("plan.PDF") == "application/pdf"
    assert media_type("notes.txt") == "text/plain"
    assert media_type("evidence.md") == "text/markdown"  # missing from Python's table before 3.13
    assert media_type("plan.yml") == "application/yaml"
    assert media_type("no-extension") == "application/octet-stream"


def test_a_link_out_of_the_submission_folder_is_refused_and_the_rest_imported(database, specs, tmp_path):
    """A symbolic link named as an attachment would copy any file the importing user can
    read (a key, a password file) into the queue, for every assessor to open."""
    secret = tmp_path / "elsewhere" / "id_ed25519"
    secret.parent.mkdir()
    secret.write_bytes(b"PRIVATE KEY")
    folder = tmp_path / "incoming"
    (folder / "files").mkdir(parents=True)
    (folder / "files" / "plan.txt").symlink_to(secret)
    (folder / "files" / "real.txt").write_text("the plan", encoding="utf-8")
    (folder / "files" / "alias.txt").symlink_to(folder / "files" / "real.txt")  # inside: fine
    bad = ppr_record("PPR-T-001", attachments=[{"component": "action-plan", "path": "files/plan.txt"}])
    good = ppr_record("PPR-T-002", attachments=[{"component": "action-plan", "path": "files/alias.txt"}])
    write_yaml(folder, "a.yaml", bad)
    write_yaml(folder, "b.yaml", good)
    report = importer.import_paths(database, [folder], specs)
    assert report.imported == ["PPR-T-002"]
    (problem,) = report.rejected
    assert problem.file.endswith("a.yaml")
    assert "'files/plan.txt' is a symbolic link that leads outside the submission's folder" in problem.message
    contents = [row[0] for row in sql(database, "SELECT content FROM attachment_contents")]
    assert [bytes(c) for c in contents] == [b"the plan"]
