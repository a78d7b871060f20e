"""Pre-checks on a candidate's Markdown response: word count and identifying information.

Plain Python with no UI imports, so the importer, the CLI and the review screen can
all use it. Both public functions are total: any ``str`` gives an answer, never an
exception, and 1 MB of text is handled in a fraction of a second (every regular
expression here is written so that it cannot backtrack catastrophically).
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = [
    "CASE_STUDY_NAMES",
    "IDENTIFIER_LABELS",
    "Finding",
    "count_words",
    "find_identifiers",
]

# --------------------------------------------------------------------------------------
# Word count
# --------------------------------------------------------------------------------------

# A word: letters/digits, optionally joined by an apostrophe or hyphen ("don't",
# "well-being"); digit groups joined by "," or "." ("1,000", "3.5") stay one word. A
# visible URL ("https://…", "www.…") or email address also counts as one word, the way
# a word processor counts it, not as every fragment between dots.
_WORD = re.compile(r"[^\W_]+(?:(?<=\d)[.,]\d+)*(?:['’\-][^\W_]+(?:(?<=\d)[.,]\d+)*)*")
_URL_WORD = re.compile(r"(?:https?://|www\.|HTTPS?://|WWW\.)[^\s<>]+")

# markdown-it-py is exact but pure Python (~2 µs per character on markup-dense text,
# more on crafted input), and counting runs for every response at import. The
# linear-time regex pass strips the same syntax and gave the same count for all 5,727
# responses benchmarked (sample queue + synthetic, bench/run.py); markdown-it is kept
# for text the fast pass cannot read the same way (tables, raw HTML, reference links).
_MARKDOWN_IT_LIMIT = 32_000
_NEEDS_PARSER = re.compile(r"^ {0,3}\||<[A-Za-z!/]|\]\[|^ {0,3}\[[^\]\n]+\]:", re.MULTILINE)

_md = MarkdownIt("commonmark").enable("table")

_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_HTML_BR = re.compile(r"<br\b", re.IGNORECASE)


def count_words(markdown: str) -> int:
    """Count the words a reader sees once the Markdown is rendered.

    Syntax (``#``, ``*``, ``|``, ``>``, list markers), link and image targets, image
    alt text, HTML tags and comments are not words; link text, code and table cells
    are. Word limits in the rubrics are about what the candidate wrote, not markup.
    """
    if not isinstance(markdown, str) or not markdown:
        return 0
    if len(markdown) <= _MARKDOWN_IT_LIMIT and _NEEDS_PARSER.search(markdown):
        try:
            return _count(_visible_text_markdown_it(markdown))
        except Exception:  # noqa: BLE001 - a parser bug must not stop a review
            pass
    return _count(_visible_text_fast(markdown))


def _count(text: str) -> int:
    # URLs and email addresses first become a single placeholder word each.
    spans = [m.span() for m in _URL_WORD.finditer(text)]
    if "@" in text:
        spans.extend(_emails(text))
        spans.sort()
    if spans:
        pieces: list[str] = []
        pos = 0
        for start, end in spans:
            if start >= pos:
                pieces.append(text[pos:start])
                pieces.append(" link ")
                pos = end
        pieces.append(text[pos:])
        text = "".join(pieces)
    return len(_WORD.findall(text))


def _visible_text_markdown_it(markdown: str) -> str:
    """The rendered text of ``markdown``, one block per line, via markdown-it-py."""
    parts: list[str] = []
    for token in _md.parse(markdown):
        if token.type == "inline":
            parts.append(_inline_text(token.children or []))
        elif token.type in ("fence", "code_block"):
            parts.append(token.content)
        elif token.type == "html_block":
            parts.append(_strip_html(token.content))
    return "\n".join(parts)


def _inline_text(children: list[Token]) -> str:
    # Pieces are joined without separators so "**well**-being" stays one word.
    pieces: list[str] = []
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            pieces.append(child.content)
        elif kind in ("softbreak", "hardbreak") or (kind == "html_inline" and _HTML_BR.match(child.content)):
            pieces.append("\n")
        # image: its alt text lives in its children and is not shown; skip it.
        # link_open/close, em/strong, other inline HTML: markup only.
    return "".join(pieces)


def _strip_html(text: str) -> str:
    return _HTML_TAG.sub(" ", _strip_html_comments(text))


def _strip_html_comments(text: str) -> str:
    """Remove ``<!-- … -->`` in linear time (an unclosed comment runs to the end)."""
    out: list[str] = []
    pos = 0
    while True:
        start = text.find("<!--", pos)
        if start < 0:
            out.append(text[pos:])
            break
        out.append(text[pos:start])
        end = text.find("-->", start + 4)
        if end < 0:
            break
        out.append(" ")
        pos = end + 3
    return "".join(out)


# --- fast path: line-based, linear time, mirrors what markdown-it hides -----------------

# A fenced code block: opening fence, content, closing fence (or the end of the text).
# The lazy scan stops at the first closer; an unclosed fence runs to the end, as in
# CommonMark, so each character is scanned once: linear time.
_FENCE_BLOCK = re.compile(
    r"^ {0,3}(`{3,}|~{3,})[^\n]*\n?(.*?)(?:^ {0,3}\1[`~]*[ \t]*$|\Z)", re.MULTILINE | re.DOTALL
)
_REFERENCE_DEF = re.compile(r"^ {0,3}\[[^\[\]\n]{1,999}\]:[ \t]*\S[^\n]*", re.MULTILINE)
# Ordered-list numbers ("12.", "3)") are the only block markers made of word characters.
_LIST_MARKERS = re.compile(r"^(?:[ \t>]*(?:\d{1,9}[.)]|[-+*])(?=[ \t]|$))+", re.MULTILINE)
# Asterisks vanish when rendered ("**bold**-faced" is one word); underscores separate
# words whether they are emphasis or not ("_under_score", "snake_case").
_EMPHASIS = str.maketrans({"*": None, "_": " "})
_IMAGE = re.compile(
    r"!\[[^\[\]\n]{0,999}\]"
    r"(?:\([ \t]*(?:<[^<>\n]*>|[^\s()]*)(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'))?[ \t]*\)"
    r"|\[[^\[\]\n]{0,999}\])"
)
_LINK_TARGET = re.compile(r"\]\([ \t]*(?:<[^<>\n]*>|[^\s()]*)(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'))?[ \t]*\)")
_LINK_REF = re.compile(r"\]\[[^\[\]\n]{0,999}\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _visible_text_fast(markdown: str) -> str:
    """An approximation of the rendered text for very large input, in linear time."""
    code: list[str] = []
    prose: list[str] = []
    pos = 0
    for fence in _FENCE_BLOCK.finditer(markdown):
        prose.append(markdown[pos : fence.start()])
        code.append(fence.group(2))
        pos = fence.end()
    prose.append(markdown[pos:])
    text = "\n".join(prose)
    text = _REFERENCE_DEF.sub("", text)
    text = _LIST_MARKERS.sub("", text)
    text = _strip_html_comments(text)
    text = _ESCAPE.sub(lambda m: m.group(1) if m.group(1) in "'-" else " ", text)
    text = _IMAGE.sub(" ", text)
    text = _LINK_TARGET.sub("]", text)
    text = _LINK_REF.sub("]", text)
    text = _AUTOLINK.sub(lambda m: " " + m.group(1) + " ", text)
    text = _HTML_TAG.sub(lambda m: "\n" if _HTML_BR.match(m.group(0)) else "", text)
    text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    text = text.translate(_EMPHASIS)
    return text + "\n" + "\n".join(code)


# --------------------------------------------------------------------------------------
# Identifying information
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """Something in a response that may identify a person or school.

    ``start``/``end`` are offsets into the text that was checked, so the review screen
    can highlight exactly the characters that ``text`` holds.
    """

    kind: str
    start: int
    end: int
    text: str


IDENTIFIER_LABELS: dict[str, str] = {
    "email": "email address",
    "phone": "phone number",
    "street_address": "street address",
    "titled_name": "name with a title",
    "school": "school or district name",
    "handle": "social media handle",
    "url": "link to a personal or social profile",
}

# The seed rubric's case study is about these fictional characters; every candidate
# writes about them, so "Ms. Anderson" and "Mrs. Benson" are not identifying.
CASE_STUDY_NAMES: frozenset[str] = frozenset({"Anderson", "Benson"})

# When two candidates overlap, the kind earlier here wins (then the earlier, longer one).
_PRIORITY = ("email", "url", "handle", "phone", "street_address", "school", "titled_name")

# Performance note: every pattern below begins with a literal or a character class
# (never a look-behind), so the regex engine can skip ahead quickly, and none has
# nested unbounded repetition. Boundary checks that would need a leading look-behind
# are done in Python or as a fixed-width look-behind after the first character.


def find_identifiers(text: str) -> list[Finding]:
    """Find possible identifying information in ``text``, sorted by start, non-overlapping.

    Assessment is meant to be blind: names, contacts and schools in a response can
    reveal who the candidate is. These are prompts for the assessor, not verdicts.
    """
    if not isinstance(text, str) or not text:
        return []
    try:
        return _find_identifiers(text)
    except Exception:  # noqa: BLE001 - a detector bug must not stop a review
        return []


def _find_identifiers(text: str) -> list[Finding]:
    # kind -> [(start, end, flagged)]. Unflagged URLs (articles) still claim their span,
    # so nothing inside a link is reported piecemeal as a handle or phone number.
    found: dict[str, list[tuple[int, int, bool]]] = {kind: [] for kind in _PRIORITY}
    found["url"] = [(s, e, _is_profile_url(text[s:e])) for s, e in _urls(text)]
    found["email"] = [(s, e, True) for s, e in _emails(text)]
    found["handle"] = [(m.start(), m.end(), True) for m in _HANDLE.finditer(text)]
    found["phone"] = [(s, e, True) for s, e in _phones(text)]
    found["street_address"] = [(m.start(), m.end(), True) for m in _STREET_ADDRESS.finditer(text)]
    found["school"] = [(s, e, True) for s, e in _schools(text)]
    found["titled_name"] = [(s, e, True) for s, e in _titled_names(text)]

    taken: list[tuple[int, int]] = []  # disjoint, sorted by start
    chosen: list[tuple[int, int, str]] = []
    for kind in _PRIORITY:
        starts = [s for s, _ in taken]
        accepted: list[tuple[int, int]] = []
        last_end = -1
        for start, end, flagged in sorted(found[kind], key=lambda c: (c[0], -c[1])):
            if not 0 <= start < end <= len(text) or start < last_end:
                continue
            i = bisect_right(starts, start)
            if (i > 0 and taken[i - 1][1] > start) or (i < len(taken) and taken[i][0] < end):
                continue
            accepted.append((start, end))
            last_end = end
            if flagged:
                chosen.append((start, end, kind))
        taken = sorted(taken + accepted)  # two sorted runs: a linear merge
    chosen.sort()
    return [Finding(kind, start, end, text[start:end]) for start, end, kind in chosen]


def _follows_word(text: str, index: int) -> bool:
    """Whether ``text[index]`` continues a word (so a match there is mid-word)."""
    if index <= 0:
        return False
    previous = text[index - 1]
    return previous.isalnum() or previous == "_"


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# --- email and handle -------------------------------------------------------------------

_EMAIL_DOMAIN = re.compile(r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![\w-])")
_EMAIL_LOCAL_CHARS = frozenset("._%+-")


def _emails(text: str) -> Iterator[tuple[int, int]]:
    # Anchored on "@", then the local part is walked back by hand (at most 64 chars).
    for m in _EMAIL_DOMAIN.finditer(text):
        at = m.start()
        start = at
        while start > max(0, at - 64) and (
            text[start - 1].isalnum() or text[start - 1] in _EMAIL_LOCAL_CHARS
        ):
            start -= 1
        while start < at and text[start] in _EMAIL_LOCAL_CHARS:
            start += 1
        if start < at:
            yield start, m.end()


# "@name" not preceded by a word character, dot, slash or another "@".
_HANDLE = re.compile(r"@(?<![\w.@/+\-]@)[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*")

# --- URLs -------------------------------------------------------------------------------

_URL_CHARS = r"[^\s<>\"'`\[\]{}|\\^]+"
# Case-sensitive alternatives (not re.IGNORECASE) keep the engine's fast prefix scan.
_URL = re.compile(r"(?:https?://|www\.|HTTPS?://|WWW\.|Https?://|Www\.)" + _URL_CHARS)
_SOCIAL_HOSTS = tuple(
    sorted(
        _word_set(
            """facebook.com fb.com twitter.com x.com instagram.com linkedin.com tiktok.com
            youtube.com threads.net pinterest.com bsky.app medium.com github.com"""
        ),
        key=len,
        reverse=True,  # longest first, so "x.com" never shadows a longer host in the regex
    )
)
# A social link written without "https://" or "www.", e.g. "youtube.com/@MsKim".
_BARE_SOCIAL_URL = re.compile(r"(?:" + "|".join(re.escape(h) for h in _SOCIAL_HOSTS) + r")/" + _URL_CHARS)
_HOST_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


def _urls(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in _URL.finditer(text):
        start = m.start()
        if start > 0 and (_follows_word(text, start) or text[start - 1] in "@/.-"):
            continue
        end = _trim_url_end(text, start, m.end())
        if end > start:
            spans.append((start, end))
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower-case to two; keep offsets
        lowered = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    if any(host + "/" in lowered for host in _SOCIAL_HOSTS):
        covered = sorted(spans)
        for m in _BARE_SOCIAL_URL.finditer(lowered):
            start = m.start()
            # Take in a "www." / "m." / other subdomain written before the host.
            while start >= 2 and text[start - 1] == "." and text[start - 2] in _HOST_LABEL_CHARS:
                label_start = start - 1
                while label_start > 0 and text[label_start - 1] in _HOST_LABEL_CHARS:
                    label_start -= 1
                start = label_start
            if start > 0 and (_follows_word(text, start) or text[start - 1] in "@/.-"):
                continue
            i = bisect_right(covered, (start, len(text) + 1))
            if i > 0 and covered[i - 1][1] > start:
                continue  # already part of an http(s) URL
            end = _trim_url_end(text, start, m.end())
            if end > start:
                spans.append((start, end))
    return spans


def _trim_url_end(text: str, start: int, end: int) -> int:
    """Drop sentence punctuation and unbalanced closing brackets from a URL's end."""
    opened = text.count("(", start, end)
    closed = text.count(")", start, end)
    while end > start:
        last = text[end - 1]
        if last in ".,;:!?*_~'\"":
            end -= 1
        elif last == ")" and opened < closed:
            end -= 1
            closed -= 1
        else:
            break
    return end


_PROFILE_SEGMENTS = _word_set(
    """staff faculty teacher teachers people person profile profiles user users u members
    member directory author authors bio
    """
)
# First path segments on social sites that are not a person's page.
_SOCIAL_NON_PROFILE = _word_set(
    """watch embed playlist results shorts live feed hashtag search explore intent share
    sharer sharer.php home i p reel reels tv pulse learning jobs help about legal
    privacy terms tag topic topics events login signup settings notifications messages
    stories status video videos discover trending policies watch.php
    """
)
# Hosts named after a teacher: "mrsgarcia….com", "coachlee….net" outright; "mr…",
# "ms…", "miss…" (mrna, msn, mission…) only with a classroom word ("mrkimsclass").
_PERSONAL_HOST = re.compile(r"(?:mrs|coach)[-_]?[a-z]{3,}[\w-]*\.[a-z]")
_MAYBE_PERSONAL_HOST = re.compile(
    r"(?:mr|ms|miss)[-_]?[a-z]{3,}[\w-]*(?:class|grade|teach|room|kinder|reads|learn|science"
    r"|math|english|history|music|students|kids)[\w-]*\.[a-z]"
)
_NOT_PERSONAL_HOSTS = frozenset({"mrsa", "mrsaction", "coachella", "coaches", "coaching"})
_SITE_BUILDERS = _word_set(
    """weebly.com wixsite.com wordpress.com blogspot.com edublogs.org github.io
    substack.com squarespace.com webs.com tumblr.com
    """
)


@lru_cache(maxsize=4096)
def _is_profile_url(url: str) -> bool:
    """Whether a URL points at a person's (or a school's own) page rather than an article."""
    candidate = url if url[:7].lower() in ("http://", "https:/") else "http://" + url
    try:
        parts = urlsplit(candidate)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    host = host.removeprefix("www.").removeprefix("m.").removeprefix("mobile.")
    labels = host.split(".")
    segments = [s for s in parts.path.split("/") if s]
    if "k12" in labels[:-1]:
        return True  # a district or school website names the school
    if (_PERSONAL_HOST.match(host) or _MAYBE_PERSONAL_HOST.match(host)) and not any(
        labels[0].startswith(prefix) for prefix in _NOT_PERSONAL_HOSTS
    ):
        return True  # a teacher's own site
    if len(labels) >= 3 and ".".join(labels[-2:]) in _SITE_BUILDERS:
        return True
    if any(s.startswith(("@", "~")) and len(s) > 1 for s in segments):
        return True
    if ".".join(labels[-2:]) in _SOCIAL_HOSTS:
        return bool(segments) and segments[0].lower() not in _SOCIAL_NON_PROFILE
    if host == "sites.google.com" and len(segments) >= 2 and segments[0] == "view":
        return True
    return any(segment.lower() in _PROFILE_SEGMENTS for segment in segments[:-1])


# --- phone numbers ----------------------------------------------------------------------

_SEP = r"[ \t.\-\u2010-\u2013]"
# A run of digits and phone punctuation; only runs with 7+ digits are looked at closely.
_PHONE_RUN = re.compile(r"[+(]?\d[\d \t().\-\u2010-\u2013]*")
_AREA = r"(?:\(\d{3}\)[ \t]?|\d{3}" + _SEP + r")"
# 555-123-4567, (555) 123-4567, 555.123.4567, +1 555 123 4567, 1-800-555-0199. Every
# branch starts with a literal or a digit (fast scanning); the check that no word,
# dot or slash comes right before is done in _phones.
_PHONE_US = re.compile(
    r"(?:\+1" + _SEP + r"?" + _AREA + r"|1" + _SEP + _AREA + r"|\(\d{3}\)[ \t]?|\d{3}" + _SEP + r")"
    r"\d{3}" + _SEP + r"\d{4}(?![\w\-/]|[.,]\d)"
)
_PHONE_INTL = re.compile(
    r"\+(?<![\w+]\+)\d{1,3}(?:[ \t.\-]?\(\d{1,4}\)|[ \t.\-]\d{1,5}){1,6}(?![\w\-/]|[.,]\d)"
)
_PHONE_E164 = re.compile(r"\+(?<![\w+]\+)\d{8,15}(?!\d)")
# Seven-digit local numbers ("555-0134") only right after a word that says "phone".
_PHONE_LOCAL = re.compile(r"\d(?<![\w.\-/]\d)\d\d[\-.]\d{4}(?![\w\-/]|[.,]\d)")
_PHONE_CUE = re.compile(
    r"\b(?:call|phone|cell|mobile|text|tel|telephone|number|reach(?:ed)?(?: me)?|contact)\b"
    r"[^\n\d]{0,20}$"
)


def _phones(text: str) -> Iterator[tuple[int, int]]:
    for run in _PHONE_RUN.finditer(text):
        start, end = run.span()
        if end - start < 8:
            continue  # too short to hold seven digits and a separator
        digits = sum(map(str.isdigit, run.group(0)))
        if digits < 7:
            continue
        window_end = min(len(text), end + 2)  # room for the trailing look-aheads
        if digits >= 10:
            pos = start
            while (m := _PHONE_US.search(text, pos, window_end)) is not None:
                pos = m.start() + 1
                if m.start() > 0 and (_follows_word(text, m.start()) or text[m.start() - 1] in ".+-/,"):
                    continue  # part of a longer number, code or URL
                yield m.start(), m.end()
                pos = m.end()
            for pattern in (_PHONE_INTL, _PHONE_E164):
                for m in pattern.finditer(text, start, window_end):
                    if 10 <= sum(map(str.isdigit, m.group(0))) <= 15:
                        yield m.start(), m.end()
        for m in _PHONE_LOCAL.finditer(text, start, window_end):
            if _PHONE_CUE.search(text[max(0, m.start() - 40) : m.start()].lower()):
                yield m.start(), m.end()


# --- street addresses -------------------------------------------------------------------

_STREET_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place"
    r"|Pl|Parkway|Pkwy|Terrace|Ter|Circle|Cir|Highway|Hwy|Trail|Trl)"
)
_TITLES = frozenset({"Mr", "Mrs", "Ms", "Mx", "Miss", "Dr", "Prof", "Principal", "Superintendent", "Coach"})
_TITLE_WORDS = r"(?:" + "|".join(sorted(_TITLES, key=len, reverse=True)) + r")\b"
# "412 Elm Street", "2200 North Lamar Blvd", "1420 W. Maple Ave", "55 West 4th St".
_STREET_ADDRESS = re.compile(
    r"\d(?<![\w.,:/\-]\d)\d{0,5}[A-Za-z]?[ \t]+"
    r"(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?[ \t]+)?"
    r"(?:(?:(?=[A-Z])(?!"
    + _TITLE_WORDS
    + r")[A-Z][A-Za-z'’\-]*\.?|\d{1,3}(?:st|nd|rd|th))[ \t]+){1,4}"
    + _STREET_SUFFIX
    + r"\b"
)

