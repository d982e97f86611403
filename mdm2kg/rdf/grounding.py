"""The published mapping tables the entities' external identifiers were grounded against.

They are declared in ontology/grounding.yaml (the pinned distribution they are read from, and one
entry per table with its title, publisher, version and licence); scripts/ground.py checks the
curated entities against them. `mdm2kg.rdf.metadata` states them in the dataset description
as `prov:wasDerivedFrom` sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from mdm2kg.resources import ontology_dir

GROUNDING_FILE = "grounding.yaml"


@dataclass(frozen=True, slots=True)
class GroundingSource:
    """One published mapping table the external identifiers were grounded against."""

    id: str
    title: str
    publisher: str
    version: str
    licence: str
    homepage: str
    path: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class GroundingPackage:
    """The pinned distribution the grounding tables are read from."""

    name: str
    version: str
    file: str
    sha256: str
    licence: str


@lru_cache(maxsize=2)
def grounding_sources(path: Path | None = None) -> tuple[GroundingPackage | None, tuple[GroundingSource, ...]]:
    """The grounding resources declared in ontology/grounding.yaml, or in `path` (none when it is absent).
    scripts/ground.py passes the checkout's file; the package reads its own.

    >>> package, tables = grounding_sources()
    >>> package is not None and all(t.licence and t.version for t in tables)
    True
    """
    path = path or ontology_dir() / GROUNDING_FILE
    if not path.is_file():
        return None, ()
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pkg = raw.get("package")
    package = GroundingPackage(name=str(pkg["name"]), version=str(pkg["version"]), file=str(pkg["file"]), sha256=str(pkg["sha256"]),
                               licence=str(pkg["licence"])) if pkg else None
    tables = tuple(GroundingSource(**{k: str(v) for k, v in t.items()}) for t in raw.get("tables") or [])
    return package, tables
