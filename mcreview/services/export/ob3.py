"""Open Badges 3.0: each earned decision as an OpenBadgeCredential, with a manifest.

A batch is one credential file per earned decision revision (the payload) and a
manifest listing every decision revision of the batch, earned or not (the marker).
A Not Yet or a returned decision gets no credential; the manifest still lists it,
with the id its credential would carry, so a receiver holding a credential of an
earlier revision knows to withdraw it. Credentials are unsigned (the platform signs
them) unless a key is given, and then each file is a VC-JWT signed with Ed25519.
The document shape, the ids and how a receiver reads a batch: docs/sync.md.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from mcreview.core.specs import Component
from mcreview.core.vocabulary import Outcome
from mcreview.services.export.base import (
    Batch,
    ExportError,
    ExportFormat,
    ExportOptions,
    Rendered,
    Rubric,
)
from mcreview.services.export.jws import Signer
from mcreview.store.api import ExportAttachment, ExportDecision, ExportResponse, ExportScore

# Open Badges 3.0 §"JSON-LD": both contexts, in this order.
CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
CREDENTIAL_TYPE = ["VerifiableCredential", "OpenBadgeCredential"]
# Name-based (UUID v5) ids are derived in this namespace, so the same decision always
# gets the same id. Fixed for good: changing it would change every id ever issued.
NAMESPACE = uuid.UUID("b63b3849-e9c0-41ba-9a5e-fe3dc279b321")
PREFIX = "ob3-"
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")

Document = dict[str, Any]


@dataclass(frozen=True)
class Ids:
    """Stable URIs: under a base URL when one is configured, else urn:uuid ids derived
    from the same path (and the issuer id, when one is configured)."""

    base_url: str | None
    scope: str = ""

    def uri(self, *segments: str | int) -> str:
        path = "/".join(quote(str(segment), safe="") for segment in segments)
        if self.base_url:
            return f"{self.base_url}/{path}"
        return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{self.scope}/{path}')}"

    def credential(self, d: ExportDecision) -> str:
        """One id per attempt: a later revision's credential replaces the earlier one (its
        validFrom is later), as Open Badges 3.0 updates a credential."""
        return self.uri("credentials", d.submission_id, d.attempt)

    @staticmethod
    def _rubric(rubric: Rubric) -> tuple[str, ...]:
        """An achievement is one exact rubric: its spec id and content hash."""
        return ("achievements", rubric.spec.id, rubric.spec.content_hash)

    def achievement(self, rubric: Rubric) -> str:
        return self.uri(*self._rubric(rubric))

    def result_description(self, rubric: Rubric, component: Component) -> str:
        return self.uri(*self._rubric(rubric), "components", component.id)

    def level(self, rubric: Rubric, component: Component, level: str) -> str:
        return self.uri(*self._rubric(rubric), "components", component.id, "levels", level)


def _valid_from(decided_at: str) -> str:
    """The decision's time in UTC to the second, as a JWT's nbf can carry it."""
    return datetime.fromisoformat(decided_at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _low_to_high(component: Component) -> list[str]:
    """Open Badges orders levels from low to high; a spec lists the best level first."""
    return list(reversed(component.scale.levels)) if component.scale else []


def _needed(rubric: Rubric, component: Component) -> list[str]:
    """The levels that meet the award rule for this component, low to high: those of the
    first rule that requires every component it selects at a level, if one selects this
    one (a count rule such as "3 of 4" sets no level for any single component); otherwise
    the scale's passing levels."""
    spec = rubric.spec
    scale = component.scale
    needed = scale.passing if scale else frozenset()
    for rule in spec.rules:
        if rule.kind == "levels" and rule.count == "all" and component in spec.rule_components(rule):
            needed = spec.accepted_levels(rule, component)
            break
    return [level for level in _low_to_high(component) if level in needed]


def criteria_narrative(rubric: Rubric) -> str:
    """The award statement, then each part's scored components and the level each needs."""
    lines = [rubric.spec.award_statement, ""]
    for part in rubric.spec.parts:
        needs = [
            f"{c.title}: {' or '.join(reversed(_needed(rubric, c)))}" for c in part.components if c.scored
        ]
        if needs:
            lines.append(f"- **Part {part.number}: {part.title}.** {'; '.join(needs)}.")
    return "\n".join(lines).strip()


