"""Pre-checks an assessor sees before scoring: word limits, completeness, uploads,
identifiers.

Computed at import against the spec the submission is pinned to, stored, and shown
as flags in the queue and beside the response. They inform; they never fail a
submission by themselves (the award rule, `scoring.evaluate`, decides, from the
same facts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mcreview.core.checks import IDENTIFIER_LABELS, find_identifiers
from mcreview.core.evidence import Evidence, is_blank, part_missing
from mcreview.core.flags import (  # the letters live apart from the checks (start-up time)
    FLAG_IDENTIFIER,
    FLAG_MISSING,
    FLAG_NONE,
    FLAG_ORDER,
    FLAG_WORDS,
)
from mcreview.core.flags import FLAG_LABELS as FLAG_LABELS  # re-exported
from mcreview.core.flags import FLAG_OLDER_RUBRIC as FLAG_OLDER_RUBRIC  # re-exported
from mcreview.core.pieces import split_pieces
from mcreview.core.specs import Component, Spec

WORD_KINDS = ("under_limit", "over_limit", "piece_under_limit", "piece_over_limit")
MISSING_KINDS = (
    "missing",
    "empty",
    "attachment_missing",
    "uploads_missing",
    "too_few_pieces",
    "too_many_pieces",
)
INFO_KINDS = ("under_guide", "over_guide", "pieces_unmarked")


@dataclass(frozen=True)
class PreCheck:
    component_id: str
    kind: str  # see WORD_KINDS, MISSING_KINDS, INFO_KINDS, and identifier
    detail: str  # one line for the assessor
    start: int | None = None  # identifier findings: offsets into the response text
    end: int | None = None

    @property
    def flag(self) -> str:
        if self.kind == "identifier":
            return FLAG_IDENTIFIER
        if self.kind in WORD_KINDS:
            return FLAG_WORDS
        if self.kind in INFO_KINDS:
            return FLAG_NONE
        return FLAG_MISSING


def _limit_findings(component: Component, body: str) -> list[PreCheck]:
    limits = component.word_limits
    if limits is None:
        return []
    check = limits.assess(body)
    stated = limits.text or limits.range_text
    title = component.title
    found: list[PreCheck] = []
    if limits.per_piece:
        if check.pieces is None:
            found.append(
                PreCheck(
                    component.id,
                    "pieces_unmarked",
                    f"{title}: limit per {limits.per} ({stated}) not checked: the response does not mark "
                    f"its pieces (headings, list items or paragraphs starting in bold)",
                )
            )
            return found
        for number, piece in enumerate(check.pieces, start=1):
            if piece.verdict is None:
                continue
            bound = limits.minimum if piece.verdict == "under" else limits.maximum
            side = "minimum" if piece.verdict == "under" else "maximum"
            found.append(
                PreCheck(
                    component.id,
                    f"piece_{piece.verdict}_limit",
                    f"{title}: {limits.per} {number} ({piece.label}): {piece.words} words,"
                    f" {side} {bound} ({stated})",
                )
            )
        return found
    if limits.guide:
        if check.guidance is not None:
            side = "below" if check.guidance == "under" else "above"
            found.append(
                PreCheck(
                    component.id,
                    f"{check.guidance}_guide",
                    f"{title}: {check.words} words, {side} the suggested {stated}"
                    " (the document calls it a guide)",
                )
            )
        return found
    if check.verdict is not None:
        bound = limits.minimum if check.verdict == "under" else limits.maximum
        side = "minimum" if check.verdict == "under" else "maximum"
        words = f"{check.words} words"
        if limits.has_bullets:
            words += f" and {check.bullets} bullet points"
        found.append(
            PreCheck(
                component.id,
                f"{check.verdict}_limit",
                f"{title}: {words}, {side} {bound} ({stated or 'the limit'})",
            )
        )
    return found


def _pieces_findings(component: Component, body: str) -> list[PreCheck]:
    pieces = component.pieces
    if pieces is None:
        return []
    found = split_pieces(body)
    if not found:
        return []  # unmarked: nothing to count (the assessor reads it)
    count = len(found)
    if pieces.minimum is not None and count < pieces.minimum:
        return [
            PreCheck(
                component.id,
                "too_few_pieces",
                f"{component.title}: {count} {pieces.name} piece(s) marked, at least {pieces.minimum} asked "
                f"({pieces.text})",
            )
        ]
    if pieces.maximum is not None and count > pieces.maximum:
        return [
            PreCheck(
                component.id,
                "too_many_pieces",
                f"{component.title}: {count} {pieces.name} pieces marked,"
                f" at most {pieces.maximum} asked ({pieces.text})",
            )
        ]
    return []


def compute_prechecks(
    spec: Spec,
    responses: dict[str, str],
    attachments: Iterable[Any],
) -> list[PreCheck]:
    """Every finding for one submission.

    `attachments` are (component id, file name or None for a link, whether the file
    is there), or `evidence.AttachmentFact`s: the caller looks at the disk, so this
    stays a pure function.
    """
    evidence = Evidence.of(responses, attachments)
    found: list[PreCheck] = []
    for component in spec.components:
        if not component.takes_response:
            continue
        body = responses.get(component.id)
        if body is None:
            if component.response == "required":
                found.append(PreCheck(component.id, "missing", f"{component.title}: no response submitted"))
        elif is_blank(body):
            found.append(PreCheck(component.id, "empty", f"{component.title}: the response is empty"))
        else:
            found.extend(_limit_findings(component, body))
            found.extend(_pieces_findings(component, body))
            for finding in find_identifiers(body):
                label = IDENTIFIER_LABELS.get(finding.kind, finding.kind)
                found.append(
                    PreCheck(
                        component.id,
                        "identifier",
                        f"{component.title}: possible {label}: {finding.text[:80]}",
                        finding.start,
                        finding.end,
                    )
                )
        uploads = component.uploads
        if uploads is not None and (component.response == "required" or (body or "").strip()):
            count = evidence.uploads_for([component.id], uploads)
            if count < uploads.minimum:
                found.append(
                    PreCheck(
                        component.id,
                        "uploads_missing",
                        f"{component.title}: {count} of {uploads.minimum} required upload(s)"
                        f" ({uploads.text})",
                    )
                )
    for part in spec.parts:
        gap = part_missing(part, evidence)
        if gap is not None and part.uploads is not None and part.components:
            found.append(
                PreCheck(
                    part.components[0].id,
                    "uploads_missing",
                    f"Part {part.number} ({part.title}): {gap.detail.split(': ', 1)[-1]} "
                    f"for the whole part ({part.uploads.text})",
                )
            )
    for item in evidence.attachments:
        if item.ref is not None and not item.link and not item.present:
            title = spec.component(item.component_id).title
            found.append(
                PreCheck(
                    item.component_id, "attachment_missing", f"{title}: attachment not found: {item.ref}"
                )
            )
    return found


def flags_of(found: Iterable[PreCheck]) -> str:
    letters = {check.flag for check in found}
    return "".join(flag for flag in FLAG_ORDER if flag in letters)
