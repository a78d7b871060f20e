"""Untrusted text made safe to put on an assessor's terminal.

Responses come from candidates; names, comments and spec titles from colleagues and
files. An escape sequence in any of them (OSC 52 writes the clipboard, OSC 0 sets a
window title, a C1 control does either without an ESC byte) must be shown as text,
never sent to the terminal. This is the one function that does it: the CLI's
`say`/`warn` and the TUI's `shown` and output guard all call it.

C0 controls and DEL become their Unicode "control picture" (ESC shows as ␛, BEL as
␇); C1 controls (U+0080–U+009F) and undecodable bytes become `\\x9d`-style text. Every
replacement is one printable character or more, so nothing a terminal could obey is
left.
"""

from __future__ import annotations

import re

_C0 = {code: chr(0x2400 + code) for code in range(0x20)}
_LAYOUT = {ord("\n"): "\n", ord("\t"): "\t"}
_TABLE_KEEP_LAYOUT = {**_C0, 0x7F: "\u2421", **_LAYOUT}
_TABLE_ALL = {**_C0, 0x7F: "\u2421"}
_ESCAPED = re.compile("[\u0080-\u009f\ud800-\udfff]")
UNSAFE = re.compile("[\u0000-\u001f\u007f-\u009f\ud800-\udfff]")
"""Any character a terminal could act on: C0 (newline and tab included), DEL, C1, and
lone surrogates (how Python carries an undecodable byte of a file name, an argument
or an environment variable: written out, U+DC9D becomes the raw C1 byte 0x9D)."""


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if code >= 0xD800:
        return f"\\u{code:04x}"
    return f"\\x{code:02x}"


def visible_controls(text: str, *, keep_layout: bool = True) -> str:
    """Replace control characters with visible symbols.

    With `keep_layout` (the default) newline and tab are kept, for text laid out in
    lines; without it they are shown too (one cell of a rendered line, which must not
    move the cursor).
    """
    if not UNSAFE.search(text):
        return text
    if keep_layout:
        text = text.replace("\r\n", "\n")
    text = text.translate(_TABLE_KEEP_LAYOUT if keep_layout else _TABLE_ALL)
    return _ESCAPED.sub(_escaped, text)


def is_terminal_safe(text: str) -> bool:
    """True when no character of `text` is one a terminal could act on."""
    return UNSAFE.search(text) is None
