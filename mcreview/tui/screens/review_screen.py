"""One submission: the focused component's response beside the rubric it is scored on."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.markdown import Markdown
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.widgets import Static

from mcreview.core.checks import count_words
from mcreview.core.evidence import is_blank
from mcreview.core.pieces import answers_per_prompt
from mcreview.core.prechecks import PreCheck
from mcreview.core.specs import Component
from mcreview.core.textsafe import visible_controls
from mcreview.core.vocabulary import Status, outcome_label
from mcreview.services.claims import ClaimedByOther
from mcreview.services.session import ReviewError, SubmissionState
from mcreview.store.api import AttachmentRow, ContentState, StoreError
from mcreview.tui.footer import KeyFooter
from mcreview.tui.lines_view import LinesView
from mcreview.tui.safe import shown
from mcreview.tui.screens.attempts import attempt_banner, carried_line, diff_text, previous_feedback
from mcreview.tui.screens.base import SessionScreen
from mcreview.tui.screens.confirm import Answer, ConfirmScreen
from mcreview.tui.screens.highlight import HighlightWords
from mcreview.tui.screens.rubric_text import NO_DESCRIPTOR, level_lines

RENEW_EVERY_SECONDS = 5 * 60
__all__ = ["NO_DESCRIPTOR", "ReviewScreen"]
# A response is drawn a part at a time, so opening one paints in about the time a
# 2,000-word response takes, whatever its length: 20,000 characters is about 3,000
# words, six times the largest word limit. `]` and `[` move through the parts.
RESPONSE_PAGE_CHARS = 20_000
# Words are counted in at most this much of a response (about 15,000 words, ~6 ms);
# a longer one is reported as "more than N words".
WORD_COUNT_CHARS = 100_000


def next_cut(text: str, start: int, size: int = RESPONSE_PAGE_CHARS) -> int:
    """Where the part of `text` that begins at `start` ends: at a paragraph break, a
    line break or a space in its last quarter if there is one, else after `size`."""
    end = start + size
    if end >= len(text):
        return len(text)
    floor = start + size * 3 // 4
    for separator in ("\n\n", "\n", " "):
        cut = text.rfind(separator, floor, end)
        if cut != -1:
            return cut + len(separator)
    return end


def part_bounds(text: str, page: int) -> tuple[int, int, int]:
    """(start, end, page) of the `page`th part of `text`, or of its last part."""
    start, end, reached = 0, next_cut(text, 0), 0
    while reached < page and end < len(text):
        start, end, reached = end, next_cut(text, end), reached + 1
    return start, end, reached


def level_bindings() -> list[Binding]:
    return [
        Binding(
            str(n),
            f"level({n})",
            "Level",
            id=f"review.level_{n}",
            show=n == 1,
            key_display="1-9",
            priority=True,
        )
        for n in range(1, 10)
    ]


class ReviewScreen(SessionScreen[None]):
    """Score a submission component by component; every key is saved at once.

    Every binding here is a priority binding: the app runs those as each key arrives,
    so a burst of keys (a fast typist, a paste) is applied in the order typed. A mix
    of priority and bubbling bindings could apply a later Tab before an earlier level.
    """

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        *level_bindings(),
        Binding(
            "tab",
            "move(1)",
            "Next",
            tooltip="Next component to score (skips those that take no level, unless the setting says)",
            id="review.next",
            key_display="tab",
            priority=True,
        ),
        Binding(
            "shift+tab",
            "move(-1)",
            "Prev",
            tooltip="Previous component to score",
            id="review.previous",
            key_display="S-tab",
            show=False,
            priority=True,
        ),
        Binding("j", "step(1)", "Next component, every one", id="review.next_any", show=False, priority=True),
        Binding("k", "step(-1)", "Previous component, every one", id="review.previous_any", show=False, priority=True),
        Binding("c", "comment", "Comment", id="review.comment", priority=True),
        Binding(
            "d",
            "decide",
            "Decide",
            id="review.decide",
            priority=True,
            tooltip="The decision screen; once recorded, the decision read back (read-only)",
        ),
        Binding("u", "undo", "Undo", id="review.undo", show=False, priority=True),
        Binding(
            "o",
            "other_pane",
            "Pane",
            tooltip="Move the keys to the other pane (response / rubric): ↑ ↓ PgUp PgDn scroll it",
            id="review.other_pane",
            priority=True,
        ),
        Binding(
            "f",
            "full_rubric",
            "Rubric",
            id="review.full_rubric",
            priority=True,
            tooltip="The rubric on the whole screen, every level; 1-9 chooses",
        ),
        Binding("a", "attachments", "Attachments: open one", id="review.attachments", show=False, priority=True),
        Binding(
            "A",
            "toggle_advance",
            "Auto-advance after a level on / off (remembered)",
            id="review.toggle_advance",
            show=False,
            priority=True,
        ),
        Binding("p", "toggle_prompts", "Prompts", id="review.toggle_prompts", show=False, priority=True),
        Binding(
            "w",
            "toggle_diff",
            "Changes since last attempt",
            id="review.toggle_diff",
            show=False,
            priority=True,
        ),
        Binding("i", "toggle_reference", "Reference", id="review.reference", show=False, priority=True),
        Binding(
            "r",
            "revise",
            "Revise a decided one / cancel an unchanged revision (asks first)",
            id="review.revise",
            show=False,
            priority=True,
        ),
        Binding("h", "history", "History", id="review.history", show=False, priority=True),
        Binding("x", "clear_level", "Clear level", id="review.clear_level", show=False, priority=True),
        Binding(
            "right_square_bracket",
            "response_part(1)",
            "Long response: next part",
            id="review.next_part",
            key_display="]",
            show=False,
            priority=True,
        ),
        Binding(
            "left_square_bracket",
            "response_part(-1)",
            "Long response: previous part",
            id="review.previous_part",
            key_display="[",
            show=False,
            priority=True,
        ),
        Binding("escape", "back", "Back", id="review.back", key_display="esc", priority=True),
        Binding("q", "app.quit", "Quit", id="review.quit", show=False, priority=True),
    ]

    def __init__(
        self, submission_id: str, component_id: str | None = None, state: SubmissionState | None = None
    ) -> None:
        """`state`: the submission as the caller has just loaded it (the app reads it to
        choose the screen), so opening reads it once, not twice."""
        super().__init__()
        self.submission_id = submission_id
        self.loaded = state
        self.start_component = component_id
        self.index = 0
        self.undo_stack: list[tuple[str, str | None, str | None]] = []  # component, before, after
        self.read_only_reason: str | None = None
        # None: each answer under its prompt where the response separates its answers by
        # prompt, else one line saying how many there are; p shows or hides them for good.
        self.show_prompts: bool | None = None
        self.show_diff = False  # a resubmission's responses as a word diff against the last attempt
        self.show_reference = False  # the right pane shows the document's reference material
        self.attempt_limit = 1
        self.rendered: dict[str, RenderableType] = {}
        self.response_page: dict[str, int] = {}  # component id -> part of its responses shown
        self.prechecks: list[PreCheck] = []
        self.lines_shown: dict[str, Text] = {}  # what the header Statics show, by selector
        self.state: SubmissionState

    def compose(self) -> ComposeResult:
        yield Static("", id="review-top", classes="topbar")
        yield Static("", id="review-notice")
        yield Static("", id="review-progress")
        with Container(id="review-body"):
            response_pane = LinesView(id="response-pane")
            response_pane.border_title = "Response"
            yield response_pane
            rubric_pane = LinesView(id="rubric-pane")
            rubric_pane.border_title = "Rubric"
            yield rubric_pane
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.state = self.loaded or self.session.load(self.submission_id)
        self.loaded = None
        self.prechecks = self.session.prechecks(self.state)
        self.attempt_limit = self.session.policy(self.state.credential).attempts
        self.take_claim()
        components = self.state.spec.components
        ids = [c.id for c in components]
        if self.start_component in ids:
            self.index = ids.index(self.start_component)
        else:
            self.index = self.first_unscored_index()
        self.set_interval(RENEW_EVERY_SECONDS, self.take_claim)
        self.show_component()
        self.query_one("#response-pane").focus()
        self.mark_focus()

    # -- claim ----------------------------------------------------------------

    @property
    def editable(self) -> bool:
        return self.read_only_reason is None and self.state.status.is_open

    def take_claim(self) -> None:
        """Claim (or renew) while open; someone else's live claim makes this read-only."""
        if self.state.status.is_closed:
            return
        try:
            self.session.claim(self.submission_id)
            self.read_only_reason = None
        except ClaimedByOther as error:
            self.read_only_reason = f"read-only: {error}"
        except (ReviewError, StoreError) as error:
            self.read_only_reason = f"read-only: could not claim ({error})"

    def release_claim(self) -> None:
        """Leave: the claim goes, and an untouched reading with it (never "in review" for
        a submission nobody scored)."""
        if self.read_only_reason is None and self.state.status.is_open:
            with contextlib.suppress(ClaimedByOther, ReviewError, StoreError):
                self.session.leave(self.submission_id)
        elif self.read_only_reason is None:
            with contextlib.suppress(ClaimedByOther, StoreError):
                self.session.release(self.submission_id)

    def leave_submission(self) -> None:
        self.release_claim()

    # -- drawing --------------------------------------------------------------

    @property
    def component(self) -> Component:
        return self.state.spec.components[self.index]

    def first_unscored_index(self) -> int:
        for index, component in enumerate(self.state.spec.components):
            if component.scored and component.id not in self.state.levels:
                return index
        return 0

    def show_component(self) -> None:
        """Draw the focused component; where the assessor is is recorded once it has
        painted, so a restart never reopens a submission that did not finish opening."""
        self.update_header()
        self.query_one("#response-pane", LinesView).update(self.response_renderable())
        self.query_one("#rubric-pane", LinesView).update(self.rubric_renderable())
        self.call_after_refresh(self.save_position)

    def update_header(self) -> None:
        """What matters most first: the id, the revision and status, a decision; then the
        credential. Notices (read-only, a lead's note, readings, an older rubric) have a
        line of their own, wrapped, so none exists only past column 80."""
        state = self.state
        spec = state.spec
        top = Text()
        top.append(shown(f" {state.id} ", style="bold reverse"))
        top.append(f" rev {state.revision} · {state.status.label}", style="bold")
        decision = state.current_decision
        if decision is not None and state.status.is_closed:
            top.append(f" {outcome_label(decision.outcome)}", style="bold")
        if state.attempt > 1:
            top.append(f" · attempt {state.attempt}/{max(self.attempt_limit, state.attempt)}", style="bold")
        if not self.editable:
            top.append(" · read-only", style="bold")
        top.append(shown(f" · {spec.title} · you: {self.session.assessor}"))
        # One line each, always (.topbar, #review-progress): no layout for them (a layout
        # repaints every pane's scrollbar, a second frame), and no repaint if unchanged.
        self.update_line("#review-top", top)
        notice = Text()
        for said, style in self.notices():
            if notice:
                notice.append("\n")
            notice.append(shown(said, style=style))
        if self.update_line("#review-notice", notice, layout=True):  # it wraps: laid out again
            self.query_one("#review-notice", Static).display = bool(notice)
        component = self.component
        scored = [c for c in spec.components if c.scored]
        unscored = [c for c in scored if c.id not in state.levels]
        outcome = state.outcome
        line = Text()
        line.append(f"{self.index + 1}/{len(spec.components)} ")
        line.append(shown(component.title, style="bold"))
        line.append(f" · scored {len(scored) - len(unscored)}/{len(scored)}")
        line.append(" · so far: ")
        line.append(outcome.label, style="bold")
        line.append(f" · Part {component.part_number}", style="dim")
        self.update_line("#review-progress", line)

    def update_line(self, selector: str, line: Text, *, layout: bool = False) -> bool:
        """A header Static, repainted only when what it says changed (True if it did)."""
        if self.lines_shown.get(selector) == line:
            return False
        self.lines_shown[selector] = line
        self.query_one(selector, Static).update(line, layout=layout)
        return True

    def notices(self) -> list[tuple[str, str]]:
        state = self.state
        found: list[tuple[str, str]] = []
        if state.sent_back:
            found.append((f"⚑ Sent back by the lead: {state.sent_back}", "bold reverse"))
        if self.read_only_reason:
            found.append((self.read_only_reason, "bold"))
        elif state.status.is_closed:
            decision = state.current_decision
            outcome = f" {outcome_label(decision.outcome)}" if decision is not None else ""
            found.append((f"decided{outcome}: d shows the decision · r revises (asks first)", "bold"))
        elif state.revision > 1 and self.revision_unchanged:
            found.append((f"revision {state.revision}, nothing changed yet: r cancels it", "bold"))
        reading = state.reading_line()
        if reading:
            found.append((reading, ""))
        if state.rubric_note:
            found.append((state.rubric_note, "bold"))
        return found

    def response_renderable(self) -> RenderableType:
        component = self.component
        cache_key = f"{component.id}\x00diff" if self.show_diff else component.id
        cached = self.rendered.get(cache_key)
        if cached is not None:
            return cached
        spec = self.state.spec
        part = spec.part(component.part_number)
        blocks: list[RenderableType] = [shown(f"Part {part.number}: {part.title}", style="dim")]
        blocks.extend(attempt_banner(self.state, full=self.index == 0))
        evidences = spec.evidence_for(component)
        body_of_own = self.state.responses.get(component.id) if evidences == (component,) else None
        paired = (
            answers_per_prompt(body_of_own, len(component.prompts))
            if self.show_prompts is not False
            and body_of_own
            and len(body_of_own) <= RESPONSE_PAGE_CHARS
            and not self.show_diff
            else None
        )
        showing = self.show_prompts if self.show_prompts is not None else paired is not None
        if component.prompts and showing and paired is None:
            prompts = Text("Prompts (p hides)\n", style="bold")
            for prompt in component.prompts:
                prompts.append("• " + visible_controls(prompt).replace("\n", "\n  ") + "\n", style="italic")
            blocks.append(prompts)
        elif component.prompts and not showing:
            blocks.append(Text(f"{len(component.prompts)} prompt(s) hidden: p shows them", style="dim"))
        for evidence in evidences:
            body = self.state.responses.get(evidence.id)
            blocks.append(self.word_count_line(evidence, body))
            findings = [c for c in self.prechecks if c.component_id == evidence.id]
            for check in findings:
                if check.kind not in ("under_limit", "over_limit"):  # the count line says those
                    blocks.append(Text(f"⚠ {visible_controls(check.detail)}", style="bold"))
            for attachment in self.state.attachments:
                if attachment.component_id == evidence.id:
                    blocks.append(attachment_line(attachment))
            previous = self.state.previous
            if self.show_diff and previous is not None:
                blocks.append(diff_text(previous.responses.get(evidence.id), body))
            elif body is None:
                blocks.append(Text("(no response submitted for this component)", style="bold"))
            elif is_blank(body):
                blocks.append(Text("(the response is empty)", style="bold"))
            elif paired is not None and evidence is component:
                blocks.extend(self.answers_under_prompts(component, body, paired, findings))
            else:
                blocks.extend(self.response_part(body, findings))
            blocks.append(Text(""))
        renderable = RenderOnce(Group(*blocks))
        self.rendered[cache_key] = renderable
        return renderable

    def prompts_showing(self) -> bool:
        if self.show_prompts is not None:
            return self.show_prompts
        component = self.component
        body = self.state.responses.get(component.id)
        return bool(
            body
            and len(body) <= RESPONSE_PAGE_CHARS
            and answers_per_prompt(body, len(component.prompts)) is not None
        )

    def answers_under_prompts(
        self, component: Component, body: str, paired: tuple[str, list[str]], findings: list[PreCheck]
    ) -> list[RenderableType]:
        """Each answer under the prompt it answers (the response has one heading per prompt)."""
        intro, answers = paired
        marked = {body[c.start : c.end] for c in findings if c.start is not None and c.end is not None}

        def markdown(text: str) -> RenderableType:
            rendered = Markdown(visible_controls(text), hyperlinks=False)
            return HighlightWords(rendered, marked) if marked else rendered

        blocks: list[RenderableType] = [Text("Each answer under its prompt (p hides the prompts)", style="dim")]
        if intro:
            blocks.append(markdown(intro))
        for number, (prompt, answer) in enumerate(zip(component.prompts, answers, strict=True), start=1):
            question = Text(f"Prompt {number}: ", style="bold reverse")
            question.append(visible_controls(prompt), style="bold italic")
            blocks.append(Text(""))
            blocks.append(question)
            blocks.append(markdown(answer))
        return blocks

    def response_part(self, body: str, findings: list[PreCheck]) -> list[RenderableType]:
        """The part of a response on screen, with a line saying where it is in the whole
        when the response is longer than one part (RESPONSE_PAGE_CHARS)."""
        start, end, page = part_bounds(body, self.response_page.get(self.component.id, 0))
        text = body[start:end]
        markdown = Markdown(visible_controls(text), hyperlinks=False)
        marked = {body[c.start : c.end] for c in findings if c.start is not None and c.end is not None}
        blocks: list[RenderableType] = []
        if start > 0 or end < len(body):
            where = f"part {page + 1}: characters {start + 1:,}–{end:,} of {len(body):,}"
            keys = " · ".join(
                k for k, on in (("] next part", end < len(body)), ("[ previous", start > 0)) if on
            )
            blocks.append(Text(f"Long response, {where} · {keys}", style="bold reverse"))
        blocks.append(HighlightWords(markdown, marked) if marked else markdown)
        if end < len(body):
            blocks.append(Text(f"▼ the response goes on: ] shows part {page + 2}", style="bold reverse"))
        return blocks

    def word_count_line(self, component: Component, body: str | None) -> Text:
        """The count against the limit as the document states it: a hard limit broken is
        marked; a guide, a bullet-point alternative or a per-piece limit is said so. A
        response too long to count at once is counted in its first part, and says so."""
        body = body or ""
        counted = body[:WORD_COUNT_CHARS]
        partial = len(counted) < len(body)
        line = Text()
        line.append(shown(f"{component.title}: ", style="bold"))
        limits = component.word_limits
        if limits is None:
            words = count_words(counted)
            more = f"more than {words:,} words (counted in the first {len(counted):,} characters)"
            line.append(more if partial else f"{words} words")
            return line
        check = limits.assess(counted)
        if partial:  # only "over" is sure of a response counted in part
            line.append(f"more than {check.words:,} words (counted in the first {len(counted):,} characters)")
            if check.verdict == "over":
                line.append(" · OVER the limit ✗", style="bold reverse")
            else:
                line.append(" · not counted in full (check by eye)")
            return line
        style = "bold reverse" if check.verdict is not None else ""
        line.append(shown(check.summary, style=style))
        return line

    def reference_renderable(self) -> RenderableType:
        """The document's context for this component, beside the response (i toggles)."""
        component = self.component
        blocks: list[RenderableType] = [
            Text(f"Reference for {visible_controls(component.title)} (i: back to the rubric)", style="bold")
        ]
        for heading, text in self.state.spec.reference_sheet(component):
            blocks.append(Text("\n" + visible_controls(heading), style="bold underline"))
            blocks.append(Text(visible_controls(text)))
        return Group(*blocks)

    def rubric_renderable(self) -> RenderableType:
        if self.show_reference:
            return self.reference_renderable()
        component = self.component
        blocks: list[RenderableType] = [shown(component.title, style="bold")]
        chosen = self.state.levels.get(component.id)
        carried = carried_line(component, self.state)
        if carried is not None:
            blocks.append(carried)
        if component.judged_under:
            judge = self.state.spec.component(component.judged_under)
            blocks.append(
                Text(f"Judged under {visible_controls(judge.title)}: its rubric scores this response.")
            )
        elif component.scale is None:
            blocks.append(Text("Required, not scored: the credential document gives no rubric for it."))
        else:
            # The choice first, so it shows however small the pane is.
            if chosen is None:
                count = len(component.scale.levels)
                blocks.append(Text(f"Chosen: none yet (press 1-{count})", style="bold"))
            else:
                number = component.scale.levels.index(chosen) + 1
                verdict = "passes" if component.is_passing(chosen) else "does not pass"
                blocks.append(shown(f"Chosen: {number} {chosen} ({verdict})", style="bold reverse"))
            if self.state.previous is not None:
                blocks.append(previous_feedback(component, self.state.previous))
            if component.scale.programme:
                why = f": {component.scale.why}" if component.scale.why else ""
                own = f"A judgement of the programme's own (the document gives none){why}"
                blocks.append(shown(own, style="italic"))
            blocks.extend(level_lines(component, chosen))
        comment = self.state.comments.get(component.id)
        unscored = [c.title for c in self.state.spec.components if c.scored and c.id not in self.state.levels]
        line = Text("\nComment: ", style="bold")
        draft = self.session.load_draft(self.submission_id, field=component.id)
        unsaved = draft is not None and draft.strip() != (comment or "").strip()
        if comment:
            line.append(shown(comment))
            if unsaved:
                line.append(" (an unsaved draft differs: c reopens it)", style="italic")
        else:
            line.append("(none saved; a draft is kept: c reopens it)" if unsaved else "(none; press c to write one)")
        blocks.append(line)
        blocks.append(shown("\nStill to score: " + (", ".join(unscored) or "nothing"), style="dim"))
        return Group(*blocks)

    # -- actions --------------------------------------------------------------

    def stops(self) -> list[int]:
        """The components Tab stops on: those that take a level, unless the assessor's
        setting asks for every one (or none takes a level)."""
        components = self.state.spec.components
        if self.mcreview.preferences.preferences.tab_stops_on_unscored:
            return list(range(len(components)))
        scored = [i for i, c in enumerate(components) if c.scored]
        return scored or list(range(len(components)))

    def action_move(self, step: int) -> None:
        """Tab: the next component that takes a level (wrapping round)."""
        stops = self.stops()
        later = [i for i in stops if (i - self.index) * step > 0]
        if later:
            self.index = later[0] if step > 0 else later[-1]
        else:
            self.index = stops[0] if step > 0 else stops[-1]
        self.show_component()

    def action_step(self, step: int) -> None:
        """j / k: every component in order, those that take no level too."""
        self.index = (self.index + step) % len(self.state.spec.components)
        self.show_component()

    def next_needing_level(self) -> int | None:
        """After the focused component, the next (wrapping round) that still needs a level."""
        components = self.state.spec.components
        count = len(components)
        for offset in range(1, count):
            index = (self.index + offset) % count
            component = components[index]
            if component.scored and component.id not in self.state.levels and component.id not in self.state.carried:
                return index
        return None

    @property
    def revision_unchanged(self) -> bool:
        if self.state.revision < 2 or not self.state.status.is_open:
            return False
        with contextlib.suppress(ReviewError, StoreError):
            return self.session.revision_unchanged(self.submission_id)
        return False

    def action_other_pane(self) -> None:
        """Move the keyboard to the other pane, so ↑ ↓ PgUp PgDn scroll it."""
        response = self.query_one("#response-pane", LinesView)
        rubric = self.query_one("#rubric-pane", LinesView)
        (rubric if response.has_focus else response).focus()
        self.call_after_refresh(self.mark_focus)

    def mark_focus(self) -> None:
        """The focused pane says so in its title, not by colour alone."""
        response = self.query_one("#response-pane", LinesView)
        rubric = self.query_one("#rubric-pane", LinesView)
        rubric_name = "Reference" if self.show_reference else "Rubric"
        response.border_title = "▶ Response (↑↓ scroll · o: rubric)" if response.has_focus else "Response"
        rubric.border_title = f"▶ {rubric_name} (↑↓ scroll · o: response)" if rubric.has_focus else rubric_name

    def action_full_rubric(self) -> None:
        from mcreview.tui.screens.rubric_screen import RubricScreen

        def chosen(number: int | None) -> None:
            if number:
                self.action_level(number)

        component = self.component
        self.mcreview.push_screen(RubricScreen(component, self.state.levels.get(component.id)), chosen)

    def action_attachments(self) -> None:
        from mcreview.tui.screens.attachment_screen import AttachmentList

        if not self.state.attachments:
            self.notify("This submission has no attachments.")
            return
        self.mcreview.push_screen(AttachmentList(self.submission_id, self.component.id))

    def action_toggle_advance(self) -> None:
        now = not self.mcreview.preferences.preferences.auto_advance
        self.mcreview.set_preference(auto_advance=now)
        on = "Auto-advance on: a level key moves to the next component to score."
        self.notify(on if now else "Auto-advance off.")

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        from functools import partial

        found: list[tuple[str, str, Any]] = [
            ("Reference material for this component", "the document's context (i)", self.action_toggle_reference),
            ("Rubric, full screen", "every level and descriptor (f)", self.action_full_rubric),
            ("Decision", "the decision screen, or the recorded decision (d)", self.action_decide),
            ("History", "every change to this submission (h)", self.action_history),
        ]
        for attachment in self.state.attachments:
            name = attachment.description or attachment.path or attachment.url or "attachment"
            found.append((f"Attachment: {name}", "open it in the app", partial(self.open_attachment, attachment.seq)))
        if self.editable:
            from mcreview.services.phrases import phrases_for

            component = self.component
            level = self.state.levels.get(component.id)
            with contextlib.suppress(StoreError):
                for phrase in phrases_for(self.session.store, self.state.credential, component.id, level):
                    found.append(
                        (f"Insert phrase: {phrase.body}", f"into the comment on {component.title}",
                         partial(self.comment_with, phrase.body))
                    )
        return found

    def open_attachment(self, seq: int) -> None:
        from mcreview.tui.screens.attachment_screen import AttachmentScreen

        self.mcreview.push_screen(AttachmentScreen(self.submission_id, seq))

    def comment_with(self, phrase: str) -> None:
        """The comment editor, the phrase added at the end of the comment."""
        self.action_comment(append=phrase)

    def save_position(self) -> None:
        if not self.query_one("#response-pane", LinesView).drawn:
            self.call_after_refresh(self.save_position)  # not painted yet (the first frame)
            return
        with contextlib.suppress(StoreError):  # a lost resume point is not lost work
            self.session.remember_position(self.submission_id, self.component.id)

    def refuse_if_read_only(self) -> bool:
        if self.editable:
            return False
        if self.read_only_reason:
            self.notify(self.read_only_reason, severity="warning")
        else:
            self.notify("This revision is decided: press r to revise it.", severity="warning")
        return True

    def write_level(self, level: str | None) -> bool:
        component = self.component
        try:
            before = self.session.set_level(self.submission_id, component_id=component.id, level=level)
        except (ReviewError, StoreError) as error:
            self.notify(f"Not saved: {error}", severity="error")
            self.reload_state()
            return False
        if before != level:
            self.undo_stack.append((component.id, before, level))
        self.reload_state()
        return True

    def reload_state(self) -> None:
        """Read back what the database holds, so the screen never shows unsaved work."""
        self.state = self.session.load(self.submission_id, known=self.state)
        self.update_header()
        self.query_one("#rubric-pane", LinesView).update(self.rubric_renderable(), keep_scroll=True)

    def action_level(self, number: int) -> None:
        level = self.level_of_key(self.component, number)
        if level is None or self.refuse_if_read_only():
            return
        if self.write_level(level) and self.mcreview.preferences.preferences.auto_advance:
            following = self.next_needing_level()
            if following is not None:
                self.index = following
                self.show_component()
            elif self.state.outcome.status != "incomplete":
                self.notify(f"Every component is scored: so far {self.state.outcome.label}. d decides.")

    def action_clear_level(self) -> None:
        if self.component.scored and not self.refuse_if_read_only():
            self.write_level(None)

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo.")
            return
        if self.refuse_if_read_only():
            return
        component_id, before, after = self.undo_stack.pop()
        ids = [c.id for c in self.state.spec.components]
        self.index = ids.index(component_id)
        try:
            self.session.undo_level(
                self.submission_id, component_id=component_id, undoing=after, restore=before
            )
        except (ReviewError, StoreError) as error:
            self.notify(str(error), severity="warning")
            self.undo_stack.clear()  # older changes sit under someone else's now: none can be undone
        else:
            self.notify(f"Undone: {self.component.title} is {before or 'unscored'} again.")
        self.reload_state()
        self.show_component()

    def action_toggle_reference(self) -> None:
        self.show_reference = not self.show_reference
        self.mark_focus()
        self.query_one("#rubric-pane", LinesView).update(self.rubric_renderable())

    def action_toggle_diff(self) -> None:
        if self.state.previous is None:
            self.notify("This is a first attempt: there is no earlier response to compare.")
            return
        self.show_diff = not self.show_diff
        self.show_component()

    def action_response_part(self, step: int) -> None:
        """Show the next (or previous) part of a response too long to draw at once."""
        component = self.component
        page = self.response_page.get(component.id, 0)
        if page + step < 0:
            self.notify("This is the start of the response.")
            return
        bodies = [self.state.responses.get(e.id) or "" for e in self.state.spec.evidence_for(component)]
        if step > 0 and all(part_bounds(body, page)[1] >= len(body) for body in bodies):
            self.notify("This is the end of the response.")
            return
        self.response_page[component.id] = page + step
        self.rendered.pop(component.id, None)
        self.query_one("#response-pane", LinesView).update(self.response_renderable())

    def action_toggle_prompts(self) -> None:
        self.show_prompts = not self.prompts_showing()
        self.rendered.clear()
        self.show_component()

    def action_comment(self, append: str = "") -> None:
        if self.refuse_if_read_only():
            return
        from mcreview.tui.screens.comment_editor import edit_comment

        component = self.component
        current = self.state.comments.get(component.id, "")
        title = f"Comment on {component.title}"
        from mcreview.tui.screens.comment_editor import PhraseContext

        bank = PhraseContext(self.state.spec, component.id, self.state.levels.get(component.id) or "")
        edit_comment(
            self, title, self.submission_id, component.id, current, self.reload_state, bank=bank, append=append
        )

    def action_decide(self) -> None:
        """The decision screen while scoring; once recorded, the decision read back."""
        from mcreview.tui.screens.decision_view import DecisionView

        state = self.state
        mine_recorded = any(
            r.assessor == self.session.assessor and r.recorded for r in state.readings if r.kind == "reading"
        )
        if state.status.is_closed or mine_recorded or (state.lead and state.status is Status.APPROVAL):
            self.mcreview.push_screen(DecisionView(self.submission_id))
            return
        if state.status.with_lead:
            self.notify(f"Waiting for a lead ({state.status.label}): nothing to decide here.")
            return
        if self.refuse_if_read_only():
            return
        from mcreview.tui.screens.decision_screen import DecisionScreen

        def after(decided: bool | None) -> None:
            if decided:  # done with it: the next start opens the queue, not this submission
                with contextlib.suppress(StoreError):
                    self.session.remember_position(None, None)
                self.mcreview.pop_screen()
            else:
                self.reload_state()

        self.mcreview.push_screen(DecisionScreen(self.submission_id), after)

    def action_revise(self) -> None:
        """Revise a decided submission, or cancel a revision nobody has changed; each asks
        first, on a screen that says what will happen."""
        state = self.state
        if state.status.is_open and self.revision_unchanged:
            self.ask_cancel_revision()
            return
        if not state.status.is_closed:
            self.notify("Only a decided submission can be revised.")
            return
        decision = state.current_decision
        body = Text()
        body.append(shown(f"{state.id} is {state.status.label}", style="bold"))
        if decision is not None:
            body.append(f": {outcome_label(decision.outcome)}", style="bold")
        body.append(f" (revision {state.revision}).\n\n")
        body.append(f"Revising opens revision {state.revision + 1}, starting from the recorded levels and comments,")
        body.append(" for you to change and decide again. The decision of")
        body.append(f" revision {state.revision} is kept in the history.")
        if state.status is Status.SYNCED:
            body.append(
                "\n\nIt has been synced: the credential platform has the earlier decision already;"
                " a new decision goes out at the next sync.",
                style="bold",
            )
        body.append("\n\nIf you change nothing, r on the review screen cancels the new revision.")

        def answered(answer: Answer | None) -> None:
            if answer is Answer.CONFIRM:
                self.revise()
            else:
                self.notify("Not revised.")

        self.mcreview.push_screen(
            ConfirmScreen(f"Revise {state.id}?", body, confirm=f"opens revision {state.revision + 1}", editable=False),
            answered,
        )

    def revise(self) -> None:
        try:
            revision = self.session.reopen(self.submission_id)
        except (ReviewError, StoreError) as error:
            self.notify(f"Not revised: {error}", severity="error")
            return
        self.state = self.session.load(self.submission_id)
        self.take_claim()
        self.undo_stack.clear()
        self.show_component()
        self.notify(f"Revision {revision} opened; the earlier decision is kept. r cancels it while unchanged.")

    def ask_cancel_revision(self) -> None:
        state = self.state
        body = Text()
        body.append(f"Revision {state.revision} has no change in it.\n\n", style="bold")
        body.append(f"Cancelling it takes {state.id} back to revision {state.revision - 1}, as it was,")
        body.append(" with its decision.")

        def answered(answer: Answer | None) -> None:
            if answer is not Answer.CONFIRM:
                self.notify("The revision stays open.")
                return
            try:
                previous = self.session.cancel_revision(self.submission_id)
            except (ReviewError, StoreError) as error:
                self.notify(f"Not cancelled: {error}", severity="error")
                return
            self.state = self.session.load(self.submission_id)
            self.read_only_reason = None
            self.undo_stack.clear()
            self.show_component()
            self.notify(f"Revision {state.revision} cancelled: back to revision {previous}, {self.state.status.label}.")

        self.mcreview.push_screen(
            ConfirmScreen(f"Cancel revision {state.revision}?", body, confirm="cancels it", editable=False),
            answered,
        )

    def action_history(self) -> None:
        from mcreview.tui.screens.history_screen import HistoryScreen

        self.mcreview.push_screen(HistoryScreen(self.submission_id))

    def action_back(self) -> None:
        self.release_claim()
        with contextlib.suppress(StoreError):
            self.session.remember_position(None, None)
        self.mcreview.pop_screen()


