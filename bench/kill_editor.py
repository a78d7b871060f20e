"""Random kills while a comment is typed: how much text that was on screen is lost.

    /tmp/venv/bin/python bench/kill_editor.py [--kills 40] [--seed 1] [--app DIR]

Run by hand (the CI test tests/test_editor_durability.py runs 4 kills of the same
procedure, tools/editorkill.py). Each kill: `mcreview` starts on a pty (100x40) and
resumes on the submission, the comment editor opens and its draft must come back on
screen exactly, 3-20 characters are typed one at a time with 120-250 ms between keys
(a person typing), and SIGKILL comes at a random moment after the last key. Then the
text the editor showed just before the kill (every byte the app wrote, run through a
terminal emulator) is compared with the draft in the database. `--app DIR` measures
another tree (a checkout of an older commit): its own `mcreview` makes the queue and
runs. First it times what each change of the text costs in this tree: 300
`ReviewSession.save_draft` calls each of 500 and 10,000 characters (one transaction
with fsync). Prints the figures and writes bench/out/kill_editor.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO / "tools"))

from editorkill import kill_while_typing  # noqa: E402


def pair(text: str, kind: type) -> tuple:
    low, high = text.split(",")
    return kind(low), kind(high)


def draft_cost(work: Path) -> dict[str, dict[str, float]]:
    """p50/p99 of save_draft (ms) in this tree, on the disk the queue is on."""
    sys.path.insert(0, str(REPO))
    from mcreview.services import importer
    from mcreview.services.session import ReviewSession
    from mcreview.services.specfiles import default_specs_dir, load_spec_dir, sample_queue_dir
    from mcreview.store.sqlite import open_sqlite

    store = open_sqlite(work / "cost.db")
    try:
        specs, _ = load_spec_dir(default_specs_dir())
        report = importer.import_paths(store, [sample_queue_dir()], specs)
        session = ReviewSession(store, "ana")
        result = {}
        for size in (500, 10_000):
            times = []
            for n in range(300):
                body = "x" * (size - 1) + str(n % 10)
                started = time.perf_counter()
                session.save_draft(report.imported[0], field="overview", body=body)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            result[f"{size}_chars"] = {"p50_ms": round(times[150], 2), "p99_ms": round(times[296], 2)}
        return result
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chars", default="3,20", help="characters typed per kill (min,max)")
    parser.add_argument("--key-delay", default="0.12,0.25", help="seconds between keys (min,max)")
    parser.add_argument("--app", type=Path, default=REPO, help="the tree to measure (holds mcreview/)")
    args = parser.parse_args()
    app = args.app.resolve()
    env = {"PYTHONPATH": str(app)}
    specs = app / "mcreview" / "data" / "specs"
    sample = app / "mcreview" / "data" / "sample_queue"
    with tempfile.TemporaryDirectory(prefix="mcreview-kill-") as work:
        cost = draft_cost(Path(work))
        print(f"save_draft, one change of the text: {cost}", flush=True)
        db = Path(work) / "queue.db"
        subprocess.run(
            [sys.executable, "-m", "mcreview", "--db", str(db), "--specs", str(specs), "import", str(sample)],
            check=True,
            capture_output=True,
            env={**os.environ, **env},
            cwd=app,  # `python -m` puts the working folder first on the path
        )
        started = time.monotonic()
        run = kill_while_typing(
            db,
            specs,
            kills=args.kills,
            seed=args.seed,
            chars=pair(args.chars, int),
            key_delay=pair(args.key_delay, float),
            env=env,
            cwd=app,
            log=True,
        )
        seconds = time.monotonic() - started
    commit = subprocess.run(
        ["git", "-C", str(app), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    result = {
        "commit": commit,
        "app": str(app),
        "kills": len(run.kills),
        "seed": args.seed,
        "chars_per_kill": args.chars,
        "key_delay_s": args.key_delay,
        "characters_typed": run.typed,
        "characters_lost": run.lost,
        "kills_that_lost_text": run.rounds_with_loss,
        "kills_that_lost_all_the_round_had_shown": run.lost_round,
        "drafts_restored_on_screen": run.restores_checked,
        "seconds": round(seconds, 1),
        "save_draft_cost": cost,
        "per_kill": [kill.__dict__ for kill in run.kills],
    }
    out = BENCH / "out"
    out.mkdir(exist_ok=True)
    (out / "kill_editor.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"{result['kills']} kills at commit {commit}: {run.typed} characters typed, {run.lost} lost"
        f" (on screen, not in the draft) in {run.rounds_with_loss} kills;"
        f" {run.lost_round} kills lost everything the round had shown;"
        f" {run.restores_checked} drafts came back on screen; {seconds:.0f} s"
    )


if __name__ == "__main__":
    main()
