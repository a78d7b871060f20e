"""Word limits as the documents state them: hard ranges, guides, "or 3-5 bullet
points", and limits on each piece of a response."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WordLimits:
    minimum: int | None
    maximum: int | None
    text: str
    per: str = "response"  # another word (annotation, question...): a limit on each piece
    guide: bool = False  # the document calls the range a guide: shown, never a broken limit
    bullets_minimum: int | None = None  # "... or 3-5 bullet points": the alternative
    bullets_maximum: int | None = None

    @property
    def per_piece(self) -> bool:
        return self.per != "response"

    @property
    def has_bullets(self) -> bool:
        return self.bullets_minimum is not None or self.bullets_maximum is not None

    @property
    def checked(self) -> bool:
        """Whether `verdict(words)` alone can tell a broken limit: only for a hard limit on
        the whole response with no bullet-point alternative. Use `assess(text)` for all."""
        return not self.per_piece and not self.guide and not self.has_bullets

    def verdict(self, words: int) -> str | None:
        """'under' or 'over' when a count breaks the limit, else None (also None when the
        word count alone cannot tell: see `checked`)."""
        if not self.checked:
            return None
        return self.range_verdict(words)

    def range_verdict(self, words: int) -> str | None:
        """'under' / 'over' against min and max, whatever kind of limit this is."""
        if self.minimum is not None and words < self.minimum:
            return "under"
        if self.maximum is not None and words > self.maximum:
            return "over"
        return None

    def bullets_verdict(self, bullets: int) -> str | None:
        if self.bullets_minimum is not None and bullets < self.bullets_minimum:
            return "under"
        if self.bullets_maximum is not None and bullets > self.bullets_maximum:
            return "over"
        return None

    @property
    def range_text(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            words = f"{self.minimum}-{self.maximum} words"
        elif self.minimum is not None:
            words = f"at least {self.minimum} words"
        elif self.maximum is not None:
            words = f"at most {self.maximum} words"
        else:
            words = ""
        if self.has_bullets:
            low, high = self.bullets_minimum, self.bullets_maximum
            bullets = f"{low}-{high}" if low is not None and high is not None else f"{low or high}"
            words = f"{words} or {bullets} bullet points" if words else f"{bullets} bullet points"
        return words

    def assess(self, text: str | None) -> LimitCheck:
        """Everything the limit says about one response: word count, bullet points, each
        marked piece, guidance; with a one-line summary for the screen."""
        return assess_limits(self, text or "")


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
    # Loaded here, not with the module: core/specs imports this module for WordLimits, and
    # the app's start-up path (which reads specs) must not pay for the word counter.
    from mcreview.core.checks import count_words
    from mcreview.core.pieces import bullet_count, split_pieces

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
