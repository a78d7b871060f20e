"""What the credential platform receives, on the sample queue: complete CSV, and Open
Badges 3.0 credentials that meet what the published schema requires (tests/ob3_schema.py),
written by the same batch protocol and kept apart per format."""

from __future__ import annotations

import base64
import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_DIR, SPECS_DIR, dump, sql, sql_row, sql_value
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from ob3_schema import SCHEMA_ID, check_credential
from test_sync import Crash, FaultyFs, hidden, read_dicts, unsynced, visible

from mcreview.cli import cli
from mcreview.core.vocabulary import Outcome, ReturnReason, Status
from mcreview.services import importer, sync
from mcreview.services.export import (
    FORMATS,
    CsvFormat,
    ExportError,
    ExportOptions,
    Ob3Format,
    Rubric,
    make_format,
)
from mcreview.services.session import ReviewSession

EARNED = "BIR-2026-001"  # every component at its best level
OVERRIDE = "PPR-2026-001"  # Not Yet by the award rule (reflection), Earned by the assessor
NOT_YET = "RPP-2026-001"  # one Part 1 component short
RETURNED = "FCR-2026-001"  # sent back unscored
JUSTIFICATION = "Reflection re-read with the candidate's clarification: it meets the descriptor."
PROGRAMME = "Sample Programme"


@pytest.fixture
def sample(database, specs):
    """The sample queue with four decisions: an Earned, an override to Earned, a Not Yet
    and a return, made in that order."""
    assert importer.import_paths(database, [SAMPLE_DIR], specs).ok
    session = ReviewSession(database, "ana")

    def grade(submission_id: str, short: str | None = None) -> None:
        for component in session.load(submission_id).spec.components:
            if component.scale:
                levels = component.scale.levels
                level = levels[-1] if component.id == short else levels[0]
                session.set_level(submission_id, component_id=component.id, level=level)

    grade(EARNED)
    session.decide(EARNED, comment="Every outcome evidenced.")
    grade(OVERRIDE, short="reflection")
    session.decide(OVERRIDE, comment="Thank you.", outcome=Outcome.EARNED, justification=JUSTIFICATION)
    grade(NOT_YET, short="part1-evaluation")
    session.decide(NOT_YET, comment="Part 1 needs specific examples.")
    session.return_submission(RETURNED, reason=ReturnReason.IDENTIFIABLE, comment="Names a student.")
    return [EARNED, OVERRIDE, NOT_YET, RETURNED]


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    folder = tmp_path / "outbox"
    folder.mkdir()
    return folder


def ob3(**options: str) -> Ob3Format:
    return Ob3Format(issuer_name=PROGRAMME, **options)


def manifest(folder: Path) -> dict:
    (name,) = [n for n in visible(folder) if n.endswith("-manifest.json")]
    return json.loads((folder / name).read_text(encoding="utf-8"))


def credentials(folder: Path) -> dict[str, dict]:
    """Each credential file's document, by the submission the manifest says it is for."""
    listed = manifest(folder)["decisions"]
    return {
        entry["submission_id"]: json.loads((folder / entry["file"]).read_text(encoding="utf-8"))
        for entry in listed
        if entry["file"]
    }


def decided_order(database):
    order = [
        r[0] for r in sql(database, "SELECT submission_id FROM decisions ORDER BY decided_at, 1")
    ]
    return order.index


def rubric_of(database, submission_id: str) -> Rubric:
    return Rubric.of(ReviewSession(database, "reader").load(submission_id).spec)


# -- CSV -------------------------------------------------------------------------------


