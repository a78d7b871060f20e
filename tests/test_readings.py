"""Second readings, moderation, approval, agreement and calibration (issue 14), through the
services, on every backend."""

from __future__ import annotations

import json
import os
import stat

import pytest
from click.testing import CliRunner
from conftest import SPECS_DIR, all_passing, ppr_record, write_yaml
from sklearn.metrics import cohen_kappa_score

from mcreview.cli import cli
from mcreview.core.agreement import agreement, cohen_kappa
from mcreview.core.programme import Policy
from mcreview.core.vocabulary import Outcome, Resolution, Status
from mcreview.services import importer, queue, sync
from mcreview.services.agreement import agreement_report, calibration_report
from mcreview.services.programme import load_programme
from mcreview.services.readings import readings_to_draw
from mcreview.services.session import ReviewError, ReviewSession

SID = "PPR-R-001"
NOT_YET = {**all_passing(), "case-study": "Basic"}


def settings(database, specs, text: str) -> None:
    load_programme(database, text=text, file="programme.yaml", assessor="lead", credentials=specs)


@pytest.fixture
def two_readings(database, specs, tmp_path):
    settings(database, specs, "leads: [lead]\ndefaults:\n  readings: two\n")
    assert importer.import_paths(database, [write_yaml(tmp_path, "r.yaml", ppr_record(SID))], specs).ok
    return database


def read(database, who: str, levels: dict[str, str], comment: str = "") -> Outcome:
    session = ReviewSession(database, who)
    for component, level in levels.items():
        session.set_level(SID, component_id=component, level=level)
    return session.decide(SID, comment=comment or ("Revise the case study." if levels != all_passing() else ""))


def status(database) -> Status:
    return ReviewSession(database, "lead").load(SID).status


def test_agreeing_readings_are_final_and_go_out_once(two_readings, tmp_path):
    db = two_readings
    read(db, "ana", all_passing())
    assert status(db) == Status.SECOND_READING
    assert ReviewSession(db, "ana").load(SID).decisions == []
    read(db, "ben", all_passing())
    state = ReviewSession(db, "cy").load(SID)
    (decision,) = state.decisions
    assert (decision.outcome, decision.resolution, decision.readers) == (
        Outcome.EARNED,
        Resolution.AGREED,
        ("ana", "ben"),
    )
    assert state.status == Status.DECIDED and state.levels == all_passing()
    dest = tmp_path / "out"
    dest.mkdir()
    result = sync.sync(db, dest, "lead")
    assert len(result.decisions) == 1 and result.scores == 4  # the final levels, once (not both readings)
    (decisions_file,) = dest.glob("decisions-*.csv")
    text = decisions_file.read_text(encoding="utf-8-sig")
    assert '"ana ben","agreed"' in text


def test_a_second_reader_is_blind_until_both_are_recorded(two_readings):
    db = two_readings
    ana = ReviewSession(db, "ana")
    ana.set_level(SID, component_id="overview", level="Not Yet")
    ana.set_comment(SID, component_id="overview", body="Too short: 200 words.")
    ben = ReviewSession(db, "ben")
    seen = ben.load(SID)
    assert seen.blind and seen.levels == {} and seen.comments == {}
    ben.set_level(SID, component_id="overview", level="Passing")  # ben's own reading, alongside ana's
    assert ben.load(SID).levels == {"overview": "Passing"}
    assert ana.load(SID).levels == {"overview": "Not Yet"}
    history = ben.history(SID)
    assert not [e for e in history if e.assessor == "ana" and e.action in ("score", "comment")]
    assert "Too short" not in json.dumps([e.after for e in history])
    lead = ReviewSession(db, "lead").history(SID)
    assert [e for e in lead if e.assessor == "ana" and e.action == "score"]  # leads see everything
    for component, level in NOT_YET.items():
        ana.set_level(SID, component_id=component, level=level)
    ana.decide(SID, comment="Revise the case study.")
    waiting_for_ana = queue.page(db, queue.QueueFilter(queue.OPEN_WORK, assessor="ana"))
    waiting_for_cy = queue.page(db, queue.QueueFilter(queue.OPEN_WORK, assessor="cy"))
    assert SID not in [r.id for r in waiting_for_ana] and SID in [r.id for r in waiting_for_cy]
    assert ben.load(SID).levels == {"overview": "Passing"}  # still only his own
    with pytest.raises(ReviewError, match="recorded your reading"):
        ana.set_level(SID, component_id="overview", level="Passing")


