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
from functools import cache, lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mcreview.core.names import name_lists

if TYPE_CHECKING:
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
# Every part after the first is optional, so the greedy match never gives anything
# back: the possessive quantifiers ("++", "*+") match the same words, with less work.
_WORD = re.compile(r"[^\W_]++(?:(?<=\d)[.,]\d++)*+(?:['’\-][^\W_]++(?:(?<=\d)[.,]\d++)*+)*+")
_URL_WORD = re.compile(r"(?:https?://|www\.|HTTPS?://|WWW\.)[^\s<>]+")

# Counting _WORD's matches one by one costs a regex step and a string per word (the
# largest cost of the import's pre-checks). For ASCII text the same number comes from
# byte operations. In _WORD's terms every character is a letter, a digit, a joiner
# ("'", "’", "-"), a separator ("." or ",") or other, so each text maps to a string of
# "a", "0", "-", "." and " ". A match covers runs of letters and digits, so the number
# of matches is the number of runs, less the runs that continue the word before them:
# one after "x-" or "x'" (x a letter or digit), and one after "9." or "9," unless a
# letter follows its digits ("1.5a" is "1.5" and "a": that letter starts a new match
# inside the run). Non-ASCII text keeps the regex, after the non-ASCII characters most
# responses hold are replaced by ASCII ones of the same kind.


def _class_table() -> bytes:
    table = bytearray(b" " * 256)
    for chars, role in ((b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "a"), (b"0123456789", "0"),
                        (b"'-", "-"), (b".,", ".")):  # fmt: skip
        for char in chars:
            table[char] = ord(role)
    return bytes(table)


_WORD_CLASSES = _class_table()  # for bytes.translate: letter "a", digit "0", joiner "-", separator "."
_RUN_CLASSES = bytes.maketrans(b"a0-.", b"ww  ")  # letters and digits against the rest
# Each pattern starts with a literal, which the engine skips to far faster than to a set.
_JOINED_BY_JOINER = re.compile(rb"-(?<=[a0]-)(?=[a0])")
_JOINED_BY_SEPARATOR = re.compile(rb"0(?=\.0++(?!a))")
# Characters with the same role in _WORD as their replacement: "’" joins like "'";
# the others are neither letters, digits, joiners nor separators, like " ".
_ASCII_KIN = (("\u2019", "'"), ("\u2013", " "), ("\u2014", " "), ("\u2026", " "), ("\u201c", " "),
              ("\u201d", " "), ("\u2018", " "), ("\u00a0", " "), ("\u2264", " "), ("\u2265", " "))  # fmt: skip


def _word_total(text: str) -> int:
    """``len(_WORD.findall(text))``, without a regex match per word for ASCII text."""
    if not text.isascii():
        for char, kin in _ASCII_KIN:
            if char in text:
                text = text.replace(char, kin)
        try:
            data = text.encode("ascii")
        except UnicodeEncodeError:
            return len(_WORD.findall(text))
    else:
        data = text.encode("ascii")
    classes = data.translate(_WORD_CLASSES)
    runs = classes.translate(_RUN_CLASSES)
    total = runs.count(b" w") + runs.startswith(b"w")
    if b"-" in classes:
        total -= len(_JOINED_BY_JOINER.findall(classes))
    if b"0." in classes:
        total -= len(_JOINED_BY_SEPARATOR.findall(classes))
    return total


# markdown-it-py is exact but pure Python (~2 µs per character on markup-dense text,
# more on crafted input), and counting runs for every response at import. The
# linear-time regex pass strips the same syntax and gave the same count for all 5,727
# responses benchmarked (sample queue + synthetic, bench/run.py); markdown-it is kept
# for text the fast pass cannot read the same way (tables, raw HTML, reference links).
_MARKDOWN_IT_LIMIT = 32_000
_NEEDS_PARSER = re.compile(r"^ {0,3}\||<[A-Za-z!/]|\]\[|^ {0,3}\[[^\]\n]+\]:", re.MULTILINE)


def _needs_parser(markdown: str) -> bool:
    # Each branch of _NEEDS_PARSER contains one of these strings, so without them it
    # cannot match; the substring tests are far cheaper than the multi-line search (and
    # a one-character test, done first, cheaper than a two-character one).
    return (
        "|" in markdown or "<" in markdown or ("]" in markdown and ("][" in markdown or "]:" in markdown))
    ) and (_NEEDS_PARSER.search(markdown) is not None)