def test_csv_carries_what_an_importer_needs(database, sample, dest):
    result = sync.sync(database, dest, "coordinator")
    assert sorted(result.decisions) == [(sid, 1, 1) for sid in sorted(sample)]
    decisions_file, scores_file = visible(dest)
    rows = {row["submission_id"]: row for row in read_dicts(dest / decisions_file)}
    assert list(rows) == [d[0] for d in result.decisions]  # oldest decision first

    override = rows[OVERRIDE]
    assert (override["decision"], override["computed"], override["override"]) == ("earned", "not_yet", "yes")
    assert override["justification"] == JUSTIFICATION and override["comment"] == "Thank you."
    assert (override["part3"], override["part3_title"]) == ("fail", "Reflection")
    assert override["credential_title"] == "Positive Professional Relationships"
    assert override["credential_version"] == rubric_of(database, OVERRIDE).spec.version
    stored = sql_value(database, "SELECT spec_hash FROM submissions WHERE id = ?", (OVERRIDE,))
    assert override["rubric_hash"] == stored
    assert (override["readers"], override["resolution"], override["attempt"]) == ("ana", "single", "1")

    assert (rows[EARNED]["decision"], rows[EARNED]["computed"], rows[EARNED]["override"]) == (
        "earned",
        "earned",
        "no",
    )
    assert rows[EARNED]["justification"] == ""
    assert (rows[NOT_YET]["decision"], rows[NOT_YET]["part1"], rows[NOT_YET]["part1_title"]) == (
        "not_yet",
        "fail",
        "Overview Questions",
    )
    assert rows[RETURNED]["decision"] == "returned_identifiable" and rows[RETURNED]["override"] == "no"

    scores = [row for row in read_dicts(dest / scores_file) if row["submission_id"] == OVERRIDE]
    rubric = rubric_of(database, OVERRIDE)
    assert [(s["component"], s["component_title"], s["part_title"]) for s in scores] == [
        (c.id, c.title, rubric.part_title(c.part_number)) for c in rubric.spec.components if c.scored
    ]
    reflection = next(s for s in scores if s["component"] == "reflection")
    assert (reflection["level"], reflection["passing"], reflection["rubric_version"]) == (
        "Not Yet",
        "no",
        rubric.spec.version,
    )
    assert {(s["attempt"], s["reading"]) for s in scores} == {("1", "1")}


# -- Open Badges 3.0 ----------------------------------------------------------------------


def test_ob3_writes_a_credential_per_earned_decision(database, sample, dest):
    result = sync.sync(database, dest, "coordinator", fmt=ob3())
    assert result.format == "ob3" and result.batch == 1
    assert sorted(result.decisions) == [(sid, 1, 1) for sid in sorted(sample)]
    names = visible(dest)
    assert len(names) == 3 and hidden(dest) == []  # two credentials, then the manifest
    assert result.files == [dest / name for name in (names[2], names[0], names[1])]  # marker first

    listed = manifest(dest)
    assert (listed["format"], listed["batch"], listed["signed"]) == ("ob3", 1, False)
    assert [entry["submission_id"] for entry in listed["decisions"]] == [d[0] for d in result.decisions]
    files = {entry["submission_id"]: entry["file"] for entry in listed["decisions"]}
    assert files == {EARNED: names[0], OVERRIDE: names[1], NOT_YET: None, RETURNED: None}
    outcomes = {entry["submission_id"]: entry["decision"] for entry in listed["decisions"]}
    assert outcomes == {
        EARNED: "earned",
        OVERRIDE: "earned",
        NOT_YET: "not_yet",
        RETURNED: "returned_identifiable",
    }

    documents = credentials(dest)
    assert set(documents) == {EARNED, OVERRIDE}  # a Not Yet and a return get no credential
    for document in documents.values():
        check_credential(document)
    assert result.scores == sum(len(d["credentialSubject"]["result"]) for d in documents.values())


