"""Agreement between assessors: how often two independent readings give the same level.

Exact agreement is the share of pairs with the same level. Cohen's kappa discounts the
agreement chance alone would give; on an ordered scale of three or more levels it is
weighted (linear weights: Proficient against Basic is half the disagreement of
Proficient against Developing), as Cohen (1968) proposed for ordinal ratings. Kappa is
undefined when every reading uses one level (no variation to agree on): None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SMALL_SAMPLE = 30  # fewer pairs than this: the figures are shown, labelled a small sample


def cohen_kappa(first: Sequence[str], second: Sequence[str], levels: Sequence[str], *, weighted: bool) -> float | None:
    """Cohen's kappa of two raters over the same items; `levels` in scale order."""
    if len(first) != len(second):
        raise ValueError("the two readings must rate the same items")
    n = len(first)
    k = len(levels)
    if n == 0 or k < 2:
        return None
    index = {level: i for i, level in enumerate(levels)}
    observed = [[0] * k for _ in range(k)]
    for a, b in zip(first, second, strict=True):
        observed[index[a]][index[b]] += 1
    rows = [sum(observed[i]) for i in range(k)]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]

    def weight(i: int, j: int) -> float:  # disagreement weight
        if weighted:
            return abs(i - j) / (k - 1)
        return 0.0 if i == j else 1.0

    disagreement = sum(weight(i, j) * observed[i][j] for i in range(k) for j in range(k)) / n
    chance = sum(weight(i, j) * rows[i] * cols[j] for i in range(k) for j in range(k)) / (n * n)
    if chance == 0:
        return None
    return 1 - disagreement / chance


@dataclass(frozen=True)
class Agreement:
    """One set of paired ratings, summarised."""

    pairs: int
    exact: float | None  # share of pairs with the same rating
    kappa: float | None
    weighted: bool

    @property
    def small(self) -> bool:
        return self.pairs < SMALL_SAMPLE


def agreement(first: Sequence[str], second: Sequence[str], levels: Sequence[str], *, ordered: bool) -> Agreement:
    """Exact agreement and kappa (weighted on an ordered scale of three or more levels)."""
    pairs = len(first)
    same = sum(1 for a, b in zip(first, second, strict=True) if a == b)
    weighted = ordered and len(levels) > 2
    return Agreement(
        pairs=pairs,
        exact=same / pairs if pairs else None,
        kappa=cohen_kappa(first, second, levels, weighted=weighted),
        weighted=weighted,
    )
