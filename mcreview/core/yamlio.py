"""YAML loading that remembers line numbers, so every error can name its place."""

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
    """A SafeLoader that records line numbers; built on first use, so screens that never
    read YAML do not pay for importing PyYAML at start-up."""
    global _loader_class
    if _loader_class is not None:
        return _loader_class
    import yaml

    class LineLoader(yaml.SafeLoader):
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
            mapping = LineDict(super().construct_mapping(node, deep=True))
            mapping.line = node.start_mark.line + 1
            mapping.key_lines = {}
            for key_node, _ in node.value:
                try:
                    key = self.construct_object(key_node, deep=True)
                    mapping.key_lines[key] = key_node.start_mark.line + 1
                except TypeError:
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
    """A YAML document that cannot be read; `line` is 1-based or 0 when unknown."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_yaml(text: str) -> Any:
    """Parse one YAML document, turning every parser failure into a YamlProblem."""
    import yaml

    try:
        return yaml.load(text, Loader=_line_loader())  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        reason = error.problem or error.context or "malformed YAML"
        raise YamlProblem(line, f"malformed YAML: {reason}") from None
    except yaml.reader.ReaderError as error:
        line = text[: max(error.position, 0)].count("\n") + 1
        raise YamlProblem(line, f"malformed YAML: character {error.character!r} is not allowed") from None
    except yaml.YAMLError as error:
        raise YamlProblem(0, f"malformed YAML: {error}") from None
    except RecursionError:
        raise YamlProblem(0, "malformed YAML: nested too deeply") from None


def line_of(container: Any, key: Any, default: int = 0) -> int:
    """The line a key (mapping) or index (sequence) stood on, if known."""
    if isinstance(container, LineDict):
        return container.key_lines.get(key, container.line or default)
    if isinstance(container, LineList) and isinstance(key, int):
        if 0 <= key < len(container.item_lines):
            return container.item_lines[key]
        return container.line or default
    return default
