"""What a submission holds, as the award rule and the pre-checks need it.

The caller (services) reads the responses and looks at the disk for attachments;
this module only counts, so the core stays free of I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mcreview.core.specs import Component, Part, Spec, Uploads


@dataclass(frozen=True)
class AttachmentFact:
    """One attachment of a submission.

    ref: the path or URL as the submission gave it (two attachments with the same ref
    are one upload); link: a URL rather than a file; present: the file was found (a
    link always counts as present); kind: a kind the submission declared, if any.
    """

    component_id: str
    ref: str | None = None
    present: bool = True
    link: bool = False
    kind: str | None = None

    @classmethod
    def of(cls, value: Any) -> AttachmentFact:
        """From an AttachmentFact, or the (component id, file name or None for a link,
        present) tuples `compute_prechecks` takes (a fourth item, if any, is a kind)."""
        if isinstance(value, AttachmentFact):
            return value
        component_id, name, present, *rest = value
        kind = rest[0] if rest else None
        return cls(str(component_id), name, bool(present) or name is None, name is None, kind)


@dataclass(frozen=True)
class Missing:
    """Something a required component lacks."""

    component_id: str | None  # None: a part's own upload requirement
    part_number: int
    kind: str  # missing | empty | uploads
    detail: str  # "Artifact 4: Do (part 1) missing"


@dataclass(frozen=True)
class Evidence:
    """The responses and attachments of one submission, for `scoring.evaluate`."""

    responses: Mapping[str, str]
    attachments: tuple[AttachmentFact, ...] = field(default=())

    @classmethod
    def of(cls, responses: Mapping[str, str], attachments: Iterable[Any] = ()) -> Evidence:
        return cls(dict(responses), tuple(AttachmentFact.of(a) for a in attachments))

    def uploads_for(self, component_ids: Iterable[str], uploads: Uploads) -> int:
        """Distinct present attachments of these components that count for `uploads`."""
        wanted = set(component_ids)
        seen: set[tuple[str, Any]] = set()
        for index, item in enumerate(self.attachments):
            if item.component_id not in wanted or not item.present:
                continue
            if ("link" if item.link else "file") not in uploads.kinds:
                continue
            key = ("ref", item.ref) if item.ref else ("index", index)
            seen.add(key)
        return len(seen)


def _upload_missing(
    evidence: Evidence, uploads: Uploads, ids: Iterable[str], part: int, cid: str | None, title: str
) -> Missing | None:
    count = evidence.uploads_for(ids, uploads)
    if count >= uploads.minimum:
        return None
    need = uploads.minimum
    what = "upload" if need == 1 else "uploads"
    detail = (
        f"{title}: no upload" if count == 0 and need == 1 else f"{title}: {count} of {need} required {what}"
    )
    return Missing(cid, part, "uploads", detail)


def is_blank(body: str) -> bool:
    """`not body.strip()`, without copying the text: responses can be megabytes long."""
    return not body or body.isspace()


def component_missing(spec: Spec, component: Component, evidence: Evidence) -> list[Missing]:
    """What one component lacks: its response (missing or empty), its uploads; for a
    component judged on other responses, what those lack."""
    if not component.takes_response:
        found: list[Missing] = []
        for judged in spec.evidence_for(component):
            found.extend(component_missing(spec, judged, evidence))
        return found
    found = []
    body = evidence.responses.get(component.id)
    if body is None:
        found.append(Missing(component.id, component.part_number, "missing", f"{component.title} missing"))
    elif is_blank(body):
        found.append(Missing(component.id, component.part_number, "empty", f"{component.title} empty"))
    if component.uploads is not None and (component.response == "required" or body):
        gap = _upload_missing(
            evidence, component.uploads, [component.id], component.part_number, component.id, component.title
        )
        if gap is not None:
            found.append(gap)
    return found


def part_missing(part: Part, evidence: Evidence) -> Missing | None:
    """A part's own upload requirement (a portfolio for the whole part), if unmet."""
    if part.uploads is None:
        return None
    return _upload_missing(
        evidence, part.uploads, [c.id for c in part.components], part.number, None, f"Part {part.number}"
    )


def required_missing(spec: Spec, evidence: Evidence) -> list[Missing]:
    """Everything the spec requires that the submission lacks, in spec order."""
    found: list[Missing] = []
    for part in spec.parts:
        for component in part.components:
            if component.takes_response and component.response == "required":
                found.extend(component_missing(spec, component, evidence))
            elif component.takes_response and component.uploads is not None:
                found.extend(m for m in component_missing(spec, component, evidence) if m.kind == "uploads")
        gap = part_missing(part, evidence)
        if gap is not None:
            found.append(gap)
    return found
