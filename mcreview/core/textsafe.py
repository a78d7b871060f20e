"""Untrusted text made safe to put on an assessor's terminal.

Responses come from candidates. An escape sequence in one must be shown as
text, never sent to the terminal, so control characters become their visible
Unicode "control picture" before anything renders them.
"""

from __future__ import annotations

import re

_C0 = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\n\t"}
_TABLE = {**_C0, 0x7F: "\u2421"}
_C1 = re.compile("[\u0080-\u009f]")


def visible_controls(text: str) -> str:
    """Replace control characters (bar newline and tab) with visible symbols."""
    text = text.replace("\r\n", "\n").translate(_TABLE)
    return _C1.sub(lambda match: f"\\x{ord(match.group()):02x}", text)