def test_disagreement_goes_to_a_lead_who_moderates(two_readings):
    db = two_readings
    read(db, "ana", all_passing())
    read(db, "ben", NOT_YET)
    assert status(db) == Status.MODERATION
    with pytest.raises(ReviewError, match="only a lead"):
        ReviewSession(db, "ana").moderation(SID)
    lead = ReviewSession(db, "lead")
    view = lead.moderation(SID)
    assert [r.assessor for r in view.readings] == ["ana", "ben"]
    assert view.levels[0]["case-study"] == "Proficient" and view.levels[1]["case-study"] == "Basic"
    assert not view.agreed("case-study") and view.agreed("overview")
    lead.set_final_level(SID, component_id="case-study", level="Proficient")
    assert lead.moderation(SID).final_levels == all_passing()  # agreed levels were there already
    with pytest.raises(ReviewError, match="written reason"):
        lead.moderate(SID, reason="", comment="")
    assert lead.moderate(SID, reason="The rewrite applies every component.", comment="") == Outcome.EARNED
    (decision,) = lead.load(SID).decisions
    assert (decision.resolution, decision.assessor, decision.readers) == (Resolution.MODERATED, "lead", ("ana", "ben"))
    assert decision.justification == "The rewrite applies every component."
    assert ReviewSession(db, "ana").load(SID).levels == all_passing()  # the final levels, for everyone


def test_a_lead_passes_a_reading_back_and_the_reader_records_again(two_readings):
    db = two_readings
    read(db, "ana", all_passing())
    read(db, "ben", NOT_YET)
    lead = ReviewSession(db, "lead")
    lead.send_back(SID, reader="ben", note="Look at the case study again: every component is applied.")
    assert status(db) == Status.SECOND_READING
    ben = ReviewSession(db, "ben")
    state = ben.load(SID)
    assert state.sent_back.startswith("Look at the case study") and state.levels == NOT_YET
    ben.set_level(SID, component_id="case-study", level="Proficient")
    ben.decide(SID, comment="")
    (decision,) = ben.load(SID).decisions
    assert (decision.outcome, decision.resolution) == (Outcome.EARNED, Resolution.AGREED)
    actions = [e.action for e in lead.history(SID)]
    assert actions.count("reading") == 2 and actions.index("send-back") < actions.index("decide")


def test_the_grantor_model_a_lead_approves_or_sends_back(database, specs, tmp_path):
    settings(database, specs, "leads: [lead]\ndefaults:\n  approval: true\n")
    importer.import_paths(database, [write_yaml(tmp_path, "r.yaml", ppr_record(SID))], specs)
    read(database, "ana", all_passing())
    assert status(database) == Status.APPROVAL
    with pytest.raises(ReviewError, match="only a lead"):
        ReviewSession(database, "ben").approve(SID)
    lead = ReviewSession(database, "lead")
    lead.send_back(SID, reader="ana", note="Say why the action plan is measurable.")
    assert status(database) == Status.IN_REVIEW
    ReviewSession(database, "ana").decide(SID, comment="Measurable goals, clear timeline.")
    assert status(database) == Status.APPROVAL
    assert lead.approve(SID) == Outcome.EARNED
    (decision,) = lead.load(SID).decisions
    assert (decision.resolution, decision.assessor, decision.approved_by) == (Resolution.APPROVED, "ana", "lead")


def test_a_second_reading_when_the_first_says_not_yet(database, specs, tmp_path):
    settings(database, specs, "leads: [lead]\ndefaults:\n  readings: when-not-yet\n")
    records = [ppr_record(SID), ppr_record("PPR-R-002", candidate="C-20002")]
    importer.import_paths(database, [write_yaml(tmp_path, f"{i}.yaml", r) for i, r in enumerate(records)], specs)
    read(database, "ana", NOT_YET)
    assert status(database) == Status.SECOND_READING
    ana = ReviewSession(database, "ana")
    for component, level in all_passing().items():
        ana.set_level("PPR-R-002", component_id=component, level=level)
    ana.decide("PPR-R-002", comment="")
    assert ana.load("PPR-R-002").status == Status.DECIDED  # Earned on one reading is final


def test_the_sample_is_drawn_reproducibly_at_about_the_share_asked():
    policy = Policy(readings="sample", sample_percent=25)
    draws = [readings_to_draw(policy, f"S-{i:04}", 1) for i in range(2000)]
    assert draws == [readings_to_draw(policy, f"S-{i:04}", 1) for i in range(2000)]
    assert 0.21 < draws.count(2) / len(draws) < 0.29
    assert {readings_to_draw(Policy(readings="two"), "x", 1), readings_to_draw(Policy(), "x", 1)} == {1, 2}


def test_settings_asking_for_second_readings_need_leads(database, specs):
    from mcreview.core.programme import ProgrammeError

    with pytest.raises(ProgrammeError, match="need a lead"):
        settings(database, specs, "defaults:\n  readings: two\n")


# -- agreement --------------------------------------------------------------------------


FIXED = (  # two raters on 12 items, a three-level ordered scale
    ["P", "P", "B", "D", "B", "P", "D", "B", "P", "B", "D", "P"],
    ["P", "B", "B", "D", "D", "P", "B", "B", "P", "P", "D", "P"],
)


