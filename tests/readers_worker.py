"""One reader in the two-readings stress test (tests/test_team.py), as its own OS process.

Each reader goes through the submissions in its own seeded order: it claims one (its own
reading, beside whoever else is reading it), scores every component and records its
reading, checking on every look that the levels it is shown are exactly the ones it set
itself: never another reader's, before both readings are recorded. What it saw wrong
goes back to the parent as an error.
"""

from __future__ import annotations

import random
import traceback
from typing import Any

from mcreview.core.scoring import NOT_YET, evaluate
from mcreview.core.vocabulary import Status
from mcreview.services.claims import ClaimedByOther
from mcreview.services.session import ReviewError, ReviewSession
from mcreview.store import open_store

BARRIER_TIMEOUT = 60  # safety net only


def run(target: str, reader: str, submission_ids: list[str], seed: int, ready: Any, start: Any, results: Any) -> None:
    rng = random.Random(seed)
    tally: dict[str, Any] = {"assessor": reader, "recorded": [], "refused": 0, "errors": []}
    store = None
    signalled = False
    try:
        store = open_store(target)
        ready.put(reader)
        signalled = True
        if not start.wait(BARRIER_TIMEOUT):
            raise RuntimeError("start barrier never opened")
        session = ReviewSession(store, reader)
        order = list(submission_ids)
        rng.shuffle(order)
        for sid in order:
            try:
                session.claim(sid)
            except (ClaimedByOther, ReviewError):
                tally["refused"] += 1  # both readings taken, or decided: not this reader's work
                continue
            mine: dict[str, str] = {}
            state = session.load(sid)
            if not state.status.is_open:  # decided (a claim to revise it), or with a lead: both were read
                session.release(sid)
                tally["refused"] += 1
                continue
            if state.levels != mine:
                raise AssertionError(f"{reader} was shown {state.levels} on {sid} before scoring it")
            for component in [c for c in state.spec.components if c.scored]:
                levels = component.scale.levels if component.scale else ()
                level = levels[0] if rng.random() < 0.85 else levels[-1]
                session.set_level(sid, component_id=component.id, level=level)
                mine[component.id] = level
                seen = session.load(sid)
                if seen.status.is_open and seen.levels != mine:
                    raise AssertionError(f"{reader} saw {seen.levels} on {sid}; its own levels are {mine}")
            outcome = evaluate(state.spec, mine)
            comment = "Please revise." if outcome.status == NOT_YET else ""
            session.decide(sid, comment=comment, seen_levels=mine)
            tally["recorded"].append([sid, outcome.status])
            after = session.load(sid).status
            if after not in (Status.SECOND_READING, Status.DECIDED, Status.MODERATION):
                raise AssertionError(f"{sid} is {after} after {reader} recorded a reading")
    except BaseException:
        tally["errors"].append(traceback.format_exc())
    finally:
        if not signalled:
            ready.put(reader)
        if store is not None:
            store.close()
        results.put(tally)
