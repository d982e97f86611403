"""The notebook-style example of the README, run as a test (keep the two in step)."""

from __future__ import annotations

import pytest


def test_readme_example() -> None:
    pytest.importorskip("pandas")
    # --- README example starts
    from mdm2kg.artifact.graph import KnowledgeGraph
    from mdm2kg.query import run_named
    from mdm2kg.show import show

    kg = KnowledgeGraph.build()                       # the shipped graph (cached after the first build)

    card = show(kg, "MANTRA-2")                       # any id, label, synonym, CURIE or NCT id
    print(card.category, card.identifiers[0].url)    # ClinicalTrial https://clinicaltrials.gov/study/NCT05012397
    results = card.table("results").to_pandas()       # every result with value, CI, n, arm and citations
    print(results[["endpoint", "value", "unit", "ci"]])

    phase3 = run_named(kg, "compounds_by_phase", {"phase": "Phase 3"}).to_pandas()
    print(phase3[["label", "phase_stated", "citations"]])  # Phase III and Phase I–III compounds, cited
    # --- README example ends
    assert card.category == "ClinicalTrial"
    assert "3.2" in set(results["value"])
    assert set(phase3["label"]) == {"Idasanutlin", "Brigimadlin", "Navtemadlin"}
