"""How a Markdown response marks its pieces (annotations, answers to each question,
each stakeholder's feedback), and how many bullet points it has.

A response marks its pieces in the first of these ways it uses:

1. headings (`#` to `######`): each heading starts a piece, which is the text under
   it (the heading itself is the piece's label and is not counted);
2. paragraphs that start in bold (`**Artifact 1 – Sign-in sheet.** Used to ...`): each
   starts a piece, which runs to the next one (lists under it belong to it);
3. a top-level list (`-`, `*`, `+`, `1.`, `1)`): each top-level item is a piece.

Text before the first marker (an introduction) is not a piece. A response that uses
none of these does not mark its pieces, and a per-piece limit cannot be checked.
Line-based and linear-time; fenced code blocks are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+|$)")
_BOLD_LEAD = re.compile(r"^ {0,3}(?:\*\*|__)\S")
_LIST_ITEM = re.compile(r"^( *)(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class Piece:
    label: str  # the heading, or the first words of the piece
    text: str  # what is counted


def _lines(markdown: str) -> list[tuple[str, bool]]:
    """Each line with whether it is inside a fenced code block."""
    out: list[tuple[str, bool]] = []
    fence: str | None = None
    for line in markdown.splitlines():
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * 3
            out.append((line, True))
            continue
        if fence is not None:
            out.append((line, True))
            if line.strip().startswith(fence):
                fence = None
            continue
        out.append((line, False))
    return out


def _label(text: str) -> str:
    words = re.sub(r"[*_#`>]+", "", text).split()
    label = " ".join(words[:8])
    return label + (" …" if len(words) > 8 else "")


def _top_items(lines: list[tuple[str, bool]]) -> list[tuple[int, int]]:
    """(start, end) line ranges of the top-level list items."""
    markers = []
    for index, (line, fenced) in enumerate(lines):
        if fenced:
            continue
        match = _LIST_ITEM.match(line)
        if match and len(match.group(1)) <= 3:
            markers.append((index, len(match.group(1))))
    if not markers:
        return []
    top = min(indent for _, indent in markers)
    starts = [index for index, indent in markers if indent == top]
    ranges = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        # a paragraph back at the margin after a blank line ends the list
        for index in range(start + 1, end):
            line, fenced = lines[index]
            if (
                not fenced
                and line.strip()
                and not line.startswith(" ")
                and not _LIST_ITEM.match(line)
                and not lines[index - 1][0].strip()
            ):
                end = index
                break
        ranges.append((start, end))
    return ranges


def bullet_count(markdown: str) -> int:
    """The number of top-level list items (bulleted or numbered)."""
    return len(_top_items(_lines(markdown or "")))


def split_pieces(markdown: str) -> list[Piece]:
    """The pieces a response marks (see the module docstring); [] when it marks none."""
    lines = _lines(markdown or "")
    headings = [i for i, (line, fenced) in enumerate(lines) if not fenced and _HEADING.match(line)]
    if headings:
        pieces = []
        for n, start in enumerate(headings):
            end = headings[n + 1] if n + 1 < len(headings) else len(lines)
            label = lines[start][0].strip().lstrip("#").strip()
            body = "\n".join(line for line, _ in lines[start + 1 : end])
            pieces.append(Piece(_label(label) or f"piece {n + 1}", body))
        return pieces
    bold = [
        i
        for i, (line, fenced) in enumerate(lines)
        if not fenced and _BOLD_LEAD.match(line) and (i == 0 or not lines[i - 1][0].strip())
    ]
    if bold:
        pieces = []
        for n, start in enumerate(bold):
            end = bold[n + 1] if n + 1 < len(bold) else len(lines)
            body = "\n".join(line for line, _ in lines[start:end])
            pieces.append(Piece(_label(lines[start][0]), body))
        return pieces
    items = _top_items(lines)
    return [
        Piece(
            _label(_LIST_ITEM.sub("", lines[start][0], count=1)),
            "\n".join(line for line, _ in lines[start:end]),
        )
        for start, end in items
    ]


def answers_per_prompt(markdown: str, prompts: int) -> tuple[str, list[str]] | None:
    """Where a response separates its answers with one heading per prompt (as many
    headings as the component has prompts, and more than one), the text before the first
    heading and each answer, heading included, in order; otherwise None."""
    if prompts < 2:
        return None
    lines = _lines(markdown or "")
    headings = [i for i, (line, fenced) in enumerate(lines) if not fenced and _HEADING.match(line)]
    if len(headings) != prompts:
        return None
    intro = "\n".join(line for line, _ in lines[: headings[0]]).strip()
    answers = []
    for n, start in enumerate(headings):
        end = headings[n + 1] if n + 1 < len(headings) else len(lines)
        answers.append("\n".join(line for line, _ in lines[start:end]).strip())
    return intro, answers
