"""The spec file format as typed models: the one definition of every key.

Three things come from these models, so they cannot drift apart:

- the structural check `parse_spec` runs on a spec file (unknown keys, with the key
  that was probably meant; wrong types; missing required keys; each with its line);
- the JSON Schema `mcreview specs schema` prints, for an editor's completion;
- the key tables in docs/spec-format.md (a test compares them with `key_tables()`).

What the keys *mean* together (a scale that exists, a level of that scale, a rule that
selects scored components, ...) is checked in `mcreview.core.specs`, which also runs
on stored specs without this module: pydantic is imported only on the spec-file path
(`parse_spec`, `specs check`, `specs schema`, import), never by the review screens.
"""

from __future__ import annotations

import difflib
import json
import types
import typing
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from mcreview.core.yamlio import LineDict, LineList

SCHEMA_ID = "https://mcreview.invalid/schema/spec.json"  # an identifier, never fetched


def _number_as_text(value: Any) -> Any:
    """YAML reads `version: 1` as a number; a text field takes it as the text '1'."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _level_name(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("level_bool", 'a level read as true/false; quote it ("Yes", "No")')
    if isinstance(value, int):
        return str(value)
    return value


Text = Annotated[str, BeforeValidator(_number_as_text)]
Level = Annotated[str, BeforeValidator(_level_name)]
Count = Annotated[int, Field(ge=0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, populate_by_name=True)


class WordLimits(_Model):
    """`word_limits:` on a component: a word range as the document states it."""

    min: Count | None = Field(None, description="fewest words; null when the document gives no minimum")
    max: Count | None = Field(None, description="most words; null when the document gives no maximum")
    text: Text | None = Field(
        None, description="the document's own words for the limit, shown beside the count"
    )
    per: Text = Field(
        "response",
        description="`response` (the default): the limit is on the whole response. Any other word "
        "names one piece of the response (`annotation`, `question`, ...): each piece the response "
        "marks (a heading, a top-level list item, or a paragraph that starts in bold) is checked",
    )
    guide: bool = Field(
        False,
        description="true when the document calls the range a guide: shown as guidance, never flagged "
        "as a broken limit",
    )
    or_bullets: BulletCount | None = Field(
        None,
        description="the document allows this many bullet points instead of the word range "
        "(`50-150 words or 3-5 bullet points`): a response within either is within the limit",
    )


class BulletCount(_Model):
    """`or_bullets:` inside `word_limits:`: a number of top-level list items."""

    min: Count | None = Field(None, description="fewest bullet points")
    max: Count | None = Field(None, description="most bullet points")


class Uploads(_Model):
    """`uploads:` on a component or a part: attachments the document requires."""

    min: Annotated[int, Field(ge=1)] = Field(1, description="at least this many distinct attachments")
    max: Count | None = Field(None, description="at most this many; null: no upper bound")
    kinds: list[Literal["file", "link"]] | None = Field(
        None, description="which attachments count: `file` (a path), `link` (a URL); default both"
    )
    text: Text = Field(description="the document's words that require the upload (quoted verbatim)")


class Pieces(_Model):
    """`pieces:` on a component: a number of separate pieces the document asks for."""

    name: Text = Field(description="what one piece is (`stakeholder`, `annotation`), shown in findings")
    min: Count | None = Field(None, description="at least this many pieces")
    max: Count | None = Field(None, description="at most this many pieces")
    text: Text = Field(description="the document's words that ask for them (quoted verbatim)")


class Component(_Model):
    """One entry of a part's `components:`: something the candidate submits, or a judgement."""

    id: Text = Field(description="unique in the spec; lowercase letters, digits and dashes")
    title: Text = Field(description="as the document names it (`Artifact 1: Action Plan`)")
    prompts: list[Text] = Field(
        default_factory=list, description="what the candidate answers, the document's words"
    )
    response: Literal["required", "optional", "none"] = Field(
        "required",
        description="`required` | `optional` | `none` (takes no response of its own: judged on "
        "the responses `evidence` names)",
    )
    evidence: list[Text] | None = Field(
        None,
        description="only with `response: none`: ids of the responses it is judged on (default: "
        "every response of its part); each of those is shown as judged under this rubric",
    )
    word_limits: WordLimits | None = Field(None, description="see `word_limits`")
    uploads: Uploads | None = Field(None, description="see `uploads`")
    pieces: Pieces | None = Field(None, description="see `pieces`")
    scale: Text | None = Field(
        None, description="a key of `scales`; omit for a required-but-unscored component"
    )
    levels: dict[Level, Text | None] | None = Field(
        None,
        description="one entry per level of the scale: the document's descriptor, or null where "
        "the document gives none",
    )


