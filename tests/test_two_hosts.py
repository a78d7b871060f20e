"""A team on two hosts: two processes with separate home folders and no files in common,
one PostgreSQL server between them; a submission is graded end to end through them.

Host A (the coordinator) imports a submission with an attachment from its own disk, then
deletes its copy of the incoming folder. Host B (an assessor) opens the queue by URL,
reads the attachment's bytes from the server, claims, scores, comments and decides.
Host A then reads B's work in the audit trail and exports the decision with sync.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap

from conftest import SPECS_DIR, all_passing, ppr_record, write_yaml

SID = "PPR-T-001"
ATTACHMENT = b"Action plan, with measurable goals.\n\x00binary tail\xff"


def host(home, url: str):
    """A host of its own: its own home, data and config folders, working in its home."""
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MCREVIEW_", "XDG_"))}
    env |= {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "MCREVIEW_DB": url,
        "MCREVIEW_SPECS": str(SPECS_DIR),
    }

    def run(*args: str, assessor: str):
        done = subprocess.run(
            [sys.executable, *args],
            cwd=home,
            env={**env, "MCREVIEW_ASSESSOR": assessor},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    return run


ASSESSOR_B = textwrap.dedent(
    """
    import hashlib, json, os, sys
    from mcreview.services.session import ReviewSession
    from mcreview.store import open_store

    levels = json.loads(sys.argv[1])
    store = open_store(os.environ["MCREVIEW_DB"])
    me = ReviewSession(store, os.environ["MCREVIEW_ASSESSOR"])
    state = me.load("PPR-T-001")
    (attachment,) = [a for a in state.attachments if a.path]
    content = me.attachment_content("PPR-T-001", seq=attachment.seq)
    me.claim("PPR-T-001")
    for component, level in levels.items():
        me.set_level("PPR-T-001", component_id=component, level=level)
    me.set_comment("PPR-T-001", component_id="action-plan", body="Goals are measurable.")
    outcome = me.decide("PPR-T-001", comment="Well evidenced.", seen_levels=me.load("PPR-T-001").levels)
    print(json.dumps({
        "path_exists_here": os.path.exists(attachment.path),
        "sha256": hashlib.sha256(content.content).hexdigest(),
        "media_type": content.media_type,
        "outcome": outcome,
    }))
    store.close()
    """
)


def test_a_submission_graded_end_to_end_from_two_hosts(tmp_path, pg_url):
    run_a = host(tmp_path / "host-a", pg_url)
    run_b = host(tmp_path / "host-b", pg_url)
    incoming = tmp_path / "host-a" / "incoming"
    incoming.mkdir()
    (incoming / "plan.txt").write_bytes(ATTACHMENT)
    record = ppr_record(
        SID, attachments=[{"component": "action-plan", "path": "plan.txt", "description": "Plan"}]
    )
    write_yaml(incoming, "a.yaml", record)

    imported = run_a("-m", "mcreview", "import", str(incoming), assessor="coordinator")
    assert imported.strip() == "1 imported, 0 already queued, 0 conflicts, 0 rejected"
    shutil.rmtree(incoming)  # nothing of host A's disk is left for host B to read

    script = tmp_path / "host-b" / "assess.py"
    script.write_text(ASSESSOR_B, encoding="utf-8")
    report = json.loads(run_b(str(script), json.dumps(all_passing()), assessor="ben"))
    assert report == {
        "path_exists_here": False,
        "sha256": hashlib.sha256(ATTACHMENT).hexdigest(),
        "media_type": "text/plain",
        "outcome": "earned",
    }

    history = run_a("-m", "mcreview", "history", SID, assessor="coordinator").splitlines()
    assert [line.split()[2:4] for line in history] == [
        ["import", "import"],
        ["ben", "claim"],
        *[["ben", "score"]] * 4,
        ["ben", "comment"],
        ["ben", "decide"],
        ["ben", "release"],
    ]
    outbox = tmp_path / "host-a" / "outbox"
    outbox.mkdir()
    synced = run_a("-m", "mcreview", "sync", str(outbox), assessor="coordinator")
    assert synced.startswith("batch 1: 1 decisions, 4 scores")
    (decisions,) = outbox.glob("decisions-*.csv")
    with open(decisions, encoding="utf-8-sig", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["submission_id"], row["assessor"]) == (SID, "ben")
    assert "earned" in row.values()
    queue = run_b("-m", "mcreview", "queue", "--json", assessor="ben")
    assert json.loads(queue)[0]["status"] == "synced"
    assert not (tmp_path / "host-b" / ".local" / "share" / "mcreview" / "queue.db").exists()
