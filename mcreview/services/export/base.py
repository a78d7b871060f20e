"""The export interface: what every format is given, and what it gives back.

A format turns one batch's records into named files and nothing else: no I/O, no
database. The batch protocol (services/sync.py) reserves the batch number, writes the
files under temporary names, renames the payload files first and the marker last,
and records the batch; a receiver, and the next run's recovery, count a batch as
written once its marker is in place. So a new format is one module with one class.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from mcreview.core.specs import Component, Spec
from mcreview.store.api import ExportAttachment, ExportDecision, ExportResponse, ExportScore

Key = tuple[str, int, int]  # (submission_id, attempt, revision): a decision's identity


class ExportError(Exception):
    """A batch a format cannot write as configured; one line naming what to change."""


@dataclass(frozen=True)
class Rubric:
    """A pinned spec with the look-ups an export makes once per row."""

    spec: Spec
    components: dict[str, Component]
    part_titles: dict[int, str]

    @classmethod
    def of(cls, spec: Spec) -> Rubric:
        return cls(
            spec,
            {component.id: component for component in spec.components},
            {part.number: part.title for part in spec.parts},
        )

    def component_title(self, component_id: str) -> str:
        component = self.components.get(component_id)
        return component.title if component else ""

    def part_title(self, number: int | None) -> str:
        return "" if number is None else self.part_titles.get(number, "")


@dataclass
class Records:
    """One batch's decision revisions (oldest first) and what a format may need of them,
    all read from one snapshot."""

    decisions: list[ExportDecision]
    scores: list[ExportScore]  # in file order: decision order, then rubric order
    rubrics: dict[str, Rubric]  # by spec hash, for every decision's pinned spec
    responses: list[ExportResponse] = field(default_factory=list)  # only if the format needs_evidence
    attachments: list[ExportAttachment] = field(default_factory=list)
    _parts: dict[str, dict[int, str]] = field(default_factory=dict, repr=False)

    def rubric(self, decision: ExportDecision | ExportScore) -> Rubric:
        return self.rubrics[decision.spec_hash]

    def parse_parts(self, text: str) -> dict[int, str]:
        """A decision's part_outcomes: part number -> pass | fail | incomplete, as the
        award rule gave them."""
        parts = self._parts.get(text)
        if parts is None:  # the texts repeat: parse each once
            parts = self._parts[text] = _parse_parts(text)
        return parts

    def without(self, keys: frozenset[Key]) -> Records:
        """The same records less some decision revisions (and their scores)."""
        if not keys:
            return self
        return Records(
            [d for d in self.decisions if d.key not in keys],
            [s for s in self.scores if s.key not in keys],
            self.rubrics,
            self.responses,
            self.attachments,
        )


def _parse_parts(text: str) -> dict[int, str]:
    try:
        raw = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    parts: dict[int, str] = {}
    for number, outcome in raw.items() if isinstance(raw, dict) else ():
        if str(number).isdigit():
            parts[int(number)] = str(outcome)
    return parts


@dataclass(frozen=True)
class Batch:
    number: int
    started_at: str  # ISO 8601, the database's clock
    records: Records

    @property
    def stem(self) -> str:
        """'000007-20261014T093015Z': batch number first, so name order is batch order."""
        stamp = datetime.fromisoformat(self.started_at).strftime("%Y%m%dT%H%M%SZ")
        return f"{self.number:06d}-{stamp}"


@dataclass(frozen=True)
class Rendered:
    """A batch as files: the payload is renamed into place first, in order, the marker last."""

    payload: tuple[tuple[str, bytes], ...]
    marker: tuple[str, bytes]
    scores: int  # the levels the files carry, as reported and recorded with the batch

    @property
    def names(self) -> tuple[str, ...]:
        """Final names, marker first (as sync_batches.files records them)."""
        return (self.marker[0], *(name for name, _ in self.payload))

    @property
    def in_write_order(self) -> list[tuple[str, bytes]]:
        return [*self.payload, self.marker]


@dataclass(frozen=True)
class ExportOptions:
    """Everything a command line may set for an export; each format reads what it uses."""

    issuer_id: str | None = None
    issuer_name: str | None = None
    base_url: str | None = None
    sign_key: Path | None = None


class ExportFormat(ABC):
    """One way of writing a batch for the credential platform."""

    #: what `--format` names it and sync_batches.format records
    name: ClassVar[str]
    #: whether the records must carry each attempt's responses and attachments
    needs_evidence: ClassVar[bool] = False

    @classmethod
    def from_options(cls, options: ExportOptions) -> ExportFormat:
        """The format as the command line configured it (raises ExportError). Only a
        format that signs takes a key; the rest have nothing to configure."""
        if options.sign_key is not None:
            raise ExportError(f"--sign-key: {cls.name} files are not signed (ob3 credentials can be)")
        return cls()

    @abstractmethod
    def render(self, batch: Batch) -> Rendered:
        """The batch's files (raises ExportError when the records cannot be written)."""

    def keys_in_marker(self, path: Path) -> Sequence[Key] | None:
        """The decisions a marker file lists, for a batch an older mcreview wrote without
        recording them in the database; None if this format never needs it."""
        return None
