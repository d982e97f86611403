"""Path questions on the tiny hand-checkable graph (expected paths listed here) and on the shipped data.

Tiny graph (see fixtures/tiny/tiny.yaml):
    drugA -inhibits(-)-> GENE1 -ubiquitinates(-)-> GENE2 -promotes(+)-> proc1
    drugA -member_of-> classA <-confers_resistance_to(-)- mechX -involves-> GENE2
    drugB -inhibits(-)-> GENE1 ;  GENE3 -activates(+)-> GENE1
"""

from __future__ import annotations

import pytest

from mdm2kg.errors import NotFoundError, UsageError
from mdm2kg.path_text import format_path_text
from mdm2kg.paths import find_paths
from mdm2kg.read import read_model


def nodes(search) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return [p.nodes for p in search.paths]


def test_signed_path_and_net_polarity(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    search = find_paths(tiny_kg, "drugA", "proc1", max_hops=3)
    assert nodes(search)[0] == ("drugA", "GENE1", "GENE2", "proc1")
    best = search.paths[0]
    assert [h.predicate for h in best.hops] == ["inhibits", "ubiquitinates", "promotes"]
    assert [h.polarity for h in best.hops] == [-1, -1, 1]
    assert best.polarity == 1  # (-1) * (-1) * (+1)
    assert all(h.direction == "forward" for h in best.hops)
    assert best.hops[0].citations[0].cites == ("doc1_ref01",)


def test_all_paths_between_two_entities_in_rank_order(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    search = find_paths(tiny_kg, "drugA", "GENE2", max_hops=4)
    assert nodes(search) == [
        ("drugA", "GENE1", "GENE2"),            # 2 hops, net + (inhibits x ubiquitinates)
        ("drugA", "classA", "mechX", "GENE2"),  # 3 hops, unsigned (member_of)
    ]
    assert [p.polarity for p in search.paths] == [1, None]  # the second route is head-on: no net polarity
    assert search.paths[1].head_on
    backward = search.paths[1].hops[1]
    assert (backward.subject, backward.object, backward.direction) == ("mechX", "classA", "backward")


def test_category_to_category(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    search = find_paths(tiny_kg, "Compound", "resistance mechanism", max_hops=3)
    assert nodes(search) == [
        ("drugA", "classA", "mechX"),
        ("drugB", "GENE1", "GENE2", "mechX"),   # GENE1 has lower degree via drugB's side: ranked by hub penalty
        ("drugA", "GENE1", "GENE2", "mechX"),
    ]


def test_hub_penalty_ranks_specific_paths_first(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    search = find_paths(tiny_kg, "Compound", "ResistanceMechanism", max_hops=3)
    three = [p for p in search.paths if p.length == 3]
    assert three[0].score > three[1].score
    # drugB has degree 1, drugA degree 3: the path from the less connected start ranks first
    assert three[0].nodes[0] == "drugB"


def test_directed_and_predicate_constraints(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    assert nodes(find_paths(tiny_kg, "drugA", "GENE2", directed=True)) == [("drugA", "GENE1", "GENE2")]
    constrained = find_paths(tiny_kg, "drugA", "GENE2", predicates=["member_of", "confers_resistance_to", "involves"])
    assert nodes(constrained) == [("drugA", "classA", "mechX", "GENE2")]


def test_metapath_via_categories(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    search = find_paths(tiny_kg, "Compound", "ResistanceMechanism", via=["Gene", "Gene"])
    assert nodes(search) == [("drugB", "GENE1", "GENE2", "mechX"), ("drugA", "GENE1", "GENE2", "mechX")]
    assert nodes(find_paths(tiny_kg, "drugA", "mechX", via=["DrugClass"])) == [("drugA", "classA", "mechX")]


def test_ends_resolve_by_label_synonym_and_curie(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    assert read_model(tiny_kg).resolve("gene one") == "GENE1"
    assert read_model(tiny_kg).resolve("g1") == "GENE1"
    assert read_model(tiny_kg).resolve("HGNC:6973") == "GENE1"
    assert read_model(tiny_kg).resolve("DA-1") == "drugA"
    with pytest.raises(NotFoundError) as info:
        read_model(tiny_kg).resolve("Gene On")
    assert any("GENE1" in c for c in info.value.candidates)


def test_no_path_and_bounds(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    search = find_paths(tiny_kg, "drugA", "NCT00000001_armA", max_hops=1)
    assert search.paths == [] and "no path" in search.message
    with pytest.raises(UsageError):
        find_paths(tiny_kg, "drugA", "GENE2", max_hops=7)
    with pytest.raises(UsageError):
        find_paths(tiny_kg, "drugA", "GENE2", limit=1001)


def test_time_budget_stops_enumeration(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    search = find_paths(tiny_kg, "Compound", "Gene", max_hops=6, limit=1000, time_budget=0.0)
    assert search.truncated and "time budget" in search.message


def test_text_and_json_output(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    search = find_paths(tiny_kg, "drugA", "GENE2", max_hops=2)
    text = format_path_text(search)
    assert "Drug A --inhibits(−)--> Gene One" in text and 'doc1 §1: "drug A inhibits"' in text
    doc = search.as_dict()
    hop = doc["paths"][0]["hops"][0]
    assert hop["predicate"] == "inhibits" and hop["polarity"] == -1 and hop["citations"][0]["locator"] == "§1"


# ------------------------------------------------------------------ shipped data


def test_milademetan_to_acquired_tp53_mutation(shipped_kg) -> None:  # type: ignore[no-untyped-def]
    search = find_paths(shipped_kg, "milademetan", "acquired_TP53_mutation")
    assert search.paths, search.message
    first = search.paths[0]
    assert first.nodes[0] == "milademetan" and first.nodes[-1] == "acquired_TP53_mutation"
    assert all(h.citations for h in first.hops)


def test_brigimadlin_reaches_every_resistance_mechanism(shipped_kg) -> None:  # type: ignore[no-untyped-def]
    from mdm2kg.read import read_model
    from mdm2kg.read.network import entity_network

    mechanisms = sorted(n for n, d in entity_network(read_model(shipped_kg)).nodes(data=True) if d["category"] == "ResistanceMechanism")
    assert len(mechanisms) >= 5
    for mechanism in mechanisms:
        search = find_paths(shipped_kg, "brigimadlin", mechanism, max_hops=4, limit=1)
        assert search.paths, f"no path from brigimadlin to {mechanism}"
        assert all(h.citations for h in search.paths[0].hops)


def test_compound_to_resistance_mechanism_categories(shipped_kg) -> None:  # type: ignore[no-untyped-def]
    search = find_paths(shipped_kg, "Compound", "ResistanceMechanism", limit=20)
    assert len(search.paths) == 20
    assert {p.nodes[0] for p in search.paths} >= {"milademetan"} or len({p.nodes[0] for p in search.paths}) > 3
    lengths = [p.length for p in search.paths]
    assert lengths == sorted(lengths)
