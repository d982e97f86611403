"""The built knowledge graph every consumer reads, and the build cache keyed by input hash.

Heavy libraries (rdflib, pyoxigraph) are imported only when a consumer needs them, so
commands served from the cache start fast.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mdm2kg.fileio import atomic_write
from mdm2kg.resources import ontology_dir, shipped_data_dir

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib import Graph

    from mdm2kg.model import Dataset
    from mdm2kg.validate import ValidationReport

SHIPPED = "shipped"
CACHE_VERSION = "1"


def resolve_data_dirs(data: Sequence[str | Path] | None) -> list[Path]:
    """`None`/empty -> the shipped data; the word 'shipped' stands for the shipped directory."""
    if not data:
        return [shipped_data_dir()]
    return [shipped_data_dir() if str(d) == SHIPPED else Path(d).resolve() for d in data]


def input_hash(data_dirs: Sequence[Path]) -> str:
    """Hash of everything a build depends on: code version, ontology and curated files."""
    from mdm2kg.loader import yaml_files

    digest = hashlib.sha256(CACHE_VERSION.encode())
    from mdm2kg.metadata import package_version

    digest.update(package_version().encode())
    for module in ("builder.py", "metadata.py"):
        digest.update(Path(__file__).with_name(module).read_bytes())
    for path in sorted(ontology_dir().iterdir()):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for path, _ in yaml_files(data_dirs):
        digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:24]


def cache_root() -> Path:
    env = os.environ.get("MDM2KG_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mdm2kg"


def load_and_build(data_dirs: Sequence[Path]) -> tuple[Dataset, Graph]:
    """Load curated records (raising CurationError with every problem) and build the graph."""
    from mdm2kg.builder import build_graph
    from mdm2kg.loader import load
    from mdm2kg.metadata import add_metadata
    from mdm2kg.ontology import load_schema

    schema = load_schema()
    dataset = load(data_dirs, schema)
    return dataset, add_metadata(build_graph(dataset, schema))


def validate_data(data_dirs: Sequence[Path], *, seeds: Path | None = None) -> ValidationReport:
    """Run every check (loader, SHACL, and anchors when `seeds` is given); never raises on bad data."""
    from mdm2kg.anchors import check_anchors
    from mdm2kg.builder import build_graph
    from mdm2kg.loader import load_dataset
    from mdm2kg.ontology import load_schema
    from mdm2kg.validate import ValidationReport, shacl_problems

    schema = load_schema()
    dataset, problems = load_dataset(data_dirs, schema)
    report = ValidationReport(problems=list(problems))
    if seeds is not None:
        report.problems.extend(check_anchors(dataset, seeds))
    if not problems:  # SHACL on a graph built from broken records would only repeat them
        graph = build_graph(dataset, schema)
        shacl, report.shacl_text = shacl_problems(graph, schema)
        report.problems.extend(shacl)
    report.statistics = {
        "publications": len(dataset.publications), "entities": len(dataset.entities),
        "statements": len(dataset.statements), "results": len(dataset.results),
        "observations": len(dataset.observations), "conflicts": len(dataset.conflicts),
    }
    return report


class KnowledgeGraph:
    """A built graph, stored as sorted N-Triples; rdflib and Oxigraph views are made lazily.

    >>> kg = KnowledgeGraph.build()          # doctest: +SKIP
    >>> kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")  # doctest: +SKIP
    """

    def __init__(self, nt_path: Path, *, key: str = "", data_dirs: Sequence[Path] = ()) -> None:
        self.nt_path = nt_path
        self.key = key
        self.data_dirs = list(data_dirs)
        self._rdf: Graph | None = None
        self._store: pyoxigraph.Store | None = None
        self._cache: dict[str, Any] = {}

    @classmethod
    def build(cls, data: Sequence[str | Path] | None = None, *, use_cache: bool = True) -> KnowledgeGraph:
        """Build from curated directories (shipped data by default), reusing the cache when the
        inputs are unchanged. Raises CurationError listing every problem."""
        dirs = resolve_data_dirs(data)
        key = input_hash(dirs)
        target = cache_root() / key / "mdm2kg.nt"
        if not (use_cache and target.is_file()):
            from mdm2kg.builder import to_ntriples

            _, graph = load_and_build(dirs)
            atomic_write(target, to_ntriples(graph))
        return cls(target, key=key, data_dirs=dirs)

    @classmethod
    def from_file(cls, path: str | Path) -> KnowledgeGraph:
        """Open an artifact written by `mdm2kg build` (N-Triples or Turtle)."""
        path = Path(path)
        if path.suffix == ".nt":
            return cls(path, key=hashlib.sha256(path.read_bytes()).hexdigest()[:24])
        from rdflib import Graph

        from mdm2kg.builder import to_ntriples

        graph = Graph().parse(path)
        data = to_ntriples(graph)
        key = hashlib.sha256(data).hexdigest()[:24]
        target = cache_root() / f"file-{key}" / "mdm2kg.nt"
        if not target.is_file():
            atomic_write(target, data)
        return cls(target, key=key)

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
        from mdm2kg.server import open_store

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

    def memo(self, name: str, factory: Any) -> Any:
        """Per-graph memo for derived views (e.g. the path projection)."""
        if name not in self._cache:
            self._cache[name] = factory()
        return self._cache[name]

    def query(self, sparql: str, *, bindings: dict[str, Any] | None = None) -> Any:
        """Run a read-only SPARQL query with bound parameters (see mdm2kg.query)."""
        from mdm2kg.query import run_query

        return run_query(self, sparql, bindings=bindings)
