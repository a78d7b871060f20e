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
    SECOND_READING = "second_reading"  # one reading recorded, a second (independent) one needed
    MODERATION = "moderation"  # two readings disagree: a lead decides
    APPROVAL = "approval"  # a reading waits for a lead's approval (the grantor model)
    DECIDED = "decided"  # a final decision is recorded
    SYNCED = "synced"  # ... and has gone out to the credential platform
    RETURNED = "returned"  # sent back unscored (identifying information, incomplete)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        """Readers' work: a reading may still be scored."""
        return self in OPEN_STATUSES

    @property
    def with_lead(self) -> bool:
        """Waiting for a lead: to moderate two readings, or to approve one."""
        return self in LEAD_STATUSES

    @property
    def is_closed(self) -> bool:
        """Decided one way or another: only a revision can change it."""
        return self in CLOSED_STATUSES


STATUS_LABELS: dict[Status, str] = {
    Status.PENDING: "pending",
    Status.IN_REVIEW: "in review",
    Status.SECOND_READING: "second reading",
    Status.MODERATION: "moderation",
    Status.APPROVAL: "approval",
    Status.DECIDED: "decided",
    Status.SYNCED: "synced",
    Status.RETURNED: "returned",
}
OPEN_STATUSES = frozenset({Status.PENDING, Status.IN_REVIEW, Status.SECOND_READING})
LEAD_STATUSES = frozenset({Status.MODERATION, Status.APPROVAL})
CLOSED_STATUSES = frozenset({Status.DECIDED, Status.SYNCED, Status.RETURNED})


class Resolution(StrEnum):
    """How a final decision came about, from the readings of an attempt."""

    SINGLE = "single"  # one reading, final as recorded
    AGREED = "agreed"  # two independent readings agreed
    MODERATED = "moderated"  # two readings disagreed; a lead decided
    APPROVED = "approved"  # one reading, approved by a lead (the grantor model)


class ReadingKind(StrEnum):
    READING = "reading"  # an assessor's independent reading
    MODERATION = "moderation"  # a lead's final levels after two readings disagreed


class ReadingStatus(StrEnum):
    OPEN = "open"  # being scored (or sent back to its reader)
    RECORDED = "recorded"  # its reader recorded an outcome


MODERATION_READING = 0  # the reading number a lead's moderation is kept under


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
    REVISE_CANCEL = "revise-cancel"  # a revision nobody changed, taken back
    CLAIM = "claim"
    RELEASE = "release"
    RELEASE_FORCED = "release-forced"
    SYNC = "sync"
    SYNC_ABANDONED = "sync_abandoned"
    RESUBMIT = "resubmit"  # a later attempt queued
    ROUTE = "route"  # a resubmission sent to an assessor, or to the open queue
    SETTINGS = "settings"  # programme settings loaded
    RUBRIC_MOVE = "rubric-move"  # an unscored submission moved to the current rubric
    READING = "reading"  # a reading recorded (its outcome), on the way to a final decision
    MODERATE = "moderate"  # a lead decided between two readings
    APPROVE = "approve"  # a lead approved a single reading
    SEND_BACK = "send-back"  # a lead passed a reading back to its reader, with a note
    GOLD = "gold"  # a decided submission marked as a known true score
    CALIBRATION = "calibration"  # a gold submission seeded into an assessor's queue


DECISION_EVENTS = frozenset({Event.DECIDE, Event.OVERRIDE, Event.RETURN, Event.MODERATE, Event.APPROVE})

OVERALL = ""  # the component id under which the overall comment is kept
