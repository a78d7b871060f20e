"""What the published Open Badges 3.0 JSON Schema requires of an OpenBadgeCredential,
checked by hand (the schema file itself is not copied into this project).

Read from: 1EdTech/openbadges-specification, docs/schema/achievementcredential.json as
published on its gh-pages branch (build of 2024-07-30, commit c73e9663), title "JSON
Schema for the AchievementCredential class", JSON Schema draft 2019-09, $id
SCHEMA_ID below. Each check names the schema definition ($defs) it comes from; where
the schema only says "URI" in a description, the Open Badges 3.0 data model's wording
is quoted instead. `check_credential` raises AssertionError naming the path of the
first thing that breaks a requirement.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

SCHEMA_ID = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json"
)

# properties.@context: an array of at least two; items[0] is exactly the VC 2.0 context,
# items[1] a string matching the OB 3.0 context pattern; further items are Context.
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = re.compile(r"^https:\/\/purl\.imsglobal\.org\/spec\/ob\/v3p0\/context(-3\.\d\.\d)*\.json$")
# properties.type: an array containing "VerifiableCredential" and one of these.
CREDENTIAL_TYPES = ("AchievementCredential", "OpenBadgeCredential")
# The required lists, per class.
REQUIRED = {
    "AchievementCredential": ("@context", "id", "type", "credentialSubject", "issuer", "validFrom"),
    "AchievementSubject": ("type", "achievement"),
    "Achievement": ("id", "type", "criteria", "description", "name"),
    "Criteria": (),
    "Profile": ("id", "type"),
    "IdentityObject": ("type", "hashed", "identityHash", "identityType"),
    "ResultDescription": ("id", "type", "name", "resultType"),
    "RubricCriterionLevel": ("id", "type", "name"),
    "Result": ("type",),
    "Evidence": ("type",),
}
# IdentityObject has additionalProperties: false.
IDENTITY_OBJECT_KEYS = {"type", "hashed", "identityHash", "identityType", "salt"}
IDENTIFIER_TYPES = {
    "sourcedId",
    "systemId",
    "productId",
    "userName",
    "accountId",
    "emailAddress",
    "nationalIdentityNumber",
    "isbn",
    "issn",
    "lisSourcedId",
    "oneRosterSourcedId",
    "sisSourcedId",
    "ltiContextId",
    "ltiDeploymentId",
    "ltiToolId",
    "ltiPlatformId",
    "ltiUserId",
    "identifier",
}
ACHIEVEMENT_TYPES = {
    "Achievement",
    "ApprenticeshipCertificate",
    "Assessment",
    "Assignment",
    "AssociateDegree",
    "Award",
    "Badge",
    "BachelorDegree",
    "Certificate",
    "CertificateOfCompletion",
    "Certification",
    "CommunityService",
    "Competency",
    "Course",
    "CoCurricular",
    "Degree",
    "Diploma",
    "DoctoralDegree",
    "Fieldwork",
    "GeneralEducationDevelopment",
    "JourneymanCertificate",
    "LearningProgram",
    "License",
    "Membership",
    "ProfessionalDoctorate",
    "QualityAssuranceCredential",
    "MasterCertificate",
    "MasterDegree",
    "MicroCredential",
    "ResearchDoctorate",
    "SecondarySchoolDiploma",
}
RESULT_TYPES = {
    "GradePointAverage",
    "LetterGrade",
    "Percent",
    "PerformanceLevel",
    "PredictedScore",
    "RawScore",
    "Result",
    "RubricCriterion",
    "RubricCriterionLevel",
    "RubricScore",
    "ScaledScore",
    "Status",
}
RESULT_STATUSES = {"Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"}
EXTENSION = re.compile(r"(ext:)[a-z|A-Z|0-9|.|-|_]+")  # the schema's pattern for extended enums
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")  # RFC 3986 scheme ":" and something


def _object(value: Any, where: str, cls: str) -> dict[str, Any]:
    assert isinstance(value, dict), f"{where}: a {cls} must be an object, not {type(value).__name__}"
    for name in REQUIRED[cls]:
        assert name in value, f"{where}: {cls} is missing required {name!r}"
    return value


def _string(value: Any, where: str) -> str:
    assert isinstance(value, str), f"{where}: must be a string, not {type(value).__name__}"
    return value


def _uri(value: Any, where: str) -> str:
    assert URI.match(_string(value, where)), f"{where}: {value!r} is not a URI"
    return value


def _types(holder: dict[str, Any], where: str, *one_of: str) -> None:
    """`type`: an array (minItems 1) of strings that contains one of these (IRI 1..*)."""
    value = holder["type"]
    assert isinstance(value, list) and value, f"{where}.type: must be a non-empty array, not {value!r}"
    assert all(isinstance(item, str) for item in value), f"{where}.type: items must be strings"
    assert set(value) & set(one_of), f"{where}.type: {value!r} must contain {' or '.join(one_of)}"


def _date_time_z(value: Any, where: str) -> None:
    """format date-time, DateTimeZ: "a DateTime with the trailing timezone specifier"."""
    text = _string(value, where)
    assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", text), (
        f"{where}: {text!r} is not a date-time with a time zone"
    )
    datetime.fromisoformat(text.replace("Z", "+00:00"))  # and a real one


def _enum(value: Any, where: str, allowed: set[str], extensible: bool = True) -> None:
    text = _string(value, where)
    assert text in allowed or (extensible and EXTENSION.match(text)), f"{where}: {text!r} is not allowed"


def check_profile(profile: Any, where: str) -> None:
    """$defs.ProfileRef: a URI string, or a Profile (id, type containing Profile)."""
    if isinstance(profile, str):
        _uri(profile, where)
        return
    _object(profile, where, "Profile")
    _uri(profile["id"], f"{where}.id")
    _types(profile, where, "Profile")
    if "name" in profile:
        _string(profile["name"], f"{where}.name")


def check_result_description(rd: Any, where: str) -> set[str]:
    """$defs.ResultDescription and its RubricCriterionLevel items; returns the level ids."""
    _object(rd, where, "ResultDescription")
    _uri(rd["id"], f"{where}.id")
    _types(rd, where, "ResultDescription")
    _string(rd["name"], f"{where}.name")
    _enum(rd["resultType"], f"{where}.resultType", RESULT_TYPES)
    if "allowedValue" in rd:
        assert isinstance(rd["allowedValue"], list), f"{where}.allowedValue: must be an array"
        for n, value in enumerate(rd["allowedValue"]):
            _string(value, f"{where}.allowedValue[{n}]")
    ids = set()
    levels = rd.get("rubricCriterionLevel", [])
    assert isinstance(levels, list), f"{where}.rubricCriterionLevel: must be an array"
    for n, level in enumerate(levels):
        at = f"{where}.rubricCriterionLevel[{n}]"
        _object(level, at, "RubricCriterionLevel")
        ids.add(_uri(level["id"], f"{at}.id"))
        _types(level, at, "RubricCriterionLevel")
        _string(level["name"], f"{at}.name")
        for optional in ("description", "level", "points"):
            if optional in level:
                _string(level[optional], f"{at}.{optional}")
    for optional in ("requiredValue", "valueMin", "valueMax"):
        if optional in rd:
            _string(rd[optional], f"{where}.{optional}")
    if "requiredLevel" in rd:
        # "The `id` of the rubric criterion level required to pass".
        assert _uri(rd["requiredLevel"], f"{where}.requiredLevel") in ids, (
            f"{where}.requiredLevel: names none of its rubric criterion levels"
        )
    return ids


def check_achievement(achievement: Any, where: str) -> dict[str, set[str]]:
    """$defs.Achievement; returns each result description's id with its level ids."""
    _object(achievement, where, "Achievement")
    _uri(achievement["id"], f"{where}.id")
    _types(achievement, where, "Achievement")
    _string(achievement["name"], f"{where}.name")
    _string(achievement["description"], f"{where}.description")
    criteria = _object(achievement["criteria"], f"{where}.criteria", "Criteria")
    if "narrative" in criteria:
        _string(criteria["narrative"], f"{where}.criteria.narrative")
    if "id" in criteria:
        _uri(criteria["id"], f"{where}.criteria.id")
    if "achievementType" in achievement:
        _enum(achievement["achievementType"], f"{where}.achievementType", ACHIEVEMENT_TYPES)
    if "version" in achievement:
        _string(achievement["version"], f"{where}.version")
    descriptions: dict[str, set[str]] = {}
    rds = achievement.get("resultDescription", [])
    assert isinstance(rds, list), f"{where}.resultDescription: must be an array"
    for n, rd in enumerate(rds):
        levels = check_result_description(rd, f"{where}.resultDescription[{n}]")
        descriptions[rd["id"]] = levels
    return descriptions


