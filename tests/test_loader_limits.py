"""Regression tests of issue 14 (items 6 and 10): hostile or faulty curated input is refused
with its file, line and column (exit 1), or, when it cannot be located in a file, with a
UsageError naming the path (exit 2). One test per defect found; each asserts the position.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mdm2kg.curation import yamlpos
from mdm2kg.curation.loader import load_dataset
from mdm2kg.errors import Problem, ProblemKind, UsageError
from mdm2kg.rdf.ontology import load_schema
from tests.cli_runner import invoke

# Lines 1-6: valid records every case below can refer to.
BASE = """\
publications:
  - {id: src, kind: review, title: Source}
entities:
  - {id: A, category: Gene, label: Alpha}
  - {id: drug, category: Compound, label: Drug}
  - {id: T, category: ClinicalTrial, label: Trial}
"""
EVIDENCE = 'evidence: [{source: src, locator: "§1", anchor: some words, kind: review_statement}]'
STATEMENT = f"statements:\n  - subject: drug\n    predicate: inhibits\n    object: A\n    {EVIDENCE}\n"


def result(**fields: str) -> str:
    """A trial result record at line 8 ('- id: r1'); extra fields start at line 12."""
    lines = ["results:", "  - id: r1", "    trial: T", "    endpoint: objective_response_rate", "    unit: percent"]
    lines += [f"    {k}: {v}" for k, v in fields.items()]
    if "value" not in fields:
        lines.append("    value: 10")
    return "\n".join([*lines, f"    {EVIDENCE}", ""])


def problems_of(tmp_path: Path, text: str | bytes) -> list[Problem]:
    path = tmp_path / "data.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    _, problems = load_dataset([tmp_path], load_schema())
    return problems


def only(problems: list[Problem], kind: ProblemKind) -> Problem:
    assert problems, "the input was accepted"
    assert problems[0].kind is kind, [str(p) for p in problems]
    assert all(p.line > 0 and p.column > 0 for p in problems), [str(p) for p in problems]
    return problems[0]


def at(problem: Problem) -> tuple[int, int]:
    return (problem.line, problem.column)


def test_the_base_is_valid(tmp_path: Path) -> None:
    assert problems_of(tmp_path, BASE + STATEMENT + result()) == []


# -- 14.6: nesting, aliases, control characters ---------------------------------------------------


def test_deep_nesting_is_refused_at_the_limit(tmp_path: Path) -> None:  # was RecursionError at ~400 levels
    text = BASE + "conflicts: " + "[" * 400 + "]" * 400 + "\n"
    p = only(problems_of(tmp_path, text), ProblemKind.LIMIT)
    assert at(p) == (7, 12 + yamlpos.MAX_DEPTH - 1)
    assert f"{yamlpos.MAX_DEPTH} levels" in p.message


def test_deep_block_nesting_is_refused(tmp_path: Path) -> None:
    text = BASE + "conflicts:\n" + "".join(" " * (i + 1) + "-\n" for i in range(500))
    p = only(problems_of(tmp_path, text), ProblemKind.LIMIT)
    assert p.line == 7 + yamlpos.MAX_DEPTH  # line 7 holds the top mapping, each line one level more


@pytest.mark.parametrize("text, line, column", [
    ("conflicts: &x [*x]\n", 7, 16),
    ("conflicts:\n  - &x {about: [*x]}\n", 8, 17),
])
def test_recursive_alias_is_refused(tmp_path: Path, text: str, line: int, column: int) -> None:  # was RecursionError
    p = only(problems_of(tmp_path, BASE + text), ProblemKind.YAML_SYNTAX)
    assert at(p) == (line, column)
    assert "contains it" in p.message


def test_billion_laughs_is_refused(tmp_path: Path) -> None:  # was > 60 s and 4-5 GB
    rows = ['x0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    rows += [f"x{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    bomb = "\n".join(rows) + "\n"
    assert len(bomb) < 700
    p = only(problems_of(tmp_path, bomb), ProblemKind.LIMIT)
    assert p.line == 6 and "aliases expand" in p.message


def test_alias_uses_are_counted(tmp_path: Path) -> None:
    text = "a: &s x\nb: [" + ",".join(["*s"] * (yamlpos.MAX_ALIASES + 1)) + "]\n"
    p = only(problems_of(tmp_path, text), ProblemKind.LIMIT)
    assert p.line == 2 and "aliases" in p.message


def test_aliases_within_the_limits_are_read(tmp_path: Path) -> None:
    text = BASE.replace("label: Alpha}", "label: &alpha Alpha}") + "  - {id: A2, category: Gene, label: *alpha}\n"
    assert problems_of(tmp_path, text) == []


@pytest.mark.parametrize("char, name", [("\x00", "NUL"), ("\x07", "BEL"), ("\x1b", "ESC"), ("\x08", "BS"),
                                        ("\x7f", "DEL"), ("\x85", "NEL"), ("\x9b", "U+009B")])
def test_raw_control_character_is_refused_with_its_position(tmp_path: Path, char: str, name: str) -> None:  # was ReaderError
    text = BASE.replace("label: Alpha", f"label: Al{char}pha")
    p = only(problems_of(tmp_path, text), ProblemKind.CONTROL_CHARACTER)
    assert at(p) == (4, 38)
    assert name in p.message


@pytest.mark.parametrize("escape", ["\\x1b[31m", "\\0", "\\a", "\\e", "\\x9b", "\\N", "\\r"])
def test_escaped_control_character_is_refused(tmp_path: Path, escape: str) -> None:
    text = BASE.replace("label: Alpha", f'label: "Al{escape}pha"')
    p = only(problems_of(tmp_path, text), ProblemKind.CONTROL_CHARACTER)
    assert at(p) == (4, 36)


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    text = BASE.encode().replace(b"Alpha", b"Al\xffpha")
    p = only(problems_of(tmp_path, text), ProblemKind.YAML_SYNTAX)
    assert at(p) == (4, 38)
    assert "UTF-8" in p.message


def test_second_document_is_refused(tmp_path: Path) -> None:
    p = only(problems_of(tmp_path, BASE + "---\nentities: []\n"), ProblemKind.YAML_SYNTAX)
    assert at(p) == (7, 1)


def test_long_text_is_refused(tmp_path: Path) -> None:
    text = BASE.replace("label: Alpha", "label: " + "a" * (yamlpos.MAX_STRING_CHARS + 1))
    p = only(problems_of(tmp_path, text), ProblemKind.LIMIT)
    assert at(p) == (4, 36)


# -- 14.6: numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value, kind", [
    ("1e999999999", ProblemKind.NOT_A_NUMBER),  # YAML 1.1 reads this as text; was MemoryError
    ("1.0e+999999999", ProblemKind.LIMIT),
    ("!!float 1e400000000", ProblemKind.LIMIT),  # was an 803 MB graph
    ("!!float 1e-400000000", ProblemKind.LIMIT),
    ("!!float 0e+1000000", ProblemKind.LIMIT),
    ("0x" + "f" * 2000, ProblemKind.LIMIT),
    ("!!float sNaN", ProblemKind.NOT_A_NUMBER),  # was a traceback
    ("!!float NaN", ProblemKind.NOT_A_NUMBER),  # was "NaN.0"^^xsd:decimal
    ("!!float Infinity", ProblemKind.NOT_A_NUMBER),
    (".nan", ProblemKind.NOT_A_NUMBER),
    ("-.inf", ProblemKind.NOT_A_NUMBER),
])
def test_numbers_out_of_range_or_not_finite_are_refused(tmp_path: Path, value: str, kind: ProblemKind) -> None:
    p = only(problems_of(tmp_path, BASE + result(value=value)), kind)
    assert p.line == 12


@pytest.mark.parametrize("value", ["!!float Infinity", "!!float sNaN", "1.5"])
def test_integer_field_refuses_infinity_and_fractions(tmp_path: Path, value: str) -> None:  # was OverflowError
    p = only(problems_of(tmp_path, BASE + result(count=value)), ProblemKind.NOT_A_NUMBER)
    assert p.line == 12


def test_nan_qualifier_is_refused(tmp_path: Path) -> None:
    text = BASE + STATEMENT + "    qualifiers: {fold_change: !!float NaN}\n"
    p = only(problems_of(tmp_path, text), ProblemKind.NOT_A_NUMBER)
    assert at(p) == (12, 31)


# -- 14.6: identifiers checked against the IRI grammar ----------------------------------------------


@pytest.mark.parametrize("curie", ["doi:10.1000/a>b", 'doi:10.1000/a\\"b', "doi:10.1000/a{b}", "doi:10.1000/a\\\\b",
                                   "doi:10.1000/a%zz", "HGNC:6973\\n", "PMID:123 456"])
def test_identifier_outside_the_iri_grammar_is_refused(tmp_path: Path, curie: str) -> None:
    text = BASE.replace("label: Alpha}", f'label: Alpha, identifiers: ["HGNC:6973", "{curie}"]}}')
    p = only(problems_of(tmp_path, text), ProblemKind.BAD_IDENTIFIER)
    assert at(p) == (4, 70)


@pytest.mark.parametrize("bad_id", ['"A\\n"', '"A B"', '"A<b>"', "-A"])
def test_id_outside_the_pattern_is_refused(tmp_path: Path, bad_id: str) -> None:
    text = BASE.replace("{id: A,", f"{{id: {bad_id},")
    p = only(problems_of(tmp_path, text), ProblemKind.WRONG_TYPE)
    assert at(p) == (4, 6)


def test_document_must_be_a_plain_file_name(tmp_path: Path) -> None:
    text = BASE.replace("title: Source}", "title: Source, document: ../../etc/passwd}")
    p = only(problems_of(tmp_path, text), ProblemKind.WRONG_TYPE)
    assert at(p) == (2, 44)


@pytest.mark.parametrize("curie", ["doi:10.1000/a>b", "HGNC:6973\\n"])
def test_validate_and_build_agree(tmp_path: Path, curie: str) -> None:
    """What `validate` refuses, `build` refuses with the same located problem (and vice versa)."""
    (tmp_path / "data").mkdir()
    text = BASE.replace("label: Alpha}", f'label: Alpha, identifiers: ["{curie}"]}}') + STATEMENT
    (tmp_path / "data" / "d.yaml").write_text(text)
    validated = invoke(["validate", "--data", str(tmp_path / "data")])
    built = invoke(["build", "--no-shacl", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out")])
    assert validated.exit_code == built.exit_code == 1
    assert "d.yaml:4:57: bad-identifier" in validated.output
    assert "d.yaml:4:57: bad-identifier" in built.output
    assert not (tmp_path / "out").exists()


# -- 14.6: what cannot be located: exit 2 naming the path -------------------------------------------


def test_fifo_named_yaml_is_refused_without_blocking(tmp_path: Path) -> None:  # was a hang
    (tmp_path / "d.yaml").write_text(BASE)
    os.mkfifo(tmp_path / "pipe.yaml")
    with pytest.raises(UsageError, match=r"pipe\.yaml: not a regular file"):
        load_dataset([tmp_path], load_schema())
    result_ = invoke(["validate", "--data", str(tmp_path)])
    assert result_.exit_code == 2 and "pipe.yaml" in result_.output


def test_directory_named_yaml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").mkdir()
    with pytest.raises(UsageError, match=r"d\.yaml: not a regular file"):
        load_dataset([tmp_path], load_schema())


def test_empty_directory_is_a_usage_error(tmp_path: Path) -> None:
    result_ = invoke(["validate", "--data", str(tmp_path)])
    assert result_.exit_code == 2 and "no *.yaml files" in result_.output


def test_oversized_file_is_refused_by_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mdm2kg.curation.loader as loader

    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    (tmp_path / "d.yaml").write_text(BASE)
    with pytest.raises(UsageError, match=r"d\.yaml is 2\d\d bytes, over the limit of 100"):
        load_dataset([tmp_path], load_schema())


# -- 14.6: terminal control characters are escaped in what the CLI prints ---------------------------


def test_file_names_and_values_are_printed_escaped(tmp_path: Path) -> None:
    name = "evil\x1b]0;title\x07\x1b[2J.yaml"
    (tmp_path / name).write_text(BASE.replace("{id: A,", '{id: "A\\e[31m",'))
    out = invoke(["validate", "--data", str(tmp_path)]).output
    assert "\x1b" not in out and "\x07" not in out
    assert "evil\\x1b]0;title\\x07\\x1b[2J.yaml:4:" in out


# -- 14.10: validation gaps -------------------------------------------------------------------------


def test_empty_anchor_is_refused(tmp_path: Path) -> None:
    text = BASE + STATEMENT.replace("anchor: some words", 'anchor: ""')
    p = only(problems_of(tmp_path, text), ProblemKind.MISSING_FIELD)
    assert at(p) == (11, 45)
    assert "'anchor' of evidence is empty" in p.message


@pytest.mark.parametrize("field, value", [("count", "-1"), ("n", "-3"), ("denominator", "-31"), ("denominator", "0"),
                                          ("p_value", "7"), ("p_value", "-0.1"), ("ci_level", "950")])
def test_numbers_outside_their_range_are_refused(tmp_path: Path, field: str, value: str) -> None:
    p = only(problems_of(tmp_path, BASE + result(**{field: value})), ProblemKind.OUT_OF_RANGE)
    assert at(p) == (12, 5)
    assert field in p.message


def test_negative_incidence_is_refused(tmp_path: Path) -> None:
    text = BASE + "  - {id: ae, category: AdverseEvent, label: AE}\nobservations:\n  - id: o1\n    trial: T\n    event: ae\n" \
        f"    grade: '3'\n    unit: percent\n    incidence: -5\n    {EVIDENCE}\n"
    p = only(problems_of(tmp_path, text), ProblemKind.OUT_OF_RANGE)
    assert at(p) == (14, 5)


def test_ci_low_above_ci_high_is_refused(tmp_path: Path) -> None:
    p = only(problems_of(tmp_path, BASE + result(ci_low="16.7", ci_high="0.1")), ProblemKind.OUT_OF_RANGE)
    assert at(p) == (12, 5)
    assert "ci_low 16.7 is above ci_high 0.1" in p.message


def test_self_loop_is_refused(tmp_path: Path) -> None:
    text = BASE + STATEMENT.replace("object: A", "object: drug")
    p = only(problems_of(tmp_path, text), ProblemKind.SELF_REFERENCE)
    assert at(p) == (10, 5)


@pytest.mark.parametrize("links, line", [
    ({"src": "src"}, 2),
    ({"src": "p1", "p1": "src"}, 2),
    ({"p1": "p2", "p2": "p3", "p3": "p1"}, 3),
])
def test_citation_cycle_is_refused(tmp_path: Path, links: dict[str, str], line: int) -> None:
    def by(pid: str) -> str:
        return f", referenced_by: {links[pid]}" if pid in links else ""

    papers = "".join(f"  - {{id: {pid}, kind: primary_article, title: Paper{by(pid)}}}\n" for pid in ("p1", "p2", "p3"))
    text = BASE.replace("title: Source}", f"title: Source{by('src')}}}").replace("entities:\n", papers + "entities:\n", 1)
    p = only(problems_of(tmp_path, text), ProblemKind.SELF_REFERENCE)
    assert p.line == line
    assert "cycle" in p.message


def test_a_chain_of_references_is_fine(tmp_path: Path) -> None:
    text = BASE.replace("entities:\n", "  - {id: p1, kind: primary_article, title: P, referenced_by: src}\n"
                                     "  - {id: p2, kind: primary_article, title: Q, referenced_by: p1}\nentities:\n")
    assert problems_of(tmp_path, text) == []


@pytest.mark.parametrize("year", ["-2020", "0", "20250"])
def test_year_outside_range_is_refused(tmp_path: Path, year: str) -> None:
    text = BASE.replace("title: Source}", f"title: Source, year: {year}}}")
    p = only(problems_of(tmp_path, text), ProblemKind.OUT_OF_RANGE)
    assert at(p) == (2, 44)


def test_every_limit_is_documented() -> None:
    readme = (Path(__file__).resolve().parent.parent / "graph_data" / "README.md").read_text()
    limits = [name for name in vars(yamlpos) if name.startswith("MAX_")]
    assert len(limits) >= 8
    for name in limits:
        assert f"`{name}`" in readme, f"{name} is not documented in graph_data/README.md"


def test_trial_identifier_must_be_a_registry_number(tmp_path: Path) -> None:
    """Caught by the loader with a position (before: only by SHACL, without one)."""
    text = BASE.replace("label: Trial}", 'label: Trial, identifiers: ["PMID:123"]}')
    p = only(problems_of(tmp_path, text), ProblemKind.BAD_IDENTIFIER)
    assert at(p) == (6, 52)
