"""The real `mcreview` on a pseudo-terminal, seen through a terminal emulator.

Used by the tests and the benchmarks that must see what an assessor sees: every byte
the app writes is kept (`raw`), and fed to a pyte screen (`lines()`), so a test can
both look for bytes that must never reach a terminal and read the screen as a person
would. Waits are on what the screen or the database shows, with a deadline only as a
safety net.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path

import pyte

DEADLINE_SECONDS = 60.0


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


class PtyApp:
    """`python -m mcreview ARGS` as a child on a pty, read continuously so it never blocks."""

    def __init__(
        self,
        args: Sequence[str],
        *,
        size: tuple[int, int] = (80, 24),
        env: dict[str, str] | None = None,
        cwd: str | Path | None = None,
    ) -> None:
        columns, rows = size
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        environment = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLUMNS": str(columns),
            "LINES": str(rows),
            **(env or {}),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mcreview", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=environment,
            cwd=cwd,
            start_new_session=True,
        )
        os.close(slave)
        # The child is not on a controlling terminal, so closing the pty sends it no
        # SIGHUP: make sure no app outlives its harness, whatever the caller forgets.
        self._finalizer = weakref.finalize(self, _kill_group, self.process.pid)
        self.raw = b""
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.closed = False

    # -- reading ----------------------------------------------------------------

    def pump(self, timeout: float = 0.02) -> bool:
        """Read what the app wrote (waiting at most `timeout`); False once the pty closed."""
        if self.closed:
            return False
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the child is gone and the buffer is empty
            return False
        if not data:
            return False
        self.raw += data
        self.stream.feed(data)
        return True

    def wait_for(self, predicate: Callable[[], bool], what: str, deadline: float = DEADLINE_SECONDS) -> None:
        """Read until `predicate()` holds; fail (with the screen) past the deadline."""
        limit = time.monotonic() + deadline
        while not predicate():
            if time.monotonic() > limit or self.process.poll() is not None:
                raise AssertionError(f"gave up waiting for {what}; the screen:\n{self.text()}")
            self.pump()

    def wait_for_text(self, text: str, deadline: float = DEADLINE_SECONDS) -> None:
        self.wait_for(lambda: text in self.text(), repr(text), deadline)

    def lines(self) -> list[str]:
        return list(self.screen.display)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    # -- writing and ending -----------------------------------------------------

    def send(self, keys: bytes) -> None:
        """One write: what a terminal sends in one packet arrives in one read."""
        os.write(self.master, keys)

    def kill(self) -> None:
        """SIGKILL, no clean shutdown; then read what the app had already written."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        while self.pump(0):
            pass
        self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            with contextlib.suppress(OSError):
                os.close(self.master)
        if self.process.poll() is None:
            self._finalizer()
            self.process.wait()

    def quit(self, keys: bytes = b"q") -> int:
        """Send the quit key and wait for a clean exit; the exit code."""
        self.send(keys)
        limit = time.monotonic() + DEADLINE_SECONDS
        while self.process.poll() is None and time.monotonic() < limit:
            self.pump()
        if self.process.poll() is None:
            self.kill()
            raise AssertionError(f"the app did not quit; the screen:\n{self.text()}")
        while self.pump(0):
            pass
        self.close()
        return self.process.returncode
