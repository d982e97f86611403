"""Builder: golden graph by isomorphism, deterministic bytes, no blank nodes, typed numbers."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from mdm2kg.curation.loader import load
from mdm2kg.rdf.builder import build_graph, to_ntriples, to_turtle
from mdm2kg.rdf.ontology import load_schema

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
ID = "https://w3id.org/mdm2kg/id/"
V = "https://w3id.org/mdm2kg/vocab/"


def _build(name: str, *, ontology: bool = False) -> Graph:
    return build_graph(load([FIXTURES / name], load_schema()), load_schema(), include_ontology=ontology)


def test_micro_graph_matches_golden_by_isomorphism() -> None:
    built = _build("micro")
    golden = Graph().parse(GOLDEN / "micro.ttl")
    if not isomorphic(built, golden):
        _, only_built, only_golden = graph_diff(to_isomorphic(built), to_isomorphic(golden))
        raise AssertionError(
            "built graph differs from golden\nonly in built:\n" + only_built.serialize(format="nt")
            + "\nonly in golden:\n" + only_golden.serialize(format="nt"))


def test_statement_iri_is_a_hash_of_subject_predicate_object_qualifiers() -> None:
    built = _build("micro")
    key = "\x1f".join(["A", "ubiquitinates", "B", "site='Lys1'"])
    expected = URIRef(ID + "stmt-" + hashlib.sha256(key.encode()).hexdigest()[:16])
    assert (expected, URIRef(V + "q_site"), Literal("Lys1")) in built
    assert (URIRef(ID + "A"), URIRef(V + "ubiquitinates"), URIRef(ID + "B")) in built


def test_two_builds_are_byte_identical() -> None:
    first, second = _build("tiny", ontology=True), _build("tiny", ontology=True)
    assert to_ntriples(first) == to_ntriples(second)
    assert to_turtle(first) == to_turtle(second)


def test_no_blank_nodes() -> None:
    graph = _build("tiny", ontology=True)
    assert not any(isinstance(term, BNode) for triple in graph for term in triple)


def test_numbers_are_typed_literals() -> None:
    graph = _build("tiny")
    result = URIRef(ID + "NCT00000001_orr")
    value = graph.value(result, URIRef(V + "value"))
    assert value == Literal("3.20", datatype=XSD.decimal) and str(value) == "3.20"  # exact as curated
    assert graph.value(result, URIRef(V + "count")) == Literal(1, datatype=XSD.integer)
    assert graph.value(result, URIRef(V + "ciLevel")).toPython() == Decimal(95)


def test_round_trip_yaml_to_rdf_to_parse() -> None:
    graph = _build("tiny", ontology=True)
    for fmt, data in (("nt", to_ntriples(graph)), ("turtle", to_turtle(graph))):
        assert isomorphic(Graph().parse(data=data, format=fmt), graph)
