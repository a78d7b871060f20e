"""Credential specs: the rubric an assessor scores against, loaded and validated.

A spec is data written from an issuer's document (see docs/spec-format.md). A spec
file is checked in two passes, both with line numbers so a coordinator adding a
credential gets `file:line: message` errors:

1. structure (`mcreview.core.spec_model`, pydantic): unknown keys, with the key that
   was probably meant, missing required keys and wrong types; the YAML loader has
   already refused duplicate keys;
2. meaning (this module): scales that exist, levels of those scales, award rules that
   select scored components, references to components that exist, ...

A spec is hashed so the queue can pin each submission to the exact rubric it was
imported against. `spec_from_body` rebuilds a Spec from the JSON the database stored;
it runs only the second pass (no pydantic, no PyYAML), so the review screens stay fast.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from mcreview.core.limits import WordLimits
from mcreview.core.textsafe import visible_controls
from mcreview.core.yamlio import LineDict, YamlProblem, line_of, load_yaml

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
RESPONSE_KINDS = ("required", "optional", "none")
DESCRIPTOR_POLICIES = ("required", "where-given")
SCALE_ORDERS = ("best-first", "worst-first", "unordered")
SOURCES = ("document", "programme")
UPLOAD_KINDS = ("file", "link")
MAX_LEVELS = 9  # keys 1..9 choose a level

DOCUMENT = "document"
PROGRAMME = "programme"


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
    order: str = "best-first"  # best-first | worst-first | unordered
    source: str = DOCUMENT  # programme: the document gives no such judgement
    why: str = ""

    @property
    def ordered(self) -> bool:
        return self.order != "unordered"

    @property
    def programme(self) -> bool:
        return self.source == PROGRAMME

    def _ranked(self) -> tuple[str, ...]:
        """The levels best first."""
        return tuple(reversed(self.levels)) if self.order == "worst-first" else self.levels

    def at_or_above(self, level: str) -> frozenset[str]:
        ranked = self._ranked()
        return frozenset(ranked[: ranked.index(level) + 1])

    def at_or_below(self, level: str) -> frozenset[str]:
        ranked = self._ranked()
        return frozenset(ranked[ranked.index(level) :])


@dataclass(frozen=True)
class Uploads:
    """Attachments the document requires, for one component or for a whole part."""

    minimum: int
    maximum: int | None
    kinds: frozenset[str]  # file, link
    text: str  # the document's words

    def describe(self) -> str:
        many = "upload" if self.minimum == 1 else "uploads"
        kinds = "" if self.kinds == frozenset(UPLOAD_KINDS) else f" ({', '.join(sorted(self.kinds))} only)"
        return f"at least {self.minimum} {many}{kinds}"


@dataclass(frozen=True)
class Pieces:
    """A number of separate pieces the document asks one response to hold."""

    name: str
    minimum: int | None
    maximum: int | None
    text: str


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
    uploads: Uploads | None = None
    pieces: Pieces | None = None
    judged_under: str | None = None  # id of the component whose rubric judges this response

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
    uploads: Uploads | None = None


@dataclass(frozen=True)
class Reference:
    """Material the rubric refers to, quoted from the document (`text`), with the spec's
    own remarks kept apart (`note`)."""

    id: str
    title: str
    text: str
    note: str
    components: tuple[str, ...]  # empty: shown beside every component


@dataclass(frozen=True)
class Rule:
    """One node of the award-rule language (see docs/spec-format.md, "Award rules").

    kind: levels (selected components at a level), present (selected components
    submitted), all_of / any_of (of the rules in `children`). Selection: `components`,
    or the components of `parts`, or (both None) every component. Quantifier: count
    all | any | none, or `at_least` / `at_most`.
    """

    kind: str
    source: str = DOCUMENT
    components: tuple[str, ...] | None = None
    parts: tuple[int, ...] | None = None
    count: str = "all"  # all | any | none | range (at_least / at_most)
    at_least: int | None = None
    at_most: int | None = None
    need: str | tuple[str, ...] | None = None  # "passing" or levels
    at_or_above: str | None = None
    at_or_below: str | None = None
    children: tuple[Rule, ...] = ()
    name: str = ""
    quote: str = ""
    why: str = ""
    line: int = field(default=0, compare=False)  # where it stood in the file (0: a stored spec)

    @property
    def part(self) -> int | None:
        """The one part a rule is about, if it is about one (the old `part:` rules)."""
        if self.parts is not None and len(self.parts) == 1 and self.components is None:
            return self.parts[0]
        return None

    @property
    def programme(self) -> bool:
        return self.source == PROGRAMME


AwardRule = Rule  # the name the first rule language used


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
    award_statement: str  # the document's award sentence, or what the spec says instead
    award_rules: tuple[Rule, ...]  # the document's own rules
    body: str  # canonical JSON, what the database stores
    content_hash: str
    programme_rules: tuple[Rule, ...] = ()  # rules the programme adds where the document is silent
    award_quote: str | None = None  # the document's award sentence; None when it has none
    reference: tuple[Reference, ...] = ()
    issuer_note: str = ""

    @property
    def components(self) -> tuple[Component, ...]:
        return tuple(c for part in self.parts for c in part.components)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every award rule: the document's, then the programme's own."""
        return self.award_rules + self.programme_rules

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

    def reference_for(self, component: Component) -> tuple[Reference, ...]:
        """The reference material to show beside a component (and beside the response of
        a component judged under another's rubric, the material of that rubric too)."""
        wanted = {component.id}
        if component.judged_under:
            wanted.add(component.judged_under)
        return tuple(r for r in self.reference if not r.components or wanted & set(r.components))

    def reference_sheet(self, component: Component) -> list[tuple[str, str]]:
        """(heading, text) blocks for the review screen's reference key, in order: the
        component's reference material, its part's instructions, the competency, the key
        method, the spec's notes. Text quoted from the document comes first in each
        block; a spec's own remark is labelled as such."""
        blocks: list[tuple[str, str]] = []
        if component.judged_under:
            judge = self.component(component.judged_under)
            blocks.append(("Judged under", f"{judge.title}: this response is scored with that rubric."))
        for item in self.reference_for(component):
            text = item.text
            if item.note:
                text = f"{text}\n\n(Spec note, not the document's words) {item.note}".strip()
            blocks.append((item.title, text))
        part = self.part(component.part_number)
        if part.instructions:
            blocks.append((f"Part {part.number} instructions", part.instructions))
        if self.competency:
            blocks.append(("Competency", self.competency))
        if self.key_method:
            blocks.append(("Key method", self.key_method))
        if self.notes:
            blocks.append(
                (
                    "Spec notes (where the document is silent or unclear)",
                    "\n".join(f"- {note}" for note in self.notes),
                )
            )
        return blocks

    def rule_components(self, rule: Rule) -> tuple[Component, ...]:
        """The components a levels or present rule looks at, in spec order: for a levels
        rule the scored ones; for a present rule those that take a response or need
        uploads (a response-less component stands for the responses it is judged on)."""
        if rule.components is not None:
            chosen = [self.component(cid) for cid in rule.components]
        elif rule.parts is not None:
            chosen = [c for c in self.components if c.part_number in rule.parts]
        else:
            chosen = list(self.components)
        if rule.kind == "levels":
            return tuple(c for c in chosen if c.scored)
        if rule.kind == "present":
            if rule.components is not None:
                return tuple(chosen)
            return tuple(c for c in chosen if c.takes_response or c.uploads is not None)
        return ()

    def rule_parts(self, rule: Rule) -> frozenset[int]:
        """The parts a rule's components are in (children included)."""
        if rule.kind in ("all_of", "any_of"):
            return frozenset(p for child in rule.children for p in self.rule_parts(child))
        found = {c.part_number for c in self.rule_components(rule)}
        if rule.kind == "present" and rule.parts is not None:
            found |= {p for p in rule.parts if self.part(p).uploads is not None}
        return frozenset(found)

    def accepted_levels(self, rule: Rule, component: Component) -> frozenset[str]:
        """The levels of a component that meet a levels rule's condition."""
        scale = component.scale
        if scale is None:
            return frozenset()
        if rule.at_or_above is not None:
            return scale.at_or_above(rule.at_or_above)
        if rule.at_or_below is not None:
            return scale.at_or_below(rule.at_or_below)
        if rule.need == "passing" or rule.need is None:
            return scale.passing
        return frozenset(rule.need)


