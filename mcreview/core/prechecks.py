"""Pre-checks an assessor sees before scoring: word limits, completeness, identifiers.

Computed at import against the spec the submission is pinned to, stored, and shown
as flags in the queue and beside the response. They inform; they never fail a
submission by themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mcreview.core.checks import IDENTIFIER_LABELS, count_words, find_identifiers
from mcreview.core.specs import Spec

# Queue flag letters, in the order they are shown.
FLAG_WORDS = "W"  # a response outside its word limit
FLAG_MISSING = "M"  # a missing or empty response, or a missing attachment file
FLAG_IDENTIFIER = "I"  # possible identifying information
FLAG_ORDER = (FLAG_IDENTIFIER, FLAG_WORDS, FLAG_MISSING)
FLAG_LABELS = {
    FLAG_IDENTIFIER: "possible identifying information",
    FLAG_WORDS: "outside a word limit",
    FLAG_MISSING: "missing or empty response or attachment",
}


@dataclass(frozen=True)
class PreCheck:
    component_id: str
    kind: str  # under_limit | over_limit | missing | empty | attachment_missing | identifier
    detail: str  # one line for the assessor
    start: int | None = None  # identifier findings: offsets into the response text
    end: int | None = None

    @property
    def flag(self) -> str:
        if self.kind == "identifier":
            return FLAG_IDENTIFIER
        if self.kind in ("under_limit", "over_limit"):
            return FLAG_WORDS
        return FLAG_MISSING


def compute_prechecks(
    spec: Spec,
    responses: dict[str, str],
    attachments: Iterable[tuple[str, str | None, bool]],
) -> list[PreCheck]:
    """Every finding for one submission.

    `attachments` are (component id, file name or None for a link, whether the file
    is there): the caller looks at the disk, so this stays a pure function.
    """
    found: list[PreCheck] = []
    for component in spec.components:
        if not component.takes_response:
            continue
        body = responses.get(component.id)
        if body is None:
            if component.response == "required":
                found.append(PreCheck(component.id, "missing", f"{component.title}: no response submitted"))
            continue
        if not body.strip():
            found.append(PreCheck(component.id, "empty", f"{component.title}: the response is empty"))
            continue
        limits = component.word_limits
        if limits is not None and limits.checked:
            words = count_words(body)
            verdict = limits.verdict(words)
            if verdict is not None:
                bound = limits.minimum if verdict == "under" else limits.maximum
                side = "minimum" if verdict == "under" else "maximum"
                found.append(
                    PreCheck(
                        component.id,
                        f"{verdict}_limit",
                        f"{component.title}: {words} words, {side} {bound} ({limits.text or 'the limit'})",
                    )
                )
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
    for component_id, name, present in attachments:
        if name is not None and not present:
            title = spec.component(component_id).title
            found.append(
                PreCheck(component_id, "attachment_missing", f"{title}: attachment not found: {name}")
            )
    return found


def flags_of(found: Iterable[PreCheck]) -> str:
    letters = {check.flag for check in found}
    return "".join(flag for flag in FLAG_ORDER if flag in letters)
