"""Processes the benchmark starts: each prints one JSON object on its last stdout line.

    child.py paint --kind app|bare --db DB --assessor A     headless first paint + peak RSS
    child.py bare-tui                                        the bare Textual app, for tmux
    child.py interact --db DB --assessor A ...               Pilot: open, tab, level keys end to end
    child.py poll --db DB --sid ID --component C             second connection: when a level lands
    child.py durable --db DB --sid ID --component C --n 200  in-process set_level latency + floors
    child.py team-durable --db DB --assessors 32 --pace-ms 100  set_level latency, N processes at once
    child.py import-contend --src F --db DB --seconds 60     level keys while a big import runs
    child.py views --work DIR                                a later attempt's diff; moderation view

Times are time.monotonic(), which on Linux is one clock for every process, so the
parent can take its own reading just before it starts a child and subtract.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import queue as queue_mod
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if not os.environ.get("PYTHONPATH"):  # run.py points PYTHONPATH at its snapshot of the app
    sys.path.insert(0, str(REPO))

FLOOR_TITLE = "bench-floor-ready"  # what tmux polls for on the bare app's screen
# The first Enter comes this long after the queue has its rows: a person reads the queue
# first, and the app loads the review screens' modules in that moment (preload_screens).
FIRST_OPEN_AFTER_S = 0.6


def emit(data: dict) -> None:
    sys.stdout.write("\n" + json.dumps(data) + "\n")
    sys.stdout.flush()


def maxrss_kb() -> int:
    """Peak resident set size of this process, in KiB: VmHWM from /proc.

    Not getrusage(RUSAGE_SELF).ru_maxrss: on Linux that survives exec, so a child the
    benchmark starts reports the benchmark's own (much larger) peak instead of its own.
    """
    hwm = vm_hwm_kb()
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def vm_hwm_kb(pid: int | str = "self") -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


# -- the bare Textual app: the floor for first paint ------------------------------------------


def bare_app_class():
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Footer, Header

    class BareApp(App[None]):
        TITLE = FLOOR_TITLE
        BINDINGS = [("q", "quit", "Quit")]

        def __init__(self, on_paint=None) -> None:
            super().__init__()
            self.on_paint = on_paint

        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable()
            yield Footer()

        def on_mount(self) -> None:
            self.query_one(DataTable).add_columns("id", "credential", "status", "submitted", "age", "assessor")
            if self.on_paint is not None:
                self.call_after_refresh(self.on_paint, self)

    return BareApp


# -- headless first paint ---------------------------------------------------------------------------


def cmd_paint(args: argparse.Namespace) -> None:
    t_main = time.monotonic()
    result: dict = {"t_main": t_main}

    def painted(app, rows: int | None = None) -> None:
        result["t_paint"] = time.monotonic()
        result["maxrss_kb"] = maxrss_kb()
        result["rows"] = rows
        app.exit()

    if args.kind == "bare":
        app = bare_app_class()(on_paint=painted)
        result["t_imported"] = time.monotonic()
    else:
        import datetime as dt

        from mcreview.tui.app import build_app
        from mcreview.tui.screens import queue_screen

        result["t_imported"] = time.monotonic()
        original = queue_screen.QueueScreen.on_mount

        def on_mount(screen) -> None:
            original(screen)
            result["t_mounted"] = time.monotonic()
            tries = [0]

            def check() -> None:
                rows = len(screen.page_rows)
                if rows or tries[0] > 2000:
                    painted(screen.app, rows)
                else:  # rows arrive later (a worker, say): keep waiting for a frame with them
                    tries[0] += 1
                    screen.set_timer(0.001, lambda: screen.call_after_refresh(check))

            screen.call_after_refresh(check)

        queue_screen.QueueScreen.on_mount = on_mount
        app = build_app(Path(args.db), args.assessor, dt.date.fromisoformat(args.today))
    app.run(headless=True, size=(args.width, args.height))
    emit(result)


def cmd_bare_tui(args: argparse.Namespace) -> None:
    bare_app_class()().run()


# -- Pilot: open a submission, move between components, level keys end to end -----------------


def cmd_poll(args: argparse.Namespace) -> None:
    """Report (monotonic time, level) each time the score row changes, read on its own connection."""
    conn = sqlite3.connect(args.db, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 30000")
    sql = (
        "SELECT sc.level FROM scores sc JOIN submissions s ON s.id = sc.submission_id"
        " AND s.revision = sc.revision WHERE sc.submission_id = ? AND sc.component_id = ?"
    )
    key = (args.sid, args.component)
    version = None
    row = conn.execute(sql, key).fetchone()
    last = row[0] if row else None
    print("ready", flush=True)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        current = conn.execute("PRAGMA data_version").fetchone()[0]
        if current != version:
            version = current
            row = conn.execute(sql, key).fetchone()
            level = row[0] if row else None
            if level != last:
                print(f"{time.monotonic():.9f}\t{level}", flush=True)
                last = level
        else:
            time.sleep(0.0001)


def key_sender(app):  # noqa: ANN001, ANN201
    """send(key, char) -> the monotonic time just before a key goes to the app's driver
    (as a terminal's key would arrive, without Pilot's waiting)."""
    from textual import events

    def send(key: str, char: str | None) -> float:
        event = events.Key(key, char)
        event.set_sender(app)
        t0 = time.monotonic()
        app._driver.send_message(event)
        return t0

    return send


def cmd_interact(args: argparse.Namespace) -> None:
    asyncio.run(_interact(args))


async def _interact(args: argparse.Namespace) -> None:
    import datetime as dt

    from mcreview.tui.app import build_app
    from mcreview.tui.screens import review_screen
    from mcreview.tui.screens.queue_screen import QueueScreen

    marks: asyncio.Queue[float] = asyncio.Queue()

    def mark() -> None:
        marks.put_nowait(time.monotonic())

    # After the methods that change what the review screen shows, note when that frame is done.
    for name in ("show_component", "reload_state"):
        original = getattr(review_screen.ReviewScreen, name)

        def wrapped(self, *a, __original=original, **k):
            out = __original(self, *a, **k)
            self.call_after_refresh(mark)
            return out

        setattr(review_screen.ReviewScreen, name, wrapped)

    app = build_app(Path(args.db), args.assessor, dt.date.fromisoformat(args.today))
    # Level keys stay on the component the poller watches: auto-advance (on by default) off,
    # in this process only (build_app without a settings file keeps preferences in memory).
    app.preferences.change(auto_advance=False)
    result: dict = {"open_ms": [], "tab_first_ms": [], "tab_again_ms": [], "level_paint_ms": []}
    result["level_durable_ms"] = []

    send = key_sender(app)

    async def next_mark(timeout: float = 10.0) -> float:
        return await asyncio.wait_for(marks.get(), timeout)

    def drain() -> None:
        while not marks.empty():
            marks.get_nowait()

    async with app.run_test(size=(args.width, args.height)) as pilot:
        for _ in range(500):
            if isinstance(app.screen, QueueScreen) and app.screen.page_rows:
                break
            await pilot.pause(0.01)
        queue_screen = app.screen
        assert isinstance(queue_screen, QueueScreen), type(app.screen)
        await pilot.pause(FIRST_OPEN_AFTER_S)
        assert queue_screen.page_rows[0].id == args.sid, queue_screen.page_rows[0].id
        for attempt in range(args.opens):
            await pilot.pause(0.05)
            drain()
            t0 = send("enter", "\r")
            t1 = await next_mark()
            result["open_ms"].append((t1 - t0) * 1000)
            screen = app.screen
            assert isinstance(screen, review_screen.ReviewScreen), type(screen)
            assert screen.component.id == args.component, screen.component.id
            if attempt == 0:
                count = len(screen.state.spec.components)
                for lap, key in enumerate(["tab"] * (2 * count)):
                    await pilot.pause(0.02)
                    drain()
                    t0 = send(key, "\t")
                    t1 = await next_mark()
                    bucket = "tab_first_ms" if lap < count - 1 else "tab_again_ms"
                    result[bucket].append((t1 - t0) * 1000)
                # back to the first component: on it, level keys below
            await pilot.pause(0.02)
            drain()
            send("escape", "\x1b")
            for _ in range(500):
                if isinstance(app.screen, QueueScreen):
                    break
                await pilot.pause(0.01)
            await pilot.pause(0.05)
        # Level keys end to end: press, then see the row from another process's connection.
        drain()
        t0 = send("enter", "\r")
        await next_mark()
        screen = app.screen
        assert screen.component.id == args.component, screen.component.id
        levels = screen.component.scale.levels
        poller = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "poll",
                "--db",
                args.db,
                "--sid",
                args.sid,
                "--component",
                args.component,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        seen: queue_mod.Queue[tuple[float, str]] = queue_mod.Queue()

        def reader() -> None:
            assert poller.stdout is not None
            for line in poller.stdout:
                if "\t" in line:
                    stamp, level = line.rstrip("\n").split("\t")
                    seen.put((float(stamp), level))

        assert poller.stdout is not None
        poller.stdout.readline()  # "ready"
        threading.Thread(target=reader, daemon=True).start()
        loop = asyncio.get_running_loop()
        current = screen.state.levels.get(args.component)
        for press in range(args.presses):
            number = 1 if current != levels[0] else 2
            want = levels[number - 1]
            await pilot.pause(0.005)
            drain()
            t0 = send(str(number), str(number))
            t_paint = await next_mark()
            t_seen, level = await loop.run_in_executor(None, lambda: seen.get(timeout=10))
            assert level == want, (press, level, want)
            current = want
            result["level_durable_ms"].append((t_seen - t0) * 1000)
            result["level_paint_ms"].append((t_paint - t0) * 1000)
        poller.terminate()
        poller.wait()
        send("escape", "\x1b")
        await pilot.pause(0.1)
    result["maxrss_kb"] = maxrss_kb()
    emit(result)


# -- in-process durability ---------------------------------------------------------------------------


def cmd_durable(args: argparse.Namespace) -> None:
    from mcreview.services.session import ReviewSession
    from mcreview.store import is_server_url, open_store

    session = ReviewSession(open_store(args.db), args.assessor)
    session.claim(args.sid)
    spec = session.load(args.sid).spec
    levels = spec.component(args.component).scale.levels
    times: list[float] = []
    for press in range(args.n):
        level = levels[press % 2]
        t0 = time.perf_counter()
        session.set_level(args.sid, component_id=args.component, level=level)
        times.append((time.perf_counter() - t0) * 1000)
    session.release(args.sid)
    session.store.close()
    if is_server_url(args.db):
        emit({"set_level_ms": times, "bare_commit_ms": _pg_floor(args.db, args.n)})
        return

    # Floor 1: the same write as one bare statement in BEGIN IMMEDIATE/COMMIT; same pragmas, same disk.
    floor_dir = Path(tempfile.mkdtemp(dir=Path(args.db).parent, prefix="floor-"))
    conn = sqlite3.connect(floor_dir / "floor.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)")
    bare: list[float] = []
    for press in range(args.n):
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT OR REPLACE INTO t VALUES ('x', ?)", (str(press % 2),))
        conn.execute("COMMIT")
        bare.append((time.perf_counter() - t0) * 1000)
    conn.close()
    # Floor 2: one 4 KiB write + fsync, what any durable keystroke costs on this disk.
    fsyncs: list[float] = []
    fd = os.open(floor_dir / "fsync.bin", os.O_WRONLY | os.O_CREAT)
    for _ in range(args.n):
        os.write(fd, b"x" * 4096)
        t0 = time.perf_counter()
        os.fsync(fd)
        fsyncs.append((time.perf_counter() - t0) * 1000)
    os.close(fd)
    for path in floor_dir.iterdir():
        path.unlink()
    floor_dir.rmdir()
    emit({"set_level_ms": times, "bare_commit_ms": bare, "fsync_ms": fsyncs})


def _pg_floor(url: str, n: int) -> list[float]:
    """The same write as one bare upsert, autocommitted with synchronous_commit on, same server."""
    import psycopg

    bare: list[float] = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = on")
        conn.execute("CREATE TABLE IF NOT EXISTS bench_floor (k text PRIMARY KEY, v text)")
        for press in range(n):
            t0 = time.perf_counter()
            conn.execute(
                "INSERT INTO bench_floor VALUES ('x', %s) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
                (str(press % 2),),
            )
            bare.append((time.perf_counter() - t0) * 1000)
        conn.execute("DROP TABLE bench_floor")
    return bare


# -- a queue moved to PostgreSQL, and the multi-process stress run ----------------------------------------


def cmd_copy(args: argparse.Namespace) -> None:
    from mcreview.store import open_store
    from mcreview.store.copy import copy_queue

    source, target = open_store(args.src), open_store(args.db)
    t0 = time.perf_counter()
    verified = copy_queue(source, target)
    emit({"rows": sum(t.rows for t in verified), "s": time.perf_counter() - t0})
    source.close()
    target.close()


def cmd_stress(args: argparse.Namespace) -> None:
    """N assessor processes on one fresh queue (tests/stress_worker.py, as the stress test
    runs them): committed writes per second from the barrier to the last one's finish."""
    sys.path.append(str(Path(os.environ["PYTHONPATH"]) / "tests"))
    import stress_worker

    ids = _ppr_queue(args.db, args.submissions, "PPR-S")
    assessors = [f"assessor{n}" for n in range(args.assessors)]
    team = stress_worker.run_team(args.db, assessors, ids, args.operations, True, timeout=600)
    errors = [e for t in team.tallies.values() for e in t["errors"]]
    emit(
        {
            "events": team.events,
            "s": team.seconds,
            "per_s": team.events / team.seconds if team.seconds else 0.0,
            "errors": len(errors),
            "first_error": errors[0][-500:] if errors else "",
            "contended": sum(t["contended"] for t in team.tallies.values()),
            "retries": team.retries,
            "exitcodes": team.exitcodes,
        }
    )


