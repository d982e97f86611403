"""Cytoscape JSON (Cytoscape.js `elements` format, also read by Cytoscape desktop).

Nodes carry `id`, `name` (label), `value` (the id, for `networkx.cytoscape_graph`), category,
Biolink category, synonyms and identifiers; edges carry a unique `id` and `key` (the statement
id), `source`, `target`, predicate, polarity, qualifiers (`q_<name>`) and citations. The
network's `data` holds the dataset description.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mdm2kg.export.common import entity_network

if TYPE_CHECKING:
    from mdm2kg.artifact.graph import KnowledgeGraph

FILENAME = "mdm2kg.cyjs"


def to_cytoscape(kg: KnowledgeGraph) -> dict[str, Any]:
    """The Cytoscape JSON document (a dict) of the entity graph."""
    graph = entity_network(kg)
    nodes = [{"data": {"id": n, "value": n, "name": attrs["label"], **attrs}} for n, attrs in graph.nodes(data=True)]
    edges = [
        {"data": {"id": key, "key": key, "source": u, "target": v, "interaction": attrs["predicate"], **attrs}}
        for u, v, key, attrs in graph.edges(keys=True, data=True)
    ]
    return {
        "format_version": "1.0",
        "generated_by": f"mdm2kg {graph.graph['version']}",
        "target_cytoscapejs_version": "~3",
        "data": dict(graph.graph),
        "directed": True,
        "multigraph": True,
        "elements": {"nodes": nodes, "edges": edges},
    }


def render(kg: KnowledgeGraph) -> dict[str, bytes]:
    """`{"mdm2kg.cyjs": Cytoscape JSON}`."""
    text = json.dumps(to_cytoscape(kg), indent=1, ensure_ascii=False, sort_keys=True)
    return {FILENAME: (text + "\n").encode("utf-8")}
