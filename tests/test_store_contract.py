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
    CarriedLevel,
    ClaimRow,
    ContentState,
    GoldReading,
    NewAttachmentContent,
    NewDecision,
    NewSubmission,
    QueueFilter,
    ReadingPair,
    Store,
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


def put_spec(
    tx: Transaction,
    spec_hash: str = SPEC,
    title: str = "Credential A",
    *,
    credential: str = "cred-a",
    version: str = "1",
) -> None:
    tx.put_spec(
        spec_hash=spec_hash,
        credential=credential,
        version=version,
        title=title,
        body='{"parts": []}',
        components=[("overview", 1), ("plan", 2)],
    )


def tick(store: Store) -> None:
    """Wait until the database's clock has moved on (SQLite's counts milliseconds), so the
    next transaction's writes are strictly later than the last one's."""
    start = store.read(lambda tx: tx.now())
    while store.read(lambda tx: tx.now()) == start:
        pass


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


@covers("cancel_revision", "delete_reading", "reset_to_pending")
def test_an_unchanged_revision_and_an_empty_reading_are_taken_back(seeded):
    key = SubmissionKey("S-1", 1, 1)

    def decide(tx: Transaction) -> None:
        tx.add_reading(key, assessor="ana", kind="reading")
        tx.put_level(key, "overview", level="Passing", passing=True, spec_hash=SPEC, assessor="ana")
        tx.put_comment(key, "overview", body="Fine.", assessor="ana")
        tx.set_status("S-1", status=Status.SYNCED, assessor="ana")

    seeded.write(decide)
    row = seeded.read(lambda tx: tx.submission("S-1"))
    seeded.write(lambda tx: tx.start_revision(row, assessor="cy", basis_reading=1))
    revised = seeded.read(lambda tx: tx.submission("S-1"))
    assert seeded.write(lambda tx: tx.cancel_revision(revised, status=Status.SYNCED)) == 1
    back = seeded.read(lambda tx: tx.submission("S-1"))
    assert (back.revision, back.status) == (1, Status.SYNCED)
    for table in ("scores", "comments", "readings"):
        assert sql(seeded, f"SELECT count(*) FROM {table} WHERE revision = 2") == [(0,)]
    assert seeded.read(lambda tx: tx.levels(key)) == {"overview": "Passing"}  # revision 1 untouched
    assert seeded.read(lambda tx: tx.comments(key)) == {"overview": "Fine."}

    second = SubmissionKey("S-2", 1, 1, 2)
    seeded.write(lambda tx: tx.add_reading(SubmissionKey("S-2", 1, 1), assessor="ana", kind="reading"))
    seeded.write(lambda tx: tx.add_reading(second, assessor="ben", kind="reading"))
    seeded.write(lambda tx: tx.start_review("S-2", assessor="ben"))
    seeded.write(lambda tx: tx.delete_reading(second))
    assert [r.assessor for r in seeded.read(lambda tx: tx.readings("S-2", 1, 1))] == ["ana"]
    seeded.write(lambda tx: tx.reset_to_pending("S-2"))
    reset = seeded.read(lambda tx: tx.submission("S-2"))
    assert (reset.status, reset.assessor) == (Status.PENDING, None)
    seeded.write(lambda tx: tx.reset_to_pending("S-1"))  # only an in-review one goes back
    assert seeded.read(lambda tx: tx.submission("S-1")).status == Status.SYNCED


