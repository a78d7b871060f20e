"""What a queued submission holds, as the award rule needs it (the disk looked at here,
so the rule in mcreview.core stays pure)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mcreview.core.evidence import AttachmentFact, Evidence
from mcreview.store.api import AttachmentRow


def evidence_of(responses: dict[str, str], attachments: Sequence[AttachmentRow]) -> Evidence:
    """What a queued submission holds, for the award rule: its responses, and each
    attachment (a link, or a file that is there or missing)."""
    facts = [
        AttachmentFact(
            a.component_id,
            ref=a.path or a.url,
            present=a.url is not None or (a.path is not None and Path(a.path).exists()),
            link=a.path is None,
        )
        for a in attachments
    ]
    return Evidence.of(responses, facts)
