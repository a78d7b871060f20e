"""How consistent the assessors are: agreement between independent readings, and with gold.

Reads the recorded pairs of readings (and the readings of calibration copies of gold
submissions) from the store and summarises them per credential, per component and per
assessor pair (mcreview.core.agreement does the arithmetic).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from mcreview.core.agreement import Agreement, agreement
from mcreview.core.specs import Spec
from mcreview.core.vocabulary import Outcome
from mcreview.services.library import SpecLibrary
from mcreview.services.programme import programme_in
from mcreview.store.api import GoldReading, ReadingPair, Store
from mcreview.store.transaction import Transaction

OUTCOMES = [o.value for o in Outcome if o is not Outcome.INCOMPLETE]


@dataclass(frozen=True)
class ComponentAgreement:
    component_id: str
    title: str
    figures: Agreement


@dataclass
class CredentialAgreement:
    credential: str
    title: str
    outcome: Agreement
    components: list[ComponentAgreement] = field(default_factory=list)
    by_pair: dict[tuple[str, str], Agreement] = field(default_factory=dict)  # outcome agreement


def _levels_of(spec: Spec, component_id: str) -> tuple[list[str], bool]:
    component = spec.component(component_id)
    assert component.scale is not None
    return list(component.scale.levels), component.scale.ordered


def agreement_report(
    store: Store, *, credential: str | None = None, since: str | None = None
) -> list[CredentialAgreement]:
    """Per credential: outcome agreement, per-component agreement and kappa, and outcome
    agreement by assessor pair, over every attempt two assessors read independently."""
    library = SpecLibrary()

    def work(tx: Transaction) -> tuple[list[ReadingPair], dict[str, Spec]]:
        pairs = tx.reading_pairs(credential=credential, since=since)
        return pairs, {pair.spec_hash: library.spec(tx, pair.spec_hash) for pair in pairs}

    pairs, specs = store.read(work)
    by_credential: dict[str, list[ReadingPair]] = defaultdict(list)
    for pair in pairs:
        by_credential[pair.credential].append(pair)
    report = []
    for cred, group in sorted(by_credential.items()):
        spec = specs[group[-1].spec_hash]
        outcome = agreement([p.outcomes[0] for p in group], [p.outcomes[1] for p in group], OUTCOMES, ordered=False)
        entry = CredentialAgreement(cred, spec.title, outcome)
        for component in spec.components:
            if not component.scored:
                continue
            rated = [
                (p.levels[0][component.id], p.levels[1][component.id])
                for p in group
                if component.id in p.levels[0] and component.id in p.levels[1]
            ]
            levels, ordered = _levels_of(spec, component.id)
            rated = [(a, b) for a, b in rated if a in levels and b in levels]
            figures = agreement([a for a, _ in rated], [b for _, b in rated], levels, ordered=ordered)
            entry.components.append(ComponentAgreement(component.id, component.title, figures))
        pairs_by_assessors: dict[tuple[str, str], list[ReadingPair]] = defaultdict(list)
        for p in group:
            pairs_by_assessors[tuple(sorted(p.assessors))].append(p)  # type: ignore[index]
        for who, theirs in sorted(pairs_by_assessors.items()):
            entry.by_pair[who] = agreement(
                [p.outcomes[0] for p in theirs], [p.outcomes[1] for p in theirs], OUTCOMES, ordered=False
            )
        report.append(entry)
    return report


@dataclass(frozen=True)
class Calibration:
    """One assessor against gold: how often their levels (and outcomes) matched."""

    assessor: str
    readings: int  # calibration copies read
    components: dict[str, tuple[int, int]]  # component id -> (matched, compared)
    outcome_matched: int
    bar: int  # % the programme asks for

    @property
    def matched(self) -> int:
        return sum(m for m, _ in self.components.values())

    @property
    def compared(self) -> int:
        return sum(c for _, c in self.components.values())

    @property
    def overall(self) -> float | None:
        return self.matched / self.compared if self.compared else None

    @property
    def meets_bar(self) -> bool:
        return self.overall is not None and self.overall * 100 >= self.bar


def calibration_report(store: Store) -> list[Calibration]:
    """Each assessor's agreement with the gold levels, per component and overall, against
    the programme's bar (calibration_bar, 80 % unless the settings say otherwise)."""

    def work(tx: Transaction) -> tuple[list[GoldReading], int]:
        return tx.gold_readings(), programme_in(tx).defaults.calibration_bar

    readings, bar = store.read(work)
    per_assessor: dict[str, list[GoldReading]] = defaultdict(list)
    for reading in readings:
        per_assessor[reading.assessor].append(reading)
    report = []
    for assessor, theirs in sorted(per_assessor.items()):
        components: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for reading in theirs:
            for component_id, gold_level in reading.gold_levels.items():
                tally = components[component_id]
                tally[1] += 1
                tally[0] += int(reading.levels.get(component_id) == gold_level)
        report.append(
            Calibration(
                assessor=assessor,
                readings=len(theirs),
                components={cid: (m, c) for cid, (m, c) in sorted(components.items())},
                outcome_matched=sum(1 for r in theirs if r.outcome == r.gold_outcome),
                bar=bar,
            )
        )
    return report
