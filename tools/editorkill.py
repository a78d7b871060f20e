"""Kill the real app with SIGKILL while a comment is being typed; count what was lost.

Shared by the CI test (tests/test_editor_durability.py, a handful of kills) and the
benchmark (bench/kill_editor.py, a long run). Each round starts `mcreview` on a pty
(the review screen resumes where the last round was), opens the comment editor, checks
that the draft came back on screen, types characters one at a time at a typist's pace,
and kills the process at a random moment. Then it compares what the terminal showed in
the editor just before the kill (every byte the app wrote is fed to a terminal
emulator, including what was still in the pty's buffer) with the draft the database
holds: a character that was on screen and is not in the draft is lost.

Text is compared with runs of white space made one space, since the editor wraps
lines at spaces.
"""

from __future__ import annotations

import random
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from ptyterm import PtyApp

SIZE = (100, 40)
RESTART_DRAFT_AT = 1_200  # characters: then the draft is discarded and a new one begun


def norm(text: str) -> str:
    return " ".join(text.split())


def typed_text(count: int) -> str:
    """Words of five characters and a space: w0001 w0002 ..."""
    words = (f"w{n:04d}" for n in range(1, count // 6 + 2))
    return " ".join(words)[:count]


def editor_text(lines: list[str]) -> str | None:
    """The text inside the comment editor's box on screen, or None if it is not open."""
    rows = []
    inside = False
    for line in lines:
        left, right = line.find("▊"), line.rfind("▎")
        if left == -1 or right <= left:
            if inside:
                break
            continue
        body = line[left + 1 : right]
        if set(body) <= {"▔"}:
            inside = True
            continue
        if set(body) <= {"▁"}:
            break
        if inside:
            rows.append(body)
    return norm(" ".join(rows)) if inside else None


def draft_in(db: Path, assessor: str) -> str:
    connection = sqlite3.connect(db, timeout=30)
    try:
        row = connection.execute("SELECT body FROM drafts WHERE assessor = ?", (assessor,)).fetchone()
    finally:
        connection.close()
    return row[0] if row else ""


@dataclass
class Kill:
    typed: int  # characters sent in this round
    before: int  # characters of the draft when the round began
    visible: int  # characters of the draft on screen at the kill
    saved: int  # characters of the draft in the database after the kill
    lost: int  # on screen, not in the database


@dataclass
class KillRun:
    kills: list[Kill] = field(default_factory=list)
    restores_checked: int = 0

    @property
    def typed(self) -> int:
        return sum(k.typed for k in self.kills)

    @property
    def lost(self) -> int:
        return sum(k.lost for k in self.kills)

    @property
    def rounds_with_loss(self) -> int:
        return sum(1 for k in self.kills if k.lost)

    @property
    def lost_round(self) -> int:
        """Kills after which nothing the round had put on screen was kept."""
        return sum(1 for k in self.kills if k.visible > k.before and k.saved <= k.before)


def kill_while_typing(
    db: Path,
    specs: Path,
    *,
    kills: int,
    seed: int,
    chars: tuple[int, int] = (3, 20),
    key_delay: tuple[float, float] = (0.12, 0.25),
    assessor: str = "ana",
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    log: bool = False,
) -> KillRun:
    """`kills` rounds of: start, open the editor, type 3-20 characters with 120-250 ms
    between keys (by default), SIGKILL at a random moment after the last one."""
    rng = random.Random(seed)
    run = KillRun()
    text = typed_text(RESTART_DRAFT_AT + 2 * chars[1])
    for number in range(kills):
        app = PtyApp(
            ["--db", str(db), "--specs", str(specs), "--assessor", assessor], size=SIZE, env=env, cwd=cwd
        )
        try:
            before, chunk = _type_then_kill(app, db, assessor, text, rng, chars, key_delay)
        finally:
            app.kill()
        visible = editor_text(app.lines()) or ""
        saved = norm(draft_in(db, assessor))
        common = 0
        for on_screen, kept in zip(visible, saved, strict=False):
            if on_screen != kept:
                break
            common += 1
        lost = len(visible) - common
        kill = Kill(typed=len(chunk), before=before, visible=len(visible), saved=len(saved), lost=lost)
        run.kills.append(kill)
        run.restores_checked += 1 if before else 0
        if log:
            print(f"kill {number + 1}/{kills}: {kill}", flush=True)
    return run


def _type_then_kill(
    app: PtyApp,
    db: Path,
    assessor: str,
    text: str,
    rng: random.Random,
    chars: tuple[int, int],
    key_delay: tuple[float, float],
) -> tuple[int, str]:
    """One round up to the moment of the kill: (draft length at the start, what was typed)."""
    app.wait_for(lambda: "Rubric" in app.text() or "Oldest pending" in app.text(), "the app")
    if "Rubric" not in app.text():
        app.send(b"o")
        app.wait_for_text("Rubric")
    draft = draft_in(db, assessor)
    app.send(b"c")
    app.wait_for_text("^r discard")
    app.wait_for(lambda: editor_text(app.lines()) == norm(draft), "the restored draft on screen")
    if len(draft) > RESTART_DRAFT_AT:
        app.send(b"\x12")  # ctrl+r: discard it, and start a new draft
        app.wait_for(lambda: draft_in(db, assessor) == "", "the draft to go")
        app.send(b"c")
        app.wait_for(lambda: editor_text(app.lines()) == "", "an empty editor")
        draft = ""
    # This round continues the draft, which holds text[:len(draft)].
    chunk = text[len(draft) : len(draft) + rng.randint(*chars)]
    for index, character in enumerate(chunk):
        app.send(character.encode())
        delay = rng.uniform(*key_delay)
        if index == len(chunk) - 1:
            delay *= rng.random()  # the kill comes at a random moment after the last key
        until = time.monotonic() + delay
        while (left := until - time.monotonic()) > 0:
            app.pump(min(0.01, left))
    return len(draft), chunk
