"""`mdm2kg show`: every entity of the shipped graph renders in every format, every statement
line is cited; hand-checked cards on the tiny graph (and its negation fixture)."""

from __future__ import annotations

import json

import pytest

from mdm2kg.errors import NotFoundError
from mdm2kg.read import read_model
from mdm2kg.show import Card, CardFormat, build_card, show
from tests.cli_runner import invoke
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def neg_kg():  # type: ignore[no-untyped-def]
    from mdm2kg.artifact.graph import KnowledgeGraph

    return KnowledgeGraph.build([FIXTURES / "tiny", FIXTURES / "negation"])


def test_every_shipped_entity_renders_in_every_format(shipped_kg) -> None:  # type: ignore[no-untyped-def]
    model = read_model(shipped_kg)
    assert len(model.entities) > 200
    for entity_id in model.entities:
        card = build_card(model, entity_id)
        for line in card.statements:
            assert line.citations, f"{entity_id}: uncited statement line {line.sentence}"
            if line.negated:
                assert "does not" in line.sentence, line.sentence
        for table in card.tables:
            assert table.columns[-1] == "citations"
            assert all(row[-1] for row in table.rows), f"{entity_id}: uncited row in {table.name}"
        text = card.render(CardFormat.TEXT)
        assert card.label in text
        md = card.render(CardFormat.MD)
        assert md.startswith(f"# {card.label}")
        doc = json.loads(card.render(CardFormat.JSON))
        assert doc["id"] == entity_id
        assert all(st["citations"] for st in doc["statements"])


def test_trial_card_of_the_tiny_graph(neg_kg) -> None:  # type: ignore[no-untyped-def]
    card = show(neg_kg, "clinicaltrials:NCT00000001")
    assert isinstance(card, Card)
    assert (card.id, card.category, card.label) == ("NCT00000001", "ClinicalTrial", "TRIAL-1")
    assert card.identifiers[0].url == "https://clinicaltrials.gov/study/NCT00000001"
    results = card.table("results")
    assert results.rows == (("TRIAL-1", "objective_response_rate", "3.2", "percent", "0.1–16.7 (95% CI)", "1/31", "", "",
                             "TRIAL-1 drug A arm", "", "", "conflict_orr", 'doc1 Table 1: "ORR: 3.2%" [clinical_trial_result]'),)
    aes = card.table("adverse_events")
    assert [r[:5] for r in aes.rows] == [("TRIAL-1", "thrombocytopenia", "3-4", "25", "percent")]
    assert [r[aes.columns.index("conflicts")] for r in aes.rows] == [""]  # no conflict is about the observation
    conflicts = card.table("conflicts")
    assert [r[2] for r in conflicts.rows] == ["3.2%", "25%"]
    assert "field: phase; value: Phase II" in card.to_text()


def test_compound_card_resistance_through_class(neg_kg) -> None:  # type: ignore[no-untyped-def]
    card = show(neg_kg, "DA-1")
    assert card.id == "drugA"
    rows = card.table("resistance").rows
    assert [(r[0], r[1]) for r in rows] == [("Mechanism X", "through its drug class: member of Class A inhibitors")]
    assert [r[0] for r in card.table("trials").rows] == ["NCT00000001"]
    assert card.table("results").rows[0][2] == "3.2"
    mech = card.table("mechanism").rows
    assert [(r[0], r[1]) for r in mech] == [("inhibits", "Gene One")]


def test_negated_statement_reads_does_not(neg_kg) -> None:  # type: ignore[no-untyped-def]
    card = show(neg_kg, "Drug B")
    (line,) = [ln for ln in card.statements if ln.negated]
    assert line.sentence == "Drug B does not inhibit Gene Two"
    assert ("context", "drug B alone, in the assay of section 4") in line.qualifiers
    text = card.to_text()
    assert "Drug B does not inhibit Gene Two" in text and "NEGATED" in text
    gene = show(neg_kg, "GENE1")
    partners = {(r[0], r[2], r[4]) for r in gene.table("partners").rows}
    assert ("Gene Three", "incoming", "does not") in partners
    assert ("Gene Three", "incoming", "+") in partners
    assert ("Gene Two", "outgoing", "−") in partners


def test_curator_inference_is_marked(shipped_kg) -> None:  # type: ignore[no-untyped-def]
    text = show(shipped_kg, "MANTRA-2").to_text()
    assert "[CURATOR INFERENCE]" in text


def test_unknown_entity(neg_kg) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFoundError):
        show(neg_kg, "no such thing")


def test_to_pandas(neg_kg) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("pandas")
    frames = show(neg_kg, "TRIAL-1").to_pandas()
    assert list(frames["results"]["value"]) == ["3.2"]
    assert "citations" in frames["statements"].columns


def test_cli_show(neg_kg) -> None:  # type: ignore[no-untyped-def]
    data = ["--data", str(FIXTURES / "tiny"), "--data", str(FIXTURES / "negation")]
    res = invoke(["show", "Gene One", "--format", "json", *data])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["id"] == "GENE1"
    res = invoke(["show", "nothing-like-this", *data])
    assert res.exit_code == 1