def check_subject(subject: Any, where: str) -> None:
    """$defs.AchievementSubject, its IdentityObjects and its Results."""
    _object(subject, where, "AchievementSubject")
    _types(subject, where, "AchievementSubject")
    # "Either `id` or at least one `identifier` MUST be supplied."
    assert "id" in subject or subject.get("identifier"), f"{where}: needs an id or an identifier"
    if "id" in subject:
        _uri(subject["id"], f"{where}.id")
    for n, identity in enumerate(subject.get("identifier", [])):
        at = f"{where}.identifier[{n}]"
        _object(identity, at, "IdentityObject")
        assert set(identity) <= IDENTITY_OBJECT_KEYS, (
            f"{at}: properties not allowed: {set(identity) - IDENTITY_OBJECT_KEYS}"
        )
        assert identity["type"] == "IdentityObject", f"{at}.type: must be 'IdentityObject'"
        assert isinstance(identity["hashed"], bool), f"{at}.hashed: must be a boolean"
        _string(identity["identityHash"], f"{at}.identityHash")
        _enum(identity["identityType"], f"{at}.identityType", IDENTIFIER_TYPES)
    descriptions = check_achievement(subject["achievement"], f"{where}.achievement")
    results = subject.get("result", [])
    assert isinstance(results, list), f"{where}.result: must be an array"
    for n, result in enumerate(results):
        at = f"{where}.result[{n}]"
        _object(result, at, "Result")
        _types(result, at, "Result")
        if "status" in result:
            _enum(result["status"], f"{at}.status", RESULT_STATUSES, extensible=False)
        if "value" in result:
            _string(result["value"], f"{at}.value")
        if "resultDescription" in result:
            # "The linked result description must be in the achievement that is being asserted."
            linked = _uri(result["resultDescription"], f"{at}.resultDescription")
            assert linked in descriptions, (
                f"{at}.resultDescription: not a result description of the achievement"
            )
            if "achievedLevel" in result:
                # "the `id` of the RubricCriterionLevel in linked ResultDescription"
                level = _uri(result["achievedLevel"], f"{at}.achievedLevel")
                assert level in descriptions[linked], (
                    f"{at}.achievedLevel: not a level of its result description"
                )


