"""Opening a submission whose response is huge: time from Enter to the first paint.

    /tmp/venv/bin/python bench/open_large.py [--runs 9] [--json]

Run by hand. For a response of about 2,400 words, of 1,000,000 characters (the most
import now accepts) and of 50,000,000 characters (what an older mcreview imported),
queued the way an older mcreview queued it (no pre-checks), the Pilot at 80x24
presses Enter on the queue and waits for the first frame painted after the review
screen shows the component (a call_after_refresh scheduled by a wrapper around
ReviewScreen.show_component), then presses Escape; `--runs` times each, in a fresh
app. Prints the times and the median.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if not os.environ.get("PYTHONPATH"):  # bench/run.py points PYTHONPATH at its snapshot of the app
    sys.path.insert(0, str(REPO))

from mcreview.core.submissions import parse_submission  # noqa: E402
from mcreview.services.importer import store_spec  # noqa: E402
from mcreview.services.specfiles import default_specs_dir, load_spec_dir  # noqa: E402
from mcreview.store.api import NewSubmission  # noqa: E402
from mcreview.store.sqlite import open_sqlite  # noqa: E402
from mcreview.tui.app import build_app  # noqa: E402
from mcreview.tui.screens.review_screen import ReviewScreen  # noqa: E402

PARAGRAPH = "The candidate pasted the same paragraph again and again, " * 12 + "\n\n"
SIZES = {"2,400 words": 2_400 * 7, "1,000,000 characters": 1_000_000, "50,000,000 characters": 50_000_000}


def queue(path: Path, size: int) -> None:
    specs, _ = load_spec_dir(default_specs_dir())
    record = {
        "id": "BIG-001",
        "credential": "positive-professional-relationships",
        "submitted": "2026-10-01",
        "candidate": "C-1",
        "responses": {c: "short" for c in ("overview", "action-plan", "case-study", "reflection")},
    }
    submission = parse_submission(record, specs, "big.yaml", str(path.parent))
    spec = specs[submission.credential]
    body = PARAGRAPH * (size // len(PARAGRAPH))
    store = open_sqlite(path)

    def work(tx) -> None:  # type: ignore[no-untyped-def]
        store_spec(tx, spec)
        tx.add_submission(
            NewSubmission(
                id=submission.id,
                credential=submission.credential,
                candidate=submission.candidate,
                submitted=submission.submitted,
                content_hash=submission.content_hash,
                source=submission.source,
                spec_hash=spec.content_hash,
                responses={**submission.responses, "overview": body},
                attachments=(),
                flags="",
                prechecks=(),
            ),
            importer="import",
        )

    try:
        store.write(work)
    finally:
        store.close()


async def open_times(path: Path, runs: int) -> list[float]:
    times = []
    original = ReviewScreen.show_component
    for _ in range(runs):
        app = build_app(path, "ana", dt.date(2026, 11, 23))
        async with app.run_test(size=(80, 24)) as pilot:
            painted: asyncio.Future[float] = asyncio.get_running_loop().create_future()

            def show(screen: ReviewScreen, future: asyncio.Future[float] = painted) -> None:
                original(screen)
                screen.call_after_refresh(lambda: future.done() or future.set_result(time.perf_counter()))

            ReviewScreen.show_component = show  # type: ignore[method-assign]
            started = time.perf_counter()
            await pilot.press("enter")
            times.append((await painted - started) * 1000)
            ReviewScreen.show_component = original  # type: ignore[method-assign]
            await pilot.press("escape")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--json", action="store_true", help="also print every time as one JSON line")
    args = parser.parse_args()
    got: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="mcreview-open-") as work:
        for label, size in SIZES.items():
            path = Path(work) / f"{size}.db"
            queue(path, size)
            times = asyncio.run(open_times(path, args.runs))
            got[label] = times
            print(
                f"{label:>22}: open to first paint, median {statistics.median(times):.0f} ms"
                f" (min {min(times):.0f}, max {max(times):.0f}; {args.runs} runs)",
                flush=True,
            )
    if args.json:
        print(json.dumps(got))


if __name__ == "__main__":
    main()
