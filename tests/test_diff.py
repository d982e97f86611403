"""`mdm2kg diff`: release differences on a hand-edited copy of the tiny fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from mdm2kg.artifact.graph import KnowledgeGraph
from mdm2kg.diff import diff_graphs, diff_rdf, load_graph
from mdm2kg.errors import UsageError
from tests.cli_runner import invoke

TINY = Path(__file__).parent / "fixtures" / "tiny"

EDITS = [
    # entity changed: label
    ("{id: GENE2, category: Gene, label: Gene Two,", "{id: GENE2, category: Gene, label: Gene 2,"),
    # entity added
    ("  - {id: GENE3, category: Gene, label: Gene Three}\n",
     "  - {id: GENE3, category: Gene, label: Gene Three}\n  - {id: GENE4, category: Gene, label: Gene Four}\n"),
    # statement removed, statement added
    ("  - subject: GENE3\n    predicate: activates\n    object: GENE1\n",
     "  - subject: GENE4\n    predicate: activates\n    object: GENE1\n"),
    # statement changed: evidence anchor
    ("anchor: drug B inhibits,", "anchor: drug B blocks,"),
    # statement re-keyed: qualifier
    ("qualifiers: {site: Lys120}", "qualifiers: {site: Lys121}"),
    # result changed: value
    ("    value: 3.20\n", "    value: 3.30\n"),
    # conflict changed: resolution
    ("resolution: The table value is kept.", "resolution: The table value is kept (checked twice)."),
]


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = (TINY / "tiny.yaml").read_text(encoding="utf-8")
    for old, new in EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    folder = tmp_path_factory.mktemp("edited")
    (folder / "tiny.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def tiny() -> KnowledgeGraph:
    return KnowledgeGraph.build([TINY])


def test_a_graph_is_identical_to_itself(tiny: KnowledgeGraph) -> None:
    result = diff_graphs(tiny, tiny)
    assert result.identical
    assert all(v == {"added": 0, "removed": 0, "changed": 0} for v in result.summary().values())


def test_built_file_and_data_directory_compare_identical(tiny: KnowledgeGraph, tmp_path: Path) -> None:
    from mdm2kg.export import ExportFormat, export

    export(tiny, ExportFormat.TURTLE, tmp_path)  # carries a dataset description: ignored
    assert diff_graphs(load_graph(tmp_path / "mdm2kg.ttl"), load_graph(TINY)).identical


def test_edits_are_found_and_grouped(tiny: KnowledgeGraph, edited: Path) -> None:
    result = diff_graphs(tiny, KnowledgeGraph.build([edited]))
    assert not result.identical
    data = result.as_dict()
    assert data["summary"]["entities"] == {"added": 1, "removed": 0, "changed": 1}
    assert data["summary"]["statements"] == {"added": 1, "removed": 1, "changed": 2}
    assert data["summary"]["results"] == {"added": 0, "removed": 0, "changed": 1}
    assert data["summary"]["conflicts"] == {"added": 0, "removed": 0, "changed": 1}
    assert data["summary"]["publications"] == {"added": 0, "removed": 0, "changed": 0}
    assert data["summary"]["other triples"] == {"added": 0, "removed": 0, "changed": 0}

    genes = data["sections"]["entities"]["Gene"]
    assert [r["id"] for r in genes["added"]] == ["GENE4"]
    (changed,) = genes["changed"]
    assert changed["id"] == "GENE2"
    assert changed["fields"]["rdfs:label"] == {"removed": ['"Gene Two"'], "added": ['"Gene 2"']}

    activates = data["sections"]["statements"]["activates"]
    assert [r["label"] for r in activates["removed"]] == ["GENE3 activates GENE1"]
    assert [r["label"] for r in activates["added"]] == ["GENE4 activates GENE1"]
    (inhibit,) = data["sections"]["statements"]["inhibits"]["changed"]
    assert inhibit["label"] == "drugB inhibits GENE1"
    (evidence_delta,) = inhibit["fields"].values()
    assert "drug B inhibits" in evidence_delta["removed"][0] and "drug B blocks" in evidence_delta["added"][0]
    (rekeyed,) = data["sections"]["statements"]["ubiquitinates"]["changed"]
    assert rekeyed["label"] == "GENE1 ubiquitinates GENE2 [site=Lys121]"
    assert rekeyed["old_id"] != rekeyed["id"]
    assert rekeyed["fields"]["mdm2kg:q_site"] == {"removed": ['"Lys120"'], "added": ['"Lys121"']}

    (result_change,) = data["sections"]["results"]["TrialResult"]["changed"]
    # numbers read back from the store in canonical form (3.20 -> 3.2), as every consumer shows them
    assert result_change["fields"]["mdm2kg:value"] == {"removed": ['"3.2"'], "added": ['"3.3"']}
    assert list(data["sections"]["conflicts"]) == ["numeric"]


def test_negation_is_part_of_a_statement(tiny: KnowledgeGraph, tmp_path: Path) -> None:
    negation = TINY.parent / "negation"
    both = KnowledgeGraph.build([TINY, negation])
    text = (negation / "negated.yaml").read_text(encoding="utf-8")
    (tmp_path / "negated.yaml").write_text(text.replace("    negated: true\n    qualifiers: {context: without", "    qualifiers: {context: without"),
                                           encoding="utf-8")
    result = diff_graphs(both, KnowledgeGraph.build([TINY, tmp_path])).as_dict()
    assert result["summary"]["statements"] == {"added": 0, "removed": 0, "changed": 1}
    (flipped,) = result["sections"]["statements"]["activates"]["changed"]
    assert flipped["label"] == "GENE3 activates GENE1 [context=without cofactor]"
    assert flipped["fields"]["mdm2kg:negated"] == {"removed": ['"true"'], "added": []}
    added = diff_graphs(tiny, both).as_dict()["sections"]["statements"]
    assert sorted(r["label"] for group in added.values() for r in group["added"]) == [
        "GENE3 activates GENE1 [context=without cofactor]", "drugB inhibits GENE2 [context=drug B alone, in the assay of section 4]"]


def test_text_report(tiny: KnowledgeGraph, edited: Path) -> None:
    text = diff_graphs(tiny, KnowledgeGraph.build([edited]), old_name="v1", new_name="v2").to_text()
    assert text.splitlines()[0].startswith("old: v1")
    assert "entities: 1 added, 0 removed, 1 changed" in text
    assert "    + GENE4  Gene Four" in text
    assert "    - " in text and "GENE3 activates GENE1" in text
    assert "(was stmt-" in text
    assert text.endswith("different")


def test_vocabulary_changes_count_as_other_triples(tiny: KnowledgeGraph) -> None:
    from rdflib import Graph

    changed = Graph()
    for triple in tiny.rdf:
        changed.add(triple)
    changed.add((URIRef("https://w3id.org/mdm2kg/vocab/inhibits"), URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
                 Literal("new comment")))
    result = diff_rdf(tiny.rdf, changed)
    assert not result.identical
    assert len(result.other_added) == 1 and "new comment" in result.other_added[0]


def test_load_graph_rejects_what_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        load_graph(tmp_path / "missing")
    with pytest.raises(UsageError, match="neither"):
        load_graph(tmp_path)


def test_cli_exit_codes(edited: Path, tmp_path: Path) -> None:
    same = invoke(["diff", str(TINY), str(TINY)])
    assert same.exit_code == 0, same.output
    assert same.output.strip().endswith("identical")
    different = invoke(["diff", str(TINY), str(edited), "--format", "json"])
    assert different.exit_code == 1, different.output
    payload = json.loads(different.output)
    assert payload["identical"] is False and payload["summary"]["entities"]["added"] == 1
    assert invoke(["diff", str(TINY), str(tmp_path / "missing")]).exit_code == 2
    assert invoke(["diff", str(TINY)]).exit_code == 2
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.yaml").write_text("entities: [{id: X}]\n", encoding="utf-8")
    broken = invoke(["diff", str(TINY), str(bad)])
    assert broken.exit_code == 2 and "curation problem" in broken.output


def test_shipped_data_is_identical_to_its_build(tmp_path: Path, shipped_kg: KnowledgeGraph) -> None:
    shipped = shipped_kg
    (tmp_path / "mdm2kg.nt").write_bytes(shipped.ntriples())
    assert diff_graphs(load_graph("shipped"), load_graph(tmp_path)).identical
