"""Credential specs: the rubric an assessor scores against, loaded and validated.

A spec is data written from an issuer's document (see docs/spec-format.md). It is
validated with line numbers so a coordinator adding a credential gets
`file:line: message` errors, and it is hashed so the queue can pin each
submission to the exact rubric it was imported against.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from mcreview.core.textsafe import visible_controls
from mcreview.core.yamlio import LineDict, YamlProblem, line_of, load_yaml

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
RESPONSE_KINDS = ("required", "optional", "none")
DESCRIPTOR_POLICIES = ("required", "where-given")
MAX_LEVELS = 9  # keys 1..9 choose a level


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, printed as `file:line: message`."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        # One line always, whatever a parser put in the message.
        message = " ".join(visible_controls(self.message).split())
        return f"{visible_controls(self.file)}:{self.line}: {message}"


@dataclass(frozen=True)
class Scale:
    name: str
    levels: tuple[str, ...]
    passing: frozenset[str]
    descriptors_required: bool


@dataclass(frozen=True)
class WordLimits:
    minimum: int | None
    maximum: int | None
    text: str
    per: str = "response"  # anything else (e.g. "annotation") is shown, not checked

    @property
    def checked(self) -> bool:
        """Only a limit on the whole response can be checked against its word count."""
        return self.per == "response"

    def verdict(self, words: int) -> str | None:
        """'under' or 'over' when a count breaks the limit, else None."""
        if not self.checked:
            return None
        if self.minimum is not None and words < self.minimum:
            return "under"
        if self.maximum is not None and words > self.maximum:
            return "over"
        return None


@dataclass(frozen=True)
class Component:
    id: str
    title: str
    part_number: int
    prompts: tuple[str, ...]
    response: str
    evidence: tuple[str, ...]
    word_limits: WordLimits | None
    scale: Scale | None
    levels: dict[str, str | None] = field(default_factory=dict)

    @property
    def scored(self) -> bool:
        return self.scale is not None

    @property
    def takes_response(self) -> bool:
        return self.response != "none"

    def is_passing(self, level: str) -> bool:
        return self.scale is not None and level in self.scale.passing


@dataclass(frozen=True)
class Part:
    number: int
    title: str
    instructions: str
    components: tuple[Component, ...]


@dataclass(frozen=True)
class AwardRule:
    part: int
    need: str | tuple[str, ...]  # "passing" or explicit levels


@dataclass(frozen=True)
class Spec:
    id: str
    title: str
    issuer: str | None
    version: str
    source: str
    competency: str
    key_method: str
    summary: str
    notes: tuple[str, ...]
    parts: tuple[Part, ...]
    award_statement: str
    award_rules: tuple[AwardRule, ...]
    body: str  # canonical JSON, what the database stores
    content_hash: str

    @property
    def components(self) -> tuple[Component, ...]:
        return tuple(c for part in self.parts for c in part.components)

    def component(self, component_id: str) -> Component:
        for candidate in self.components:
            if candidate.id == component_id:
                return candidate
        raise KeyError(component_id)

    def part(self, number: int) -> Part:
        for candidate in self.parts:
            if candidate.number == number:
                return candidate
        raise KeyError(number)

    def evidence_for(self, component: Component) -> tuple[Component, ...]:
        """The responses a component is judged on: its own, or those it names."""
        if component.takes_response:
            return (component,)
        part = self.part(component.part_number)
        if component.evidence:
            return tuple(self.component(i) for i in component.evidence)
        return tuple(c for c in part.components if c.takes_response)


class SpecError(Exception):
    """A spec that failed validation; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _Checker:
    """Collects problems while walking a parsed spec document."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def text(self, mapping: Any, key: str, required: bool = True) -> str:
        value = mapping.get(key) if isinstance(mapping, dict) else None
        if value is None:
            if required:
                self.add(line_of(mapping, key, 1), f"missing '{key}'")
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.add(line_of(mapping, key, 1), f"'{key}' must be text")
            return ""
        return value.strip()

    def mapping(self, value: Any, line: int, what: str) -> dict:
        if not isinstance(value, dict):
            self.add(line, f"{what} must be a mapping")
            return LineDict()
        return value

    def sequence(self, value: Any, line: int, what: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(line, f"{what} must be a list")
            return []
        return value


def canonical_json(data: Any) -> str:
    """Stable JSON for hashing: sorted keys, no whitespace variation."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _plain(data: Any) -> Any:
    """Strip the line-tracking subclasses so the data serialises cleanly."""
    if isinstance(data, dict):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data