class Part(_Model):
    """One entry of `parts:`."""

    number: int = Field(description="1, 2, 3 ...; unique")
    title: Text = Field(description="as the document names it")
    instructions: Text | None = Field(None, description="the document's instructions for the part")
    uploads: Uploads | None = Field(
        None, description="attachments the part needs, counted over all its components (a portfolio)"
    )
    components: list[Component] = Field(description="in the document's order")


class Scale(_Model):
    """One entry of `scales:` (its key is the scale's name)."""

    levels: list[Level] = Field(description="in the order keys 1..9 choose them; at most 9")
    passing: list[Level] = Field(description="the levels that count as passing")
    descriptors: Literal["required", "where-given"] = Field(
        "required", description="`required`: every level needs a descriptor; `where-given`: null allowed"
    )
    order: Literal["best-first", "worst-first", "unordered"] = Field(
        "best-first",
        description="how `levels` are ranked, for `at_or_above` / `at_or_below` rules; `unordered` "
        "forbids those",
    )
    source: Literal["document", "programme"] = Field(
        "document",
        description="`programme` when the document gives no such judgement and the programme adds "
        "it (then `why` is required)",
    )
    why: Text | None = Field(None, description="with `source: programme`: why the programme adds the scale")


class Rule(_Model):
    """One award rule (in `award.rules`, `award.programme_rules`, `all_of` or `any_of`)."""

    name: Text | None = Field(None, description="a short label shown on the decision screen")
    quote: Text | None = Field(
        None, description="the document's words the rule comes from; required on every rule of `award.rules`"
    )
    why: Text | None = Field(
        None, description="why the programme adds the rule; required on every rule of `award.programme_rules`"
    )
    component: Text | None = Field(None, description="select one component")
    components: list[Text] | None = Field(None, description="select these components")
    part: int | None = Field(None, description="select the scored components of one part")
    parts: list[int] | None = Field(None, description="select the scored components of these parts")
    count: Literal["all", "any", "none"] | None = Field(
        None,
        description="how many selected components must meet the condition: `all` (default), `any`, `none`",
    )
    at_least: Count | None = Field(
        None, description="at least this many selected components meet the condition"
    )
    at_most: Count | None = Field(
        None, description="at most this many selected components meet the condition"
    )
    need: Literal["passing"] | list[Level] | None = Field(
        None, description="condition: at a passing level of its scale (`passing`), or at one of these levels"
    )
    at_or_above: Level | None = Field(None, description="condition: at this level or better (ordered scale)")
    at_or_below: Level | None = Field(None, description="condition: at this level or worse (ordered scale)")
    present: bool | None = Field(
        None,
        description="condition (`true`): submitted, not empty, with its required uploads; needs the "
        "responses and attachments, so it is checked once they are given",
    )
    all_of: list[Rule] | None = Field(None, description="holds when every rule listed holds")
    any_of: list[Rule] | None = Field(None, description="holds when at least one rule listed holds")


class Award(_Model):
    """`award:` the award rule."""

    statement: Text | None = Field(
        description="the document's award sentence, quoted verbatim; null when the document has none "
        "(then `note` says so)"
    )
    note: Text | None = Field(
        None, description="required when `statement` is null: what the document says instead"
    )
    rules: list[Rule] = Field(description="the document's own rules; every one must hold for Earned")
    programme_rules: list[Rule] = Field(
        default_factory=list,
        description="rules the programme adds where the document is silent; every one must hold "
        "too, and each is shown as the programme's own",
    )


class Reference(_Model):
    """One entry of `reference:`: material the rubric refers to, quoted from the document."""

    id: Text = Field(description="unique in the spec")
    title: Text = Field(description="the document's heading for it")
    text: Text | None = Field(None, description="quoted verbatim from the document (one line per item)")
    note: Text | None = Field(
        None, description="the spec's own words, e.g. what the document does not include"
    )
    components: list[Text] | None = Field(
        None, description="components it is shown beside (default: every component)"
    )


class Spec(_Model):
    """The top level of a spec file."""

    id: Text = Field(description="lowercase letters, digits and dashes; unique across the specs folder")
    title: Text = Field(description="the credential's title")
    version: Text = Field(description="change it whenever the content changes (see Versions)")
    source: Text = Field(description="the document the spec was written from (a file name)")
    issuer: Text | None = Field(description="as the document names it; null when it names none")
    issuer_note: Text | None = Field(None, description="how the issuer was read from the document")
    competency: Text | None = Field(None, description="the document's competency statement")
    key_method: Text | None = Field(None, description="the document's key method")
    summary: Text | None = Field(None, description="a few sentences for the assessor, no links")
    notes: list[Text] = Field(
        default_factory=list,
        description="where the document is silent or unclear, and what the spec does about it",
    )
    reference: list[Reference] = Field(default_factory=list, description="see `reference`")
    scales: dict[Text, Scale] = Field(description="the rating scales the spec uses, by name")
    parts: list[Part] = Field(description="in the document's order")
    award: Award = Field(description="see `award`")


