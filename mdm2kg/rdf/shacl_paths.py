"""Property paths of the fast SHACL engine (see shacl_engine.py), as pySHACL's value_nodes_from_path.

A compiled sh:path: `values` gives the value nodes it reaches from one focus node over the data
index (`shacl_checks.Data`), as keys. The shape compiler (shacl_compiler.py) builds them from the
shapes graph; the engine's validation run evaluates them for every focus node of a property shape.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from mdm2kg.rdf.shacl_checks import Data, Key


class Path:
    def values(self, node: Key, data: Data) -> Collection[Key]:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Predicate(Path):
    iri: Key

    def values(self, node: Key, data: Data) -> Collection[Key]:
        return data.objects(self.iri).get(node, ())


@dataclass(frozen=True, slots=True)
class Inverse(Path):
    iri: Key

    def values(self, node: Key, data: Data) -> Collection[Key]:
        return data.subjects(self.iri).get(node, ())


@dataclass(frozen=True, slots=True)
class Sequence(Path):
    parts: tuple[Path, ...]

    def values(self, node: Key, data: Data) -> Collection[Key]:
        frontier: set[Key] = {node}
        for part in self.parts:
            frontier = {v for n in frontier for v in part.values(n, data)}
        return frontier


@dataclass(frozen=True, slots=True)
class Alternative(Path):
    parts: tuple[Path, ...]

    def values(self, node: Key, data: Data) -> Collection[Key]:
        return {v for part in self.parts for v in part.values(node, data)}


@dataclass(frozen=True, slots=True)
class Repeat(Path):
    inner: Path
    include_self: bool  # zeroOrMore and zeroOrOne include the focus node
    unbounded: bool  # zeroOrMore and oneOrMore follow the path any number of times

    def values(self, node: Key, data: Data) -> Collection[Key]:
        found: set[Key] = {node} if self.include_self else set()
        step = set(self.inner.values(node, data))
        if not self.unbounded:
            return found | step
        reached: set[Key] = set()
        while step:
            current = step.pop()
            if current not in reached:
                reached.add(current)
                step.update(self.inner.values(current, data))
        return found | reached
