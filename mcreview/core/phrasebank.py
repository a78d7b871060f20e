"""The comment bank's file format: phrases a team shares, as YAML, checked line by line.

```yaml
phrases:
  - credential: positive-professional-relationships
    component: case-study        # omit (or "") for the overall comment
    level: Basic                 # omit (or "") for any level
    text: Apply each component of the plan to the student in the case.
```

A phrase is kept for a credential, one of its components (or the overall comment)
and one of that component's levels (or any level). Every problem is reported as
`file:line: what`, and nothing is imported from a file with a problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mcreview.core.specs import Spec
from mcreview.core.yamlio import YamlProblem, line_of, load_yaml

MAX_PHRASE_CHARS = 2_000
KEYS = ("credential", "component", "level", "text")


@dataclass(frozen=True)
class Phrase:
    credential: str
    component_id: str  # "" for the overall comment
    level: str  # "" for any level
    text: str


def check_phrase(phrase: Phrase, specs: Mapping[str, Spec]) -> str | None:
    """Why a phrase does not fit the credentials, or None."""
    spec = specs.get(phrase.credential)
    if spec is None:
        return f"unknown credential '{phrase.credential}'"
    text = phrase.text.strip()
    if not text:
        return "the phrase's text is empty"
    if len(text) > MAX_PHRASE_CHARS:
        return f"the phrase is {len(text):,} characters; a phrase holds at most {MAX_PHRASE_CHARS:,}"
    if not phrase.component_id:
        return None if not phrase.level else "a level needs a component (the overall comment has no level)"
    ids = [c.id for c in spec.components]
    if phrase.component_id not in ids:
        return f"'{phrase.component_id}' is not a component of {phrase.credential} ({', '.join(ids)})"
    component = spec.component(phrase.component_id)
    if phrase.level and (component.scale is None or phrase.level not in component.scale.levels):
        levels = ", ".join(component.scale.levels) if component.scale else "it takes no level"
        return f"'{phrase.level}' is not a level of {phrase.component_id} ({levels})"
    return None


def parse_phrase_file(text: str, file: str, specs: Mapping[str, Spec]) -> tuple[list[Phrase], list[str]]:
    """The phrases in a file, and one line per problem (`file:line: what`)."""
    try:
        data = load_yaml(text)
    except YamlProblem as error:
        return [], [f"{file}:{line}: {message}" for line, message in error.all]
    if not isinstance(data, dict) or set(data) != {"phrases"} or not isinstance(data["phrases"], list):
        return [], [f"{file}:1: expected one key, 'phrases:', holding a list of phrases"]
    items = data["phrases"]
    phrases: list[Phrase] = []
    problems: list[str] = []
    for index, item in enumerate(items):
        line = line_of(items, index)
        if not isinstance(item, dict):
            problems.append(f"{file}:{line}: a phrase is a mapping with {', '.join(KEYS)}")
            continue
        unknown = [str(k) for k in item if k not in KEYS]
        if unknown:
            problems.append(f"{file}:{line_of(item, unknown[0], line)}: unknown key '{unknown[0]}' ({', '.join(KEYS)})")
            continue
        values = {key: item.get(key) for key in KEYS}
        wrong = [k for k, v in values.items() if v is not None and not isinstance(v, str)]
        if wrong:
            problems.append(f"{file}:{line_of(item, wrong[0], line)}: '{wrong[0]}' must be text")
            continue
        phrase = Phrase(
            credential=(values["credential"] or "").strip(),
            component_id=(values["component"] or "").strip(),
            level=(values["level"] or "").strip(),
            text=(values["text"] or "").strip(),
        )
        problem = check_phrase(phrase, specs)
        if problem is not None:
            problems.append(f"{file}:{line}: {problem}")
            continue
        phrases.append(phrase)
    return phrases, problems


def phrase_file_text(phrases: Iterable[Phrase]) -> str:
    """The YAML of a set of phrases, readable by parse_phrase_file."""
    import yaml

    entries = []
    for phrase in phrases:
        entry = {"credential": phrase.credential}
        if phrase.component_id:
            entry["component"] = phrase.component_id
        if phrase.level:
            entry["level"] = phrase.level
        entry["text"] = phrase.text
        entries.append(entry)
    body = yaml.safe_dump({"phrases": entries}, sort_keys=False, allow_unicode=True, width=100)
    return "# mcreview comment bank: mcreview phrases import FILE.yaml\n" + body