# -- many assessors writing at once, and a key during an import -------------------------------------------


def _ppr_queue(target: str, n: int, prefix: str) -> list[str]:
    """A fresh queue of n Positive Professional Relationships submissions (small responses)."""
    from mcreview.services import importer
    from mcreview.services.specfiles import default_specs_dir, load_spec_dir
    from mcreview.store import open_store

    ids = [f"{prefix}-{k:04d}" for k in range(n)]
    folder = Path(tempfile.mkdtemp(prefix="queue-"))
    words = " ".join(["practice"] * 420)
    with open(folder / "queue.jsonl", "w", encoding="utf-8") as handle:
        for k, sid in enumerate(ids):
            record = {
                "id": sid,
                "credential": "positive-professional-relationships",
                "submitted": "2026-10-01",
                "candidate": f"C-{20000 + k}",
                "responses": {
                    "overview": " ".join(["practice"] * 400),
                    "action-plan": "## Goals\n\n- " + " ".join(["practice"] * 200),
                    "case-study": " ".join(["practice"] * 300),
                    "reflection": words,
                },
            }
            handle.write(json.dumps(record) + "\n")
    specs, _ = load_spec_dir(default_specs_dir())
    store = open_store(target)
    assert importer.import_paths(store, [folder / "queue.jsonl"], specs).ok
    store.close()
    (folder / "queue.jsonl").unlink()
    folder.rmdir()
    return ids