def _parse_scales(check: _Checker, doc: dict) -> dict[str, Scale]:
    scales: dict[str, Scale] = {}
    raw = check.mapping(doc.get("scales"), line_of(doc, "scales", 1), "'scales'")
    if not raw:
        check.add(line_of(doc, "scales", 1), "no scales defined")
    for name, body in raw.items():
        line = line_of(raw, name)
        body = check.mapping(body, line, f"scale '{name}'")
        levels = check.sequence(body.get("levels"), line_of(body, "levels", line), "levels")
        if any(isinstance(level, bool) for level in levels):
            check.add(
                line_of(body, "levels", line),
                f'scale \'{name}\': a level read as true/false; quote it ("Yes", "No")',
            )
        levels = [
            str(level) for level in levels if isinstance(level, (str, int)) and not isinstance(level, bool)
        ]
        if not levels:
            check.add(line, f"scale '{name}' has no levels")
        if len(levels) > MAX_LEVELS:
            check.add(line, f"scale '{name}' has more than {MAX_LEVELS} levels")
        if len(set(levels)) != len(levels):
            check.add(line, f"scale '{name}' repeats a level")
        passing = check.sequence(body.get("passing"), line_of(body, "passing", line), "passing")
        passing = [str(level) for level in passing]
        if not passing:
            check.add(line_of(body, "passing", line), f"scale '{name}' names no passing level")
        for level in passing:
            if level not in levels:
                check.add(
                    line_of(body, "passing", line),
                    f"scale '{name}': passing level '{level}' is not one of its levels",
                )
        policy = body.get("descriptors", "required")
        if policy not in DESCRIPTOR_POLICIES:
            check.add(
                line_of(body, "descriptors", line),
                f"scale '{name}': descriptors must be 'required' or 'where-given'",
            )
        scales[str(name)] = Scale(str(name), tuple(levels), frozenset(passing), policy != "where-given")
    return scales


def _parse_word_limits(check: _Checker, holder: dict, line: int) -> WordLimits | None:
    raw = holder.get("word_limits")
    if raw is None:
        return None
    raw = check.mapping(raw, line, "'word_limits'")
    bounds: dict[str, int | None] = {}
    for key in ("min", "max"):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            check.add(line_of(raw, key, line), f"word limit '{key}' must be a whole number")
            value = None
        bounds[key] = value
    if bounds["min"] is None and bounds["max"] is None:
        check.add(line, "word_limits needs 'min' or 'max'")
    if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
        check.add(line, f"word limit min {bounds['min']} is above max {bounds['max']}")
    per = check.text(raw, "per", required=False) or "response"
    return WordLimits(bounds["min"], bounds["max"], check.text(raw, "text", required=False), per)


