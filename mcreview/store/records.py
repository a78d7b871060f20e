"""What the store's transactions return and take: plain values, the same on every backend."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from mcreview.core.submissions import Attachment


class StoreError(Exception):
    """The queue database cannot be used; the message is one line fit to show."""


class SchemaTooNew(StoreError):
    """The database was made by a newer mcreview: refuse it before anything is written."""


class SubmissionKey(NamedTuple):
    """One reading of one revision of one attempt: what a level or a comment belongs to."""

    submission_id: str
    attempt: int
    revision: int
    reading: int = 1


class SubmissionRow(NamedTuple):
    """A submission as the queue holds it: the state of its current attempt."""

    id: str
    credential: str
    candidate: str
    attempt: int
    submitted: str
    status: str
    revision: int
    assessor: str | None
    spec_hash: str
    flags: str = ""
    routed_to: str | None = None  # a resubmission kept for the previous attempt's assessor

    def key(self, reading: int = 1) -> SubmissionKey:
        return SubmissionKey(self.id, self.attempt, self.revision, reading)


class ContentState(StrEnum):
    """Whether an attachment's bytes are in the queue (assessors on other hosts cannot
    read the importing host's files), and if not, why."""

    STORED = "stored"  # in attachment_contents, under content_sha256
    MISSING = "missing"  # no such file when it was imported
    UNREADABLE = "unreadable"  # the file was there but could not be read
    TOO_LARGE = "too-large"  # over the import's size limit: only its size is kept
    LINK = "link"  # a URL: nothing to store
    NOT_STORED = "not-stored"  # queued before mcreview stored attachment contents


class AttachmentRow(NamedTuple):
    component_id: str
    path: str | None
    url: str | None
    description: str
    seq: int = 0  # its place among the attempt's attachments: the key to its content
    content_state: str = ContentState.NOT_STORED
    content_sha256: str | None = None
    size: int | None = None  # bytes, when the file was found (stored or too large)
    media_type: str | None = None  # of the stored content

    @property
    def stored(self) -> bool:
        return self.content_state == ContentState.STORED


class AttachmentContent(NamedTuple):
    """One file's bytes as imported, filed under their SHA-256 (stored once however many
    attachments share them)."""

    sha256: str
    size: int
    media_type: str
    content: bytes


class NewAttachmentContent(NamedTuple):
    """What the importer found for one attachment: its content's hash if stored, or why not."""

    state: ContentState
    sha256: str | None = None
    size: int | None = None


class DecisionRow(NamedTuple):
    attempt: int
    revision: int
    assessor: str
    outcome: str
    computed: str
    override: bool
    justification: str
    comment: str
    decided_at: str
    resolution: str = "single"
    readers: tuple[str, ...] = ()
    basis_reading: int = 1  # the reading whose levels and comments are final
    approved_by: str | None = None


class NewDecision(NamedTuple):
    key: SubmissionKey  # its reading is the basis: the reading whose levels are final
    assessor: str
    outcome: str
    computed: str
    override: bool
    justification: str
    comment: str
    part_outcomes: str  # JSON: part number -> pass | fail | incomplete
    spec_hash: str
    at: str
    resolution: str = "single"  # single | agreed | moderated | approved
    readers: tuple[str, ...] = ()  # who read it (the readings compared), in reading order
    approved_by: str | None = None


class ReadingRow(NamedTuple):
    """One reading of one revision of one attempt: who, whether recorded, what it found."""

    submission_id: str
    attempt: int
    revision: int
    reading: int
    assessor: str
    kind: str  # reading | moderation
    status: str  # open | recorded
    outcome: str | None
    computed: str | None
    override: bool
    justification: str
    comment: str
    part_outcomes: str
    note: str  # a lead's note, when the reading was sent back
    started_at: str
    recorded_at: str | None

    @property
    def key(self) -> SubmissionKey:
        return SubmissionKey(self.submission_id, self.attempt, self.revision, self.reading)

    @property
    def recorded(self) -> bool:
        return self.status == "recorded"


class ReadingPair(NamedTuple):
    """Two recorded independent readings of one attempt, for the agreement figures."""

    submission_id: str
    credential: str
    spec_hash: str
    assessors: tuple[str, str]
    outcomes: tuple[str, str]
    levels: tuple[dict[str, str], dict[str, str]]
    recorded_at: str


class GoldReading(NamedTuple):
    """An assessor's reading of a calibration copy of a gold submission, beside the gold levels."""

    gold_id: str
    submission_id: str
    credential: str
    spec_hash: str
    assessor: str
    levels: dict[str, str]
    gold_levels: dict[str, str]
    outcome: str
    gold_outcome: str


