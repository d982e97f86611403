"""`mdm2kg coverage`: a tiny hand-made document checked by hand, and the shipped data against
the two source documents (present in CI as ../shared/seeds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mdm2kg.artifact.cache import resolve_data_dirs
from mdm2kg.curation.coverage import (
    EntityMatcher,
    Exclusion,
    Status,
    coverage,
    load_exclusions,
    split_sentences,
)
from mdm2kg.curation.loader import load
from mdm2kg.curation.model import Dataset, Entity, Evidence, Publication, Statement
from mdm2kg.errors import UsageError
from mdm2kg.rdf.ontology import load_schema
from tests.cli_runner import invoke

from .conftest import require_seeds

DOC = """Front
1. Intro
*Alpha* binds beta tightly [1]. Gamma ray stays alone here.
ALP and gamma ray interact.[2] Alphabet soup mentions beta only.
2. Next
Beta and gamma ray were seen together.
Alpha\tbeta\tgamma ray
"""


def tiny_dataset() -> Dataset:
    ev = Evidence(source="doc", locator="§1", anchor="Alpha binds  beta", kind="review_statement")
    return Dataset(
        publications=[Publication(id="doc", kind="review", title="Doc", document="doc.txt",
                                  sections=(("§1", "1. Intro"), ("§2", "2. Next")))],
        entities=[Entity("alpha", "Gene", "alpha", synonyms=("ALP",)), Entity("beta", "Gene", "Beta"),
                  Entity("gamma", "Gene", "gamma ray")],
        statements=[Statement("alpha", "binds", "beta", None, (), (ev,))],
    )


def test_sentences_are_split_on_end_punctuation_and_citations() -> None:
    assert split_sentences("*Alpha* binds beta [1]. Gamma ray.[2] Next one") == ["Alpha binds beta [1].", "Gamma ray.[2]", "Next one"]
    assert split_sentences("a\tb. C\td") == ["a b. C d"]  # a table row is one sentence
    assert split_sentences("   ") == []


def test_entities_match_case_insensitively_on_word_boundaries() -> None:
    matcher = EntityMatcher.from_dataset(tiny_dataset())
    assert matcher.mentions("ALPHABET and alp and BETA") == [("alpha",), ("beta",)]
    assert matcher.mentions("gamma rays") == []


def test_tiny_document_by_hand(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text(DOC, encoding="utf-8")
    # §1: "Alpha binds beta tightly [1]." (covered by the anchor), "ALP and gamma ray interact.[2]"
    # (two entities, uncovered); the others mention fewer than two entities.
    # §2: "Beta and gamma ray were seen together." (uncovered, then excluded) and the table row (uncovered).
    report = coverage(tiny_dataset(), tmp_path)
    (doc,) = report.documents
    by_section = {s.locator: [(x.line, x.status) for x in s.sentences] for s in doc.sections}
    assert by_section == {"§1": [(3, Status.COVERED), (4, Status.UNCOVERED)],
                          "§2": [(6, Status.UNCOVERED), (7, Status.UNCOVERED)]}
    assert doc.percent == 25.0 and not report.ok
    assert doc.sections[0].sentences[0].entities == ("alpha", "beta")

    excluded = coverage(tiny_dataset(), tmp_path, threshold=75.0, exclusions=[
        Exclusion("doc", "§2", "seen only", text="were seen  together"),
        Exclusion("doc", "§1", "never matches", text="no such words"),
    ])
    (doc,) = excluded.documents
    assert [s.status for s in doc.sections[1].sentences] == [Status.EXCLUDED, Status.UNCOVERED]
    assert doc.sections[1].sentences[0].reason == "seen only"
    assert doc.percent == 50.0 and not excluded.ok
    assert [e.text for e in excluded.unused_exclusions] == ["no such words"]

    whole = coverage(tiny_dataset(), tmp_path, exclusions=[Exclusion("doc", "§2", "a results section")])
    # §1 keeps its uncovered sentence: 3 of 4 covered or explained
    assert whole.documents[0].percent == 75.0 and not whole.ok and whole.as_dict()["documents"][0]["excluded"] == 2


def test_exclusions_file_is_checked(tmp_path: Path) -> None:
    (tmp_path / "coverage").mkdir()
    (tmp_path / "coverage" / "exclusions.yml").write_text(
        "exclusions:\n  - {source: doc, locator: '§2', text: 'were seen', reason: r}\n", encoding="utf-8")
    assert load_exclusions([tmp_path]) == [Exclusion("doc", "§2", "r", text="were seen")]
    (tmp_path / "coverage" / "exclusions.yml").write_text("exclusions:\n  - {source: doc, locator: x}\n", encoding="utf-8")
    with pytest.raises(UsageError):
        load_exclusions([tmp_path])


def test_shipped_data_covers_both_documents() -> None:
    seeds = require_seeds()
    dirs = resolve_data_dirs(None)
    report = coverage(load(dirs, load_schema()), seeds, exclusions=load_exclusions(dirs))
    assert {d.source for d in report.documents} == {"russano2025", "benchchem2025"}
    for doc in report.documents:
        uncovered = [f"{s.locator} line {s.line}: {s.text[:100]}" for s in doc.sentences if s.status is Status.UNCOVERED]
        assert doc.percent >= 95.0, (doc.source, round(doc.percent, 1), uncovered)
    assert report.unused_exclusions == (), report.unused_exclusions


def test_cli_exit_code_and_json() -> None:
    seeds = require_seeds()
    result = invoke(["coverage", "--sources", str(seeds), "--format", "json"])
    assert result.exit_code == 0, result.output[-2000:]
    assert '"ok": true' in result.output
    strict = invoke(["coverage", "--sources", str(seeds), "--threshold", "100.1"])
    assert strict.exit_code == 1