@covers("phrases", "put_phrase", "delete_phrase")
def test_phrases_are_kept_once_per_place_changed_and_deleted(database):
    def add(tx: Transaction) -> tuple[int, int, int]:
        first = tx.put_phrase(credential="cred-a", component_id="plan", level="Basic", body="Be specific.", assessor="ana")
        again = tx.put_phrase(credential="cred-a", component_id="plan", level="Basic", body="Be specific.", assessor="ben")
        other = tx.put_phrase(credential="cred-b", component_id="", level="", body="Well done.", assessor="ana")
        return first, again, other

    first, again, other = database.write(add)
    assert first == again != other
    rows = database.read(lambda tx: tx.phrases("cred-a"))
    assert [(r.id, r.component_id, r.level, r.body, r.created_by) for r in rows] == [
        (first, "plan", "Basic", "Be specific.", "ana")
    ]
    assert ISO_UTC.match(rows[0].updated_at)
    assert len(database.read(lambda tx: tx.phrases())) == 2
    database.write(
        lambda tx: tx.put_phrase(
            credential="cred-a", component_id="plan", level="Basic", body="Be more specific.", assessor="cy",
            phrase_id=first,
        )
    )  # fmt: skip
    assert [(r.body, r.created_by) for r in database.read(lambda tx: tx.phrases("cred-a"))] == [
        ("Be more specific.", "cy")
    ]
    assert database.write(lambda tx: tx.delete_phrase(first)) is True
    assert database.write(lambda tx: tx.delete_phrase(first)) is False
    assert database.read(lambda tx: tx.phrases("cred-a")) == []


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


@covers("put_draft", "draft", "drafts", "delete_draft", "put_position", "position")
def test_drafts_and_positions(database):
    database.write(lambda tx: tx.put_draft(assessor="ana", submission_id="S-1", field="c:plan", body="half"))
    database.write(lambda tx: tx.put_draft(assessor="ana", submission_id="S-1", field="c:plan", body="whole"))
    database.write(lambda tx: tx.put_draft(assessor="ana", submission_id="S-1", field="overall", body="all"))
    database.write(lambda tx: tx.put_draft(assessor="ana", submission_id="S-2", field="overall", body="other"))
    database.write(lambda tx: tx.put_draft(assessor="ben", submission_id="S-1", field="overall", body="his"))
    assert database.read(lambda tx: tx.drafts(assessor="ana", submission_id="S-1")) == {
        "c:plan": "whole",
        "overall": "all",
    }
    assert database.read(lambda tx: tx.drafts(assessor="cy", submission_id="S-1")) == {}
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


@covers("spec_versions", "current_spec_hash")
def test_spec_versions_in_load_order_and_the_latest_loaded_is_current(database):
    assert database.read(lambda tx: tx.spec_versions("cred-a")) == []
    assert database.read(lambda tx: tx.current_spec_hash("cred-a")) is None
    database.write(lambda tx: put_spec(tx, "zz-hash-v1", version="1"))
    tick(database)
    database.write(lambda tx: put_spec(tx, "aa-hash-v2", version="2"))
    database.write(lambda tx: put_spec(tx, "b-hash", credential="cred-b"))
    # load order, not hash order; another credential's rubric is not among them
    assert database.read(lambda tx: tx.spec_versions("cred-a")) == [("1", "zz-hash-v1"), ("2", "aa-hash-v2")]
    assert database.read(lambda tx: tx.current_spec_hash("cred-a")) == "aa-hash-v2"
    assert database.read(lambda tx: tx.current_spec_hash("cred-b")) == "b-hash"
    tick(database)
    database.write(lambda tx: put_spec(tx, "zz-hash-v1", version="1"))  # loaded again: kept once, not newer
    assert database.read(lambda tx: tx.current_spec_hash("cred-a")) == "aa-hash-v2"
    assert len(database.read(lambda tx: tx.spec_versions("cred-a"))) == 2


