"""The one entity resolver: what a user types -> an entity id.

Accepted, case-insensitively: the id, the label, a synonym or code, a CURIE (`HGNC:6973`), the
local part of a CURIE (`NCT02545283`), and a label typed without its parenthetical part
("MDM2 acidic domain" for "MDM2 acidic domain (residues 254-264)").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cached_property

from mdm2kg.errors import NotFoundError
from mdm2kg.read.views import Entity

_PARENTHETICAL = re.compile(r"\s*\([^()]*\)\s*$")


def _keys(entity: Entity) -> list[tuple[int, str]]:
    """(rank, key) pairs for an entity; a lower rank wins when several entities share a key."""
    keys = [(0, entity.id.casefold()), (1, entity.label.casefold())]
    keys += [(2, s.casefold()) for s in entity.synonyms]
    for curie in entity.identifiers:
        keys.append((2, curie.casefold()))
        keys.append((3, curie.partition(":")[2].casefold()))
    bare = _PARENTHETICAL.sub("", entity.label)
    if bare and bare != entity.label:
        keys.append((4, bare.casefold()))
    return keys


class Resolver:
    """Index of every way to name an entity.

    >>> r = Resolver({"D1": Entity("D1", "ProteinDomain", "MDM2 acidic domain (residues 254-264)")})
    >>> r.resolve("mdm2 acidic domain")
    'D1'
    """

    def __init__(self, entities: Mapping[str, Entity]) -> None:
        self.entities = entities

    @cached_property
    def _index(self) -> dict[str, dict[int, set[str]]]:
        """key -> rank -> entity ids (built on first use: an exact id needs no index)."""
        index: dict[str, dict[int, set[str]]] = {}
        for entity in self.entities.values():
            for rank, key in _keys(entity):
                index.setdefault(key, {}).setdefault(rank, set()).add(entity.id)
        return index

    def candidates(self, text: str) -> list[str]:
        """Entity ids the text names at its best rank (several when ambiguous, none when unknown)."""
        if text in self.entities:
            return [text]
        ranks = self._index.get(text.strip().casefold())
        if not ranks:
            return []
        return sorted(ranks[min(ranks)])

    def resolve(self, text: str) -> str:
        """Entity id for `text`; NotFoundError listing candidates when unknown or ambiguous."""
        hits = self.candidates(text)
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise NotFoundError(f"'{text}' is ambiguous", [self.describe(h) for h in hits])
        import difflib

        close = difflib.get_close_matches(text.strip().casefold(), list(self._index), n=5, cutoff=0.6)
        found = sorted({self.describe(e) for key in close for ids in self._index[key].values() for e in ids})
        raise NotFoundError(f"no entity matches '{text}'", found)

    def describe(self, entity_id: str) -> str:
        entity = self.entities[entity_id]
        return f"{entity_id} ({entity.label}, {entity.category})"
