"""Mark flagged words inside rendered Markdown, so the assessor sees them in place."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from mcreview.core.textsafe import visible_controls

MARK_STYLE = Style(reverse=True, bold=True, underline=True)


class HighlightWords:
    """Render an inner renderable, then reverse-video every occurrence of the words.

    Works on the rendered lines, so it survives Markdown layout; a word that the
    renderer wraps across two lines is marked on neither (the flag line above the
    response still names it).
    """

    def __init__(self, inner: RenderableType, words: Iterable[str]) -> None:
        self.inner = inner
        cleaned = sorted({visible_controls(w).strip() for w in words if w.strip()}, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(w) for w in cleaned)) if cleaned else None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = console.render_lines(self.inner, options, pad=False)
        new_line = Segment.line()
        for line in lines:
            # Only a line with a match is taken apart and marked; the others (nearly all of
            # a long response) go out as they were rendered.
            if self.pattern is None or not self.pattern.search("".join(s.text for s in line if not s.control)):
                yield from line
                yield new_line
                continue
            text = Text.assemble(*((s.text, s.style or "") for s in line if not s.control))
            text.highlight_regex(self.pattern, MARK_STYLE)
            yield from text.render(console)
            yield new_line