class Ob3Format(ExportFormat):
    name = "ob3"
    needs_evidence = True

    def __init__(
        self,
        *,
        issuer_id: str | None = None,
        issuer_name: str | None = None,
        base_url: str | None = None,
        signer: Signer | None = None,
    ) -> None:
        if issuer_id is not None and not URI.match(issuer_id):
            raise ExportError(f"--issuer-id: {issuer_id!r} is not a URI (e.g. https://example.org/issuer)")
        if base_url is not None and not re.match(r"^https?://[^/\s]+", base_url):
            raise ExportError(f"--base-url: {base_url!r} must be https:// (or http://) and a host")
        self.issuer_id = issuer_id
        self.issuer_name = issuer_name.strip() if issuer_name else None
        self.ids = Ids(base_url.rstrip("/") if base_url else None, issuer_id or "")
        self.signer = signer
        # A rubric's achievement is the same in every credential: built once per rubric.
        self._achievements: dict[str, Document] = {}

    @classmethod
    def from_options(cls, options: ExportOptions) -> Ob3Format:
        signer = Signer.load(options.sign_key) if options.sign_key else None
        return cls(
            issuer_id=options.issuer_id or None,
            issuer_name=options.issuer_name or None,
            base_url=options.base_url or None,
            signer=signer,
        )

    # -- the parts of a credential ---------------------------------------------------

    def issuer(self, rubric: Rubric) -> Document:
        name = self.issuer_name or rubric.spec.issuer
        if not name:
            raise ExportError(
                f"{rubric.spec.id}: its spec names no issuer; give one with --issuer-name"
                " (or MCREVIEW_ISSUER_NAME)"
            )
        return {"id": self.issuer_id or self.ids.uri("issuers", name), "type": ["Profile"], "name": name}

    def result_description(self, rubric: Rubric, component: Component) -> Document:
        levels = [
            {
                "id": self.ids.level(rubric, component, level),
                "type": ["RubricCriterionLevel"],
                "name": level,
                **({"description": text} if (text := component.levels.get(level)) else {}),
            }
            for level in _low_to_high(component)
        ]
        needed = _needed(rubric, component)
        required = (
            {"requiredLevel": self.ids.level(rubric, component, needed[0]), "requiredValue": needed[0]}
            if needed
            else {}
        )
        return {
            "id": self.ids.result_description(rubric, component),
            "type": ["ResultDescription"],
            "name": component.title,
            "resultType": "RubricCriterionLevel",
            "allowedValue": _low_to_high(component),
            **required,
            "rubricCriterionLevel": levels,
        }

    def achievement(self, rubric: Rubric) -> Document:
        built = self._achievements.get(rubric.spec.content_hash)
        if built is None:
            built = self._achievements[rubric.spec.content_hash] = self._achievement(rubric)
        return built

    def _achievement(self, rubric: Rubric) -> Document:
        spec = rubric.spec
        return {
            "id": self.ids.achievement(rubric),
            "type": ["Achievement"],
            "achievementType": "MicroCredential",
            "name": spec.title,
            "description": spec.summary or spec.competency or spec.title,
            "criteria": {"narrative": criteria_narrative(rubric)},
            "version": spec.version,
            "resultDescription": [self.result_description(rubric, c) for c in spec.components if c.scored],
        }

    def results(self, rubric: Rubric, scores: list[ExportScore]) -> list[Document]:
        results: dict[str, Document] = {}
        for score in scores:
            component = rubric.components.get(score.component)
            if component is None or not component.scored or score.component in results:
                continue  # one result per component: the first reading's (the only one today)
            results[score.component] = {
                "type": ["Result"],
                "resultDescription": self.ids.result_description(rubric, component),
                "achievedLevel": self.ids.level(rubric, component, score.level),
            }
        return list(results.values())

    def evidence(
        self,
        d: ExportDecision,
        rubric: Rubric,
        responses: list[ExportResponse],
        files: list[ExportAttachment],
    ) -> list[Document]:
        """The attempt's responses and attachments, by reference: never their content."""
        order = {cid: n for n, cid in enumerate(rubric.components)}
        found = [
            {
                "id": self.ids.uri("submissions", d.submission_id, d.attempt, "components", r.component_id),
                "type": ["Evidence"],
                "name": rubric.component_title(r.component_id) or r.component_id,
                "description": f"Response to part {c.part_number}: {rubric.part_title(c.part_number)}"
                if (c := rubric.components.get(r.component_id))
                else "Response",
                "genre": "Response",
            }
            for r in sorted(responses, key=lambda r: (order.get(r.component_id, len(order)), r.component_id))
        ]
        for a in files:
            name = a.description or (PurePosixPath(a.path).name if a.path else a.url) or f"attachment {a.seq}"
            component = rubric.component_title(a.component_id) or a.component_id
            found.append(
                {
                    "id": a.url
                    or self.ids.uri("submissions", d.submission_id, d.attempt, "attachments", a.seq),
                    "type": ["Evidence"],
                    "name": name,
                    "description": f"Attachment to {component}",
                    "genre": "Attachment",
                }
            )
        return found

    def credential(
        self,
        d: ExportDecision,
        rubric: Rubric,
        scores: list[ExportScore],
        responses: list[ExportResponse],
        files: list[ExportAttachment],
    ) -> Document:
        return {
            "@context": CONTEXT,
            "id": self.ids.credential(d),
            "type": CREDENTIAL_TYPE,
            "name": rubric.spec.title,
            "issuer": self.issuer(rubric),
            "validFrom": _valid_from(d.decided_at),
            "credentialSubject": {
                "id": self.ids.uri("candidates", d.candidate),
                "type": ["AchievementSubject"],
                "identifier": [
                    {
                        "type": "IdentityObject",
                        "identityHash": d.candidate,
                        "identityType": "identifier",
                        "hashed": False,
                    }
                ],
                "achievement": self.achievement(rubric),
                "result": self.results(rubric, scores),
            },
            "evidence": self.evidence(d, rubric, responses, files),
        }

    def encode(self, document: Document) -> tuple[str, bytes]:
        """The file's extension and bytes: compact JSON (the C encoder: a large --all writes
        many), or a compact JWS when signing."""
        if self.signer is None:
            text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
            return ".json", (text + "\n").encode("utf-8")
        nbf = int(datetime.fromisoformat(document["validFrom"].replace("Z", "+00:00")).timestamp())
        claims = {
            **document,
            "iss": document["issuer"]["id"],
            "jti": document["id"],
            "nbf": nbf,
            "sub": document["credentialSubject"]["id"],
        }
        return ".jwt", self.signer.sign(claims).encode("ascii")

    # -- the batch -------------------------------------------------------------------

    def render(self, batch: Batch) -> Rendered:
        records = batch.records
        scores: dict[tuple[str, int, int], list[ExportScore]] = defaultdict(list)
        for score in records.scores:
            scores[score.key].append(score)
        responses: dict[tuple[str, int], list[ExportResponse]] = defaultdict(list)
        for response in records.responses:
            responses[(response.submission_id, response.attempt)].append(response)
        attachments: dict[tuple[str, int], list[ExportAttachment]] = defaultdict(list)
        for attachment in records.attachments:
            attachments[(attachment.submission_id, attachment.attempt)].append(attachment)

        payload: list[tuple[str, bytes]] = []
        listed: list[Document] = []
        results = 0
        for d in records.decisions:
            rubric = records.rubric(d)
            file = None
            if d.outcome == Outcome.EARNED:
                attempt = (d.submission_id, d.attempt)
                document = self.credential(d, rubric, scores[d.key], responses[attempt], attachments[attempt])
                results += len(document["credentialSubject"]["result"])
                extension, data = self.encode(document)
                file = f"{PREFIX}{batch.stem}-{len(payload) + 1:06d}{extension}"
                payload.append((file, data))
            listed.append(
                {
                    "submission_id": d.submission_id,
                    "attempt": d.attempt,
                    "revision": d.revision,
                    "candidate": d.candidate,
                    "credential": d.credential,
                    "decision": d.outcome,
                    "decided_at": d.decided_at,
                    "credential_id": self.ids.credential(d),
                    "file": file,
                }
            )
        manifest = {
            "format": self.name,
            "batch": batch.number,
            "started_at": batch.started_at,
            "signed": self.signer is not None,
            "decisions": listed,
        }
        marker = f"{PREFIX}{batch.stem}-manifest.json"
        data = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        return Rendered(payload=tuple(payload), marker=(marker, data), scores=results)