class SpecError(Exception):
    """A spec that failed validation; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _Checker:
    """Collects problems while walking a parsed spec document."""

    def __init__(self, file: str, strict: bool) -> None:
        self.file = file
        self.strict = strict  # a spec file (not a stored body): document quotes are required
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

    def whole(self, mapping: dict, key: str, line: int, what: str, minimum: int = 0) -> int | None:
        value = mapping.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.add(line_of(mapping, key, line), f"{what} '{key}' must be a whole number")
            return None
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
        order = body.get("order", "best-first")
        if order not in SCALE_ORDERS:
            check.add(
                line_of(body, "order", line),
                f"scale '{name}': order must be one of {', '.join(SCALE_ORDERS)}",
            )
            order = "best-first"
        source = body.get("source", DOCUMENT)
        if source not in SOURCES:
            check.add(line_of(body, "source", line), f"scale '{name}': source must be document or programme")
            source = DOCUMENT
        why = check.text(body, "why", required=False)
        if source == PROGRAMME and not why and check.strict:
            check.add(
                line, f"scale '{name}': a programme scale needs 'why' (the document gives no such judgement)"
            )
        scales[str(name)] = Scale(
            str(name),
            tuple(levels),
            frozenset(passing),
            policy != "where-given",
            str(order),
            str(source),
            why,
        )
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
    bullets: dict[str, int | None] = {"min": None, "max": None}
    raw_bullets = raw.get("or_bullets")
    if raw_bullets is not None:
        b_line = line_of(raw, "or_bullets", line)
        raw_bullets = check.mapping(raw_bullets, b_line, "'or_bullets'")
        for key in ("min", "max"):
            bullets[key] = check.whole(raw_bullets, key, b_line, "bullet point")
        if bullets["min"] is None and bullets["max"] is None:
            check.add(b_line, "or_bullets needs 'min' or 'max'")
        if bullets["min"] is not None and bullets["max"] is not None and bullets["min"] > bullets["max"]:
            check.add(b_line, f"bullet points min {bullets['min']} is above max {bullets['max']}")
    if bounds["min"] is None and bounds["max"] is None:
        check.add(line, "word_limits needs 'min' or 'max'")
    if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
        check.add(line, f"word limit min {bounds['min']} is above max {bounds['max']}")
    per = check.text(raw, "per", required=False) or "response"
    guide = raw.get("guide", False)
    if not isinstance(guide, bool):
        check.add(line_of(raw, "guide", line), "word limit 'guide' must be true or false")
        guide = False
    return WordLimits(
        bounds["min"],
        bounds["max"],
        check.text(raw, "text", required=False),
        per,
        guide,
        bullets["min"],
        bullets["max"],
    )


def _parse_uploads(check: _Checker, holder: dict, line: int, what: str) -> Uploads | None:
    raw = holder.get("uploads")
    if raw is None:
        return None
    raw = check.mapping(raw, line, "'uploads'")
    minimum = check.whole(raw, "min", line, "uploads", minimum=1)
    maximum = check.whole(raw, "max", line, "uploads")
    minimum = 1 if minimum is None else minimum
    if maximum is not None and maximum < minimum:
        check.add(line, f"{what}: uploads min {minimum} is above max {maximum}")
    kinds_raw = check.sequence(raw.get("kinds"), line_of(raw, "kinds", line), "uploads 'kinds'")
    kinds = frozenset(str(k) for k in kinds_raw) or frozenset(UPLOAD_KINDS)
    for kind in kinds - frozenset(UPLOAD_KINDS):
        check.add(line_of(raw, "kinds", line), f"{what}: upload kind '{kind}' is not file or link")
    text = check.text(raw, "text", required=check.strict)
    return Uploads(minimum, maximum, kinds & frozenset(UPLOAD_KINDS) or frozenset(UPLOAD_KINDS), text)


def _parse_pieces(check: _Checker, holder: dict, line: int, what: str) -> Pieces | None:
    raw = holder.get("pieces")
    if raw is None:
        return None
    raw = check.mapping(raw, line, "'pieces'")
    minimum = check.whole(raw, "min", line, "pieces")
    maximum = check.whole(raw, "max", line, "pieces")
    if minimum is None and maximum is None:
        check.add(line, f"{what}: pieces needs 'min' or 'max'")
    if minimum is not None and maximum is not None and minimum > maximum:
        check.add(line, f"{what}: pieces min {minimum} is above max {maximum}")
    return Pieces(check.text(raw, "name"), minimum, maximum, check.text(raw, "text", required=check.strict))


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
    elif "levels" in raw and raw.get("levels") is not None:
        check.add(line_of(raw, "levels", line), f"component '{component_id}' has levels but no scale")
    if response == "none" and scale is None:
        check.add(line, f"component '{component_id}' takes no response and has no scale")
    what = f"component '{component_id}'"
    uploads = _parse_uploads(check, raw, line_of(raw, "uploads", line), what)
    pieces = _parse_pieces(check, raw, line_of(raw, "pieces", line), what)
    if response == "none" and (uploads is not None or pieces is not None):
        check.add(
            line, f"{what} takes no response: 'uploads' and 'pieces' go on the responses it is judged on"
        )
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
        uploads=uploads,
        pieces=pieces,
    )


def _parse_parts(check: _Checker, doc: dict, scales: dict[str, Scale]) -> tuple[list[Part], dict[str, int]]:
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
        uploads = _parse_uploads(check, raw, line_of(raw, "uploads", line), f"part {number}")
        parts.append(
            Part(
                number,
                check.text(raw, "title"),
                check.text(raw, "instructions", False),
                tuple(components),
                uploads,
            )
        )
    for part in parts:
        for component in part.components:
            for ref in component.evidence:
                if ref not in seen_components:
                    check.add(seen_components[component.id], f"evidence names unknown component '{ref}'")
    return _mark_judged(parts, seen_components), seen_components


def _mark_judged(parts: list[Part], known: dict[str, int]) -> list[Part]:
    """Set `judged_under` on every response judged by another component's rubric."""
    judge_of: dict[str, str] = {}
    for part in parts:
        for component in part.components:
            if component.takes_response or component.scale is None:
                continue
            judged = component.evidence or tuple(c.id for c in part.components if c.takes_response)
            for cid in judged:
                if cid in known:
                    judge_of.setdefault(cid, component.id)
    if not judge_of:
        return parts
    return [
        replace(
            part,
            components=tuple(
                replace(c, judged_under=judge_of[c.id]) if c.id in judge_of and not c.scored else c
                for c in part.components
            ),
        )
        for part in parts
    ]


