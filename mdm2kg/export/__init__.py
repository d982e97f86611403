"""Exports of a built graph: RDF (Turtle, N-Triples, JSON-LD), KGX TSV, GraphML, Cytoscape JSON
and Neo4j import CSV. One small module per format, chosen from a table by `ExportFormat`.

Each format module has `render(kg) -> {filename: bytes}` (pure, sorted, deterministic);
`export` writes all the files of one call as one set (`mdm2kg.fileio.write_file_set`): a kill
at any moment leaves the complete old set or the complete new one. Every export carries
the dataset description (`mdm2kg.rdf.metadata`): as triples in the RDF formats, as network
attributes in GraphML and Cytoscape, as `mdm2kg_metadata.json` beside the tables.

>>> sorted(f.value for f in ExportFormat)
['cytoscape', 'graphml', 'jsonld', 'kgx', 'neo4j', 'ntriples', 'turtle']
>>> export(KnowledgeGraph.build(), ExportFormat.KGX, Path("dist"))  # doctest: +SKIP
[PosixPath('dist/edges.tsv'), PosixPath('dist/mdm2kg_metadata.json'), PosixPath('dist/nodes.tsv')]
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, cast

from mdm2kg.errors import UsageError
from mdm2kg.fileio import write_file_set

if TYPE_CHECKING:
    from mdm2kg.artifact.graph import KnowledgeGraph

Renderer = Callable[["KnowledgeGraph"], dict[str, bytes]]


class ExportFormat(StrEnum):
    """The export formats (`mdm2kg export --format ...`)."""

    TURTLE = "turtle"
    NTRIPLES = "ntriples"
    JSONLD = "jsonld"
    KGX = "kgx"
    GRAPHML = "graphml"
    CYTOSCAPE = "cytoscape"
    NEO4J = "neo4j"


# format -> module with `render(kg) -> {filename: bytes}`; imported on use.
WRITERS: dict[ExportFormat, str] = {
    ExportFormat.TURTLE: "mdm2kg.export.turtle",
    ExportFormat.NTRIPLES: "mdm2kg.export.ntriples",
    ExportFormat.JSONLD: "mdm2kg.export.jsonld",
    ExportFormat.KGX: "mdm2kg.export.kgx",
    ExportFormat.GRAPHML: "mdm2kg.export.graphml",
    ExportFormat.CYTOSCAPE: "mdm2kg.export.cytoscape",
    ExportFormat.NEO4J: "mdm2kg.export.neo4j",
}


def parse_format(name: str | ExportFormat) -> ExportFormat:
    """The format named `name`; raises UsageError listing the known names.

    >>> parse_format("kgx")
    <ExportFormat.KGX: 'kgx'>
    """
    try:
        return ExportFormat(name)
    except ValueError:
        known = ", ".join(f.value for f in ExportFormat)
        raise UsageError(f"unknown export format '{name}' (known: {known})") from None


def renderer(fmt: str | ExportFormat) -> Renderer:
    """The `render` function of a format."""
    module = importlib.import_module(WRITERS[parse_format(fmt)])
    return cast(Renderer, module.render)


def render(kg: KnowledgeGraph, fmt: str | ExportFormat) -> dict[str, bytes]:
    """The files of one format, in memory: `{filename: bytes}`."""
    return renderer(fmt)(kg)


def export(kg: KnowledgeGraph, formats: str | ExportFormat | Iterable[str | ExportFormat], out_dir: Path) -> list[Path]:
    """Render every requested format, then write all their files into `out_dir` as one set
    (other files already there are kept). Nothing is written when rendering any format fails.
    Returns the written paths, sorted."""
    chosen = [formats] if isinstance(formats, (str, ExportFormat)) else list(formats)
    files: dict[str, bytes] = {}
    for fmt in sorted({parse_format(f) for f in chosen}, key=lambda f: f.value):
        files.update(render(kg, fmt))
    return write_file_set(Path(out_dir), files)
