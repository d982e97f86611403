"""Builder: golden graph by isomorphism, deterministic bytes, no blank nodes, typed numbers."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from mdm2kg.artifact.cache import resolve_data_dirs
from mdm2kg.artifact.pipeline import load_and_build
from mdm2kg.curation.loader import load
from mdm2kg.errors import RuntimeFailure
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


TRICKY = [
    Literal('say "hi"\\ back\nslash\r\ttab'), Literal("émigré ✓ 𝔘"), Literal("x", lang="en-GB"), Literal("3.20", datatype=XSD.decimal),
    Literal("three", datatype=XSD.decimal), Literal("2025", datatype=XSD.gYear), Literal("a", datatype=XSD.string),
    Literal('"""quoted"""'), Literal(True), Literal("v", datatype=URIRef("http://example.org/dt")),
]


def _tricky_graph() -> Graph:
    graph = Graph()
    graph.bind("ex", "http://example.org/")
    for i, literal in enumerate(TRICKY):
        graph.add((URIRef(f"http://example.org/s{i}"), URIRef("http://example.org/p"), literal))
    graph.add((URIRef("http://example.org/é"), URIRef("http://example.org/p"), URIRef("http://example.org/o#1")))
    return graph


def test_ntriples_are_rdflibs_ntriples_sorted() -> None:
    for graph in (_build("tiny", ontology=True), _tricky_graph()):
        reference = graph.serialize(format="nt", encoding="utf-8")
        expected = b"".join(sorted({line + b"\n" for line in reference.split(b"\n") if line.strip()}))
        assert to_ntriples(graph) == expected


def test_tricky_terms_round_trip_through_ntriples_and_turtle() -> None:
    graph = _tricky_graph()
    for fmt, data in (("nt", to_ntriples(graph)), ("turtle", to_turtle(graph))):
        assert set(Graph().parse(data=data, format=fmt)) == set(graph), fmt


def test_turtle_declares_the_prefixes_it_uses_only() -> None:
    graph = _build("tiny")
    graph.bind("unused", "http://unused.example.org/")
    text = to_turtle(graph).decode()
    assert "@prefix mdm2: <https://w3id.org/mdm2kg/id/> ." in text and "mdm2:GENE1" in text
    assert "unused" not in text


def test_turtle_with_blank_nodes_is_isomorphic() -> None:
    graph = _build("micro")
    node = BNode()
    graph.add((URIRef(ID + "A"), URIRef(V + "note"), node))
    graph.add((node, URIRef(V + "says"), Literal("anonymous")))
    assert isomorphic(Graph().parse(data=to_turtle(graph), format="turtle"), graph)


def test_iri_that_ntriples_cannot_hold_is_refused() -> None:
    graph = Graph()
    graph.add((URIRef("http://example.org/a b"), URIRef("http://example.org/p"), Literal("x")))
    with pytest.raises(RuntimeFailure, match="cannot write the IRI"):
        to_ntriples(graph)


def test_shipped_graph_round_trips_through_turtle() -> None:
    _, graph = load_and_build(resolve_data_dirs(None))
    assert set(Graph().parse(data=to_turtle(graph), format="turtle")) == set(graph)
    assert to_turtle(graph) == to_turtle(graph)