# Forward references (WordLimits -> BulletCount, Rule -> Rule).
for _model in (WordLimits, Rule):
    _model.model_rebuild()

MODELS: tuple[tuple[str, type[_Model]], ...] = (
    ("top level", Spec),
    ("`scales.NAME`", Scale),
    ("`parts[]`", Part),
    ("`parts[].components[]`", Component),
    ("`word_limits`", WordLimits),
    ("`word_limits.or_bullets`", BulletCount),
    ("`uploads`", Uploads),
    ("`pieces`", Pieces),
    ("`reference[]`", Reference),
    ("`award`", Award),
    ("award rule (`award.rules[]`, `award.programme_rules[]`, `all_of[]`, `any_of[]`)", Rule),
)


# -- the structural check --------------------------------------------------------------


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _arms(annotation: Any) -> list[Any]:
    """The alternatives of an annotation, looking through Annotated and Optional."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _arms(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [arm for a in typing.get_args(annotation) if a is not type(None) for arm in _arms(a)]
    return [annotation]


def _step(annotation: Any, element: Any) -> Any:
    """The annotation one step of a pydantic error location leads to, or None."""
    for arm in _arms(annotation):
        origin = typing.get_origin(arm)
        if isinstance(arm, type) and issubclass(arm, BaseModel):
            if isinstance(element, str) and element in arm.model_fields:
                return arm.model_fields[element].annotation
            if element == arm.__name__:
                return arm  # a union tag
        elif origin is list and isinstance(element, int):
            return typing.get_args(arm)[0]
        elif origin is dict and not isinstance(element, int):
            return typing.get_args(arm)[1]
    return None


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model whose mapping `loc` points into (for an unknown key's suggestions)."""
    current: Any = Spec
    for element in loc:
        following = _step(current, element)
        if following is None:
            continue  # a union tag such as 'list[...]': stay here
        current = following
    for arm in _arms(current):
        if isinstance(arm, type) and issubclass(arm, BaseModel):
            return arm
    return None


def _walk(doc: Any, loc: tuple[Any, ...]) -> tuple[Any, Any, int, list[Any]]:
    """Follow `loc` through the YAML data: (container, last key, its line, path taken)."""
    container: Any = doc
    line = getattr(doc, "line", 0) or 1
    last: Any = None
    path: list[Any] = []
    for element in loc:
        if isinstance(container, dict):
            try:
                found = element in container
            except TypeError:
                found = False
            if not found:
                continue  # a union tag, or a missing key: stay here
            line = container.key_lines.get(element, line) if isinstance(container, LineDict) else line
            last = element
            path.append(element)
            container = container[element]
        elif isinstance(container, list) and isinstance(element, int) and 0 <= element < len(container):
            if isinstance(container, LineList) and element < len(container.item_lines):
                line = container.item_lines[element]
            last = element
            path.append(element)
            container = container[element]
        else:
            continue
    return container, last, line, path


def _place(doc: Any, path: list[Any]) -> str:
    """A short name for where a path points: `scale 'pf'`, `component 'a'`, `award rule 2`."""
    names: list[str] = []
    node: Any = doc
    for index, element in enumerate(path):
        parent_key = path[index - 1] if index else None
        try:
            node = node[element]
        except (KeyError, IndexError, TypeError):
            break
        if parent_key == "scales" and index == 1:
            names = [f"scale '{element}'"]
        elif parent_key == "parts" and isinstance(element, int):
            number = node.get("number") if isinstance(node, dict) else None
            names = [f"part {number if isinstance(number, int) else element + 1}"]
        elif parent_key == "components" and isinstance(element, int):
            cid = node.get("id") if isinstance(node, dict) else None
            names = [f"component '{cid}'" if isinstance(cid, str) else f"component {element + 1}"]
        elif parent_key in ("rules", "programme_rules") and isinstance(element, int):
            kind = "programme rule" if parent_key == "programme_rules" else "award rule"
            names = [f"{kind} {element + 1}"]
        elif parent_key in ("all_of", "any_of") and isinstance(element, int):
            names.append(f"{parent_key}[{element + 1}]")
        elif parent_key == "reference" and isinstance(element, int):
            rid = node.get("id") if isinstance(node, dict) else None
            names = [f"reference '{rid}'" if isinstance(rid, str) else f"reference {element + 1}"]
    return " ".join(names)


