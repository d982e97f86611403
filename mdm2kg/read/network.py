"""The entity graph as networkx: curated entities are nodes, curated object statements are edges.

Statement nodes, literals, evidence and publications are not nodes here; each edge carries its
predicate, polarity and citations. Built once per graph from SPARQL over the Oxigraph store.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mdm2kg.prefixes import ID_BASE, SPARQL_PROLOGUE, VOCAB_BASE

if TYPE_CHECKING:
    import networkx as nx

    from mdm2kg.artifact.graph import KnowledgeGraph



@dataclass(frozen=True, slots=True)
class Citation:
    """Where an edge's claim comes from."""

    source: str
    locator: str
    anchor: str
    kind: str
    cites: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "locator": self.locator, "anchor": self.anchor, "kind": self.kind,
                "cites": list(self.cites)}

    def __str__(self) -> str:
        refs = f" citing {', '.join(self.cites)}" if self.cites else ""
        return f'{self.source} {self.locator}: "{self.anchor}"{refs}'


def local_name(iri: str) -> str:
    for base in (ID_BASE, VOCAB_BASE):
        if iri.startswith(base):
            return iri[len(base):]
    return iri


def select_rows(kg: KnowledgeGraph, text: str) -> list[list[str | None]]:
    """Rows of a SELECT over the graph's store, as lexical strings (None when unbound)."""
    import pyoxigraph

    out = []
    solutions = kg.store.query(SPARQL_PROLOGUE + text)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    for row in solutions:
        out.append([None if term is None else term.value for term in row])
    return out


def build_projection(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """A MultiDiGraph: node id = entity id with attributes label, category, synonyms,
    identifiers, description; edge key = statement id with predicate, polarity (+1/-1/0),
    predicate_label, qualifiers and citations (list of Citation)."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    for iri, cls, label, desc in select_rows(kg, """
        SELECT ?e ?cls ?label ?desc WHERE { ?e a ?cls . ?cls mdm2kg:curated true . ?e rdfs:label ?label .
          OPTIONAL { ?e dcterms:description ?desc } } ORDER BY ?e"""):
        assert iri is not None and cls is not None
        graph.add_node(local_name(iri), label=label, category=local_name(cls), description=desc or "",
                       synonyms=[], identifiers=[])
    for iri, syn in select_rows(kg, "SELECT ?e ?s WHERE { ?e skos:altLabel ?s } ORDER BY ?e ?s"):
        node = local_name(iri or "")
        if node in graph:
            graph.nodes[node]["synonyms"].append(syn)
    for iri, curie in select_rows(kg, "SELECT ?e ?c WHERE { ?e skos:notation ?c } ORDER BY ?e ?c"):
        node = local_name(iri or "")
        if node in graph:
            graph.nodes[node]["identifiers"].append(curie)
    citations: dict[str, list[Citation]] = defaultdict(list)
    cites: dict[str, list[str]] = defaultdict(list)
    for ev, ref in select_rows(kg, "SELECT ?ev ?r WHERE { ?ev a mdm2kg:Evidence ; mdm2kg:cites ?r } ORDER BY ?ev ?r"):
        cites[ev or ""].append(local_name(ref or ""))
    for st, ev, src, loc, anchor, kind in select_rows(kg, """
        SELECT ?st ?ev ?src ?loc ?anchor ?kind WHERE { ?st a rdf:Statement ; mdm2kg:hasEvidence ?ev .
          ?ev mdm2kg:source ?src ; mdm2kg:locator ?loc ; mdm2kg:anchor ?anchor ; mdm2kg:evidenceKind ?kind }
        ORDER BY ?st ?src ?loc ?anchor"""):
        citations[st or ""].append(Citation(local_name(src or ""), loc or "", anchor or "", kind or "",
                                            tuple(cites.get(ev or "", ()))))
    qualifiers: dict[str, dict[str, str]] = defaultdict(dict)
    for st, q, value in select_rows(kg, """
        SELECT ?st ?q ?v WHERE { ?st a rdf:Statement ; ?qp ?v . ?qp rdfs:subPropertyOf mdm2kg:qualifier .
          BIND(STRAFTER(STR(?qp), "/vocab/q_") AS ?q) } ORDER BY ?st ?q"""):
        qualifiers[st or ""][q or ""] = local_name(value or "")
    for st, s, p, o, polarity, plabel in select_rows(kg, """
        SELECT ?st ?s ?p ?o ?pol ?plabel WHERE { ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
          ?p a <http://www.w3.org/2002/07/owl#ObjectProperty> .
          OPTIONAL { ?p mdm2kg:polarity ?pol } OPTIONAL { ?p rdfs:label ?plabel } } ORDER BY ?st"""):
        u, v = local_name(s or ""), local_name(o or "")
        if u not in graph or v not in graph:
            continue  # e.g. described_in -> Publication: publications are not hops
        sign = {"+": 1, "-": -1}.get(polarity or "none", 0)
        graph.add_edge(u, v, key=local_name(st or ""), predicate=local_name(p or ""), predicate_label=plabel or local_name(p or ""),
                       polarity=sign, qualifiers=qualifiers.get(st or "", {}), citations=citations.get(st or "", []))
    return graph


def projection(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """The (memoised) entity projection of `kg`. Treat it as read-only."""
    return kg.memo("projection", lambda: build_projection(kg))  # type: ignore[no-any-return]
