"""CSV: a batch as a decisions file and a scores file, for a spreadsheet or an importer.

The scores file is the payload, the decisions file the marker: a receiver that sees a
decisions file sees its complete scores file. Every column is documented, with a real
example of each file, in docs/sync.md; titles and versions come from the rubric each
submission is pinned to, so the files read without our spec files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from mcreview.services.export.base import Batch, ExportFormat, Key, Rendered
from mcreview.store.api import ExportDecision, ExportScore

DECISION_COLUMNS = (
    "batch",
    "submission_id",
    "credential",
    "candidate",
    "assessor",
    "decision",
    "decided_at",
    "revision",
    "override",
    "comment",
    # added with the titles: every column above keeps its place
    "attempt",
    "computed",
    "justification",
    "credential_title",
    "credential_version",
    "rubric_hash",
    "readers",
    "resolution",
)  # then part1, part1_title, part2, part2_title, ... as many as the batch needs
SCORE_COLUMNS = (
    "batch",
    "submission_id",
    "revision",
    "part",
    "component",
    "level",
    "passing",
    "comment",
    "assessor",
    # added with the titles
    "attempt",
    "reading",
    "part_title",
    "component_title",
    "rubric_version",
)
# How the readings of one decision were combined. Until double reading exists every
# decision has one reading, by its assessor.
# OWASP CSV injection: a spreadsheet runs a cell starting with these as a formula.
# "'" is on the list too, so a receiver can always strip exactly one leading "'".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")
DECISIONS_PREFIX = "decisions-"
SCORES_PREFIX = "scores-"
BOM = "\ufeff"  # so a spreadsheet reads the file as UTF-8


def neutralise(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (OWASP CSV injection)."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def restore(value: str) -> str:
    """What a receiver does to undo neutralise(): drop one leading "'"."""
    return value[1:] if value.startswith("'") else value


def render_csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    """RFC 4180: every field quoted, CRLF line ends, UTF-8 with a byte order mark."""
    buffer = io.StringIO(newline="")
    buffer.write(BOM)
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(list(header))
    triggers = FORMULA_TRIGGERS  # neutralise(), inlined: it runs once per cell
    writer.writerows(
        [
            ("'" + cell if cell.startswith(triggers) else cell) if isinstance(cell, str) else cell
            for cell in row
        ]
        for row in rows
    )
    return buffer.getvalue().encode("utf-8")


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def decisions_csv(batch: Batch) -> bytes:
    records = batch.records
    parts = range(1, max((max(records.parts(d), default=0) for d in records.decisions), default=0) + 1)
    header = [*DECISION_COLUMNS, *(column for n in parts for column in (f"part{n}", f"part{n}_title"))]

    def row(d: ExportDecision) -> list[object]:
        rubric = records.rubric(d)
        outcomes = records.parts(d)
        return [
            batch.number,
            d.submission_id,
            d.credential,
            d.candidate,
            d.assessor,
            d.outcome,
            d.decided_at,
            d.revision,
            _yes_no(d.override),
            d.comment,
            d.attempt,
            d.computed,
            d.justification,
            rubric.spec.title,
            rubric.spec.version,
            d.spec_hash,
            d.readers.replace(",", " ") or d.assessor,  # who read it, in reading order
            d.resolution,
            *(cell for n in parts for cell in (outcomes.get(n, ""), rubric.part_title(n))),
        ]

    return render_csv(header, (row(d) for d in records.decisions))


def scores_csv(batch: Batch) -> bytes:
    records = batch.records

    def row(s: ExportScore) -> list[object]:
        rubric = records.rubric(s)
        return [
            batch.number,
            s.submission_id,
            s.revision,
            "" if s.part is None else s.part,
            s.component,
            s.level,
            _yes_no(s.passing),
            s.comment,
            s.assessor,
            s.attempt,
            s.reading,
            rubric.part_title(s.part),
            rubric.component_title(s.component),
            rubric.spec.version,
        ]

    return render_csv(SCORE_COLUMNS, (row(s) for s in records.scores))


def _reader(handle: io.TextIOBase) -> csv.DictReader[str]:
    # A receiver's file may hold anything the export can write: recovery must never
    # fail on a field the csv module thinks too big.
    csv.field_size_limit(2**31 - 1)
    return csv.DictReader(handle)


class CsvFormat(ExportFormat):
    name = "csv"

    def render(self, batch: Batch) -> Rendered:
        return Rendered(
            payload=((f"{SCORES_PREFIX}{batch.stem}.csv", scores_csv(batch)),),
            marker=(f"{DECISIONS_PREFIX}{batch.stem}.csv", decisions_csv(batch)),
            scores=len(batch.records.scores),
        )

    def keys_in_marker(self, path: Path) -> Sequence[Key]:
        """A decisions file's rows (files from before m005 have no BOM and no attempt)."""
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return [
                (restore(row["submission_id"]), int(row.get("attempt") or 1), int(row["revision"]))
                for row in _reader(handle)
            ]
