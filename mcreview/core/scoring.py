"""The award rule: from the levels an assessor chose (and what was submitted) to
Earned / Not Yet / Incomplete, with every rule's verdict and why.

Kept apart from the screens so the decision screen, the CLI and sync all read the same
outcome from the same code: one evaluator (`evaluate`) over the rule tree the spec
holds (`mcreview.core.specs.Rule`).

Three-valued: a rule holds (True), is broken (False) or cannot be told yet (None,
a component it needs is unscored). The outcome is Not Yet as soon as any rule is
broken, even with others open (the assessor may decide early); Earned only when
every rule holds.

Required evidence: every `response: required` component must be submitted and not
empty, with its required uploads, and every part's own uploads must be there. This
needs the responses and attachments (`evidence=`); without them it is not checked
(and says so), so callers that pass only levels get what they always got. A
submission that lacks required evidence is **Not Yet** (not Incomplete): that is a
decision the assessor can record as computed (with feedback), or they can return it
as incomplete, or override it with a written justification. Incomplete stays what
it was: levels still to choose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mcreview.core.evidence import Evidence, Missing, component_missing, part_missing, required_missing
from mcreview.core.specs import DOCUMENT, PROGRAMME, Component, Rule, Spec
from mcreview.core.vocabulary import Outcome as OutcomeName

EARNED = OutcomeName.EARNED
NOT_YET = OutcomeName.NOT_YET
INCOMPLETE = OutcomeName.INCOMPLETE

PART_PASS = "pass"
PART_FAIL = "fail"
PART_INCOMPLETE = "incomplete"

REQUIRED = "required"  # source of the built-in rule: the components' own requirements

SOURCE_LABELS = {
    DOCUMENT: "the document's rule",
    PROGRAMME: "the programme's own rule (the document is silent)",
    REQUIRED: "required by the document (each component's own requirements)",
}


@dataclass(frozen=True)
class RuleResult:
    """One rule's verdict, for the decision screen.

    text: the rule in words; held: True / False / None (open); why: the reason in
    words; source: document | programme | required; quote: the document's words it
    comes from; justification: why the programme adds it; checked: False when the
    rule needs evidence that was not given (then it does not count).
    """

    text: str
    held: bool | None
    why: str
    source: str
    quote: str = ""
    justification: str = ""
    checked: bool = True
    components: tuple[str, ...] = ()
    failing: tuple[tuple[str, str], ...] = ()  # (component id, level) against the rule
    unscored: tuple[str, ...] = ()
    missing: tuple[Missing, ...] = ()
    parts: tuple[int, ...] = ()
    children: tuple[RuleResult, ...] = ()

    @property
    def verdict(self) -> str:
        if not self.checked:
            return "not checked"
        return {True: "holds", False: "fails", None: "open"}[self.held]

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)

    @property
    def programme(self) -> bool:
        return self.source == PROGRAMME


@dataclass(frozen=True)
class Outcome:
    status: str  # earned | not_yet | incomplete
    parts: dict[int, str]  # part number -> pass | fail | incomplete
    failing: tuple[tuple[str, str], ...]  # (component id, level) that break a rule
    unscored: tuple[str, ...]  # scored components with no level yet
    missing: tuple[Missing, ...] = ()  # what required evidence lacks (when evidence was given)
    explanation: tuple[RuleResult, ...] = field(default=())  # every rule, in order
    evidence_checked: bool = False

    @property
    def label(self) -> str:
        return OutcomeName(self.status).label

    @property
    def decided_by(self) -> tuple[RuleResult, ...]:
        """The rules that decided the outcome: the broken ones for Not Yet, the open ones
        for Incomplete, every checked rule for Earned."""
        counted = [r for r in self.explanation if r.checked or r.source != REQUIRED]
        if self.status == NOT_YET:
            return tuple(r for r in counted if r.checked and r.held is False)
        if self.status == INCOMPLETE:
            return tuple(r for r in counted if r.held is None)
        return tuple(counted)

    def reason(self, spec: Spec) -> str:
        """One sentence an assessor (and a candidate) can read."""
        if self.status == EARNED:
            return "Every award rule is met."
        if self.status == NOT_YET:
            reasons = []
            for result in self.decided_by:
                why = result.why
                if result.programme:
                    why += " (the programme's own rule)"
                reasons.append(why)
            return "Not earned: " + "; ".join(reasons) + "."
        names = ", ".join(spec.component(cid).title for cid in self.unscored)
        return (
            f"Still to score: {names}."
            if names
            else "Still to decide: " + "; ".join(r.why for r in self.decided_by) + "."
        )


# -- describing rules -----------------------------------------------------------------


def _titles(components: tuple[Component, ...]) -> str:
    return ", ".join(c.title for c in components)


def _condition_text(rule: Rule) -> str:
    if rule.kind == "present":
        return "submitted (not empty, with its required uploads)"
    if rule.at_or_above is not None:
        return f"at {rule.at_or_above} or above"
    if rule.at_or_below is not None:
        return f"at {rule.at_or_below} or below"
    if rule.need == "passing" or rule.need is None:
        return "at a passing level"
    return "at " + " or ".join(rule.need)


def _selection_text(spec: Spec, rule: Rule) -> str:
    if rule.components is not None:
        return _titles(tuple(spec.component(c) for c in rule.components))
    if rule.parts is not None:
        numbers = [str(n) for n in rule.parts]
        if len(numbers) == 1:
            return f"Part {numbers[0]}"
        return "Parts " + ", ".join(numbers[:-1]) + " and " + numbers[-1]
    return "the whole credential"


def describe(spec: Spec, rule: Rule) -> str:
    """A rule in words: 'Part 2: at least 3 of 4 scored components at Proficient or above'."""
    if rule.kind in ("all_of", "any_of"):
        joined = "; ".join(describe(spec, child) for child in rule.children)
        head = "all of" if rule.kind == "all_of" else "any of"
        text = f"{head}: {joined}"
        return f"{rule.name}: {text}" if rule.name else text
    selected = spec.rule_components(rule)
    n = len(selected)
    noun = "scored component" if rule.kind == "levels" else "component"
    condition = _condition_text(rule)
    where = _selection_text(spec, rule)
    single = rule.components is not None and len(rule.components) == 1
    if single and rule.count == "all":
        text = f"{selected[0].title if selected else where} {condition}"
    elif rule.count == "all":
        text = f"{where}: every {noun} {condition}"
    elif rule.count == "any":
        text = f"{where}: at least one {noun} {condition}"
    elif rule.count == "none":
        text = f"{where}: no {noun} {condition}"
    elif rule.at_least is not None and rule.at_most is not None:
        text = f"{where}: between {rule.at_least} and {rule.at_most} of {n} {noun}s {condition}"
    elif rule.at_least is not None:
        text = f"{where}: at least {rule.at_least} of {n} {noun}s {condition}"
    else:
        text = f"{where}: at most {rule.at_most} of {n} {noun}s {condition}"
    return f"{rule.name}: {text}" if rule.name else text


# -- evaluating -----------------------------------------------------------------------


def _and(values: list[bool | None]) -> bool | None:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def _or(values: list[bool | None]) -> bool | None:
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False


def _quantify(rule: Rule, met: int, unmet: int, open_: int) -> bool | None:
    if rule.count == "all":
        return False if unmet else (None if open_ else True)
    if rule.count == "any":
        return True if met else (None if open_ else False)
    if rule.count == "none":
        return False if met else (None if open_ else True)
    low: bool | None = True
    high: bool | None = True
    if rule.at_least is not None:
        low = True if met >= rule.at_least else (False if met + open_ < rule.at_least else None)
    if rule.at_most is not None:
        high = False if met > rule.at_most else (True if met + open_ <= rule.at_most else None)
    return _and([low, high])


def _levels_result(spec: Spec, rule: Rule, levels: Mapping[str, str | None]) -> RuleResult:
    selected = spec.rule_components(rule)
    met: list[Component] = []
    unmet: list[tuple[Component, str]] = []
    open_: list[Component] = []
    for component in selected:
        level = levels.get(component.id)
        if level is None:
            open_.append(component)
        elif level in spec.accepted_levels(rule, component):
            met.append(component)
        else:
            unmet.append((component, level))
    held = _quantify(rule, len(met), len(unmet), len(open_))
    # Which components stand against the rule when it fails.
    if rule.count == "none" or (
        rule.count == "range" and rule.at_most is not None and len(met) > rule.at_most
    ):
        against = tuple((c.id, str(levels.get(c.id))) for c in met)
    else:
        against = tuple((c.id, level) for c, level in unmet)
    condition = _condition_text(rule)
    if held is False:
        if rule.count in ("all", "any") or (rule.count == "range" and rule.at_most is None):
            shown = ", ".join(f"{c.title} is {level}" for c, level in unmet)
            if rule.count == "range":
                why = f"{len(met)} of {len(selected)} {condition}, {rule.at_least} needed ({shown})"
            elif rule.count == "any":
                why = f"none {condition} ({shown})"
            else:
                why = f"{shown}, not {condition}"
        elif rule.count == "none":
            why = (
                ", ".join(f"{c.title} is {levels.get(c.id)}" for c in met) + f" ({condition} is not allowed)"
            )
        else:
            why = f"{len(met)} of {len(selected)} {condition}, at most {rule.at_most} allowed"
            if rule.at_least is not None and len(met) + len(open_) < rule.at_least:
                why = f"{len(met)} of {len(selected)} {condition}, {rule.at_least} needed"
    elif held is None:
        why = "still to score: " + _titles(tuple(open_))
    else:
        if rule.count == "all":
            why = f"{_titles(tuple(met))} {condition}" if len(met) <= 2 else f"all {len(met)} {condition}"
        elif rule.count == "none":
            why = f"none {condition}"
        else:
            why = f"{len(met)} of {len(selected)} {condition}"
    return RuleResult(
        text=describe(spec, rule),
        held=held,
        why=why,
        source=rule.source,
        quote=rule.quote,
        justification=rule.why,
        components=tuple(c.id for c in selected),
        failing=against if held is False else (),
        unscored=tuple(c.id for c in open_),
        parts=tuple(sorted(spec.rule_parts(rule))),
    )


def _present_result(spec: Spec, rule: Rule, evidence: Evidence | None) -> RuleResult:
    selected = spec.rule_components(rule)
    text = describe(spec, rule)
    parts = tuple(sorted(spec.rule_parts(rule)))
    if evidence is None:
        return RuleResult(
            text,
            None,
            "not checked: no responses or attachments given",
            rule.source,
            rule.quote,
            rule.why,
            checked=False,
            components=tuple(c.id for c in selected),
            parts=parts,
        )
    gaps: list[Missing] = []
    met = unmet = 0
    for component in selected:
        found = component_missing(spec, component, evidence)
        gaps.extend(found)
        if found:
            unmet += 1
        else:
            met += 1
    if rule.parts is not None and rule.components is None:
        for number in rule.parts:
            gap = part_missing(spec.part(number), evidence)
            if gap is not None:
                gaps.append(gap)
                unmet += 1
    held = _quantify(rule, met, unmet, 0)
    why = (
        "; ".join(g.detail for g in gaps)
        if held is False
        else ("submitted" if not gaps else f"{met} of {met + unmet} submitted")
    )
    return RuleResult(
        text,
        held,
        why,
        rule.source,
        rule.quote,
        rule.why,
        components=tuple(c.id for c in selected),
        missing=tuple(gaps) if held is False else (),
        parts=parts,
    )


def _result(
    spec: Spec, rule: Rule, levels: Mapping[str, str | None], evidence: Evidence | None
) -> RuleResult:
    if rule.kind == "levels":
        return _levels_result(spec, rule, levels)
    if rule.kind == "present":
        return _present_result(spec, rule, evidence)
    children = tuple(_result(spec, child, levels, evidence) for child in rule.children)
    # A child that could not be checked (no evidence) is open: never a reason to award.
    values = [c.held if c.checked else None for c in children]
    held = _and(values) if rule.kind == "all_of" else _or(values)
    if held is False:
        why = "; ".join(c.why for c in children if c.held is False and c.checked)
    elif held is None:
        why = "; ".join(c.why for c in children if c.held is None or not c.checked)
    else:
        why = "; ".join(c.why for c in children if c.held)
    return RuleResult(
        text=describe(spec, rule),
        held=held,
        why=why,
        source=rule.source,
        quote=rule.quote,
        justification=rule.why,
        checked=all(c.checked for c in children) or held is not None,
        components=tuple(dict.fromkeys(cid for c in children for cid in c.components)),
        failing=tuple(f for c in children if c.held is False for f in c.failing) if held is False else (),
        unscored=tuple(dict.fromkeys(u for c in children for u in c.unscored)),
        missing=tuple(m for c in children if c.held is False for m in c.missing) if held is False else (),
        parts=tuple(sorted(spec.rule_parts(rule))),
        children=children,
    )


def _required_result(spec: Spec, evidence: Evidence | None) -> RuleResult:
    text = "Every required response submitted, not empty, with its required uploads"
    required = tuple(
        c.id for c in spec.components if (c.takes_response and c.response == "required") or c.uploads
    )
    parts = tuple(
        sorted(
            {spec.component(cid).part_number for cid in required}
            | {p.number for p in spec.parts if p.uploads}
        )
    )
    if evidence is None:
        return RuleResult(
            text,
            None,
            "not checked: no responses or attachments given",
            REQUIRED,
            checked=False,
            components=required,
            parts=parts,
        )
    gaps = tuple(required_missing(spec, evidence))
    if gaps:
        return RuleResult(
            text,
            False,
            ", ".join(g.detail for g in gaps),
            REQUIRED,
            components=required,
            missing=gaps,
            parts=parts,
        )
    return RuleResult(text, True, "everything required is there", REQUIRED, components=required, parts=parts)


def _part_status(results: list[RuleResult], spec: Spec) -> dict[int, str]:
    """Per part: the rules that look only at that part (and the required evidence of it)."""
    by_part: dict[int, list[bool | None]] = {}
    for result in results:
        if not result.checked:
            continue
        if result.source == REQUIRED:
            for number in result.parts:
                gaps = [m for m in result.missing if m.part_number == number]
                by_part.setdefault(number, []).append(not gaps)
            continue
        if len(result.parts) == 1:
            by_part.setdefault(result.parts[0], []).append(result.held)
    status: dict[int, str] = {}
    for number in sorted(by_part):
        held = _and(by_part[number])
        status[number] = PART_PASS if held is True else PART_FAIL if held is False else PART_INCOMPLETE
    return status


def evaluate(spec: Spec, levels: Mapping[str, str | None], *, evidence: Evidence | None = None) -> Outcome:
    """Apply the spec's award rules to the chosen levels (and, when given, to what was
    submitted: `evidence=Evidence.of(responses, attachments)`).

    Not Yet as soon as any rule is broken, even with others open: the assessor may
    decide early. Earned only when every rule holds in full.
    """
    results = [_required_result(spec, evidence)]
    results += [_result(spec, rule, levels, evidence) for rule in spec.rules]
    checked = [r for r in results if r.checked]
    # An explicit rule that needs evidence which was not given is open: never Earned on
    # it. Only the built-in required-evidence rule is left out without evidence, so that
    # callers passing levels alone get what they always got.
    held = _and([r.held if r.checked else None for r in results if r.checked or r.source != REQUIRED])
    status = EARNED if held is True else NOT_YET if held is False else INCOMPLETE
    failing = tuple(dict.fromkeys(f for r in checked if r.held is False for f in r.failing))
    order = {c.id: index for index, c in enumerate(spec.components)}
    unscored = tuple(sorted({u for r in checked for u in r.unscored}, key=lambda cid: order.get(cid, 0)))
    missing = tuple(m for r in checked if r.held is False for m in r.missing)
    # the same gap can be named by the required rule and a present rule: once each
    missing = tuple(dict.fromkeys(missing))
    return Outcome(
        status,
        _part_status(results, spec),
        failing,
        unscored,
        missing,
        tuple(results),
        evidence is not None,
    )
