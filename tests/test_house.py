"""The house holds: an honest cache key, a self-checking cache, one validation gate, and every
consumer agreeing with the read model on the shipped graph."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from mdm2kg.artifact import cache
from mdm2kg.artifact.graph import GRAPH, VERDICT, KnowledgeGraph
from mdm2kg.errors import CurationError
from mdm2kg.export import render as export_render
from mdm2kg.paths import find_paths
from mdm2kg.read import read_model
from mdm2kg.render import page_data, select
from tests.cli_runner import invoke
from tests.conftest import FIXTURES

PACKAGE = Path(cache.__file__).resolve().parent.parent


def _code_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "mdm2kg"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.mark.parametrize("module", ["curation/loader.py", "curation/yamlpos.py", "rdf/shacl.py", "rdf/builder.py",
                                    "artifact/pipeline.py", "prefixes.py"])
def test_editing_a_build_path_module_changes_the_cache_key(tmp_path: Path, module: str) -> None:
    copy = _code_copy(tmp_path)
    dirs = [FIXTURES / "tiny"]
    before = cache.input_hash(dirs, code_root=copy)
    assert before == cache.input_hash(dirs)  # the copy is the same code
    with (copy / module).open("a") as handle:
        handle.write("\n# edited\n")
    assert cache.input_hash(dirs, code_root=copy) != before


def test_editing_a_consumer_keeps_the_cache_key(tmp_path: Path) -> None:
    copy = _code_copy(tmp_path)
    dirs = [FIXTURES / "tiny"]
    before = cache.input_hash(dirs, code_root=copy)
    (copy / "paths.py").write_text((copy / "paths.py").read_text() + "\n# edited\n")
    assert cache.input_hash(dirs, code_root=copy) == before


def test_an_edited_build_path_module_gets_a_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MDM2KG_CACHE_DIR", str(tmp_path / "cache"))
    first = KnowledgeGraph.build([FIXTURES / "tiny"])
    copy = _code_copy(tmp_path)
    (copy / "curation" / "loader.py").write_text((copy / "curation" / "loader.py").read_text() + "\n# edited\n")
    monkeypatch.setattr(cache, "PACKAGE_ROOT", copy)
    second = KnowledgeGraph.build([FIXTURES / "tiny"])
    assert second.nt_path != first.nt_path and second.nt_path.is_file()
    assert second.ntriples() == first.ntriples()  # same data, same bytes


@pytest.mark.parametrize("damage", ["truncate", "forge", "drop-verdict", "garble-verdict"])
def test_a_damaged_cache_is_rebuilt_never_served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    monkeypatch.setenv("MDM2KG_CACHE_DIR", str(tmp_path / "cache"))
    good = KnowledgeGraph.build([FIXTURES / "tiny"])
    expected = good.ntriples()
    directory = good.nt_path.parent
    if damage == "truncate":
        (directory / GRAPH).write_bytes(expected[: len(expected) // 2])
    elif damage == "forge":
        (directory / GRAPH).write_bytes(expected + b"<https://x.org/a> <https://x.org/b> <https://x.org/c> .\n")
    elif damage == "drop-verdict":
        (directory / VERDICT).unlink()
    else:
        (directory / VERDICT).write_text("{not json")
    again = KnowledgeGraph.build([FIXTURES / "tiny"])
    assert again.ntriples() == expected
    assert len(again.store) == expected.count(b"\n")


def test_a_graph_file_that_violates_the_shapes_is_never_served(tmp_path: Path, tiny_kg: Any) -> None:
    bad = tmp_path / "bad.nt"
    # an entity without a label violates EntityShape
    bad.write_bytes(tiny_kg.ntriples() + b"<https://w3id.org/mdm2kg/id/X> "
                    b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/mdm2kg/vocab/Gene> .\n")
    with pytest.raises(CurationError) as info:
        KnowledgeGraph.from_file(bad)
    assert any("label" in p.message for p in info.value.problems)
    result = invoke(["query", "--graph-file", str(bad), "SELECT * WHERE { ?s ?p ?o } LIMIT 1"])
    assert result.exit_code == 1
    assert "label" in result.output


# ---- every consumer agrees with the read model on the shipped graph -------------------------------------


def _evidence_keys(st: Any) -> set[tuple[str, str, str]]:
    return {(e.source, e.locator, e.anchor) for e in st.evidence}


def test_consumers_agree_with_the_read_model(shipped_kg: Any) -> None:
    model = read_model(shipped_kg)
    between = {st.id: st for st in model.statements if st.object in model.entities and st.subject in model.entities}

    # the page shows every statement between entities, negation and qualifiers as the read model has them
    page = {e["id"]: e for e in page_data(select(shipped_kg))["edges"]}
    assert set(page) == set(between)
    for sid, edge in page.items():
        st = between[sid]
        assert bool(edge.get("negated")) == st.negated
        assert {tuple(q) for q in edge.get("qualifiers", [])} == {(k, str(v)) for k, v in st.qualifiers}
        assert {(c["source"], c["locator"], c["anchor"]) for c in edge["citations"]} == _evidence_keys(st)

    # KGX: one edge per statement with the same negation, qualifiers and locators
    rows = list(csv.DictReader(io.StringIO(export_render(shipped_kg, "kgx")["edges.tsv"].decode()), delimiter="\t"))
    kgx = {r["id"].removeprefix("mdm2:"): r for r in rows}
    assert set(between) <= set(kgx)
    for sid, st in between.items():
        assert kgx[sid]["negated"] == ("true" if st.negated else "")  # kgx reads any non-empty cell as true
        assert set(filter(None, kgx[sid]["mdm2kg_locators"].split("|"))) == set(st.locators)

    # GraphML: the same statements and negation, with every citation
    graphml = nx.read_graphml(io.BytesIO(export_render(shipped_kg, "graphml")["mdm2kg.graphml"]), force_multigraph=True)
    exported = {k: d for _, _, k, d in graphml.edges(keys=True, data=True)}
    assert set(exported) == set(between)
    for sid, data in exported.items():
        assert bool(data["negated"]) == between[sid].negated
        assert all(e.anchor in data["citations"] for e in between[sid].evidence)

    # paths: every hop is a read-model fact with the read model's evidence
    search = find_paths(shipped_kg, "Compound", "ResistanceMechanism", limit=50)
    assert search.paths
    for path in search.paths:
        for hop in path.hops:
            st = between[hop.statement.id]
            assert not st.negated and hop.citations == st.evidence and hop.statement.qualifiers == st.qualifiers


def test_read_views_are_kept_beside_the_graph_and_never_trusted_blindly(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from mdm2kg.read.model import ReadModel

    monkeypatch.setenv("MDM2KG_CACHE_DIR", str(tmp_path / "cache"))
    kg = KnowledgeGraph.build([FIXTURES / "tiny", FIXTURES / "negation"])
    fresh = ReadModel(kg).statements
    view = kg.nt_path.parent / "view-statements.json"
    assert view.is_file()
    assert ReadModel(kg).statements == fresh  # read back from the file, equal in every field
    view.write_text('{"header": {"graph": "another", "code": "x"}, "data": []}')
    assert ReadModel(kg).statements == fresh  # a view of another graph is recomputed
    view.write_text("{damaged")
    assert ReadModel(kg).statements == fresh
    assert any(st.negated for st in fresh) and any(st.qualifiers for st in fresh)


def test_a_damaged_on_disk_store_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mdm2kg.artifact.store import ensure_store, open_store

    monkeypatch.setenv("MDM2KG_CACHE_DIR", str(tmp_path / "cache"))
    kg = KnowledgeGraph.build([FIXTURES / "tiny"])
    expected = kg.ntriples().count(b"\n")
    location = ensure_store(kg)
    (location / "CURRENT").unlink()
    assert len(open_store(kg)) == expected
    for table in location.glob("*.sst"):
        table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])
    assert len(open_store(kg)) == expected


def test_the_store_is_named_for_the_engine_version_that_opens_it() -> None:
    """`serve` names the store from pyoxigraph's metadata without loading the engine: the name
    must be the version of the module that builds and opens the store."""
    import pyoxigraph

    from mdm2kg.artifact.store import oxigraph_version

    assert oxigraph_version() == pyoxigraph.__version__


def test_a_store_checked_once_is_still_checked_after_damage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The triple count that matched is remembered (stat memo), but damage to any store file
    after that is seen and the store rebuilt."""
    from mdm2kg import digest
    from mdm2kg.artifact.store import ensure_store, open_store

    monkeypatch.setattr(digest, "RACY_SECONDS", 0.0)
    monkeypatch.setenv("MDM2KG_CACHE_DIR", str(tmp_path / "cache"))
    kg = KnowledgeGraph.build([FIXTURES / "tiny"])
    expected = kg.ntriples().count(b"\n")
    location = ensure_store(kg)
    assert len(open_store(kg)) == expected
    assert (location.parent / f".{location.name}.checked.json").is_file()
    assert len(open_store(kg)) == expected  # from the memo
    for table in location.glob("*.sst"):
        table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])
    assert len(open_store(kg)) == expected
