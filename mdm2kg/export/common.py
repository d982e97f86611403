"""Shared helpers of the exporters: the graph with its description, node and edge tables.

Every table is read from the read model (`mdm2kg.read`), so exports show the same statements,
negation, qualifiers and citations as every other consumer. Nodes are curated entities and
publications; edges are curated statements whose object is a node, negated ones included with
`negated = true` (never as plain facts); literal-valued facts become node properties. Every list
is sorted, so every export is byte-for-byte reproducible.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mdm2kg.prefixes import all_prefixes
from mdm2kg.read.model import ReadModel, read_model
from mdm2kg.read.network import entity_network as read_network

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

    from mdm2kg.artifact.graph import KnowledgeGraph
    from mdm2kg.curation.model import Evidence
    from mdm2kg.rdf.metadata import DatasetDescription
    from mdm2kg.read.views import Statement

PUBLICATION = "Publication"
INFORES = "infores:mdm2kg"


@dataclass(frozen=True, slots=True)
class NodeRow:
    """One node of the tabular exports (an entity or a publication)."""

    id: str
    category: str  # mdm2kg class, e.g. "Gene" or "Publication"
    biolink_category: str  # e.g. "biolink:Gene"
    label: str
    description: str
    synonyms: tuple[str, ...]
    xrefs: tuple[str, ...]  # external CURIEs, e.g. "HGNC:6973"
    properties: tuple[tuple[str, str], ...]  # literal-valued facts (predicate, value), sorted

    @property
    def curie(self) -> str:
        return f"mdm2:{self.id}"


@dataclass(frozen=True, slots=True)
class Tables:
    nodes: tuple[NodeRow, ...]
    edges: tuple[Statement, ...]  # statements between two nodes, negated ones included

    @property
    def property_names(self) -> tuple[str, ...]:
        """Literal-valued predicates used by any node, sorted."""
        return tuple(sorted({name for node in self.nodes for name, _ in node.properties}))


def build_tables(model: ReadModel) -> Tables:
    """The node and edge tables of a read model (see the module docstring)."""
    properties: dict[str, set[tuple[str, str]]] = {}
    for st in model.facts:
        if st.object is None:
            properties.setdefault(st.subject, set()).add((st.predicate, str(st.value)))
    nodes = [
        NodeRow(e.id, e.category, e.biolink_category, e.label, e.description, e.synonyms, e.identifiers,
                tuple(sorted(properties.get(e.id, ()))))
        for e in model.entities.values()
    ]
    nodes += [
        NodeRow(p.id, PUBLICATION, "biolink:Publication", p.title, "", (), p.identifiers, ())
        for p in model.publications.values()
    ]
    ids = {n.id for n in nodes}
    edges = [st for st in model.statements if st.object is not None and st.subject in ids and st.object in ids]
    edges.sort(key=lambda e: (e.subject, e.predicate, e.target, e.id))
    return Tables(nodes=tuple(sorted(nodes, key=lambda n: n.id)), edges=tuple(edges))


_TABLES: weakref.WeakKeyDictionary[KnowledgeGraph, Tables] = weakref.WeakKeyDictionary()
_GRAPHS: weakref.WeakKeyDictionary[KnowledgeGraph, Graph] = weakref.WeakKeyDictionary()
_DESCRIPTIONS: weakref.WeakKeyDictionary[KnowledgeGraph, DatasetDescription] = weakref.WeakKeyDictionary()


def tables(kg: KnowledgeGraph) -> Tables:
    """The (cached) node and edge tables of `kg`."""
    if kg not in _TABLES:
        _TABLES[kg] = build_tables(read_model(kg))
    return _TABLES[kg]


def export_graph(kg: KnowledgeGraph) -> Graph:
    """The graph to serialise: `kg.rdf` plus its dataset description (kept when already present).

    Returns a copy (cached per graph); `kg.rdf` is not modified.
    """
    if kg not in _GRAPHS:
        from rdflib import Graph

        from mdm2kg.rdf.metadata import add_metadata, has_metadata

        graph = Graph()
        for triple in kg.rdf:
            graph.add(triple)
        bind_prefixes(graph)
        if not has_metadata(graph):
            add_metadata(graph)
        _GRAPHS[kg] = graph
    return _GRAPHS[kg]


def description(kg: KnowledgeGraph) -> DatasetDescription:
    """The dataset description of the exported graph (counts include the description itself)."""
    if kg not in _DESCRIPTIONS:
        from mdm2kg.rdf.metadata import describe, read_description

        graph = export_graph(kg)
        stated = read_description(graph)  # keep the version and licence the graph was released with
        licence = str(stated["licence"] or "").removeprefix("https://spdx.org/licenses/") or None
        _DESCRIPTIONS[kg] = describe(graph, version=stated["version"] or None, licence=licence)
    return _DESCRIPTIONS[kg]


def bind_prefixes(graph: Graph) -> None:
    """Bind exactly the project prefixes (replacing rdflib's defaults) for readable output."""
    from rdflib.namespace import NamespaceManager

    graph.namespace_manager = NamespaceManager(graph, bind_namespaces="none")
    for name, iri in all_prefixes().items():
        graph.bind(name, iri, override=True, replace=True)


def sanitize(text: str, *, forbidden: str = "") -> str:
    """One-line text for delimited files: tabs and line breaks become spaces; `forbidden`
    characters (list delimiters) become '/'.

    >>> sanitize("a\\tb|c\\nd", forbidden="|")
    'a b/c d'
    """
    out = " ".join(text.replace("\t", " ").splitlines()) if text else ""
    for char in forbidden:
        out = out.replace(char, "/")
    return out


def metadata_json(kg: KnowledgeGraph) -> bytes:
    """The dataset description as pretty, sorted JSON (written beside tabular exports)."""
    return (json.dumps(description(kg).as_dict(), indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def citation_text(citation: Evidence) -> str:
    """Readable one-line citation, e.g. `doc1 §1: "drug A inhibits" citing doc1_ref01`."""
    return str(citation)


def entity_network(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """The entity network (`mdm2kg.read.network`), negated statements included and marked, as a
    fresh, sorted MultiDiGraph whose attributes are plain values: lists of strings, ints, bools
    and strings only.

    Node attributes: label, category, biolink_category, description, synonyms, identifiers.
    Edge key = statement id; attributes: statement, predicate, predicate_label,
    biolink_predicate, polarity (+1/-1/0), negated (bool), one `q_<name>` per qualifier,
    citations (readable strings), publications (CURIEs), locators, evidence_kinds. Graph
    attributes: the dataset description (title, version, issued, licence, sources and counts).
    """
    import networkx as nx

    source = read_network(read_model(kg), include_negated=True)
    meta = description(kg).as_dict()
    out = nx.MultiDiGraph()
    out.graph.update({
        "name": "mdm2kg", "title": meta["title"], "version": meta["version"], "issued": meta["issued"] or "",
        "licence": meta["licence"], "sources": [s["id"] for s in meta["sources"]], "dataset": meta["id"],
        "triples": meta["triples"], "entities": meta["entities"], "statements": meta["records"]["statements"],
    })
    for node in sorted(source.nodes):
        attrs = source.nodes[node]
        out.add_node(node, label=attrs["label"], category=attrs["category"], biolink_category=attrs["biolink_category"],
                     description=attrs["description"], synonyms=sorted(attrs["synonyms"]),
                     identifiers=sorted(attrs["identifiers"]))
    for u, v, key, attrs in sorted(source.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        st: Statement = attrs["statement"]
        edge: dict[str, Any] = {
            "statement": st.id, "predicate": st.predicate, "predicate_label": st.verb(),
            "biolink_predicate": st.biolink_predicate, "polarity": st.polarity, "negated": st.negated,
            "citations": [citation_text(c) for c in st.evidence],
            "publications": [f"mdm2:{p}" for p in st.sources], "locators": list(st.locators),
            "evidence_kinds": list(st.evidence_kinds),
        }
        for name, value in st.qualifiers:
            edge[f"q_{name}"] = str(value)
        out.add_edge(u, v, key=key, **edge)
    return out