_SELECTORS = ("component", "components", "part", "parts")
_CONDITIONS = ("need", "at_or_above", "at_or_below", "present", "all_of", "any_of")


class _RuleParser:
    def __init__(self, check: _Checker, parts: list[Part]) -> None:
        self.check = check
        self.parts = {p.number: p for p in parts}
        self.components = {c.id: c for p in parts for c in p.components}

    def rule(self, raw: Any, line: int, source: str, top: bool, label: str) -> Rule | None:
        check = self.check
        raw = check.mapping(raw, line, f"{label}")
        if not raw:
            return None
        conditions = [k for k in _CONDITIONS if raw.get(k) is not None]
        selectors = [k for k in _SELECTORS if raw.get(k) is not None]
        if len(selectors) > 1:
            check.add(line, f"{label}: give one of {', '.join(_SELECTORS)}, not {' and '.join(selectors)}")
            return None
        if len(conditions) > 1:
            check.add(line, f"{label}: give one condition, not {' and '.join(conditions)}")
            return None
        if not conditions and not selectors:
            check.add(
                line, f"{label}: says nothing (give a selector such as 'part' and a condition such as 'need')"
            )
            return None
        meta = Rule(
            kind="levels",
            source=source,
            name=check.text(raw, "name", required=False),
            quote=check.text(raw, "quote", required=False),
            why=check.text(raw, "why", required=False),
            line=line,
        )
        if top and check.strict:
            if source == DOCUMENT and not meta.quote:
                check.add(
                    line, f"{label}: a document rule needs 'quote' (the document's words it comes from)"
                )
            if source == PROGRAMME and not meta.why:
                check.add(
                    line,
                    f"{label}: a programme rule needs 'why' (the document is silent; say why it is added)",
                )
        condition = conditions[0] if conditions else "need"
        if condition in ("all_of", "any_of"):
            if selectors or any(raw.get(k) is not None for k in ("count", "at_least", "at_most")):
                check.add(
                    line, f"{label}: '{condition}' takes no selector or count; put them on the rules inside"
                )
            children_raw = check.sequence(raw.get(condition), line_of(raw, condition, line), f"'{condition}'")
            if not children_raw:
                check.add(line_of(raw, condition, line), f"{label}: '{condition}' lists no rules")
            children = []
            for index, child in enumerate(children_raw):
                c_line = line_of(children_raw, index, line)
                parsed = self.rule(child, c_line, source, False, f"{label} {condition}[{index + 1}]")
                if parsed is not None:
                    children.append(parsed)
            return replace(meta, kind=condition, children=tuple(children))
        components, parts = self.selection(raw, line, label)
        if components is None and parts is None and selectors:
            return None  # the selection named something unknown (already reported)
        count, at_least, at_most = self.quantifier(raw, line, label)
        kind = "present" if condition == "present" else "levels"
        need: str | tuple[str, ...] | None = None
        above = below = None
        if kind == "present":
            if raw.get("present") is not True:
                check.add(line_of(raw, "present", line), f"{label}: 'present' can only be true")
        elif condition == "need":
            raw_need = raw.get("need", "passing")
            if raw_need == "passing":
                need = "passing"
            elif isinstance(raw_need, list) and raw_need:
                need = tuple(str(level) for level in raw_need)
            else:
                check.add(line_of(raw, "need", line), "award 'need' must be 'passing' or a list of levels")
                return None
        elif condition == "at_or_above":
            above = str(raw.get("at_or_above"))
        else:
            below = str(raw.get("at_or_below"))
        rule = replace(
            meta,
            kind=kind,
            components=components,
            parts=parts,
            count=count,
            at_least=at_least,
            at_most=at_most,
            need=need,
            at_or_above=above,
            at_or_below=below,
        )
        self.check_levels(rule, raw, line, label)
        return rule

    def selection(
        self, raw: dict, line: int, label: str
    ) -> tuple[tuple[str, ...] | None, tuple[int, ...] | None]:
        check = self.check
        if raw.get("part") is not None:
            number = raw.get("part")
            if number not in self.parts or isinstance(number, bool):
                check.add(line_of(raw, "part", line), f"award rule names unknown part {number!r}")
                return None, None
            return None, (number,)
        if raw.get("parts") is not None:
            numbers = check.sequence(raw.get("parts"), line_of(raw, "parts", line), "'parts'")
            bad = [n for n in numbers if n not in self.parts or isinstance(n, bool)]
            for number in bad:
                check.add(line_of(raw, "parts", line), f"award rule names unknown part {number!r}")
            if bad or not numbers:
                if not numbers:
                    check.add(line_of(raw, "parts", line), f"{label}: 'parts' lists no parts")
                return None, None
            return None, tuple(dict.fromkeys(numbers))
        ids: list[Any] = []
        if raw.get("component") is not None:
            ids = [raw.get("component")]
            key = "component"
        elif raw.get("components") is not None:
            ids = check.sequence(raw.get("components"), line_of(raw, "components", line), "'components'")
            key = "components"
            if not ids:
                check.add(line_of(raw, key, line), f"{label}: 'components' lists no components")
                return None, None
        else:
            return None, None
        unknown = [str(i) for i in ids if str(i) not in self.components]
        for cid in unknown:
            check.add(line_of(raw, key, line), f"award rule names unknown component '{cid}'")
        if unknown:
            return None, None
        return tuple(dict.fromkeys(str(i) for i in ids)), None

    def quantifier(self, raw: dict, line: int, label: str) -> tuple[str, int | None, int | None]:
        check = self.check
        count = raw.get("count")
        at_least = check.whole(raw, "at_least", line, label)
        at_most = check.whole(raw, "at_most", line, label)
        if count is not None and (at_least is not None or at_most is not None):
            check.add(line_of(raw, "count", line), f"{label}: give 'count' or 'at_least'/'at_most', not both")
        if at_least is not None or at_most is not None:
            if at_least is not None and at_most is not None and at_least > at_most:
                check.add(
                    line_of(raw, "at_least", line), f"{label}: at_least {at_least} is above at_most {at_most}"
                )
            return "range", at_least, at_most
        if count is None:
            return "all", None, None
        if count not in ("all", "any", "none"):
            check.add(line_of(raw, "count", line), f"{label}: count must be all, any or none")
            return "all", None, None
        return str(count), None, None

    def check_levels(self, rule: Rule, raw: dict, line: int, label: str) -> None:
        check = self.check
        selected = self._selected(rule)
        if not selected:
            what = "scored component" if rule.kind == "levels" else "component that takes a response"
            check.add(line, f"{label}: selects no {what}")
            return
        if rule.kind == "levels" and rule.components is not None:
            for cid in rule.components:
                if not self.components[cid].scored:
                    check.add(
                        line_of(raw, "components" if "components" in raw else "component", line),
                        f"{label}: component '{cid}' has no scale, so no level to check",
                    )
        if rule.at_least is not None and rule.at_least > len(selected):
            check.add(
                line_of(raw, "at_least", line),
                f"{label}: at_least {rule.at_least} but the rule selects only {len(selected)}",
            )
        if rule.kind != "levels":
            return
        for component in selected:
            scale = component.scale
            if scale is None:
                continue  # reported above
            wanted: tuple[str, ...] = ()
            key = "need"
            if isinstance(rule.need, tuple):
                wanted = rule.need
            elif rule.at_or_above is not None:
                wanted, key = (rule.at_or_above,), "at_or_above"
            elif rule.at_or_below is not None:
                wanted, key = (rule.at_or_below,), "at_or_below"
            if key != "need" and not scale.ordered:
                check.add(
                    line_of(raw, key, line),
                    f"{label}: scale '{scale.name}' is unordered; '{key}' needs an order",
                )
            for level in wanted:
                if level not in scale.levels:
                    where = f"part {rule.part}" if rule.part is not None else label
                    check.add(
                        line_of(raw, key, line),
                        f"award rule for {where} needs '{level}', not a level of component '{component.id}'",
                    )

    def _selected(self, rule: Rule) -> list[Component]:
        if rule.components is not None:
            chosen = [self.components[cid] for cid in rule.components]
        elif rule.parts is not None:
            chosen = [c for number in rule.parts for c in self.parts[number].components]
        else:
            chosen = list(self.components.values())
        if rule.kind == "levels":
            return [c for c in chosen if c.scored] if rule.components is None else chosen
        if rule.components is not None:
            return chosen
        has_part_uploads = rule.parts is not None and any(self.parts[n].uploads for n in rule.parts)
        found = [c for c in chosen if c.takes_response or c.uploads is not None]
        return found or (chosen if has_part_uploads else [])


