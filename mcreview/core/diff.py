"""A word-level diff of a resubmitted response against the previous attempt's.

The assessor reading attempt 2 wants to see what the candidate changed after the
feedback: which words are new, which went, and what stayed. Words are compared with
their following whitespace kept, so the diff re-joins into the exact new text (plus
the removed words), and line breaks stay where the candidate put them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

_TOKEN = re.compile(r"\S+\s*|\s+")
# Above this many words on either side, compare line by line first: SequenceMatcher is
# quadratic in the worst case, and an open must stay within its budget.
WORD_LIMIT = 20_000


class Change(StrEnum):
    SAME = "same"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True)
class Piece:
    change: Change
    text: str


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _key(token: str) -> str:
    """Compare words, not the spaces after them (a re-wrapped paragraph is unchanged)."""
    return token.strip() or token


def _diff_tokens(old: list[str], new: list[str]) -> list[Piece]:
    matcher = SequenceMatcher(None, [_key(t) for t in old], [_key(t) for t in new], autojunk=False)
    pieces: list[Piece] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece(Change.SAME, "".join(new[b1:b2])))
            continue
        if a2 > a1:
            pieces.append(Piece(Change.REMOVED, "".join(old[a1:a2])))
        if b2 > b1:
            pieces.append(Piece(Change.ADDED, "".join(new[b1:b2])))
    return pieces


def word_diff(old: str, new: str) -> list[Piece]:
    """The new text as pieces: unchanged, added, and (where they stood) removed words."""
    old_tokens, new_tokens = _tokens(old), _tokens(new)
    if max(len(old_tokens), len(new_tokens)) <= WORD_LIMIT:
        return _merge(_diff_tokens(old_tokens, new_tokens))
    # Long texts: lines first, then words inside the lines that changed.
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    pieces: list[Piece] = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(Piece(Change.SAME, "".join(new_lines[b1:b2])))
        elif op == "replace" and (a2 - a1) * (b2 - b1) <= 400:
            pieces.extend(
                _diff_tokens(_tokens("".join(old_lines[a1:a2])), _tokens("".join(new_lines[b1:b2])))
            )
        else:
            if a2 > a1:
                pieces.append(Piece(Change.REMOVED, "".join(old_lines[a1:a2])))
            if b2 > b1:
                pieces.append(Piece(Change.ADDED, "".join(new_lines[b1:b2])))
    return _merge(pieces)


def _merge(pieces: list[Piece]) -> list[Piece]:
    """Adjacent pieces of the same kind as one."""
    merged: list[Piece] = []
    for piece in pieces:
        if merged and merged[-1].change == piece.change:
            merged[-1] = Piece(piece.change, merged[-1].text + piece.text)
        elif piece.text:
            merged.append(piece)
    return merged


def changed_words(pieces: list[Piece]) -> tuple[int, int]:
    """How many words were added and removed."""
    added = sum(len(p.text.split()) for p in pieces if p.change == Change.ADDED)
    removed = sum(len(p.text.split()) for p in pieces if p.change == Change.REMOVED)
    return added, removed
