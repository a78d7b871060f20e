"""The award rule: from the levels an assessor chose to Earned / Not Yet.

Kept apart from the screens so the decision screen, the CLI and sync all read
the same outcome from the same code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mcreview.core.specs import AwardRule, Component, Spec

EARNED = "earned"
NOT_YET = "not_yet"
INCOMPLETE = "incomplete"

PART_PASS = "pass"
PART_FAIL = "fail"
PART_INCOMPLETE = "incomplete"

OUTCOME_LABELS = {
    EARNED: "Earned",
    NOT_YET: "Not Yet",
    INCOMPLETE: "Incomplete",
    "returned_identifiable": "Returned: identifiable information",
    "returned_incomplete": "Returned: incomplete",
}


@dataclass(frozen=True)
class Outcome:
    status: str  # earned | not_yet | incomplete
    parts: dict[int, str]  # part number -> pass | fail | incomplete
    failing: tuple[tuple[str, str], ...]  # (component id, level) below what the rule needs
    unscored: tuple[str, ...]  # scored components with no level yet

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.status]

    def reason(self, spec: Spec) -> str:
        """One sentence an assessor (and a candidate) can read."""
        if self.status == EARNED:
            return "Every award rule is met."
        if self.failing:
            names = ", ".join(f"{spec.component(cid).title} ({level})" for cid, level in self.failing)
            return f"Below the award rule: {names}."
        names = ", ".join(spec.component(cid).title for cid in self.unscored)
        return f"Still to score: {names}."


def levels_needed(rule: AwardRule, component: Component) -> frozenset[str]:
    """The levels of a component that satisfy a rule."""
    if rule.need == "passing":
        return component.scale.passing if component.scale else frozenset()
    return frozenset(rule.need)


def evaluate(spec: Spec, levels: Mapping[str, str | None]) -> Outcome:
    """Apply the spec's award rules to the chosen levels.

    Not Yet as soon as any scored component falls short, even with others unscored:
    the assessor may decide early. Earned only when every rule holds in full.
    """
    part_status: dict[int, str] = {}
    failing: list[tuple[str, str]] = []
    unscored: list[str] = []
    for rule in spec.award_rules:
        status = PART_PASS
        for component in spec.part(rule.part).components:
            if not component.scored:
                continue
            level = levels.get(component.id)
            if level is None:
                unscored.append(component.id)
                if status == PART_PASS:
                    status = PART_INCOMPLETE
            elif level not in levels_needed(rule, component):
                failing.append((component.id, level))
                status = PART_FAIL
        part_status[rule.part] = status
    if failing:
        overall = NOT_YET
    elif unscored:
        overall = INCOMPLETE
    else:
        overall = EARNED
    return Outcome(overall, part_status, tuple(failing), tuple(dict.fromkeys(unscored)))