_TYPE_WORDS = {
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "greater_than_equal": "must be a whole number, 0 or more",
}


def structural_problems(doc: Any) -> list[tuple[int, str]]:
    """(line, message) for every key the format does not know, every missing required key
    and every value of the wrong type. Empty when the structure is right."""
    try:
        Spec.model_validate(doc)
    except ValidationError as error:
        return _describe(doc, error)
    except RecursionError:
        return [(0, "nested too deeply")]
    return []


def _describe(doc: Any, error: ValidationError) -> list[tuple[int, str]]:
    found: dict[tuple[int, str], None] = {}
    seen_places: set[tuple[Any, ...]] = set()
    for item in error.errors(include_url=False):
        loc = tuple(item.get("loc", ()))
        kind = item.get("type", "")
        container, last, line, path = _walk(doc, loc)
        place = _place(doc, path if kind != "extra_forbidden" else path[:-1])
        prefix = f"{place}: " if place else ""
        if kind == "extra_forbidden":
            key = loc[-1] if loc else "?"
            model = _model_at(loc[:-1])
            message = f"unknown key '{str(key)[:60]}'"
            if model is not None:
                close = difflib.get_close_matches(str(key), _allowed_keys(model), n=1, cutoff=0.6)
                if close:
                    message += f" (did you mean '{close[0]}'?)"
            found[(line, prefix + message)] = None
            continue
        if kind == "missing":
            key = loc[-1] if loc else "?"
            found[(line, f"{prefix}missing '{key}'")] = None
            continue
        # Several union arms report the same value: say it once, for the key.
        where = tuple(path)
        if where in seen_places and kind not in ("level_bool",):
            continue
        seen_places.add(where)
        key = last if isinstance(last, str) else (path[-2] if len(path) > 1 else last)
        if kind == "level_bool" or kind not in _TYPE_WORDS and kind != "literal_error":
            message = item.get("msg", "invalid value")
        elif kind == "literal_error":
            expected = item.get("ctx", {}).get("expected", "")
            message = (
                f"'{key}' must be one of {expected}" if key is not None else f"must be one of {expected}"
            )
        else:
            message = f"'{key}' {_TYPE_WORDS[kind]}" if key is not None else _TYPE_WORDS[kind]
        if kind == "literal_error" and str(loc[-1]).startswith("literal[") and "need" in loc:
            message = "'need' must be 'passing' or a list of levels"
        found[(line, prefix + message)] = None
    return sorted(found, key=lambda pair: pair[0])


# -- what is generated from the models --------------------------------------------------


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a spec file (draft 2020-12), for editors."""
    schema = Spec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "mcreview credential spec"
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def _type_words(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Annotated:
        base = args[0]
        if base is str:
            return "text"
        if base is int:
            return "whole number"
        return _type_words(base)
    if origin in (Union, types.UnionType):
        words = [_type_words(a) for a in args if a is not type(None)]
        text = " or ".join(dict.fromkeys(words))
        return text + (" or null" if type(None) in args else "")
    if origin is Literal:
        return " \\| ".join(f"`{json.dumps(a)}`" if isinstance(a, bool) else f"`{a}`" for a in args)
    if origin is list:
        return f"list of {_type_words(args[0])}"
    if origin is dict:
        return f"mapping to {_type_words(args[1])}"
    if annotation is bool:
        return "true / false"
    if annotation is int:
        return "whole number"
    if annotation is str:
        return "text"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    return str(annotation)


def key_tables() -> str:
    """The Markdown key tables of docs/spec-format.md, one per mapping of the format."""
    out: list[str] = []
    for heading, model in MODELS:
        out.append(f"#### {heading}")
        out.append("")
        doc = (model.__doc__ or "").strip()
        if doc:
            out.append(doc)
            out.append("")
        out.append("| key | required | value | meaning |")
        out.append("|---|---|---|---|")
        for name, field in model.model_fields.items():
            key = field.alias or name
            required = "yes" if field.is_required() else "no"
            default = ""
            if not field.is_required() and field.default not in (None, ...) and field.default_factory is None:
                default = (
                    f" (default `{json.dumps(field.default)}`)"
                    if not isinstance(field.default, str)
                    else f" (default `{field.default}`)"
                )
            meaning = (field.description or "").replace("|", "\\|")
            out.append(f"| `{key}` | {required} | {_type_words(field.annotation)}{default} | {meaning} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
