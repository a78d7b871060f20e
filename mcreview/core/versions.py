"""Rubric versions (issue 12, item 8), the pure part: comparing a spec file with what
the database holds, and whether a queued submission can move to the current rubric.

The database keeps every rubric a submission was pinned to, by content hash, with the
spec's version string. A spec whose content changed while its version did not makes
later imports carry new text under an old version; `version_drift` finds that. The
callers (store, `specs check`, the queue and review screens, a move command) read the
database and pass what it holds.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from mcreview.core.specs import Spec


@dataclass(frozen=True)
class VersionDrift:
    """The spec file's content differs from a rubric the database holds under the same
    version string."""

    credential: str
    version: str
    stored_hash: str
    current_hash: str

    def __str__(self) -> str:
        return (
            f"spec '{self.credential}' version '{self.version}': the content changed but the version "
            f"did not (the database holds {self.stored_hash} for that version, the file is "
            f"{self.current_hash}); change 'version'"
        )


def version_drift(spec: Spec, stored: Iterable[tuple[str, str]]) -> list[VersionDrift]:
    """Given what the database holds for this credential, as (version, content hash)
    pairs, every stored rubric with the spec's version but other content."""
    found = []
    for version, content_hash in stored:
        if version == spec.version and content_hash != spec.content_hash:
            found.append(VersionDrift(spec.id, spec.version, content_hash, spec.content_hash))
    return sorted(set(found), key=lambda d: d.stored_hash)


def rubric_note(pinned_hash: str, pinned_version: str, current: Spec | None) -> str | None:
    """What the queue and the review screen should say about a submission's rubric:
    None when it is the current one."""
    if current is None:
        return "its credential has no spec loaded now"
    if pinned_hash == current.content_hash:
        return None
    if pinned_version == current.version:
        return f"older rubric: same version {pinned_version!r} as the current one, different content"
    return f"older rubric: version {pinned_version!r}, current {current.version!r}"


def move_problems(
    old: Spec, new: Spec, response_ids: Collection[str], attachment_ids: Collection[str] = ()
) -> list[str]:
    """Why a pending, unscored submission pinned to `old` cannot move to `new` (empty:
    it can). Its responses and attachments must still name components of the new spec
    that take them, and every part that asks for a response must still have one."""
    problems: list[str] = []
    if old.id != new.id:
        problems.append(f"'{old.id}' and '{new.id}' are different credentials")
    taking = {c.id for c in new.components if c.takes_response}
    known = {c.id for c in new.components}
    for cid in sorted(set(response_ids) - taking):
        problems.append(f"response '{cid}' is not a response of the current rubric")
    for cid in sorted(set(attachment_ids) - known):
        problems.append(f"attachment for '{cid}', which is not a component of the current rubric")
    for part in new.parts:
        wanted = [c.id for c in part.components if c.takes_response]
        if wanted and not set(wanted) & set(response_ids):
            problems.append(f"no response for Part {part.number} of the current rubric")
    return problems