class ClaimRow(NamedTuple):
    submission_id: str
    assessor: str
    claimed_at: str
    expires_at: str
    reading: int = 1  # the reading it holds (two readers of one attempt claim apart)

    def live_at(self, now: str) -> bool:
        """Still held at `now` (the database's time, as stored text)."""
        return self.expires_at > now


class EventRow(NamedTuple):
    """One row of the audit trail."""

    id: int
    at: str
    assessor: str
    submission_id: str | None
    action: str
    target: str
    before: str | None
    after: str | None


class QueueFilter(NamedTuple):
    status: str | None = None  # a status, OPEN_WORK, or None for all
    credential: str | None = None
    text: str | None = None  # matches id, candidate or credential
    resubmissions: bool = False  # only later attempts
    #: with OPEN_WORK: the work waiting for this assessor (not what they have read already;
    #: moderation and approval too if they are a lead)
    assessor: str | None = None
    lead: bool = False


OPEN_WORK = "open"  # pending or in review: the work still to do


class QueueRow(NamedTuple):
    id: str
    credential: str
    status: str
    submitted: str
    assessor: str | None
    revision: int
    claimed_by: str | None = None  # a live claim's holder
    flags: str = ""  # pre-check flag letters, see mcreview.core.prechecks
    attempt: int = 1
    routed_to: str | None = None


class NewSubmission(NamedTuple):
    """Everything an import writes for one new submission, checked beforehand."""

    id: str
    credential: str
    candidate: str
    submitted: str
    content_hash: str
    source: str
    spec_hash: str
    responses: dict[str, str]
    attachments: tuple[Attachment, ...]  # paths absolute
    flags: str
    prechecks: tuple[tuple[str, str, str, int | None, int | None], ...]  # component, kind, detail, start, end
    attempt: int = 1
    note: str = ""  # the candidate's resubmission note
    readings_needed: int = 1  # 2 when the programme draws it for a second reading
    calibration_of: str | None = None  # a gold submission this is an unmarked copy of
    routed_to: str | None = None
    # one per attachment, in order (the importer stores the bytes first); empty: not stored
    contents: tuple[NewAttachmentContent, ...] = ()


class ExportDecision(NamedTuple):
    """A decision revision to export. A named tuple, as ExportScore: a sync at 100,000
    decisions builds one per row."""

    submission_id: str
    credential: str
    candidate: str
    assessor: str
    outcome: str
    decided_at: str
    attempt: int
    revision: int
    override: bool
    comment: str
    part_outcomes: str
    computed: str  # what the award rule gave; differs from outcome on an override
    justification: str  # the override's written reason ('' when not an override)
    spec_hash: str  # the rubric the submission is pinned to: titles and levels come from it
    readers: str = ""  # who read it, comma-separated, in reading order
    resolution: str = "single"  # single | agreed | moderated | approved

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.submission_id, self.attempt, self.revision)


class ExportScore(NamedTuple):
    """The level of one component in an exported decision. A named tuple, not a frozen
    dataclass: a sync at 100,000 decisions reads 480,000 of them, and a tuple is built
    in a fraction of the time (no object.__setattr__ per field)."""

    submission_id: str
    attempt: int
    revision: int
    part: int | None
    component: str
    level: str
    passing: bool
    comment: str
    assessor: str
    reading: int
    spec_hash: str

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.submission_id, self.attempt, self.revision)


class ExportResponse(NamedTuple):
    """A component the exported attempt has a (non-empty) response for: evidence, by reference."""

    submission_id: str
    attempt: int
    component_id: str


class ExportAttachment(NamedTuple):
    submission_id: str
    attempt: int
    seq: int
    component_id: str
    path: str | None
    url: str | None
    description: str


class SyncBatchRow(NamedTuple):
    id: int
    started_at: str
    files: str  # JSON list of the batch's final file names, its marker first
    format: str  # the export format it was written in: "csv", "ob3"
    decisions: int
    scores: int


class CarriedLevel(NamedTuple):
    """A level an earlier attempt passed, carried over to the next instead of rescored."""

    component_id: str
    level: str
    passing: bool
    spec_hash: str
    from_attempt: int


class TableInfo(NamedTuple):
    """One table as a backend's catalogue describes it (for copying a queue across)."""

    name: str
    columns: tuple[str, ...]  # in the table's own order
    key: tuple[str, ...]  # the primary key: rows are copied and checksummed in its order
    parents: tuple[str, ...] = ()  # tables its foreign keys point at (copied first)
    binary: tuple[str, ...] = ()  # columns holding bytes (copied a few rows at a time)


class PhraseRow(NamedTuple):
    """A comment-bank phrase: text an assessor inserts while commenting, kept for a
    credential, a component ('' for the overall comment) and a level ('' for any level)."""

    id: int
    credential: str
    component_id: str
    level: str
    body: str
    created_by: str
    updated_at: str

