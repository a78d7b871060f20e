"""A queue in which every field that can reach a terminal carries an escape sequence.

Each field gets its own tag, so a test can say which field leaked. A hostile value is
`TAG` wrapped in an OSC 52 clipboard write (ESC ] 52 ; c ; TAG BEL) and a C1 OSC
window-title sequence (U+009D 0 ; TAG U+009C). The terminal must never receive those
bytes; the screen must show their visible form (`visible(tag)`).

The assessor names are written straight through ReviewSession, as an older mcreview
(or a script) could have; the CLI refuses such a name at the door.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from conftest import SPECS_DIR, words

from mcreview.core.textsafe import visible_controls
from mcreview.core.vocabulary import OVERALL
from mcreview.services import importer
from mcreview.services.session import ReviewSession
from mcreview.services.specfiles import load_spec_dir
from mcreview.store.sqlite import open_sqlite

PPR = "positive-professional-relationships"


def hostile(tag: str) -> str:
    """Markup, then an OSC 52 clipboard write, then a C1 window-title sequence."""
    return f"[i]\x1b]52;c;{tag}\x07\x9d0;{tag}\x9c"


def visible(tag: str) -> str:
    """The start of what the screen shows for hostile(tag): enough to name the field,
    with the markup still there (it is text, not markup)."""
    return visible_controls(f"[i]\x1b]52;c;{tag}")


def yaml_hostile(tag: str) -> str:
    """hostile(tag) as a YAML double-quoted scalar (PyYAML refuses raw control bytes)."""
    return f'"[i]\\e]52;c;{tag}\\a\\x9d0;{tag}\\x9c"'


HOSTILE_ASSESSOR = "Eve" + hostile("AN")
SPEC_TAGS = {
    "title: Positive Professional Relationships": f"title: {yaml_hostile('ST')}",
    "title: Overview Questions": f"title: {yaml_hostile('PT')}",
    "title: Overview questions": f"title: {yaml_hostile('CT')}",
    '- "What characteristics do your positive professional relationships have in common?"': (
        f"- {yaml_hostile('PR')}"
    ),
    'statement: "To earn the micro-credential,': (
        'statement: "[i]\\e]52;c;AW\\a\\x9d0;AW\\x9c To earn the micro-credential,'
    ),
}


def hostile_spec_dir(folder: Path) -> Path:
    """The bundled specs, with the PPR spec's titles, prompt, descriptor and statement made hostile."""
    specs = folder / "specs"
    shutil.copytree(SPECS_DIR, specs)
    path = specs / f"{PPR}.yaml"
    text = path.read_text(encoding="utf-8")
    for plain, bad in SPEC_TAGS.items():
        assert plain in text, plain
        text = text.replace(plain, bad, 1)
    # The first descriptor (Overview, Passing): a folded block, replaced whole.
    text, count = re.subn(
        r"Passing: >-\n            Responses completely.*?easy to understand\.\n",
        lambda _: f"Passing: {yaml_hostile('DE')}\n",
        text,
        count=1,
        flags=re.S,
    )
    assert count == 1
    path.write_text(text, encoding="utf-8")
    return specs


def record(submission_id: str, **responses: str) -> dict:
    body = {
        "overview": words(400),
        "action-plan": "## Goals\n\n- " + words(200),
        "case-study": words(300),
        "reflection": words(420),
    }
    body.update(responses)
    return {
        "id": submission_id,
        "credential": PPR,
        "submitted": f"2026-10-0{submission_id[-1]}",
        "candidate": "C-10001",
        "responses": body,
    }


def build(folder: Path) -> tuple[Path, Path]:
    """A queue database and its specs folder, every terminal-bound field hostile.

    H-001: responses, attachments and prechecks hostile, claimed by the hostile assessor.
    H-002: scored and commented by the hostile assessor, then released; a hostile draft.
    H-003: decided by the hostile assessor with an override justification.
    H-004: returned by the hostile assessor with a hostile note.
    """
    specs_dir = hostile_spec_dir(folder)
    specs, problems = load_spec_dir(specs_dir)
    assert problems == [], problems
    incoming = folder / "incoming"
    (incoming / "attachments").mkdir(parents=True)
    (incoming / "attachments" / "plan.txt").write_text("plan", encoding="utf-8")
    # Import refuses a control character in an attachment path; an older mcreview did
    # not, so the hostile file name is put in the queue by hand below.
    attachment_name = f"plan{hostile('AP')}.txt"
    (incoming / "attachments" / attachment_name).write_text("plan", encoding="utf-8")
    first = record(
        "H-001",
        overview=f"{hostile('RS')} Jane Smith wrote to jane{hostile('IX')}@example.com\n\n" + words(390),
    )
    first["attachments"] = [
        {"component": "action-plan", "path": "attachments/plan.txt", "description": hostile("AD")},
        {"component": "action-plan", "url": f"https://example.org/{hostile('AU')}", "description": "link"},
    ]
    lines = [json.dumps(first)] + [json.dumps(record(f"H-00{n}")) for n in (2, 3, 4)]
    (incoming / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    path = folder / "queue.db"
    store = open_sqlite(path)
    try:
        report = importer.import_paths(store, [incoming], specs)
        assert report.ok and len(report.imported) == 4, report.rejected
        eve = ReviewSession(store, HOSTILE_ASSESSOR)
        ana = ReviewSession(store, "ana")
        eve.set_level("H-002", component_id="overview", level="Passing")
        eve.set_comment("H-002", component_id="overview", body="Good " + hostile("CM"))
        eve.set_comment("H-002", component_id=OVERALL, body="Overall " + hostile("OC"))
        eve.release("H-002")
        ana.save_draft("H-002", field="overview", body="Half typed " + hostile("DR"))
        levels = (("overview", "Passing"), ("action-plan", "Basic"), ("case-study", "Basic"))
        for component, level in (*levels, ("reflection", "Passing")):
            eve.set_level("H-003", component_id=component, level=level)
        eve.decide("H-003", comment="See notes", outcome="earned", justification="Because " + hostile("JU"))
        eve.return_submission("H-004", reason="incomplete", comment="Missing " + hostile("RN"))
        eve.claim("H-001")
        store.conn.execute(
            "UPDATE attachments SET path = ? WHERE path LIKE '%plan.txt'",
            (str(incoming / "attachments" / attachment_name),),
        )
        store.conn.commit()
    finally:
        store.close()
    return path, specs_dir
