"""One assessor in the multi-process stress test (tests/test_team.py), and the team of
them (`run_team`, also what bench/run.py measures throughput with).

Each runs in its own OS process (multiprocessing 'spawn'), so it imports nothing from
pytest or conftest. It opens its own connection (a SQLite file or a PostgreSQL URL),
waits at the start barrier, then does a bounded, seeded series of claims, scores,
comments, decisions, reopens and releases through the same domain functions the
screens use.

Expected refusals (ClaimedByOther when claiming) are counted. Anything else that
escapes, above all "database is locked" or a serialisation failure the store did not
retry, goes back to the parent as an error and fails the test; so does a ReviewError
on a submission this worker holds, since holding the claim must make every write ours.
"""

from __future__ import annotations

import multiprocessing
import random
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from mcreview.core.scoring import EARNED, INCOMPLETE, evaluate
from mcreview.core.vocabulary import OVERALL, Status
from mcreview.services.claims import ClaimedByOther
from mcreview.services.session import ReviewError, ReviewSession
from mcreview.store import open_store

BARRIER_TIMEOUT = 60  # safety net only: the parent sets the event once every worker is ready


@dataclass
class Tally:
    """What one worker did; `events` must equal its rows in the events table."""

    assessor: str
    events: int = 0
    claims: int = 0
    contended: int = 0
    scores: int = 0
    comments: int = 0
    decisions: int = 0
    reopens: int = 0
    releases: int = 0
    errors: list[str] = field(default_factory=list)
    retries: int = 0  # units of work the store ran again after a conflict (PostgreSQL)
    started: float = 0.0  # time.monotonic() (one clock for every process on Linux)
    finished: float = 0.0


def _choose_level(rng: random.Random, component: Any) -> str:
    """Mostly a passing level, sometimes a failing one, so both outcomes get decided."""
    scale = component.scale
    passing = [level for level in scale.levels if level in scale.passing]
    failing = [level for level in scale.levels if level not in scale.passing]
    if failing and rng.random() < 0.2:
        return rng.choice(failing)
    return rng.choice(passing)


def _release(database: Any, tally: Tally, sid: str) -> bool:
    released = ReviewSession(database, tally.assessor).release(sid)
    if released is None or released.assessor != tally.assessor:
        raise AssertionError(f"{tally.assessor} lost its claim on {sid}: {released}")
    tally.releases += 1
    tally.events += 1
    return False


def _work_on(database: Any, rng: random.Random, tally: Tally, sid: str, step: int, handoff: bool) -> bool:
    """One operation on the submission this worker holds; returns whether it still holds it.

    With `handoff` false a worker only lets go of a revision nobody has scored or
    commented on yet (or a decided one); with it true it may release half-way and
    the next claimer carries on from another assessor's scores.
    """
    who = tally.assessor
    state = ReviewSession(database, "reader").load(sid)
    if state.status == Status.DECIDED:
        if rng.random() < 0.5:
            ReviewSession(database, who).reopen(sid)
            tally.reopens += 1
            tally.events += 1
            return True
        return _release(database, tally, sid)

    scored = [c for c in state.spec.components if c.scored]
    roll = rng.random()
    if roll < 0.55:
        component = rng.choice(scored)
        level = _choose_level(rng, component)
        before = ReviewSession(database, who).set_level(sid, component_id=component.id, level=level)
        if before != state.levels.get(component.id):  # the level the assessor saw is the one replaced
            raise AssertionError(f"{sid}/{component.id}: replaced {before!r}, screen showed {state.levels}")
        if before != level:
            tally.scores += 1
            tally.events += 1
        return True
    if roll < 0.7:
        component_id = rng.choice([OVERALL, *(c.id for c in scored)])
        # Unique text, so the comment always changes (and one event is written).
        ReviewSession(database, who).set_comment(
            sid, component_id=component_id, body=f"{who} note {step}\nsecond line"
        )
        tally.comments += 1
        tally.events += 1
        return True
    if roll >= 0.9 and (handoff or not (state.levels or state.comments)):
        return _release(database, tally, sid)
    outcome = evaluate(state.spec, state.levels)
    if outcome.status == INCOMPLETE:
        component = rng.choice([c for c in scored if c.id in outcome.unscored])
        ReviewSession(database, who).set_level(
            sid, component_id=component.id, level=_choose_level(rng, component)
        )
        tally.scores += 1
        tally.events += 1
        return True
    # Not Yet needs feedback; Earned may carry a comment or not.
    comment = "" if outcome.status == EARNED and rng.random() < 0.5 else f"feedback from {who}"
    recorded = ReviewSession(database, who).decide(sid, comment=comment)
    if recorded != outcome.status:
        raise AssertionError(f"{sid}: decided {recorded}, computed {outcome.status}")
    tally.decisions += 1
    tally.events += 2  # the decision, and the release of the claim that goes with it
    return False  # decide frees the claim


