"""kill -9 mid-session: the real app in a pseudo-terminal, killed with no clean shutdown."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest
from conftest import SAMPLE_DIR, SPECS_DIR, sql, sql_row, sql_value

from mcreview.services import importer
from mcreview.services.specfiles import load_spec_dir
from mcreview.store import open_store
from mcreview.tui.app import build_app
from mcreview.tui.screens.review_screen import ReviewScreen

DEADLINE_SECONDS = 60  # a safety net only; the test waits on database state, not on time


class PtyApp:
    """The app as a child process on a pty, read continuously so it never blocks."""

    def __init__(self, db_path, assessor: str) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mcreview",
                "--db",
                str(db_path),
                "--specs",
                str(SPECS_DIR),
                "--assessor",
                assessor,
            ],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.output = b""

    def pump(self) -> None:
        ready, _, _ = select.select([self.master], [], [], 0.05)
        if ready:
            with contextlib.suppress(OSError):
                self.output += os.read(self.master, 65536)

    def wait_for(self, predicate, what: str) -> None:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while not predicate():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"gave up waiting for {what}; output tail: {self.output[-500:]!r}")
            self.pump()

    def send(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        os.close(self.master)


def count(path, statement: str) -> int:
    database = open_store(path)
    try:
        return sql_value(database, statement)
    finally:
        database.close()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")
async def test_kill_9_mid_session_loses_nothing(db_target):
    path = db_target
    database = open_store(path)
    specs, _ = load_spec_dir(SPECS_DIR)
    importer.import_paths(database, [SAMPLE_DIR], specs)
    first = sql_value(
        database,
        "SELECT id FROM submissions WHERE credential = 'positive-professional-relationships'"
        " ORDER BY submitted, id LIMIT 1",
    )
    database.close()

    app = PtyApp(path, "ana")
    try:
        app.wait_for(lambda: b"Oldest pending" in app.output, "the queue screen")
        app.send(b"/")
        app.wait_for(lambda: b"Search:" in app.output, "the search bar")
        app.send(first.encode() + b"\r")
        app.wait_for(lambda: b"rows 1\xe2\x80\x931 of 1" in app.output, "the search result")
        app.send(b"\r")
        app.wait_for(lambda: count(path, "SELECT count(*) FROM claims") == 1, "the claim")
        # Typed as one burst, as a fast typist or a paste delivers it: order must hold.
        app.send(b"1211")  # each level moves on to the next component to score
        app.wait_for(lambda: count(path, "SELECT count(*) FROM scores") == 4, "four scores")
        app.send(b"c")
        app.wait_for(lambda: b"^r discard" in app.output, "the comment editor")
        app.send(b"Needs measurable goals.\x0f")  # \x0f is ctrl+o: save and close
        app.wait_for(lambda: count(path, "SELECT count(*) FROM comments") == 1, "the comment")
    finally:
        app.kill()

    database = open_store(path)
    if database.backend == "sqlite":
        assert sql_row(database, "PRAGMA integrity_check") == ("ok",)
    rows = sql(database, "SELECT submission_id, component_id, level FROM scores ORDER BY component_id")
    comment = sql_row(database, "SELECT component_id, body FROM comments")
    database.close()
    assert rows == [
        (first, "action-plan", "Basic"),
        (first, "case-study", "Proficient"),
        (first, "overview", "Passing"),
        (first, "reflection", "Passing"),
    ]
    assert comment == ("reflection", "Needs measurable goals.")

    # Reopening resumes on the same submission and component, with the levels shown.
    again = build_app(path, "ana", dt.date(2026, 11, 23))
    async with again.run_test(size=(80, 24)):
        screen = again.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.submission_id == first
        assert screen.component.id == "reflection"
        assert len(screen.state.levels) == 4
        assert screen.read_only_reason is None  # the crashed session's own claim is renewed


async def test_a_comment_being_typed_survives_kill_9(db_target):
    path = db_target
    database = open_store(path)
    specs, _ = load_spec_dir(SPECS_DIR)
    importer.import_paths(database, [SAMPLE_DIR], specs)
    database.close()

    app = PtyApp(path, "ana")
    try:
        app.wait_for(lambda: b"Oldest pending" in app.output, "the queue screen")
        app.send(b"o")
        app.wait_for(lambda: count(path, "SELECT count(*) FROM claims") == 1, "the claim")
        app.send(b"c")
        app.wait_for(lambda: b"^r discard" in app.output, "the comment editor")
        app.send(b"Half-written feedback that must not be lost")
        app.wait_for(lambda: count(path, "SELECT count(*) FROM drafts") == 1, "the draft")
        app.wait_for(
            lambda: count(path, "SELECT count(*) FROM drafts WHERE body LIKE '%not be lost'") == 1,
            "the whole draft",
        )
    finally:
        app.kill()
    assert count(path, "SELECT count(*) FROM comments") == 0  # never saved as a comment

    from textual.widgets import TextArea

    again = build_app(path, "ana", dt.date(2026, 11, 23))
    async with again.run_test(size=(80, 24)) as pilot:
        assert isinstance(again.screen, ReviewScreen)
        await pilot.press("c")
        assert again.screen.query_one(TextArea).text == "Half-written feedback that must not be lost"
        await pilot.press("ctrl+o")
    assert count(path, "SELECT body FROM comments") == "Half-written feedback that must not be lost"
    assert count(path, "SELECT count(*) FROM drafts") == 0
