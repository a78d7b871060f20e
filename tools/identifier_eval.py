"""Measure ``find_identifiers`` against a labelled set of passages.

The labelled set (``tests/data/identifiers.yaml``) says what each passage should
flag. A finding is a true positive when an expected item of the same kind overlaps
it; an expected item is recalled when some finding of its kind overlaps it. Run
``python tools/identifier_eval.py [PATH]`` to print the figures.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from mcreview.core.checks import IDENTIFIER_LABELS, find_identifiers

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "tests" / "data" / "identifiers.yaml"


def _ratio(numerator: int, denominator: int) -> float:
    """Precision/recall with nothing to measure counts as perfect, not as a crash."""
    return numerator / denominator if denominator else 1.0


def _expected_spans(text: str, expected: list[dict[str, str]]) -> list[tuple[str, int, int]]:
    """Locate each expected item in the passage (repeats take successive occurrences)."""
    spans: list[tuple[str, int, int]] = []
    search_from: dict[str, int] = {}
    for item in expected:
        kind, needle = str(item["kind"]), str(item["text"])
        start = text.find(needle, search_from.get(needle, 0))
        if start < 0:
            raise ValueError(f"expected text {needle!r} does not occur in passage {text!r}")
        search_from[needle] = start + len(needle)
        spans.append((kind, start, start + len(needle)))
    return spans


def evaluate(path: str | Path = DEFAULT_PATH) -> dict[str, Any]:
    """Score the detector on a labelled file; returns overall and per-kind figures.

    Keys: ``precision``, ``recall``, ``tp`` (findings matched), ``fp``, ``fn``
    (expected items missed), ``passages``, ``kinds`` (the same per kind) and
    ``errors`` (one entry per false positive or miss, for debugging the detector).
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    passages = data["passages"] if isinstance(data, dict) else data
    kinds: dict[str, dict[str, Any]] = {
        kind: {"expected": 0, "found": 0, "tp": 0, "fp": 0, "fn": 0} for kind in IDENTIFIER_LABELS
    }
    errors: list[str] = []
    for passage in passages:
        text = str(passage["text"])
        expected = _expected_spans(text, passage.get("expected") or [])
        findings = find_identifiers(text)
        for kind, _start, _end in expected:
            kinds.setdefault(kind, {"expected": 0, "found": 0, "tp": 0, "fp": 0, "fn": 0})
            kinds[kind]["expected"] += 1
        for finding in findings:
            row = kinds.setdefault(finding.kind, {"expected": 0, "found": 0, "tp": 0, "fp": 0, "fn": 0})
            row["found"] += 1
            if any(
                kind == finding.kind and start < finding.end and finding.start < end
                for kind, start, end in expected
            ):
                row["tp"] += 1
            else:
                row["fp"] += 1
                errors.append(f"false positive {finding.kind}: {finding.text!r} in {text!r}")
        for kind, start, end in expected:
            if not any(f.kind == kind and f.start < end and start < f.end for f in findings):
                kinds[kind]["fn"] += 1
                errors.append(f"missed {kind}: {text[start:end]!r} in {text!r}")
    for row in kinds.values():
        row["precision"] = _ratio(row["tp"], row["tp"] + row["fp"])
        row["recall"] = _ratio(row["expected"] - row["fn"], row["expected"])
    tp = sum(row["tp"] for row in kinds.values())
    fp = sum(row["fp"] for row in kinds.values())
    fn = sum(row["fn"] for row in kinds.values())
    expected_total = sum(row["expected"] for row in kinds.values())
    return {
        "passages": len(passages),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(expected_total - fn, expected_total),
        "kinds": kinds,
        "errors": errors,
    }


def format_report(result: dict[str, Any]) -> str:
    """A small fixed-width table: one row per kind, then the overall figures."""
    lines = [
        f"{'kind':<16}{'expected':>9}{'found':>7}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}"
    ]
    for kind, row in result["kinds"].items():
        lines.append(
            f"{kind:<16}{row['expected']:>9}{row['found']:>7}{row['tp']:>5}{row['fp']:>5}"
            f"{row['fn']:>5}{row['precision']:>11.3f}{row['recall']:>8.3f}"
        )
    lines.append(
        f"overall ({result['passages']} passages): precision {result['precision']:.3f}, "
        f"recall {result['recall']:.3f}"
    )
    lines.extend(result["errors"])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``python tools/identifier_eval.py [PATH]``."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT_PATH
    try:
        result = evaluate(path)
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError) as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 2
    print(format_report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