@covers("movable_to", "repin")
def test_only_pending_unscored_submissions_on_another_rubric_move(seeded):
    key2, key3 = SubmissionKey("S-2", 1, 1), SubmissionKey("S-3", 1, 1)

    def work(tx: Transaction) -> None:
        put_spec(tx, "spec-hash-2", version="2")
        put_spec(tx, "spec-b", credential="cred-b")
        tx.add_submission(new_submission("S-4", spec_hash="spec-hash-2"), importer="import")  # there already
        tx.add_submission(new_submission("S-5", credential="cred-b", spec_hash="spec-b"), importer="import")
        tx.add_submission(new_submission("S-6"), importer="import")
        tx.set_status("S-6", status=Status.IN_REVIEW, assessor="ana")  # being read
        tx.put_level(key2, "plan", level="Basic", passing=False, spec_hash=SPEC, assessor="ana")  # scored
        tx.put_comment(key3, "", body="a start", assessor="ana")  # commented
        # S-7's first attempt was scored; its second, on the old rubric, is not yet
        tx.add_submission(new_submission("S-7"), importer="import")
        tx.put_level(SubmissionKey("S-7", 1, 1), "plan", level="Basic", passing=False, spec_hash=SPEC, assessor="ana")
        tx.add_attempt(
            new_submission("S-7", attempt=2, content_hash="hash-S-7-2"), importer="import", routed_to=None, carried=()
        )

    seeded.write(work)
    assert seeded.read(lambda tx: tx.movable_to("cred-a", "spec-hash-2")) == ["S-1", "S-7"]
    assert seeded.read(lambda tx: tx.movable_to("cred-a", SPEC)) == ["S-4"]
    assert seeded.read(lambda tx: tx.movable_to("cred-b", "spec-hash-2")) == ["S-5"]
    row = seeded.read(lambda tx: tx.submission("S-7"))
    seeded.write(lambda tx: tx.repin(row, "spec-hash-2"))
    moved = seeded.read(lambda tx: tx.submission("S-7"))
    assert (moved.spec_hash, moved.attempt, moved.status) == ("spec-hash-2", 2, Status.PENDING)
    assert seeded.read(lambda tx: tx.attempt_spec_hash("S-7", 2)) == "spec-hash-2"
    assert seeded.read(lambda tx: tx.attempt_spec_hash("S-7", 1)) == SPEC  # the earlier attempt stays
    assert seeded.read(lambda tx: tx.movable_to("cred-a", "spec-hash-2")) == ["S-1"]  # moved once
    assert seeded.read(lambda tx: tx.movable_to("cred-a", SPEC)) == ["S-4", "S-7"]


@covers("set_route")
def test_a_routed_submission_waits_for_its_assessor(seeded):
    seeded.write(lambda tx: tx.set_route("S-1", "ana"))
    assert seeded.read(lambda tx: tx.submission("S-1")).routed_to == "ana"
    assert seeded.read(lambda tx: tx.submission("S-2")).routed_to is None  # only that one
    assert seeded.read(lambda tx: tx.oldest_pending("ben")) == "S-2"
    assert seeded.read(lambda tx: tx.oldest_pending("ana")) == "S-1"
    seeded.write(lambda tx: tx.set_route("S-1", None))
    assert seeded.read(lambda tx: tx.submission("S-1")).routed_to is None
    assert seeded.read(lambda tx: tx.oldest_pending("ben")) == "S-1"


@covers("last_activity")
def test_last_activity_is_the_assessors_latest_event(seeded):
    assert seeded.read(lambda tx: tx.last_activity("ana")) is None  # max() of no rows is a NULL row
    imported = seeded.read(lambda tx: tx.last_activity("import"))
    assert ISO_UTC.match(imported), imported
    seeded.write(lambda tx: tx.record_event(assessor="ana", submission_id="S-1", action="claim"))
    first = seeded.read(lambda tx: tx.last_activity("ana"))
    assert ISO_UTC.match(first) and first >= imported
    tick(seeded)
    seeded.write(lambda tx: tx.record_event(assessor="ana", submission_id=None, action="sync"))  # no submission
    second = seeded.read(lambda tx: tx.last_activity("ana"))
    assert second > first
    tick(seeded)
    seeded.write(lambda tx: tx.record_event(assessor="ben", submission_id="S-1", action="claim"))
    assert seeded.read(lambda tx: tx.last_activity("ana")) == second  # another's event is not hers
    assert seeded.read(lambda tx: tx.last_activity("ben")) > second