def _parse_award(
    check: _Checker, doc: dict, parts: list[Part]
) -> tuple[str, str | None, list[Rule], list[Rule]]:
    line = line_of(doc, "award", 1)
    raw = check.mapping(doc.get("award"), line, "'award'")
    statement = check.text(raw, "statement", required=False) if raw else ""
    note = check.text(raw, "note", required=False) if raw else ""
    if raw and not statement and not note:
        check.add(
            line_of(raw, "statement", line),
            "award needs 'statement' (the document's sentence) or, "
            "when the document has none, statement: null and a 'note' saying so",
        )
    parser = _RuleParser(check, parts)
    found: dict[str, list[Rule]] = {}
    for key, source, label in (
        ("rules", DOCUMENT, "award rule"),
        ("programme_rules", PROGRAMME, "programme rule"),
    ):
        raw_rules = check.sequence(raw.get(key), line_of(raw, key, line), f"award {key.replace('_', ' ')}")
        rules: list[Rule] = []
        for index, rule in enumerate(raw_rules):
            r_line = line_of(raw_rules, index, line)
            parsed = parser.rule(rule, r_line, source, True, f"{label} {index + 1}")
            if parsed is not None:
                rules.append(parsed)
        found[key] = rules
    if raw and not check.sequence(raw.get("rules"), line, "award rules") and not found["programme_rules"]:
        check.add(line_of(raw, "rules", line), "award has no rules")
    shown = statement or note
    return shown, (statement or None), found["rules"], found["programme_rules"]


