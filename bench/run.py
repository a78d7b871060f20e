"""mcreview performance benchmark: run by hand, never in CI (see docs/performance.md).

    /tmp/venv/bin/python bench/run.py [--sizes 1000,10000,100000] [--repeat 3] [--quick]

Generates synthetic submissions, imports them, and measures import throughput, queue
first paint (headless and in tmux) and peak memory, opening a 2,000-word submission,
keystroke-to-durable latency, bytes written to a real terminal per key, and
`mcreview sync DEST --all`; beside each, the floor it is compared with. Then SQLite and
PostgreSQL side by side: level key to durable on the same queue, and the multi-process
stress run's throughput with 8 and with 32 assessors (--pg: a server URL, or `auto` to
start a throwaway one on loopback with tools/pgserver.py, or `off`). Prints a table and
writes bench/out/results.json and bench/out/results.md.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import platform
import re
import select
import shlex
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent  # replaced by a snapshot of the app in main(), unless --no-snapshot
SNAPSHOT_PARTS = ("mcreview", "specs", "sample_queue", "pyproject.toml", "tests/stress_worker.py")
gen = seed = None  # bench/gen.py and bench/seed.py, imported once the app's source is fixed

PY = sys.executable
CHILD = str(BENCH / "child.py")
TMUX_SOCKET = f"mcreview-bench-{os.getpid()}"
QUEUE_MARKER = re.compile(r"rows 1\S\d")  # "rows 1–100 of …": the queue's last line, painted with the rows
LONG_COMPONENT = "narrative"
TMUX_POLL_S = 0.010
PAINT_RUNS_MIN = 5  # first-paint runs are about a second each: take at least this many
SHARE_DECIDED = 0.30
SHARE_IN_REVIEW = 0.10
PHASES = ("import", "paint", "interact", "views", "large", "durable", "contend", "bytes", "sync", "backends")
STRESS_TEAMS = (8, 32)
TEAM = 32  # assessor processes writing level keys at once (team-durable)
TEAM_PACE_MS = 100.0  # mean pause between one assessor's keys in the paced team run
TARGETS = {
    "paint_vs_bare": 1.3,  # in tmux (issue 15); headless keeps round 1's 1.5
    "paint_vs_bare_headless": 1.5,
    "paint_vs_small": 1.2,
    "rss_vs_small": 1.5,
    "open_ms": 150.0,
    "durable_p99_ms": 10.0,
    "contend_p99_ms": 250.0,
    "bytes_key": 4096,
    "bytes_page": 16384,
    "sync_vs_floor": 2.0,
    "import_per_s": 2000.0,
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def snapshot_app(work: Path, app: Path) -> tuple[Path, str]:
    """Copy the app's source, so one run measures one version while others edit the tree."""
    target = work / "snapshot"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    digest = hashlib.sha256()
    for part in SNAPSHOT_PARTS:
        source = app / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / part)
    for path in sorted((target / "mcreview").rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(target).as_posix().encode() + b"\0" + path.read_bytes())
    # Byte-compile, as an install would: with PYTHONDONTWRITEBYTECODE set (it is on this
    # machine) every start would otherwise compile the app's source again, ~50 ms.
    subprocess.run([PY, "-m", "compileall", "-q", str(target / "mcreview")], check=True)
    return target, digest.hexdigest()[:12]


CONFIG = {"home": None}  # XDG_CONFIG_HOME for the real `mcreview` runs: no settings file of the user's


def child_env(config: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "MCREVIEW", "TMUX"))}
    env["PYTHONPATH"] = str(REPO)
    env.setdefault("LANG", "C.UTF-8")
    home = config or CONFIG["home"]
    if home is not None:
        env["XDG_CONFIG_HOME"] = str(home)
    return env


def config_home(work: Path, name: str, settings: str | None) -> Path:
    """A config folder for `mcreview` runs: empty (the defaults), or with a settings file."""
    home = work / "config" / name
    shutil.rmtree(home, ignore_errors=True)
    (home / "mcreview").mkdir(parents=True)
    if settings is not None:
        (home / "mcreview" / "settings.yaml").write_text(settings)
    return home