class RenderOnce:
    """A renderable that lays its content out once per width and replays the lines.

    Textual renders a Static's content in full to measure its height and again to paint
    it, and again when the pane's width changes (a scrollbar appearing); for a 2,000-word
    Markdown response each pass is 15-20 ms. Kept per component (ReviewScreen.rendered),
    so moving back to a component replays it too.
    """

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable
        self._lines: dict[tuple[object, ...], list[list[Segment]]] = {}

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key = (options.max_width, options.justify, options.overflow, options.no_wrap)
        lines = self._lines.get(key)
        if lines is None:
            lines = console.render_lines(self.renderable, options.update(height=None), pad=False)
            self._lines[key] = lines
        new_line = Segment.line()
        for line in lines:
            yield from line
            yield new_line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.renderable)


def attachment_line(attachment: AttachmentRow) -> Text:
    """Name the file (or link), say whether it can be read here, and say plainly when a
    named file is missing; a opens it."""
    line = Text("📎 ")
    line.append(visible_controls(attachment.description) or "attachment")
    if attachment.url:
        line.append(f" — link: {visible_controls(attachment.url)}")
        return line
    if attachment.path:
        line.append(f" — {visible_controls(Path(attachment.path).name)}")
    if attachment.stored:
        line.append(" (a opens it)", style="dim")
    elif attachment.content_state == ContentState.MISSING or (
        attachment.path and attachment.content_state != ContentState.TOO_LARGE and not Path(attachment.path).exists()
    ):
        line.append(" (FILE MISSING)", style="bold reverse")
    else:
        line.append(" (a shows where it is)", style="dim")
    return line
