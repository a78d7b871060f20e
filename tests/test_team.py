"""Several assessors on one queue: claims, leases, the audit trail and its replay.

The stress test runs real OS processes against one database file, the way a team
logged in over SSH does, and then proves from the event log that claims kept
every submission to one assessor at a time and that no score was lost or doubled.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import stress_worker
from click.testing import CliRunner
from conftest import SPECS_DIR, all_passing, live_claim_of, ppr_record, sql, sql_value, sql_write, write_yaml
from oracles import current_scores, replay_scores

from mcreview.cli import cli
from mcreview.core.vocabulary import OVERALL, Outcome
from mcreview.services import importer
from mcreview.services.claims import ClaimedByOther
from mcreview.services.history import (
    Event,
    format_history,
    shorten,
    submission_history,
    utc_second,
)
from mcreview.services.session import ReviewError, ReviewSession
from mcreview.store import open_store

WORKERS = 8
SUBMISSIONS = 16
OPERATIONS = 40
JOIN_TIMEOUT = 120  # safety net only; the test normally finishes in a few seconds
SID = "PPR-T-001"


@pytest.fixture
def queued(database, specs, tmp_path) -> str:
    importer.import_paths(database, [write_yaml(tmp_path, "a.yaml", ppr_record(SID))], specs)
    return SID


@pytest.fixture
def run(db_target):
    runner = CliRunner()

    def invoke(*args: str, assessor: str = "lead"):
        return runner.invoke(
            cli,
            ["--db", str(db_target), "--specs", str(SPECS_DIR), "--assessor", assessor, *args],
        )

    return invoke


def all_events(database) -> list[Event]:
    rows = sql(
        database,
        "SELECT id, at, assessor, submission_id, action, target, before, after FROM events ORDER BY id",
    )
    return [Event(*row) for row in rows]


def claim_discipline(events: list[Event]) -> tuple[list[str], dict[str, str]]:
    """Walk the log per submission: who held the claim when each change was made.

    A claim may only follow a release (a decision releases too) (leases do not expire in the
    stress test), and every score, comment, revise and decision must be made by
    the current holder. Returns the violations and the holders left at the end.
    """
    holder: dict[str, str] = {}
    problems: list[str] = []
    for event in events:
        sid, who, action = event.submission_id, event.assessor, event.action
        if sid is None or action == "import":
            continue
        held = holder.get(sid)
        if action == "claim":
            if held is not None:
                problems.append(f"#{event.id} {sid}: {who} claimed while {held} held it")
            holder[sid] = who
        elif action in ("release", "release-forced"):
            if event.before != held:
                problems.append(f"#{event.id} {sid}: {who} released {event.before}'s claim, holder {held}")
            holder.pop(sid, None)
        elif action in ("decide", "override"):
            if held != who:
                problems.append(f"#{event.id} {sid}: {who} decided while {held} held the claim")
            # the decider's claim ends with a release event in the same transaction
        elif held != who:
            problems.append(f"#{event.id} {sid}: {who} did {action} while {held} held the claim")
    return problems, holder


@pytest.mark.parametrize(
    "handoff",
    [False, True],
    ids=["finish-what-you-claim", "handoff"],
)
def test_stress_many_assessor_processes(tmp_path: Path, db_target: str, specs, handoff: bool) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    ids = [f"PPR-S-{n:03d}" for n in range(SUBMISSIONS)]
    for n, sid in enumerate(ids):
        write_yaml(folder, f"{sid}.yaml", ppr_record(sid, candidate=f"C-{20000 + n}"))
    setup = open_store(db_target)
    assert importer.import_paths(setup, [folder], specs).ok
    setup.close()

    assessors = [f"assessor{n}" for n in range(WORKERS)]
    team = stress_worker.run_team(db_target, assessors, ids, OPERATIONS, handoff, timeout=JOIN_TIMEOUT)
    tallies = team.tallies
    errors = [f"{name}:\n{error}" for name, t in tallies.items() for error in t["errors"]]
    assert errors == [], "\n".join(errors)
    assert team.exitcodes == [0] * WORKERS
    assert sorted(tallies) == sorted(assessors)
    assert sum(t["claims"] for t in tallies.values()) > 0
    assert sum(t["decisions"] for t in tallies.values()) > 0

    database = open_store(db_target)
    try:
        events = all_events(database)

        # Each worker's events are exactly the changes it reported making.
        per_assessor = Counter(e.assessor for e in events if e.action != "import")
        assert per_assessor == Counter({name: t["events"] for name, t in tallies.items() if t["events"]})
        actions = Counter((e.assessor, e.action) for e in events)
        for name, t in tallies.items():
            assert actions[(name, "claim")] == t["claims"]
            assert actions[(name, "decide")] + actions[(name, "override")] == t["decisions"]
            assert actions[(name, "revise")] == t["reopens"]

        # One assessor at a time on every submission, and only the holder changed it.
        problems, holders = claim_discipline(events)
        assert problems == []
        live = dict(sql(database, "SELECT submission_id, assessor FROM claims"))
        assert live == holders

        # At most one decision per revision, each matching exactly one decide event.
        doubled = sql(
            database,
            "SELECT submission_id, revision, count(*) FROM decisions GROUP BY 1, 2 HAVING count(*) != 1",
        )
        assert doubled == []
        decided = sorted(sql(database, "SELECT submission_id, revision, assessor FROM decisions"))
        decide_events = sorted(
            (e.submission_id, int(e.target.removeprefix("revision ")), e.assessor)
            for e in events
            if e.action in ("decide", "override")
        )
        assert decided == decide_events

        # Every submission is at the revision its reopen events say.
        revises = Counter(e.submission_id for e in events if e.action == "revise")
        revisions = dict(sql(database, "SELECT id, revision FROM submissions"))
        assert revisions == {sid: 1 + revises[sid] for sid in ids}

        # No lost or duplicated score: the log replays to the table.
        assert current_scores(database) == replay_scores(database)
    finally:
        database.close()


def test_expired_lease_is_released(database, queued) -> None:
    ReviewSession(database, "ana", lease_seconds=-5).claim(queued)  # a lease that already ran out
    assert live_claim_of(database, queued) is None
    ReviewSession(database, "ben").set_level(queued, component_id="overview", level="Passing")  # not read-only any more
    taken = ReviewSession(database, "ben").claim(queued)
    assert taken.assessor == "ben"
    with pytest.raises(ClaimedByOther, match="claimed by ben"):
        ReviewSession(database, "ana").claim(queued)
    claimers = [e.assessor for e in submission_history(database, queued) if e.action == "claim"]
    assert claimers == ["ana", "ben"]


def test_a_level_key_renews_the_lease_only_once_a_minute_of_it_has_run(database, queued) -> None:
    """Each key renewing the claim would write the claim row on every key (a longer write
    lock, a PostgreSQL conflict); a lease still within a minute of full is left alone,
    and one that has run longer is renewed to full by the next write."""
    from mcreview.services.claims import LEASE_SECONDS, later

    ana = ReviewSession(database, "ana")
    taken = ana.claim(queued)
    ana.set_level(queued, component_id="overview", level="Passing")
    assert live_claim_of(database, queued) == taken  # not rewritten
    soon = later(database.read(lambda tx: tx.now()), LEASE_SECONDS - 90)
    sql_write(database, "UPDATE claims SET expires_at = ?", (soon,))
    ana.set_level(queued, component_id="overview", level="Not Yet")
    renewed = live_claim_of(database, queued)
    assert renewed.claimed_at == taken.claimed_at and renewed.expires_at > soon
    assert renewed.expires_at >= later(database.read(lambda tx: tx.now()), LEASE_SECONDS - 5)


def test_claimed_submission_is_read_only_to_another_assessor(database, queued) -> None:
    ReviewSession(database, "ana").claim(queued)
    with pytest.raises(ReviewError, match="claimed by ana"):
        ReviewSession(database, "ben").set_level(queued, component_id="overview", level="Passing")
    with pytest.raises(ReviewError, match="claimed by ana"):
        ReviewSession(database, "ben").set_comment(queued, component_id=OVERALL, body="mine now")
    with pytest.raises(ReviewError, match="claimed by ana"):
        ReviewSession(database, "ben").decide(queued, comment="")
    with pytest.raises(ClaimedByOther):
        ReviewSession(database, "ben").release(queued)
    assert sql_value(database, "SELECT count(*) FROM scores") == 0
    assert live_claim_of(database, queued).assessor == "ana"


def test_history_of_a_graded_submission(database, queued, run) -> None:
    ReviewSession(database, "ana").claim(queued)
    for component, level in all_passing().items():
        ReviewSession(database, "ana").set_level(queued, component_id=component, level=level)
    ReviewSession(database, "ana").set_comment(
        queued, component_id="case-study", body="Clear rewrite.\n" + "detail " * 20
    )
    ReviewSession(database, "ana").decide(queued, comment="Well evidenced.")

    result = run("history", queued)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[3] for line in lines] == [
        "import",
        "claim",
        "score",
        "score",
        "score",
        "score",
        "comment",
        "decide",
        "release",
    ]
    assert [line.split()[2] for line in lines] == ["import"] + ["ana"] * 8
    assert "overview" in lines[2] and "- → Passing" in lines[2]
    assert "case-study" in lines[6] and "Clear rewrite.⏎detail" in lines[6] and lines[6].endswith("…")
    assert "revision 1" in lines[7] and "earned → earned" in lines[7]
    assert all(line[:20].endswith("Z") and line[10] == " " for line in lines)


def test_history_of_an_unknown_submission(database, queued, run) -> None:
    result = run("history", "NOPE-1")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["Error: no submission 'NOPE-1' in the queue"]


def test_release_by_hand_is_recorded(database, queued, run) -> None:
    ReviewSession(database, "ana").claim(queued)
    result = run("release", queued, assessor="lead")
    assert result.exit_code == 0, result.output
    assert "held by ana" in result.output and "lease was live" in result.output
    assert live_claim_of(database, queued) is None
    last = submission_history(database, queued)[-1]
    assert (last.assessor, last.action, last.before) == ("lead", "release-forced", "ana")
    ReviewSession(database, "ben").claim(queued)  # free for someone else now

    again = run("release", "PPR-T-001")
    assert "held by ben" in again.output
    nothing = run("release", queued)
    assert nothing.exit_code == 0 and nothing.output.strip() == f"{queued}: not claimed"
    assert run("release", "NOPE-1").exit_code == 1


def test_history_lines_are_short_and_in_utc() -> None:
    assert utc_second("2026-10-01T14:05:06.123456+02:00") == "2026-10-01 12:05:06Z"
    assert shorten(None) == "-"
    assert shorten("a\nb") == "a⏎b"
    long = shorten("x" * 100)
    assert len(long) == 60 and long.endswith("…")
    event = Event(1, "2026-10-01T12:00:00.5+00:00", "ana", SID, "score", "overview", None, "Passing")
    assert format_history([event]) == ["2026-10-01 12:00:00Z  ana           score           overview  - → Passing"]


def test_replay_follows_reopen_and_cleared_scores(database, queued) -> None:
    for component, level in all_passing().items():
        ReviewSession(database, "ana").set_level(queued, component_id=component, level=level)
    ReviewSession(database, "ana").decide(queued, comment="")
    assert ReviewSession(database, "ben").reopen(queued) == 2
    ReviewSession(database, "ben").set_level(queued, component_id="case-study", level="Basic")
    ReviewSession(database, "ben").set_level(queued, component_id="overview", level=None)
    replayed = replay_scores(database)
    assert replayed == current_scores(database)
    assert replayed[(queued, 2, "ben", "case-study")] == "Basic"
    assert (queued, 2, "ben", "overview") not in replayed
    assert replayed[(queued, 1, "ana", "overview")] == "Passing"


def test_handoff_after_release_carries_on_from_what_was_shown(database, queued) -> None:
    ReviewSession(database, "zoe").claim(queued)
    ReviewSession(database, "zoe").set_level(queued, component_id="overview", level="Not Yet")
    ReviewSession(database, "zoe").release(queued)
    ReviewSession(database, "ben").claim(queued)
    shown = ReviewSession(database, "reader").load(queued).levels
    before = ReviewSession(database, "ben").set_level(queued, component_id="overview", level="Passing")
    assert before == shown.get("overview")  # the trail must say what the screen replaced
    for component, level in all_passing().items():
        ReviewSession(database, "ben").set_level(queued, component_id=component, level=level)
    assert ReviewSession(database, "reader").load(queued).levels == all_passing()
    assert ReviewSession(database, "ben").decide(queued, comment="") == Outcome.EARNED
    assert ReviewSession(database, "ben").reopen(queued) == 2


def test_stress_two_blind_readings_per_submission(tmp_path: Path, db_target: str, specs) -> None:
    """Four reader processes on twelve submissions that each need two readings: every
    submission ends with exactly two recorded readings by two different readers; no
    reader was ever shown another's levels (the workers check on every look); agreement
    is final once and only once, and disagreement waits for a lead."""
    import multiprocessing

    import readers_worker

    from mcreview.services.programme import load_programme

    folder = tmp_path / "incoming"
    folder.mkdir()
    ids = [f"PPR-D-{n:03d}" for n in range(12)]
    for n, sid in enumerate(ids):
        write_yaml(folder, f"{sid}.yaml", ppr_record(sid, candidate=f"C-{30000 + n}"))
    setup = open_store(db_target)
    load_programme(
        setup, text="leads: [lead]\ndefaults:\n  readings: two\n", file="p.yaml", assessor="lead", credentials=specs
    )
    assert importer.import_paths(setup, [folder], specs).ok
    setup.close()

    ctx = multiprocessing.get_context("spawn")
    ready, results, start = ctx.Queue(), ctx.Queue(), ctx.Event()
    readers = [f"reader{n}" for n in range(4)]
    processes = [
        ctx.Process(target=readers_worker.run, args=(db_target, name, ids, 500 + n, ready, start, results))
        for n, name in enumerate(readers)
    ]
    for process in processes:
        process.start()
    try:
        for _ in processes:
            ready.get(timeout=JOIN_TIMEOUT)
        start.set()
        tallies = [results.get(timeout=JOIN_TIMEOUT) for _ in processes]
    finally:
        start.set()
        for process in processes:
            process.join(JOIN_TIMEOUT)
            if process.is_alive():
                process.kill()
    errors = [error for t in tallies for error in t["errors"]]
    assert errors == [], "\n".join(errors)

    database = open_store(db_target)
    try:
        for sid in ids:
            readings = sql(
                database,
                "SELECT reading, assessor, status, outcome FROM readings WHERE submission_id = ? ORDER BY reading",
                (sid,),
            )
            assert [(r[0], r[2]) for r in readings] == [(1, "recorded"), (2, "recorded")], sid
            assert readings[0][1] != readings[1][1]
            status, decided = sql(
                database,
                "SELECT status, (SELECT count(*) FROM decisions d WHERE d.submission_id = s.id) FROM submissions s WHERE s.id = ?",
                (sid,),
            )[0]
            finals = sql(
                database,
                "SELECT count(*) FROM events WHERE submission_id = ? AND action IN ('decide', 'override', 'moderate')",
                (sid,),
            )[0][0]
            if readings[0][3] == readings[1][3]:
                assert (status, decided, finals) == ("decided", 1, 1), sid
                readers_row = sql(database, "SELECT readers, resolution FROM decisions WHERE submission_id = ?", (sid,))
                assert readers_row == [(f"{readings[0][1]},{readings[1][1]}", "agreed")]
            else:
                assert (status, decided, finals) == ("moderation", 0, 0), sid
        recorded = sum(len(t["recorded"]) for t in tallies)
        assert recorded == 2 * len(ids)
    finally:
        database.close()
