"""The words the queue is written in: statuses, outcomes, return reasons, audit events.

Every module that stores, compares or shows one of these reads it from here, so a
status or an event name is spelt once. The values are what the database holds and
what exports carry; they are StrEnums, so they compare equal to those strings.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a submission's current attempt stands in the assessment cycle."""

    PENDING = "pending"  # queued, nobody has scored it
    IN_REVIEW = "in_review"  # scoring has started
    DECIDED = "decided"  # a final decision is recorded
    SYNCED = "synced"  # ... and has gone out to the credential platform
    RETURNED = "returned"  # sent back unscored (identifying information, incomplete)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        """Still work to do: scoring may change it."""
        return self in OPEN_STATUSES

    @property
    def is_closed(self) -> bool:
        """Decided one way or another: only a revision can change it."""
        return not self.is_open


STATUS_LABELS: dict[Status, str] = {
    Status.PENDING: "pending",
    Status.IN_REVIEW: "in review",
    Status.DECIDED: "decided",
    Status.SYNCED: "synced",
    Status.RETURNED: "returned",
}
OPEN_STATUSES = frozenset({Status.PENDING, Status.IN_REVIEW})


class Outcome(StrEnum):
    """A decision's outcome, and the award rule's computed outcome."""

    EARNED = "earned"
    NOT_YET = "not_yet"
    INCOMPLETE = "incomplete"  # computed only: not every scored component has a level
    RETURNED_IDENTIFIABLE = "returned_identifiable"
    RETURNED_INCOMPLETE = "returned_incomplete"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.EARNED: "Earned",
    Outcome.NOT_YET: "Not Yet",
    Outcome.INCOMPLETE: "Incomplete",
    Outcome.RETURNED_IDENTIFIABLE: "Returned: identifiable information",
    Outcome.RETURNED_INCOMPLETE: "Returned: incomplete",
}
DECIDABLE = frozenset({Outcome.EARNED, Outcome.NOT_YET})


def outcome_label(value: str) -> str:
    """The label of a stored outcome, or the stored text itself if it is not one of ours."""
    try:
        return Outcome(value).label
    except ValueError:
        return value


class ReturnReason(StrEnum):
    """Why a submission goes back to its candidate unscored."""

    IDENTIFIABLE = "identifiable"
    INCOMPLETE = "incomplete"

    @property
    def outcome(self) -> Outcome:
        return RETURN_OUTCOMES[self]

    @property
    def label(self) -> str:
        return "identifying information" if self is ReturnReason.IDENTIFIABLE else "incomplete"


RETURN_OUTCOMES: dict[ReturnReason, Outcome] = {
    ReturnReason.IDENTIFIABLE: Outcome.RETURNED_IDENTIFIABLE,
    ReturnReason.INCOMPLETE: Outcome.RETURNED_INCOMPLETE,
}


class Event(StrEnum):
    """The actions the append-only audit trail records (events.action)."""

    IMPORT = "import"
    SCORE = "score"
    COMMENT = "comment"
    DECIDE = "decide"
    OVERRIDE = "override"
    RETURN = "return"
    REVISE = "revise"
    CLAIM = "claim"
    RELEASE = "release"
    RELEASE_FORCED = "release-forced"
    SYNC = "sync"
    SYNC_ABANDONED = "sync_abandoned"
    RESUBMIT = "resubmit"  # a later attempt queued
    ROUTE = "route"  # a resubmission sent to an assessor, or to the open queue
    SETTINGS = "settings"  # programme settings loaded
    RUBRIC_MOVE = "rubric-move"  # an unscored submission moved to the current rubric


DECISION_EVENTS = frozenset({Event.DECIDE, Event.OVERRIDE, Event.RETURN})

OVERALL = ""  # the component id under which the overall comment is kept
