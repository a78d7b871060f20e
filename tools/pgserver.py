"""A throwaway PostgreSQL server for the tests and the benchmark: started on loopback, in a
temporary data directory, as an unprivileged user, and removed afterwards.

The test suite starts one itself (tests/conftest.py) unless MCREVIEW_TEST_PG names a
server already; in CI (CI=true) a machine without PostgreSQL gets Debian's package
first. By hand:

    python tools/pgserver.py            # start one, print its URL, stop it on Enter or Ctrl-C

PostgreSQL refuses to run as root, so under root the server runs as the `postgres`
user the Debian package creates (or, failing that, as `nobody`), in a data directory
that user owns; under any other user it runs as that user. It listens on 127.0.0.1
only, on a free port, with its socket in its own data directory, and asks for a
password (SCRAM) even on loopback, so the URL the tests use carries one.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "mcreview_test"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "max_connections": "200",  # xdist workers, the 8- and 32-assessor stress runs
    "shared_buffers": "64MB",
    "log_min_messages": "warning",
    "log_checkpoints": "off",
}


class ServerUnavailable(RuntimeError):
    """No server can be started here; the message says why and what to install."""


@dataclass
class Server:
    base: Path  # holds data/, the password file and server.log; removed by stop()
    port: int
    password: str
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """The superuser's URL (the test fixture makes one database per test with it)."""
        return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/postgres"


def bindir() -> Path | None:
    """Where initdb and postgres are: Debian keeps them off PATH, one folder per version."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name)
    )
    return versions[-1].parent if versions else None


def install_if_absent() -> None:
    """In CI as root, install Debian's postgresql package when no server binaries exist."""
    if bindir() is not None:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise ServerUnavailable(
            "PostgreSQL is not installed: apt-get install postgresql (or set MCREVIEW_TEST_PG)"
        )
    # Debian's package would create and start a cluster of its own on port 5432; the tests
    # need only the binaries (they start their own server), so ask it not to.
    conf = Path("/etc/postgresql-common/createcluster.conf")
    if not conf.exists():
        conf.parent.mkdir(parents=True, exist_ok=True)
        conf.write_text("create_main_cluster = false\n", encoding="utf-8")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "-o", "Dpkg::Options::=--force-confold", "postgresql"]
    for command in (["apt-get", "update", "-qq"], install):
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:]
            raise ServerUnavailable(f"{' '.join(command)} failed: {' '.join(tail)}")
    if bindir() is None:
        raise ServerUnavailable("apt-get installed postgresql but no server binaries were found")


def _server_user() -> pwd.struct_passwd | None:
    """Who runs the server: None for the current user, unless that is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ServerUnavailable("running as root, and there is no postgres or nobody user to run the server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:
    """In the server process: if the process that started it dies, shut down at once."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGQUIT)  # PR_SET_PDEATHSIG


def start(parent: Path | None = None) -> Server:
    """initdb a fresh cluster and start it; returns once it accepts connections."""
    tools = bindir()
    if tools is None:
        raise ServerUnavailable(
            "PostgreSQL is not installed: apt-get install postgresql (or set MCREVIEW_TEST_PG)"
        )
    user = _server_user()
    base = Path(tempfile.mkdtemp(prefix="mcreview-pg-", dir=parent))
    data = base / "data"
    password = secrets.token_urlsafe(18)
    pwfile = base / "pwfile"
    pwfile.write_text(password + "\n", encoding="utf-8")
    pwfile.chmod(0o600)
    as_user: dict[str, object] = {}
    if user is not None:
        os.chown(base, user.pw_uid, user.pw_gid)
        os.chown(pwfile, user.pw_uid, user.pw_gid)
        as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    try:
        done = subprocess.run(
            [
                str(tools / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-instructions",
            ],
            cwd=base,
            env=env,
            capture_output=True,
            text=True,
            **as_user,  # type: ignore[arg-type]
        )
        pwfile.unlink()
        if done.returncode != 0:
            raise ServerUnavailable(f"initdb failed: {done.stderr.strip().splitlines()[-1:]}")
        port = _free_port()
        settings = {**SERVER_SETTINGS, "port": str(port), "unix_socket_directories": str(base)}
        args = [str(tools / "postgres"), "-D", str(data)]
        for key, value in settings.items():
            args += ["-c", f"{key}={value}"]
        log = open(base / "server.log", "ab")  # noqa: SIM115 - the server writes it until stop()
        process = subprocess.Popen(
            args,
            cwd=base,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            preexec_fn=_die_with_parent,
            **as_user,  # type: ignore[arg-type]
        )
        log.close()
        server = Server(base, port, password, process)
        _wait_ready(server)
    except BaseException:
        if "server" in locals():
            stop(locals()["server"])
        else:
            shutil.rmtree(base, ignore_errors=True)
        raise
    return server


def _wait_ready(server: Server) -> None:
    import psycopg

    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if server.process.poll() is not None:
            log = (server.base / "server.log").read_text(errors="replace").strip().splitlines()
            raise ServerUnavailable(f"postgres exited at start: {log[-1:] if log else 'no log'}")
        try:
            psycopg.connect(server.url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise ServerUnavailable(
                    f"postgres did not accept connections in {START_TIMEOUT_S:.0f}s"
                ) from None
            time.sleep(0.05)


def stop(server: Server) -> None:
    """Fast shutdown of the server this module started (by its pid), then remove its files."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
    shutil.rmtree(server.base, ignore_errors=True)


def main() -> None:
    server = start()
    print(server.url, flush=True)
    print(f"export MCREVIEW_TEST_PG='{server.url}'  # Enter or Ctrl-C stops it", file=sys.stderr)
    try:
        sys.stdin.readline()
    except KeyboardInterrupt:
        pass
    finally:
        stop(server)


if __name__ == "__main__":
    main()