def _parse_component(
    check: _Checker, raw: Any, line: int, part_number: int, scales: dict[str, Scale]
) -> Component | None:
    raw = check.mapping(raw, line, "a component")
    if not raw:
        return None
    component_id = check.text(raw, "id")
    if component_id and not ID_PATTERN.match(component_id):
        check.add(
            line_of(raw, "id", line),
            f"component id '{component_id}' must be lowercase letters, digits and dashes",
        )
    response = raw.get("response", "required")
    if response not in RESPONSE_KINDS:
        check.add(line_of(raw, "response", line), "response must be required, optional or none")
        response = "required"
    prompts_raw = check.sequence(raw.get("prompts"), line_of(raw, "prompts", line), "prompts")
    prompts = tuple(str(p).strip() for p in prompts_raw if p is not None)
    evidence_raw = check.sequence(raw.get("evidence"), line_of(raw, "evidence", line), "evidence")
    evidence = tuple(str(e) for e in evidence_raw)
    if evidence and response != "none":
        check.add(line_of(raw, "evidence", line), "'evidence' only goes with response: none")
    scale = None
    scale_name = raw.get("scale")
    levels: dict[str, str | None] = {}
    if scale_name is not None:
        scale = scales.get(str(scale_name))
        if scale is None:
            check.add(line_of(raw, "scale", line), f"unknown scale '{scale_name}'")
        else:
            levels_raw = check.mapping(
                raw.get("levels", LineDict()), line_of(raw, "levels", line), "'levels'"
            )
            for level in scale.levels:
                if level not in levels_raw:
                    check.add(
                        line_of(raw, "levels", line),
                        f"component '{component_id}': level '{level}' missing "
                        "(write null where the document gives no descriptor)",
                    )
                    continue
                descriptor = levels_raw[level]
                if descriptor is not None and not isinstance(descriptor, str):
                    check.add(line_of(levels_raw, level, line), f"descriptor for '{level}' must be text")
                    descriptor = str(descriptor)
                if descriptor is not None and not descriptor.strip():
                    descriptor = None
                if descriptor is None and scale.descriptors_required:
                    check.add(
                        line_of(levels_raw, level, line),
                        f"component '{component_id}': level '{level}' has no descriptor "
                        f"but scale '{scale.name}' requires one",
                    )
                levels[level] = descriptor.strip() if descriptor else None
            for level in levels_raw:
                if level not in scale.levels:
                    check.add(
                        line_of(levels_raw, level, line),
                        f"component '{component_id}': '{level}' is not a level of scale '{scale.name}'",
                    )
    elif "levels" in raw:
        check.add(line_of(raw, "levels", line), f"component '{component_id}' has levels but no scale")
    if response == "none" and scale is None:
        check.add(line, f"component '{component_id}' takes no response and has no scale")
    return Component(
        id=component_id,
        title=check.text(raw, "title"),
        part_number=part_number,
        prompts=prompts,
        response=response,
        evidence=evidence,
        word_limits=_parse_word_limits(check, raw, line_of(raw, "word_limits", line)),
        scale=scale,
        levels=levels,
    )


def _parse_parts(check: _Checker, doc: dict, scales: dict[str, Scale]) -> list[Part]:
    parts: list[Part] = []
    raw_parts = check.sequence(doc.get("parts"), line_of(doc, "parts", 1), "'parts'")
    if not raw_parts:
        check.add(line_of(doc, "parts", 1), "no parts defined")
    seen_components: dict[str, int] = {}
    seen_parts: set[int] = set()
    for index, raw in enumerate(raw_parts):
        line = line_of(raw_parts, index, 1)
        raw = check.mapping(raw, line, "a part")
        number = raw.get("number")
        if isinstance(number, bool) or not isinstance(number, int):
            check.add(line_of(raw, "number", line), "part 'number' must be a whole number")
            number = index + 1
        if number in seen_parts:
            check.add(line_of(raw, "number", line), f"duplicate part number {number}")
        seen_parts.add(number)
        raw_components = check.sequence(
            raw.get("components"), line_of(raw, "components", line), "'components'"
        )
        if not raw_components:
            check.add(line, f"part {number} has no components")
        components = []
        for c_index, raw_component in enumerate(raw_components):
            c_line = line_of(raw_components, c_index, line)
            component = _parse_component(check, raw_component, c_line, number, scales)
            if component is None:
                continue
            if component.id in seen_components:
                check.add(
                    c_line,
                    f"duplicate component id '{component.id}'"
                    f" (first on line {seen_components[component.id]})",
                )
            seen_components[component.id] = c_line
            components.append(component)
        parts.append(
            Part(number, check.text(raw, "title"), check.text(raw, "instructions", False), tuple(components))
        )
    for part in parts:
        for component in part.components:
            for ref in component.evidence:
                if ref not in seen_components:
                    check.add(seen_components[component.id], f"evidence names unknown component '{ref}'")
    return parts