# --- names with a title -----------------------------------------------------------------

_NAME_WORD = r"(?:[A-Z][a-z]?\.|[^\W\d_][\w'’\-]*)"
_TITLED_NAME = re.compile(
    r"(?:(?:Mrs|Mr|Ms|Mx|Dr|Prof)\.?|Miss|Principal|Superintendent|Coach"
    r"|principal|superintendent|coach)"
    # The first name word is not lower-case ASCII and not another title; a title
    # followed by a title ("Superintendent Dr. Fisher") is found from the second one.
    r"[ \t]+(?![a-z]|" + _TITLE_WORDS + r")"
    r"(" + _NAME_WORD + r"(?:[ \t]+" + _NAME_WORD + r"){0,3})"
)
# Capitalised words that follow a title without being a name ("Coach Program").
_NOT_NAMES = _word_set(
    """A An And As At But By For From Her His I If In Is It Its Of On Or Our She So That The
    Their Then There They This To We When Where Who With You Your My Me He Him
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March
    April May June July August September October November December
    Team Program Programme Cohort Cycle Meeting Meetings Training Session Model Role
    Academy Institute Network Office Department Committee Council Conference Corner
    Evaluation Evaluations Handbook Standards Framework Certification Feedback
    Access Advisory Award Cabinet Calendar Chat Chats Checklist Coffee Dashboard Goals
    Hours Huddle Leadership Letter Log Memo Message Newsletter Notes Observation
    Observations Plan Report Rounds Support Survey Update Updates Visibility Visit Visits
    Walkthrough Walkthroughs
    """
)
# Role words (unlike "Mr."/"Dr.") also head title-case phrases: "Principal Access Calendar".
_ROLE_TITLES = frozenset({"Principal", "Superintendent", "Coach", "principal", "superintendent", "coach"})