def run(
    target: str,
    assessor: str,
    submission_ids: list[str],
    seed: int,
    operations: int,
    handoff: bool,
    ready: Any,
    start: Any,
    results: Any,
) -> None:
    """Process entry point: report a Tally (as a dict) on `results`, whatever happens."""
    tally = Tally(assessor)
    rng = random.Random(seed)
    database = None
    signalled = False
    try:
        database = open_store(target)
        ready.put(assessor)
        signalled = True
        if not start.wait(BARRIER_TIMEOUT):
            raise RuntimeError("start barrier never opened")
        tally.started = time.monotonic()
        held: str | None = None
        for step in range(operations):
            if held is None:
                sid = rng.choice(submission_ids)
                try:
                    ReviewSession(database, assessor).claim(sid)
                except ClaimedByOther:
                    tally.contended += 1
                    continue
                tally.claims += 1
                tally.events += 1  # not holding it before, so this is a new claim
                held = sid
            else:
                try:
                    still = _work_on(database, rng, tally, held, step, handoff)
                except ReviewError as error:
                    raise AssertionError(f"{assessor} holds {held} but was refused: {error}") from error
                held = held if still else None
        tally.finished = time.monotonic()
        tally.retries = int(getattr(database, "retries", 0))
    except BaseException:
        tally.errors.append(traceback.format_exc())
    finally:
        if not signalled:  # never leave the parent waiting at the barrier
            ready.put(assessor)
        if database is not None:
            database.close()
        results.put(tally.__dict__)


@dataclass
class Team:
    tallies: dict[str, dict[str, Any]]  # assessor -> Tally as a dict
    exitcodes: list[int | None]

    @property
    def seconds(self) -> float:
        """From the first worker's start to the last one's finish, once all were connected."""
        done = [t for t in self.tallies.values() if t["finished"]]
        if not done:
            return 0.0
        return max(t["finished"] for t in done) - min(t["started"] for t in done)

    @property
    def events(self) -> int:
        return sum(int(t["events"]) for t in self.tallies.values())

    @property
    def retries(self) -> int:
        return sum(int(t["retries"]) for t in self.tallies.values())


def run_team(
    target: str,
    assessors: list[str],
    submission_ids: list[str],
    operations: int,
    handoff: bool,
    *,
    timeout: float = 120,
    seed: int = 1000,
) -> Team:
    """One process per assessor on one queue, all released at once from a barrier."""
    ctx = multiprocessing.get_context("spawn")
    ready, results, start = ctx.Queue(), ctx.Queue(), ctx.Event()
    processes = [
        ctx.Process(
            target=run,
            args=(target, name, submission_ids, seed + n, operations, handoff, ready, start, results),
            name=name,
        )
        for n, name in enumerate(assessors)
    ]
    for process in processes:
        process.start()
    try:
        for _ in processes:  # every worker connected: open the barrier for all at once
            ready.get(timeout=timeout)
        start.set()
        tallies = {t["assessor"]: t for t in (results.get(timeout=timeout) for _ in processes)}
    finally:
        start.set()
        for process in processes:
            process.join(timeout)
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()
    return Team(tallies, [p.exitcode for p in processes])
