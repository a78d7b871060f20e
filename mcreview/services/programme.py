"""The programme settings in force, read from the queue and loaded into it.

Settings are kept in the queue database, not in each assessor's files, so everyone on
a team works under the same policy and nobody makes themselves a lead by editing a
file of their own. Loading new settings is recorded in the audit trail; once the
settings name leads, only a lead may load new ones.
"""

from __future__ import annotations

from collections.abc import Iterable

from mcreview.core.programme import Programme, parse_programme, programme_from_body
from mcreview.core.vocabulary import Event
from mcreview.store.api import Store
from mcreview.store.transaction import Transaction

_parsed: dict[str, Programme] = {}


class SettingsRefused(Exception):
    """Loading settings this assessor may not load; the message says why, in one line."""


def programme_in(tx: Transaction) -> Programme:
    """The settings in force, inside a transaction (parsed once per stored body)."""
    body = tx.programme_body()
    programme = _parsed.get(body)
    if programme is None:
        programme = _parsed[body] = programme_from_body(body)
    return programme


def current_programme(store: Store) -> Programme:
    return store.read(programme_in)


def load_programme(
    store: Store, *, text: str, file: str, assessor: str, credentials: Iterable[str]
) -> Programme:
    """Check settings (raises ProgrammeError with every problem) and put them in force.

    The first settings of a queue may be loaded by anyone who can write it (the
    coordinator setting it up); after that, only one of the leads they name.
    """
    programme = parse_programme(text, file, credentials=tuple(credentials))

    def work(tx: Transaction) -> None:
        current = programme_in(tx)
        if current.leads and not current.is_lead(assessor):
            raise SettingsRefused(
                f"only a lead ({', '.join(current.leads)}) may change the programme settings of this queue"
            )
        tx.put_programme(body=programme.body, content_hash=programme.content_hash, loaded_by=assessor)
        tx.record_event(
            assessor=assessor,
            submission_id=None,
            action=Event.SETTINGS,
            target=file,
            before=current.content_hash or None,
            after=programme.content_hash,
        )

    store.write(work)
    return programme
