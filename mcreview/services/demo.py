"""The demo queue: the bundled sample submissions, with a history a newcomer can open.

`mcreview demo` loads the sample queue, then replays what a named demo assessor decided
on the first attempts of a few submissions (through the same review session any
assessor uses, so claims, levels, comments and decisions are in the audit trail), then
imports those submissions' second attempts: opening one shows the feedback it answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from mcreview.core.specs import Spec
from mcreview.core.vocabulary import OVERALL, ReturnReason
from mcreview.core.yamlio import load_yaml
from mcreview.services import importer
from mcreview.services.programme import current_programme, load_programme
from mcreview.services.session import ReviewSession
from mcreview.services.specfiles import read_text_file, sample_queue_dir
from mcreview.store.api import Store


def sample_resubmissions_dir() -> Path:
    return Path(str(resources.files("mcreview.data").joinpath("sample_resubmissions")))


@dataclass
class DemoReport:
    first: importer.ImportReport
    decided: list[str] = field(default_factory=list)
    resubmitted: importer.ImportReport = field(default_factory=importer.ImportReport)

    def summary(self) -> str:
        return (
            f"{self.first.summary()}; {len(self.decided)} first attempts decided by the demo assessor;"
            f" resubmissions: {self.resubmitted.summary()}"
        )


def _replay(session: ReviewSession, entry: dict[str, Any]) -> None:
    sid = str(entry["id"])
    session.claim(sid)
    for component_id, level in (entry.get("levels") or {}).items():
        session.set_level(sid, component_id=str(component_id), level=str(level))
    for component_id, body in (entry.get("comments") or {}).items():
        session.set_comment(sid, component_id=str(component_id), body=str(body))
    overall = str(entry.get("overall") or "")
    if entry.get("return"):
        session.return_submission(sid, reason=ReturnReason(entry["return"]), comment=overall)
        return
    session.set_comment(sid, component_id=OVERALL, body=overall)
    seen = session.load(sid).levels
    session.decide(sid, comment=overall, outcome=entry.get("outcome"), seen_levels=seen)


def build_demo_queue(store: Store, specs: dict[str, Spec]) -> DemoReport:
    """Fill an empty queue with the sample submissions and their demo history."""
    folder = sample_resubmissions_dir()
    settings = folder / "programme.yaml"
    if not current_programme(store).body:
        load_programme(
            store, text=read_text_file(settings), file=settings.name, assessor="demo", credentials=specs
        )
    report = DemoReport(importer.import_paths(store, [sample_queue_dir()], specs))
    history = load_yaml(read_text_file(folder / "history.yaml"))
    session = ReviewSession(store, str(history["assessor"]))
    for entry in history["decisions"]:
        if session.load(str(entry["id"])).decisions:
            continue  # a kept demo queue: already replayed
        _replay(session, entry)
        report.decided.append(str(entry["id"]))
    attempts = sorted(folder.glob("*-attempt-*.yaml"))
    report.resubmitted = importer.import_paths(store, attempts, specs)
    return report
