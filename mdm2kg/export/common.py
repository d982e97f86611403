"""Shared helpers of the exporters: the graph with its description, node and edge tables.

The tables are read once per graph from the Oxigraph store (like the projection) and
memoised on the `KnowledgeGraph`. Nodes are curated entities and publications; edges are
curated statements whose object is a node; statements with a literal value become node
properties. Every list is sorted, so every export is byte-for-byte reproducible.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from mdm2kg.prefixes import ID_BASE, SPARQL_PROLOGUE, VOCAB_BASE, contract

if TYPE_CHECKING:
    from rdflib import Graph

    from mdm2kg.artifact.graph import KnowledgeGraph
    from mdm2kg.rdf.metadata import DatasetDescription
    from mdm2kg.read.network import Citation

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
    properties: tuple[tuple[str, str], ...]  # literal-valued statements (predicate, value), sorted

    @property
    def curie(self) -> str:
        return f"mdm2:{self.id}"


@dataclass(frozen=True, slots=True)
class EdgeRow:
    """One curated statement between two nodes, with its evidence."""

    statement: str  # statement node id, e.g. "stmt-0a1b..."
    subject: str
    predicate: str  # mdm2kg predicate, e.g. "inhibits"
    object: str
    biolink_predicate: str  # e.g. "biolink:affects"
    polarity: str  # "+", "-" or "none"
    predicate_label: str
    qualifiers: tuple[tuple[str, str], ...]
    citations: tuple[Citation, ...]

    @property
    def sign(self) -> int:
        return {"+": 1, "-": -1}.get(self.polarity, 0)

    @property
    def publications(self) -> tuple[str, ...]:
        """CURIEs of the source documents and the references they cite, sorted."""
        pubs = {c.source for c in self.citations} | {ref for c in self.citations for ref in c.cites}
        return tuple(f"mdm2:{p}" for p in sorted(pubs))

    @property
    def locators(self) -> tuple[str, ...]:
        return tuple(sorted({f"{c.source} {c.locator}" for c in self.citations}))

    @property
    def evidence_kinds(self) -> tuple[str, ...]:
        return tuple(sorted({c.kind for c in self.citations}))


@dataclass(frozen=True, slots=True)
class Tables:
    nodes: tuple[NodeRow, ...]
    edges: tuple[EdgeRow, ...]

    @property
    def property_names(self) -> tuple[str, ...]:
        """Literal-valued predicates used by any node, sorted."""
        return tuple(sorted({name for node in self.nodes for name, _ in node.properties}))


def _local(iri: str | None) -> str:
    text = iri or ""
    for base in (ID_BASE, VOCAB_BASE):
        if text.startswith(base):
            return text[len(base):]
    return text


def _select(kg: KnowledgeGraph, text: str) -> list[list[str]]:
    rows = cast("Iterable[Any]", kg.store.query(SPARQL_PROLOGUE + text))
    return [["" if term is None else term.value for term in row] for row in rows]


def biolink_curie(name: str | None, default: str) -> str:
    """`biolink:` CURIE of a mapping read from the ontology.

    >>> biolink_curie("affects", "related_to"), biolink_curie(None, "NamedThing")
    ('biolink:affects', 'biolink:NamedThing')
    """
    return f"biolink:{name or default}"


def _citations(kg: KnowledgeGraph) -> dict[str, list[Citation]]:
    from mdm2kg.read.network import Citation

    cites: dict[str, list[str]] = defaultdict(list)
    for ev, ref in _select(kg, "SELECT ?ev ?r WHERE { ?ev a mdm2kg:Evidence ; mdm2kg:cites ?r } ORDER BY ?ev ?r"):
        cites[ev].append(_local(ref))
    out: dict[str, list[Citation]] = defaultdict(list)
    for st, ev, src, loc, anchor, kind in _select(kg, """
        SELECT ?st ?ev ?src ?loc ?anchor ?kind WHERE { ?st a rdf:Statement ; mdm2kg:hasEvidence ?ev .
          ?ev mdm2kg:source ?src ; mdm2kg:locator ?loc ; mdm2kg:anchor ?anchor ; mdm2kg:evidenceKind ?kind }"""):
        out[_local(st)].append(Citation(_local(src), loc, anchor, kind, tuple(cites.get(ev, ()))))
    return {st: sorted(cs, key=lambda c: (c.source, c.locator, c.anchor, c.kind, c.cites)) for st, cs in out.items()}


def build_tables(kg: KnowledgeGraph) -> Tables:
    """Read the node and edge tables of `kg` (see the module docstring)."""
    from mdm2kg.rdf.ontology import load_schema

    schema = load_schema()
    nodes: dict[str, dict[str, Any]] = {}
    for iri, cls, label, desc in _select(kg, """
        SELECT ?e ?cls ?label ?desc WHERE { ?e a ?cls .
          { ?cls mdm2kg:curated true } UNION { VALUES ?cls { mdm2kg:Publication } }
          OPTIONAL { ?e rdfs:label ?label } OPTIONAL { ?e dcterms:description ?desc } }"""):
        node = nodes.setdefault(_local(iri), {"category": _local(cls), "label": set(), "description": set(),
                                              "synonyms": set(), "xrefs": set(), "properties": set()})
        if label:
            node["label"].add(label)
        if desc:
            node["description"].add(desc)
    for iri, syn in _select(kg, "SELECT ?e ?s WHERE { ?e skos:altLabel ?s }"):
        if _local(iri) in nodes:
            nodes[_local(iri)]["synonyms"].add(syn)
    for iri, target in _select(kg, "SELECT ?e ?x WHERE { ?e skos:exactMatch ?x }"):
        if _local(iri) in nodes:
            nodes[_local(iri)]["xrefs"].add(contract(target))
    for s, p, value in _select(kg, """
        SELECT ?s ?p ?o WHERE { ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
          FILTER(isLiteral(?o)) }"""):
        if _local(s) in nodes:
            nodes[_local(s)]["properties"].add((_local(p), value))
    node_rows = tuple(
        NodeRow(
            id=nid, category=n["category"],
            biolink_category=biolink_curie(schema.category_biolink.get(n["category"]), "NamedThing"),
            label=min(n["label"]) if n["label"] else nid,
            description=" ".join(sorted(n["description"])),
            synonyms=tuple(sorted(n["synonyms"])), xrefs=tuple(sorted(n["xrefs"])),
            properties=tuple(sorted(n["properties"])),
        )
        for nid, n in sorted(nodes.items())
    )
    qualifiers: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for st, q, value in _select(kg, """
        SELECT ?st ?q ?v WHERE { ?st a rdf:Statement ; ?qp ?v . ?qp rdfs:subPropertyOf mdm2kg:qualifier .
          BIND(STRAFTER(STR(?qp), "/vocab/q_") AS ?q) }"""):
        qualifiers[_local(st)].add((q, _local(value)))
    citations = _citations(kg)
    edges = []
    for st, s, p, o in _select(kg, """
        SELECT ?st ?s ?p ?o WHERE { ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
          FILTER(isIRI(?o)) }"""):
        u, name, v, sid = _local(s), _local(p), _local(o), _local(st)
        if u not in nodes or v not in nodes:
            continue  # not a curated node (cannot happen in a validated graph)
        spec = schema.predicates.get(name)
        edges.append(EdgeRow(
            statement=sid, subject=u, predicate=name, object=v,
            biolink_predicate=biolink_curie(spec.biolink if spec else None, "related_to"),
            polarity=spec.polarity if spec else "none", predicate_label=spec.label if spec else name,
            qualifiers=tuple(sorted(qualifiers.get(sid, ()))), citations=tuple(citations.get(sid, ())),
        ))
    edges.sort(key=lambda e: (e.subject, e.predicate, e.object, e.statement))
    return Tables(nodes=node_rows, edges=tuple(edges))


def tables(kg: KnowledgeGraph) -> Tables:
    """The (memoised) node and edge tables of `kg`.

    >>> t = tables(KnowledgeGraph.build(["tests/fixtures/tiny"]))  # doctest: +SKIP
    >>> t.nodes[0].curie                                             # doctest: +SKIP
    'mdm2:GENE1'
    """
    return kg.memo("export.tables", lambda: build_tables(kg))  # type: ignore[no-any-return]


def export_graph(kg: KnowledgeGraph) -> Graph:
    """The graph to serialise: `kg.rdf` plus its dataset description (kept when already present).

    Returns a copy; `kg.rdf` is not modified.
    """

    def make() -> Graph:
        from rdflib import Graph

        from mdm2kg.rdf.metadata import add_metadata, has_metadata

        graph = Graph()
        for triple in kg.rdf:
            graph.add(triple)
        bind_prefixes(graph)
        if not has_metadata(graph):
            add_metadata(graph)
        return graph

    return kg.memo("export.graph", make)  # type: ignore[no-any-return]


def description(kg: KnowledgeGraph) -> DatasetDescription:
    """The dataset description of the exported graph (counts include the description itself)."""
    from mdm2kg.rdf.metadata import describe, read_description

    def make() -> DatasetDescription:
        graph = export_graph(kg)
        stated = read_description(graph)  # keep the version and licence the graph was released with
        licence = str(stated["licence"] or "").removeprefix("https://spdx.org/licenses/") or None
        return describe(graph, version=stated["version"] or None, licence=licence)

    return kg.memo("export.description", make)  # type: ignore[no-any-return]


STANDARD_PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "http://schema.org/",
    "biolink": "https://w3id.org/biolink/vocab/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
}


def all_prefixes() -> dict[str, str]:
    """Project prefix map plus the standard vocabularies the graph uses, sorted by name."""
    from mdm2kg.prefixes import prefix_map

    merged = dict(STANDARD_PREFIXES)
    merged.update({name: spec.iri for name, spec in prefix_map().items()})
    return dict(sorted(merged.items()))


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


def citation_text(citation: Citation) -> str:
    """Readable one-line citation, e.g. `doc1 §1: "drug A inhibits" citing doc1_ref01`."""
    return str(citation)


def entity_network(kg: KnowledgeGraph) -> Any:
    """The entity projection (`mdm2kg.read.network`) as a fresh, sorted MultiDiGraph whose
    attributes are plain values: lists of strings, ints and strings only.

    Node attributes: label, category, biolink_category, description, synonyms, identifiers.
    Edge key = statement id; attributes: statement, predicate, predicate_label,
    biolink_predicate, polarity (+1/-1/0), one `q_<name>` per qualifier, citations (readable
    strings), publications (CURIEs), locators, evidence_kinds. Graph attributes: the dataset
    description (title, version, issued, licence, sources and counts).
    """
    import networkx as nx

    from mdm2kg.rdf.ontology import load_schema
    from mdm2kg.read.network import projection

    schema = load_schema()
    source = projection(kg)
    meta = description(kg).as_dict()
    out = nx.MultiDiGraph()
    out.graph.update({
        "name": "mdm2kg", "title": meta["title"], "version": meta["version"], "issued": meta["issued"] or "",
        "licence": meta["licence"], "sources": [s["id"] for s in meta["sources"]], "dataset": meta["id"],
        "triples": meta["triples"], "entities": meta["entities"], "statements": meta["records"]["statements"],
    })
    for node in sorted(source.nodes):
        attrs = source.nodes[node]
        out.add_node(node, label=attrs["label"], category=attrs["category"],
                     biolink_category=biolink_curie(schema.category_biolink.get(attrs["category"]), "NamedThing"),
                     description=attrs.get("description", ""), synonyms=sorted(attrs.get("synonyms", [])),
                     identifiers=sorted(attrs.get("identifiers", [])))
    for u, v, key, attrs in sorted(source.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        spec = schema.predicates.get(attrs["predicate"])
        cits = sorted(attrs.get("citations", []), key=lambda c: (c.source, c.locator, c.anchor, c.kind, c.cites))
        edge: dict[str, Any] = {
            "statement": key, "predicate": attrs["predicate"], "predicate_label": attrs["predicate_label"],
            "biolink_predicate": biolink_curie(spec.biolink if spec else None, "related_to"),
            "polarity": int(attrs["polarity"]),
            "citations": [citation_text(c) for c in cits],
            "publications": sorted({f"mdm2:{c.source}" for c in cits} | {f"mdm2:{r}" for c in cits for r in c.cites}),
            "locators": sorted({f"{c.source} {c.locator}" for c in cits}),
            "evidence_kinds": sorted({c.kind for c in cits}),
        }
        for name, value in sorted(attrs.get("qualifiers", {}).items()):
            edge[f"q_{name}"] = str(value)
        out.add_edge(u, v, key=key, **edge)
    return out
