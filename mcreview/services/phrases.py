"""The comment bank: phrases kept in the queue per credential, component and level, so a
team shares them; exported and imported as YAML (mcreview.core.phrasebank)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mcreview.core.phrasebank import Phrase, check_phrase, parse_phrase_file, phrase_file_text
from mcreview.core.specs import Spec
from mcreview.store.api import PhraseRow, Store
from mcreview.store.transaction import Transaction


class PhraseError(Exception):
    """A phrase that cannot be kept; the message is one line fit to show."""


@dataclass(frozen=True)
class PhraseImport:
    added: int
    already: int


def phrases_for(store: Store, credential: str, component_id: str, level: str | None) -> list[PhraseRow]:
    """The phrases that fit where the assessor is writing: this component at this level
    first, then this component at any level (for the overall comment: the overall ones)."""
    rows = store.read(lambda tx: tx.phrases(credential))
    exact = [r for r in rows if r.component_id == component_id and level and r.level == level]
    anywhere = [r for r in rows if r.component_id == component_id and not r.level]
    return exact + anywhere


def all_phrases(store: Store, credential: str | None = None) -> list[PhraseRow]:
    return store.read(lambda tx: tx.phrases(credential))


def save_phrase(
    store: Store,
    specs: Mapping[str, Spec],
    *,
    assessor: str,
    credential: str,
    component_id: str,
    level: str,
    text: str,
    phrase_id: int | None = None,
) -> int:
    """Add a phrase, or change one's text (phrase_id); checked against the credential."""
    phrase = Phrase(credential, component_id, level, text.strip())
    problem = check_phrase(phrase, specs)
    if problem is not None:
        raise PhraseError(problem)
    return store.write(
        lambda tx: tx.put_phrase(
            credential=credential,
            component_id=component_id,
            level=level,
            body=phrase.text,
            assessor=assessor,
            phrase_id=phrase_id,
        )
    )


def delete_phrase(store: Store, phrase_id: int) -> bool:
    return store.write(lambda tx: tx.delete_phrase(phrase_id))


def export_text(store: Store, credential: str | None = None) -> str:
    rows = all_phrases(store, credential)
    return phrase_file_text(Phrase(r.credential, r.component_id, r.level, r.body) for r in rows)


def import_text(
    store: Store, specs: Mapping[str, Spec], text: str, file: str, *, assessor: str
) -> tuple[PhraseImport | None, list[str]]:
    """Import every phrase of a file in one transaction, or none if any has a problem."""
    phrases, problems = parse_phrase_file(text, file, specs)
    if problems:
        return None, problems

    def work(tx: Transaction) -> PhraseImport:
        known = {(r.credential, r.component_id, r.level, r.body) for r in tx.phrases()}
        added = 0
        for phrase in phrases:
            key = (phrase.credential, phrase.component_id, phrase.level, phrase.text)
            if key in known:
                continue
            tx.put_phrase(
                credential=phrase.credential,
                component_id=phrase.component_id,
                level=phrase.level,
                body=phrase.text,
                assessor=assessor,
            )
            known.add(key)
            added += 1
        return PhraseImport(added=added, already=len(phrases) - added)

    return store.write(work), []
