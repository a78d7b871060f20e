"""An attachment made readable in the app: text and Markdown as they are, a PDF as its
text page by page (candidates' documents send assessors to page numbers), anything else
as its full path, size and type. The bytes stored in the queue come first (assessors on
other hosts have no file); else the file on this host, if it is there.

Bounded: at most MAX_PDF_PAGES pages and MAX_TEXT_CHARS characters are drawn, and the
view says when it stops short. pypdf is imported only when a PDF is opened.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from mcreview.services.attachments import media_type
from mcreview.services.session import ReviewError, ReviewSession
from mcreview.store.api import AttachmentRow, ContentState

MAX_TEXT_CHARS = 200_000
MAX_PDF_PAGES = 300
MAX_FILE_BYTES = 50 * 1024 * 1024  # read from this host's disk, when the queue has no copy
TEXT_TYPES = ("text/plain", "text/csv", "text/tab-separated-values")
MARKDOWN_SUFFIXES = (".md", ".markdown")


@dataclass
class AttachmentView:
    title: str
    kind: str  # text | markdown | pdf | other | missing | link
    text: str = ""
    facts: list[str] = field(default_factory=list)  # where it is, its size and type, its state
    note: str = ""  # where the text stops short, or why it cannot be shown


def size_text(size: int | None) -> str:
    if size is None:
        return "size unknown"
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB ({size:,} bytes)"
    return f"{size / 1024 / 1024:.1f} MB ({size:,} bytes)"


def pdf_text(data: bytes, *, max_pages: int = MAX_PDF_PAGES, max_chars: int = MAX_TEXT_CHARS) -> tuple[str, str]:
    """The text of a PDF, each page under a line naming it, and a note when it stops short."""
    from pypdf import PdfReader  # only when a PDF is opened
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = len(reader.pages)
    except (PdfReadError, ValueError, OSError) as error:
        raise ValueError(f"not a readable PDF ({error})") from None
    parts: list[str] = []
    length = 0
    note = ""
    for number in range(min(pages, max_pages)):
        try:
            text = reader.pages[number].extract_text() or ""
        except Exception as error:  # a damaged page: say so, go on with the others
            text = f"(page {number + 1} could not be read: {type(error).__name__})"
        body = text.strip() or "(no text on this page: a scan or a picture?)"
        block = f"── page {number + 1} of {pages} ──\n{body}\n"
        if length + len(block) > max_chars:
            note = f"shown: pages 1–{number} of {pages} (the first {max_chars:,} characters)"
            break
        parts.append(block)
        length += len(block)
    else:
        if pages > max_pages:
            note = f"shown: pages 1–{max_pages} of {pages}"
    return "\n".join(parts), note


def view_attachment(session: ReviewSession, submission_id: str, seq: int) -> AttachmentView:
    state = session.load(submission_id)
    rows = [a for a in state.attachments if a.seq == seq]
    if not rows:
        raise ReviewError(f"{submission_id} has no attachment {seq}")
    return render(session, submission_id, rows[0])


def render(session: ReviewSession, submission_id: str, row: AttachmentRow) -> AttachmentView:
    name = row.description or (Path(row.path).name if row.path else row.url or "attachment")
    if row.url:
        return AttachmentView(name, "link", facts=[f"link: {row.url}"], note="a link: open it in a browser")
    path = Path(row.path) if row.path else None
    facts = [f"path: {path}" if path else "path: none given"]
    data: bytes | None = None
    kind_of = media_type(path.name) if path else "application/octet-stream"
    if row.stored:
        content = session.attachment_content(submission_id, seq=row.seq)
        if content is not None:
            data, kind_of = content.content, content.media_type
            facts.append("stored in the queue at import")
    if data is None and path is not None:
        try:
            if path.is_file() and path.stat().st_size <= MAX_FILE_BYTES:
                data = path.read_bytes()
                facts.append("read from this host's disk (the queue has no copy)")
        except OSError:
            data = None
    size = len(data) if data is not None else row.size
    facts.append(f"size: {size_text(size)}")
    facts.append(f"type: {kind_of}")
    if data is None:
        if row.content_state == ContentState.TOO_LARGE:
            note = "too large to keep in the queue: open it at the path"
            return AttachmentView(name, "other", facts=facts, note=note)
        if row.content_state == ContentState.MISSING:
            return AttachmentView(name, "missing", facts=facts, note="FILE MISSING: it was not there at import")
        if path is None or not path.exists():
            return AttachmentView(name, "missing", facts=facts, note="FILE MISSING on this host")
        return AttachmentView(name, "other", facts=facts, note="cannot be read here: open it at the path")
    suffix = path.suffix.lower() if path else ""
    if kind_of == "application/pdf" or suffix == ".pdf":
        try:
            text, note = pdf_text(data)
        except ValueError as error:
            return AttachmentView(name, "other", facts=facts, note=str(error))
        return AttachmentView(name, "pdf", text=text, facts=facts, note=note)
    if kind_of.startswith("text/") or suffix in MARKDOWN_SUFFIXES or kind_of in TEXT_TYPES:
        text = data.decode("utf-8", errors="replace")
        note = ""
        if len(text) > MAX_TEXT_CHARS:
            text, note = text[:MAX_TEXT_CHARS], f"shown: the first {MAX_TEXT_CHARS:,} of {len(text):,} characters"
        kind = "markdown" if suffix in MARKDOWN_SUFFIXES or kind_of == "text/markdown" else "text"
        return AttachmentView(name, kind, text=text, facts=facts, note=note)
    return AttachmentView(name, "other", facts=facts, note="not text: open it at the path")
