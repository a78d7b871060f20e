"""The one way text from data reaches the assessor's screen, and a guard behind it.

Everything the queue holds (ids, names, comments, spec titles, responses, file
names) was written by someone else. Two rules keep it from acting on the terminal:

1. **Shown as text, never as markup.** Screens put data on screen only through
   `shown()` (a Rich `Text`, so `[link=…]` or `[reverse]` in a comment is just
   characters) with control characters made visible by `visible_controls`, the same
   function the CLI prints through. Notifications go through the app's `notify`,
   which does the same for every toast (see `McReviewApp.notify`).
2. **A guard where every character leaves.** Widgets we do not own (the comment
   editor's TextArea, the search box, toasts, the footer) draw text too. Every
   line any widget draws becomes a `Strip`, and `Strip.render` is where its text is
   turned into the bytes written to the terminal. `install_output_guard` wraps it:
   a segment whose text holds a control character, or whose style carries a link,
   is written with the control characters made visible and the link dropped.
   Textual's own sequences (cursor moves, colours) are made outside the segments'
   text, so the guard never touches them. Rule 1 keeps the layout exact (the
   visible form is measured before it is drawn); rule 2 makes a missed place
   harmless rather than dangerous.
"""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip

from mcreview.core.textsafe import UNSAFE, visible_controls


def shown(text: str | None, style: str = "") -> Text:
    """Data as Rich text: control characters visible, never parsed as markup."""
    return Text(visible_controls(text or ""), style=style)


def safe_segments(segments: list[Segment]) -> list[Segment] | None:
    """The segments with control characters shown and links dropped; None if all are safe."""
    if not any(UNSAFE.search(text) or (style is not None and style.link) for text, style, _ in segments):
        return None
    cleaned = []
    for text, style, control in segments:
        if style is not None and style.link:
            style = style.update_link(None)
        cleaned.append(Segment(visible_controls(text, keep_layout=False), style, control))
    return cleaned


_original_render = Strip.render


def _guarded_render(self: Strip, console: Console) -> str:
    if self._render_cache is None:
        cleaned = safe_segments(self._segments)
        if cleaned is not None:
            self._render_cache = _original_render(Strip(cleaned, self.cell_length), console)
    return _original_render(self, console)


def install_output_guard() -> None:
    """Route every line the app draws through the guard (idempotent)."""
    Strip.render = _guarded_render  # type: ignore[method-assign]


def output_guard_installed() -> bool:
    return Strip.render is _guarded_render
