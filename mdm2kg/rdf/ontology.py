"""Read the OWL vocabulary (ontology/mdm2kg.ttl) into a plain `Schema`."""

from __future__ import annotations

from functools import lru_cache

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from mdm2kg.curation.schema import PredicateSpec, Schema
from mdm2kg.prefixes import VOCAB_BASE, local_name
from mdm2kg.resources import ontology_dir

MDM2KG = Namespace(VOCAB_BASE)
SCHEMA = Namespace("http://schema.org/")
BIOLINK = "https://w3id.org/biolink/vocab/"


def _local(term: object) -> str:
    return local_name(str(term), VOCAB_BASE, str(XSD), BIOLINK)


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """The ontology as an rdflib Graph (parsed once)."""
    graph = Graph()
    graph.parse(ontology_dir() / "mdm2kg.ttl", format="turtle")
    return graph


def shapes_graph() -> Graph:
    """Hand-written SHACL shapes (ontology/shapes.ttl)."""
    graph = Graph()
    graph.parse(ontology_dir() / "shapes.ttl", format="turtle")
    return graph


@lru_cache(maxsize=1)
def load_schema() -> Schema:
    """Categories, predicates (domain, range, polarity, Biolink) and qualifiers of the ontology."""
    g = ontology_graph()
    categories = frozenset(
        _local(c) for c in g.subjects(MDM2KG.curated, Literal(True)) if isinstance(c, URIRef)
    )
    category_biolink = {
        _local(c): _local(b) for c, b in g.subject_objects(MDM2KG.biolinkMapping) if (c, RDF.type, OWL.Class) in g
    }
    qualifier_root = MDM2KG.qualifier
    qualifiers: dict[str, str] = {}
    for prop in g.subjects(RDFS.subPropertyOf, qualifier_root):
        name = _local(prop)
        qtype = g.value(prop, RDFS.range)
        qualifiers[name.removeprefix("q_")] = _local(qtype) if isinstance(qtype, URIRef) else "string"
    predicates: dict[str, PredicateSpec] = {}
    for kind, owl_type in (("object", OWL.ObjectProperty), ("data", OWL.DatatypeProperty)):
        for prop in g.subjects(RDF.type, owl_type):
            domain = frozenset(_local(d) for d in g.objects(prop, SCHEMA.domainIncludes))
            if not domain or not domain <= categories | {"Entity"}:
                continue  # structural vocabulary (evidence, results), not a curated predicate
            rng: frozenset[str]
            if kind == "object":
                rng = frozenset(_local(r) for r in g.objects(prop, SCHEMA.rangeIncludes))
            else:
                datatype = g.value(prop, RDFS.range)
                rng = frozenset({_local(datatype) if isinstance(datatype, URIRef) else "string"})
            name = _local(prop)
            biolink = g.value(prop, MDM2KG.biolinkMapping)
            predicates[name] = PredicateSpec(
                name=name,
                kind=kind,
                label=str(g.value(prop, RDFS.label) or name),
                domain=domain,
                range=rng,
                polarity=str(g.value(prop, MDM2KG.polarity) or "none"),
                symmetric=bool(g.value(prop, MDM2KG.symmetric)),
                biolink=_local(biolink) if isinstance(biolink, URIRef) else None,
            )
    return Schema(
        categories=categories,
        predicates=dict(sorted(predicates.items())),
        qualifiers=dict(sorted(qualifiers.items())),
        category_biolink=category_biolink,
    )
