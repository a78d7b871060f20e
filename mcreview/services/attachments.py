"""Attachment contents: read from the importing host's disk once, kept in the queue.

Assessors on another host (a PostgreSQL queue) cannot read the importing host's
files, so the importer files each attachment's bytes in the queue under their SHA-256
(one copy however many attachments share them), for files up to a size limit. A file
over the limit, missing or unreadable is recorded as such, with its size when known;
the pre-checks flag a missing file as before. See docs/submission-format.md.
"""

from __future__ import annotations

import hashlib
import mimetypes
from functools import lru_cache
from pathlib import Path

from mcreview.store.api import AttachmentContent, ContentState, NewAttachmentContent, Store

MB = 1024 * 1024
DEFAULT_LIMIT = 20 * MB  # per file; `mcreview import --attachment-limit MB`
MAX_LIMIT = 1000 * MB  # a PostgreSQL bytea holds at most 1 GB


@lru_cache(maxsize=1)
def _types() -> mimetypes.MimeTypes:
    # Python's own table only: the same answer on every host, whatever /etc/mime.types says.
    # Before 3.13 it lacks Markdown and YAML, which candidates send often.
    types = mimetypes.MimeTypes()
    for extension, kind in (
        (".md", "text/markdown"),
        (".markdown", "text/markdown"),
        (".yaml", "application/yaml"),
        (".yml", "application/yaml"),
    ):
        types.add_type(kind, extension, strict=False)
    return types


def media_type(name: str) -> str:
    return _types().guess_type(name, strict=False)[0] or "application/octet-stream"


def check_limit(limit: int) -> int:
    if not 0 <= limit <= MAX_LIMIT:
        raise ValueError(f"the attachment size limit must be between 0 and {MAX_LIMIT // MB} MB")
    return limit


def store_content(store: Store, path: str | None, *, limit: int = DEFAULT_LIMIT) -> NewAttachmentContent:
    """File one attachment's bytes in the queue (its own short transaction, before the
    submission that points at them is written); say what was found."""
    if path is None:
        return NewAttachmentContent(ContentState.LINK)
    file = Path(path)
    try:
        size = file.stat().st_size
        if not file.is_file():
            return NewAttachmentContent(ContentState.UNREADABLE)
        if size > limit:
            return NewAttachmentContent(ContentState.TOO_LARGE, size=size)
        with file.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        return NewAttachmentContent(ContentState.MISSING)
    except OSError:
        return NewAttachmentContent(ContentState.UNREADABLE)
    if len(data) > limit:  # it grew since stat()
        return NewAttachmentContent(ContentState.TOO_LARGE, size=len(data))
    sha256 = hashlib.sha256(data).hexdigest()
    if not store.read(lambda tx: tx.has_content(sha256)):
        content = AttachmentContent(sha256, len(data), media_type(file.name), data)
        store.write(lambda tx: tx.put_content(content))
    return NewAttachmentContent(ContentState.STORED, sha256=sha256, size=len(data))


def intact(content: AttachmentContent) -> bool:
    """The bytes still hash to the name they are filed under."""
    return hashlib.sha256(content.content).hexdigest() == content.sha256