@pytest.mark.parametrize("weighted", [False, True])
def test_our_kappa_matches_scikit_learn(weighted):
    ours = cohen_kappa(*FIXED, ["P", "B", "D"], weighted=weighted)
    theirs = cohen_kappa_score(*FIXED, labels=["P", "B", "D"], weights="linear" if weighted else None)
    assert ours == pytest.approx(theirs, abs=1e-12)
    assert ours == pytest.approx(0.5, abs=0.2)  # and it is a real value, not a degenerate one


def test_kappa_is_undefined_without_variation_and_small_samples_are_labelled():
    figures = agreement(["P", "P"], ["P", "P"], ["P", "B", "D"], ordered=True)
    assert (figures.pairs, figures.exact, figures.kappa, figures.small) == (2, 1.0, None, True)


def test_agreement_report_and_command(two_readings, db_path):
    db = two_readings
    read(db, "ana", all_passing())
    read(db, "ben", NOT_YET)
    (entry,) = agreement_report(db)
    assert (entry.outcome.pairs, entry.outcome.exact) == (1, 0.0)
    by_component = {c.component_id: c.figures for c in entry.components}
    assert by_component["overview"].exact == 1.0 and by_component["case-study"].exact == 0.0
    assert list(entry.by_pair) == [("ana", "ben")]
    runner = CliRunner()
    base = ["--db", str(db_path), "--specs", str(SPECS_DIR), "--assessor", "lead"]
    shown = runner.invoke(cli, [*base, "agreement"])
    assert shown.exit_code == 0 and "small sample" in shown.output and "ana and ben: 1 pairs" in shown.output
    rows = json.loads(runner.invoke(cli, [*base, "agreement", "--json"]).output)
    assert rows[0]["outcome"]["pairs"] == 1 and rows[0]["outcome"]["small_sample"] is True


# -- calibration ----------------------------------------------------------------------------


def test_gold_submissions_calibrate_assessors_and_never_go_out(database, specs, tmp_path):
    settings(database, specs, "leads: [lead]\n")
    importer.import_paths(database, [write_yaml(tmp_path, "g.yaml", ppr_record(SID))], specs)
    read(database, "lead", NOT_YET)
    lead = ReviewSession(database, "lead")
    with pytest.raises(ReviewError, match="only a lead"):
        ReviewSession(database, "ana").mark_gold(SID)
    lead.mark_gold(SID)
    copies = lead.seed_calibration(SID, assessors=["ana", "ben"])
    assert len(set(copies)) == 2 and all(c.startswith("PPR-R-") and c != SID for c in copies)
    ana_copy = ReviewSession(database, "ana").load(copies[0])
    assert ana_copy.row.routed_to == "ana" and ana_copy.responses == lead.load(SID).responses
    assert "calibration" not in json.dumps([e.after for e in ReviewSession(database, "ana").history(copies[0])])
    ana = ReviewSession(database, "ana")
    for component, level in NOT_YET.items():
        ana.set_level(copies[0], component_id=component, level=level)
    ana.decide(copies[0], comment="Revise the case study.")
    ben = ReviewSession(database, "ben")
    for component, level in all_passing().items():
        ben.set_level(copies[1], component_id=component, level=level)
    ben.decide(copies[1], comment="")
    report = {c.assessor: c for c in calibration_report(database)}
    assert report["ana"].overall == 1.0 and report["ana"].meets_bar
    assert report["ben"].overall == 0.75 and not report["ben"].meets_bar and report["ben"].bar == 80
    assert report["ben"].components["case-study"] == (0, 1)
    dest = tmp_path / "out"
    dest.mkdir()
    result = sync.sync(database, dest, "lead")
    assert [key[0] for key in result.decisions] == [SID]  # the copies never go out


# -- identity --------------------------------------------------------------------------------


def test_on_a_shared_queue_the_login_name_is_the_identity(tmp_path, specs, monkeypatch):
    team = tmp_path / "team"
    team.mkdir()
    team.chmod(0o2770)
    db = team / "queue.db"
    runner = CliRunner()
    me = os.environ.get("USER") or "root"
    monkeypatch.setenv("USER", me)
    monkeypatch.setenv("LOGNAME", me)
    assert runner.invoke(cli, ["--db", str(db), "--specs", str(SPECS_DIR), "queue"]).exit_code == 0
    assert stat.S_IMODE(db.stat().st_mode) == 0o660
    other = runner.invoke(cli, ["--db", str(db), "--specs", str(SPECS_DIR), "--assessor", "someone-else", "queue"])
    assert other.exit_code == 1 and "you assess as your login name" in other.output
    mine = tmp_path / "mine.db"  # a queue that is yours alone: any name (a demo, a test)
    alone = runner.invoke(cli, ["--db", str(mine), "--specs", str(SPECS_DIR), "--assessor", "someone-else", "queue"])
    assert alone.exit_code == 0
