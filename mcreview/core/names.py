"""Given names and surnames for the untitled-name check, taken from Faker's data.

Faker (MIT licence, actively maintained) ships, for each locale, the given names and
surnames it uses to make fake people, as plain Python tuples inside the package: no
download, ever. The lists used here are the Latin-script ones of the locales whose
names are common in North American and British classrooms, among them Faker's general
English list of about 6,800 given names, which includes recent names such as "Jaylen"
and "Nevaeh".

It also gives Faker's English lorem-ipsum vocabulary, about 1,000 everyday words
("ability", "street"), which helps tell a surname from an ordinary capitalised word.

Importing this module costs nothing: Faker is imported the first time
:func:`name_lists` is called (about 0.15 s, then cached for the life of the process),
so the UI's start-up never pays for it. If Faker cannot be imported the lists are
empty and the check falls back to the cues that need no list.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["LOCALES", "NameLists", "name_lists"]

# Locales whose Latin-script names are read. Left out on purpose: locales whose lists
# hold many ordinary English words as given names (id_ID "Among", tr_TR "Us", sv_SE
# "My", nl_NL "Floor"), and non-Latin scripts, which a romanised response never uses.
LOCALES: tuple[str, ...] = (
    "en", "en_US", "en_GB", "en_IE", "en_IN", "en_KE", "en_NG", "en_NZ", "en_PK",
    "es_ES", "es_MX", "es_CO", "es_CL", "es_AR", "pt_BR", "pt_PT", "fr_FR", "fr_CA",
    "it_IT", "de_DE", "pl_PL", "vi_VN", "ja_JP", "zh_CN", "zh_TW", "yo_NG", "ig_NG",
    "ha_NG", "tw_GH", "sw", "zu_ZA",
)  # fmt: skip

# One word, capitalised, Latin script (with accents), optionally joined by a hyphen
# or apostrophe: "Jaylen", "Tomás", "O'Neill", "Anne-Marie", "Nguyễn".
_LATIN_WORD = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-ɏḀ-ỿ][a-zß-öø-ÿĀ-ɏḀ-ỿ]*(?:['’\-][A-Za-zÀ-ÖØ-öø-ÿĀ-ɏḀ-ỿ]+)*")


@dataclass(frozen=True)
class NameLists:
    first: frozenset[str]  # given names, as written ("Jaylen", "Tomás")
    last: frozenset[str]  # surnames, as written ("Nguyen", "O'Brien")
    common: frozenset[str]  # about 1,000 everyday English words, lower case ("street")


def _entries(provider: type, prefix: str) -> set[str]:
    found: set[str] = set()
    for attr in dir(provider):
        if not attr.startswith(prefix) or "kana" in attr or "pairs" in attr:
            continue
        value = getattr(provider, attr, None)
        if not isinstance(value, (tuple, list, dict)):
            continue
        for entry in value:
            if not isinstance(entry, str):
                continue
            word = entry.strip()
            if word.isupper() and len(word) > 1:
                word = word.title()  # zh_TW romanises in capitals: "CHE-WEI"
            if _LATIN_WORD.fullmatch(word):
                found.add(word)
    return found


@lru_cache(maxsize=1)
def name_lists() -> NameLists:
    """Given names and surnames from Faker's person providers (empty without Faker)."""
    first: set[str] = set()
    last: set[str] = set()
    for locale in LOCALES:
        try:
            module = importlib.import_module(f"faker.providers.person.{locale}")
        except Exception:  # noqa: BLE001 - no Faker, or a locale it dropped: fewer names
            continue
        provider = getattr(module, "Provider", None)
        if provider is None:
            continue
        first |= _entries(provider, "first_name")
        last |= _entries(provider, "last_name")
    try:  # Faker's English lorem-ipsum vocabulary: common words, no names
        from faker.providers.lorem.en_US import Provider as Lorem

        common = frozenset(w.lower() for w in Lorem.word_list if isinstance(w, str))
    except Exception:  # noqa: BLE001
        common = frozenset()
    return NameLists(frozenset(first), frozenset(last), common)
