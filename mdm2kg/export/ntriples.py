"""N-Triples export: the built graph plus its dataset description, one sorted line per triple."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mdm2kg.export.common import export_graph

if TYPE_CHECKING:
    from mdm2kg.artifact.graph import KnowledgeGraph

FILENAME = "mdm2kg.nt"


def render(kg: KnowledgeGraph) -> dict[str, bytes]:
    """`{"mdm2kg.nt": sorted N-Triples}`.

    >>> render(KnowledgeGraph.build(["tests/fixtures/tiny"]))["mdm2kg.nt"][:1]  # doctest: +SKIP
    b'<'
    """
    from mdm2kg.rdf.builder import to_ntriples

    return {FILENAME: to_ntriples(export_graph(kg))}
