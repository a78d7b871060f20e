"""A component's rubric as text: each level with its descriptor, a multi-criterion
descriptor as bullets with hanging indents (a wrapped line never looks like a new
criterion), and the chosen level marked with ▶ and reverse video (never colour alone)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from mcreview.core.specs import Component
from mcreview.tui.safe import shown

NO_DESCRIPTOR = "(the credential document gives no descriptor for this level)"


def descriptor_block(descriptor: str) -> RenderableType:
    """One criterion: its text. Several (one per line in the spec): a bullet each, the
    wrapped lines of each indented under its text."""
    criteria = [line.strip() for line in descriptor.splitlines() if line.strip()]
    if len(criteria) <= 1:
        return shown(descriptor.strip())
    table = Table.grid(padding=(0, 1, 0, 0))
    table.add_column(width=1, no_wrap=True)
    table.add_column(ratio=1)
    for criterion in criteria:
        table.add_row("•", shown(criterion.lstrip("-•* ")))
    return table


def level_lines(component: Component, chosen: str | None) -> list[RenderableType]:
    """Every level of the scale, numbered as its key, with its descriptor."""
    blocks: list[RenderableType] = []
    if component.scale is None:
        return blocks
    for number, level in enumerate(component.scale.levels, start=1):
        mark = "▶" if level == chosen else " "
        passes = " (passes)" if component.is_passing(level) else ""
        style = "bold reverse" if level == chosen else "bold"
        blocks.append(shown(f"{mark}{number} {level}{passes}", style=style))
        descriptor = component.levels.get(level) or NO_DESCRIPTOR
        blocks.append(Padding(descriptor_block(descriptor), (0, 0, 0, 3)))  # hanging indent
    return blocks


def full_rubric(component: Component, chosen: str | None) -> RenderableType:
    head = Text()
    head.append(shown(component.title, style="bold"))
    if component.scale is not None:
        count = len(component.scale.levels)
        head.append(f" · {count} levels · 1-{count} chooses one", style="dim")
    return Group(head, Text(""), *level_lines(component, chosen))