@covers("readings_needed", "set_readings_needed")
def test_readings_needed_per_attempt(database):
    def work(tx: Transaction) -> None:
        put_spec(tx)
        tx.add_submission(new_submission("S-1"), importer="import")
        tx.add_submission(new_submission("S-2", readings_needed=2), importer="import")

    database.write(work)
    assert database.read(lambda tx: (tx.readings_needed("S-1", 1), tx.readings_needed("S-2", 1))) == (1, 2)
    assert database.read(lambda tx: tx.readings_needed("S-9", 1)) == 1  # nothing queued: one reading
    database.write(lambda tx: tx.set_readings_needed("S-1", 1, 2))
    database.write(lambda tx: tx.set_readings_needed("S-1", 1, 2))  # again: the same
    assert database.read(lambda tx: tx.readings_needed("S-1", 1)) == 2
    database.write(
        lambda tx: tx.add_attempt(
            new_submission("S-1", attempt=2, content_hash="hash-S-1-2"), importer="import", routed_to=None, carried=()
        )
    )
    assert database.read(lambda tx: tx.readings_needed("S-1", 2)) == 1  # a new attempt draws afresh
    database.write(lambda tx: tx.set_readings_needed("S-1", 2, 2))
    database.write(lambda tx: tx.set_readings_needed("S-1", 1, 1))
    assert database.read(lambda tx: (tx.readings_needed("S-1", 1), tx.readings_needed("S-1", 2))) == (1, 2)
    assert database.read(lambda tx: tx.readings_needed("S-2", 1)) == 2


@covers("add_reading", "readings", "record_reading", "reopen_reading", "hand_over_reading")
def test_readings_start_are_recorded_reopened_and_handed_over(seeded):
    first, second, moderation = (SubmissionKey("S-1", 1, 1, n) for n in (1, 2, 0))
    assert seeded.read(lambda tx: tx.readings("S-1", 1, 1)) == []
    seeded.write(lambda tx: tx.add_reading(second, assessor="ben", kind="reading"))
    seeded.write(lambda tx: tx.add_reading(first, assessor="ana", kind="reading"))
    seeded.write(lambda tx: tx.add_reading(moderation, assessor="lead", kind="moderation"))
    rows = seeded.read(lambda tx: tx.readings("S-1", 1, 1))
    assert [(r.reading, r.assessor, r.kind, r.status, r.recorded) for r in rows] == [
        (0, "lead", "moderation", "open", False),
        (1, "ana", "reading", "open", False),
        (2, "ben", "reading", "open", False),
    ]  # reading order, not the order they were started in
    fresh = rows[1]
    assert fresh.key == first
    assert (fresh.outcome, fresh.computed, fresh.override, fresh.recorded_at) == (None, None, False, None)
    assert (fresh.justification, fresh.comment, fresh.part_outcomes, fresh.note) == ("", "", "{}", "")
    assert ISO_UTC.match(fresh.started_at)
    with pytest.raises(StoreError):  # one row per reading
        seeded.write(lambda tx: tx.add_reading(first, assessor="cy", kind="reading"))
    assert seeded.read(lambda tx: tx.readings("S-1", 1, 2)) == []  # another revision
    assert seeded.read(lambda tx: tx.readings("S-2", 1, 1)) == []

    def record(outcome: str, override: bool):
        return lambda tx: tx.record_reading(
            first,
            outcome=outcome,
            computed="not_yet",
            override=override,
            justification="why" if override else "",
            comment="well argued",
            part_outcomes='{"1": "pass"}',
        )

    seeded.write(record("earned", True))
    done = seeded.read(lambda tx: tx.readings("S-1", 1, 1))[1]
    assert done.recorded and done.status == "recorded"
    assert (done.outcome, done.computed, done.override, done.justification) == ("earned", "not_yet", True, "why")
    assert (done.comment, done.part_outcomes) == ("well argued", '{"1": "pass"}')
    assert ISO_UTC.match(done.recorded_at) and done.recorded_at >= done.started_at
    assert [r.status for r in seeded.read(lambda tx: tx.readings("S-1", 1, 1))] == ["open", "recorded", "open"]

    seeded.write(lambda tx: tx.reopen_reading(first, note="look again at the plan"))
    back = seeded.read(lambda tx: tx.readings("S-1", 1, 1))[1]
    assert (back.status, back.recorded, back.recorded_at, back.note) == ("open", False, None, "look again at the plan")
    assert back.assessor == "ana"  # back to its own reader
    seeded.write(record("not_yet", False))
    again = seeded.read(lambda tx: tx.readings("S-1", 1, 1))[1]
    assert (again.status, again.outcome, again.override, again.justification) == ("recorded", "not_yet", False, "")

    seeded.write(lambda tx: tx.hand_over_reading(second, assessor="cy"))
    handed = seeded.read(lambda tx: tx.readings("S-1", 1, 1))
    assert [(r.reading, r.assessor, r.status) for r in handed] == [
        (0, "lead", "open"),
        (1, "ana", "recorded"),
        (2, "cy", "open"),
    ]
    assert handed[2].started_at == rows[2].started_at  # carried on, not started again
    with pytest.raises(StoreError, match="not open"):  # a recorded reading keeps its reader
        seeded.write(lambda tx: tx.hand_over_reading(first, assessor="cy"))
    assert seeded.read(lambda tx: tx.readings("S-1", 1, 1))[1].assessor == "ana"


