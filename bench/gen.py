"""Synthetic submissions for the benchmark, built from the sentences of the sample queue.

Every record is valid for its spec: it answers every component that takes a response,
with a length drawn inside that component's word limits (or, where the spec gives no
limit, inside the range the sample queue shows for that component). Text is real
prose: sentences, headings and bullet items from sample_queue/*.yaml, shuffled.

Nothing here writes to the queue through the app; run.py decides what goes where.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from mcreview.core.specs import Spec

GEN_VERSION = 3  # bump when the output changes, so cached files are rebuilt
LONG_ID = "BENCH-LONG-0001"  # the 2,000-word submission; oldest, so it is row 1 of the queue
LONG_WORDS = 2000
LONG_CREDENTIAL = "building-personal-relationships"  # no maximum on any component
FIRST_DAY = dt.date(2026, 1, 5)
DAYS = 320
TODAY = dt.date(2026, 11, 23)
PREFIX = {
    "building-internal-relationships": "BIR",
    "building-personal-relationships": "BPR",
    "facilitating-collaborative-relationships": "FCR",
    "positive-professional-relationships": "PPR",
    "reflective-practices-peer-support": "RPP",
}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(*])")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


@dataclass
class Pool:
    sentences: list[str]
    headings: list[str]
    bullets: list[str]
    observed: dict[tuple[str, str], tuple[int, int]]  # (credential, component) -> (min, max) words


def _words(text: str) -> int:
    return len(text.split())


def build_pool(sample_dir: Path) -> Pool:
    sentences: list[str] = []
    headings: list[str] = []
    bullets: list[str] = []
    observed: dict[tuple[str, str], list[int]] = {}
    for path in sorted(sample_dir.glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        for component, body in (record.get("responses") or {}).items():
            body = str(body or "")
            if body.strip():
                observed.setdefault((record["credential"], component), []).append(_words(body))
            for block in re.split(r"\n\s*\n", body):
                lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
                if not lines or lines[0].startswith("|"):
                    continue  # tables are kept out: shuffled rows would not line up
                if lines[0].startswith("#"):
                    headings.append(lines[0].lstrip("#").strip())
                    lines = lines[1:]
                    if not lines:
                        continue
                if _LIST_ITEM.match(lines[0]):
                    item: list[str] = []
                    for line in lines:
                        if _LIST_ITEM.match(line) and item:
                            bullets.append(" ".join(item))
                            item = []
                        item.append(_LIST_ITEM.sub("", line) if not item else line)
                    if item:
                        bullets.append(" ".join(item))
                    continue
                text = " ".join(lines)
                sentences.extend(s for s in _SENTENCE_END.split(text) if _words(s) >= 4)
    ranges = {key: (min(v), max(v)) for key, v in observed.items()}
    return Pool(sentences, [h for h in headings if h], bullets, ranges)


def response_text(rng: random.Random, pool: Pool, target: int) -> str:
    """Markdown of about `target` visible words: paragraphs, some headings and lists."""
    blocks: list[str] = []
    words = 0
    since_heading = 0
    while words < target:
        left = target - words
        if since_heading > 220 and left > 120 and rng.random() < 0.5:
            heading = rng.choice(pool.headings)
            blocks.append("### " + heading)
            words += _words(heading)
            since_heading = 0
            continue
        if left > 60 and rng.random() < 0.15:
            items = []
            for _ in range(rng.randint(3, 5)):
                item = rng.choice(pool.bullets)
                if words + _words(item) > target:
                    break
                items.append("- " + item)
                words += _words(item)
                since_heading += _words(item)
            if items:
                blocks.append("\n".join(items))
                continue
        paragraph: list[str] = []
        for _ in range(rng.randint(3, 7)):
            sentence = rng.choice(pool.sentences)
            if words + _words(sentence) > target:
                # finish exactly on target with a cut sentence: keeps the count inside the limits
                need = target - words
                if need <= 0:
                    break
                sentence = " ".join(sentence.split()[:need]).rstrip(",;:") + "."
            paragraph.append(sentence)
            words += _words(sentence)
            since_heading += _words(sentence)
            if words >= target:
                break
        if paragraph:
            blocks.append(" ".join(paragraph))
    return "\n\n".join(blocks) + "\n"


def target_words(rng: random.Random, pool: Pool, spec: Spec, component) -> int:
    limits = component.word_limits
    if limits is not None and limits.checked and (limits.minimum or limits.maximum):
        low = limits.minimum or max(40, int(limits.maximum * 0.5))
        high = limits.maximum or int(low * 1.15)
        # stay 3% inside the limits: the visible-word count differs a little from ours
        return rng.randint(int(low * 1.03) + 1, max(int(low * 1.03) + 1, int(high * 0.97)))
    low, high = pool.observed.get((spec.id, component.id), (80, 300))
    return rng.randint(max(30, low), max(30, low, high))


def record(
    rng: random.Random, pool: Pool, spec: Spec, number: int, words: int | None = None, sid: str | None = None
) -> dict:
    responses = {
        c.id: response_text(rng, pool, words or target_words(rng, pool, spec, c))
        for c in spec.components
        if c.takes_response
    }
    out = {
        "id": sid or f"{PREFIX.get(spec.id, 'SUB')}-B-{number:06d}",
        "credential": spec.id,
        "submitted": (FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))).isoformat(),
        "candidate": f"C-{rng.randrange(10000, 99999)}",
        "responses": responses,
    }
    if rng.random() < 0.3:
        component = rng.choice([c.id for c in spec.components if c.takes_response])
        out["attachments"] = [
            {
                "component": component,
                "url": f"https://files.example.org/{out['id'].lower()}/evidence-{number}.pdf",
                "description": "Evidence portfolio, scanned",
            }
        ]
    return out


def long_record(rng: random.Random, pool: Pool, specs: dict[str, Spec]) -> dict:
    """Every response about 2,000 words, dated first so it is the queue's first row."""
    out = record(rng, pool, specs[LONG_CREDENTIAL], 0, LONG_WORDS, LONG_ID)
    out["submitted"] = (FIRST_DAY - dt.timedelta(days=30)).isoformat()
    out.pop("attachments", None)
    return out


def records(n: int, specs: dict[str, Spec], pool: Pool, seed: int = 1) -> Iterator[dict]:
    """n records: the long one first, then credentials in rotation."""
    rng = random.Random(seed)
    ordered = [specs[k] for k in sorted(specs)]
    yield long_record(rng, pool, specs)
    for number in range(1, n):
        yield record(rng, pool, ordered[number % len(ordered)], number)


class _LiteralDumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_LiteralDumper.add_representer(str, _str_presenter)


def write_jsonl(path: Path, n: int, specs: dict[str, Spec], pool: Pool, seed: int = 1) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        for item in records(n, specs, pool, seed):
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    tmp.replace(path)


def write_yaml_folder(folder: Path, source_jsonl: Path, n: int) -> None:
    """The first n records of a JSON Lines file, one YAML file each (as a candidate sends them)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(source_jsonl, encoding="utf-8") as handle:
        for index, line in enumerate(handle):
            if index >= n:
                break
            item = json.loads(line)
            # dates as plain YAML dates, block scalars for the responses, like sample_queue/
            text = yaml.dump(item, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True, width=88)
            (folder / f"{item['id'].lower()}.yaml").write_text(text, encoding="utf-8")
