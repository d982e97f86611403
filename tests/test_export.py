"""Exports: round trips, determinism, atomic writes, table/ID consistency, dataset metadata.

Every check runs on the tiny fixture and on the shipped data (skipped outside CI while the
shipped data is being curated and does not build).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic, to_isomorphic

from mdm2kg.artifact.graph import KnowledgeGraph
from mdm2kg.export import ExportFormat, export, render
from mdm2kg.export.common import export_graph
from mdm2kg.rdf.metadata import add_metadata, describe, read_description, strip_metadata
from mdm2kg.read import read_model
from mdm2kg.read.network import entity_network
from mdm2kg.stats import graph_stats
from tests.cli_runner import invoke

TINY = Path(__file__).parent / "fixtures" / "tiny"


@pytest.fixture(scope="module", params=["tiny", "shipped"])
def kg(request: pytest.FixtureRequest) -> KnowledgeGraph:
    return KnowledgeGraph.build([TINY]) if request.param == "tiny" else request.getfixturevalue("shipped_kg")


@pytest.fixture(scope="module")
def tiny() -> KnowledgeGraph:
    return KnowledgeGraph.build([TINY])


def _count(kg: KnowledgeGraph, query: str) -> int:
    prefixes = ("PREFIX mdm2kg: <https://w3id.org/mdm2kg/vocab/>\n"
                "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n")
    return int(next(iter(kg.store.query(prefixes + query)))[0].value)


def _parse(data: bytes, fmt: str) -> Graph:
    return Graph().parse(data=data, format=fmt)


# ---------------------------------------------------------------- RDF round trips


@pytest.mark.parametrize(("fmt", "rdflib_format"), [
    (ExportFormat.TURTLE, "turtle"), (ExportFormat.NTRIPLES, "nt"), (ExportFormat.JSONLD, "json-ld"),
])
def test_rdf_round_trip_is_isomorphic(kg: KnowledgeGraph, fmt: ExportFormat, rdflib_format: str) -> None:
    (data,) = render(kg, fmt).values()
    parsed = _parse(data, rdflib_format)
    assert isomorphic(parsed, export_graph(kg))
    # The built graph itself is all there: drop the description and compare with kg.rdf.
    built = strip_metadata(_copy(kg.rdf))
    assert isomorphic(strip_metadata(parsed), built)


def _copy(graph: Graph) -> Graph:
    out = Graph()
    for triple in graph:
        out.add(triple)
    return out


def test_jsonld_parses_the_same_with_oxigraph(tiny: KnowledgeGraph) -> None:
    import pyoxigraph

    data = render(tiny, ExportFormat.JSONLD)["mdm2kg.jsonld"]
    from_ox = {str(q.triple) for q in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.JSON_LD)}
    nt = render(tiny, ExportFormat.NTRIPLES)["mdm2kg.nt"]
    from_nt = {str(t) for t in pyoxigraph.parse(nt, format=pyoxigraph.RdfFormat.N_TRIPLES)}
    assert from_ox == from_nt


def test_jsonld_context_is_the_project_prefix_map(tiny: KnowledgeGraph) -> None:
    from mdm2kg.prefixes import prefix_map

    doc = json.loads(render(tiny, ExportFormat.JSONLD)["mdm2kg.jsonld"])
    ctx = doc["@context"]
    for name, spec in prefix_map().items():
        value = ctx[name]
        assert (value if isinstance(value, str) else value["@id"]) == spec.iri
    ids = [node["@id"] for node in doc["@graph"]]
    assert ids == sorted(ids)
    assert "mdm2:GENE1" in ids  # compacted with the project prefix
    gene1 = next(node for node in doc["@graph"] if node["@id"] == "mdm2:GENE1")
    assert gene1["@type"] == ["mdm2kg:Gene"]
    assert {"@id": "HGNC:6973"} in gene1["skos:exactMatch"]


def test_ntriples_export_is_sorted(tiny: KnowledgeGraph) -> None:
    lines = render(tiny, ExportFormat.NTRIPLES)["mdm2kg.nt"].splitlines()
    assert lines == sorted(lines) and len(lines) == len(set(lines))


# ---------------------------------------------------------------- determinism and atomic writes


def test_every_format_is_deterministic(tmp_path: Path) -> None:
    first = KnowledgeGraph.build([TINY])
    second = KnowledgeGraph.build([TINY], use_cache=False)  # fresh build, fresh memo
    for fmt in ExportFormat:
        assert render(first, fmt) == render(second, fmt), fmt


def test_export_writes_all_files_atomically(tiny: KnowledgeGraph, tmp_path: Path) -> None:
    paths = export(tiny, list(ExportFormat), tmp_path)
    names = sorted(p.name for p in paths)
    assert names == sorted([
        "mdm2kg.ttl", "mdm2kg.nt", "mdm2kg.jsonld", "nodes.tsv", "edges.tsv", "mdm2kg_metadata.json",
        "mdm2kg.graphml", "mdm2kg.cyjs", "neo4j_nodes.csv", "neo4j_relationships.csv",
    ])
    assert sorted(p.name for p in tmp_path.iterdir()) == names  # no temporary files left behind


def test_a_failing_format_writes_nothing(tiny: KnowledgeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mdm2kg.export.neo4j as neo4j

    def broken(kg: KnowledgeGraph) -> dict[str, bytes]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(neo4j, "render", broken)
    with pytest.raises(RuntimeError):
        export(tiny, [ExportFormat.KGX, ExportFormat.NEO4J], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_unknown_format_is_a_usage_error(tiny: KnowledgeGraph, tmp_path: Path) -> None:
    from mdm2kg.errors import UsageError

    with pytest.raises(UsageError, match="known: turtle"):
        export(tiny, "rdfxml", tmp_path)


# ---------------------------------------------------------------- GraphML and Cytoscape


def _edge_set(graph: Any) -> set[tuple[str, str, str]]:
    return {(str(u), str(v), str(k)) for u, v, k in graph.edges(keys=True)}


def test_graphml_loads_back_with_same_nodes_and_edges(kg: KnowledgeGraph, tmp_path: Path) -> None:
    (path,) = export(kg, ExportFormat.GRAPHML, tmp_path)
    loaded = nx.read_graphml(path, force_multigraph=True)
    source = entity_network(read_model(kg), include_negated=True)
    assert set(loaded.nodes) == set(source.nodes)
    assert _edge_set(loaded) == _edge_set(source)
    assert loaded.graph["version"] == describe(export_graph(kg)).version
    for u, v, key, attrs in source.edges(keys=True, data=True):
        back = loaded.edges[u, v, key]
        assert back["predicate"] == attrs["predicate"]
        assert back["polarity"] == attrs["polarity"]
        assert back["citations"]  # citations travel on every edge
        assert all(c.anchor in back["citations"] for c in attrs["statement"].evidence)
        assert back["negated"] == attrs["negated"]


def test_cytoscape_loads_back_with_same_nodes_and_edges(kg: KnowledgeGraph) -> None:
    doc = json.loads(render(kg, ExportFormat.CYTOSCAPE)["mdm2kg.cyjs"])
    loaded = nx.cytoscape_graph(doc)
    source = entity_network(read_model(kg), include_negated=True)
    assert set(loaded.nodes) == set(source.nodes)
    assert _edge_set(loaded) == _edge_set(source)
    edge_ids = [e["data"]["id"] for e in doc["elements"]["edges"]]
    assert len(edge_ids) == len(set(edge_ids))  # Cytoscape.js needs unique element ids
    assert doc["data"]["statements"] == read_description(export_graph(kg))["records"]["statements"]
    for u, v, key, attrs in source.edges(keys=True, data=True):
        assert len(loaded.edges[u, v, key]["citations"]) == len(attrs["statement"].evidence)
        assert loaded.edges[u, v, key]["negated"] == attrs["negated"]


def test_tiny_cytoscape_edge_carries_citation_and_qualifier(tiny: KnowledgeGraph) -> None:
    doc = json.loads(render(tiny, ExportFormat.CYTOSCAPE)["mdm2kg.cyjs"])
    edge = next(e["data"] for e in doc["elements"]["edges"] if e["data"]["predicate"] == "ubiquitinates")
    assert (edge["source"], edge["target"], edge["polarity"], edge["q_site"]) == ("GENE1", "GENE2", -1, "Lys120")
    assert edge["citations"] == ['doc1 §1: "gene one ubiquitinates"']
    inhibit = next(e["data"] for e in doc["elements"]["edges"]
                   if e["data"]["predicate"] == "inhibits" and e["data"]["source"] == "drugA")
    assert inhibit["publications"] == ["mdm2:doc1", "mdm2:doc1_ref01"]


# ---------------------------------------------------------------- KGX and Neo4j tables


def _tsv(data: bytes) -> list[dict[str, str]]:
    lines = data.decode("utf-8").splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]
    return rows


def test_kgx_rows_match_entity_and_statement_counts(kg: KnowledgeGraph) -> None:
    files = render(kg, ExportFormat.KGX)
    nodes, edges = _tsv(files["nodes.tsv"]), _tsv(files["edges.tsv"])
    stats = graph_stats(kg)
    assert len(nodes) == stats["coverage"]["entities"] + stats["records"]["publications"]
    object_statements = _count(
        kg, "SELECT (COUNT(DISTINCT ?st) AS ?n) WHERE { ?st a rdf:Statement ; rdf:object ?o . FILTER(isIRI(?o)) }")
    literal_statements = stats["records"]["statements"] - object_statements
    assert len(edges) == object_statements
    assert sum(1 for n in nodes for k, v in n.items() if k.startswith("mdm2kg_") and k != "mdm2kg_category"
               for _ in filter(None, v.split("|"))) == literal_statements
    ids = [n["id"] for n in nodes]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert len({e["id"] for e in edges}) == len(edges)
    known = set(ids)
    for e in edges:
        assert e["subject"] in known and e["object"] in known
        assert e["knowledge_level"] == "knowledge_assertion" and e["agent_type"] == "manual_agent"
        assert e["publications"] and all(p in known for p in e["publications"].split("|"))
        assert e["mdm2kg_polarity"] in {"+", "-", "none"}
    assert json.loads(files["mdm2kg_metadata.json"])["entities"] == stats["coverage"]["entities"]


def test_kgx_tiny_rows_by_hand(tiny: KnowledgeGraph) -> None:
    files = render(tiny, ExportFormat.KGX)
    nodes = {n["id"]: n for n in _tsv(files["nodes.tsv"])}
    assert nodes["mdm2:GENE1"]["category"] == "biolink:Gene"
    assert nodes["mdm2:GENE1"]["xref"] == "HGNC:6973"
    assert nodes["mdm2:GENE1"]["synonym"] == "<img src=x onerror=alert(1)>|G1"
    assert nodes["mdm2:drugA"]["mdm2kg_modality"] == "small_molecule"
    assert nodes["mdm2:NCT00000001"]["mdm2kg_phase"] == "Phase II"
    assert nodes["mdm2:doc1"]["category"] == "biolink:Publication"
    edges = _tsv(files["edges.tsv"])
    ub = next(e for e in edges if e["mdm2kg_predicate"] == "mdm2kg:ubiquitinates")
    assert (ub["subject"], ub["predicate"], ub["object"]) == ("mdm2:GENE1", "biolink:affects", "mdm2:GENE2")
    assert (ub["mdm2kg_polarity"], ub["mdm2kg_qualifiers"], ub["mdm2kg_locators"]) == ("-", "site=Lys120", "doc1 §1")


def _csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    return rows[0], rows[1:]


def test_neo4j_headers_and_id_references_are_consistent(kg: KnowledgeGraph) -> None:
    files = render(kg, ExportFormat.NEO4J)
    node_header, nodes = _csv(files["neo4j_nodes.csv"])
    rel_header, rels = _csv(files["neo4j_relationships.csv"])
    assert node_header[:2] == ["id:ID", ":LABEL"]
    assert rel_header[:3] == [":START_ID", ":END_ID", ":TYPE"]
    assert all(len(row) == len(node_header) for row in nodes)
    assert all(len(row) == len(rel_header) for row in rels)
    ids = [row[0] for row in nodes]
    assert len(ids) == len(set(ids))
    known = set(ids)
    for row in rels:
        assert row[0] in known and row[1] in known
        assert row[2].isupper() and row[2].replace("_", "").isalnum()
    polarity = rel_header.index("polarity:int")
    assert {row[polarity] for row in rels} <= {"-1", "0", "1"}
    kgx = render(kg, ExportFormat.KGX)
    assert len(nodes) == len(_tsv(kgx["nodes.tsv"])) and len(rels) == len(_tsv(kgx["edges.tsv"]))


# ---------------------------------------------------------------- dataset metadata


def test_metadata_agrees_with_stats(kg: KnowledgeGraph, tmp_path: Path) -> None:
    (path,) = export(kg, ExportFormat.NTRIPLES, tmp_path)
    exported = KnowledgeGraph.from_file(path)
    stats = graph_stats(exported)
    stated = read_description(exported.rdf)
    assert stated["triples"] == stats["triples"] == len(exported.rdf)
    assert stated["categories"] == stats["categories"]
    assert stated["predicates"] == stats["predicates"]
    assert stated["records"] == stats["records"]
    assert stated["entities"] == stats["coverage"]["entities"]


def test_metadata_states_version_date_licence_and_sources(tiny: KnowledgeGraph) -> None:
    import importlib.metadata

    stated = read_description(export_graph(tiny))
    assert stated["version"] == importlib.metadata.version("mdm2kg")
    assert stated["issued"] == "2025"  # the tiny source document's year, not today's date
    assert stated["licence"].startswith("https://spdx.org/licenses/")
    assert stated["sources"] == ["doc1"]  # doc1_ref01 is a cited reference, not a source


def test_shipped_sources_are_the_two_documents(shipped_kg: KnowledgeGraph) -> None:
    stated = read_description(export_graph(shipped_kg))
    assert stated["sources"] == ["benchchem2025", "russano2025"]
    assert stated["issued"] == "2025-12-22"


def test_add_metadata_is_idempotent_and_removable(tiny: KnowledgeGraph) -> None:
    graph = add_metadata(_copy(tiny.rdf))
    again = add_metadata(_copy(graph))
    assert to_isomorphic(graph) == to_isomorphic(again)
    assert isomorphic(strip_metadata(again), strip_metadata(_copy(tiny.rdf)))


def test_exports_keep_an_existing_description(tiny: KnowledgeGraph, tmp_path: Path) -> None:
    graph = add_metadata(_copy(tiny.rdf), version="0.0.9")
    (tmp_path / "release.nt").write_bytes(graph.serialize(format="nt", encoding="utf-8"))
    released = KnowledgeGraph.from_file(tmp_path / "release.nt")
    assert read_description(export_graph(released))["version"] == "0.0.9"
    meta = json.loads(render(released, ExportFormat.KGX)["mdm2kg_metadata.json"])
    assert meta["version"] == "0.0.9"


# ---------------------------------------------------------------- CLI


def test_cli_export_writes_each_format(tmp_path: Path) -> None:
    result = invoke(["export", "--format", "kgx", "--format", "turtle", "--data", str(TINY),
                                  "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in tmp_path.iterdir()} == {"nodes.tsv", "edges.tsv", "mdm2kg_metadata.json", "mdm2kg.ttl"}
    assert "wrote" in result.output


def test_cli_export_all_from_a_built_file(tmp_path: Path, tiny: KnowledgeGraph) -> None:
    result = invoke(["export", "--format", "all", "--graph-file", str(tiny.nt_path),
                                  "--out", str(tmp_path / "all")])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "all").iterdir())) == 10


def test_cli_export_usage_errors_exit_2(tmp_path: Path) -> None:
    assert invoke(["export", "--format", "rdfxml", "--out", str(tmp_path)]).exit_code == 2
    assert invoke(["export", "--format", "kgx"]).exit_code == 2


def test_cli_export_invalid_data_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    text = (TINY / "tiny.yaml").read_text(encoding="utf-8").replace("object: GENE2", "object: NO_SUCH_GENE", 1)
    (bad / "tiny.yaml").write_text(text, encoding="utf-8")
    result = invoke(["export", "--format", "kgx", "--data", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert not (tmp_path / "o").exists()