@covers("add_attempt", "carried", "attempt_hashes", "attempt_note", "attempt_spec_hash", "final_decision")
def test_a_resubmission_is_the_next_attempt_with_its_carried_levels(seeded):
    def decision(revision: int, outcome: str) -> NewDecision:
        return NewDecision(
            SubmissionKey("S-1", 1, revision), "ana", outcome, outcome, False, "", "", "{}", SPEC, "2026-11-01"
        )

    def decide(tx: Transaction) -> None:
        put_spec(tx, "spec-hash-2", version="2")
        tx.put_level(
            SubmissionKey("S-1", 1, 1), "overview", level="Passing", passing=True, spec_hash=SPEC, assessor="ana"
        )
        tx.put_decision(decision(1, "not_yet"))
        tx.set_status("S-1", status=Status.DECIDED, assessor="ana")
        tx.start_revision(tx.submission("S-1"), assessor="ana", basis_reading=1)
        tx.put_decision(decision(2, "earned"))

    assert seeded.read(lambda tx: tx.final_decision("S-1", 1)) is None
    seeded.write(decide)
    final = seeded.read(lambda tx: tx.final_decision("S-1", 1))
    assert (final.attempt, final.revision, final.outcome) == (1, 2, "earned")  # the latest revision's

    resubmitted = new_submission(
        "S-1",
        attempt=2,
        submitted="2026-11-05",
        content_hash="hash-S-1-2",
        spec_hash="spec-hash-2",
        note="I rewrote the plan",
        responses={"overview": "kept", "plan": "a better plan"},
    )
    carried = [CarriedLevel("overview", "Passing", True, SPEC, 1)]
    seeded.write(lambda tx: tx.add_attempt(resubmitted, importer="import", routed_to="ana", carried=carried))
    row = seeded.read(lambda tx: tx.submission("S-1"))
    assert (row.attempt, row.revision, row.status, row.assessor) == (2, 1, Status.PENDING, None)
    assert (row.spec_hash, row.submitted, row.routed_to) == ("spec-hash-2", "2026-11-05", "ana")
    key = SubmissionKey("S-1", 2, 1)
    assert seeded.read(lambda tx: tx.carried(key)) == {"overview": 1}
    assert seeded.read(lambda tx: tx.levels(key)) == {"overview": "Passing"}
    assert sql(  # a carried level keeps the rubric it was scored against
        seeded, "SELECT spec_hash, passing FROM scores WHERE submission_id = ? AND attempt = 2", ("S-1",)
    ) == [(SPEC, 1)]
    assert seeded.read(lambda tx: tx.carried(SubmissionKey("S-1", 1, 2))) == {}  # scored there, not carried
    assert seeded.read(lambda tx: tx.responses("S-1", 2)) == {"overview": "kept", "plan": "a better plan"}
    assert seeded.read(lambda tx: tx.responses("S-1", 1)) == {"overview": "text of S-1", "plan": "a plan"}
    assert seeded.read(lambda tx: tx.final_decision("S-1", 2)) is None  # not decided yet
    assert seeded.read(lambda tx: tx.final_decision("S-1", 1)).revision == 2  # the earlier attempt's stays
    event = seeded.read(lambda tx: tx.events("S-1"))[-1]
    assert (event.action, event.target, event.assessor) == ("resubmit", "attempt 2", "import")
    assert '"carried": ["overview"]' in event.after and '"routed_to": "ana"' in event.after

    assert seeded.read(lambda tx: tx.attempt_hashes(["S-1", "S-2", "S-9"])) == {
        "S-1": {1: "hash-S-1", 2: "hash-S-1-2"},
        "S-2": {1: "hash-S-2"},
    }
    many = [f"S-{n}" for n in range(1200)]  # more ids than one IN list holds
    assert len(seeded.read(lambda tx: tx.attempt_hashes(many))) == 3
    assert seeded.read(lambda tx: tx.attempt_note("S-1", 2)) == "I rewrote the plan"
    assert seeded.read(lambda tx: tx.attempt_note("S-1", 1)) == ""
    assert seeded.read(lambda tx: tx.attempt_note("S-1", 3)) == ""  # no such attempt
    assert seeded.read(lambda tx: tx.attempt_spec_hash("S-1", 1)) == SPEC
    assert seeded.read(lambda tx: tx.attempt_spec_hash("S-1", 2)) == "spec-hash-2"
    assert seeded.read(lambda tx: tx.attempt_spec_hash("S-1", 3)) is None

    # a second reading of the new attempt starts with the carried levels, not the first reader's own
    seeded.write(
        lambda tx: tx.put_level(key, "plan", level="Basic", passing=False, spec_hash="spec-hash-2", assessor="ana")
    )
    seeded.write(lambda tx: tx.add_reading(SubmissionKey("S-1", 2, 1, 2), assessor="ben", kind="reading"))
    assert seeded.read(lambda tx: tx.levels(SubmissionKey("S-1", 2, 1, 2))) == {"overview": "Passing"}
    assert seeded.read(lambda tx: tx.carried(SubmissionKey("S-1", 2, 1, 2))) == {"overview": 1}
    # rescoring a carried level makes it the reader's own
    seeded.write(
        lambda tx: tx.put_level(key, "overview", level="Basic", passing=False, spec_hash="spec-hash-2", assessor="ana")
    )
    assert seeded.read(lambda tx: tx.carried(key)) == {}
    assert seeded.read(lambda tx: tx.carried(SubmissionKey("S-1", 2, 1, 2))) == {"overview": 1}


