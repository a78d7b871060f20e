"""What a resubmission shows beyond a first attempt: the previous feedback, the carried
levels, the candidate's note, and a word diff of each response against the last one."""

from __future__ import annotations

import re

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from mcreview.core.diff import Change, changed_words, word_diff
from mcreview.core.specs import Component
from mcreview.core.textsafe import visible_controls
from mcreview.core.vocabulary import outcome_label
from mcreview.services.session import PreviousAttempt, SubmissionState

# Legible without colour: the brackets say it, the styles only help.
ADDED_STYLE = "bold underline green"
REMOVED_STYLE = "strike dim red"
ADDED_MARKS = ("{+", "+}")
REMOVED_MARKS = ("[-", "-]")


def previous_feedback(component: Component, previous: PreviousAttempt) -> RenderableType:
    """The level and comment this component had on the previous attempt."""
    line = Text()
    line.append(f"Attempt {previous.attempt}: ", style="bold")
    level = previous.levels.get(component.id)
    if not component.scored:
        line.append("not scored")
    elif level is None:
        line.append("no level")
    else:
        verdict = "passed" if component.is_passing(level) else "did not pass"
        line.append(
            f"{visible_controls(level)} ({verdict})", style="bold" if not component.is_passing(level) else ""
        )
    comment = previous.comments.get(component.id)
    if not comment:
        return line
    quoted = Text("“" + visible_controls(comment) + "”", style="italic")
    return Group(line, Padding(quoted, (0, 0, 0, 2)))  # a hanging indent under the level


def carried_line(component: Component, state: SubmissionState) -> Text | None:
    attempt = state.carried.get(component.id)
    if attempt is None:
        return None
    level = state.levels.get(component.id, "")
    return Text(
        f"Carried over from attempt {attempt}: {visible_controls(level)} (passed; not rescored)",
        style="bold reverse",
    )


def attempt_banner(state: SubmissionState, *, full: bool) -> list[Text]:
    """Above each response of a resubmission, one line; above the first, also the
    feedback the candidate was given and their note."""
    previous = state.previous
    if previous is None:
        return []
    blocks = []
    head = Text(f"Resubmission: attempt {state.attempt}. ", style="bold")
    if previous.decision is not None:
        head.append(
            f"Attempt {previous.attempt} was {outcome_label(previous.decision.outcome)}"
            f" ({visible_controls(previous.decision.assessor)}). "
        )
    hint = "w: what changed." if full else "w: what changed; feedback and note on the first component."
    head.append(hint, style="dim")
    blocks.append(head)
    if not full:
        return blocks
    overall = previous.overall_comment
    if overall:
        blocks.append(Text("Feedback given: “" + visible_controls(overall) + "”", style="italic"))
    if state.note:
        blocks.append(Text("Candidate's note: “" + visible_controls(state.note) + "”", style="italic"))
    return blocks


_SOFT_BREAK = re.compile(r"(?<=\S)[ \t]*\n(?![ \t]*(?:\n|[-*+>#|]|\d+[.)]))[ \t]*")


def reflow(text: str) -> str:
    """Join the lines of each paragraph, as Markdown shows them: a candidate's hard
    wrapping is not a change, and the diff reads as prose."""
    return _SOFT_BREAK.sub(" ", text)


def diff_text(old: str | None, new: str | None) -> Text:
    """The new response with added and removed words marked (plain text, not Markdown)."""
    pieces = word_diff(reflow(old or ""), reflow(new or ""))
    added, removed = changed_words(pieces)
    text = Text(f"{added} words added, {removed} removed since the last attempt\n", style="dim")
    for piece in pieces:
        shown = visible_controls(piece.text)
        if piece.change == Change.ADDED:
            text.append(ADDED_MARKS[0] + shown.rstrip() + ADDED_MARKS[1], style=ADDED_STYLE)
            text.append(shown[len(shown.rstrip()) :])
        elif piece.change == Change.REMOVED:
            text.append(REMOVED_MARKS[0] + shown.rstrip() + REMOVED_MARKS[1], style=REMOVED_STYLE)
            text.append(shown[len(shown.rstrip()) :] or " ")
        else:
            text.append(shown)
    return text