def _parse_award(check: _Checker, doc: dict, parts: list[Part]) -> tuple[str, list[AwardRule]]:
    line = line_of(doc, "award", 1)
    raw = check.mapping(doc.get("award"), line, "'award'")
    statement = check.text(raw, "statement") if raw else ""
    rules: list[AwardRule] = []
    raw_rules = check.sequence(raw.get("rules"), line_of(raw, "rules", line), "award rules")
    if raw and not raw_rules:
        check.add(line_of(raw, "rules", line), "award has no rules")
    part_numbers = {p.number: p for p in parts}
    for index, rule in enumerate(raw_rules):
        r_line = line_of(raw_rules, index, line)
        rule = check.mapping(rule, r_line, "an award rule")
        number = rule.get("part")
        if number not in part_numbers:
            check.add(line_of(rule, "part", r_line), f"award rule names unknown part {number!r}")
            continue
        need = rule.get("need", "passing")
        if need == "passing":
            rules.append(AwardRule(number, "passing"))
            continue
        if not isinstance(need, list) or not need:
            check.add(line_of(rule, "need", r_line), "award 'need' must be 'passing' or a list of levels")
            continue
        need_levels = tuple(str(level) for level in need)
        for component in part_numbers[number].components:
            if component.scale is None:
                continue
            for level in need_levels:
                if level not in component.scale.levels:
                    check.add(
                        line_of(rule, "need", r_line),
                        f"award rule for part {number} needs '{level}', "
                        f"not a level of component '{component.id}'",
                    )
        rules.append(AwardRule(number, need_levels))
    return statement, rules


def parse_spec(text: str, file: str) -> Spec:
    """Build a Spec from YAML text, or raise SpecError listing every problem."""
    try:
        doc = load_yaml(text)
    except YamlProblem as problem:
        raise SpecError([Problem(file, problem.line, problem.message)]) from None
    return _build_spec(doc, file)


def _build_spec(doc: Any, file: str) -> Spec:
    try:
        return _parse_spec(doc, file)
    except SpecError:
        raise
    except (RecursionError, TypeError, ValueError, AttributeError, KeyError) as error:
        # Shapes the checks above did not foresee still get one line, never a traceback.
        raise SpecError([Problem(file, 0, f"unreadable spec ({type(error).__name__}: {error})")]) from None


def _parse_spec(doc: Any, file: str) -> Spec:
    check = _Checker(file)
    if not isinstance(doc, dict):
        check.add(1, "a spec must be a YAML mapping")
        raise SpecError(check.problems)
    spec_id = check.text(doc, "id")
    if spec_id and not ID_PATTERN.match(spec_id):
        check.add(line_of(doc, "id", 1), f"spec id '{spec_id}' must be lowercase letters, digits and dashes")
    scales = _parse_scales(check, doc)
    parts = _parse_parts(check, doc, scales)
    statement, rules = _parse_award(check, doc, parts)
    notes = tuple(str(n) for n in check.sequence(doc.get("notes"), line_of(doc, "notes", 1), "notes"))
    issuer = doc.get("issuer")
    if check.problems:
        raise SpecError(check.problems)
    body = canonical_json(_plain(doc))
    return Spec(
        id=spec_id,
        title=check.text(doc, "title"),
        issuer=str(issuer) if issuer is not None else None,
        version=check.text(doc, "version", required=False) or "1",
        source=check.text(doc, "source", required=False),
        competency=check.text(doc, "competency", required=False),
        key_method=check.text(doc, "key_method", required=False),
        summary=check.text(doc, "summary", required=False),
        notes=notes,
        parts=tuple(parts),
        award_statement=statement,
        award_rules=tuple(rules),
        body=body,
        content_hash=hashlib.sha256(body.encode()).hexdigest()[:16],
    )


def spec_from_body(body: str) -> Spec:
    """Rebuild a Spec from the canonical JSON the database stored (json, not YAML:
    the review screen then never loads PyYAML)."""
    return _build_spec(json.loads(body), "<stored spec>")