def _read(tx: Transaction, key: SubmissionKey, assessor: str, levels: dict[str, str], outcome: str) -> None:
    """One reader's reading of a submission, recorded with these levels."""
    tx.add_reading(key, assessor=assessor, kind="reading")
    for component_id, level in levels.items():
        tx.put_level(key, component_id, level=level, passing=level != "Basic", spec_hash=SPEC, assessor=assessor)
    tx.record_reading(
        key, outcome=outcome, computed=outcome, override=False, justification="", comment="", part_outcomes="{}"
    )


@covers("mark_gold", "gold", "calibration_copies", "calibration_of", "gold_readings")
def test_gold_submissions_and_readings_of_their_calibration_copies(seeded):
    assert seeded.read(lambda tx: tx.gold()) == []

    def make_gold(tx: Transaction) -> None:
        key = SubmissionKey("S-1", 1, 1)
        tx.put_level(key, "overview", level="Passing", passing=True, spec_hash=SPEC, assessor="lead")
        tx.put_level(key, "plan", level="Proficient", passing=True, spec_hash=SPEC, assessor="lead")
        tx.put_decision(NewDecision(key, "lead", "earned", "earned", False, "", "", "{}", SPEC, tx.now()))
        tx.mark_gold("S-1", 1, 1, marked_by="lead")
        tx.mark_gold("S-2", 1, 1, marked_by="lead")  # gold, but not decided: its copies compare with nothing
        for sid, gold_id, routed in (("CAL-2", "S-1", "ben"), ("CAL-1", "S-1", "ana"), ("CAL-3", "S-2", "ana")):
            tx.add_submission(new_submission(sid, calibration_of=gold_id, routed_to=routed), importer="lead")

    seeded.write(make_gold)
    assert seeded.read(lambda tx: tx.gold()) == [("S-1", 1, 1), ("S-2", 1, 1)]
    assert seeded.read(lambda tx: tx.calibration_copies("S-1")) == [("CAL-1", "ana"), ("CAL-2", "ben")]
    assert seeded.read(lambda tx: tx.calibration_copies("S-3")) == []
    assert seeded.read(lambda tx: tx.calibration_of("CAL-3")) == "S-2"
    assert seeded.read(lambda tx: tx.calibration_of("S-1")) is None
    assert seeded.read(lambda tx: tx.calibration_of("nope")) is None
    assert seeded.read(lambda tx: tx.gold_readings()) == []  # nothing recorded yet

    def calibrate(tx: Transaction) -> None:
        _read(tx, SubmissionKey("CAL-1", 1, 1), "ana", {"overview": "Basic", "plan": "Proficient"}, "not_yet")
        tx.add_reading(SubmissionKey("CAL-2", 1, 1), assessor="ben", kind="reading")  # still open
        _read(tx, SubmissionKey("CAL-3", 1, 1), "ana", {"overview": "Basic"}, "not_yet")
        moderation = SubmissionKey("CAL-1", 1, 1, 0)  # a lead's moderation is no assessor's reading
        tx.add_reading(moderation, assessor="lead", kind="moderation")
        tx.record_reading(
            moderation,
            outcome="earned",
            computed="earned",
            override=False,
            justification="",
            comment="",
            part_outcomes="{}",
        )

    seeded.write(calibrate)
    gold_levels = {"overview": "Passing", "plan": "Proficient"}
    ana = GoldReading(
        "S-1",
        "CAL-1",
        "cred-a",
        SPEC,
        "ana",
        {"overview": "Basic", "plan": "Proficient"},
        gold_levels,
        "not_yet",
        "earned",
    )
    assert seeded.read(lambda tx: tx.gold_readings()) == [ana]

    def remark(tx: Transaction) -> None:  # the gold's levels revised, and it is marked again
        tx.set_status("S-1", status=Status.DECIDED, assessor="lead")
        tx.start_revision(tx.submission("S-1"), assessor="lead", basis_reading=1)
        key = SubmissionKey("S-1", 1, 2)
        tx.put_level(key, "overview", level="Basic", passing=False, spec_hash=SPEC, assessor="lead")
        tx.put_decision(NewDecision(key, "lead", "not_yet", "not_yet", False, "", "", "{}", SPEC, tx.now()))
        tx.mark_gold("S-1", 1, 2, marked_by="lead2")

    seeded.write(remark)
    assert seeded.read(lambda tx: tx.gold()) == [("S-1", 1, 2), ("S-2", 1, 1)]  # one per attempt, in id order
    assert sql(seeded, "SELECT marked_by FROM gold WHERE submission_id = ?", ("S-1",)) == [("lead2",)]
    (now,) = seeded.read(lambda tx: tx.gold_readings())
    assert (now.gold_levels, now.gold_outcome) == ({"overview": "Basic", "plan": "Proficient"}, "not_yet")


