"""SHACL catches what a graph (not only YAML) can get wrong; the shipped data conforms; the production
path runs the fast engine, whose problems are pySHACL's (tests/test_shacl_engine.py compares in depth)."""

from __future__ import annotations

import sys

import pytest
from rdflib import RDF, Graph, Literal, URIRef

from mdm2kg.artifact.cache import resolve_data_dirs
from mdm2kg.artifact.pipeline import assert_conforms, validate_data
from mdm2kg.errors import CurationError, ProblemKind
from mdm2kg.rdf.ontology import load_schema
from mdm2kg.rdf.shacl import ShaclEngine, shacl_problems

from .conftest import FIXTURES, require_seeds

V = "https://w3id.org/mdm2kg/vocab/"
ID = "https://w3id.org/mdm2kg/id/"


def _tiny_graph(tiny_kg) -> Graph:  # type: ignore[no-untyped-def]
    graph = Graph()
    for triple in tiny_kg.rdf:
        graph.add(triple)
    return graph


def test_tiny_graph_conforms(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    problems, _ = shacl_problems(_tiny_graph(tiny_kg), load_schema())
    assert problems == []


def test_shacl_catches_statement_without_evidence(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    graph = _tiny_graph(tiny_kg)
    statement = next(iter(graph.subjects(RDF.type, RDF.Statement)))
    graph.remove((statement, URIRef(V + "hasEvidence"), None))
    problems, _ = shacl_problems(graph, load_schema())
    assert any("evidence" in p.message and str(statement).replace(ID, "") in p.message for p in problems)
    assert all(p.kind is ProblemKind.SHACL for p in problems)


def test_shacl_catches_domain_violation(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    graph = _tiny_graph(tiny_kg)
    graph.add((URIRef(ID + "GENE1"), URIRef(V + "member_of"), URIRef(ID + "classA")))
    problems, _ = shacl_problems(graph, load_schema())
    assert any("GENE1" in p.message and "member_of" in p.message for p in problems)


def test_shacl_catches_range_violation(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    graph = _tiny_graph(tiny_kg)
    graph.add((URIRef(ID + "drugA"), URIRef(V + "has_adverse_event"), URIRef(ID + "GENE2")))
    problems, _ = shacl_problems(graph, load_schema())
    assert any("GENE2" in p.message and "has_adverse_event" in p.message for p in problems)


def test_shacl_catches_malformed_trial_identifier(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    graph = _tiny_graph(tiny_kg)
    graph.add((URIRef(ID + "NCT00000001"), URIRef("http://www.w3.org/2004/02/skos/core#exactMatch"),
               URIRef("http://identifiers.org/clinicaltrials/NCT123")))
    problems, _ = shacl_problems(graph, load_schema())
    assert any("NCT" in p.message for p in problems)


def test_validate_report_on_fixture() -> None:
    report = validate_data([FIXTURES / "tiny"])
    assert report.conforms and report.statistics["statements"] == 12


def test_shipped_data_conforms_with_anchor_checks() -> None:
    report = validate_data(resolve_data_dirs(None), seeds=require_seeds())
    assert report.conforms, "\n".join(str(p) for p in report.problems[:40])


def test_production_validation_does_not_run_pyshacl(tiny_kg, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "pyshacl", None)  # importing pySHACL now fails
    assert validate_data([FIXTURES / "tiny"]).conforms
    graph = _tiny_graph(tiny_kg)
    graph.remove((next(iter(graph.subjects(RDF.type, RDF.Statement))), URIRef(V + "hasEvidence"), None))
    with pytest.raises(CurationError, match="evidence"):
        assert_conforms(graph)


@pytest.mark.parametrize("breakage", ["no evidence", "domain", "negated"])
def test_both_engines_give_the_same_problems(tiny_kg, breakage: str) -> None:  # type: ignore[no-untyped-def]
    graph = _tiny_graph(tiny_kg)
    statement = next(iter(graph.subjects(RDF.type, RDF.Statement)))
    if breakage == "no evidence":
        graph.remove((statement, URIRef(V + "hasEvidence"), None))
    elif breakage == "domain":
        graph.add((URIRef(ID + "GENE1"), URIRef(V + "member_of"), URIRef(ID + "classA")))
    else:
        graph.add((statement, URIRef(V + "negated"), Literal(True)))
    fast, _ = shacl_problems(graph, load_schema(), engine=ShaclEngine.FAST)
    reference, _ = shacl_problems(graph, load_schema(), engine=ShaclEngine.PYSHACL)
    assert fast == reference and fast