def _parse_reference(check: _Checker, doc: dict, known: dict[str, int]) -> list[Reference]:
    raw = check.sequence(doc.get("reference"), line_of(doc, "reference", 1), "'reference'")
    found: list[Reference] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        line = line_of(raw, index, 1)
        item = check.mapping(item, line, "a reference entry")
        if not item:
            continue
        rid = check.text(item, "id")
        if rid in seen:
            check.add(line, f"duplicate reference id '{rid}'")
        seen.add(rid)
        text = check.text(item, "text", required=False)
        note = check.text(item, "note", required=False)
        if not text and not note:
            check.add(line, f"reference '{rid}' needs 'text' (quoted) or 'note'")
        ids = check.sequence(item.get("components"), line_of(item, "components", line), "'components'")
        for cid in ids:
            if str(cid) not in known:
                check.add(
                    line_of(item, "components", line), f"reference '{rid}' names unknown component '{cid}'"
                )
        found.append(Reference(rid, check.text(item, "title"), text, note, tuple(str(c) for c in ids)))
    return found


def parse_spec(text: str, file: str) -> Spec:
    """Build a Spec from YAML text, or raise SpecError listing every problem."""
    try:
        doc = load_yaml(text)
    except YamlProblem as problem:
        raise SpecError([Problem(file, line, message) for line, message in problem.all]) from None
    structural: list[Problem] = []
    if isinstance(doc, dict):
        from mcreview.core.spec_model import structural_problems  # pydantic: spec-file path only

        try:
            structural = [Problem(file, line, message) for line, message in structural_problems(doc)]
        except Exception as error:  # noqa: BLE001 - a validator bug must still give one line
            structural = [Problem(file, 0, f"unreadable spec ({type(error).__name__})")]
    try:
        spec = _build_spec(doc, file, strict=True)
    except SpecError as error:
        flagged = {p.line for p in structural}
        meaning = [p for p in error.problems if p.line not in flagged]
        raise SpecError(sorted(structural + meaning, key=lambda p: p.line)) from None
    if structural:
        raise SpecError(structural)
    return spec