def _team_worker(
    target: str,
    name: str,
    sid: str,
    presses: int,
    pace_ms: float,
    ready,
    start,
    results,  # noqa: ANN001
) -> None:
    """One assessor process: claim its own submission, then level keys on it (1/2 alternating),
    each `pace_ms` apart on average (0: back to back), timing each set_level."""
    import random

    from mcreview.services.session import ReviewSession
    from mcreview.store import open_store

    times: list[float] = []
    error = ""
    try:
        store = open_store(target)
        session = ReviewSession(store, name)
        session.claim(sid)
        component = next(c for c in session.load(sid).spec.components if c.scored)
        levels = component.scale.levels
        rng = random.Random(name)
        ready.put(name)
        start.wait(120)
        for press in range(presses):
            if pace_ms:
                time.sleep(rng.uniform(0, 2 * pace_ms) / 1000)
            t0 = time.perf_counter()
            session.set_level(sid, component_id=component.id, level=levels[press % 2])
            times.append((time.perf_counter() - t0) * 1000)
        session.release(sid)
        retries = int(getattr(store, "retries", 0))
        store.close()
    except BaseException as exc:  # reported to the parent, which fails the run
        error = repr(exc)
        retries = 0
        ready.put(name)
    results.put({"times": times, "error": error, "retries": retries})