def check_credential(doc: Any) -> None:
    """The root: an AchievementCredential (OpenBadgeCredential)."""
    _object(doc, "$", "AchievementCredential")
    context = doc["@context"]
    assert isinstance(context, list) and len(context) >= 2, "$.@context: an array of at least two contexts"
    assert context[0] == VC_CONTEXT, f"$.@context[0]: must be {VC_CONTEXT}"
    assert OB_CONTEXT.match(_string(context[1], "$.@context[1]")), "$.@context[1]: not an OB 3.0 context"
    for n, extra in enumerate(context[2:], 2):
        assert isinstance(extra, (str, dict)), f"$.@context[{n}]: a URI or a map"
    _uri(doc["id"], "$.id")
    _types(doc, "$", "VerifiableCredential")
    _types(doc, "$", *CREDENTIAL_TYPES)
    for optional in ("name", "description"):
        if optional in doc:
            _string(doc[optional], f"$.{optional}")
    check_profile(doc["issuer"], "$.issuer")
    _date_time_z(doc["validFrom"], "$.validFrom")
    if "validUntil" in doc:
        _date_time_z(doc["validUntil"], "$.validUntil")
    check_subject(doc["credentialSubject"], "$.credentialSubject")
    evidence = doc.get("evidence", [])
    assert isinstance(evidence, list), "$.evidence: must be an array"
    for n, item in enumerate(evidence):
        at = f"$.evidence[{n}]"
        _object(item, at, "Evidence")
        _types(item, at, "Evidence")
        if "id" in item:
            _uri(item["id"], f"{at}.id")
        for optional in ("narrative", "name", "description", "genre", "audience"):
            if optional in item:
                _string(item[optional], f"{at}.{optional}")
    if "proof" in doc:  # properties.proof: an array of Proof, each with a type
        assert isinstance(doc["proof"], list), "$.proof: must be an array"
        for n, proof in enumerate(doc["proof"]):
            assert isinstance(proof, dict) and isinstance(proof.get("type"), str), f"$.proof[{n}].type"
