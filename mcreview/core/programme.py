"""Programme settings: the policy a programme chooses, where the credential documents are silent.

The documents say what earns a credential; they do not say how many attempts a
candidate gets, whether a passed component is carried over to a resubmission, who
reassesses it, how many assessors read a submission or who the leads are. Those are
the programme's own choices, and they live here, in one place: defaults, then
overrides per credential. The settings are YAML (see docs/programme.md), validated
like the specs with one line per problem, and stored in the queue so that every
assessor works under the same policy.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from mcreview.core.specs import Problem, canonical_json
from mcreview.core.yamlio import LineDict, YamlProblem, line_of, load_yaml

CARRY_OVER = ("none", "passed")
ROUTING = ("previous-assessor", "open-queue")
READINGS = ("one", "two", "sample", "when-not-yet")
AGREEMENT = ("outcome", "every-component")


@dataclass(frozen=True)
class Policy:
    """The policy for one credential. Every default is mcreview's, not a document's."""

    #: how many attempts a candidate has at one submission (the first included)
    attempts: int = 3
    #: "passed": components that passed an earlier attempt are carried over, not rescored;
    #: "none": every attempt is scored afresh
    carry_over: str = "none"
    #: who reassesses a resubmission: the previous attempt's assessor (while active), or anyone
    routing: str = "previous-assessor"
    #: an assessor is active if they recorded anything in this many days
    active_days: int = 30
    #: how many independent readings an attempt needs: one; two always; two for a sample;
    #: two when the first reading is Not Yet
    readings: str = "one"
    #: with readings: sample, the share of submissions drawn for a second reading
    sample_percent: int = 20
    #: what two readings must agree on for the outcome to be final without a lead
    agreement: str = "outcome"
    #: the grantor model: a lead approves (or sends back) every reading before it is final
    approval: bool = False
    #: the share of agreement with gold submissions an assessor needs to be calibrated
    calibration_bar: int = 80


POLICY_KEYS: dict[str, str] = {
    "attempts": "whole number, 1 or more",
    "carry_over": " | ".join(CARRY_OVER),
    "routing": " | ".join(ROUTING),
    "active_days": "whole number, 1 or more",
    "readings": " | ".join(READINGS),
    "sample_percent": "whole number, 0 to 100",
    "agreement": " | ".join(AGREEMENT),
    "approval": "true | false",
    "calibration_bar": "whole number, 0 to 100",
}
TOP_KEYS = ("leads", "issuer", "defaults", "credentials")


@dataclass(frozen=True)
class Issuer:
    """Who issues the credentials (for Open Badges exports), when the programme says."""

    id: str
    name: str


@dataclass(frozen=True)
class Programme:
    """The programme settings in force: defaults, per-credential overrides, leads."""

    defaults: Policy = field(default_factory=Policy)
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    leads: tuple[str, ...] = ()
    issuer: Issuer | None = None
    body: str = ""  # canonical JSON of what was loaded ("" for the built-in defaults)

    def policy(self, credential: str) -> Policy:
        """The policy for one credential: the defaults with its overrides applied."""
        return replace(self.defaults, **dict(self.overrides.get(credential, {})))

    def source_of(self, credential: str, key: str) -> str:
        """Where a setting comes from, for `mcreview settings`."""
        if key in self.overrides.get(credential, {}):
            return "this credential"
        if self.body and key in json.loads(self.body).get("defaults", {}):
            return "programme default"
        return "mcreview default"

    def is_lead(self, assessor: str) -> bool:
        return assessor in self.leads

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.body.encode()).hexdigest()[:16] if self.body else ""


class ProgrammeError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _near(key: str, known: tuple[str, ...] | list[str]) -> str:
    match = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _plain(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def policy(self, raw: Any, line: int, where: str) -> dict[str, Any]:
        """The keys of one policy mapping, checked; unknown keys are errors."""
        if not isinstance(raw, dict):
            self.add(line, f"{where} must be a mapping of settings")
            return {}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            at = line_of(raw, key, line)
            name = str(key)
            if name not in POLICY_KEYS:
                self.add(at, f"{where}: unknown setting '{name}'{_near(name, list(POLICY_KEYS))}")
                continue
            checked = self.value(name, value, at, where)
            if checked is not None:
                values[name] = checked
        return values

    def value(self, key: str, value: Any, line: int, where: str) -> Any:
        choices = {"carry_over": CARRY_OVER, "routing": ROUTING, "readings": READINGS, "agreement": AGREEMENT}
        if key in choices:
            if value not in choices[key]:
                self.add(line, f"{where}: '{key}' must be one of {', '.join(choices[key])}")
                return None
            return value
        if key == "approval":
            if not isinstance(value, bool):
                self.add(line, f"{where}: 'approval' must be true or false")
                return None
            return value
        low, high = (0, 100) if key in ("sample_percent", "calibration_bar") else (1, 10_000)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.add(line, f"{where}: '{key}' must be a whole number from {low} to {high}")
            return None
        return value


def parse_programme(text: str, file: str, *, credentials: tuple[str, ...] | None = None) -> Programme:
    """Programme settings from YAML text, or ProgrammeError listing every problem.

    With `credentials` (the loaded specs' ids), an override for an unknown credential
    is an error too.
    """
    try:
        doc = load_yaml(text)
    except YamlProblem as problem:
        raise ProgrammeError([Problem(file, problem.line, problem.message)]) from None
    return _build(LineDict() if doc is None else doc, file, credentials)


def _build(doc: Any, file: str, credentials: tuple[str, ...] | None) -> Programme:
    reader = _Reader(file)
    if not isinstance(doc, dict):
        raise ProgrammeError([Problem(file, 1, "programme settings must be a mapping")])
    for key in doc:
        if str(key) not in TOP_KEYS:
            reader.add(line_of(doc, key, 1), f"unknown key '{key}'{_near(str(key), TOP_KEYS)}")
    defaults = reader.policy(doc.get("defaults", LineDict()), line_of(doc, "defaults", 1), "defaults")
    overrides: dict[str, dict[str, Any]] = {}
    raw_credentials = doc.get("credentials", LineDict())
    if not isinstance(raw_credentials, dict):
        reader.add(line_of(doc, "credentials", 1), "'credentials' must map credential ids to settings")
        raw_credentials = LineDict()
    for credential, raw in raw_credentials.items():
        line = line_of(raw_credentials, credential, 1)
        name = str(credential)
        if credentials is not None and name not in credentials:
            reader.add(line, f"unknown credential '{name}'{_near(name, credentials)}")
            continue
        overrides[name] = reader.policy(raw, line, f"credential '{name}'")
    leads_raw = doc.get("leads", [])
    if not isinstance(leads_raw, list) or not all(
        isinstance(lead, str) and lead.strip() for lead in leads_raw
    ):
        reader.add(line_of(doc, "leads", 1), "'leads' must be a list of assessor names")
        leads_raw = []
    issuer = None
    raw_issuer = doc.get("issuer")
    if raw_issuer is not None:
        if not isinstance(raw_issuer, dict) or not all(
            isinstance(raw_issuer.get(k), str) for k in ("id", "name")
        ):
            reader.add(line_of(doc, "issuer", 1), "'issuer' needs 'id' (a URL) and 'name'")
        else:
            issuer = Issuer(raw_issuer["id"].strip(), raw_issuer["name"].strip())
    needs_lead = [
        where
        for where, values in [
            ("defaults", defaults),
            *((f"credential '{c}'", v) for c, v in overrides.items()),
        ]
        if values.get("readings", "one") != "one" or values.get("approval")
    ]
    if needs_lead and not leads_raw:
        reader.add(
            line_of(doc, "defaults", 1),
            f"{needs_lead[0]}: second readings and approval need a lead to moderate or approve: name them"
            " in 'leads'",
        )
    if reader.problems:
        raise ProgrammeError(reader.problems)
    body = canonical_json(_plain(doc))
    return Programme(
        defaults=replace(Policy(), **defaults),
        overrides=overrides,
        leads=tuple(lead.strip() for lead in leads_raw),
        issuer=issuer,
        body=body,
    )


def programme_from_body(body: str) -> Programme:
    """Rebuild settings from the canonical JSON a queue stored (checked when it was loaded;
    JSON, so the screens never load PyYAML)."""
    if not body:
        return Programme()
    return _build(json.loads(body), "<stored settings>", None)


def policy_lines(programme: Programme, credentials: list[str]) -> list[str]:
    """The policy in force, one line per setting per credential, with where each comes from."""
    lines = [f"leads: {', '.join(programme.leads) or '(none)'}"]
    if programme.issuer is not None:
        lines.append(f"issuer: {programme.issuer.name} <{programme.issuer.id}>")
    for credential in credentials:
        lines.append(f"{credential}:")
        policy = programme.policy(credential)
        for item in fields(Policy):
            value = getattr(policy, item.name)
            shown = str(value).lower() if isinstance(value, bool) else value
            lines.append(f"  {item.name:<16} {shown!s:<18} ({programme.source_of(credential, item.name)})")
    return lines