@cache
def _parser() -> MarkdownIt:
    """markdown-it, loaded on first use: the app's start-up path never needs it."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")

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
    if len(markdown) <= _MARKDOWN_IT_LIMIT and _needs_parser(markdown):
        try:
            return _count(_visible_text_markdown_it(markdown))
        except Exception:  # noqa: BLE001 - a parser bug must not stop a review
            pass
    return _count(_visible_text_fast(markdown))


def _count(text: str) -> int:
    # URLs and email addresses first become a single placeholder word each.
    # Every _URL_WORD match contains "://", "www." or "WWW.": skip the scan without them.
    has_url = "://" in text or "www." in text or "WWW." in text
    spans = [m.span() for m in _URL_WORD.finditer(text)] if has_url else []
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
    return _word_total(text)


def _visible_text_markdown_it(markdown: str) -> str:
    """The rendered text of ``markdown``, one block per line, via markdown-it-py."""
    parts: list[str] = []
    for token in _parser().parse(markdown):
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
# The markers at the start of a line, searched as "\n" + markers in "\n" + text: a match
# holds no newline, so these are the matches of "^(?:…)+" (multi-line), each with the
# newline before it, but the engine skips from newline to newline instead of trying "^"
# at every character.
_LIST_MARKERS = re.compile(r"\n(?:[ \t>]*(?:\d{1,9}[.)]|[-+*])(?=[ \t]|$))+", re.MULTILINE)
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
    if "```" in markdown or "~~~" in markdown:  # every fence holds one or the other
        for fence in _FENCE_BLOCK.finditer(markdown):
            prose.append(markdown[pos : fence.start()])
            code.append(fence.group(2))
            pos = fence.end()
    prose.append(markdown[pos:])
    text = "\n".join(prose)
    if "]:" in text:  # every reference definition holds "]:"
        text = _REFERENCE_DEF.sub("", text)
    text = _LIST_MARKERS.sub("\n", "\n" + text)[1:]
    text = _strip_html_comments(text)
    # Each pattern below starts with the character tested before it; a one-character
    # test is far cheaper than the engine's pass, and most texts hold none of them.
    if "\\" in text:
        text = _ESCAPE.sub(lambda m: m.group(1) if m.group(1) in "'-" else " ", text)
    if "!" in text:
        text = _IMAGE.sub(" ", text)
    if "]" in text:
        text = _LINK_TARGET.sub("]", text)
        text = _LINK_REF.sub("]", text)
    if "<" in text:
        text = _AUTOLINK.sub(lambda m: " " + m.group(1) + " ", text)
        text = _HTML_TAG.sub(lambda m: "\n" if _HTML_BR.match(m.group(0)) else "", text)
    if "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    # Asterisks vanish when rendered ("**bold**-faced" is one word); underscores separate
    # words whether they are emphasis or not ("_under_score", "snake_case"). Two
    # replace() calls give what str.translate with a mapping gives, far faster.
    text = text.replace("*", "").replace("_", " ")
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
    "name": "name without a title",
}

# The seed rubric's case study is about these fictional characters; every candidate
# writes about them, so "Ms. Anderson" and "Mrs. Benson" are not identifying.
CASE_STUDY_NAMES: frozenset[str] = frozenset({"Anderson", "Benson"})

# When two candidates overlap, the kind earlier here wins (then the earlier, longer one).
_PRIORITY = ("email", "url", "handle", "phone", "street_address", "school", "titled_name", "name")

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
    cue = _first_cue(text)
    found["phone"] = [(s, e, True) for s, e in _phones(text, cue)]
    found["street_address"] = [(s, e, True) for s, e in _street_addresses(text, cue)]
    found["school"] = [(s, e, True) for s, e in _schools(text, cue)]
    found["titled_name"] = [(s, e, True) for s, e in _titled_names(text)]
    found["name"] = [(s, e, True) for s, e in _untitled_names(text)]

    taken: list[tuple[int, int]] = []  # disjoint, sorted by start
    chosen: list[tuple[int, int, str]] = []
    for kind in _PRIORITY:
        if not found[kind]:
            continue  # nothing to accept: taken stays as it is
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
_SOCIAL_PATHS = tuple(host + "/" for host in _SOCIAL_HOSTS)
# A social link written without "https://" or "www.", e.g. "youtube.com/@MsKim".
_BARE_SOCIAL_URL = re.compile(r"(?:" + "|".join(re.escape(h) for h in _SOCIAL_HOSTS) + r")/" + _URL_CHARS)
_HOST_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


def _urls(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    # Every _URL match contains "://", "ww." or "WW." ("www.", "Www.", "WWW."), and every
    # bare social link a "/" (which no character lower-cases to): skip what cannot match.
    has_url = "://" in text or "ww." in text or "WW." in text
    for m in _URL.finditer(text) if has_url else ():
        start = m.start()
        if start > 0 and (_follows_word(text, start) or text[start - 1] in "@/.-"):
            continue
        end = _trim_url_end(text, start, m.end())
        if end > start:
            spans.append((start, end))
    if "/" not in text:
        return spans
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower-case to two; keep offsets
        lowered = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    if any(host in lowered for host in _SOCIAL_PATHS):
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
# A run of digits and phone punctuation, "[+(]?\d[\d \t().\-\u2010-\u2013]*", of at
# least 8 characters (fewer cannot hold seven digits and a separator); only runs with
# 7+ digits are looked at closely. Written so that the engine skips in C what a Python
# loop over every number used to skip: it starts with one character class, then a
# look-behind tells "+"/"(" (a digit must follow) from a digit. It finds exactly the
# long runs the plain pattern finds: at each position it matches the same greedy run
# or nothing, and inside a short run every later start gives a still shorter run.
# The first character is tested in two steps, the wide "[0-9+(\x80-\U0010ffff]" and then
# a look-behind for "[\d+(]": the same characters (every non-ASCII digit is past
# "\x7f"), but the engine skips text about four times faster with a plain set than
# with the Unicode category test of "\d" in it.
_RUN_CHAR = r"[\d \t().\-\u2010-\u2013]"
_PHONE_RUN = re.compile(
    r"[0-9+(\x80-\U0010ffff](?<=[\d+(])(?:(?<=\d)" + _RUN_CHAR + r"{7}|(?<=[+(])\d" + _RUN_CHAR + r"{6})"
    + _RUN_CHAR + r"*"
)
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


def _phones(text: str, cue: int | None) -> Iterator[tuple[int, int]]:
    """Phone numbers; no run starts before ``cue``, the first cue (see _CUE), or None."""
    for run in _PHONE_RUN.finditer(text, cue) if cue is not None else ():
        start, end = run.span()
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

_STREET_SUFFIXES = (
    "Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Ln", "Drive", "Dr", "Court", "Ct",
    "Way", "Place", "Pl", "Parkway", "Pkwy", "Terrace", "Ter", "Circle", "Cir", "Highway", "Hwy", "Trail", "Trl",
)  # fmt: skip
_STREET_SUFFIX = r"(?:" + "|".join(_STREET_SUFFIXES) + r")"
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
# Every street address ends in one of these words. Searching for them first is cheaper
# than trying the address pattern at every digit, and most texts have none.
_STREET_SUFFIX_WORD = re.compile(_STREET_SUFFIX + r"\b")


def _street_addresses(text: str, cue: int | None) -> list[tuple[int, int]]:
    """Street addresses; ``cue`` is where the first cue is (see _CUE), None without one."""
    if cue is None or _STREET_SUFFIX_WORD.search(text, cue) is None:
        return []
    return [m.span() for m in _STREET_ADDRESS.finditer(text)]


# --- names with a title -----------------------------------------------------------------

_NAME_WORD = r"(?:[A-Z][a-z]?\.|[^\W\d_][\w'’\-]*)"
# A title, then the name: "(?:Mrs\.?|Mr\.?|Ms\.?|Mx\.?|Dr\.?|Prof\.?|Miss|Principal"
# "|Superintendent|Coach|principal|superintendent|coach)" + _AFTER_TITLE. Searched as one
# pattern per first letter (the alternatives in the same order), which finds the same
# matches: two parts never match at one position, so the leftmost match of the whole is
# the leftmost of the parts'. Each part starts with a literal, which the engine skips to
# several times faster than to any of eight letters (three of them common lower-case).
_AFTER_TITLE = (
    # The first name word is not lower-case ASCII and not another title; a title
    # followed by a title ("Superintendent Dr. Fisher") is found from the second one.
    r"[ \t]+(?![a-z]|" + _TITLE_WORDS + r")"
    r"(" + _NAME_WORD + r"(?:[ \t]+" + _NAME_WORD + r"){0,3})"
)
_TITLED_NAME_PARTS = tuple(
    re.compile(title + _AFTER_TITLE)
    for title in (
        r"M(?:rs\.?|r\.?|s\.?|x\.?|iss)", r"Dr\.?", r"Pr(?:of\.?|incipal)", "Superintendent", "Coach",
        "principal", "superintendent", "coach",
    )
)  # fmt: skip
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
    # Each part's next match from the current position; pos never decreases, so a match
    # found earlier that starts at pos or later is still that part's next one.
    ahead = [part.search(text) for part in _TITLED_NAME_PARTS]
    pos = 0
    while True:
        m = None
        for i, found in enumerate(ahead):
            if found is not None and found.start() < pos:
                found = ahead[i] = _TITLED_NAME_PARTS[i].search(text, pos)
            if found is not None and (m is None or found.start() < m.start()):
                m = found
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

_SCHOOL_SUFFIXES = (
    r"Unified[ \t]+School[ \t]+District", r"Independent[ \t]+School[ \t]+District",
    r"Consolidated[ \t]+School[ \t]+District", r"School[ \t]+District", r"Public[ \t]+Schools",
    r"County[ \t]+Schools", r"Junior[ \t]+High(?:[ \t]+School)?", r"Senior[ \t]+High(?:[ \t]+School)?",
    r"High[ \t]+School", r"Middle[ \t]+School", r"Elementary(?:[ \t]+School)?", r"Primary[ \t]+School",
    r"Intermediate[ \t]+School", r"Charter[ \t]+School", r"Preparatory[ \t]+(?:School|Academy)",
    "Academy", "ISD", "CISD", "USD", "Middle", "High",
)  # fmt: skip
_SCHOOL_SUFFIX = r"(?:" + "|".join(_SCHOOL_SUFFIXES) + r")\b"
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


def _schools(text: str, cue: int | None) -> Iterator[tuple[int, int]]:
    # Look only near school words ("Elementary", "ISD", ...), in merged windows, so a
    # long text with many capitalised words is not scanned name-by-name everywhere.
    # None starts before the first cue (see _CUE).
    window_start = window_end = -1
    windows: list[tuple[int, int]] = []
    for hint in _SCHOOL_HINT.finditer(text, cue) if cue is not None else ():
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
    yield from _merge_codes(text, named, list(_district_codes(text, cue)))


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
# The strings the acronym, New York and place-code patterns need (each section below
# tests its own): one scan tells most texts that none of the three can match.
_CODE_CUE_STRINGS = ("SD", "SA", "RSU", "AOS", "AEA", "IU", r"S\.", "PS", "JHS", "R-", "RE-", r"J(?<=\dJ)")
_CODE_CUES = re.compile("|".join(_CODE_CUE_STRINGS))
_DIGIT_J = re.compile(r"J(?<=\dJ)")  # a literal first, so the engine skips to each "J"
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


# --- one scan for the rare cues -----------------------------------------------------------
#
# Phone runs, street suffixes, school words and district-code cues are each searched
# for over the whole text, and most responses hold none of them; each search costs a
# pass of the engine over every character. _CUE matches where any of them would (for
# a phone run: one that starts with an ASCII character, see _first_cue), so one pass
# tells most texts that none can match, and otherwise where the first one is: none of
# the four starts before it, so each search can start there. Only where a match starts
# matters, so the alternatives are grouped by first character, each group starting
# with that character: the engine then skips to the next of those characters quickly
# and rejects a group by its first character alone.


def _cue_pattern() -> re.Pattern[str]:
    rests: dict[str, list[str]] = {}
    words = [w + r"\b" for w in _STREET_SUFFIXES + _SCHOOL_SUFFIXES] + list(_CODE_CUE_STRINGS)
    for word in words:
        assert word[0].isalpha(), word  # a literal first letter
        rests.setdefault(word[0], []).append(word[1:])
    groups = [f"{letter}(?:{'|'.join(rest)})" for letter, rest in sorted(rests.items())]
    # _PHONE_RUN after its first character, without its optional tail.
    run = r"(?:(?<=\d)" + _RUN_CHAR + r"{7}|(?<=[+(])\d" + _RUN_CHAR + r"{6})"
    groups += [re.escape(first) + run for first in "0123456789+("]
    return re.compile("|".join(groups))


_CUE = _cue_pattern()
_NON_ASCII_DIGIT = re.compile(r"[\x80-\U0010ffff](?<=\d)")


def _first_cue(text: str) -> int | None:
    """Where the first match of _PHONE_RUN, _STREET_SUFFIX_WORD, _SCHOOL_HINT or
    _CODE_CUES may start (no match starts before it), or None if none can match."""
    found = _CUE.search(text)
    cue = None if found is None else found.start()
    if text.isascii():
        return cue
    # A phone run may also start with a non-ASCII digit ("\u0663"): find the first one.
    # Non-ASCII characters become "?" in the encoded copy, found by the byte search;
    # after a few that are not digits the regex looks through the rest.
    encoded = text.encode("ascii", "replace")
    limit = len(text) if cue is None else cue
    pos = encoded.find(b"?", 0, limit)
    for _ in range(16):
        if pos < 0:
            return cue
        if text[pos].isdecimal():
            return pos
        pos = encoded.find(b"?", pos + 1, limit)
    digit = _NON_ASCII_DIGIT.search(text, pos, limit)
    return cue if digit is None else digit.start()


def _district_codes(text: str, cue: int | None) -> Iterator[tuple[int, int]]:
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
    cues = cue is not None and _CODE_CUES.search(text, cue) is not None
    if cues and ("SD" in text or "SA" in text or "RSU" in text or "AOS" in text or "AEA" in text or "IU" in text):
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
    if cues and ("S." in text or "PS" in text or "JHS" in text):  # in every _NYC_SCHOOL match
        for m in _NYC_SCHOOL.finditer(text):
            start = m.start()
            if not (start > 0 and (_follows_word(text, start) or text[start - 1] in "-./")):
                yield start, m.end()
    if not (cues and ("R-" in text or "RE-" in text or _DIGIT_J.search(text))):
        return  # every _PLACE_CODE match holds "R-", "RE-" or a digit before "J"
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


# --- names without a title --------------------------------------------------------------
#
# "Maria Gonzalez said…", "my mentor, Keisha Washington,", "Jaylen R.", "my student
# Ana P.". Capitalised word pairs are everywhere in educator prose (sentence openers,
# "Building Internal Relationships", "Professional Learning Community", "Hope Street
# Group"), so a pair is a name only with evidence:
#
# - the first word is a given name in Faker's lists (mcreview.core.names) and the next
#   is a surname-like word (a listed surname, or a capitalised word that is neither an
#   everyday English word nor on the list of title-case words below), or an initial;
# - a given name that is also an everyday word or a place ("Grace", "Will", "June",
#   "Virginia", "Lincoln") needs a listed surname after it ("Grace Kim", not
#   "Grace Period"; "Virginia Smith", not "Virginia Department");
# - a first word that is in no list counts when a role word is right before it ("my
#   mentor, Oluwaseun Adebayo", "Observer: …") or an apposition right after it
#   ("…, the school counselor", "… (assistant principal)").
#
# Not names here: a first name on its own; a published author or public figure on the
# list below, or anyone cited with a year ("Zaretta Hammond (2015)"), since naming
# the author of a book identifies no one involved in the submission; and the
# case-study characters.

_CAPITAL_CLASS = "A-ZÀ-ÖØ-ÞĀ-ɏḀ-ỿ"  # Latin capitals; the two extended ranges also hold
# lower-case letters, so the first character is checked with str.isupper() too.
# A capitalised word: "Jaylen", "O'Brien", "Ladson-Billings". The look-behind after the
# first letter rejects a start inside a word ("AAAA…", "A-A-A…") at once, and the
# possessive quantifiers never give back what they matched, so a search for it is linear.
_NAME_TOKEN = (
    r"[" + _CAPITAL_CLASS + r"](?<![\w'’\-][" + _CAPITAL_CLASS + r"])"
    r"[^\W\d_]*+(?:['’][^\W\d_]++|-[^\W\d_]++)*+"
)
_PARTICLE = (
    r"(?:de[ \t]+la|de[ \t]+los|de[ \t]+las|van[ \t]+der|van[ \t]+den|von[ \t]+der|de|del|della"
    r"|da|das|do|dos|di|du|van|von|der|den|le|la|bin|ibn|al|el|ter|ten)"
)
_NAME_GAP = r"(?:[ \t]++|[ \t]*+\n[ \t]*+)"  # a soft line break may fall inside a name
# A capitalised word followed by another capitalised word or a particle: the only
# places where a name of two or more parts can start.
#
# Written for speed, with the same matches: in the word, "[a-z]*+" first (a plain set,
# faster than the category test) takes what the possessive "[^\W\d_]*+" would, which
# then takes the rest; in the look-ahead, which only asks whether some particle and a
# space follow, the particles that begin with another particle and a space ("de la",
# "van der") are left out and the rest written as a tree of first letters, so a
# lower-case word is rejected after a few tests instead of 27.
_NAME_START = re.compile(
    r"[" + _CAPITAL_CLASS + r"](?<![\w'’\-][" + _CAPITAL_CLASS + r"])"
    r"[a-z]*+[^\W\d_]*+(?:['’][^\W\d_]++|-[^\W\d_]++)*+"
    r"(?=" + _NAME_GAP + r"(?:[" + _CAPITAL_CLASS + r"]|(?:d(?:el(?:la)?|e[rn]?|as?|os?|i|u)|v[ao]n|l[ea]|bin|ibn"
    r"|[ae]l|te[rn])[ \t]))"
)
# What may follow a first name: an initial, "R." (not "D.C.") or a bare letter before
# punctuation or lower case (groups 1-2); or a word, after an optional particle (group 3).
_NEXT_NAME_PART = re.compile(
    _NAME_GAP + r"(?:([A-Z])(?:(\.)(?![A-Za-z])|(?=[,;:)!?]|[ \t]++[a-z]|$))"
    r"|(?:" + _PARTICLE + r"[ \t]++)?(" + _NAME_TOKEN + r"))"
)

# Role words: right before a name ("my mentor, ", "Observer: ", "my student ") or in
# an apposition right after it ("…, the school counselor", "… (assistant principal)").
_ROLE_WORDS = _word_set(
    """mentor mentors mentee mentees coach coaches counselor counselors counsellor
    counsellors principal principals colleague colleagues co-teacher co-teachers coteacher
    coteachers teacher teachers aide aides para paras paraprofessional paraprofessionals
    paraeducator paraeducators liaison liaisons librarian librarians psychologist
    psychologists nurse nurses worker workers interpreter interpreters translator
    translators volunteer volunteers parent parents mother mothers mom moms father fathers
    dad dads guardian guardians grandmother grandmothers grandfather grandfathers grandma
    grandpa grandparent grandparents aunt aunts uncle uncles student students learner
    learners child children son sons daughter daughters kindergartner kindergartners
    grader graders freshman freshmen sophomore sophomores specialist specialists
    coordinator coordinators interventionist interventionists therapist therapists
    pathologist pathologists director directors superintendent superintendents secretary
    secretaries custodian custodians administrator administrators chair chairs observer
    observers supervisor supervisors evaluator evaluators tutor tutors facilitator
    facilitators instructor instructors professor professors advisor advisors adviser
    advisers partner partners named called
    """
)
_ROLE_AFTER = re.compile(
    r",[ \t]++(?:(?:my|our|the|a|an|his|her|their)[ \t]++)?((?:[\w\-]++[ \t]++){0,3}[\w\-]++)"
    r"|,[ \t]++who[ \t]++(teaches|taught|coaches|coached|leads|led|runs|ran|works|worked|tutors"
    r"|co-teaches|chairs|supervises|mentors|volunteers)\b"
    r"|[ \t]*+\((?:the[ \t]++)?((?:[\w\-]++[ \t]++){0,2}[\w\-]++)\)",
    re.IGNORECASE,
)
# Cited with a year or "et al.": "Hammond (2015)", "Hammond's (2015)", "Hammond, 2015".
_CITATION_AFTER = re.compile(r"(?:['’]s)?[ \t]*(?:\([ \t]*(?:19|20)\d\d|,[ \t]*(?:19|20)\d\d\b|et[ \t]+al\b)")

# Capitalised words that are never part of a name: function words that open sentences,
# months and days, titles and roles, places and institutions, school subjects, and the
# title-case vocabulary of the credentials and of school documents. Words that are also
# common surnames (Hall, Park, Lane, Young, White, Washington) are left out on purpose.
_NOT_NAME_WORDS = _word_set(
    """The A An And But Or Nor For So Yet If When While Where What Who Whom Whose Which Why
    How This That These Those There Here Then Than Our Your Their My His Her Its We They You
    He She It I Me Us Them All Any Both Each Every Few Many Most Much No None Not Only Other
    Some Such Same Another After Before During Since Until Because Although Though Unless
    Once As At By In Into Of On Onto Out Over Per Through To Toward Towards Under Up Upon
    With Within Without About Above Across Along Among Around Behind Below Beside Between
    Beyond Near Off Past Via Also Just Even Still Again Always Never Often Sometimes Today
    Tomorrow Yesterday Yes Okay OK Please Thanks Thank Dear Hello Hi Like Let Lets Note
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mondays Tuesdays Wednesdays
    Thursdays Fridays Saturdays Sundays January February March July September October
    November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Fall Spring Winter
    Mr Mrs Ms Mx Miss Dr Prof Sir Madam Principal Superintendent Coach Teacher Teachers
    Mentor Mentors Director Coordinator Counselor Counsellor President Chair Chairman
    Chairperson Manager Specialist Consultant Facilitator Professor Assistant Associate Vice
    Deputy Chief Officer Secretary Senator Governor Mayor Captain Doctor Nurse Student
    Students Parent Parents Family Families Staff Faculty Team Teams Admin Administrator
    Administration Board Department Office Committee Council Cabinet Panel Jr Sr II III IV
    School Schools District Districts County Counties City Town Township Village Borough
    Parish State States Province Region Regional National International Global Federal
    Public Private Charter Catholic Christian Academy College University Institute
    Institution Center Centre Foundation Association Society Alliance Network Coalition
    Consortium Collaborative Partnership Partnerships Partners Group Groups Project Projects
    Program Programs Programme Initiative Fellowship Fellows Scholars Corps Club Clubs League
    Union Company Corporation Inc LLC Press Publishing Publishers Books Media News Times Post
    Journal Magazine Library Museum Zoo Garden Gardens Stadium Arena Theater Theatre
    Hospital Clinic Church Temple Mosque Synagogue Chapel Cathedral Street Avenue Road
    Boulevard Drive Way Place Plaza Square Court Circle Highway Parkway Heights Valley
    Springs Beach Falls Hills Lake Lakes River Creek Bay Harbor Harbour Island Islands
    Mountain Mountains Memorial Monument Bridge Station Airport Mall Market Campus Tower
    America American Americans Africa African Asia Asian Europe European Canada Canadian
    Mexico Mexican Latin Latino Latina Latinx Hispanic English Spanish French German
    Chinese Japanese Korean Vietnamese Arabic Somali Haitian Creole Indian Native Indigenous
    North South East West Northern Southern Eastern Western Central Midwest New Old Great
    Grand Upper Lower Mount Fort Port Saint San Santa Los Las El La
    Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Hawaii Idaho
    Illinois Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota
    Mississippi Missouri Nebraska Hampshire Jersey Ohio Oklahoma Oregon Pennsylvania Rhode
    Tennessee Texas Utah Vermont Wisconsin Wyoming
    Math Maths Mathematics Algebra Geometry Calculus Statistics Science Sciences Biology
    Chemistry Physics Reading Writing Literacy Literature Language Languages Arts History
    Social Studies Geography Economics Civics Government Music Band Choir Orchestra Drama PE
    Health Computer Technology Engineering STEM Coding Robotics Education Educational
    Learning Learners Learner Teaching Leadership Leaders Leader Instruction Instructional
    Curriculum Curricula Standards Standard Assessment Assessments Test Tests Testing Exam
    Exams Quiz Inventory Scale Survey Surveys Rubric Rubrics Framework Frameworks Model Models
    Method Methods Protocol Protocols Strategy Strategies Routine Routines Structures System
    Systems Taxonomy Depth Knowledge Intervention Interventions Support Supports Services Plan
    Plans Planning Goal Goals Objective Objectives Outcome Outcomes Essential Question
    Questions Unit Units Lesson Lessons Module Modules Domain Domains Component Components
    Competency Competencies Part Parts Section Sections Chapter Chapters Appendix Artifact
    Artifacts Evidence Exhibit Figure Figures Table Tables Chart Step Steps Level Levels Tier
    Tiers Grade Grades Room Rooms Day Days Week Weeks Month Months Year Years Night Nights
    Morning Mornings Afternoon Afternoons Evening Evenings Conference Conferences Meeting
    Meetings Session Sessions Workshop Workshops Camp Retreat Summit Symposium Convocation
    Orientation Bingo Challenge Fair Festival Celebration Showcase Award Awards Prize Update
    Updates Newsletter Bulletin Report Reports Memo Letter Log Logs Notebook Portfolio
    Reflection Reflections Overview Summary Introduction Conclusion Background Context
    Rationale Description Analysis Data Results Findings Discussion Feedback Observation
    Observations Walkthrough Walkthroughs Rounds Visit Visits Check Checks Circle Circles Map
    Maps Talk Talks Time Times Block Blocks Period Periods Schedule Schedules Calendar Act
    Law Rule Rules Policy Policies Handbook Guide Guidebook Manual Toolkit Template Templates
    Checklist Form Forms Option Options Version Type Phase Stage Track Cohort Pod Class
    Classes Classroom Classrooms Lunch Recess Advisory Homeroom Hours Practice Practices
    Community Communities Culture Climate Relationships Relationship Building Internal
    Personal Professional Positive Collaborative Collaboration Facilitating Reflective Peer
    Peers Consideration Conduct Diversity Equity Inclusion Belonging Engagement Attendance
    Behavior Behaviour Expectations Norms Values Mission Vision Core Key Big Main First
    Second Third Fourth Fifth Sixth Seventh Eighth Ninth Tenth Final Next Last Monthly
    Weekly Daily Annual Initial Late Deliberate Regular Open Front Back Welcome Home
    Candidate Candidates Participant Participants Respondent Person People Child Children
    Colleague Colleagues Case Scenario Point Answer Choice Score Rating Item Task Prompt Box
    Wing Floor Door Gate Bus Route Side Generation Gen Vitamin Type Column Row Lab Labs
    Kindergarten Pre Freshman Sophomore Junior Senior Middle High Elementary Primary
    Secondary Intermediate Title Section Unknown Unnamed Baby Infant Male Female Author
    """
)

# Capitalised words that label things with a letter ("Hall C", "Vitamin D."): never a
# given name before an initial, though some are surnames.
_LABEL_WORDS = _word_set(
    """Hall Zone Area Sector Category Criterion Indicator Strand Quadrant Set Batch Round
    Game Match Field Sample Subject Condition Treatment Control Player Speaker Reader
    Writer Annex Attachment Gym Portable Lot Kid Vitamin Hepatitis Exhibit Pod Wing
    Station Table Track Bay Dock Lane Court Gate Suite Unit Cluster Squad House Village
    """
)

# Given names that are also everyday words, places or namesakes of buildings and
# programs. They count as a given name only with a listed surname after them.
_WORDLIKE_FIRST_NAMES = _word_set(
    """Ace Admiral Alpha Amber Angel Arch Art Atlas August April May June Autumn Summer
    Aurora Baker Baron Bell Berry Bill Bird Bishop Blaze Blessing Bliss Blossom Boss Brain
    Branch Brook Brown Buck Bud Buddy Bush Butler Cannon Canyon Cap Carry Case Cash Chance
    Charity Chase Cherry Chip China Clay Colonel Comfort Commodore Crystal Daisy Dale
    Darling Dawn Deacon Dean Delta Destiny Diamond Doll Dove Drake Duke Early Easter Echo
    Edit Elder Else Ember Emerald Era Essence Eve Ever Faith Fancy Fate Fawn Fern Fisher
    Fleet Flint Flora Ford Forest Forum Foster Frank Friend Garland Gauge General Genesis
    Ginger Glen Golden Grace Grant Gray Green Grit Grove Guy Handy Harmony Hart Haven
    Hazel Heath Heather Heaven Herb Holly Hope Hunter Hunt Iris Ivory Ivy Jack Jade Jay
    Jewel Job Journey Joy Judge Junior Justice Kale Karma Kit King Lady Lance Lark Laurel
    Lavender Lawyer Lemon Less Liberty Lily Link Little Lone Long Love Loyal Lucky Lyric
    Major Man Marine Mark Marsh Marshal Mason Maverick Meadow Melody Mercy Merry Miller
    Miner Minor Miracle Misty Moody Noble Nova Olive Opal Orange Page Pastor Patience Peace
    Pearl Penny Pepper Pierce Pink Pleasant Porter Precious Press Price Prince Princess
    Prosper Queen Raven Ray Reason Red Reed Rich Ridge River Robin Rock Rose Royal Ruby Rush
    Sable Sad Safari Sage Said Scarlet Serenity Shade Shepherd Silver Sincere Sing Sister
    Skip Sky Smith Son Squire Star Sterling Steward Stone Storm Sunny Sunshine Tab Tiny Toy
    Trace Treasure Trinity True Turner Unique Urban Valentine Velvet Victory Villa Violet
    Walker Ward Wash Watt Weaver Will Willow Windy Wing Wolf Wood Worth York Young
    Lincoln Washington Jefferson Franklin Jackson Madison Kennedy Roosevelt Wilson Hamilton
    Monroe Adams Austin Dallas Houston Denver Phoenix Charlotte Orlando Cleveland Kent
    Chester Florence Savannah Georgia Virginia Carolina Dakota Montana Indiana Nevada
    Florida Cheyenne Sierra Berlin Paris London Sydney Victoria Troy Sherman Marion Clark
    Douglas Wayne Shelby Fulton Harris Brooklyn Camden Salem India Asia Africa Israel
    Harvard Stanford Princeton Carnegie Wallace Gates Ford Kellogg Wright
    """
)

# Authors and public figures that educators cite or teach about. Naming them says
# nothing about the candidate, their students or their school. Matched on the first and
# last word of a name, so "Carol Ann Tomlinson" and "Martin Luther King Jr." match.
_PUBLIC_FIGURES = (
    # education research and professional reading
    "Charlotte Danielson", "Robert Marzano", "John Hattie", "Carol Dweck", "Angela Duckworth",
    "Lev Vygotsky", "Jean Piaget", "John Dewey", "Maria Montessori", "Paulo Freire",
    "Benjamin Bloom", "Howard Gardner", "Norman Webb", "Grant Wiggins", "Jay McTighe",
    "Carol Tomlinson", "Zaretta Hammond", "Gloria Ladson-Billings", "Geneva Gay", "Lisa Delpit",
    "Gholdy Muhammad", "Bettina Love", "Django Paris", "Christopher Emdin", "Pedro Noguera",
    "Sonia Nieto", "Linda Darling-Hammond", "Doug Lemov", "Jim Knight", "Elena Aguilar",
    "Richard DuFour", "Rick DuFour", "Rebecca DuFour", "Robert Eaker", "Jon Saphier",
    "Harry Wong", "Rosemary Wong", "Rita Pierson", "Kylene Beers", "Robert Probst",
    "Lucy Calkins", "Irene Fountas", "Gay Pinnell", "Jennifer Serravallo", "Kelly Gallagher",
    "Penny Kittle", "Nancie Atwell", "Donalyn Miller", "Debbie Miller", "Regie Routman",
    "Ellin Keene", "Stephanie Harvey", "Anne Goudvis", "Cris Tovani", "Katie Ray",
    "Ralph Fletcher", "Jan Richardson", "Marie Clay", "Louisa Moats", "Timothy Shanahan",
    "Isabel Beck", "Dylan Wiliam", "Paul Black", "Rick Stiggins", "Jan Chappuis",
    "Susan Brookhart", "Thomas Guskey", "Ken O'Connor", "Rick Wormeli", "Jo Boaler",
    "Peter Liljedahl", "Dan Meyer", "Marilyn Burns", "Ron Berger", "Paul Bambrick-Santoyo",
    "Kim Marshall", "Todd Whitaker", "Michael Fullan", "Andy Hargreaves", "Richard Elmore",
    "Anthony Bryk", "Robert Kegan", "Lisa Lahey", "Peter Senge", "Parker Palmer",
    "Stephen Covey", "Daniel Goleman", "Daniel Pink", "Simon Sinek", "Brené Brown",
    "Brene Brown", "Jim Collins", "Malcolm Gladwell", "Atul Gawande", "Kim Scott",
    "Ross Greene", "Ruby Payne", "Eric Jensen", "Mary Rowe", "Bruce Tuckman", "Abraham Maslow",
    "Albert Bandura", "Malcolm Knowles", "Donald Schön", "Donald Schon", "Chip Heath",
    "Dan Heath", "Alfie Kohn", "Ken Robinson", "Sal Khan", "Diane Ravitch", "Jonathan Kozol",
    "Tyrone Howard", "Jeff Duncan-Andrade", "Shane Safir", "Jamila Dugan", "Adam Grant",
    "Spencer Kagan", "Lee Canter", "Jane Nelsen", "Rudolf Dreikurs", "Becky Bailey",
    "Marc Brackett", "Susan Cain", "Jeff Anderson", "Kim Bearden", "Ron Clark",
    # authors read in school
    "Kwame Alexander", "Jason Reynolds", "Jacqueline Woodson", "Kate DiCamillo", "Judy Blume",
    "Beverly Cleary", "Roald Dahl", "Eric Carle", "Mo Willems", "Shel Silverstein",
    "Walter Myers", "Lois Lowry", "Gary Paulsen", "Jerry Spinelli", "Christopher Curtis",
    "Sharon Draper", "Pam Ryan", "Louis Sachar", "Katherine Paterson", "Harper Lee",
    "John Steinbeck", "Mark Twain", "Edgar Poe", "William Shakespeare", "Jane Austen",
    "George Orwell", "Ray Bradbury", "Elie Wiesel", "Sandra Cisneros", "Toni Morrison",
    "Zora Hurston", "Langston Hughes", "Maya Angelou", "Amanda Gorman", "Walt Whitman",
    "Emily Dickinson", "Robert Frost", "Charles Dickens", "Arthur Miller", "Lorraine Hansberry",
    "Angie Thomas", "Ta-Nehisi Coates", "Bryan Stevenson", "Anne Frank", "Rick Riordan",
    "Jeff Kinney", "Dav Pilkey", "Raina Telgemeier", "Suzanne Collins", "Ezra Keats",
    # people taught about
    "Malala Yousafzai", "Helen Keller", "Martin King", "Coretta King", "Rosa Parks",
    "Ruby Bridges", "Harriet Tubman", "Frederick Douglass", "Sojourner Truth",
    "Booker Washington", "Cesar Chavez", "César Chávez", "Dolores Huerta", "Susan Anthony",
    "Eleanor Roosevelt", "Franklin Roosevelt", "Theodore Roosevelt", "Abraham Lincoln",
    "George Washington", "Thomas Jefferson", "Benjamin Franklin", "John Adams", "John Kennedy",
    "Barack Obama", "Michelle Obama", "Nelson Mandela", "Albert Einstein", "Marie Curie",
    "Isaac Newton", "Thomas Edison", "Charles Darwin", "Katherine Johnson", "Mae Jemison",
    "Sally Ride", "Neil Armstrong", "Amelia Earhart", "Jackie Robinson", "Jesse Owens",
    "Muhammad Ali", "Serena Williams", "Michael Jordan", "Fred Rogers", "Jane Goodall",
    "Rachel Carson", "Ada Lovelace", "Grace Hopper", "Florence Nightingale", "Clara Barton",
    "Christopher Columbus", "Thurgood Marshall", "John Lewis", "Ruth Ginsburg",
    "Sonia Sotomayor", "Alexander Hamilton", "Anne Sullivan",
    # characters of books read in school, and landmarks that look like names
    "Harry Potter", "Hermione Granger", "Ron Weasley", "Percy Jackson", "Junie Jones",
    "Ramona Quimby", "Charlie Brown", "Greg Heffley", "Auggie Pullman", "August Pullman",
    "Atticus Finch", "Scout Finch", "Holden Caulfield", "Jay Gatsby", "Katniss Everdeen",
    "Nancy Drew", "Amelia Bedelia", "Stanley Yelnats", "Brian Robeson", "Esperanza Ortega",
    "Peter Rabbit", "Liberty Bell", "Mason Dixon",
)  # fmt: skip


@lru_cache(maxsize=1)
def _name_model() -> tuple[
    frozenset[str], frozenset[str], frozenset[str], frozenset[str], frozenset[tuple[str, str]]
]:
    """(strong given names, word-like given names, surnames, common words, public pairs)."""
    lists = name_lists()
    first = frozenset(n for n in lists.first if n not in _NOT_NAME_WORDS)
    wordlike = frozenset(n for n in first if n in _WORDLIKE_FIRST_NAMES or n.lower() in lists.common)
    last = frozenset(n for n in lists.last if n not in _NOT_NAME_WORDS)
    public = frozenset((p.split()[0], p.split()[-1]) for p in _PUBLIC_FIGURES)
    return first - wordlike, wordlike, last, lists.common, public


def _is_possessive(word: str) -> bool:
    return word.endswith(("'s", "’s", "s'", "s’"))


def _bare(word: str) -> str:
    return word[:-2] if word.endswith(("'s", "’s")) else word.rstrip("'’-")


_NOT_BEFORE_NAME = frozenset("@#/.-'’")  # part of a handle, path, domain or longer word


def _untitled_names(text: str) -> Iterator[tuple[int, int]]:
    strong, wordlike, surnames, common, public = _name_model()
    pos = 0
    while True:
        m = _NAME_START.search(text, pos)
        if m is None:
            return
        start, first_end = m.span()
        pos = first_end
        first = m.group(0)
        if not first[0].isupper() or _follows_word(text, start):
            continue
        if start > 0 and text[start - 1] in _NOT_BEFORE_NAME:
            continue
        if _is_possessive(first) or first in _NOT_NAME_WORDS or first.isupper() or len(first) < 2:
            continue  # "Webb's Depth of Knowledge"; "The"; "STAAR"
        if first in strong or (
            "-" in first and first.split("-")[0] in strong and all(p[:1].isupper() for p in first.split("-"))
        ):
            grade = "strong"
        elif first in wordlike:
            grade = "wordlike"
        elif first.lower() in common:
            continue  # "Student", "Teach", "Start": an everyday word, not a name
        else:
            grade = "cued" if _role_before(text, start) else "unknown"
        parts, end, initial, resume = _name_parts(text, first_end, grade, strong, wordlike, surnames, common)
        if not parts:
            continue
        # Whatever is decided, the words just read are not read again as the start of a
        # name unless one of them could start one ("Quillan Maria Gonzalez"): linear time.
        pos = resume
        if grade == "wordlike" and not (initial or any(p in surnames for p in parts)):
            continue  # "Grace Period", "Virginia Department"
        if grade == "unknown":
            if initial:
                if first in _LABEL_WORDS:
                    continue  # "Hall C.", "Vitamin D."
            elif not _role_after(text, end):
                continue  # two capitalised words and nothing that says "person"
        pos = end  # found or not, no name starts inside this one ("Luther King")
        if first in CASE_STUDY_NAMES or any(w in CASE_STUDY_NAMES for w in parts):
            continue
        if any((first, w) in public for w in parts):
            continue  # "Carol Dweck's Mindset", "Martin Luther King Jr. Day"
        if _CITATION_AFTER.match(text, end):
            continue  # "Zaretta Hammond (2015)"
        yield start, end


_NOT_APPOSITION = _word_set(
    """and or but so then than is was were are be been has had have with to for of in at on
    by from as if when while who which that this these those it they we i you he she
    """
)


def _role_before(text: str, start: int) -> bool:
    """Whether a role word ends right before ``start``: "my mentor, ", "Observer: "."""
    end = start
    while end > 0 and end > start - 4 and text[end - 1] in " \t,:":
        end -= 1
    if end == start:
        return False
    begin = end
    while begin > 0 and end - begin < 24 and (text[begin - 1].isalpha() or text[begin - 1] == "-"):
        begin -= 1
    return text[begin:end].lower() in _ROLE_WORDS


def _role_after(text: str, end: int) -> bool:
    """Whether an apposition with a role word follows: ", the school counselor"."""
    m = _ROLE_AFTER.match(text, end, min(len(text), end + 120))
    if m is None:
        return False
    if m.group(2):
        return True  # ", who teaches …"
    for word in (m.group(1) or m.group(3) or "").lower().split():
        if word in _ROLE_WORDS:
            return True
        if word in _NOT_APPOSITION:
            return False  # ", and my students …": a new clause, not an apposition
    return False


def _name_parts(
    text: str,
    pos: int,
    grade: str,
    strong: frozenset[str],
    wordlike: frozenset[str],
    surnames: frozenset[str],
    common: frozenset[str],
) -> tuple[list[str], int, bool, int]:
    """What follows a first name: (surname-like words and initials, where they end,
    whether there is an initial, where to look for the next name if this one fails)."""
    parts: list[str] = []
    end = pos
    initial = False
    resume = -1
    while len(parts) < 3:
        m = _NEXT_NAME_PART.match(text, end)
        if m is None:
            break
        letter = m.group(1)
        if letter is not None:
            if (letter == "I" and not parts) or (m.group(2) is None and letter in "AIVX"):
                break  # "between Ana and I.", "Henry V": not initials
            parts.append(letter)
            end = m.end()
            initial = True
            continue
        word = m.group(3)
        bare = _bare(word)
        if not _surname_like(bare, grade, strong, wordlike, surnames, common):
            break
        if resume < 0 and (bare in strong or bare in wordlike):
            resume = m.start(3)
        parts.append(bare)
        end = m.start(3) + len(bare)
        if bare != word:
            break  # a possessive ends the name
    return parts, end, initial, (resume if resume >= 0 else end)


def _surname_like(
    word: str,
    grade: str,
    strong: frozenset[str],
    wordlike: frozenset[str],
    surnames: frozenset[str],
    common: frozenset[str],
) -> bool:
    if len(word) < 2 or word in _NOT_NAME_WORDS or word.isupper() or not word[0].isupper():
        return False
    if word in surnames or ("-" in word and all(p in surnames for p in word.split("-"))):
        return True
    if grade == "wordlike":
        return word in strong or word in wordlike  # a second given name: "May Ann"
    if len(word) >= 6 and word.endswith("ing"):
        return False  # an unlisted "-ing" word is a participle: "Esperanza Rising"
    return word.lower() not in common and word not in wordlike
