"""Sending a reading back to its reader with a note: one dialogue for the lead's
moderation screen and for the approval view."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import RenderableType
from rich.text import Text

from mcreview.services.session import ReviewError
from mcreview.store.api import StoreError
from mcreview.tui.safe import shown
from mcreview.tui.screens.base import SessionScreen
from mcreview.tui.screens.decision_screen import ask_for_text


def send_back(
    screen: SessionScreen[None],
    reader: str,
    *,
    done: Callable[[], None],
    afterwards: str = "the readings are compared again",
) -> None:
    """Ask for the note, show what will be recorded, then send the reading back: the lead's
    moderation screen and the approval view both use it; `afterwards` is what happens next."""
    submission_id = getattr(screen, "submission_id")  # noqa: B009

    def summary(note: str) -> RenderableType:
        body = Text()
        body.append("This will be recorded:\n\n", style="bold")
        body.append(shown(f"  {reader}'s reading goes back to {reader}, open again, with your note:\n  "))
        body.append(shown(note))
        body.append(f"\n  They change it and record it again; {afterwards}.", style="bold")
        return body

    def record(note: str) -> bool:
        try:
            screen.session.send_back(submission_id, reader=reader, note=note)
        except (ReviewError, StoreError) as error:
            screen.notify(f"Not sent back: {error}", severity="error")
            return False
        screen.notify(f"{submission_id}: sent back to {reader}.")
        done()
        return True

    ask_for_text(
        screen,
        title=f"Send back to {reader}: what should they look at again?",
        initial="",
        draft_key=(submission_id, "send-back"),
        summary=summary,
        confirm=f"sends it back to {reader}",
        record=record,
        empty="Not sent back: it needs a note for the reader.",
    )
