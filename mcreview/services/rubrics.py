"""Rubric versions: which rubric a queued submission is on, and moving the unscored ones
to the current rubric of their credential.

A submission is pinned to the exact rubric it was imported against (by content hash),
so an edited spec never changes what an assessor already scores against. When a spec is
revised, the pending submissions nobody has scored yet can move to the new rubric, one
audited event each; anything scored stays where it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mcreview.core.prechecks import compute_prechecks, flags_of
from mcreview.core.specs import Spec
from mcreview.core.versions import VersionDrift, move_problems, version_drift
from mcreview.core.vocabulary import Event
from mcreview.services.library import SpecLibrary
from mcreview.services.prechecks import attachment_facts
from mcreview.store.api import Store
from mcreview.store.transaction import Transaction

__all__ = ["MoveReport", "drift", "move_to_current"]


def drift(store: Store, specs: dict[str, Spec]) -> list[VersionDrift]:
    """Spec files whose content changed while their version did not, against the queue."""

    def stored(tx: Transaction) -> dict[str, list[tuple[str, str]]]:
        return {credential: tx.spec_versions(credential) for credential in specs}

    held = store.read(stored)
    return [found for spec in specs.values() for found in version_drift(spec, held[spec.id])]


@dataclass
class MoveReport:
    moved: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # "ID: why", one line each


def move_to_current(store: Store, spec: Spec, *, assessor: str, dry_run: bool = False) -> MoveReport:
    """Move the pending, unscored submissions of `spec`'s credential onto `spec` (the
    current rubric, stored first if it is new), each with an audit event and its
    pre-checks recomputed against the new rubric."""
    from mcreview.services.importer import store_spec

    library = SpecLibrary()

    def work(tx: Transaction) -> MoveReport:
        report = MoveReport()
        if not dry_run:
            store_spec(tx, spec)
        for submission_id in tx.movable_to(spec.id, spec.content_hash):
            row = tx.submission(submission_id)
            assert row is not None
            old = library.spec(tx, row.spec_hash)
            responses = tx.responses(row.id, row.attempt)
            attachments = tx.attachments(row.id, row.attempt)
            problems = move_problems(old, spec, responses, [a.component_id for a in attachments])
            if problems:
                report.refused.append(f"{row.id}: {'; '.join(problems)}")
                continue
            report.moved.append(row.id)
            if dry_run:
                continue
            tx.repin(row, spec.content_hash)
            paths = [(a.component_id, a.path) for a in attachments]
            found = compute_prechecks(spec, responses, attachment_facts(paths))
            tx.replace_prechecks(row._replace(spec_hash=spec.content_hash), found, flags=flags_of(found))
            tx.record_event(
                assessor=assessor,
                submission_id=row.id,
                attempt=row.attempt,
                action=Event.RUBRIC_MOVE,
                target=f"{old.version} → {spec.version}",
                before=row.spec_hash,
                after=spec.content_hash,
            )
        return report

    if dry_run:
        return store.read(work)
    return store.write(work)
