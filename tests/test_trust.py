"""The decisions are trustworthy: what the store and the session refuse (issue 10, items
3, 6, 7 and 11). Each test here failed on the first release."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import all_passing, live_claim_of, ppr_record, sql_write, write_yaml
from test_sync import Crash, FaultyFs, exported_keys, unsynced

from mcreview.core.vocabulary import OVERALL, Outcome, Status
from mcreview.services import claims, importer, sync
from mcreview.services.session import MAX_COMMENT_CHARS, ReviewError, ReviewSession

SID = "PPR-T-001"


@pytest.fixture
def queued(database, specs, tmp_path) -> str:
    importer.import_paths(database, [write_yaml(tmp_path, "a.yaml", ppr_record(SID))], specs)
    return SID


# -- 6: record only what the assessor was shown ---------------------------------------


def test_a_decision_is_refused_when_a_level_changed_since_the_screen_drew_it(database, queued):
    ana, lead, ben = (ReviewSession(database, name) for name in ("ana", "lead", "ben"))
    for component, level in all_passing().items():
        ana.set_level(queued, component_id=component, level=level)
    shown = ana.load(queued)
    assert shown.outcome.status == Outcome.EARNED  # what ana's decision screen shows
    lead.release(queued, forced=True)
    ben.set_level(queued, component_id="case-study", level="Basic")
    ben.release(queued)
    with pytest.raises(ReviewError, match="levels changed since this screen was drawn .*Case Study"):
        ana.decide(queued, comment="", seen_levels=shown.levels)
    state = ana.load(queued)
    assert state.decisions == [] and state.status == Status.IN_REVIEW
    # Drawn again, the screen shows Not Yet: that is what gets recorded.
    redrawn = ana.load(queued)
    recorded = ana.decide(queued, comment="Case study needs the components.", seen_levels=redrawn.levels)
    assert recorded == Outcome.NOT_YET


def test_the_decision_screen_refuses_and_redraws_after_a_change(sample_db):
    """The same through the keys: Enter on a stale decision screen records nothing."""
    import asyncio

    from test_app import TODAY, first_ppr, open_submission

    from mcreview.tui.app import build_app
    from mcreview.tui.screens.decision_screen import DecisionScreen

    sid = first_ppr(sample_db)

    async def run() -> None:
        app = build_app(sample_db, "ana", TODAY)
        async with app.run_test(size=(100, 40)) as pilot:
            await open_submission(pilot, sid)
            for key in ("1", "1", "1", "1"):  # each level moves on
                await pilot.press(key)
            await pilot.press("d")
            screen = app.screen
            assert isinstance(screen, DecisionScreen)
            other = ReviewSession(app.session.store, "lead")
            other.release(sid, forced=True)
            ReviewSession(app.session.store, "ben").set_level(sid, component_id="case-study", level="Basic")
            await pilot.press("enter")
            assert isinstance(app.screen, DecisionScreen)  # not dismissed: nothing recorded
            assert app.session.load(sid).decisions == []
            assert app.screen.state.levels["case-study"] == "Basic"  # redrawn from the database

    asyncio.run(run())


# -- 7: undo only your own change, while it is still the current value ----------------


def test_undo_never_puts_back_a_level_over_someone_elses(database, queued):
    ana, lead, ben = (ReviewSession(database, name) for name in ("ana", "lead", "ben"))
    assert ana.set_level(queued, component_id="overview", level="Not Yet") is None
    lead.release(queued, forced=True)
    ben.set_level(queued, component_id="overview", level="Passing")
    ben.release(queued)
    with pytest.raises(ReviewError, match="changed by ben since"):
        ana.undo_level(queued, component_id="overview", undoing="Not Yet", restore=None)
    assert ana.load(queued).levels["overview"] == "Passing"


def test_undo_of_ones_own_change_still_works(database, queued):
    ana = ReviewSession(database, "ana")
    ana.set_level(queued, component_id="overview", level="Passing")
    ana.set_level(queued, component_id="overview", level="Not Yet")
    ana.undo_level(queued, component_id="overview", undoing="Not Yet", restore="Passing")
    ana.undo_level(queued, component_id="overview", undoing="Passing", restore=None)
    assert "overview" not in ana.load(queued).levels


# -- 11: the database is the only clock that decides a lease --------------------------


class _AheadClock(dt.datetime):
    """A process whose clock runs two hours ahead of everyone else's."""

    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _AheadClock:  # type: ignore[override]
        return super().now(tz) + dt.timedelta(hours=2)  # type: ignore[return-value]


def test_a_process_whose_clock_runs_ahead_cannot_take_a_live_claim(database, queued, monkeypatch):
    ReviewSession(database, "ana").claim(queued)
    for module in (claims, dt):
        monkeypatch.setattr(module, "datetime", _AheadClock, raising=False)
    with pytest.raises(claims.ClaimedByOther):
        ReviewSession(database, "ben").claim(queued)
    with pytest.raises(ReviewError, match="read-only: claimed by ana"):
        ReviewSession(database, "ben").set_level(queued, component_id="overview", level="Passing")
    assert live_claim_of(database, queued).assessor == "ana"


def test_lease_times_come_from_the_database(database, queued, monkeypatch):
    monkeypatch.setattr(claims, "datetime", _AheadClock)
    claim = ReviewSession(database, "ana").claim(queued)
    db_now = database.read(lambda tx: tx.now())
    claimed = dt.datetime.fromisoformat(claim.claimed_at)
    assert abs((dt.datetime.fromisoformat(db_now) - claimed).total_seconds()) < 60


# -- 3: a long comment can never wedge sync --------------------------------------------


def test_comments_longer_than_the_maximum_are_refused_with_a_clear_message(database, queued):
    ana = ReviewSession(database, "ana")
    with pytest.raises(ReviewError, match=f"the most a comment may hold is {MAX_COMMENT_CHARS:,}"):
        ana.set_comment(queued, component_id="overview", body="x" * (MAX_COMMENT_CHARS + 1))
    ana.set_comment(queued, component_id="overview", body="x" * MAX_COMMENT_CHARS)
    with pytest.raises(ReviewError, match="justification"):
        ana.decide(queued, comment="", outcome=Outcome.EARNED, justification="j" * (MAX_COMMENT_CHARS + 1))


def test_an_interrupted_sync_holding_a_huge_comment_recovers(database, queued, tmp_path: Path):
    """A queue written before the limit may hold a comment over csv's default field limit
    (131,072 characters): a batch interrupted after its files were in place must still be
    read back and recorded, and later syncs must go on."""
    ana = ReviewSession(database, "ana")
    for component, level in all_passing().items():
        ana.set_level(queued, component_id=component, level=level)
    ana.decide(queued, comment="Well done.")
    huge = "feedback " * 30_000  # 270,000 characters, as an old queue could hold
    sql_write(database, "UPDATE decisions SET comment = ?", (huge,))
    sql_write(database, "UPDATE comments SET body = ? WHERE component_id = ?", (huge, OVERALL))
    sql_write(database, "UPDATE readings SET comment = ?", (huge,))
    dest = tmp_path / "outbox"
    dest.mkdir()
    with pytest.raises(Crash):
        sync.sync(database, dest, "ana", fs=FaultyFs("fsync_dir", 1))
    assert unsynced(database) == [(queued, 1, 1)]
    rerun = sync.sync(database, dest, "ana")
    assert [item.reached_destination for item in rerun.interrupted] == [True]
    assert unsynced(database) == [] and exported_keys(dest) == [(queued, 1, 1)]
    again = sync.sync(database, dest, "ana", everything=True)
    assert again.batch == 2