def cmd_team_durable(args: argparse.Namespace) -> None:
    """N assessor processes, each on its own submission, released together from a barrier:
    the latency of every set_level (key to durable) while the others write too."""
    import multiprocessing

    ids = _ppr_queue(args.db, args.assessors, "PPR-T")
    ctx = multiprocessing.get_context("spawn")
    ready, start, results = ctx.Queue(), ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(
            target=_team_worker,
            args=(args.db, f"assessor{k}", sid, args.presses, args.pace_ms, ready, start, results),
        )
        for k, sid in enumerate(ids)
    ]
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.get(timeout=300)
    t0 = time.monotonic()
    start.set()
    got = [results.get(timeout=600) for _ in procs]
    elapsed = time.monotonic() - t0
    for proc in procs:
        proc.join(30)
    errors = [g["error"] for g in got if g["error"]]
    times = [t for g in got for t in g["times"]]
    emit({"set_level_ms": times, "s": elapsed, "errors": errors, "retries": sum(g["retries"] for g in got)})


def cmd_import_contend(args: argparse.Namespace) -> None:
    """A big import in one process; in this one an assessor presses a level key on the long
    submission (line 1 of the file, so queued by the first chunk) every ~100 ms, timing
    each set_level, for `--seconds` of the import (then the import is stopped)."""
    import random

    from mcreview.services.session import ReviewSession
    from mcreview.store import open_store

    importer = subprocess.Popen(
        [sys.executable, __file__, "import", "--src", args.src, "--db", args.db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: stopping it stops its pre-check workers too
    )
    t_start = time.monotonic()
    while True:  # the long submission is in the first chunk
        time.sleep(0.05)
        if importer.poll() is not None:
            raise RuntimeError(f"import ended first: {importer.stderr.read()[-2000:] if importer.stderr else ''}")
        try:
            probe = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True, timeout=5)
            found = probe.execute("SELECT 1 FROM submissions WHERE id = ?", (args.sid,)).fetchone()
            probe.close()
        except sqlite3.Error:
            continue
        if found:
            break
    queued_after = time.monotonic() - t_start
    store = open_store(args.db)
    session = ReviewSession(store, "bench-contend")
    session.claim(args.sid)
    levels = session.load(args.sid).spec.component(args.component).scale.levels
    rng = random.Random(3)
    times: list[float] = []
    t_end = time.monotonic() + args.seconds
    while time.monotonic() < t_end and importer.poll() is None:
        time.sleep(rng.uniform(0.05, 0.15))
        t0 = time.perf_counter()
        session.set_level(args.sid, component_id=args.component, level=levels[len(times) % 2])
        times.append((time.perf_counter() - t0) * 1000)
    still_running = importer.poll() is None
    queued = store.read(lambda tx: tx.db.execute("SELECT count(*) FROM submissions").fetchone()[0])
    session.release(args.sid)
    store.close()
    if still_running:
        os.killpg(importer.pid, signal.SIGTERM)
    importer.wait()
    emit(
        {
            "set_level_ms": times,
            "import_still_running": still_running,
            "queued_at_end": queued,
            "first_chunk_s": queued_after,
            "sampled_s": args.seconds,
        }
    )


