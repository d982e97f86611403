"""Turtle export: the built graph plus its dataset description, with the project prefixes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mdm2kg.export.common import export_graph

if TYPE_CHECKING:
    from mdm2kg.artifact.graph import KnowledgeGraph

FILENAME = "mdm2kg.ttl"


def render(kg: KnowledgeGraph) -> dict[str, bytes]:
    """`{"mdm2kg.ttl": Turtle}`; subjects and predicates are sorted by rdflib's serializer.

    >>> render(KnowledgeGraph.build(["tests/fixtures/tiny"]))["mdm2kg.ttl"][:7]  # doctest: +SKIP
    b'@prefix'
    """
    from mdm2kg.rdf.builder import to_turtle

    return {FILENAME: to_turtle(export_graph(kg))}
