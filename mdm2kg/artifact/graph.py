"""The built, validated knowledge graph every consumer reads, and its self-checking cache.

A graph reaches consumers only after it has passed SHACL once. The verdict is cached with the
graph (`verdict.json`: conformance, SHA-256 and triple count of the N-Triples), so later commands
pay nothing; a cached graph whose bytes do not match its verdict is rebuilt, never served.

Heavy libraries (rdflib, pySHACL, PyYAML) are imported only on a cache miss, so commands served
from the cache start fast.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from mdm2kg.artifact.cache import SHIPPED, cache_root, input_hash, resolve_data_dirs
from mdm2kg.artifact.store import open_store
from mdm2kg.digest import recall, remember
from mdm2kg.errors import notice

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib import Graph

__all__ = ["SHIPPED", "KnowledgeGraph", "Verdict", "cache_root", "resolve_data_dirs"]

VERDICT = "verdict.json"
GRAPH = "mdm2kg.nt"
VERIFIED = "verified.json"
"""Stat memo of the graph and verdict files as last verified (see `mdm2kg.digest`)."""


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


class Verdict(NamedTuple):
    """What validation said of one N-Triples file, and the fingerprint of that file."""

    conforms: bool
    sha256: str
    triples: int

    @classmethod
    def of(cls, data: bytes, *, conforms: bool) -> Verdict:
        return cls(conforms, _sha256(data), data.count(b"\n"))

    def matches(self, data: bytes) -> bool:
        return self.triples == data.count(b"\n") and self.sha256 == _sha256(data)

    def to_json(self) -> bytes:
        return (json.dumps({"conforms": self.conforms, "sha256": self.sha256, "triples": self.triples}, indent=2)
                + "\n").encode()

    @classmethod
    def read(cls, path: Path) -> Verdict | None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(bool(raw["conforms"]), str(raw["sha256"]), int(raw["triples"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _cached(directory: Path) -> tuple[Path, str] | None:
    """The cached graph in `directory` and its SHA-256, when its bytes match a conforming verdict.

    The bytes are read and hashed unless the graph and verdict files are unchanged (size, times,
    inode) since they were last verified here."""
    target, verdict_path = directory / GRAPH, directory / VERDICT
    if not target.is_file():
        return None
    files, memo = [target, verdict_path], directory / VERIFIED
    known = recall(memo, files, GRAPH)
    if known is not None:
        return target, known
    verdict = Verdict.read(verdict_path)
    try:
        data = target.read_bytes()
    except OSError:
        data = b""
    if verdict is not None and verdict.conforms and verdict.matches(data):
        remember(memo, files, GRAPH, verdict.sha256)
        return target, verdict.sha256
    notice(f"mdm2kg: the cached graph in {directory} is damaged or unverified; rebuilding it")
    return None


def _store(directory: Path, data: bytes) -> tuple[Path, str]:
    """Write a validated graph and its verdict (the verdict last: a graph without one is not trusted)."""
    from mdm2kg.fileio import atomic_write

    target = atomic_write(directory / GRAPH, data)
    verdict = Verdict.of(data, conforms=True)
    atomic_write(directory / VERDICT, verdict.to_json())
    return target, verdict.sha256


class KnowledgeGraph:
    """A built graph that passed validation, stored as sorted N-Triples; rdflib and Oxigraph views
    are made lazily.

    >>> kg = KnowledgeGraph.build(["tests/fixtures/tiny"])
    >>> len(kg.store) > 0
    True
    """

    def __init__(self, nt_path: Path, *, key: str = "", data_dirs: Sequence[Path] = (), sha256: str = "") -> None:
        self.nt_path = nt_path
        self.key = key
        self.sha256 = sha256  # of the N-Triples, when verified (lets derived views be cached beside it)
        self.data_dirs = list(data_dirs)
        self._rdf: Graph | None = None
        self._store: pyoxigraph.Store | None = None

    @classmethod
    def build(cls, data: Sequence[str | Path] | None = None, *, use_cache: bool = True) -> KnowledgeGraph:
        """Build and validate from curated directories (shipped data by default), reusing the cache
        when the inputs are unchanged. Raises CurationError listing every problem (loader or SHACL)."""
        dirs = resolve_data_dirs(data)
        key = input_hash(dirs)
        directory = cache_root() / key
        found = _cached(directory) if use_cache else None
        if found is None:
            # the build path (rdflib, pySHACL, PyYAML) loads only on a cache miss
            from mdm2kg.artifact.pipeline import build_validated
            from mdm2kg.rdf.builder import to_ntriples

            _, graph = build_validated(dirs)
            found = _store(directory, to_ntriples(graph))
        return cls(found[0], key=key, data_dirs=dirs, sha256=found[1])

    @classmethod
    def from_file(cls, path: str | Path) -> KnowledgeGraph:
        """Open an artifact written by `mdm2kg build` (N-Triples or Turtle), validated once: a file
        that violates the shapes raises CurationError; the verdict is cached by content hash."""
        path = Path(path)
        raw = path.read_bytes()
        directory = cache_root() / f"file-{_sha256(raw)[:24]}"
        found = _cached(directory)
        if found is None:
            from rdflib import Graph

            from mdm2kg.artifact.pipeline import assert_conforms
            from mdm2kg.rdf.builder import to_ntriples

            graph = Graph().parse(data=raw, format="nt" if path.suffix == ".nt" else "turtle")
            assert_conforms(graph)
            found = _store(directory, to_ntriples(graph))
        return cls(found[0], key=directory.name, sha256=found[1])

    @property
    def rdf(self) -> Graph:
        """The graph as an rdflib Graph (for serialising and exports)."""
        if self._rdf is None:
            from rdflib import Graph

            self._rdf = Graph().parse(self.nt_path, format="nt")
            self._rdf.bind("mdm2kg", "https://w3id.org/mdm2kg/vocab/")
            self._rdf.bind("mdm2", "https://w3id.org/mdm2kg/id/")
        return self._rdf

    def use_disk_store(self) -> KnowledgeGraph:
        """Answer queries from the graph's on-disk Oxigraph store (built once per graph and reused
        between commands and by `mdm2kg serve`) instead of loading it into memory."""
        self._store = open_store(self)
        return self

    @property
    def store(self) -> pyoxigraph.Store:
        """The graph in an Oxigraph store (the SPARQL engine): in memory unless
        `use_disk_store()` was called or MDM2KG_STORE=disk is set."""
        if self._store is None and os.environ.get("MDM2KG_STORE") == "disk":
            self.use_disk_store()
        if self._store is None:
            import pyoxigraph

            store = pyoxigraph.Store()
            store.bulk_load(path=str(self.nt_path), format=pyoxigraph.RdfFormat.N_TRIPLES)
            self._store = store
        return self._store

    def ntriples(self) -> bytes:
        return self.nt_path.read_bytes()