# -- a later attempt with its diff, and the moderation view ------------------------------------------------

TWO_READINGS = "leads: [lead]\ndefaults:\n  readings: two\n  agreement: every-component\n"


def _views_queues(work: Path) -> tuple[Path, str, Path, str]:
    """Two small queues: a 2,000-word submission decided Not Yet then resubmitted with a
    quarter of its paragraphs rewritten, and one read twice (two readings needed) with the
    readings differing on one component, waiting for a lead's moderation."""
    import random

    import gen

    import mcreview
    from mcreview.core.vocabulary import Status
    from mcreview.services import importer
    from mcreview.services.programme import load_programme
    from mcreview.services.session import ReviewSession
    from mcreview.services.specfiles import default_specs_dir, load_spec_dir
    from mcreview.store import open_store

    specs, _ = load_spec_dir(default_specs_dir())
    pool = gen.build_pool(Path(mcreview.__file__).parent / "data" / "sample_queue")
    rng = random.Random(5)

    def queue_record(store, record: dict, name: str) -> None:  # noqa: ANN001
        path = work / name
        path.write_text(json.dumps(record) + "\n", encoding="utf-8")
        report = importer.import_paths(store, [path], specs)
        assert report.ok and report.imported == [record["id"]], report

    def read(store, who: str, sid: str, differ: bool, outcome_comment: str) -> None:  # noqa: ANN001
        session = ReviewSession(store, who)
        session.claim(sid)
        scored = [c for c in session.load(sid).spec.components if c.scored]
        for n, component in enumerate(scored):
            passing = [lv for lv in component.scale.levels if component.is_passing(lv)]
            failing = [lv for lv in component.scale.levels if not component.is_passing(lv)]
            level = passing[0]
            if differ and n == 1:  # the second reader sees this component differently
                level = next(lv for lv in component.scale.levels if lv != passing[0])
            if outcome_comment.startswith("Revise") and n == 0 and failing:
                level = failing[0]
            session.set_level(sid, component_id=component.id, level=level)
            session.set_comment(sid, component_id=component.id, body=f"{who}: {COMMENT_TEXT}")
        session.decide(sid, comment=outcome_comment)

    # a resubmission
    attempts_db = work / "attempts.db"
    store = open_store(str(attempts_db))
    first = gen.long_record(rng, pool, specs)
    first["id"] = ATTEMPT_ID
    queue_record(store, first, "a1.jsonl")
    read(store, "ana", ATTEMPT_ID, False, "Revise the first component: name the evidence.")
    second = json.loads(json.dumps(first))
    for cid, body in second["responses"].items():
        paragraphs = body.split("\n\n")
        for k in range(0, len(paragraphs), 4):
            paragraphs[k] = gen.response_text(rng, pool, max(20, len(paragraphs[k].split())))
        second["responses"][cid] = "\n\n".join(paragraphs)
    second.update(attempt=2, submitted="2026-11-20", resubmission_note="Rewrote a quarter of each response.")
    queue_record(store, second, "a2.jsonl")
    store.close()
    # two readings that differ
    moderation_db = work / "moderation.db"
    store = open_store(str(moderation_db))
    load_programme(store, text=TWO_READINGS, file="p.yaml", assessor="lead", credentials=specs)
    third = gen.long_record(rng, pool, specs)
    third["id"] = MODERATION_ID
    queue_record(store, third, "m.jsonl")
    read(store, "ana", MODERATION_ID, False, "Strong throughout.")
    read(store, "ben", MODERATION_ID, True, "The second component is stronger than the first reader saw.")
    assert ReviewSession(store, "lead").load(MODERATION_ID).status == Status.MODERATION
    store.close()
    return attempts_db, ATTEMPT_ID, moderation_db, MODERATION_ID


