"""Negated statements are data, never facts: on a tiny graph and on the five shipped negations.

Tiny + negation fixtures (see fixtures/negation/negated.yaml):
    drugB -/-inhibits-> GENE2   negated, no positive counterpart
    GENE3 -/-activates-> GENE1  negated in a context; GENE3 -activates-> GENE1 stays a fact
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import networkx as nx
import pytest
from rdflib import URIRef

from mdm2kg.artifact.graph import KnowledgeGraph
from mdm2kg.artifact.pipeline import assert_conforms, load_and_build
from mdm2kg.errors import CurationError
from mdm2kg.export import render as export_render
from mdm2kg.path_text import format_path_text
from mdm2kg.paths import find_paths
from mdm2kg.query import run_named, run_query
from mdm2kg.read import read_model
from mdm2kg.read.network import entity_network
from mdm2kg.render import page_data, select
from tests.conftest import FIXTURES

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
V = "https://w3id.org/mdm2kg/vocab/"
ID = "https://w3id.org/mdm2kg/id/"
# The five statements the shipped sources state as NOT holding (subject, predicate, object).
SHIPPED_NEGATIONS = {
    ("MDM2", "activates", "TP73"),
    ("MDM4", "ubiquitinates", "TP53"),
    ("MDM2_p53_inhibitor", "inhibits", "MDM2_acidic_domain"),
    ("G_CSF", "suppresses", "neutropenia"),
    ("G_CSF", "overcomes", "on_target_hematologic_toxicity"),
}


@pytest.fixture(scope="module")
def neg_kg() -> KnowledgeGraph:
    return KnowledgeGraph.build([FIXTURES / "tiny", FIXTURES / "negation"])


def ask(kg: KnowledgeGraph, text: str) -> bool:
    return bool(run_query(kg, text).boolean)


def test_negated_statement_keeps_its_node_but_not_its_triple(neg_kg: KnowledgeGraph) -> None:
    assert not ask(neg_kg, "ASK { mdm2:drugB mdm2kg:inhibits mdm2:GENE2 }")
    assert ask(neg_kg, """ASK { ?st mdm2kg:negated true ; rdf:subject mdm2:drugB ; rdf:predicate mdm2kg:inhibits ;
                                   rdf:object mdm2:GENE2 ; mdm2kg:hasEvidence ?ev ; mdm2kg:q_context ?c }""")
    # the positive statement with the same triple in another context keeps its fact
    assert ask(neg_kg, "ASK { mdm2:GENE3 mdm2kg:activates mdm2:GENE1 }")


def test_read_model_says_negated_and_does_not(neg_kg: KnowledgeGraph) -> None:
    model = read_model(neg_kg)
    negated = [st for st in model.statements if st.negated]
    assert {(st.subject, st.predicate, st.object) for st in negated} == {("drugB", "inhibits", "GENE2"),
                                                                         ("GENE3", "activates", "GENE1")}
    drug_b = next(st for st in negated if st.subject == "drugB")
    assert drug_b.sentence(model.labels) == "Drug B does not inhibit Gene Two"
    assert drug_b.evidence[0].anchor == "drug B fails to inhibit gene two"
    assert drug_b.qualifier("context") == "drug B alone, in the assay of section 4"
    assert all(not st.negated for st in model.facts)


def test_paths_never_travel_a_negated_statement(neg_kg: KnowledgeGraph) -> None:
    search = find_paths(neg_kg, "drugB", "GENE2", max_hops=2)
    assert [p.nodes for p in search.paths] == [("drugB", "GENE1", "GENE2")]
    assert all(not h.statement.negated for p in search.paths for h in p.hops)
    assert "does not" not in format_path_text(search)
    assert not entity_network(read_model(neg_kg)).has_edge("drugB", "GENE2")


def test_page_draws_negated_edges_as_negated(neg_kg: KnowledgeGraph) -> None:
    data = page_data(select(neg_kg))
    edge = next(e for e in data["edges"] if (e["from"], e["to"]) == ("drugB", "GENE2"))
    assert edge["negated"] is True and edge["label"] == "does not inhibit"
    positive = [e for e in data["edges"] if (e["from"], e["to"]) == ("drugA", "GENE1")]
    assert positive and all("negated" not in e for e in positive)


def test_every_tabular_export_marks_negation(neg_kg: KnowledgeGraph) -> None:
    kgx = export_render(neg_kg, "kgx")["edges.tsv"].decode()
    rows = list(csv.DictReader(io.StringIO(kgx), delimiter="\t"))
    by_triple = {(r["subject"], r["mdm2kg_predicate"], r["object"], r["negated"]) for r in rows}
    assert ("mdm2:drugB", "mdm2kg:inhibits", "mdm2:GENE2", "true") in by_triple
    assert ("mdm2:drugA", "mdm2kg:inhibits", "mdm2:GENE1", "") in by_triple  # empty = Biolink's default, false
    neo = export_render(neg_kg, "neo4j")["neo4j_relationships.csv"].decode()
    neo_rows = list(csv.DictReader(io.StringIO(neo)))
    assert {(r[":START_ID"], r[":END_ID"], r["negated:boolean"]) for r in neo_rows} >= {("drugB", "GENE2", "true"),
                                                                                         ("drugA", "GENE1", "false")}
    graphml = nx.read_graphml(io.BytesIO(export_render(neg_kg, "graphml")["mdm2kg.graphml"]), force_multigraph=True)
    flags = {(u, v, bool(d["negated"])) for u, v, d in graphml.edges(data=True)}
    assert ("drugB", "GENE2", True) in flags and ("drugA", "GENE1", False) in flags
    cyjs = json.loads(export_render(neg_kg, "cytoscape")["mdm2kg.cyjs"])
    cy = {(e["data"]["source"], e["data"]["target"], e["data"]["negated"]) for e in cyjs["elements"]["edges"]}
    assert ("drugB", "GENE2", True) in cy and ("drugA", "GENE1", False) in cy


def test_shacl_rejects_an_asserted_negated_triple() -> None:
    _, graph = load_and_build([FIXTURES / "tiny", FIXTURES / "negation"])
    assert_conforms(graph)
    graph.add((URIRef(ID + "drugB"), URIRef(V + "inhibits"), URIRef(ID + "GENE2")))
    with pytest.raises(CurationError) as info:
        assert_conforms(graph)
    assert any("negated" in p.message for p in info.value.problems)


def test_shipped_negations_are_never_facts(shipped_kg: Any) -> None:
    model = read_model(shipped_kg)
    negated = [st for st in model.statements if st.negated]
    assert len(negated) == 5
    assert SHIPPED_NEGATIONS <= {(st.subject, st.predicate, st.object) for st in negated}
    facts = {(st.subject, st.predicate, st.object) for st in model.facts}
    network = entity_network(model)
    for st in negated:
        assert st.verb().startswith("does not")
        asserted = ask(shipped_kg, f"ASK {{ <{ID}{st.subject}> <{V}{st.predicate}> <{ID}{st.object}> }}")
        # a direct triple exists only where a positive statement (another context) asserts it
        assert asserted == ((st.subject, st.predicate, st.object) in facts)
        if not asserted:
            assert not any(d["predicate"] == st.predicate for d in network.get_edge_data(st.subject, st.object, default={}).values())
    partners = run_named(shipped_kg, "partners_of", {"entity": "MDM4"}).values()
    assert not any(r["partner"].endswith("/TP53") and r["predicate"] == "ubiquitinates" for r in partners)
    # G-CSF does not significantly shorten neutropenia: no path hop says it suppresses it
    gcsf = [st for st in negated if st.subject == "G_CSF"]
    assert gcsf, "the G-CSF negation is curated"
    for st in gcsf:
        search = find_paths(shipped_kg, st.subject, st.object, max_hops=1)
        assert all(h.statement.id != st.id for p in search.paths for h in p.hops)


def test_negated_literal_in_yaml_is_a_field_not_a_qualifier(tmp_path: Any) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((FIXTURES / "negation" / "negated.yaml").read_text().replace(
        "negated: true\n    qualifiers: {context: without cofactor}", "qualifiers: {negated: true, context: without cofactor}"))
    with pytest.raises(CurationError) as info:
        KnowledgeGraph.build([FIXTURES / "tiny", tmp_path])
    assert any("negated" in p.message and p.line > 0 for p in info.value.problems)
