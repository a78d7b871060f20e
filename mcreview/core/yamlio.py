"""YAML loading that remembers line numbers, so every error can name its place.

Two things plain PyYAML gets wrong for people editing files by hand, handled here:

- a key written twice in one mapping silently keeps the second value; here it is an
  error naming both lines;
- a syntax error is reported where the parser gave up, which can be many lines after
  the mistake (an unclosed quote or bracket, a missing colon); here it is reported
  where the broken construct starts, and the message says where it was noticed.
"""

from __future__ import annotations

from typing import Any


class LineDict(dict):
    """A mapping that knows the line of each of its keys (1-based)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = 0
        self.key_lines: dict[Any, int] = {}


class LineList(list):
    """A sequence that knows the line of each item (1-based)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = 0
        self.item_lines: list[int] = []


_loader_class: type | None = None


def _line_loader() -> type:
    """A SafeLoader that records line numbers and duplicate keys; built on first use, so
    screens that never read YAML do not pay for importing PyYAML at start-up."""
    global _loader_class
    if _loader_class is not None:
        return _loader_class
    import yaml

    class LineLoader(yaml.SafeLoader):
        def __init__(self, stream: Any) -> None:
            super().__init__(stream)
            self.duplicates: list[tuple[int, int, str]] = []  # (line, first line, key)

        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
            mapping = LineDict(super().construct_mapping(node, deep=True))
            mapping.line = node.start_mark.line + 1
            mapping.key_lines = {}
            for key_node, _ in node.value:
                try:
                    key = self.construct_object(key_node, deep=True)
                    line = key_node.start_mark.line + 1
                    if key in mapping.key_lines:
                        self.duplicates.append((line, mapping.key_lines[key], str(key)))
                        continue  # the first line stays the key's line
                    mapping.key_lines[key] = line
                except TypeError:  # an unhashable key: the constructor above has said so
                    continue
            return mapping

        def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
            items = LineList(super().construct_sequence(node, deep=True))
            items.line = node.start_mark.line + 1
            items.item_lines = [child.start_mark.line + 1 for child in node.value]
            return items

    LineLoader.add_constructor("tag:yaml.org,2002:map", LineLoader.construct_mapping)
    LineLoader.add_constructor("tag:yaml.org,2002:seq", LineLoader.construct_sequence)
    _loader_class = LineLoader
    return LineLoader


class YamlProblem(Exception):
    """A YAML document that cannot be read; `line` is 1-based or 0 when unknown.

    `more` holds further (line, message) problems found in the same pass (every
    duplicate key, not only the first)."""

    def __init__(self, line: int, message: str, more: list[tuple[int, str]] | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.more = more or []

    @property
    def all(self) -> list[tuple[int, str]]:
        return [(self.line, self.message), *self.more]


# Errors whose context mark is where the broken construct starts: the place to look.
# "while parsing a block mapping" marks only the start of the enclosing mapping, often
# line 1, so for those the problem mark (where the parser stopped) is used instead.
_CONTEXT_FIRST = ("while scanning", "while parsing a flow", "while parsing a quoted")


def _syntax_line(text: str, error: Any) -> tuple[int, str]:
    """(1-based line, message) for a PyYAML MarkedYAMLError, at the mistake."""
    problem = error.problem_mark
    context = error.context_mark
    reason = error.problem or error.context or "malformed YAML"
    problem_line = problem.line + 1 if problem else 0
    if context is not None and error.context and error.context.startswith(_CONTEXT_FIRST):
        line = context.line + 1
        message = f"malformed YAML: {reason} ({error.context}"
        message += f" that starts here; noticed on line {problem_line})" if problem_line != line else ")"
        return line, message
    start, style = _runaway_scalar(text, problem) if problem is not None else (None, None)
    if start is not None and style in ('"', "'"):
        return start, (
            f"malformed YAML: the quoted text opened on line {start} is closed only on line "
            f"{problem_line}; is a closing quote missing? ({reason})"
        )
    if start is not None and error.problem == "mapping values are not allowed here":
        return start, (
            f"malformed YAML: the text on line {start} runs on to line {problem_line}, where a ':' "
            f"follows; is the ':' missing at the end of line {start}?"
        )
    if problem_line:
        return problem_line, f"malformed YAML: {reason}"
    return (context.line + 1 if context else 0), f"malformed YAML: {reason}"


def _runaway_scalar(text: str, mark: Any) -> tuple[int | None, str | None]:
    """(start line, style) of the last scalar before the failure, when it spans lines and
    ends on the line the parser failed on: an unclosed quote swallowed everything up to
    the next quote, or a key without its ':' ran on into the next line."""
    import yaml

    problem_line = mark.line + 1
    last: Any = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= mark.index:
                break
            if isinstance(token, yaml.ScalarToken):
                last = token
    except yaml.YAMLError:
        pass
    if last is None:
        return None, None
    start, end = last.start_mark.line + 1, last.end_mark.line + 1
    if start < end == problem_line:
        return start, getattr(last, "style", None)
    return None, None


def load_yaml(text: str) -> Any:
    """Parse one YAML document, turning every parser failure into a YamlProblem
    (duplicate keys included: each is reported with both of its lines)."""
    import yaml

    loader = None
    try:
        loader = _line_loader()(text)
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        line, message = _syntax_line(text, error)
        raise YamlProblem(line, message) from None
    except yaml.reader.ReaderError as error:
        line = text[: max(error.position, 0)].count("\n") + 1
        raise YamlProblem(line, f"malformed YAML: character {error.character!r} is not allowed") from None
    except yaml.YAMLError as error:
        raise YamlProblem(0, f"malformed YAML: {error}") from None
    except RecursionError:
        raise YamlProblem(0, "malformed YAML: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()
    if loader.duplicates:
        found = sorted(set(loader.duplicates))
        problems = [
            (line, f"duplicate key '{key[:60]}' (first on line {first}; the second would silently win)")
            for line, first, key in found
        ]
        raise YamlProblem(problems[0][0], problems[0][1], problems[1:])
    return data


def line_of(container: Any, key: Any, default: int = 0) -> int:
    """The line a key (mapping) or index (sequence) stood on, if known."""
    if isinstance(container, LineDict):
        try:
            return container.key_lines.get(key, container.line or default)
        except TypeError:  # an unhashable key
            return container.line or default
    if isinstance(container, LineList) and isinstance(key, int):
        if 0 <= key < len(container.item_lines):
            return container.item_lines[key]
        return container.line or default
    return default
