"""Export formats: what the credential platform receives, behind one interface (base.py).

Adding a format is one module with an ExportFormat subclass, and its line below.
"""

from __future__ import annotations

from mcreview.services.export.base import (
    Batch,
    ExportError,
    ExportFormat,
    ExportOptions,
    Key,
    Records,
    Rendered,
    Rubric,
)
from mcreview.services.export.csvformat import CsvFormat
from mcreview.services.export.ob3 import Ob3Format

FORMATS: dict[str, type[ExportFormat]] = {fmt.name: fmt for fmt in (CsvFormat, Ob3Format)}
DEFAULT_FORMAT = CsvFormat.name

__all__ = [
    "DEFAULT_FORMAT",
    "FORMATS",
    "Batch",
    "CsvFormat",
    "ExportError",
    "ExportFormat",
    "ExportOptions",
    "Key",
    "Ob3Format",
    "Records",
    "Rendered",
    "Rubric",
    "make_format",
]


def make_format(name: str, options: ExportOptions | None = None) -> ExportFormat:
    """The named format, configured (raises ExportError for an unknown name or bad options)."""
    try:
        cls = FORMATS[name]
    except KeyError:
        raise ExportError(f"unknown export format {name!r} (known: {', '.join(FORMATS)})") from None
    return cls.from_options(options or ExportOptions())