@covers("reading_pairs")
def test_reading_pairs_of_two_recorded_readings(seeded):
    def pairs(**filters):
        return seeded.read(lambda tx: tx.reading_pairs(**filters))

    assert pairs() == []

    def work(tx: Transaction) -> None:
        put_spec(tx, "spec-hash-2", version="2")
        _read(tx, SubmissionKey("S-3", 1, 1, 1), "ana", {"overview": "Passing"}, "earned")
        _read(tx, SubmissionKey("S-3", 1, 1, 2), "ben", {"overview": "Passing"}, "earned")
        _read(tx, SubmissionKey("S-2", 1, 1, 1), "ana", {"overview": "Passing"}, "earned")
        tx.add_reading(SubmissionKey("S-2", 1, 1, 2), assessor="ben", kind="reading")  # not recorded
        tx.add_submission(new_submission("CAL-1", calibration_of="S-3"), importer="lead")
        _read(tx, SubmissionKey("CAL-1", 1, 1, 1), "ana", {"overview": "Basic"}, "not_yet")
        _read(tx, SubmissionKey("CAL-1", 1, 1, 2), "ben", {"overview": "Passing"}, "earned")

    seeded.write(work)
    (first,) = pairs()  # S-2's second reading is open; the calibration copy is left out
    assert first == ReadingPair(
        "S-3",
        "cred-a",
        SPEC,
        ("ana", "ben"),
        ("earned", "earned"),
        ({"overview": "Passing"}, {"overview": "Passing"}),
        first.recorded_at,
    )
    assert ISO_UTC.match(first.recorded_at)
    tick(seeded)
    seeded.write(
        lambda tx: _read(tx, SubmissionKey("S-1", 1, 1, 1), "cy", {"overview": "Passing", "plan": "Basic"}, "not_yet")
    )
    seeded.write(lambda tx: _read(tx, SubmissionKey("S-1", 1, 1, 2), "ana", {"overview": "Basic"}, "not_yet"))
    # the S-3 attempt moves on to a resubmission on a new rubric: its pair keeps the attempt's rubric
    seeded.write(
        lambda tx: tx.add_attempt(
            new_submission("S-3", attempt=2, content_hash="h-2", spec_hash="spec-hash-2"),
            importer="import",
            routed_to=None,
            carried=(),
        )
    )
    both = pairs()
    assert [p.submission_id for p in both] == ["S-3", "S-1"]  # by when the second reading was recorded
    assert both[0] == first
    assert (both[1].assessors, both[1].outcomes) == (("cy", "ana"), ("not_yet", "not_yet"))
    assert both[1].levels == ({"overview": "Passing", "plan": "Basic"}, {"overview": "Basic"})
    assert pairs(since=both[1].recorded_at) == [both[1]]  # since is inclusive
    assert pairs(since="9999-01-01") == []
    assert pairs(credential="cred-a") == both
    assert pairs(credential="cred-b") == []


