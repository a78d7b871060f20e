"""The rubrics submissions are pinned to, read from the store once each.

A content hash always names the same spec text, so a parsed Spec is kept for the
life of the library (one per open store, not a module global).
"""

from __future__ import annotations

from mcreview.core.specs import Spec, spec_from_body
from mcreview.store.transaction import Transaction


class SpecMissing(LookupError):
    """A submission names a rubric the database does not hold."""


class SpecLibrary:
    def __init__(self) -> None:
        self._specs: dict[str, Spec] = {}

    def spec(self, tx: Transaction, spec_hash: str) -> Spec:
        """The pinned rubric, parsed once per hash."""
        spec = self._specs.get(spec_hash)
        if spec is None:
            body = tx.spec_body(spec_hash)
            if body is None:
                raise SpecMissing(f"spec {spec_hash} is missing from the database")
            spec = self._specs[spec_hash] = spec_from_body(body)
        return spec