def test_ob3_document_describes_the_rubric_and_the_levels_reached(database, sample, dest):
    sync.sync(database, dest, "coordinator", fmt=ob3())
    document = credentials(dest)[OVERRIDE]
    rubric = rubric_of(database, OVERRIDE)
    spec = rubric.spec
    assert document["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["issuer"]["name"] == PROGRAMME and document["issuer"]["type"] == ["Profile"]
    decided_at = sql_value(database, "SELECT decided_at FROM decisions WHERE submission_id = ?", (OVERRIDE,))
    assert document["validFrom"] == decided_at[:19] + "Z"

    subject = document["credentialSubject"]
    assert subject["identifier"] == [
        {"type": "IdentityObject", "identityHash": "C-40817", "identityType": "identifier", "hashed": False}
    ]
    achievement = subject["achievement"]
    assert (achievement["name"], achievement["version"], achievement["description"]) == (
        spec.title,
        spec.version,
        spec.summary,
    )
    assert achievement["criteria"]["narrative"].startswith(spec.award_statement)
    assert "Artifact 1: Action Plan: Proficient" in achievement["criteria"]["narrative"]

    scored = [c for c in spec.components if c.scored]
    descriptions = achievement["resultDescription"]
    assert [rd["name"] for rd in descriptions] == [c.title for c in scored]
    for rd, component in zip(descriptions, scored, strict=True):
        assert rd["resultType"] == "RubricCriterionLevel"
        assert rd["allowedValue"] == list(reversed(component.scale.levels))  # low to high
        levels = {level["name"]: level for level in rd["rubricCriterionLevel"]}
        assert list(levels) == rd["allowedValue"]
        for name, level in levels.items():
            assert level.get("description") == component.levels[name]  # None: the document gives none
        needed = "Proficient" if component.part_number == 2 else "Passing"
        assert (rd["requiredLevel"], rd["requiredValue"]) == (levels[needed]["id"], needed)

    achieved = {
        next(rd["name"] for rd in descriptions if rd["id"] == r["resultDescription"]): next(
            level["name"]
            for rd in descriptions
            for level in rd["rubricCriterionLevel"]
            if level["id"] == r["achievedLevel"]
        )
        for r in subject["result"]
    }
    assert achieved == {
        "Overview questions": "Passing",
        "Artifact 1: Action Plan": "Proficient",
        "Artifact 2: Case Study": "Proficient",
        "Reflection": "Not Yet",  # the override: the credential says what was scored
    }

    evidence = document["evidence"]
    responses = [e for e in evidence if e["genre"] == "Response"]
    assert [e["name"] for e in responses] == [c.title for c in spec.components if c.takes_response]
    (attachment,) = [e for e in evidence if e["genre"] == "Attachment"]
    assert attachment["name"].startswith("Completed Action Plan Template")
    text = json.dumps(document)
    stored = ReviewSession(database, "reader").load(OVERRIDE).responses
    assert all(body.strip()[:60] not in text for body in stored.values())  # by reference only


def test_ob3_ids_are_stable_uris(database, sample, dest, tmp_path):
    sync.sync(database, dest, "ana", fmt=ob3())
    first = credentials(dest)
    again = tmp_path / "again"
    again.mkdir()
    sync.sync(database, again, "ana", fmt=ob3(), everything=True)
    assert credentials(again) == first  # the same decision, the same document

    ids = [first[EARNED]["id"], first[EARNED]["credentialSubject"]["id"], first[EARNED]["issuer"]["id"]]
    assert all(i.startswith("urn:uuid:") for i in ids) and len(set(ids)) == 3
    other = tmp_path / "other"
    other.mkdir()
    sync.sync(database, other, "ana", fmt=ob3(issuer_id="https://example.org/issuer"), everything=True)
    changed = credentials(other)[EARNED]
    assert changed["issuer"]["id"] == "https://example.org/issuer"
    assert changed["id"] != first[EARNED]["id"]  # ids are scoped to a configured issuer

    hosted = tmp_path / "hosted"
    hosted.mkdir()
    sync.sync(database, hosted, "ana", fmt=ob3(base_url="https://badges.example.org/mc/"), everything=True)
    document = credentials(hosted)[OVERRIDE]
    check_credential(document)
    assert document["id"] == "https://badges.example.org/mc/credentials/PPR-2026-001/1"
    assert document["credentialSubject"]["id"] == "https://badges.example.org/mc/candidates/C-40817"
    levels = document["credentialSubject"]["achievement"]["resultDescription"][0]["rubricCriterionLevel"]
    assert levels[0]["id"].endswith("/components/overview/levels/Not%20Yet")
    assert document["evidence"][0]["id"] == (
        "https://badges.example.org/mc/submissions/PPR-2026-001/1/components/overview"
    )


def test_issuer_from_the_spec_or_the_setting(database, sample, dest):
    before = {name: rows for name, rows in dump(database).items() if name != "sync_batches"}
    # The sample's Positive Professional Relationships spec names no issuer.
    with pytest.raises(sync.SyncError) as raised:
        sync.sync(database, dest, "ana", fmt=Ob3Format())
    assert str(raised.value) == (
        "ob3: positive-professional-relationships: its spec names no issuer;"
        " give one with --issuer-name (or MCREVIEW_ISSUER_NAME)"
    )
    assert list(dest.iterdir()) == []
    assert sql_value(database, "SELECT count(*) FROM sync_batches") == 0
    with pytest.raises(sync.SyncError, match="names no issuer"):
        sync.sync(database, dest, "ana", fmt=Ob3Format(), dry_run=True)
    assert {name: rows for name, rows in dump(database).items() if name != "sync_batches"} == before

    named = rubric_of(database, EARNED)
    assert Ob3Format().issuer(named)["name"] == "Missouri micro-credential library (ELN)"
    assert ob3().issuer(named)["name"] == PROGRAMME  # the setting overrides the spec
    with pytest.raises(ExportError, match="--issuer-id: 'example' is not a URI"):
        Ob3Format(issuer_id="example")
    with pytest.raises(ExportError, match="--base-url"):
        Ob3Format(base_url="badges.example.org")


# Each step of writing a batch of two credentials and a manifest, and whether the batch
# counts as sent after a crash there: only once the manifest (the marker) is in place.
OB3_CRASH_POINTS = [
    pytest.param("write", 1, False, id="before-first-write"),
    pytest.param("fsync", 3, False, id="before-last-fsync"),
    pytest.param("rename", 1, False, id="before-first-rename"),
    pytest.param("rename", 3, False, id="credentials-in-place-manifest-not"),
    pytest.param("fsync_dir", 1, True, id="manifest-in-place-before-db-mark"),
]


@pytest.mark.parametrize(("step", "call", "reached"), OB3_CRASH_POINTS)
def test_an_interrupted_ob3_sync_recovers_like_csv(database, sample, dest, step, call, reached):
    fs = FaultyFs(step, call)
    with pytest.raises(Crash):
        sync.sync(database, dest, "ana", fmt=ob3(), fs=fs)
    assert fs.seen[step] == call
    assert any(n.endswith("-manifest.json") for n in visible(dest)) == reached
    assert len(unsynced(database, "ob3")) == 4  # nothing counts as sent yet
    assert sql(database, "SELECT id, finished_at FROM sync_batches") == [(1, None)]

    dry = sync.sync(database, dest, "ana", fmt=ob3(), dry_run=True)
    assert [(i.batch, i.format, i.reached_destination) for i in dry.interrupted] == [(1, "ob3", reached)]
    assert sorted(dry.decisions) == ([] if reached else [(sid, 1, 1) for sid in sorted(sample)])

    rerun = sync.sync(database, dest, "ana", fmt=ob3())
    (interrupted,) = rerun.interrupted
    assert interrupted.reached_destination == reached
    assert rerun.batch == (None if reached else 2)
    assert hidden(dest) == []
    names = visible(dest)
    assert len(names) == 3 and len({n.split("-")[1] for n in names}) == 1  # one whole batch
    listed = manifest(dest)["decisions"]
    assert sorted(entry["submission_id"] for entry in listed) == sorted(sample)  # each exactly once
    assert set(credentials(dest)) == {EARNED, OVERRIDE}
    assert unsynced(database, "ob3") == [] and len(unsynced(database, "csv")) == 4
    statuses = dict(
        sql(database, "SELECT id, status FROM submissions WHERE id IN (?, ?, ?, ?)", sample)
    )
    assert statuses == {
        EARNED: Status.SYNCED,
        OVERRIDE: Status.SYNCED,
        NOT_YET: Status.SYNCED,
        RETURNED: "returned",
    }
    event = sql_row(database, "SELECT after FROM events WHERE action = 'sync'")
    assert json.loads(event[0])["format"] == "ob3"


def test_each_format_keeps_its_own_record(database, sample, dest, tmp_path):
    csv_dest = tmp_path / "csv"
    csv_dest.mkdir()
    assert sync.sync(database, csv_dest, "ana").batch == 1
    assert sync.sync(database, csv_dest, "ana").decisions == []
    assert len(sync.sync(database, dest, "ana", fmt=ob3(), dry_run=True).decisions) == len(sample)
    assert sync.sync(database, dest, "ana", fmt=ob3()).batch == 2
    assert sync.sync(database, dest, "ana", fmt=ob3()).decisions == []
    assert sql(database, "SELECT id, format FROM sync_batches ORDER BY id") == [(1, "csv"), (2, "ob3")]

    session = ReviewSession(database, "ana")  # a revision goes out again, in each format
    assert session.reopen(EARNED) == 2
    session.decide(EARNED, comment="Re-read: still earned.")
    assert sync.sync(database, dest, "ana", fmt=ob3()).decisions == [(EARNED, 1, 2)]
    assert sync.sync(database, csv_dest, "ana").decisions == [(EARNED, 1, 2)]
    revised = [n for n in visible(dest) if n.startswith("ob3-000003-")]
    assert len(revised) == 2  # one credential, its manifest
    document = json.loads((dest / sorted(revised)[0]).read_text(encoding="utf-8"))
    first = json.loads((dest / sorted(visible(dest))[0]).read_text(encoding="utf-8"))
    assert document["id"] == first["id"] and document["validFrom"] >= first["validFrom"]  # an update

    everything = sync.sync(database, dest, "ana", fmt=ob3(), everything=True)
    assert len(everything.decisions) == 5 and everything.batch == 5


def signing_key(tmp_path: Path) -> tuple[Path, ed25519.Ed25519PrivateKey]:
    key = ed25519.Ed25519PrivateKey.generate()
    path = tmp_path / "issuer-key.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path, key


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_signed_credentials_are_vc_jwts_a_verifier_accepts(database, sample, dest, tmp_path):
    path, key = signing_key(tmp_path)
    fmt = make_format("ob3", ExportOptions(issuer_name=PROGRAMME, sign_key=path))
    sync.sync(database, dest, "ana", fmt=fmt)
    listed = manifest(dest)
    assert listed["signed"] is True
    tokens = {
        e["submission_id"]: (dest / e["file"]).read_text("ascii") for e in listed["decisions"] if e["file"]
    }
    assert set(tokens) == {EARNED, OVERRIDE}
    for token in tokens.values():
        header_b64, payload_b64, signature = token.split(".")
        header = json.loads(unb64(header_b64))
        public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        assert header == {
            "alg": "EdDSA",
            "typ": "JWT",
            "jwk": {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": base64.urlsafe_b64encode(public).rstrip(b"=").decode(),
            },
        }
        key.public_key().verify(unb64(signature), f"{header_b64}.{payload_b64}".encode())  # raises if bad
        claims = json.loads(unb64(payload_b64))
        check_credential(claims)
        assert claims["iss"] == claims["issuer"]["id"] and claims["jti"] == claims["id"]
        assert claims["sub"] == claims["credentialSubject"]["id"]
        assert claims["nbf"] == int(
            datetime.fromisoformat(claims["validFrom"].replace("Z", "+00:00")).timestamp()
        )
    unsigned = tmp_path / "unsigned"
    unsigned.mkdir()
    sync.sync(database, unsigned, "ana", fmt=ob3(), everything=True)
    payload = json.loads(unb64(tokens[OVERRIDE].split(".")[1]))
    assert {k: v for k, v in payload.items() if k not in ("iss", "jti", "nbf", "sub")} == credentials(
        unsigned
    )[OVERRIDE]


def test_a_key_that_cannot_sign_is_refused_in_one_line(tmp_path):
    missing = tmp_path / "nope.pem"
    with pytest.raises(ExportError, match=r"nope.pem: cannot read the signing key: No such file"):
        make_format("ob3", ExportOptions(sign_key=missing))
    text = tmp_path / "text.pem"
    text.write_text("not a key", encoding="utf-8")
    with pytest.raises(ExportError, match="text.pem: not a PEM private key$"):
        make_format("ob3", ExportOptions(sign_key=text))
    other = tmp_path / "rsa.pem"
    other.write_bytes(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    with pytest.raises(ExportError, match="rsa.pem: not an Ed25519 key"):
        make_format("ob3", ExportOptions(sign_key=other))
    locked = tmp_path / "locked.pem"
    locked.write_bytes(
        ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    with pytest.raises(ExportError, match="locked.pem: the key is encrypted"):
        make_format("ob3", ExportOptions(sign_key=locked))
    with pytest.raises(ExportError, match="--sign-key: csv files are not signed"):
        make_format("csv", ExportOptions(sign_key=missing))


def test_the_structural_check_catches_what_the_schema_forbids(database, sample, dest):
    """The hand-written check is only worth something if it fails where the schema would."""
    assert SCHEMA_ID.endswith("ob_v3p0_achievementcredential-jsonschema1.json")
    sync.sync(database, dest, "ana", fmt=ob3())
    good = credentials(dest)[EARNED]
    check_credential(good)

    def broken(change) -> str:
        document = json.loads(json.dumps(good))
        change(document)
        with pytest.raises(AssertionError) as raised:
            check_credential(document)
        return str(raised.value).splitlines()[0]

    assert "missing required 'validFrom'" in broken(lambda d: d.pop("validFrom"))
    assert "@context[0]" in broken(lambda d: d["@context"].reverse())
    assert "@context" in broken(lambda d: d.update({"@context": ["https://www.w3.org/ns/credentials/v2"]}))
    assert "must contain AchievementCredential or OpenBadgeCredential" in broken(
        lambda d: d.update(type=["VerifiableCredential"])
    )
    assert "$.issuer.type" in broken(lambda d: d["issuer"].update(type="Profile"))
    assert "criteria" in broken(lambda d: d["credentialSubject"]["achievement"].pop("criteria"))
    assert "resultType" in broken(
        lambda d: d["credentialSubject"]["achievement"]["resultDescription"][0].update(resultType="Grade")
    )
    assert "achievedLevel" in broken(
        lambda d: d["credentialSubject"]["result"][0].update(achievedLevel="urn:x")
    )
    assert "identifier[0]: properties not allowed" in broken(
        lambda d: d["credentialSubject"]["identifier"][0].update(extra=1)
    )
    assert "time zone" in broken(lambda d: d.update(validFrom="2026-10-01T12:00:00"))


def test_every_format_is_offered(tmp_path):
    assert set(FORMATS) == {"csv", "ob3"}
    assert isinstance(make_format("csv"), CsvFormat)
    with pytest.raises(ExportError, match="unknown export format 'xml' \\(known: csv, ob3\\)"):
        make_format("xml")


# -- the command ---------------------------------------------------------------------------


@pytest.fixture
def run(db_path, monkeypatch):
    runner = CliRunner()
    monkeypatch.delenv("MCREVIEW_ISSUER_NAME", raising=False)

    def invoke(*args: str, env: dict[str, str] | None = None):
        return runner.invoke(
            cli, ["--db", str(db_path), "--specs", str(SPECS_DIR), "--assessor", "ana", *args], env=env
        )

    return invoke


def test_cli_ob3(run, database, sample, dest, tmp_path):
    refused = run("sync", "--format", "ob3", str(dest))
    assert refused.exit_code == 1
    assert refused.output == (
        "Error: ob3: positive-professional-relationships: its spec names no issuer;"
        " give one with --issuer-name (or MCREVIEW_ISSUER_NAME)\n"
    )
    env = {"MCREVIEW_ISSUER_NAME": PROGRAMME}
    dry = run("sync", "--format", "ob3", "--dry-run", str(dest), env=env)
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines() == [
        f"would sync 4 decisions, 10 scores to {dest} as ob3:",
        *(f"  {sid} revision 1" for sid in sorted(sample, key=decided_order(database))),
        "dry run: nothing written",
    ]
    assert list(dest.iterdir()) == []

    done = run("sync", "--format", "ob3", str(dest), env=env)
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0] == "batch 2 as ob3: 4 decisions, 10 scores"  # the refused run gave up number 1
    assert sorted(lines[1:]) == sorted(f"  {dest / name}" for name in visible(dest))
    assert run("sync", "--format", "ob3", str(dest), env=env).output == "nothing new to sync as ob3\n"
    assert run("sync", str(dest)).output.startswith("batch 3: 4 decisions, 13 scores\n")  # csv: every score

    again = run("sync", "--format", "ob3", "--all", "--issuer-name", "Other", str(dest))
    assert again.exit_code == 0 and again.output.startswith("batch 4 as ob3: 4 decisions, 10 scores\n")
    names = Counter(n.split("-")[1] for n in visible(dest) if n.startswith("ob3-"))
    assert names == {"000002": 3, "000004": 3}

    unknown = run("sync", "--format", "xml", str(dest))
    assert (unknown.exit_code, unknown.output) == (
        1,
        "Error: unknown export format 'xml' (known: csv, ob3)\n",
    )
    key, _ = signing_key(tmp_path)
    csv_signed = run("sync", "--sign-key", str(key), str(dest))
    assert csv_signed.exit_code == 1
    assert csv_signed.output == "Error: --sign-key: csv files are not signed (ob3 credentials can be)\n"
    bad_id = run("sync", "--format", "ob3", str(dest), env={**env, "MCREVIEW_ISSUER_ID": "not a uri"})
    assert bad_id.exit_code == 1 and bad_id.output.startswith("Error: --issuer-id: 'not a uri' is not a URI")
    signed = run("sync", "--format", "ob3", "--all", "--sign-key", str(key), str(dest), env=env)
    assert signed.exit_code == 0, signed.output
    assert sum(n.endswith(".jwt") for n in visible(dest)) == 2