def run_child(args: list[str], timeout: float = 1800) -> tuple[float, dict]:
    """Start a child; return (monotonic time just before it started, its JSON result)."""
    t0 = time.monotonic()
    done = subprocess.run(
        [PY, CHILD, *args], capture_output=True, text=True, timeout=timeout, env=child_env(), cwd=REPO
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"child {args[0]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return t0, json.loads(lines[-1])


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def private_copy(source: Path, target: Path) -> None:
    """A copy the running user alone may read: on a shared file mcreview refuses --assessor."""
    shutil.copyfile(source, target)
    target.chmod(0o600)


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-synclock", "-writelock"):
        Path(str(path) + suffix).unlink(missing_ok=True)


# -- data ---------------------------------------------------------------------------------------------


def prepare_data(work: Path, sizes: list[int], yaml_n: int) -> dict:
    from mcreview.services.specfiles import default_specs_dir, load_spec_dir

    specs, problems = load_spec_dir(default_specs_dir())
    assert not problems, problems
    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    pool = gen.build_pool(REPO / "mcreview" / "data" / "sample_queue")
    # one file at the largest size; smaller sizes are its first lines, so every size shares the
    # long submission (line 1) and the same mix of credentials
    biggest = max(sizes)
    source = data / f"subs-{biggest}-v{gen.GEN_VERSION}.jsonl"
    if not source.exists():
        log(f"generating {biggest:,} submissions as JSON Lines")
        t0 = time.perf_counter()
        gen.write_jsonl(source, biggest, specs, pool)
        log(f"  done in {time.perf_counter() - t0:.1f}s ({source.stat().st_size / 1e6:.0f} MB)")
    files = {}
    for n in sizes:
        path = data / f"subs-{n}-v{gen.GEN_VERSION}.jsonl"
        if not path.exists():
            with open(source, encoding="utf-8") as src, open(path.with_suffix(".tmp"), "w") as out:
                for index, line in enumerate(src):
                    if index >= n:
                        break
                    out.write(line)
            path.with_suffix(".tmp").replace(path)
        files[n] = path
    yaml_dir = data / f"yaml-{yaml_n}-v{gen.GEN_VERSION}"
    if not (yaml_dir / ".complete").exists():
        log(f"writing {yaml_n:,} YAML files")
        shutil.rmtree(yaml_dir, ignore_errors=True)
        gen.write_yaml_folder(yaml_dir, source, yaml_n)
        (yaml_dir / ".complete").touch()
    with open(source, encoding="utf-8") as handle:
        sample = [json.loads(line) for _, line in zip(range(2000), handle, strict=False)]
    return {"jsonl": files, "yaml": yaml_dir, "yaml_n": yaml_n, "words": word_stats(sample, specs)}


def word_stats(sample: list[dict], specs) -> dict:
    """Mean words per component in a sample, and how many break their limits (should be none)."""
    from mcreview.core.checks import count_words

    per: dict[str, list[int]] = {}
    broken = 0
    for record in sample[1:400]:
        spec = specs[record["credential"]]
        for cid, body in record["responses"].items():
            words = count_words(body)
            per.setdefault(f"{record['credential']}/{cid}", []).append(words)
            limits = spec.component(cid).word_limits
            if limits is not None and limits.verdict(words):
                broken += 1
    long_words = {cid: count_words(body) for cid, body in sample[0]["responses"].items()}
    return {
        "mean_words": {k: round(statistics.mean(v)) for k, v in sorted(per.items())},
        "outside_limits": broken,
        "long_submission_words": long_words,
    }


# -- 1. import -----------------------------------------------------------------------------------------


def bench_import(
    work: Path, data: dict, sizes: list[int], repeat: int, repeat_max: int, results: dict
) -> dict[int, Path]:
    """Import into a fresh database `repeat` times (once above `repeat_max`); the last one is kept."""
    dbs = {}
    out = results.setdefault("import", {})
    for n in sizes:
        rates, floors, floor_detail = [], [], []
        db = work / f"queue-{n}.db"
        for attempt in range(repeat if n <= repeat_max else 1):
            remove_db(db)
            _, r = run_child(["import", "--src", str(data["jsonl"][n]), "--db", str(db)])
            assert r["imported"] == n, r
            rates.append(n / r["seconds"])
            floor_db = work / "floor-insert.db"
            remove_db(floor_db)
            _, f = run_child(["floor-insert", "--src", str(data["jsonl"][n]), "--db", str(floor_db)])
            remove_db(floor_db)
            floors.append(n / f["seconds"])
            floor_detail.append(f)
            log(f"import jsonl n={n:,} run {attempt + 1}: {rates[-1]:,.0f}/s (floor {floors[-1]:,.0f}/s)")
        out[f"jsonl_{n}"] = {
            "n": n,
            "per_s": median(rates),
            "runs": rates,
            "floor_per_s": median(floors),
            "floor_runs": floors,
            "floor_parse_s": median([f["parse_seconds"] for f in floor_detail]),
            "floor_insert_s": median([f["insert_seconds"] for f in floor_detail]),
            "maxrss_kb": r["maxrss_kb"],
        }
        dbs[n] = db
    n = data["yaml_n"]
    rates = []
    for attempt in range(repeat):
        db = work / "yaml-import.db"
        remove_db(db)
        _, r = run_child(["import", "--src", str(data["yaml"]), "--db", str(db)])
        assert r["imported"] == n, r
        rates.append(n / r["seconds"])
        remove_db(db)
        log(f"import yaml n={n:,} run {attempt + 1}: {rates[-1]:,.0f}/s")
    out[f"yaml_{n}"] = {"n": n, "per_s": median(rates), "runs": rates}
    return dbs


def add_decisions(dbs: dict[int, Path], work: Path, results: dict) -> dict[int, Path]:
    syncs = {}
    for n, db in dbs.items():
        counts = seed.add_decisions(db, SHARE_DECIDED, SHARE_IN_REVIEW, exclude=(gen.LONG_ID,))
        sync_db = work / f"sync-{n}.db"
        sync_counts = seed.build_sync_db(db, sync_db)
        results.setdefault("decisions", {})[n] = {"queue": counts, "sync_db": sync_counts}
        syncs[n] = sync_db
        log(f"decisions n={n:,}: {counts}; sync db: {sync_counts}")
    return syncs


# -- 2. first paint, headless and in tmux ---------------------------------------------------------------


def bench_paint_headless(dbs: dict[int, Path], repeat: int, results: dict) -> None:
    """Interleaved: each round runs the bare app, then the app at every size, so drift on
    the machine (caches, clock) falls on the floor and the figures alike."""
    out = results.setdefault("paint_headless", {})
    for db in dbs.values():
        seed.reset_submission(db, gen.LONG_ID)
    runs: dict = {key: {"ms": [], "rss": [], "phases": []} for key in ["bare", *dbs]}
    for _ in range(max(repeat, PAINT_RUNS_MIN)):
        t0, r = run_child(["paint", "--kind", "bare"])
        runs["bare"]["ms"].append((r["t_paint"] - t0) * 1000)
        runs["bare"]["rss"].append(r["maxrss_kb"])
        for n, db in dbs.items():
            t0, r = run_child(["paint", "--kind", "app", "--db", str(db), "--assessor", "bench-queue"])
            assert r["rows"], r
            runs[n]["ms"].append((r["t_paint"] - t0) * 1000)
            runs[n]["rss"].append(r["maxrss_kb"])
            runs[n]["phases"].append({k: (r[k] - t0) * 1000 for k in ("t_main", "t_imported", "t_mounted", "t_paint")})
    for key, got in runs.items():
        out[key] = {"ms": median(got["ms"]), "runs": got["ms"], "rss_kb": median(got["rss"])}
        if got["phases"]:
            out[key]["phases_ms"] = {k: median([p[k] for p in got["phases"]]) for k in got["phases"][0]}
        label = "bare" if key == "bare" else f"n={key:,}"
        log(f"paint headless {label}: {out[key]['ms']:.0f} ms, {out[key]['rss_kb'] / 1024:.1f} MiB")


def tmux(*args: str, check: bool = True) -> str:
    done = subprocess.run(
        ["tmux", "-u", "-L", TMUX_SOCKET, "-f", "/dev/null", *args],
        capture_output=True,
        text=True,
        env=child_env(),
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"tmux {' '.join(args)}: {done.stderr}")
    return done.stdout


def tmux_paint(name: str, command: str, marker: re.Pattern) -> tuple[float, int | None]:
    """Milliseconds from `tmux new-session` to the marker on screen, and the pane process's VmHWM."""
    t0 = time.monotonic()
    tmux("new-session", "-d", "-s", name, "-x", "80", "-y", "24", command)
    deadline = t0 + 60
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", name, check=False)
        if marker.search(screen):
            break
        # Each poll starts a tmux client; polling flat out takes a core from the app being
        # timed (on 2 cores that doubled the bare app's time). 10 ms keeps the error small.
        time.sleep(TMUX_POLL_S)
    else:
        tmux("kill-session", "-t", name, check=False)
        raise RuntimeError(f"tmux: marker never appeared; screen was:\n{screen}")
    elapsed = (time.monotonic() - t0) * 1000
    pid = tmux("display-message", "-p", "-t", name, "#{pane_pid}").strip()
    hwm = None
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
    tmux("kill-session", "-t", name, check=False)
    time.sleep(0.2)  # let the killed app exit before the next start
    return elapsed, hwm


def bench_paint_tmux(dbs: dict[int, Path], repeat: int, results: dict) -> None:
    """`mcreview review` (the real command) in a detached tmux window, interleaved with the
    bare app like the headless measurement; the screen is read with capture-pane."""
    if not shutil.which("tmux"):
        log("tmux not found: skipping the tmux first-paint measurement")
        return
    out = results.setdefault("paint_tmux", {})
    env = f"env PYTHONPATH={shlex.quote(str(REPO))} LANG=C.UTF-8"
    cd = f"cd {shlex.quote(str(REPO))} && exec {env} {shlex.quote(PY)}"
    for db in dbs.values():
        seed.reset_submission(db, gen.LONG_ID)
    runs: dict = {key: {"ms": [], "rss": []} for key in ["bare", *dbs]}
    tmux("new-session", "-d", "-s", "keep", "-x", "80", "-y", "24", "sleep 86400")  # the server, started once
    try:
        out["term"] = tmux("show-options", "-g", "-s", "default-terminal", check=False).strip()
        for i in range(max(repeat, PAINT_RUNS_MIN)):
            ms, peak = tmux_paint(
                f"bare-{i}", f"{cd} {shlex.quote(CHILD)} bare-tui", re.compile(re.escape("bench-floor-ready"))
            )
            runs["bare"]["ms"].append(ms)
            runs["bare"]["rss"].append(peak)
            for n, db in dbs.items():
                command = f"{cd} -m mcreview --db {shlex.quote(str(db))} --assessor bench-tmux review"
                ms, peak = tmux_paint(f"q{n}-{i}", command, QUEUE_MARKER)
                runs[n]["ms"].append(ms)
                runs[n]["rss"].append(peak)
    finally:
        tmux("kill-server", check=False)
    for key, got in runs.items():
        out[key] = {
            "ms": median(got["ms"]),
            "runs": got["ms"],
            "rss_kb": median([h for h in got["rss"] if h]),
        }
        label = "bare" if key == "bare" else f"n={key:,}"
        log(f"paint tmux {label}: {out[key]['ms']:.0f} ms, VmHWM {out[key]['rss_kb'] / 1024:.1f} MiB")


# -- 3, 4. open a submission, tab, level keys -----------------------------------------------------------


def bench_interact(db: Path, repeat: int, presses: int, results: dict) -> None:
    pooled: dict[str, list[float]] = {}
    cold = []
    per_run = max(20, presses // repeat)
    for attempt in range(repeat):
        seed.reset_submission(db, gen.LONG_ID)
        _, r = run_child(
            [
                "interact",
                "--db",
                str(db),
                "--sid",
                gen.LONG_ID,
                "--component",
                LONG_COMPONENT,
                "--presses",
                str(per_run),
                "--opens",
                "4",
            ]
        )
        cold.append(r["open_ms"][0])
        pooled.setdefault("open_warm_ms", []).extend(r["open_ms"][1:])
        for key in ("tab_first_ms", "tab_again_ms", "level_paint_ms", "level_durable_ms"):
            pooled.setdefault(key, []).extend(r[key])
        log(f"interact run {attempt + 1}: open {r['open_ms'][0]:.0f} ms cold, tab {median(r['tab_first_ms']):.0f} ms")
    seed.reset_submission(db, gen.LONG_ID)
    results["interact"] = {
        "open_cold_ms": median(cold),
        "open_cold_runs": cold,
        **{k: {"p50": median(v), "p99": pct(v, 99), "max": max(v), "n": len(v)} for k, v in pooled.items()},
    }


def bench_durable(db: Path, repeat: int, presses: int, results: dict) -> None:
    import sqlite3

    conn = sqlite3.connect(db)
    sid = conn.execute(
        "SELECT id FROM submissions WHERE status = 'pending' AND credential = ? AND id != ?"
        " ORDER BY submitted, id LIMIT 1",
        (gen.LONG_CREDENTIAL, gen.LONG_ID),
    ).fetchone()[0]
    conn.close()
    pooled: dict[str, list[float]] = {}
    for _ in range(repeat):
        seed.reset_submission(db, sid)
        _, r = run_child(
            [
                "durable",
                "--db",
                str(db),
                "--sid",
                sid,
                "--component",
                LONG_COMPONENT,
                "--n",
                str(max(50, presses // repeat)),
            ]
        )
        for key, values in r.items():
            pooled.setdefault(key, []).extend(values)
    seed.reset_submission(db, sid)
    results["durable"] = {
        k: {"p50": median(v), "p99": pct(v, 99), "max": max(v), "n": len(v)} for k, v in pooled.items()
    }
    log(f"set_level in-process p99 {results['durable']['set_level_ms']['p99']:.1f} ms")


def summary(values: list[float]) -> dict:
    return {"p50": median(values), "p99": pct(values, 99), "max": max(values), "n": len(values)}


def bench_views(work: Path, repeat: int, results: dict) -> None:
    """A later attempt (2,000 words a response, a quarter rewritten): open it, show its word
    diff, Tab with the diff on; the moderation view of two readings that differ: open, Tab."""
    pooled: dict[str, list[float]] = {}
    for attempt in range(repeat):
        folder = Path(tempfile.mkdtemp(dir=work, prefix="views-"))
        _, r = run_child(["views", "--work", str(folder), "--opens", "5"])
        shutil.rmtree(folder)
        for key, value in r.items():
            pooled.setdefault(key, []).extend(value if isinstance(value, list) else [value])
        log(
            f"views run {attempt + 1}: attempt open {median(r['attempt_open_ms']):.0f} ms,"
            f" diff {median(r['attempt_w_ms']):.0f} ms, moderation open {median(r['moderation_open_ms']):.0f} ms"
        )
    results["views"] = {k: summary(v) for k, v in pooled.items()}


def bench_large(repeat: int, results: dict) -> None:
    """bench/open_large.py: Enter to first paint for a response of 2,400 words, 1 MB, 50 MB."""
    done = subprocess.run(
        [PY, str(BENCH / "open_large.py"), "--runs", str(max(5, repeat)), "--json"],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=REPO,
        timeout=1800,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"open_large failed:\n{done.stderr[-3000:]}")
    results["large"] = {label: summary(times) for label, times in json.loads(lines[-1]).items()}
    for label, got in results["large"].items():
        log(f"open large {label}: {got['p50']:.0f} ms")


def bench_contend(work: Path, data: dict, n: int, seconds: float, repeat: int, results: dict) -> None:
    """Level keys (one every ~100 ms) on the long submission while the n-submission import
    runs, for `seconds` of it; the import is stopped after that."""
    pooled: list[float] = []
    runs = []
    for attempt in range(max(1, repeat - 1)):
        db = work / "contend.db"
        remove_db(db)
        _, r = run_child(
            ["import-contend", "--src", str(data["jsonl"][n]), "--db", str(db), "--sid", gen.LONG_ID]
            + ["--component", LONG_COMPONENT, "--seconds", str(seconds)]
        )
        remove_db(db)
        pooled.extend(r["set_level_ms"])
        runs.append({k: v for k, v in r.items() if k != "set_level_ms"})
        log(f"level keys during import run {attempt + 1}: p99 {pct(r['set_level_ms'], 99):.0f} ms")
    results["contend"] = {"n": n, "set_level_ms": summary(pooled), "runs": runs}


# -- SQLite and PostgreSQL side by side --------------------------------------------------------------


class PgServer:
    """Where the PostgreSQL measurements run: databases made (and dropped) on a server."""

    def __init__(self, spec: str) -> None:
        self.started = None
        if spec == "auto":
            sys.path.append(str(BENCH.parent / "tools"))
            import pgserver

            self.started = pgserver.start()
            self.url = self.started.url
        else:
            self.url = spec
        self.made: list[str] = []

    def database(self, name: str) -> str:
        import urllib.parse

        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        self.made.append(name)
        return urllib.parse.urlsplit(self.url)._replace(path=f"/{name}").geturl()

    def close(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            for name in self.made:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if self.started is not None:
            import pgserver

            pgserver.stop(self.started)


def fresh_queue(backend: str, work: Path, pg: PgServer, name: str) -> str:
    """An empty queue to point a child at: a new SQLite file, or a new PostgreSQL database."""
    if backend == "sqlite":
        path = work / f"{name}.db"
        remove_db(path)
        return str(path)
    return pg.database(f"mcreview_{name}")


def bench_backends(
    dbs: dict[int, Path], work: Path, repeat: int, presses: int, operations: int, pg: PgServer, results: dict
) -> None:
    """Level key → durable (in-process set_level) on the same queue in both backends (the
    smallest size, copied to PostgreSQL with mcreview's own copy), and stress throughput:
    N assessor processes on a fresh queue of 2N submissions, with hand-offs."""
    import sqlite3

    n = min(dbs)
    source = dbs[n]
    conn = sqlite3.connect(source)
    sid = conn.execute(
        "SELECT id FROM submissions WHERE status = 'pending' AND credential = ? AND id != ?"
        " ORDER BY submitted, id LIMIT 1",
        (gen.LONG_CREDENTIAL, gen.LONG_ID),
    ).fetchone()[0]
    conn.close()
    url = pg.database(f"mcreview_bench_{n}")
    _, copied = run_child(["copy", "--src", str(source), "--db", url])
    log(f"copied the {n:,} queue to PostgreSQL: {copied['rows']:,} rows in {copied['s']:.1f}s")
    out: dict = {"n": n, "copy_s": copied["s"], "durable": {}, "stress": {}}
    for backend, target in (("sqlite", str(source)), ("postgresql", url)):
        pooled: dict[str, list[float]] = {}
        for _ in range(repeat):
            if backend == "sqlite":
                seed.reset_submission(source, sid)
            _, r = run_child(
                ["durable", "--db", target, "--sid", sid, "--component", LONG_COMPONENT]
                + ["--n", str(max(50, presses // repeat))]
            )
            for key, values in r.items():
                pooled.setdefault(key, []).extend(values)
        out["durable"][backend] = {
            k: {"p50": median(v), "p99": pct(v, 99), "max": max(v), "n": len(v)} for k, v in pooled.items()
        }
        log(f"{backend}: set_level p99 {out['durable'][backend]['set_level_ms']['p99']:.1f} ms")
    seed.reset_submission(source, sid)
    out["team"] = {}
    for backend in ("sqlite", "postgresql"):
        for pace in (TEAM_PACE_MS, 0.0):
            pooled_team: list[float] = []
            reruns = 0
            for attempt in range(repeat):
                target = fresh_queue(backend, work, pg, f"team_{TEAM}_{attempt}_{int(pace)}")
                _, r = run_child(
                    ["team-durable", "--db", target, "--assessors", str(TEAM), "--presses", "30"]
                    + ["--pace-ms", str(pace)]
                )
                if r["errors"]:
                    raise RuntimeError(f"team-durable {backend}: {r['errors'][:3]}")
                pooled_team.extend(r["set_level_ms"])
                reruns += r.get("retries", 0)
            key = f"{backend}-{'paced' if pace else 'flat'}"
            out["team"][key] = summary(pooled_team) | {"pace_ms": pace, "reruns": reruns}
            log(f"{TEAM} assessors {key}: set_level p99 {out['team'][key]['p99']:.1f} ms")
    for team in STRESS_TEAMS:
        for backend in ("sqlite", "postgresql"):
            runs = []
            for attempt in range(repeat):
                target = fresh_queue(backend, work, pg, f"stress_{team}_{attempt}")
                _, r = run_child(
                    ["stress", "--db", target, "--assessors", str(team), "--submissions", str(2 * team)]
                    + ["--operations", str(operations)]
                )
                if r["errors"]:
                    raise RuntimeError(f"stress {backend} {team}: {r['errors']} errors: {r['first_error']}")
                runs.append(r)
            out["stress"][f"{backend}-{team}"] = {
                "per_s": median([r["per_s"] for r in runs]),
                "events": median([r["events"] for r in runs]),
                "s": median([r["s"] for r in runs]),
                "retries": median([r["retries"] for r in runs]),
                "runs": runs,
            }
            per_s = out["stress"][f"{backend}-{team}"]["per_s"]
            log(f"stress {backend} {team} assessors: {per_s:.0f} writes/s")
    results["backends"] = out


# -- bytes to a real terminal -----------------------------------------------------------------------------


class PtyApp:
    """The real `mcreview review` on a pseudo-terminal: keys in, bytes out counted."""

    def __init__(self, db: Path, width: int = 80, height: int = 24, config: Path | None = None) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        env = child_env(config)
        env.update(TERM="xterm-256color", COLUMNS=str(width), LINES=str(height))

        def controlling_tty() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            [PY, "-m", "mcreview", "--db", str(db), "--assessor", "bench-pty", "review"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=REPO,
            preexec_fn=controlling_tty,
            close_fds=True,
        )
        os.close(slave)
        self.total = 0

    def settle(self, first: float = 3.0, quiet: float = 0.25) -> int:
        """Bytes read until the output has been quiet for `quiet` seconds."""
        got = 0
        timeout = first
        while True:
            ready, _, _ = select.select([self.master], [], [], timeout)
            if not ready:
                break
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                break
            if not chunk:
                break
            got += len(chunk)
            timeout = quiet
        self.total += got
        return got

    def key(self, data: bytes) -> int:
        os.write(self.master, data)
        return self.settle()

    def close(self) -> None:
        if self.proc.poll() is None:
            os.write(self.master, b"q")
            self.settle(first=2.0)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=5)
        os.close(self.master)


def bench_bytes(db: Path, repeat: int, keys: int, results: dict) -> None:
    runs: dict[str, list[float]] = {}
    # Level keys stay on their component (auto-advance off), as in round 1: a level key's
    # bytes, not a level key and a component switch.
    config = config_home(db.parent, "no-advance", "auto_advance: false\n")
    for _ in range(repeat):
        seed.reset_submission(db, gen.LONG_ID)
        app = PtyApp(db, config=config)
        try:
            startup = app.settle(first=15.0, quiet=0.5)
            opened = app.key(b"\r")  # the long submission is row 1
            level = [app.key(b"1" if i % 2 == 0 else b"2") for i in range(keys)]
            tab = [app.key(b"\t") for _ in range(keys)]
            half = keys // 2
            page = [app.key(b"\x1b[6~") for _ in range(half)] + [app.key(b"\x1b[5~") for _ in range(keys - half)]
        finally:
            app.close()
        for name, values in (
            ("startup", [startup]),
            ("open", [opened]),
            ("level", level),
            ("tab", tab),
            ("page", page),
        ):
            runs.setdefault(name, []).append(statistics.mean(values))
            if name in ("level", "tab", "page"):
                runs.setdefault(name + "_zero", []).append(sum(1 for v in values if v == 0))
        log(
            f"bytes: level {statistics.mean(level):.0f}, tab {statistics.mean(tab):.0f},"
            f" page {statistics.mean(page):.0f}"
        )
    seed.reset_submission(db, gen.LONG_ID)
    results["bytes"] = {k: median(v) for k, v in runs.items()} | {"keys": keys, "runs": runs}


# -- 5. sync ----------------------------------------------------------------------------------------------

# The floor writes the same columns as mcreview's CSV files (docs/sync.md): the titles
# and versions from the stored spec JSON, the scores of each decision's basis reading in
# rubric order (spec_components), three part columns with their titles.
DECISIONS_SQL = """
SELECT 1 AS batch, d.submission_id, s.credential, s.candidate, d.assessor, d.outcome AS decision,
       d.decided_at, d.revision, CASE d.override WHEN 1 THEN 'yes' ELSE 'no' END AS override, d.comment,
       d.attempt, d.computed, d.justification, json_extract(sp.body, '$.title') AS credential_title,
       json_extract(sp.body, '$.version') AS credential_version, d.spec_hash AS rubric_hash,
       replace(d.readers, ',', ' ') AS readers, d.resolution,
       json_extract(d.part_outcomes, '$."1"') AS part1, json_extract(sp.body, '$.parts[0].title') AS part1_title,
       json_extract(d.part_outcomes, '$."2"') AS part2, json_extract(sp.body, '$.parts[1].title') AS part2_title,
       json_extract(d.part_outcomes, '$."3"') AS part3, json_extract(sp.body, '$.parts[2].title') AS part3_title
FROM decisions d JOIN submissions s ON s.id = d.submission_id JOIN specs sp ON sp.hash = d.spec_hash
ORDER BY d.decided_at, d.submission_id, d.attempt, d.revision;
"""
SCORES_SQL = """
WITH titles AS (
  SELECT sp.hash AS spec_hash, json_extract(c.value, '$.id') AS component_id,
         json_extract(p.value, '$.title') AS part_title, json_extract(c.value, '$.title') AS component_title,
         json_extract(sp.body, '$.version') AS version
  FROM specs sp, json_each(sp.body, '$.parts') p, json_each(p.value, '$.components') c
)
SELECT 1 AS batch, sc.submission_id, sc.revision, r.part, sc.component_id AS component, sc.level,
       CASE sc.passing WHEN 1 THEN 'yes' ELSE 'no' END AS passing, COALESCE(c.body, '') AS comment,
       sc.assessor, sc.attempt, sc.reading, t.part_title, t.component_title, t.version AS rubric_version
FROM decisions d
JOIN scores sc ON sc.submission_id = d.submission_id AND sc.attempt = d.attempt AND sc.revision = d.revision
     AND sc.reading = d.basis_reading
LEFT JOIN comments c ON c.submission_id = sc.submission_id AND c.attempt = sc.attempt
     AND c.revision = sc.revision AND c.reading = sc.reading AND c.component_id = sc.component_id
LEFT JOIN spec_components r ON r.spec_hash = sc.spec_hash AND r.component_id = sc.component_id
LEFT JOIN titles t ON t.spec_hash = sc.spec_hash AND t.component_id = sc.component_id
ORDER BY d.decided_at, d.submission_id, d.attempt, d.revision, COALESCE(r.position, 1000000), sc.component_id,
         sc.reading;
"""


def count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def bench_sync(syncs: dict[int, Path], work: Path, repeat: int, results: dict) -> None:
    out = results.setdefault("sync", {})
    sqlite3_cli = shutil.which("sqlite3") or "/usr/bin/sqlite3"
    for n, sync_db in syncs.items():
        app_s, floor_s = [], []
        detail = {}
        for _ in range(repeat):
            copy = work / "sync-run.db"
            remove_db(copy)
            private_copy(sync_db, copy)
            dest = Path(tempfile.mkdtemp(dir=work, prefix="sync-dest-"))
            t0 = time.monotonic()
            done = subprocess.run(
                [
                    PY,
                    "-m",
                    "mcreview",
                    "--db",
                    str(copy),
                    "--assessor",
                    "bench-sync",
                    "sync",
                    str(dest),
                    "--all",
                ],
                capture_output=True,
                text=True,
                env=child_env(),
                cwd=REPO,
            )
            app_s.append(time.monotonic() - t0)
            if done.returncode != 0:
                raise RuntimeError(f"sync failed: {done.stderr}")
            files = sorted(dest.iterdir())
            detail["app_output"] = done.stdout.splitlines()[0]
            detail["app_rows"] = {p.name.split("-")[0]: count_lines(p) - 1 for p in files}
            detail["app_bytes"] = sum(p.stat().st_size for p in files)
            shutil.rmtree(dest)
            remove_db(copy)
            # floor: the sqlite3 shell writing the same joined rows as CSV (no fsync, no bookkeeping)
            dest = Path(tempfile.mkdtemp(dir=work, prefix="sync-floor-"))
            script = f".once {dest / 'decisions.csv'}\n{DECISIONS_SQL}\n.once {dest / 'scores.csv'}\n{SCORES_SQL}\n"
            t0 = time.monotonic()
            done = subprocess.run(
                [sqlite3_cli, "-csv", "-header", "-readonly", str(sync_db)],
                input=script,
                capture_output=True,
                text=True,
            )
            floor_s.append(time.monotonic() - t0)
            if done.returncode != 0 or done.stderr:
                raise RuntimeError(f"sqlite3 floor failed: {done.stderr}")
            detail["floor_rows"] = {p.stem: count_lines(p) - 1 for p in dest.iterdir()}
            detail["floor_bytes"] = sum(p.stat().st_size for p in dest.iterdir())
            shutil.rmtree(dest)
        out[n] = {
            "s": median(app_s),
            "runs": app_s,
            "floor_s": median(floor_s),
            "floor_runs": floor_s,
            **detail,
        }
        log(f"sync --all n={n:,}: {out[n]['s']:.2f}s (sqlite3 floor {out[n]['floor_s']:.2f}s)")


# -- report -------------------------------------------------------------------------------------------------


def machine() -> dict:
    import sqlite3
    from importlib.metadata import version

    def cmd(*args: str) -> str:
        try:
            return subprocess.run(args, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"

    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu.group(1) if cpu else "?",
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "textual": version("textual"),
        "rich": version("rich"),
        "sqlite_utils": version("sqlite-utils"),
        "pyyaml": version("PyYAML"),
        "sqlite_python": sqlite3.sqlite_version,
        "sqlite_cli": cmd(shutil.which("sqlite3") or "/usr/bin/sqlite3", "--version").split(" ")[0],
        "tmux": cmd("tmux", "-V"),
        "uname": cmd("uname", "-a"),
        "git": cmd("git", "-C", str(BENCH.parent), "rev-parse", "--short", "HEAD"),
        "uncommitted_app_files": cmd(
            "git", "-C", str(BENCH.parent), "status", "--porcelain", "--", "mcreview", "specs"
        ).splitlines(),
        "filesystem": cmd("df", "-h", "--output=source,fstype,target", str(BENCH)).splitlines()[-1:],
    }


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("PASS" if ok else "FAIL")


def build_rows(results: dict, sizes: list[int]) -> list[list[str]]:
    """[measure, size, result, floor / compared with, ratio, target, verdict]"""
    rows: list[list[str]] = []
    big, small = max(sizes), min(sizes)
    imp = results.get("import", {})
    for n in sizes:
        r = imp.get(f"jsonl_{n}")
        if r:
            rows.append(
                [
                    "import, JSON Lines (subs/s)",
                    f"{n:,}",
                    f"{r['per_s']:,.0f}",
                    f"insert_all {r['floor_per_s']:,.0f}",
                    f"{r['floor_per_s'] / r['per_s']:.1f}× slower",
                    f"≥ {TARGETS['import_per_s']:,.0f}/s",
                    verdict(r["per_s"] >= TARGETS["import_per_s"]),
                ]
            )
    for key, r in imp.items():
        if key.startswith("yaml_"):
            rows.append(["import, YAML folder (subs/s)", f"{r['n']:,}", f"{r['per_s']:,.0f}", "", "", "", "—"])
    for mode, label in (("paint_headless", "headless"), ("paint_tmux", "tmux 80×24")):
        p = results.get(mode)
        if not p:
            continue
        bare = p["bare"]["ms"]
        for n in sizes:
            if n not in p:
                continue
            ratio_bare = p[n]["ms"] / bare
            ok = None
            target = ""
            if n == big:
                limit = TARGETS["paint_vs_bare" if mode == "paint_tmux" else "paint_vs_bare_headless"]
                ok = ratio_bare <= limit
                target = f"≤ {limit}× bare"
            rows.append(
                [
                    f"queue first paint, {label} (ms)",
                    f"{n:,}",
                    f"{p[n]['ms']:.0f}",
                    f"bare app {bare:.0f}",
                    f"{ratio_bare:.2f}× bare",
                    target,
                    verdict(ok),
                ]
            )
        if big != small and small in p and big in p:
            ratio = p[big]["ms"] / p[small]["ms"]
            rows.append(
                [
                    f"queue first paint, {label}: {big:,} vs {small:,}",
                    f"{big:,}",
                    f"{p[big]['ms']:.0f}",
                    f"{small:,}: {p[small]['ms']:.0f}",
                    f"{ratio:.2f}×",
                    "≤ 1.2×",
                    verdict(ratio <= TARGETS["paint_vs_small"]),
                ]
            )
        for n in sizes:
            if n in p:
                rows.append(
                    [
                        f"peak RSS, {label} (MiB)",
                        f"{n:,}",
                        f"{p[n]['rss_kb'] / 1024:.1f}",
                        f"bare app {p['bare']['rss_kb'] / 1024:.1f}",
                        f"{p[n]['rss_kb'] / p['bare']['rss_kb']:.2f}× bare",
                        "",
                        "—",
                    ]
                )
        if big != small and small in p and big in p:
            ratio = p[big]["rss_kb"] / p[small]["rss_kb"]
            rows.append(
                [
                    f"peak RSS, {label}: {big:,} vs {small:,}",
                    f"{big:,}",
                    f"{p[big]['rss_kb'] / 1024:.1f}",
                    f"{small:,}: {p[small]['rss_kb'] / 1024:.1f}",
                    f"{ratio:.2f}×",
                    "≤ 1.5×",
                    verdict(ratio <= TARGETS["rss_vs_small"]),
                ]
            )
    it = results.get("interact")
    if it:
        limit = TARGETS["open_ms"]
        rows.append(
            [
                "open submission, first in process (ms)",
                f"{big:,}",
                f"{it['open_cold_ms']:.0f}",
                "",
                "",
                "< 150 ms",
                verdict(it["open_cold_ms"] < limit),
            ]
        )
        rows.append(
            [
                "open submission, again (ms, p50)",
                f"{big:,}",
                f"{it['open_warm_ms']['p50']:.0f}",
                "",
                f"p99 {it['open_warm_ms']['p99']:.0f}",
                "< 150 ms",
                verdict(it["open_warm_ms"]["p50"] < limit),
            ]
        )
        rows.append(
            [
                "tab to a new component (ms, p50)",
                f"{big:,}",
                f"{it['tab_first_ms']['p50']:.0f}",
                "",
                f"p99 {it['tab_first_ms']['p99']:.0f}",
                "< 150 ms",
                verdict(it["tab_first_ms"]["p50"] < limit),
            ]
        )
        rows.append(
            [
                "tab to a seen component (ms, p50)",
                f"{big:,}",
                f"{it['tab_again_ms']['p50']:.0f}",
                "",
                f"p99 {it['tab_again_ms']['p99']:.0f}",
                "< 150 ms",
                verdict(it["tab_again_ms"]["p50"] < limit),
            ]
        )
    vw = results.get("views")
    if vw:
        limit = TARGETS["open_ms"]
        for key, label in (
            ("attempt_open_cold_ms", "open a later attempt (2,000 words), first in process (ms)"),
            ("attempt_open_ms", "open a later attempt, again (ms, p50)"),
            ("attempt_w_ms", "show / hide its word diff (w) (ms, p50)"),
            ("attempt_tab_ms", "tab with the diff on (ms, p50)"),
            ("moderation_open_cold_ms", "moderation view, two readings, first in process (ms)"),
            ("moderation_open_ms", "moderation view, again (ms, p50)"),
            ("moderation_tab_ms", "moderation view, tab (ms, p50)"),
        ):
            got = vw[key]
            rows.append(
                [
                    label,
                    "1 sub",
                    f"{got['p50']:.0f}",
                    "",
                    f"p99 {got['p99']:.0f}" if got["n"] > 1 else "",
                    "< 150 ms",
                    verdict(got["p50"] < limit),
                ]
            )
    lg = results.get("large")
    if lg:
        for label, got in lg.items():
            rows.append(
                [
                    f"open a response of {label} (ms, p50)",
                    "1 sub",
                    f"{got['p50']:.0f}",
                    "",
                    f"max {got['max']:.0f}",
                    "< 150 ms",
                    verdict(got["p50"] < TARGETS["open_ms"]),
                ]
            )
    ct = results.get("contend")
    if ct:
        c = ct["set_level_ms"]
        rows.append(
            [
                "level key during the import, set_level wait (ms)",
                f"{ct['n']:,}",
                f"p50 {c['p50']:.1f} / p99 {c['p99']:.1f}",
                f"{c['n']} keys; max {c['max']:.0f}",
                "",
                f"p99 ≤ {TARGETS['contend_p99_ms']:.0f} ms",
                verdict(c["p99"] <= TARGETS["contend_p99_ms"]),
            ]
        )
    be = results.get("backends")
    if be and "team" in be:
        for key, got in be["team"].items():
            backend, mode = key.split("-")
            paced = mode == "paced"
            rows.append(
                [
                    f"level → durable, {TEAM} assessor processes at once, {backend},"
                    + (f" a key each ~{got['pace_ms']:.0f} ms (ms)" if paced else " keys back to back (ms)"),
                    f"{TEAM} subs",
                    f"p50 {got['p50']:.1f} / p99 {got['p99']:.1f}",
                    f"{got['n']} keys; max {got['max']:.0f}"
                    + (f"; {got['reruns']} reruns" if got.get("reruns") else ""),
                    "",
                    "p99 < 10 ms" if paced else "",
                    verdict(got["p99"] < TARGETS["durable_p99_ms"]) if paced else "—",
                ]
            )
    if be:
        for backend in ("sqlite", "postgresql"):
            s, b = be["durable"][backend]["set_level_ms"], be["durable"][backend]["bare_commit_ms"]
            rows.append(
                [
                    f"level → durable, set_level, {backend} (ms)",
                    f"{be['n']:,}",
                    f"p50 {s['p50']:.1f} / p99 {s['p99']:.1f}",
                    f"bare commit p50 {b['p50']:.1f} / p99 {b['p99']:.1f}",
                    f"{s['p99'] / b['p99']:.2f}× bare p99",
                    "p99 < 10 ms",
                    verdict(s["p99"] < TARGETS["durable_p99_ms"]),
                ]
            )
        for team in STRESS_TEAMS:
            lite, server = be["stress"][f"sqlite-{team}"], be["stress"][f"postgresql-{team}"]
            for backend, r in (("sqlite", lite), ("postgresql", server)):
                rows.append(
                    [
                        f"stress, {team} assessor processes, {backend} (writes/s)",
                        f"{2 * team} subs",
                        f"{r['per_s']:.0f}",
                        f"{r['events']:.0f} writes in {r['s']:.1f}s, {r['retries']:.0f} reruns",
                        f"{server['per_s'] / lite['per_s']:.2f}× SQLite" if backend == "postgresql" else "",
                        "",
                        "—",
                    ]
                )
    du = results.get("durable")
    if du:
        s, b, f = du["set_level_ms"], du["bare_commit_ms"], du["fsync_ms"]
        rows.append(
            [
                "level → durable, in-process set_level (ms)",
                f"{big:,}",
                f"p50 {s['p50']:.1f} / p99 {s['p99']:.1f}",
                f"bare commit p50 {b['p50']:.1f} / p99 {b['p99']:.1f}; fsync p99 {f['p99']:.1f}",
                f"{s['p99'] / b['p99']:.2f}× bare p99",
                "p99 < 10 ms",
                verdict(s["p99"] < TARGETS["durable_p99_ms"]),
            ]
        )
    if it:
        d, p = it["level_durable_ms"], it["level_paint_ms"]
        rows.append(
            [
                "level → durable, Pilot key → row seen by 2nd connection (ms)",
                f"{big:,}",
                f"p50 {d['p50']:.1f} / p99 {d['p99']:.1f}",
                "",
                "",
                "p99 < 10 ms",
                verdict(d["p99"] < TARGETS["durable_p99_ms"]),
            ]
        )
        rows.append(
            [
                "level → repainted, Pilot (ms)",
                f"{big:,}",
                f"p50 {p['p50']:.1f} / p99 {p['p99']:.1f}",
                "",
                "",
                "",
                "—",
            ]
        )
    by = results.get("bytes")
    if by:
        for key, label, limit in (
            ("level", "bytes per level key", TARGETS["bytes_key"]),
            ("tab", "bytes per component switch (tab)", TARGETS["bytes_key"]),
            ("page", "bytes per page scrolled (pgdn/pgup)", TARGETS["bytes_page"]),
        ):
            rows.append(
                [
                    label,
                    f"{big:,}",
                    f"{by[key]:,.0f}",
                    f"first paint {by['startup']:,.0f}; open {by['open']:,.0f}",
                    "",
                    f"≤ {limit // 1024} KB",
                    verdict(by[key] <= limit),
                ]
            )
    sy = results.get("sync")
    if sy:
        for n in sizes:
            if n in sy:
                ratio = sy[n]["s"] / sy[n]["floor_s"]
                rows.append(
                    [
                        "sync DEST --all (s)",
                        f"{n:,}",
                        f"{sy[n]['s']:.2f}",
                        f"sqlite3 -csv {sy[n]['floor_s']:.2f}",
                        f"{ratio:.1f}× floor",
                        f"≤ {TARGETS['sync_vs_floor']:.0f}× floor" if n == big else "",
                        verdict(ratio <= TARGETS["sync_vs_floor"]) if n == big else "—",
                    ]
                )
    return rows


HEADER = ["measure", "N", "result", "floor / compared with", "ratio", "target", "verdict"]


def markdown_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    out = ["  ".join(h.ljust(w) for h, w in zip(HEADER, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(out)


# -- profiles (optional) -----------------------------------------------------------------------------------


def profile(work: Path, dbs: dict[int, Path], syncs: dict[int, Path], data: dict, out_dir: Path) -> None:
    """pyinstrument text profiles of the paths the targets cover, into bench/out/profiles/."""
    try:
        import pyinstrument
    except ImportError:
        log("pyinstrument is not installed: /tmp/venv/bin/pip install pyinstrument")
        return
    target = out_dir / "profiles"
    target.mkdir(parents=True, exist_ok=True)
    big = max(dbs)
    db = dbs[big]

    def pyinstrument(name: str, args: list[str]) -> None:
        log(f"profiling {name}")
        subprocess.run(
            [
                PY,
                "-m",
                "pyinstrument",
                "-i",
                "0.001",
                "-r",
                "text",
                "-p",
                "processor_options.filter_threshold=0.005",  # frames under 0.5% of the run are left out
                "-o",
                str(target / f"{name}.txt"),
                *args,
            ],
            env=child_env(),
            cwd=REPO,
            capture_output=True,
            timeout=1800,
        )

    seed.reset_submission(db, gen.LONG_ID)
    pyinstrument(f"paint-{big}", [CHILD, "paint", "--kind", "app", "--db", str(db)])
    pyinstrument("paint-bare", [CHILD, "paint", "--kind", "bare"])
    seed.reset_submission(db, gen.LONG_ID)
    pyinstrument(
        "interact",
        [
            CHILD,
            "interact",
            "--db",
            str(db),
            "--sid",
            gen.LONG_ID,
            "--component",
            LONG_COMPONENT,
            "--presses",
            "40",
        ],
    )
    seed.reset_submission(db, gen.LONG_ID)
    n = min(dbs, key=lambda k: abs(k - 10000))
    scratch = work / "profile-import.db"
    remove_db(scratch)
    pyinstrument(f"import-jsonl-{n}", [CHILD, "import", "--src", str(data["jsonl"][n]), "--db", str(scratch)])
    remove_db(scratch)
    copy = work / "sync-run.db"
    remove_db(copy)
    private_copy(syncs[big], copy)
    dest = Path(tempfile.mkdtemp(dir=work, prefix="sync-dest-"))
    pyinstrument(
        f"sync-{big}",
        ["-m", "mcreview", "--db", str(copy), "--assessor", "bench-sync", "sync", str(dest), "--all"],
    )
    shutil.rmtree(dest)
    remove_db(copy)


# -- main ----------------------------------------------------------------------------------------------------


def main() -> None:
    global REPO, gen, seed
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="queue sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--quick", action="store_true", help="sizes 1000,10000 only")
    parser.add_argument("--yaml", type=int, default=1000, help="YAML files to import (YAML parsing is slow)")
    parser.add_argument(
        "--import-repeat-max",
        type=int,
        default=10000,
        help="above this size the import is timed once (it also builds that size's database)",
    )
    parser.add_argument("--presses", type=int, default=200, help="level keys for the latency percentiles")
    parser.add_argument("--keys", type=int, default=20, help="keys per kind for the bytes-per-key measurement")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "mcreview-bench",
        help="generated data and databases (keep it on the disk under test; generated data is reused)",
    )
    parser.add_argument("--out", type=Path, default=BENCH / "out")
    parser.add_argument(
        "--pg",
        default="auto",
        help="PostgreSQL for the 'backends' phase: a URL of a role that may create databases,"
        " 'auto' (start a throwaway server on loopback) or 'off'",
    )
    parser.add_argument("--stress-ops", type=int, default=60, help="operations per assessor in the stress runs")
    parser.add_argument(
        "--contend-seconds",
        type=float,
        default=45.0,
        help="seconds of the largest import during which level keys are timed (contend)",
    )
    parser.add_argument("--profile", action="store_true", help="also write pyinstrument profiles to OUT/profiles")
    parser.add_argument("--no-snapshot", action="store_true", help="run the working tree, not a copy of it")
    parser.add_argument(
        "--app",
        type=Path,
        default=REPO,
        help="a tree holding mcreview/, specs/ and sample_queue/ to measure (default: this repository);"
        " e.g. a copy with a proposed diff applied",
    )
    parser.add_argument(
        "--only",
        default=",".join(PHASES),
        help=f"phases to run, comma-separated, from {','.join(PHASES)}; without 'import' the"
        " databases a previous run left in WORKDIR are reused",
    )
    args = parser.parse_args()
    phases = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = sorted(set(phases) - set(PHASES))
    if unknown:
        parser.error(f"unknown phase(s): {', '.join(unknown)}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    CONFIG["home"] = config_home(args.workdir, "defaults", None)
    source_hash = "working tree"
    if args.no_snapshot:
        REPO = args.app.resolve()
    else:
        REPO, source_hash = snapshot_app(args.workdir, args.app.resolve())
    sys.path[:0] = [str(REPO), str(BENCH)]
    import gen as gen_module
    import seed as seed_module

    gen, seed = gen_module, seed_module
    sizes = [1000, 10000] if args.quick else sorted({int(s.replace("_", "")) for s in args.sizes.split(",")})
    repeat = max(1, args.repeat)
    args.workdir.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    results: dict = {
        "command": " ".join([Path(PY).as_posix(), "bench/run.py", *sys.argv[1:]]),
        "sizes": sizes,
        "repeat": repeat,
        "machine": machine(),
        "app_source": {"from": str(args.app.resolve()), "ran": str(REPO), "mcreview_sha256": source_hash},
        "phases": phases,
        "settings": {
            "share_decided": SHARE_DECIDED,
            "share_in_review": SHARE_IN_REVIEW,
            "yaml_n": min(args.yaml, max(sizes)),
            "import_repeat_max": args.import_repeat_max,
            "presses": args.presses,
            "keys": args.keys,
            "workdir": str(args.workdir),
        },
    }
    data = prepare_data(args.workdir, sizes, min(args.yaml, max(sizes)))
    results["data"] = data["words"]
    if "import" in phases:
        dbs = bench_import(args.workdir, data, sizes, repeat, args.import_repeat_max, results)
        syncs = add_decisions(dbs, args.workdir, results)
    else:
        dbs = {n: args.workdir / f"queue-{n}.db" for n in sizes}
        syncs = {n: args.workdir / f"sync-{n}.db" for n in sizes}
        missing = [str(p) for p in [*dbs.values(), *syncs.values()] if not p.exists()]
        if missing:
            parser.error(f"no database from an earlier run (run with 'import' first): {', '.join(missing)}")
    big = dbs[max(sizes)]

    def save() -> list[list[str]]:
        """The results so far (after every phase: a phase that fails loses only itself)."""
        results["elapsed_s"] = time.monotonic() - started
        rows = build_rows(results, sizes)
        results["table"] = [dict(zip(HEADER, row, strict=True)) for row in rows]
        (args.out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
        (args.out / "results.md").write_text(
            f"Command: `{results['command']}` ({results['elapsed_s'] / 60:.1f} min)\n\n" + markdown_table(rows) + "\n"
        )
        return rows

    def backends() -> None:
        pg = PgServer(args.pg)
        try:
            bench_backends(dbs, args.workdir, repeat, args.presses, args.stress_ops, pg, results)
        finally:
            pg.close()

    steps = {
        "paint": lambda: (bench_paint_headless(dbs, repeat, results), bench_paint_tmux(dbs, repeat, results)),
        "interact": lambda: bench_interact(big, repeat, args.presses, results),
        "views": lambda: bench_views(args.workdir, repeat, results),
        "large": lambda: bench_large(repeat, results),
        "durable": lambda: bench_durable(big, repeat, args.presses, results),
        "contend": lambda: bench_contend(args.workdir, data, max(sizes), args.contend_seconds, repeat, results),
        "bytes": lambda: bench_bytes(big, repeat, args.keys, results),
        "sync": lambda: bench_sync(syncs, args.workdir, repeat, results),
        "backends": backends if args.pg != "off" else None,
    }
    for name, step in steps.items():
        if name not in phases or step is None:
            continue
        try:
            step()
        except Exception as error:  # recorded; the other phases still run
            log(f"phase {name} failed: {error}")
            results.setdefault("failed", {})[name] = str(error)[-3000:]
        save()
    rows = save()
    print(text_table(rows))
    print(f"\n{results['elapsed_s'] / 60:.1f} min; results in {args.out / 'results.json'} and results.md")
    if args.profile:
        profile(args.workdir, dbs, syncs, data, args.out)


if __name__ == "__main__":
    main()
