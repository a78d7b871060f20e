"""The lead's screens with hostile text: no escape sequence from data reaches the terminal.

tests/test_terminal_safety.py walks the assessor's screens; this walks the ones second
readings added: the moderation screen (two readings side by side), the reader choice
and moderation record dialogues, and the approval view with its send-back confirmation.
Both readers' names, their comments and the spec's titles and descriptors carry OSC 52
and C1 sequences (tests/hostile_data.py); the app runs on a real pty, every byte kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hostile_data import HOSTILE_ASSESSOR, hostile, hostile_spec_dir, record, visible
from ptyterm import PtyApp
from test_terminal_safety import assert_no_control_from_data

from mcreview.services import importer
from mcreview.services.programme import load_programme
from mcreview.services.session import ReviewSession
from mcreview.services.specfiles import load_spec_dir
from mcreview.store.sqlite import open_sqlite

SECOND_READER = "Bea" + hostile("BN")
LEVELS = {"overview": "Passing", "action-plan": "Proficient", "case-study": "Proficient", "reflection": "Passing"}


def queue(folder: Path, programme: str) -> tuple[Path, Path]:
    """H-001 read by the hostile assessor (and, with two readings, by a second hostile reader
    who differs on the case study); the lead is plain 'lead', as the CLI insists."""
    specs_dir = hostile_spec_dir(folder)
    specs, problems = load_spec_dir(specs_dir)
    assert problems == [], problems
    (folder / "incoming").mkdir()
    (folder / "incoming" / "batch.jsonl").write_text(json.dumps(record("H-001")) + "\n", encoding="utf-8")
    path = folder / "queue.db"
    store = open_sqlite(path)
    try:
        load_programme(store, text=programme, file="p.yaml", assessor="lead", credentials=specs)
        assert importer.import_paths(store, [folder / "incoming"], specs).imported == ["H-001"]
        first = ReviewSession(store, HOSTILE_ASSESSOR)
        for component, level in LEVELS.items():
            first.set_level("H-001", component_id=component, level=level)
        first.set_comment("H-001", component_id="case-study", body="Strong " + hostile("CM"))
        first.decide("H-001", comment="Overall " + hostile("OC"))
        if "two" in programme:
            second = ReviewSession(store, SECOND_READER)
            for component, level in (LEVELS | {"case-study": "Basic"}).items():
                second.set_level("H-001", component_id=component, level=level)
            second.set_comment("H-001", component_id="case-study", body="Thin " + hostile("CB"))
            second.decide("H-001", comment="Not yet " + hostile("OB"))
    finally:
        store.close()
    return path, specs_dir


class LeadWalk:
    """The real app on a pty as the lead, opened on H-001, and the hostile fields seen drawn."""

    def __init__(self, path: Path, specs_dir: Path) -> None:
        self.app = PtyApp(["--db", str(path), "--specs", str(specs_dir), "--assessor", "lead"], size=(160, 50))
        self.seen: set[str] = set()

    def expect(self, *tags: str) -> None:
        for tag in tags:
            self.app.wait_for_text(visible(tag))
            self.seen.add(tag)


@contextmanager
def lead_walk(path: Path, specs_dir: Path) -> Iterator[LeadWalk]:
    """Open H-001 as the lead; after the walk, Escape to the queue and quit, then check
    every byte the app wrote."""
    walk = LeadWalk(path, specs_dir)
    app = walk.app
    try:
        app.wait_for_text("H-001")
        app.send(b"/H-001\r")
        app.wait_for_text("search “H-001”")  # applied, the table has the keys (the queue before it holds one row too)
        app.send(b"\r")
        yield walk
        app.send(b"\x1b")
        app.wait_for_text("Oldest pending")
        code = app.quit()
    finally:
        if not app.closed:
            app.kill()
    assert code == 0
    assert_no_control_from_data(app.raw, drawn_by_textual=True)


def test_the_moderation_screens_show_hostile_fields_as_text(tmp_path):
    path, specs_dir = queue(tmp_path, "leads: [lead]\ndefaults:\n  readings: two\n")
    with lead_walk(path, specs_dir) as walk:
        app = walk.app
        app.wait_for_text("THE READINGS DIFFER")
        walk.expect("AN", "BN", "CM", "CB", "CT", "OC", "OB")
        app.send(b"s")  # which reader to send it back to: both names
        app.wait_for_text("Send back to which reader?")
        walk.expect("AN", "BN")
        app.send(b"\x1b")
        app.wait_for(lambda: "which reader?" not in app.text(), "the reader choice to close")
        app.send(b"d")  # the moderation record: what will be recorded, the credential named
        app.wait_for_text("Moderation decision")
        walk.expect("ST", "CT")
        app.send(b"\x1b")
        app.wait_for_text("THE READINGS DIFFER")
    assert walk.seen == {"AN", "BN", "CM", "CB", "CT", "OC", "OB", "ST"}


def test_the_approval_view_and_its_send_back_show_hostile_fields_as_text(tmp_path):
    path, specs_dir = queue(tmp_path, "leads: [lead]\ndefaults:\n  approval: true\n")
    with lead_walk(path, specs_dir) as walk:
        app = walk.app
        app.wait_for_text("Reading 1 recorded by")
        walk.expect("AN", "OC", "CM", "CT")
        app.send(b"s")  # send back: the note, then the confirmation naming the reader
        app.wait_for_text("^r discard")
        app.send(b"Look again.\x0f")
        app.wait_for_text("reading goes back to")
        walk.expect("AN")
        app.send(b"\x1b")  # back: nothing recorded
        app.wait_for_text("Reading 1 recorded by")
    assert walk.seen == {"AN", "OC", "CM", "CT"}
    store = open_sqlite(path)
    try:
        assert store.conn.execute("SELECT status FROM submissions").fetchall() == [("approval",)]
    finally:
        store.close()
