"""Word limits as the documents state them: hard ranges, guides, "or 3-5 bullet
points", and limits on each piece of a response."""

from __future__ import annotations

from dataclasses import dataclass

from mcreview.core.checks import count_words
from mcreview.core.pieces import bullet_count, split_pieces
from mcreview.core.specs import WordLimits


@dataclass(frozen=True)
class PieceCheck:
    label: str
    words: int
    verdict: str | None  # under | over | None


@dataclass(frozen=True)
class LimitCheck:
    """What a word limit says about one response.

    verdict: 'under' / 'over' when a hard limit is broken, else None. A guide is never
    broken: `guidance` says 'under' / 'over' instead. A per-piece limit is judged on
    each marked piece (`pieces`; None when the response marks none: `checkable` False).
    """

    limits: WordLimits
    words: int
    bullets: int
    verdict: str | None
    guidance: str | None
    within_by: str | None  # words | bullets | None (how a within-limit response met it)
    pieces: tuple[PieceCheck, ...] | None
    checkable: bool

    @property
    def summary(self) -> str:
        """One line for the word-count line of the review screen."""
        limits = self.limits
        stated = limits.text or limits.range_text
        count = f"{self.words} words"
        if limits.has_bullets:
            count += f", {self.bullets} bullet points"
        if limits.per_piece:
            if self.pieces is None:
                return (
                    f"{count} · limit per {limits.per}: {stated} · "
                    "the response does not mark its pieces: check by eye"
                )
            broken = [p for p in self.pieces if p.verdict]
            each = ", ".join(f"{p.words}" for p in self.pieces)
            head = (
                f"{count} · {len(self.pieces)} {limits.per}(s) marked ({each} words)"
                f" · limit per {limits.per}: {stated}"
            )
            if not broken:
                return f"{head} ✓"
            return f"{head} · {len(broken)} outside ✗"
        if limits.guide:
            if self.guidance is None:
                return f"{count} · within the guide ({stated}) ✓"
            side = "below" if self.guidance == "under" else "above"
            return f"{count} · {side} the suggested {stated} (a guide, not a limit)"
        if self.verdict is None:
            how = " (as bullet points)" if self.within_by == "bullets" else ""
            return f"{count} · within {stated}{how} ✓"
        return f"{count} · {self.verdict.upper()} the limit ({stated}) ✗"


def assess_limits(limits: WordLimits, text: str) -> LimitCheck:
    words = count_words(text)
    bullets = bullet_count(text) if limits.has_bullets else 0
    if limits.per_piece:
        found = split_pieces(text)
        if not found:
            return LimitCheck(limits, words, bullets, None, None, None, None, False)
        pieces = tuple(
            PieceCheck(p.label, n, limits.range_verdict(n)) for p in found for n in (count_words(p.text),)
        )
        verdict = next((p.verdict for p in pieces if p.verdict), None)
        return LimitCheck(limits, words, bullets, verdict, None, None if verdict else "words", pieces, True)
    by_words = limits.range_verdict(words)
    if limits.guide:
        return LimitCheck(limits, words, bullets, None, by_words, None, None, True)
    if by_words is None:
        return LimitCheck(limits, words, bullets, None, None, "words", None, True)
    if limits.has_bullets and bullets and limits.bullets_verdict(bullets) is None:
        return LimitCheck(limits, words, bullets, None, None, "bullets", None, True)
    return LimitCheck(limits, words, bullets, by_words, None, None, None, True)
