"""JSON-LD export: flattened, with a compact `@context` made from the project prefix map.

Written directly rather than through a JSON-LD compaction library, so output is sorted and
identical between runs: one node object per subject (sorted by `@id`), properties sorted,
values sorted. Literals keep their exact lexical form (`{"@value": "3.20", "@type":
"xsd:decimal"}`), never native JSON numbers, so parsing back gives the same triples.
Prefixes whose IRI does not end in `/`, `#` or `:` (e.g. `MONDO` ->
`http://purl.obolibrary.org/obo/MONDO_`) are declared with `"@prefix": true` (JSON-LD 1.1)
so processors expand `MONDO:0001` correctly.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mdm2kg.export.common import export_graph
from mdm2kg.prefixes import all_prefixes, contract

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from mdm2kg.artifact.graph import KnowledgeGraph

FILENAME = "mdm2kg.jsonld"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def context() -> dict[str, Any]:
    """The compact context: every project prefix, JSON-LD 1.1.

    >>> ctx = context()
    >>> ctx["mdm2"], ctx["MONDO"]["@prefix"]
    ('https://w3id.org/mdm2kg/id/', True)
    """
    ctx: dict[str, Any] = {"@version": 1.1}
    for name, iri in all_prefixes().items():
        ctx[name] = iri if iri[-1] in "/#:" else {"@id": iri, "@prefix": True}
    return ctx


def _value(term: Node, compact: Callable[[str], str]) -> Any:
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return {"@id": compact(str(term))}
    if isinstance(term, BNode):
        return {"@id": f"_:{term}"}
    assert isinstance(term, Literal)
    if term.language:
        return {"@value": str(term), "@language": term.language}
    if term.datatype is not None and str(term.datatype) != XSD_STRING:
        return {"@value": str(term), "@type": compact(str(term.datatype))}
    return str(term)


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def to_jsonld(graph: Graph) -> dict[str, Any]:
    """The JSON-LD document (a dict) of an rdflib graph.

    >>> from rdflib import Graph, URIRef, Literal
    >>> from rdflib.namespace import RDFS
    >>> g = Graph().add((URIRef("https://w3id.org/mdm2kg/id/x"), RDFS.label, Literal("X")))
    >>> to_jsonld(g)["@graph"]
    [{'@id': 'mdm2:x', 'rdfs:label': ['X']}]
    """
    from rdflib import BNode, URIRef

    compact = contract
    nodes: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in graph:
        sid = f"_:{s}" if isinstance(s, BNode) else compact(str(s))
        if str(p) == RDF_TYPE and isinstance(o, (URIRef, BNode)):
            nodes[sid]["@type"].append(_value(o, compact)["@id"])
        else:
            nodes[sid][compact(str(p))].append(_value(o, compact))
    out = []
    for sid in sorted(nodes):
        obj: dict[str, Any] = {"@id": sid}
        for key in sorted(nodes[sid]):
            obj[key] = sorted(nodes[sid][key], key=_sort_key)
        out.append(obj)
    return {"@context": context(), "@graph": out}


def render(kg: KnowledgeGraph) -> dict[str, bytes]:
    """`{"mdm2kg.jsonld": JSON-LD}` of the built graph plus its dataset description."""
    doc = to_jsonld(export_graph(kg))
    return {FILENAME: (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")}
