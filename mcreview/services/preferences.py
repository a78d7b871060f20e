"""Per-user settings: how the app behaves for one assessor, kept in their config folder.

Not the programme's policy (that is in the queue, the same for the whole team): these
are one person's choices, such as the theme and whether a level key moves on. They
live in `settings.yaml` in the user config folder (`~/.config/mcreview/` on Linux; the
CLI says where), are typed and validated: a file that cannot be read, or a setting
with a wrong name or value, is reported in one line and its default used, and the app
still opens. A change is written atomically (a temporary file, fsynced, renamed).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

THEMES = ("textual-dark", "textual-light")
FILE_NAME = "settings.yaml"


@dataclass(frozen=True)
class Preferences:
    """One assessor's settings; every default is what a new assessor gets."""

    #: the colour theme (T switches between the two)
    theme: str = "textual-dark"
    #: after a level key, move on to the next component that still needs a level
    auto_advance: bool = True
    #: Tab and Shift+Tab stop on components that take no level (required, not scored) too
    tab_stops_on_unscored: bool = False


DESCRIPTIONS = {
    "theme": " | ".join(THEMES),
    "auto_advance": "true | false",
    "tab_stops_on_unscored": "true | false",
}


def _check(name: str, value: Any) -> str | None:
    """Why a value is not allowed for a setting, or None."""
    if name == "theme":
        return None if value in THEMES else f"'theme' must be one of {', '.join(THEMES)}"
    if not isinstance(value, bool):
        return f"'{name}' must be true or false"
    return None


def parse_preferences(text: str, file: str) -> tuple[Preferences, list[str]]:
    """The settings in `text`, and one line per problem (each problem's setting keeps its default)."""
    import yaml  # only when there is a settings file: not on every start-up

    problems: list[str] = []
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{file}:{mark.line + 1}" if mark is not None else file
        return Preferences(), [f"{where}: not valid YAML; using the default settings"]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return Preferences(), [f"{file}: expected settings (name: value), found {type(data).__name__}"]
    known = {f.name for f in fields(Preferences)}
    chosen: dict[str, Any] = {}
    for name, value in data.items():
        if name not in known:
            problems.append(f"{file}: unknown setting '{name}' (known: {', '.join(sorted(known))})")
            continue
        problem = _check(str(name), value)
        if problem is not None:
            problems.append(f"{file}: {problem}; using the default")
            continue
        chosen[str(name)] = value
    return Preferences(**chosen), problems


def preferences_text(preferences: Preferences) -> str:
    lines = ["# mcreview: your own settings (the programme's are in the queue: mcreview settings)"]
    for item in fields(Preferences):
        value = getattr(preferences, item.name)
        shown = ("true" if value else "false") if isinstance(value, bool) else str(value)
        lines.append(f"{item.name}: {shown}  # {DESCRIPTIONS[item.name]}")
    return "\n".join(lines) + "\n"


@dataclass
class PreferenceFile:
    """The settings and where they are kept (None: in memory only, as in tests)."""

    path: Path | None
    preferences: Preferences
    problems: list[str]
    save_error: str | None = None

    @classmethod
    def load(cls, path: Path | None) -> PreferenceFile:
        if path is None:
            return cls(None, Preferences(), [])
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path, Preferences(), [])
        except (OSError, UnicodeDecodeError) as error:
            return cls(path, Preferences(), [f"{path}: cannot be read ({error}); using the default settings"])
        preferences, problems = parse_preferences(text, str(path))
        return cls(path, preferences, problems)

    def change(self, **changes: Any) -> Preferences:
        """Set and keep settings; a failure to write is kept in save_error, not raised (the
        app goes on with the new value for this session)."""
        for name, value in changes.items():
            problem = _check(name, value)
            if problem is not None:
                raise ValueError(problem)
        self.preferences = replace(self.preferences, **changes)
        self.save_error = None
        if self.path is not None:
            try:
                write_atomically(self.path, preferences_text(self.preferences))
            except OSError as error:
                self.save_error = f"settings not saved to {self.path}: {error}"
        return self.preferences


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".settings-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