ATTEMPT_ID = "BENCH-ATTEMPT-0001"
MODERATION_ID = "BENCH-MODERATE-0001"
COMMENT_TEXT = "The evidence is specific; the reflection could say more about what changed."


def cmd_views(args: argparse.Namespace) -> None:
    asyncio.run(_views(args))


async def _views(args: argparse.Namespace) -> None:
    from mcreview.tui.app import build_app
    from mcreview.tui.screens import moderation_screen, review_screen
    from mcreview.tui.screens.queue_screen import QueueScreen

    work = Path(args.work)
    attempts_db, attempt_id, moderation_db, moderation_id = _views_queues(work)
    marks: asyncio.Queue[float] = asyncio.Queue()

    def mark() -> None:
        marks.put_nowait(time.monotonic())

    for cls, name in (
        (review_screen.ReviewScreen, "show_component"),
        (moderation_screen.ModerationScreen, "draw"),
    ):
        original = getattr(cls, name)

        def wrapped(self, *a, __original=original, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
            out = __original(self, *a, **k)
            self.call_after_refresh(mark)
            return out

        setattr(cls, name, wrapped)
    result: dict = {}

    async def session_of(db: Path, who: str, sid: str, screen_cls: type, keys: list[str], prefix: str) -> None:
        app = build_app(db, who, dt.date(2026, 11, 23))

        send = key_sender(app)

        def drain() -> None:
            while not marks.empty():
                marks.get_nowait()

        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(500):
                if isinstance(app.screen, QueueScreen) and app.screen.page_rows:
                    break
                await pilot.pause(0.01)
            assert app.screen.page_rows[0].id == sid, app.screen.page_rows[0].id
            await pilot.pause(FIRST_OPEN_AFTER_S)
            for opening in range(args.opens):
                await pilot.pause(0.05)
                drain()
                t0 = send("enter", "\r")
                t1 = await asyncio.wait_for(marks.get(), 10)
                assert isinstance(app.screen, screen_cls), type(app.screen)
                result.setdefault(f"{prefix}_open_ms", []).append((t1 - t0) * 1000)
                for key, char in keys:
                    await pilot.pause(0.05)
                    drain()
                    t0 = send(key, char)
                    t1 = await asyncio.wait_for(marks.get(), 10)
                    result.setdefault(f"{prefix}_{key}_ms", []).append((t1 - t0) * 1000)
                await pilot.pause(0.05)
                send("escape", "\x1b")
                for _ in range(500):
                    if isinstance(app.screen, QueueScreen):
                        break
                    await pilot.pause(0.01)
                if opening == 0:
                    result[f"{prefix}_open_cold_ms"] = result[f"{prefix}_open_ms"].pop()

    # the diff: "w" shows it, Tab moves to the next component's (with the diff still on), "w" again hides it
    await session_of(
        attempts_db, "ana", attempt_id, review_screen.ReviewScreen, [("w", "w"), ("tab", "\t"), ("w", "w")], "attempt"
    )
    await session_of(
        moderation_db, "lead", moderation_id, moderation_screen.ModerationScreen, [("tab", "\t")] * 3, "moderation"
    )
    emit(result)


# -- import and its floor -----------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace) -> None:
    """`mcreview import` minus click: the bundled specs, import_paths, a fresh database."""
    from mcreview.services import importer
    from mcreview.services.specfiles import default_specs_dir, load_spec_dir
    from mcreview.store import open_store

    specs, _ = load_spec_dir(default_specs_dir())
    store = open_store(args.db)
    t0 = time.perf_counter()
    report = importer.import_paths(store, [Path(args.src)], specs)
    elapsed = time.perf_counter() - t0
    store.close()
    emit(
        {
            "seconds": elapsed,
            "imported": len(report.imported),
            "rejected": [str(p) for p in report.rejected[:5]],
            "maxrss_kb": maxrss_kb(),
        }
    )


def cmd_floor_insert(args: argparse.Namespace) -> None:
    """The same rows the importer writes, parsed from the same file, put in with sqlite-utils
    insert_all in one transaction: no checks, no hashing, no per-row look-ups."""
    import sqlite_utils

    from mcreview.services.specfiles import default_specs_dir, load_spec_dir
    from mcreview.store.sqlite import open_sqlite

    specs, _ = load_spec_dir(default_specs_dir())
    # The schema and pragmas from mcreview, the writing from plain sqlite-utils.
    database = sqlite_utils.Database(open_sqlite(args.db).conn)
    t0 = time.perf_counter()
    now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    subs, attempts, responses, attachments, events = [], [], [], [], []
    with open(args.src, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            record = json.loads(line)
            sid = record["id"]
            spec = specs[record["credential"]]
            subs.append(
                {
                    "id": sid,
                    "credential": record["credential"],
                    "spec_hash": spec.content_hash,
                    "submitted": record["submitted"],
                    "candidate": record["candidate"],
                    "content_hash": "",
                    "source": f"{args.src}:{number}",
                    "imported_at": now,
                    "status": "pending",
                    "revision": 1,
                    "attempt": 1,
                    "updated_at": now,
                }
            )
            attempts.append(
                {
                    "submission_id": sid,
                    "attempt": 1,
                    "spec_hash": spec.content_hash,
                    "submitted": record["submitted"],
                    "content_hash": "",
                    "source": f"{args.src}:{number}",
                    "imported_at": now,
                }
            )
            responses.extend(
                {"submission_id": sid, "attempt": 1, "component_id": cid, "body": body}
                for cid, body in record["responses"].items()
            )
            attachments.extend(
                {
                    "submission_id": sid,
                    "attempt": 1,
                    "seq": seq,
                    "component_id": a["component"],
                    "path": a.get("path"),
                    "url": a.get("url"),
                    "description": a.get("description", ""),
                }
                for seq, a in enumerate(record.get("attachments") or [])
            )
            events.append({"at": now, "assessor": "import", "submission_id": sid, "action": "import", "target": ""})
    t_parsed = time.perf_counter()
    with database.atomic():
        for spec in specs.values():
            database["specs"].insert(
                {
                    "hash": spec.content_hash,
                    "credential": spec.id,
                    "version": spec.version,
                    "title": spec.title,
                    "body": spec.body,
                    "loaded_at": now,
                },
                ignore=True,
            )
        database["submissions"].insert_all(subs)
        database["attempts"].insert_all(attempts)
        database["responses"].insert_all(responses)
        database["attachments"].insert_all(attachments)
        database["events"].insert_all(events)
    t_done = time.perf_counter()
    database.conn.close()
    emit(
        {
            "seconds": t_done - t0,
            "parse_seconds": t_parsed - t0,
            "insert_seconds": t_done - t_parsed,
            "imported": len(subs),
            "maxrss_kb": maxrss_kb(),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    paint = sub.add_parser("paint")
    paint.add_argument("--kind", choices=("app", "bare"), default="app")
    paint.add_argument("--db")
    paint.add_argument("--assessor", default="bench-queue")
    paint.add_argument("--today", default="2026-11-23")
    paint.add_argument("--width", type=int, default=80)
    paint.add_argument("--height", type=int, default=24)
    sub.add_parser("bare-tui")
    poll = sub.add_parser("poll")
    poll.add_argument("--db", required=True)
    poll.add_argument("--sid", required=True)
    poll.add_argument("--component", required=True)
    poll.add_argument("--timeout", type=float, default=600)
    interact = sub.add_parser("interact")
    interact.add_argument("--db", required=True)
    interact.add_argument("--assessor", default="bench-ui")
    interact.add_argument("--sid", required=True)
    interact.add_argument("--component", required=True)
    interact.add_argument("--today", default="2026-11-23")
    interact.add_argument("--opens", type=int, default=4)
    interact.add_argument("--presses", type=int, default=200)
    interact.add_argument("--width", type=int, default=80)
    interact.add_argument("--height", type=int, default=24)
    durable = sub.add_parser("durable")
    durable.add_argument("--db", required=True)
    durable.add_argument("--assessor", default="bench-durable")
    durable.add_argument("--sid", required=True)
    durable.add_argument("--component", required=True)
    durable.add_argument("--n", type=int, default=200)
    copy = sub.add_parser("copy")
    copy.add_argument("--src", required=True)
    copy.add_argument("--db", required=True)
    stress = sub.add_parser("stress")
    stress.add_argument("--db", required=True)
    stress.add_argument("--assessors", type=int, required=True)
    stress.add_argument("--submissions", type=int, required=True)
    stress.add_argument("--operations", type=int, default=60)
    team = sub.add_parser("team-durable")
    team.add_argument("--db", required=True)
    team.add_argument("--assessors", type=int, default=32)
    team.add_argument("--presses", type=int, default=40)
    team.add_argument("--pace-ms", type=float, default=100.0)
    contend = sub.add_parser("import-contend")
    contend.add_argument("--src", required=True)
    contend.add_argument("--db", required=True)
    contend.add_argument("--sid", required=True)
    contend.add_argument("--component", required=True)
    contend.add_argument("--seconds", type=float, default=60.0)
    views = sub.add_parser("views")
    views.add_argument("--work", required=True)
    views.add_argument("--opens", type=int, default=6)
    for name in ("import", "floor-insert"):
        command = sub.add_parser(name)
        command.add_argument("--src", required=True)
        command.add_argument("--db", required=True)
    args = parser.parse_args()
    {
        "paint": cmd_paint,
        "bare-tui": cmd_bare_tui,
        "poll": cmd_poll,
        "interact": cmd_interact,
        "durable": cmd_durable,
        "copy": cmd_copy,
        "stress": cmd_stress,
        "team-durable": cmd_team_durable,
        "import-contend": cmd_import_contend,
        "views": cmd_views,
        "import": cmd_import,
        "floor-insert": cmd_floor_insert,
    }[args.command](args)


if __name__ == "__main__":
    main()
