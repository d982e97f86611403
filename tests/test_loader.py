"""Loader: one invalid file per error kind, each reported with its file, line and column."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from mdm2kg.curation.loader import load, load_dataset
from mdm2kg.curation.yamlpos import load_yaml
from mdm2kg.errors import CurationError, ProblemKind, UsageError
from mdm2kg.rdf.ontology import load_schema

INVALID = Path(__file__).parent / "fixtures" / "invalid"

# fixture directory -> (problem kind, line, column, words the message or hint must contain)
EXPECTED = {
    "yaml_syntax": (ProblemKind.YAML_SYNTAX, 10, 11, "expected"),
    "duplicate_key": (ProblemKind.DUPLICATE_KEY, 11, 5, "object"),
    "unknown_field": (ProblemKind.UNKNOWN_FIELD, 10, 5, "did you mean 'object'"),
    "duplicate_id": (ProblemKind.DUPLICATE_ID, 7, 5, "'A'"),
    "unknown_reference": (ProblemKind.UNKNOWN_REFERENCE, 8, 5, "did you mean 'B'"),
    "no_evidence": (ProblemKind.NO_EVIDENCE, 8, 5, "evidence"),
    "bad_identifier": (ProblemKind.BAD_IDENTIFIER, 7, 57, "HGNC"),
    "not_a_number": (ProblemKind.NOT_A_NUMBER, 12, 5, "38.8%"),
    "unknown_predicate": (ProblemKind.UNKNOWN_TERM, 9, 5, "did you mean 'inhibits'"),
    "domain_range": (ProblemKind.DOMAIN_RANGE, 8, 5, "member_of"),
    "unknown_category": (ProblemKind.UNKNOWN_TERM, 7, 13, "Protein"),
    "control_character": (ProblemKind.CONTROL_CHARACTER, 5, 42, "U+001B (ESC)"),
    "limit_exceeded": (ProblemKind.LIMIT, 11, 12, "1e400000000"),
    "out_of_range": (ProblemKind.OUT_OF_RANGE, 11, 5, "at most 1"),
    "self_reference": (ProblemKind.SELF_REFERENCE, 9, 5, "'drug' to itself"),
    "missing_field": (ProblemKind.MISSING_FIELD, 13, 9, "'anchor' of evidence is empty"),
    "wrong_type": (ProblemKind.WRONG_TYPE, 4, 43, "must be a list"),
}


def test_every_invalid_fixture_is_covered() -> None:
    assert sorted(p.name for p in INVALID.iterdir()) == sorted(EXPECTED)


def test_every_loader_problem_kind_has_a_fixture() -> None:
    found_later = {ProblemKind.ANCHOR_NOT_FOUND, ProblemKind.SHACL}  # checked by anchors.py and the shapes
    assert {kind for kind, *_ in EXPECTED.values()} == set(ProblemKind) - found_later


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture_reports_located_problem(name: str) -> None:
    kind, line, column, words = EXPECTED[name]
    _, problems = load_dataset([INVALID / name], load_schema())
    matching = [p for p in problems if p.kind is kind]
    assert matching, f"{name}: expected a {kind.value} problem, got {[str(p) for p in problems]}"
    first = matching[0]
    assert first.file.endswith(f"{name}/data.yaml")
    assert (first.line, first.column) == (line, column)
    assert words in str(first)


def test_all_problems_are_gathered_not_only_the_first(tmp_path: Path) -> None:
    for name in ("unknown_reference", "bad_identifier", "not_a_number"):
        text = (INVALID / name / "data.yaml").read_text()
        (tmp_path / f"{name}.yaml").write_text(text.replace("id: src,", f"id: src_{name},").replace(
            "source: src,", f"source: src_{name},").replace("id: A,", f"id: A_{name},").replace(
            "id: B,", f"id: B_{name},").replace("id: drug,", f"id: drug_{name},"))
    with pytest.raises(CurationError) as info:
        load([tmp_path], load_schema())
    kinds = {p.kind for p in info.value.problems}
    assert {ProblemKind.UNKNOWN_REFERENCE, ProblemKind.BAD_IDENTIFIER, ProblemKind.NOT_A_NUMBER} <= kinds
    assert isinstance(info.value, ValueError)


def test_numbers_are_kept_exactly() -> None:
    data, problems = load_yaml("a: 38.80\nb: 7\nc: '12.5'\n", "x.yaml")
    assert not problems
    assert data["a"] == Decimal("38.80") and str(data["a"]) == "38.80"
    assert data["b"] == 7 and data["c"] == "12.5"


def test_identical_statements_merge_their_evidence(tmp_path: Path) -> None:
    text = (INVALID / "unknown_reference" / "data.yaml").read_text().replace("object: Bx", "object: A")
    extra = """
  - subject: drug
    predicate: inhibits
    object: A
    evidence: [{source: src, locator: "§2", anchor: other words, kind: review_statement}]
"""
    (tmp_path / "d.yaml").write_text(text + extra)
    ds = load([tmp_path], load_schema())
    assert len(ds.statements) == 1
    assert [e.locator for e in ds.statements[0].evidence] == ["§1", "§2"]


def test_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        load([tmp_path / "nope"], load_schema())
