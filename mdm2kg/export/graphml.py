"""GraphML export of the entity graph (nodes = entities, edges = statements, citations on edges).

GraphML attributes are scalars, so list attributes (synonyms, identifiers, citations,
publications, locators, evidence kinds) are joined with ` | `. Loads in Cytoscape, Gephi,
yEd and `networkx.read_graphml(path, force_multigraph=True)` (edge keys are statement ids).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from mdm2kg.export.common import entity_network

if TYPE_CHECKING:
    from mdm2kg.artifact.graph import KnowledgeGraph

FILENAME = "mdm2kg.graphml"
JOIN = " | "


def _scalars(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: JOIN.join(v) if isinstance(v, list) else v for k, v in attrs.items()}


def render(kg: KnowledgeGraph) -> dict[str, bytes]:
    """`{"mdm2kg.graphml": GraphML}`.

    >>> render(KnowledgeGraph.build(["tests/fixtures/tiny"]))["mdm2kg.graphml"][:5]  # doctest: +SKIP
    b'<?xml'
    """
    import networkx as nx

    source = entity_network(kg)
    graph = nx.MultiDiGraph()
    graph.graph.update(_scalars(source.graph))
    for node, attrs in source.nodes(data=True):
        graph.add_node(node, **_scalars(attrs))
    for u, v, key, attrs in source.edges(keys=True, data=True):
        graph.add_edge(u, v, key=key, **_scalars(attrs))
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return {FILENAME: buffer.getvalue()}
