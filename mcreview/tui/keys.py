"""Escape followed fast by a key is Escape, then that key, on every screen.

Over SSH, Escape and the next key often arrive in one packet (ESC then "1"). A
terminal also sends ESC before a key for alt+key, so Textual reads the pair as one
key: alt+1, or, through its table for WezTerm's Option row, "¡" (ESC 2 is "™"), which
the comment editor then types and the level key is lost. mcreview binds no alt
keys, so it reads every such pair as what an assessor over SSH means: Escape, then
the key. Two parts:

1. **Reading.** `install_escape_reading` wraps Textual's xterm key parser: ESC and
   one key that do not start a terminal sequence (CSI `[`, SS3 `O`, OSC `]`, DCS `P`,
   APC `_`, PM `^`, SOS `X`, ST `\\`) come out as two key events, escape and the key,
   as soon as they are read; and a sequence Textual gives up on and reissues with
   "alt" comes out as escape and the keys. (Textual's own two-byte meanings for
   ESC b, ESC f, ESC Tab, ESC DEL and WezTerm's Option row are dropped with it.)
2. **Ordering.** `EscapeThenKey`, mixed into the app: a key that arrives while an
   Escape is still on its way through the screen's bindings waits until the Escape
   has been handled, so the key goes to whatever screen the Escape left showing
   (closing the comment editor, then scoring with "1"). Keys typed before the Escape
   are handled first, as always. An alt+key that reaches the app some other way
   (a terminal reporting modifiers itself) is split the same way.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, cast

from textual import events
from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.timer import Timer

ESC = "\x1b"
# After ESC, these start a sequence the terminal sends as a whole: wait for the rest.
SEQUENCE_INTRODUCERS = frozenset("[O]P_^X\\")
# If an Escape is stopped by a widget and never reaches the app's bindings, the keys
# held behind it go on after this long (no widget of mcreview stops Escape).
HELD_KEYS_SAFETY_SECONDS = 0.5

_original_sequence_to_key_events = XTermParser._sequence_to_key_events
_dropped_meanings: dict[str, Any] = {}


def _escape_key() -> events.Key:
    return events.Key("escape", ESC)


def _sequence_to_key_events(self: XTermParser, sequence: str, alt: bool = False) -> Iterable[events.Key]:
    original = cast(Callable[..., Iterable[events.Key]], _original_sequence_to_key_events)
    if alt:  # Textual reissuing ESC + key as alt+key
        yield _escape_key()
        yield from original(self, sequence, False)
        return
    if len(sequence) == 2 and sequence[0] == ESC and sequence[1] not in SEQUENCE_INTRODUCERS | {ESC}:
        yield _escape_key()
        yield from original(self, sequence[1], False)
        return
    yield from original(self, sequence, alt)


def install_escape_reading() -> None:
    """Make the key parser read ESC + key as Escape then the key (idempotent)."""
    table = cast(dict[str, Any], ANSI_SEQUENCES_KEYS)
    for sequence in [s for s in table if len(s) == 2 and s[0] == ESC and s[1] != ESC]:
        _dropped_meanings[sequence] = table.pop(sequence)
    XTermParser._sequence_to_key_events = _sequence_to_key_events  # type: ignore[method-assign]


def plain_key(event: events.Key) -> events.Key | None:
    """For an alt+key event, the key without alt; None for any other key."""
    if not event.key.startswith("alt+"):
        return None
    key = event.key.removeprefix("alt+")
    if key.startswith("shift+") and len(key) == len("shift+") + 1:
        key = key[-1].upper()
    return events.Key(key, event.character)


class EscapeThenKey(App[Any]):
    """Keys after an Escape wait until the Escape has been handled (see the module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._escape_in_flight: events.Key | None = None
        self._held_keys: deque[events.Key] = deque()
        self._held_timer: Timer | None = None

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key):
            await super().on_event(event)
            return
        if event.is_forwarded:
            # A key coming back up from the focused widget: the app runs its bindings.
            await super().on_event(event)
            if event is self._escape_in_flight:
                await self._escape_handled()
            return
        plain = plain_key(event)
        keys = [_escape_key(), plain] if plain is not None else [event]
        for key in keys:
            if self._escape_in_flight is not None:
                self._held_keys.append(key)
            else:
                await self._dispatch_key(key)

    async def _dispatch_key(self, key: events.Key) -> None:
        if key.key != "escape":
            await super().on_event(key)
            return
        self._escape_in_flight = key
        await super().on_event(key)
        if key.is_forwarded:
            # On its way through the focused widget and up to the app's bindings.
            self._held_timer = self.set_timer(HELD_KEYS_SAFETY_SECONDS, self._escape_handled)
        else:  # a priority binding ran it already
            await self._escape_handled()

    async def _escape_handled(self) -> None:
        """The Escape's binding has run: the held keys go on once what that binding
        left for later (a focus change, a screen being replaced) has run too."""
        if self._held_timer is not None:
            self._held_timer.stop()
            self._held_timer = None
        self.call_later(self._release_held_keys)

    async def _release_held_keys(self) -> None:
        self._escape_in_flight = None
        while self._held_keys and self._escape_in_flight is None:
            await self._dispatch_key(self._held_keys.popleft())