@covers("programme_body", "put_programme")
def test_programme_settings_the_latest_version_is_in_force(database):
    assert database.read(lambda tx: tx.programme_body()) == ""  # mcreview's defaults
    database.write(lambda tx: tx.put_programme(body='{"v": 1}', content_hash="h1", loaded_by="lead"))
    assert database.read(lambda tx: tx.programme_body()) == '{"v": 1}'

    def two(tx: Transaction) -> None:  # in one transaction, so at one time: the later one wins
        tx.put_programme(body='{"v": 2}', content_hash="h2", loaded_by="lead")
        tx.put_programme(body='{"v": 3}', content_hash="h3", loaded_by="ana")

    database.write(two)
    assert database.read(lambda tx: tx.programme_body()) == '{"v": 3}'
    database.write(lambda tx: tx.put_programme(body='{"v": 1}', content_hash="h1", loaded_by="lead"))
    assert database.read(lambda tx: tx.programme_body()) == '{"v": 1}'  # an older file again is a new version
    rows = sql(database, "SELECT version, content_hash, loaded_by FROM programme_settings ORDER BY version")
    assert [(hash_, by) for _, hash_, by in rows] == [("h1", "lead"), ("h2", "lead"), ("h3", "ana"), ("h1", "lead")]
    assert len({version for version, _, _ in rows}) == 4


def test_every_transaction_operation_has_a_contract_test():
    public = {
        name
        for name, member in inspect.getmembers(Transaction, inspect.isfunction)
        if not name.startswith("_")
    }
    assert public - COVERED == set()
