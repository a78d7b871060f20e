"""Every line the CLI prints goes through here, made safe for a terminal first.

Text in the queue comes from candidates, colleagues and files; a control character
in it (an escape sequence that sets a window title or writes the clipboard) must be
shown, never obeyed. JSON output is escaped by the JSON encoder itself.
"""

from __future__ import annotations

import click

from mcreview.core.textsafe import visible_controls


def say(text: str = "") -> None:
    """One or more lines to standard output, control characters shown as symbols."""
    click.echo(visible_controls(text))


def warn(text: str) -> None:
    """A line to standard error, control characters shown as symbols."""
    click.echo(visible_controls(text), err=True)


def raw_json(text: str) -> None:
    """A line of JSON (already ASCII-escaped by json.dumps) to standard output."""
    click.echo(text)