def _titled_names(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    while True:
        m = _TITLED_NAME.search(text, pos)
        if m is None:
            return
        pos = m.start(1)  # no title starts inside the one just matched
        if _follows_word(text, m.start()):
            continue  # "Dr" inside a longer word
        names: list[str] = []
        end = None
        group, offset, cursor = m.group(1), m.start(1), 0
        for word in group.split():
            at = group.find(word, cursor)
            cursor = at + len(word)
            bare = word[:-2] if word.endswith(("'s", "’s")) else word.rstrip("'’-")
            if len(bare) < 2 or not bare[0].isupper() or bare in _NOT_NAMES:
                break
            names.append(bare.rstrip("."))
            if (len(bare) == 2 and bare[1] == ".") or names[-1] in _TITLES:
                continue  # an initial or a second title counts only with a name after it
            end = offset + at + len(bare)
        if end is None or any(name in CASE_STUDY_NAMES for name in names):
            continue
        if len(names) >= 3 and m.group(0).split(None, 1)[0] in _ROLE_TITLES:
            continue  # "Principal Access Calendar": a title-case phrase, not a name
        yield m.start(), end
        pos = end


# --- schools and districts --------------------------------------------------------------

_SCHOOL_SUFFIX = (
    r"(?:Unified[ \t]+School[ \t]+District|Independent[ \t]+School[ \t]+District"
    r"|Consolidated[ \t]+School[ \t]+District|School[ \t]+District|Public[ \t]+Schools"
    r"|County[ \t]+Schools|Junior[ \t]+High(?:[ \t]+School)?|Senior[ \t]+High(?:[ \t]+School)?"
    r"|High[ \t]+School|Middle[ \t]+School|Elementary(?:[ \t]+School)?|Primary[ \t]+School"
    r"|Intermediate[ \t]+School|Charter[ \t]+School|Preparatory[ \t]+(?:School|Academy)"
    r"|Academy|ISD|CISD|USD|Middle|High)\b"
)
_SCHOOL_HINT = re.compile(_SCHOOL_SUFFIX)
_SCHOOL_NAME_WORD = r"[A-Z][\w'’\-]*\.?[ \t]+(?:(?:of|the|&)[ \t]+)?"
# One to five capitalised words ending in a school word: "Maple Grove Elementary".
_SCHOOL = re.compile(
    r"(?=[A-Z])(?<![\w'’])(" + _SCHOOL_NAME_WORD + r"(?:" + _SCHOOL_NAME_WORD + r"){0,4})" + _SCHOOL_SUFFIX
)
_SCHOOL_WINDOW = 160  # characters before a school word searched for its name
# Words that start a sentence or describe a school, not part of a school's name.
_SCHOOL_LEADERS = _word_set(
    """A An And As At Before After But By During Each Every For From Her His I If In Into
    Its Last Like Many Most My Next Nearby Not Of On Once Our Since So Some That The Their
    This Those Until When Where While With Within Your Local Public Private Rural Urban
    Suburban Title Charter Small Large New Old Typical Traditional Another Any Both Other
    Middle Junior Senior High Elementary Primary School Schools District Math English Science
    Art Music Social Studies History Spanish French Reading Writing Gifted Special Summer
    AP IB PE ELA ESL ELL STEM STEAM K Pre
    First Second Third Fourth Fifth Sixth Seventh Eighth Ninth Tenth Eleventh Twelfth
    Freshman Sophomore Grade Leadership Teacher Teachers Teaching Mentor Mentoring Coaching
    Literacy Principal Principals Leader Leaders Novice Beginning Virtual Online
    """
)
# Proper names that end in a school word but are not schools.
_NOT_SCHOOLS = frozenset({"Khan Academy", "National Academy"})


def _schools(text: str) -> Iterator[tuple[int, int]]:
    # Look only near school words ("Elementary", "ISD", ...), in merged windows, so a
    # long text with many capitalised words is not scanned name-by-name everywhere.
    window_start = window_end = -1
    windows: list[tuple[int, int]] = []
    for hint in _SCHOOL_HINT.finditer(text):
        lo = max(0, hint.start() - _SCHOOL_WINDOW)
        hi = min(len(text), hint.end() + 1)
        if lo <= window_end:
            window_end = hi
        else:
            if window_end > 0:
                windows.append((window_start, window_end))
            window_start, window_end = lo, hi
    if window_end > 0:
        windows.append((window_start, window_end))
    named: list[tuple[int, int]] = []
    for lo, hi in windows:
        for m in _SCHOOL.finditer(text, lo, hi):
            span = _school_span(text, m)
            if span is not None:
                named.append(span)
    yield from _merge_codes(text, named, list(_district_codes(text)))


def _school_span(text: str, m: re.Match[str]) -> tuple[int, int] | None:
    words = list(re.finditer(r"\S+", m.group(1)))
    # Trim sentence-openers and descriptive words ("At", "Our", "Rural") off the front.
    kept = 0
    while kept < len(words) and words[kept].group(0).rstrip(".") in _SCHOOL_LEADERS:
        kept += 1
    if kept == len(words):
        return None
    start, end = m.start(1) + words[kept].start(), m.end()
    suffix = text[m.end(1) : end]
    if suffix in ("Middle", "High") and _followed_by_capital(text, end):
        return None  # "High Expectations": a capitalised phrase, not a school
    name = text[start:end]
    if any(name == n or name.endswith(" " + n) for n in _NOT_SCHOOLS):
        return None
    return start, end


def _followed_by_capital(text: str, end: int) -> bool:
    rest = text[end : end + 2]
    return len(rest) == 2 and rest[0] in " \t" and rest[1].isupper()


# --- districts and schools named by a code ----------------------------------------------
#
# The forms in use: "District 214", "School District No. 43", "Independent School
# District 196" (Illinois, Minnesota, British Columbia); "USD 259" (Kansas unified
# districts); "ISD #709" (Minnesota); "SD-38", "SD38" (British Columbia); "CCSD 93",
# "CUSD 300", "CHSD 218", "THSD 211", "D211" (Illinois); "ESD 112" (Washington);
# "SAU 16" (New Hampshire); "RSU 14", "MSAD 51", "AOS 91" (Maine); "CESA 6"
# (Wisconsin); "AEA 267" (Iowa); "IU 13" (Pennsylvania); "ESC Region 13" (Texas);
# "Weld RE-4", "Poudre R-1", "Eugene 4J" (Colorado, Missouri, Oregon); and New York
# City's numbered schools, "P.S. 321", "I.S. 318", "J.H.S. 189".

_CODE_END = r"(?![\w\-]|[.,]\d)"  # "USD 1,500" and "SD 9.4" are amounts, not districts
_DISTRICT_WORD = re.compile(r"District[ \t]+(?:No\.?[ \t]*|Number[ \t]+|#[ \t]*)?\d{1,4}[A-Z]?" + _CODE_END)
# Acronym -> how many digits its numbers have.
_DISTRICT_ACRONYMS = {
    "CCSD": (1, 4), "CUSD": (1, 4), "CHSD": (1, 4), "THSD": (1, 4), "UHSD": (1, 4),
    "CSD": (1, 4), "ESD": (1, 4), "HSD": (1, 4), "PSD": (1, 4), "ISD": (1, 4), "SD": (1, 4),
    "USD": (3, 3), "SAU": (1, 3), "MSAD": (1, 3), "SAD": (1, 3), "RSU": (1, 3), "AOS": (1, 3),
    "CESA": (1, 2), "AEA": (1, 3), "IU": (1, 2),
}  # fmt: skip
_DISTRICT_ACRONYM = re.compile(
    r"(?:" + "|".join(sorted(_DISTRICT_ACRONYMS, key=len, reverse=True)) + r")"
    r"(?:[ \t]*(?:No\.?|#)[ \t]*|[ \t]*-[ \t]*|[ \t]+|)(\d{1,4})[A-Z]?" + _CODE_END
)
# "D211": Illinois shorthand, no space, two or three digits.
_DISTRICT_D = re.compile(r"D(\d{2,3})" + _CODE_END)
_SERVICE_REGION = re.compile(
    r"(?:ESC|Education[ \t]+Service[ \t]+Center)[ \t]+Region[ \t]+\d{1,2}\b"
    r"|Region[ \t]+\d{1,2}[ \t]+(?:ESC|Education[ \t]+Service[ \t]+Center)\b"
)
_NYC_SCHOOL = re.compile(r"(?:P\.S\.|I\.S\.|J\.H\.S\.|JHS|PS)[ \t]?\d{2,3}" + _CODE_END)
# "Weld RE-4", "Poudre R-1", "Rockwood R-VI", "Eugene 4J": a place name and a code.
_PLACE_CODE = re.compile(r"[A-Z][a-z]+[ \t]+(?:(?:RE|R)-(?:\d{1,2}J?|[IVX]{1,4})|\d{1,2}J)(?![\w\-])")
# Words before "District 5" that make it some other kind of district.
_NOT_SCHOOL_DISTRICT = _word_set(
    """Congressional Council Legislative Senate Senatorial Assembly House Judicial Court Police
    Fire Water Park Parks Sewer Sanitation Voting Election Supervisorial Commission
    Commissioner Ward Federal Historic Business Improvement Transit Library Hospital
    """
)
# Words that may open the name of a numbered district: "Independent School District 196".
_DISTRICT_LEAD = _word_set(
    """School Unit Union Community Consolidated Unified Independent Joint Elementary High
    Township County Public Regional Special City
    """
)
_ROOM_WORDS = frozenset({"room", "rm", "rooms", "suite", "building", "wing", "portable", "hall", "lab"})
_STATISTICS_CUE = re.compile(r"(?:\bmean\b|\bM[ \t]*=|\baverage\b|±|standard deviation)", re.IGNORECASE)
# Capitalised words before "R-1" or "4J" that label something other than a district.
_NOT_PLACE_CODE = _word_set(
    """Level Grade Form Part Model Type Room Unit Section Chapter Step Tier Group Table
    Figure Appendix Lesson Module Standard Class Block Lab Station Version Option Phase
    """
)


def _district_codes(text: str) -> Iterator[tuple[int, int]]:
    for m in _DISTRICT_WORD.finditer(text):
        start = m.start()
        if _follows_word(text, start):
            continue
        previous = _words_before(text, start, 3)
        if previous and previous[-1][0] in _NOT_SCHOOL_DISTRICT:
            continue
        for word, word_start in reversed(previous):
            if word not in _DISTRICT_LEAD:
                break
            start = word_start
        yield start, m.end()
    if any(code in text for code in ("SD", "SA", "RSU", "AOS", "AEA", "IU")):
        for m in _DISTRICT_ACRONYM.finditer(text):
            start = m.start()
            if start > 0 and (_follows_word(text, start) or text[start - 1] in "-./"):
                continue
            acronym = re.match(r"[A-Z]+", m.group(0))
            low, high = _DISTRICT_ACRONYMS.get(acronym.group(0) if acronym else "", (0, 0))
            if not low <= len(m.group(1)) <= high:
                continue
            if m.group(0).startswith("SD") and _STATISTICS_CUE.search(text, max(0, start - 40), start):
                continue  # "mean 72 (SD 12)": a standard deviation
            yield start, m.end()
    if "D" in text:
        for m in _DISTRICT_D.finditer(text):
            start = m.start()
            if start > 0 and (_follows_word(text, start) or text[start - 1] in "-./#"):
                continue
            previous = _words_before(text, start, 1)
            if previous and previous[0][0].lower().rstrip(".") in _ROOM_WORDS:
                continue  # "Room D104"
            yield start, m.end()
    if "Region" in text:
        for m in _SERVICE_REGION.finditer(text):
            if not _follows_word(text, m.start()):
                yield m.span()
    if "S" in text:
        for m in _NYC_SCHOOL.finditer(text):
            start = m.start()
            if not (start > 0 and (_follows_word(text, start) or text[start - 1] in "-./")):
                yield start, m.end()
    for m in _PLACE_CODE.finditer(text):
        if not _follows_word(text, m.start()) and m.group(0).split()[0] not in _NOT_PLACE_CODE:
            yield m.span()


def _words_before(text: str, index: int, count: int) -> list[tuple[str, int]]:
    """Up to ``count`` whitespace-separated words ending just before ``index``, in order."""
    words: list[tuple[str, int]] = []
    pos = index
    while len(words) < count:
        end = pos
        while end > 0 and text[end - 1] in " \t":
            end -= 1
        if end == pos and pos != index:
            break
        if end == 0 or end < index - 200:
            break
        start = end
        while start > 0 and not text[start - 1].isspace() and end - start < 40:
            start -= 1
        if start == end:
            break
        words.append((text[start:end], start))
        pos = start
    words.reverse()
    return words


def _merge_codes(
    text: str, named: list[tuple[int, int]], codes: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Named schools plus coded districts; a code that touches a named school joins it
    ("Cedar Hollow Unified School District" + "No. 12")."""
    if not codes:
        return named
    code_set = set(codes)
    merged: list[tuple[int, int, bool]] = []  # (start, end, has a name in it)
    for start, end in sorted(set(named) | code_set):
        is_code = (start, end) in code_set
        if merged:
            last_start, last_end, has_name = merged[-1]
            gap = text[last_end:start] if start > last_end else ""
            if start <= last_end + 1 and not gap.strip(" \t") and (has_name != is_code or start < last_end):
                merged[-1] = (last_start, max(last_end, end), has_name or not is_code)
                continue
        merged.append((start, end, not is_code))
    return [(start, end) for start, end, _ in merged]

