"""The store's contract, operation by operation, on every backend.

Each test drives Transaction methods directly (no services in between) and checks
what comes back, so a statement that behaves differently on PostgreSQL than on SQLite
fails here by name. The last test checks that every public Transaction method is
exercised by this module: a new operation needs its contract test.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from datetime import datetime, timedelta

import pytest
from conftest import sql

from mcreview.core.prechecks import PreCheck
from mcreview.core.submissions import Attachment
from mcreview.core.vocabulary import Status
from mcreview.store import StoreError
from mcreview.store.api import (
    OPEN_WORK,
    AttachmentContent,
    ClaimRow,
    ContentState,
    NewAttachmentContent,
    NewDecision,
    NewSubmission,
    QueueFilter,
    SubmissionKey,
    Transaction,
)

SPEC = "spec-hash-1"
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$")
COVERED: set[str] = set()


def covers(*names: str):
    COVERED.update(names)
    return lambda test: test


def new_submission(sid: str, *, submitted: str = "2026-10-01", **changes) -> NewSubmission:
    fields = dict(
        id=sid,
        credential="cred-a",
        candidate=f"C-{sid}",
        submitted=submitted,
        content_hash=f"hash-{sid}",
        source=f"/in/{sid}.yaml",
        spec_hash=SPEC,
        responses={"overview": f"text of {sid}", "plan": "a plan"},
        attachments=(),
        flags="",
        prechecks=(),
    )
    fields.update(changes)
    return NewSubmission(**fields)


def put_spec(tx: Transaction, spec_hash: str = SPEC, title: str = "Credential A") -> None:
    tx.put_spec(
        spec_hash=spec_hash,
        credential="cred-a",
        version="1",
        title=title,
        body='{"parts": []}',
        components=[("overview", 1), ("plan", 2)],
    )


@pytest.fixture
def seeded(database):
    """A spec and three submissions (two open, one pending newest)."""

    def work(tx: Transaction) -> None:
        put_spec(tx)
        for sid, submitted in (("S-1", "2026-10-01"), ("S-2", "2026-10-02"), ("S-3", "2026-10-03")):
            tx.add_submission(new_submission(sid, submitted=submitted), importer="import")

    database.write(work)
    return database


@covers("now")
def test_now_is_the_databases_utc_time_to_the_microsecond_and_fixed_per_transaction(database):
    first, again = database.read(lambda tx: (tx.now(), tx.now()))
    assert ISO_UTC.match(first), first
    assert first == again  # one time per transaction
    moment = datetime.fromisoformat(first)
    assert moment.utcoffset() == timedelta(0)
    assert abs((moment - datetime.now(moment.tzinfo)).total_seconds()) < 300
    later = database.read(lambda tx: tx.now())
    assert later >= first  # text order is time order


@covers("put_spec", "spec_body", "spec_hashes", "credential_titles")
def test_specs_are_kept_once_per_hash(database):
    database.write(lambda tx: put_spec(tx))
    database.write(lambda tx: put_spec(tx, title="Changed title, same hash"))  # ignored
    database.write(lambda tx: put_spec(tx, "spec-hash-2", "Credential A, v2"))
    assert database.read(lambda tx: tx.spec_body(SPEC)) == '{"parts": []}'
    assert database.read(lambda tx: tx.spec_body("nope")) is None
    assert sorted(database.read(lambda tx: tx.spec_hashes())) == [SPEC, "spec-hash-2"]
    assert database.read(lambda tx: tx.credential_titles()) == {"cred-a": "Credential A, v2"}
    assert sql(
        database, "SELECT component_id, position, part FROM spec_components WHERE spec_hash = ?", (SPEC,)
    ) == [
        ("overview", 0, 1),
        ("plan", 1, 2),
    ]


@covers("add_submission", "submission", "content_hashes", "responses", "submission_ids", "events")
def test_a_submission_goes_in_whole(seeded):
    row = seeded.read(lambda tx: tx.submission("S-2"))
    assert (row.id, row.status, row.revision, row.attempt, row.spec_hash) == ("S-2", "pending", 1, 1, SPEC)
    assert seeded.read(lambda tx: tx.submission("S-9")) is None
    assert seeded.read(lambda tx: tx.content_hashes(["S-1", "S-3", "S-9"])) == {
        "S-1": "hash-S-1",
        "S-3": "hash-S-3",
    }
    many = [f"S-{n}" for n in range(1200)]  # more ids than one IN list holds
    assert len(seeded.read(lambda tx: tx.content_hashes(many))) == 3
    assert seeded.read(lambda tx: tx.responses("S-1", 1)) == {"overview": "text of S-1", "plan": "a plan"}
    assert seeded.read(lambda tx: tx.submission_ids(after="S-1", limit=1)) == ["S-2"]
    (event,) = seeded.read(lambda tx: tx.events("S-1"))
    assert (event.assessor, event.action, event.submission_id) == ("import", "import", "S-1")
    with pytest.raises(StoreError):  # the same id twice violates the primary key
        seeded.write(lambda tx: tx.add_submission(new_submission("S-1"), importer="import"))
    assert len(seeded.read(lambda tx: tx.events("S-1"))) == 1  # and nothing of it was kept


@covers("attachments", "has_content", "put_content", "attachment_content")
def test_attachments_and_their_contents(database):
    data = b"%PDF-1.4 \x00\xff binary bytes"
    sha = hashlib.sha256(data).hexdigest()
    content = AttachmentContent(sha, len(data), "application/pdf", data)
    assert not database.read(lambda tx: tx.has_content(sha))
    database.write(lambda tx: tx.put_content(content))
    database.write(lambda tx: tx.put_content(content))  # stored once
    assert database.read(lambda tx: tx.has_content(sha))
    new = new_submission(
        "S-1",
        attachments=(
            Attachment("overview", "/in/plan.pdf", None, "The plan"),
            Attachment("plan", None, "https://example.org", "A link"),
            Attachment("plan", "/in/huge.mov", None, "Too big"),
        ),
        contents=(
            NewAttachmentContent(ContentState.STORED, sha, len(data)),
            NewAttachmentContent(ContentState.LINK),
            NewAttachmentContent(ContentState.TOO_LARGE, size=99_000_000),
        ),
    )

    def work(tx: Transaction) -> None:
        put_spec(tx)
        tx.add_submission(new, importer="import")

    database.write(work)
    rows = database.read(lambda tx: tx.attachments("S-1", 1))
    assert [(a.seq, a.content_state, a.content_sha256, a.size, a.media_type) for a in rows] == [
        (0, "stored", sha, len(data), "application/pdf"),
        (1, "link", None, None, None),
        (2, "too-large", None, 99_000_000, None),
    ]
    assert rows[0].stored and not rows[2].stored
    assert database.read(lambda tx: tx.attachment_content("S-1", 1, 0)) == content
    assert database.read(lambda tx: tx.attachment_content("S-1", 1, 2)) is None
    assert sql(database, "SELECT count(*) FROM attachment_contents") == [(1,)]


@covers("set_status", "start_review", "start_revision", "levels", "put_level", "delete_level")
def test_levels_upsert_delete_and_carry_into_a_revision(seeded):
    key = SubmissionKey("S-1", 1, 1)

    def score(tx: Transaction) -> None:
        tx.put_level(key, "overview", level="Basic", passing=False, spec_hash=SPEC, assessor="ana")
        tx.put_level(key, "overview", level="Passing", passing=True, spec_hash=SPEC, assessor="ben")
        tx.put_level(key, "plan", level="Proficient", passing=True, spec_hash=SPEC, assessor="ana")
        tx.start_review("S-1", assessor="ben")

    seeded.write(score)
    assert seeded.read(lambda tx: tx.levels(key)) == {"overview": "Passing", "plan": "Proficient"}
    assert seeded.read(lambda tx: tx.submission("S-1")).status == Status.IN_REVIEW
    seeded.write(lambda tx: tx.start_review("S-1", assessor="ana"))  # in review stays in review
    seeded.write(lambda tx: tx.set_status("S-1", status=Status.DECIDED, assessor="ana"))
    row = seeded.read(lambda tx: tx.submission("S-1"))
    assert (row.status, row.assessor) == (Status.DECIDED, "ana")
    assert seeded.write(lambda tx: tx.start_revision(row, assessor="cy", basis_reading=1)) == 2
    again = seeded.read(lambda tx: tx.submission("S-1"))
    assert (again.revision, again.status, again.assessor) == (2, Status.IN_REVIEW, "cy")
    key2 = SubmissionKey("S-1", 1, 2)
    assert seeded.read(lambda tx: tx.levels(key2)) == {"overview": "Passing", "plan": "Proficient"}
    seeded.write(lambda tx: tx.delete_level(key2, "plan"))
    assert seeded.read(lambda tx: tx.levels(key2)) == {"overview": "Passing"}
    assert seeded.read(lambda tx: tx.levels(key)) == {"overview": "Passing", "plan": "Proficient"}
    assert sql(seeded, "SELECT passing, assessor FROM scores WHERE revision = 2") == [(1, "cy")]


@covers("comments", "put_comment", "delete_comment")
def test_comments_upsert_and_delete(seeded):
    key = SubmissionKey("S-1", 1, 1)
    seeded.write(lambda tx: tx.put_comment(key, "", body="first", assessor="ana"))
    seeded.write(
        lambda tx: tx.put_comment(key, "", body="Ünïcode ✓ 日本語 \"quoted\" 'single'", assessor="ana")
    )
    seeded.write(lambda tx: tx.put_comment(key, "plan", body="100% sure? _maybe_", assessor="ana"))
    assert seeded.read(lambda tx: tx.comments(key)) == {
        "": "Ünïcode ✓ 日本語 \"quoted\" 'single'",
        "plan": "100% sure? _maybe_",
    }
    seeded.write(lambda tx: tx.delete_comment(key, "plan"))
    assert seeded.read(lambda tx: tx.comments(key)) == {"": "Ünïcode ✓ 日本語 \"quoted\" 'single'"}


@covers("record_event", "last_score_event", "event_readings")
def test_events_in_commit_order(seeded):
    for level in ("Basic", "Passing"):
        seeded.write(
            lambda tx, level=level: tx.record_event(
                assessor="ana",
                submission_id="S-1",
                action="score",
                target="overview",
                after=level,
                attempt=1,
                reading=1,
            )
        )
    seeded.write(  # another reader's change to the same component, in reading 2
        lambda tx: tx.record_event(
            assessor="ben",
            submission_id="S-1",
            action="score",
            target="overview",
            after="Not Yet",
            attempt=1,
            reading=2,
        )
    )
    seeded.write(
        lambda tx: tx.record_event(assessor="lead", submission_id=None, action="sync", target="batch 1")
    )
    last = seeded.read(lambda tx: tx.last_score_event(SubmissionKey("S-1", 1, 1, 1), "overview"))
    assert (last.after, last.assessor) == ("Passing", "ana")
    other = seeded.read(lambda tx: tx.last_score_event(SubmissionKey("S-1", 1, 1, 2), "overview"))
    assert (other.after, other.assessor) == ("Not Yet", "ben")
    assert seeded.read(lambda tx: tx.last_score_event(SubmissionKey("S-1", 1, 1, 1), "plan")) is None
    ids = [e.id for e in seeded.read(lambda tx: tx.events("S-1"))]
    assert ids == sorted(ids) and len(ids) == 4
    readings = seeded.read(lambda tx: tx.event_readings("S-1"))
    assert [(attempt, reading) for _, attempt, reading in readings] == [(1, None), (1, 1), (1, 1), (1, 2)]
    assert all(ISO_UTC.match(e.at) for e in seeded.read(lambda tx: tx.events("S-1")))


@covers("put_decision", "decisions")
def test_decisions_one_per_revision(seeded):
    def decision(revision: int) -> NewDecision:
        return NewDecision(
            key=SubmissionKey("S-1", 1, revision),
            assessor="ana",
            outcome="earned",
            computed="not_yet",
            override=True,
            justification="why",
            comment="well done",
            part_outcomes='{"1": "pass"}',
            spec_hash=SPEC,
            at="2026-11-01T10:00:00.000000+00:00",
        )

    seeded.write(lambda tx: tx.put_decision(decision(1)))
    seeded.write(lambda tx: tx.put_decision(decision(2)))
    with pytest.raises(StoreError):
        seeded.write(lambda tx: tx.put_decision(decision(1)))
    rows = seeded.read(lambda tx: tx.decisions("S-1"))
    assert [(d.revision, d.outcome, d.override, d.decided_at) for d in rows] == [
        (1, "earned", True, "2026-11-01T10:00:00.000000+00:00"),
        (2, "earned", True, "2026-11-01T10:00:00.000000+00:00"),
    ]


@covers("claim", "claims", "put_claim", "delete_claim", "claimed_by")
def test_claims(seeded):
    claim = ClaimRow("S-1", "ana", "2026-11-01T10:00:00.000000+00:00", "2026-11-01T10:15:00.000000+00:00")
    seeded.write(lambda tx: tx.put_claim(claim))
    seeded.write(lambda tx: tx.put_claim(ClaimRow("S-2", "ana", claim.claimed_at, claim.expires_at)))
    renewed = ClaimRow("S-1", "ben", claim.claimed_at, "2026-11-01T10:30:00.000000+00:00")
    seeded.write(lambda tx: tx.put_claim(renewed))
    second = ClaimRow("S-1", "cy", claim.claimed_at, claim.expires_at, reading=2)  # a second reader's claim
    seeded.write(lambda tx: tx.put_claim(second))
    assert seeded.read(lambda tx: tx.claim("S-1", 1)) == renewed
    assert seeded.read(lambda tx: tx.claims("S-1")) == [renewed, second]
    assert seeded.read(lambda tx: tx.claimed_by("ana")) == ["S-2"]
    assert seeded.write(lambda tx: tx.delete_claim("S-1", assessor="ana")) == 0  # not hers
    assert seeded.write(lambda tx: tx.delete_claim("S-1", reading=2)) == 1
    assert seeded.write(lambda tx: tx.delete_claim("S-1", assessor="ben")) == 1
    assert seeded.write(lambda tx: tx.delete_claim("S-2")) == 1
    assert seeded.read(lambda tx: tx.claim("S-1", 1)) is None


@covers("put_draft", "draft", "delete_draft", "put_position", "position")
def test_drafts_and_positions(database):
    database.write(lambda tx: tx.put_draft(assessor="ana", submission_id="S-1", field="c:plan", body="half"))
    database.write(lambda tx: tx.put_draft(assessor="ana", submission_id="S-1", field="c:plan", body="whole"))
    assert database.read(lambda tx: tx.draft(assessor="ana", submission_id="S-1", field="c:plan")) == "whole"
    assert database.read(lambda tx: tx.draft(assessor="ben", submission_id="S-1", field="c:plan")) is None
    database.write(lambda tx: tx.delete_draft(assessor="ana", submission_id="S-1", field="c:plan"))
    assert database.read(lambda tx: tx.draft(assessor="ana", submission_id="S-1", field="c:plan")) is None
    assert database.read(lambda tx: tx.position("ana")) == (None, None)
    database.write(lambda tx: tx.put_position(assessor="ana", submission_id="S-1", component_id="plan"))
    database.write(lambda tx: tx.put_position(assessor="ana", submission_id="S-2", component_id=None))
    assert database.read(lambda tx: tx.position("ana")) == ("S-2", None)


@covers("replace_prechecks", "prechecks")
def test_prechecks_in_order_and_replaced(database):
    found = (("overview", "over_limit", "too long", None, None), ("plan", "identifier", "an email", 3, 17))

    def work(tx: Transaction) -> None:
        put_spec(tx)
        tx.add_submission(new_submission("S-1", prechecks=found, flags="IW"), importer="import")

    database.write(work)
    assert database.read(lambda tx: tx.prechecks("S-1", 1)) == [PreCheck(*f) for f in found]
    row = database.read(lambda tx: tx.submission("S-1"))
    assert row.flags == "IW"
    replacement = [PreCheck("plan", "missing", "no response", None, None)]
    database.write(lambda tx: tx.replace_prechecks(row, replacement, flags="M"))
    assert database.read(lambda tx: tx.prechecks("S-1", 1)) == replacement
    assert database.read(lambda tx: tx.submission("S-1")).flags == "M"


@covers("status_counts", "queue_page", "oldest_pending")
def test_queue_pages_filters_and_counts(seeded):
    seeded.write(lambda tx: tx.set_status("S-2", status=Status.IN_REVIEW, assessor="ana"))
    seeded.write(lambda tx: tx.set_status("S-3", status=Status.DECIDED, assessor="ana"))
    seeded.write(
        lambda tx: tx.put_claim(ClaimRow("S-2", "ana", tx.now(), "9999-01-01T00:00:00.000000+00:00"))
    )
    seeded.write(
        lambda tx: tx.put_claim(ClaimRow("S-1", "old", tx.now(), "2000-01-01T00:00:00.000000+00:00"))
    )
    assert seeded.read(lambda tx: tx.status_counts(QueueFilter())) == {
        "pending": 1,
        Status.IN_REVIEW: 1,
        "decided": 1,
    }
    page = seeded.read(lambda tx: tx.queue_page(QueueFilter(OPEN_WORK)))
    assert [(r.id, r.status, r.claimed_by) for r in page] == [
        ("S-1", "pending", None),
        ("S-2", Status.IN_REVIEW, "ana"),
    ]
    first = seeded.read(lambda tx: tx.queue_page(QueueFilter(), limit=2))
    rest = seeded.read(lambda tx: tx.queue_page(QueueFilter(), after=(first[-1].submitted, first[-1].id)))
    assert [r.id for r in first + rest] == ["S-1", "S-2", "S-3"]
    newest = seeded.read(lambda tx: tx.queue_page(QueueFilter(), newest_first=True, limit=1))
    older = seeded.read(
        lambda tx: tx.queue_page(QueueFilter(), newest_first=True, after=("2026-10-03", "S-3"))
    )
    assert [r.id for r in newest] == ["S-3"] and [r.id for r in older] == ["S-2", "S-1"]
    assert [r.id for r in seeded.read(lambda tx: tx.queue_page(QueueFilter(text="s-2")))] == [
        "S-2"
    ]  # case aside
    assert [r.id for r in seeded.read(lambda tx: tx.queue_page(QueueFilter(text="S-2")))] == ["S-2"]
    assert seeded.read(lambda tx: tx.queue_page(QueueFilter(text="%"))) == []  # LIKE wildcards are text
    assert seeded.read(lambda tx: tx.queue_page(QueueFilter(text="_"))) == []
    assert [r.id for r in seeded.read(lambda tx: tx.queue_page(QueueFilter(credential="cred-a")))] == [
        "S-1",
        "S-2",
        "S-3",
    ]
    assert seeded.read(lambda tx: tx.oldest_pending("ana")) == "S-1"


@covers(
    "export_decisions",
    "export_scores",
    "export_evidence",
    "reserve_sync_batch",
    "set_sync_batch_contents",
    "unfinished_sync_batches",
    "sync_batch_keys",
    "drop_sync_batch",
    "finish_sync_batch",
)
def test_sync_bookkeeping(seeded):
    key = SubmissionKey("S-1", 1, 1)

    def decide(tx: Transaction) -> None:
        tx.put_level(key, "plan", level="Proficient", passing=True, spec_hash=SPEC, assessor="ana")
        tx.put_level(key, "overview", level="Passing", passing=True, spec_hash=SPEC, assessor="ana")
        tx.put_level(
            SubmissionKey("S-1", 1, 1, 2),
            "plan",
            level="Basic",
            passing=False,
            spec_hash=SPEC,
            assessor="ben",
        )
        tx.put_comment(key, "plan", body="good plan", assessor="ana")
        tx.put_decision(
            NewDecision(
                key,
                "ana",
                "earned",
                "earned",
                False,
                "",
                "",
                '{"1": "pass"}',
                SPEC,
                tx.now(),
                resolution="agreed",
                readers=("ana", "ben"),
            )
        )
        tx.set_status("S-1", status=Status.DECIDED, assessor="ana")

    seeded.write(decide)
    (decision,) = seeded.read(lambda tx: tx.export_decisions(format="csv", everything=False))
    assert (decision.key, decision.candidate, decision.outcome) == (("S-1", 1, 1), "C-S-1", "earned")
    assert (decision.readers, decision.resolution) == ("ana,ben", "agreed")
    scores = seeded.read(lambda tx: tx.export_scores(format="csv", everything=False))
    assert [(s.component, s.part, s.comment, s.level) for s in scores] == [
        ("overview", 1, "", "Passing"),
        ("plan", 2, "good plan", "Proficient"),
    ]  # rubric order, not name order; only the decision's basis reading (not ben's Basic)
    responses, attachments = seeded.read(lambda tx: tx.export_evidence(format="csv", everything=False))
    assert [(r.submission_id, r.component_id) for r in responses] == [("S-1", "overview"), ("S-1", "plan")]
    assert attachments == []
    dropped, _ = seeded.write(
        lambda tx: tx.reserve_sync_batch(destination="/out", assessor="ana", format="csv")
    )
    seeded.write(lambda tx: tx.drop_sync_batch(dropped))
    batch, started = seeded.write(
        lambda tx: tx.reserve_sync_batch(destination="/out", assessor="ana", format="csv")
    )
    assert batch > dropped and ISO_UTC.match(started)
    seeded.write(
        lambda tx: tx.set_sync_batch_contents(batch, files=["d.csv", "s.csv"], keys=[("S-1", 1, 1)], scores=2)
    )
    (pending,) = seeded.read(lambda tx: tx.unfinished_sync_batches("/out"))
    assert (pending.id, pending.files, pending.format) == (batch, '["d.csv", "s.csv"]', "csv")
    assert seeded.read(lambda tx: tx.sync_batch_keys(batch)) == [("S-1", 1, 1)]
    assert seeded.read(lambda tx: tx.unfinished_sync_batches("/elsewhere")) == []
    seeded.write(lambda tx: tx.finish_sync_batch(batch))
    assert seeded.read(lambda tx: tx.unfinished_sync_batches("/out")) == []
    assert seeded.read(lambda tx: tx.export_decisions(format="csv", everything=False)) == []
    assert len(seeded.read(lambda tx: tx.export_decisions(format="ob3", everything=False))) == 1  # per format
    assert len(seeded.read(lambda tx: tx.export_decisions(format="csv", everything=True))) == 1
    assert seeded.read(lambda tx: tx.submission("S-1")).status == Status.SYNCED
    assert sql(seeded, "SELECT decisions, scores FROM sync_batches WHERE id = ?", (batch,)) == [(1, 2)]


@covers("tables", "table_rows", "insert_rows", "table_count", "reset_identities")
def test_generic_table_access(seeded):
    tables = {t.name: t for t in seeded.read(lambda tx: tx.tables())}
    assert {"submissions", "events", "attachment_contents", "claims"} <= set(tables)
    assert not any(name.startswith(("_sqlite", "sqlite_", "mcreview_")) for name in tables)
    events = tables["events"]
    assert events.key == ("id",) and "before" in events.columns
    assert tables["attachment_contents"].binary == ("content",)
    assert "submissions" in tables["attempts"].parents
    rows = seeded.read(lambda tx: tx.table_rows(events, limit=2))
    rest = seeded.read(lambda tx: tx.table_rows(events, after=(rows[-1][0],)))
    assert [r[0] for r in rows + rest] == sorted(r[0] for r in rows + rest) and len(rows + rest) == 3
    assert seeded.read(lambda tx: tx.table_count(events)) == 3
    copied = [(100 + n, *row[1:]) for n, row in enumerate(rows)]
    seeded.write(lambda tx: tx.insert_rows(events, events.columns, copied))
    seeded.write(lambda tx: tx.reset_identities())
    seeded.write(lambda tx: tx.record_event(assessor="ana", submission_id="S-1", action="claim"))
    assert max(e.id for e in seeded.read(lambda tx: tx.events("S-1"))) > 101  # after the copied ids


@covers("spec_versions", "current_spec_hash", "movable_to", "repin", "attempt_spec_hash")
def test_rubric_versions_and_moving_unscored_work(seeded):
    seeded.write(lambda tx: put_spec(tx, "spec-hash-2", "Credential A, v2"))
    assert seeded.read(lambda tx: tx.spec_versions("cred-a")) == [("1", SPEC), ("1", "spec-hash-2")]
    assert seeded.read(lambda tx: tx.spec_versions("cred-z")) == []
    assert seeded.read(lambda tx: tx.current_spec_hash("cred-a")) == "spec-hash-2"
    assert seeded.read(lambda tx: tx.current_spec_hash("cred-z")) is None
    key = SubmissionKey("S-2", 1, 1)
    seeded.write(
        lambda tx: tx.put_level(key, "plan", level="Basic", passing=False, spec_hash=SPEC, assessor="ana")
    )
    seeded.write(lambda tx: tx.put_comment(SubmissionKey("S-3", 1, 1), "", body="a note", assessor="ana"))
    assert seeded.read(lambda tx: tx.movable_to("cred-a", "spec-hash-2")) == ["S-1"]  # S-2 scored, S-3 commented
    row = seeded.read(lambda tx: tx.submission("S-1"))
    seeded.write(lambda tx: tx.repin(row, "spec-hash-2"))
    assert seeded.read(lambda tx: tx.submission("S-1")).spec_hash == "spec-hash-2"
    assert seeded.read(lambda tx: tx.attempt_spec_hash("S-1", 1)) == "spec-hash-2"
    assert seeded.read(lambda tx: tx.attempt_spec_hash("S-2", 1)) == SPEC
    assert seeded.read(lambda tx: tx.attempt_spec_hash("S-1", 2)) is None
    assert seeded.read(lambda tx: tx.movable_to("cred-a", "spec-hash-2")) == []


@covers("add_attempt", "attempt_hashes", "attempt_note", "carried", "set_route")
def test_a_resubmission_is_the_next_attempt_with_carried_levels(seeded):
    from mcreview.store.records import CarriedLevel

    seeded.write(lambda tx: tx.set_status("S-1", status=Status.DECIDED, assessor="ana"))
    again = new_submission(
        "S-1", submitted="2026-11-20", content_hash="hash-S-1-b", attempt=2, note="I rewrote the plan."
    )
    carried = [CarriedLevel("overview", "Passing", True, SPEC, 1)]
    seeded.write(lambda tx: tx.add_attempt(again, importer="import", routed_to="ana", carried=carried))
    row = seeded.read(lambda tx: tx.submission("S-1"))
    assert (row.attempt, row.revision, row.status, row.submitted) == (2, 1, "pending", "2026-11-20")
    assert row.assessor is None
    assert seeded.read(lambda tx: tx.attempt_hashes(["S-1", "S-2", "S-9"])) == {
        "S-1": {1: "hash-S-1", 2: "hash-S-1-b"},
        "S-2": {1: "hash-S-2"},
    }
    assert seeded.read(lambda tx: tx.attempt_note("S-1", 2)) == "I rewrote the plan."
    assert seeded.read(lambda tx: tx.attempt_note("S-1", 1)) == ""
    assert seeded.read(lambda tx: tx.attempt_note("S-1", 7)) == ""
    key = SubmissionKey("S-1", 2, 1)
    assert seeded.read(lambda tx: tx.carried(key)) == {"overview": 1}
    assert seeded.read(lambda tx: tx.levels(key)) == {"overview": "Passing"}
    assert seeded.read(lambda tx: tx.responses("S-1", 1)) == {"overview": "text of S-1", "plan": "a plan"}
    assert sql(seeded, "SELECT routed_to FROM submissions WHERE id = 'S-1'") == [("ana",)]
    seeded.write(lambda tx: tx.set_route("S-1", None))
    assert sql(seeded, "SELECT routed_to FROM submissions WHERE id = 'S-1'") == [(None,)]
    actions = [e.action for e in seeded.read(lambda tx: tx.events("S-1"))]
    assert actions == ["import", "resubmit"]
    with pytest.raises(StoreError):  # the same attempt twice
        seeded.write(lambda tx: tx.add_attempt(again, importer="import", routed_to=None, carried=[]))


@covers("last_activity", "calibration_of")
def test_last_activity_and_calibration_marker(seeded):
    assert seeded.read(lambda tx: tx.last_activity("nobody")) is None
    seeded.write(lambda tx: tx.record_event(assessor="ana", submission_id="S-1", action="claim"))
    last = seeded.read(lambda tx: tx.last_activity("ana"))
    assert ISO_UTC.match(last)
    assert seeded.read(lambda tx: tx.calibration_of("S-1")) is None
    assert seeded.read(lambda tx: tx.calibration_of("S-9")) is None


@covers(
    "add_reading",
    "readings",
    "hand_over_reading",
    "record_reading",
    "reopen_reading",
    "readings_needed",
    "set_readings_needed",
    "reading_pairs",
    "final_decision",
)
def test_two_readings_of_one_attempt(seeded):
    assert seeded.read(lambda tx: tx.readings_needed("S-1", 1)) == 1
    assert seeded.read(lambda tx: tx.readings_needed("S-9", 1)) == 1  # no such attempt: the default
    seeded.write(lambda tx: tx.set_readings_needed("S-1", 1, 2))
    assert seeded.read(lambda tx: tx.readings_needed("S-1", 1)) == 2
    first, second = SubmissionKey("S-1", 1, 1, 1), SubmissionKey("S-1", 1, 1, 2)

    def read_twice(tx: Transaction) -> None:
        tx.add_reading(first, assessor="ana", kind="reading")
        tx.put_level(first, "plan", level="Proficient", passing=True, spec_hash=SPEC, assessor="ana")
        tx.add_reading(second, assessor="old", kind="reading")

    seeded.write(read_twice)
    seeded.write(lambda tx: tx.hand_over_reading(second, assessor="ben"))
    seeded.write(
        lambda tx: tx.put_level(second, "plan", level="Basic", passing=False, spec_hash=SPEC, assessor="ben")
    )
    rows = seeded.read(lambda tx: tx.readings("S-1", 1, 1))
    assert [(r.reading, r.assessor, r.kind, r.status, r.recorded) for r in rows] == [
        (1, "ana", "reading", "open", False),
        (2, "ben", "reading", "open", False),
    ]
    assert rows[1].key == second and ISO_UTC.match(rows[0].started_at)
    assert seeded.read(lambda tx: tx.reading_pairs()) == []  # neither recorded yet
    for key, outcome in ((first, "earned"), (second, "not_yet")):
        seeded.write(
            lambda tx, key=key, outcome=outcome: tx.record_reading(
                key,
                outcome=outcome,
                computed=outcome,
                override=False,
                justification="",
                comment=f"{outcome} comment",
                part_outcomes='{"2": "x"}',
            )
        )
    recorded = seeded.read(lambda tx: tx.readings("S-1", 1, 1))
    assert [(r.status, r.outcome, r.comment) for r in recorded] == [
        ("recorded", "earned", "earned comment"),
        ("recorded", "not_yet", "not_yet comment"),
    ]
    assert all(r.recorded and ISO_UTC.match(r.recorded_at) for r in recorded)
    (pair,) = seeded.read(lambda tx: tx.reading_pairs())
    assert (pair.submission_id, pair.credential, pair.spec_hash) == ("S-1", "cred-a", SPEC)
    assert (pair.assessors, pair.outcomes) == (("ana", "ben"), ("earned", "not_yet"))
    assert pair.levels == ({"plan": "Proficient"}, {"plan": "Basic"})
    assert seeded.read(lambda tx: tx.reading_pairs(credential="cred-z")) == []
    assert seeded.read(lambda tx: tx.reading_pairs(since="9999-01-01")) == []
    assert len(seeded.read(lambda tx: tx.reading_pairs(since="2000-01-01", credential="cred-a"))) == 1
    seeded.write(lambda tx: tx.reopen_reading(second, note="Look again at the plan."))
    back = seeded.read(lambda tx: tx.readings("S-1", 1, 1))[1]
    assert (back.status, back.note, back.recorded_at) == ("open", "Look again at the plan.", None)
    assert seeded.read(lambda tx: tx.reading_pairs()) == []
    assert seeded.read(lambda tx: tx.final_decision("S-1", 1)) is None
    for revision, outcome in ((1, "not_yet"), (2, "earned")):
        seeded.write(
            lambda tx, revision=revision, outcome=outcome: tx.put_decision(
                NewDecision(
                    SubmissionKey("S-1", 1, revision, 1),
                    "lead",
                    outcome,
                    outcome,
                    False,
                    "",
                    "",
                    "{}",
                    SPEC,
                    tx.now(),
                    resolution="moderated",
                    readers=("ana", "ben"),
                    approved_by="lead",
                )
            )
        )
    final = seeded.read(lambda tx: tx.final_decision("S-1", 1))
    assert (final.revision, final.outcome, final.resolution, final.readers, final.approved_by) == (
        2,
        "earned",
        "moderated",
        ("ana", "ben"),
        "lead",
    )
    assert seeded.read(lambda tx: tx.final_decision("S-1", 2)) is None


@covers("mark_gold", "gold", "calibration_copies", "gold_readings")
def test_gold_submissions_and_calibration_copies(seeded):
    gold_key = SubmissionKey("S-1", 1, 1, 1)

    def make_gold(tx: Transaction) -> None:
        tx.put_level(gold_key, "plan", level="Proficient", passing=True, spec_hash=SPEC, assessor="lead")
        tx.put_decision(
            NewDecision(gold_key, "lead", "earned", "earned", False, "", "", "{}", SPEC, tx.now())
        )
        tx.mark_gold("S-1", 1, 1, marked_by="lead")
        tx.mark_gold("S-1", 1, 1, marked_by="lead2")  # marked again: one row, the later marker
        for copy_id, routed in (("CAL-1", "ana"), ("CAL-2", None)):
            tx.add_submission(
                new_submission(copy_id, calibration_of="S-1", routed_to=routed), importer="lead"
            )

    seeded.write(make_gold)
    assert seeded.read(lambda tx: tx.gold()) == [("S-1", 1, 1)]
    assert sql(seeded, "SELECT marked_by FROM gold") == [("lead2",)]
    assert seeded.read(lambda tx: tx.calibration_copies("S-1")) == [("CAL-1", "ana"), ("CAL-2", None)]
    assert seeded.read(lambda tx: tx.calibration_copies("S-2")) == []
    assert seeded.read(lambda tx: tx.calibration_of("CAL-1")) == "S-1"
    assert seeded.read(lambda tx: tx.gold_readings()) == []  # no copy read yet
    copy_key = SubmissionKey("CAL-1", 1, 1, 1)

    def read_copy(tx: Transaction) -> None:
        tx.add_reading(copy_key, assessor="ana", kind="reading")
        tx.put_level(copy_key, "plan", level="Basic", passing=False, spec_hash=SPEC, assessor="ana")
        tx.record_reading(
            copy_key,
            outcome="not_yet",
            computed="not_yet",
            override=False,
            justification="",
            comment="",
            part_outcomes="{}",
        )

    seeded.write(read_copy)
    (found,) = seeded.read(lambda tx: tx.gold_readings())
    assert (found.gold_id, found.submission_id, found.assessor, found.credential) == ("S-1", "CAL-1", "ana", "cred-a")
    assert (found.levels, found.gold_levels) == ({"plan": "Basic"}, {"plan": "Proficient"})
    assert (found.outcome, found.gold_outcome) == ("not_yet", "earned")
    assert seeded.read(lambda tx: tx.reading_pairs()) == []  # calibration copies are not agreement pairs


@covers("programme_body", "put_programme")
def test_programme_settings_latest_wins(database):
    assert database.read(lambda tx: tx.programme_body()) == ""
    database.write(lambda tx: tx.put_programme(body='{"v": 1}', content_hash="h1", loaded_by="lead"))
    database.write(lambda tx: tx.put_programme(body='{"v": 2}', content_hash="h2", loaded_by="lead"))
    assert database.read(lambda tx: tx.programme_body()) == '{"v": 2}'
    assert sql(database, "SELECT count(*) FROM programme_settings") == [(2,)]


def test_every_transaction_operation_has_a_contract_test():
    public = {
        name
        for name, member in inspect.getmembers(Transaction, inspect.isfunction)
        if not name.startswith("_")
    }
    assert public - COVERED == set()