def _build_spec(doc: Any, file: str, strict: bool = False) -> Spec:
    try:
        return _parse_spec(doc, file, strict)
    except SpecError:
        raise
    except (RecursionError, TypeError, ValueError, AttributeError, KeyError, AssertionError) as error:
        # Shapes the checks above did not foresee still get one line, never a traceback.
        raise SpecError([Problem(file, 0, f"unreadable spec ({type(error).__name__}: {error})")]) from None


def _parse_spec(doc: Any, file: str, strict: bool) -> Spec:
    check = _Checker(file, strict)
    if not isinstance(doc, dict):
        check.add(1, "a spec must be a YAML mapping")
        raise SpecError(check.problems)
    spec_id = check.text(doc, "id")
    if spec_id and not ID_PATTERN.match(spec_id):
        check.add(line_of(doc, "id", 1), f"spec id '{spec_id}' must be lowercase letters, digits and dashes")
    scales = _parse_scales(check, doc)
    parts, known = _parse_parts(check, doc, scales)
    statement, quote, rules, programme_rules = _parse_award(check, doc, parts)
    reference = _parse_reference(check, doc, known)
    notes = tuple(str(n) for n in check.sequence(doc.get("notes"), line_of(doc, "notes", 1), "notes"))
    issuer = doc.get("issuer")
    title = check.text(doc, "title")
    version = check.text(doc, "version", required=False) or "1"
    if check.problems:
        raise SpecError(check.problems)
    body = canonical_json(_plain(doc))
    return Spec(
        id=spec_id,
        title=title,
        issuer=str(issuer) if issuer is not None else None,
        version=version,
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
        programme_rules=tuple(programme_rules),
        award_quote=quote,
        reference=tuple(reference),
        issuer_note=check.text(doc, "issuer_note", required=False),
    )


def spec_from_body(body: str) -> Spec:
    """Rebuild a Spec from the canonical JSON the database stored (json, not YAML, and no
    pydantic: the review screen then loads neither). Stored specs of the first rule
    language (`part:` + `need:`) read as before."""
    return _build_spec(json.loads(body), "<stored spec>")
