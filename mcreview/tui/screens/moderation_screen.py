"""Moderation: two readings that disagree, side by side per component, for a lead.

The lead sets the final levels with number keys (each key durable at once; components
both readings agree on start at that level), comments, and then confirms the outcome
with a written reason on a screen that shows everything that will be recorded; or
passes the submission back to one reader with a note.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from mcreview.core.specs import Component
from mcreview.core.vocabulary import OVERALL, Outcome, outcome_label
from mcreview.services.session import Moderation, ReviewError
from mcreview.store.api import StoreError
from mcreview.tui.footer import KeyFooter
from mcreview.tui.safe import shown
from mcreview.tui.screens.base import SessionModal, SessionScreen
from mcreview.tui.screens.decision_screen import levels_table
from mcreview.tui.screens.rubric_text import NO_DESCRIPTOR, descriptor_block
from mcreview.tui.screens.send_back import send_back


def level_mark(component: Component, level: str | None) -> Text:
    if not component.scored:
        return Text("not scored", style="dim")
    if level is None:
        return Text("—", style="bold")
    passing = component.is_passing(level)
    return shown(f"{level} {'✓' if passing else '✗'}", style="" if passing else "bold")


class ModerationScreen(SessionScreen[None]):
    BINDINGS = [
        *[
            Binding(str(n), f"level({n})", "Final level", id=f"moderation.level_{n}", show=n == 1, key_display="1-9")
            for n in range(1, 10)
        ],
        Binding("tab,j", "move(1)", "Next", id="moderation.next", key_display="tab"),
        Binding("shift+tab,k", "move(-1)", "Prev", id="moderation.previous", key_display="S-tab"),
        Binding("c", "comment", "Final comment", id="moderation.comment"),
        Binding("d", "decide", "Outcome…", id="moderation.decide"),
        Binding("s", "send_back", "Send back", id="moderation.send_back"),
        Binding("v", "responses", "Responses", id="moderation.responses"),
        Binding("h", "history", "History", id="moderation.history", show=False),
        Binding("escape", "back", "Back", id="moderation.back", key_display="esc"),
    ]

    def __init__(self, submission_id: str) -> None:
        super().__init__()
        self.submission_id = submission_id
        self.index = 0
        self.moderation: Moderation

    def compose(self) -> ComposeResult:
        yield Static("", id="moderation-top", classes="topbar")
        yield Static("", id="moderation-progress")
        with VerticalScroll(id="moderation-body"):
            yield Static("", id="moderation-text")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.moderation = self.session.moderation(self.submission_id)
        components = self.moderation.spec.components
        disagreed = [i for i, c in enumerate(components) if c.scored and not self.moderation.agreed(c.id)]
        self.index = disagreed[0] if disagreed else 0
        self.draw()
        self.query_one("#moderation-body").focus()

    @property
    def component(self) -> Component:
        return self.moderation.spec.components[self.index]

    def final_level(self, component_id: str) -> str | None:
        m = self.moderation
        if m.final_levels:
            return m.final_levels.get(component_id)
        return m.levels[0].get(component_id) if m.agreed(component_id) else None

    def reload(self) -> None:
        self.moderation = self.session.moderation(self.submission_id)
        self.draw()

    def draw(self) -> None:
        m = self.moderation
        component = self.component
        first, second = m.readings
        self.query_one("#moderation-top", Static).update(
            shown(f" {m.id} · rev {m.row.revision} · moderation: the readings disagree · you: {self.session.assessor} ")
        )
        differ = [c for c in m.spec.components if c.scored and not m.agreed(c.id)]
        progress = Text()
        progress.append(f"{self.index + 1}/{len(m.spec.components)} ")
        progress.append(shown(component.title, style="bold"))
        progress.append(f" · {len(differ)} differ · final so far: ")
        progress.append(m.outcome.label, style="bold")
        self.query_one("#moderation-progress", Static).update(progress)

        side = Table(expand=True, show_edge=False, pad_edge=False)
        side.add_column(shown(f"Reading {first.reading}: {first.assessor}"), ratio=1)
        side.add_column(shown(f"Reading {second.reading}: {second.assessor}"), ratio=1)
        levels = [m.levels[0].get(component.id), m.levels[1].get(component.id)]
        side.add_row(level_mark(component, levels[0]), level_mark(component, levels[1]))
        side.add_row(
            shown(m.comments[0].get(component.id, "")) or Text("(no comment)", style="dim"),
            shown(m.comments[1].get(component.id, "")) or Text("(no comment)", style="dim"),
        )
        blocks: list[RenderableType] = [side]
        agree = "the readings agree" if m.agreed(component.id) else "THE READINGS DIFFER"
        blocks.append(Text(f"\n{agree}", style="bold"))
        final = self.final_level(component.id)
        if component.scale is None:
            blocks.append(Text("Required, not scored.", style="dim"))
        else:
            line = Text("Final: ", style="bold")
            if final is None:
                line.append(f"none yet (press 1-{len(component.scale.levels)})", style="bold")
            else:
                number = component.scale.levels.index(final) + 1
                line.append(shown(f" {number} {final} ", style="bold reverse"))
            blocks.append(line)
            for number, level in enumerate(component.scale.levels, start=1):
                mark = "▶" if level == final else " "
                readers = [r.assessor for r, lv in zip(m.readings, levels, strict=True) if lv == level]
                who = f"  ← {', '.join(readers)}" if readers else ""
                passes = " (passes)" if component.is_passing(level) else ""
                style = "bold reverse" if level == final else "bold"
                blocks.append(shown(f"{mark}{number} {level}{passes}{who}", style=style))
                blocks.append(Padding(descriptor_block(component.levels.get(level) or NO_DESCRIPTOR), (0, 0, 0, 3)))
        comment = m.final_comments.get(component.id)
        line = Text("\nFinal comment: ", style="bold")
        line.append(shown(comment) if comment else Text("(none; c writes one)", style="dim"))
        blocks.append(line)
        overview = Table(title="Every component", expand=True, show_edge=False, pad_edge=False)
        overview.add_column("component")
        overview.add_column(shown(first.assessor), no_wrap=True)
        overview.add_column(shown(second.assessor), no_wrap=True)
        overview.add_column("final", no_wrap=True)
        for other in m.spec.components:
            if not other.scored:
                continue
            marker = "  " if m.agreed(other.id) else "≠ "
            overview.add_row(
                shown(marker + other.title, style="" if m.agreed(other.id) else "bold"),
                level_mark(other, m.levels[0].get(other.id)),
                level_mark(other, m.levels[1].get(other.id)),
                level_mark(other, self.final_level(other.id)),
            )
        blocks.append(Text(""))
        blocks.append(overview)
        outcomes = Text("\nOutcomes recorded: ", style="bold")
        outcomes.append(shown(f"{first.assessor} {outcome_label(first.outcome or '')}"))
        outcomes.append(shown(f" · {second.assessor} {outcome_label(second.outcome or '')}"))
        for reading, comments in zip(m.readings, m.comments, strict=True):
            overall = reading.comment or comments.get(OVERALL, "")
            outcomes.append(shown(f"\n{reading.assessor}'s overall comment: ", style="bold"))
            outcomes.append(shown(overall) if overall else Text("(none)", style="dim"))
            if reading.override:
                outcomes.append(shown(f"\n{reading.assessor} overrode the computed outcome: {reading.justification}"))
        blocks.append(outcomes)
        self.query_one("#moderation-text", Static).update(Group(*blocks))

    # -- actions ----------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        self.index = (self.index + step) % len(self.moderation.spec.components)
        self.draw()
        self.query_one("#moderation-body", VerticalScroll).scroll_home(animate=False)

    def action_level(self, number: int) -> None:
        component = self.component
        level = self.level_of_key(component, number)
        if level is None:
            return
        try:
            self.session.set_final_level(self.submission_id, component_id=component.id, level=level)
        except (ReviewError, StoreError) as error:
            self.notify(f"Not saved: {error}", severity="error")
        self.reload()

    def action_comment(self) -> None:
        component = self.component
        self.edit_final_comment(component.id, f"Final comment on {component.title}", self.reload)

    def edit_final_comment(self, component_id: str, title: str, after: Callable[[], None]) -> None:
        from mcreview.tui.screens.comment_editor import CommentEditor, forget_draft

        current = self.moderation.final_comments.get(component_id, "")
        draft_key = (self.submission_id, f"moderation-{component_id or 'overall'}")

        def save(text: str | None) -> None:
            if text is None or text.strip() == current.strip():
                return
            try:
                self.session.set_final_comment(self.submission_id, component_id=component_id, body=text)
            except (ReviewError, StoreError) as error:
                self.notify(f"Comment not saved (kept as a draft): {error}", severity="error")
                return
            forget_draft(self, draft_key)
            after()

        self.mcreview.push_screen(CommentEditor(title, current, draft_key), save)

    def action_decide(self) -> None:
        def after(done: bool | None) -> None:
            if done:
                self.dismiss(None)
            else:
                self.reload()

        self.mcreview.push_screen(ModerateScreen(self), after)

    def action_send_back(self) -> None:
        readers = [r.assessor for r in self.moderation.readings]

        def chosen(reader: str | None) -> None:
            if reader is None:
                return
            send_back(self, reader, done=self.close)

        self.mcreview.push_screen(ReaderChoice(readers), chosen)

    def action_responses(self) -> None:
        from mcreview.tui.screens.review_screen import ReviewScreen

        self.mcreview.push_screen(ReviewScreen(self.submission_id, self.component.id))

    def action_history(self) -> None:
        from mcreview.tui.screens.history_screen import HistoryScreen

        self.mcreview.push_screen(HistoryScreen(self.submission_id))

    def action_back(self) -> None:
        self.dismiss(None)

    def close(self) -> None:
        self.dismiss(None)


class ReaderChoice(SessionModal[str | None]):
    """Which reader to pass the submission back to (1 or 2); Escape: neither."""

    BINDINGS = [
        Binding("1", "choose(0)", "First reader", id="choice.first"),
        Binding("2", "choose(1)", "Second reader", id="choice.second"),
        Binding("escape", "choose(-1)", "Cancel", id="choice.cancel", key_display="esc"),
    ]

    def __init__(self, readers: list[str]) -> None:
        super().__init__()
        self.readers = readers

    def compose(self) -> ComposeResult:
        text = Text("Send back to which reader?\n\n", style="bold")
        for number, reader in enumerate(self.readers, start=1):
            text.append(f"  {number}", style="bold reverse")
            text.append(shown(f"  {reader}\n"))
        text.append("\nEsc: neither (nothing recorded)")
        yield Static(text, id="choice-dialog")

    def action_choose(self, index: int) -> None:
        self.dismiss(self.readers[index] if 0 <= index < len(self.readers) else None)


class ModerateScreen(SessionScreen[bool]):
    """What the lead's decision will record, all of it, before Enter records it."""

    BINDINGS = [
        Binding("enter", "confirm", "Record", id="moderate.confirm"),
        Binding("w", "reason", "Reason", id="moderate.reason"),
        Binding("c", "comment", "Overall comment", id="moderate.comment"),
        Binding("o", "override", "Override outcome", id="moderate.override"),
        Binding("escape", "back", "Back", id="moderate.back", key_display="esc"),
    ]

    def __init__(self, parent: ModerationScreen) -> None:
        super().__init__()
        self.parent_screen = parent
        self.submission_id = parent.submission_id
        self.reason = ""
        self.override: Outcome | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="moderate-top", classes="topbar")
        with VerticalScroll(id="moderate-body"):
            yield Static("", id="moderate-text")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.reason = self.session.load_draft(self.submission_id, field="moderation-reason") or ""
        self.draw()
        self.query_one("#moderate-body").focus()

    @property
    def moderation(self) -> Moderation:
        return self.parent_screen.moderation

    def draw(self) -> None:
        m = self.moderation
        computed = m.outcome
        levels = {c.id: lv for c in m.spec.components if (lv := self.parent_screen.final_level(c.id))}
        outcome = self.override or computed.status
        self.query_one("#moderate-top", Static).update(
            shown(f" Moderation decision · {m.id} · rev {m.row.revision} · {m.spec.title} ", style="bold")
        )
        text = Text()
        text.append("This will be recorded (resolution: moderated):\n\n", style="bold")
        text.append("  Outcome: ")
        text.append(f" {outcome_label(outcome)} ", style="bold reverse")
        if self.override:
            text.append(f"  (an override of the computed {computed.label})", style="bold")
        text.append(f"\n  Computed from the final levels: {computed.label}\n  ")
        text.append(shown(computed.reason(m.spec)))
        text.append("\n  Reason: ", style="bold")
        missing = Text("(none yet: w writes it; required)", style="bold")
        text.append(shown(self.reason) if self.reason.strip() else missing)
        overall = m.final_comments.get(OVERALL, "")
        text.append("\n  Overall comment: ", style="bold")
        text.append(shown(overall) if overall else Text("(none: c writes one; required for Not Yet)", style="dim"))
        text.append("\n\n")
        body: list[RenderableType] = [text, levels_table(m.spec, levels, m.final_comments)]
        keys = Text("\n")
        keys.append("Enter", style="bold reverse")
        keys.append(f" records {outcome_label(outcome)} as the final decision  ·  w reason  ·  c comment  ·  ")
        keys.append("o override  ·  Esc back (nothing recorded)")
        body.append(keys)
        self.query_one("#moderate-text", Static).update(Group(*body))

    def action_reason(self) -> None:
        from mcreview.tui.screens.comment_editor import CommentEditor

        def written(text: str | None) -> None:
            if text is not None:
                self.reason = text
            self.draw()

        self.mcreview.push_screen(
            CommentEditor(
                "Why this outcome? (recorded with the decision)",
                self.reason,
                (self.submission_id, "moderation-reason"),
            ),
            written,
        )

    def action_comment(self) -> None:
        def after() -> None:
            self.parent_screen.reload()
            self.draw()

        self.parent_screen.edit_final_comment(OVERALL, "Overall comment (feedback to the candidate)", after)

    def action_override(self) -> None:
        computed = self.moderation.outcome.status
        if self.override is not None:
            self.override = None
        elif computed in (Outcome.EARNED, Outcome.NOT_YET):
            self.override = Outcome.NOT_YET if computed == Outcome.EARNED else Outcome.EARNED
        else:
            self.notify(f"The final levels are {self.moderation.outcome.label}: set every final level first.")
        self.draw()

    def action_confirm(self) -> None:
        if not self.reason.strip():
            self.notify("Not recorded: moderating needs a written reason (w).", severity="warning")
            return
        m = self.moderation
        try:
            chosen = self.session.moderate(
                self.submission_id,
                reason=self.reason,
                comment=m.final_comments.get(OVERALL, ""),
                outcome=self.override.value if self.override else None,
            )
        except (ReviewError, StoreError) as error:
            self.notify(f"Not recorded: {error}", severity="error")
            self.parent_screen.reload()
            self.draw()
            return
        self.session.drop_draft(self.submission_id, field="moderation-reason")
        self.notify(f"{self.submission_id}: {chosen.label} recorded (moderated): final.")
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
