"""SPARQL API and CLI on Oxigraph: bindings, formats, errors; every named query over the shipped data."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from mdm2kg.errors import NotFoundError, QueryError
from mdm2kg.query import named_queries, run_named, run_query
from tests.cli_runner import invoke

from .conftest import FIXTURES

TINY = str(FIXTURES / "tiny")


def test_typed_values_and_real_bindings(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    import pyoxigraph as ox

    text = "SELECT ?trial ?v ?n WHERE { ?r mdm2kg:trial ?trial ; mdm2kg:value ?v ; mdm2kg:denominator ?n }"
    rows = run_query(tiny_kg, text, bindings={"trial": ox.NamedNode("https://w3id.org/mdm2kg/id/NCT00000001")}).values()
    assert rows == [{"trial": "https://w3id.org/mdm2kg/id/NCT00000001", "v": Decimal("3.20"), "n": 31}]
    hostile = 'x" } ?s ?p ?o { "'
    label = run_query(tiny_kg, "SELECT ?e ?label WHERE { ?e rdfs:label ?label }", bindings={"label": hostile})
    assert len(label) == 0  # bound as a literal, not spliced into the query
    with pytest.raises(QueryError, match="SELECT"):
        run_query(tiny_kg, "SELECT ?e WHERE { ?e rdfs:label ?label }", bindings={"label": "Drug A"})


def test_syntax_error_reports_line_and_column(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QueryError, match=r"line 2, column \d+"):
        run_query(tiny_kg, "SELECT ?s\nWHERE { ?s ?p }")


def test_updates_are_refused(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    for update in ("INSERT DATA { mdm2:a mdm2:b mdm2:c }", "PREFIX x: <http://x/>\nDELETE WHERE { ?s ?p ?o }",
                   "# comment\nDROP ALL"):
        with pytest.raises(QueryError, match="refused"):
            run_query(tiny_kg, update)


def test_named_query_parameters_are_checked(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFoundError) as info:
        run_named(tiny_kg, "trial_result", {})
    assert "trial_results" in info.value.candidates
    with pytest.raises(QueryError, match="valid: compound"):
        run_named(tiny_kg, "trials_of_compound", {"drug": "drugA"})
    with pytest.raises(QueryError, match="needs --param compound"):
        run_named(tiny_kg, "trials_of_compound", {})


def test_cli_formats(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    base = ["query", "--data", TINY, "--name", "trial_results", "--param", "trial=TRIAL-1"]
    as_json = json.loads(invoke([*base, "--format", "json"]).output)
    assert as_json["head"]["vars"][0] == "trial"
    value = as_json["results"]["bindings"][0]["value"]
    assert value == {"type": "literal", "value": "3.2", "datatype": "http://www.w3.org/2001/XMLSchema#decimal"}
    rows = list(csv.DictReader(io.StringIO(invoke([*base, "--format", "csv"]).output)))
    assert rows[0]["value"] == "3.2" and rows[0]["ciHigh"] == "16.7"
    tsv = invoke([*base, "--format", "tsv"]).output
    assert tsv.splitlines()[0].split("\t")[:3] == ["trial", "result", "endpoint"]
    md = invoke([*base, "--format", "md"]).output
    assert md.startswith("| trial | result |")
    table = invoke(base).output
    assert "(1 row)" in table


def test_cli_exit_codes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert invoke(["query", "--data", TINY, "SELECT ?s WHERE { ?s ?p }"]).exit_code == 2
    assert invoke(["query", "--data", TINY, "DROP ALL"]).exit_code == 2
    empty = invoke(["query", "--data", TINY, "SELECT ?s WHERE { ?s a mdm2kg:Structure }"])
    assert empty.exit_code == 1
    unknown = invoke(["query", "--data", TINY, "--name", "nope"])
    assert unknown.exit_code == 1 and "trial_results" in unknown.output
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT ?c WHERE { ?c a mdm2kg:Compound }")
    assert invoke(["query", "--data", TINY, "--file", str(rq)]).exit_code == 0
    listing = invoke(["queries"])
    assert listing.exit_code == 0 and "--param compound=<entity>" in listing.output


def test_path_cli_exit_codes() -> None:
    ok = invoke(["path", "drugA", "GENE2", "--data", TINY, "--format", "json"])
    assert ok.exit_code == 0 and json.loads(ok.output)["paths"][0]["length"] == 2
    assert invoke(["path", "drugA", "nothing-like-this", "--data", TINY]).exit_code == 1
    assert invoke(["path", "drugA", "NCT00000001_armA", "--max-hops", "1", "--data", TINY]).exit_code == 1
    assert invoke(["path", "drugA", "GENE2", "--max-hops", "9", "--data", TINY]).exit_code == 2


def test_at_least_twenty_named_queries_with_descriptions() -> None:
    queries = named_queries()
    assert len(queries) >= 20
    assert all(q.description for q in queries.values())


# Parameters used for every named query on the shipped data; each query must return rows.
SHIPPED_PARAMS = {
    "compound": "milademetan",
    "trial": "MANTRA-2",
    "endpoint": "median_progression_free_survival",
    "subject": "milademetan",
    "object": "MDM2",
    "reference": "russano2025_ref25",
    "indication": "DDLPS",
    "words": "milademetan",
}


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_answers_on_shipped_data(shipped_kg, name: str) -> None:  # type: ignore[no-untyped-def]
    query = named_queries()[name]
    params = {p.name: SHIPPED_PARAMS[p.name] for p in query.params if p.required}
    result = run_named(shipped_kg, name, params)
    assert len(result) > 0, f"{name} returned no rows"


def test_competency_answers_on_shipped_data(shipped_kg) -> None:  # type: ignore[no-untyped-def]
    phase3 = {r["trial"].rsplit("/", 1)[-1] for r in run_named(shipped_kg, "phase3_trials").values()}
    assert {"NCT02545283", "NCT04979442"} <= phase3
    mantra2 = run_named(shipped_kg, "trial_results", {"trial": "NCT05012397"}).values()
    orr = [r for r in mantra2 if r["endpoint"] == "objective_response_rate_confirmed"]
    assert orr and all(r["value"] == Decimal("3.2") for r in orr)
    assert any(r.get("count") == 1 and r.get("denominator") == 31 for r in orr)
    partners = run_named(shipped_kg, "partners_of", {}).values()
    assert any(r["label"] == "TP53" or r["partner"].endswith("/TP53") for r in partners)
    assert any(r["polarity"] == "-" for r in partners)


CITATION_COLUMNS = ({"citations"}, {"source", "locator", "anchor"})


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_is_cited_and_has_no_duplicate_rows(shipped_kg, name: str) -> None:  # type: ignore[no-untyped-def]
    query = named_queries()[name]
    params = {p.name: SHIPPED_PARAMS[p.name] for p in query.params if p.required}
    text = run_named(shipped_kg, name, params).serialize("csv")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert any(cols <= set(header) for cols in CITATION_COLUMNS), f"{name}: no citation columns in {header}"
    assert len(rows) == len({tuple(r) for r in rows}), f"{name}: duplicate rows"
    cited = [r[header.index("citations" if "citations" in header else "locator")] for r in rows]
    assert any(cited), f"{name}: no row carries a citation"


@pytest.mark.parametrize(("stated", "levels"), [
    ("Phase 3", {3}), ("Phase III", {3}), ("Phase II/III", {2, 3}), ("Phase I–III", {1, 2, 3}),
    ("Phase I-III", {1, 2, 3}), ("Phase Ib/II", {1, 2}), ("Phase I (ongoing)", {1}), ("phase 2", {2}),
])
def test_phase_levels(stated: str, levels: set[int]) -> None:
    from mdm2kg.query.named import phase_levels

    assert phase_levels(stated) == levels


def test_phase_parameter_is_normalised(shipped_kg) -> None:  # type: ignore[no-untyped-def]
    answers = []
    for spelling in ("Phase III", "Phase 3", "III", "phase iii", "3"):
        rows = run_named(shipped_kg, "compounds_by_phase", {"phase": spelling}).values()
        answers.append(sorted((r["compound"].rsplit("/", 1)[-1], r["phase_stated"]) for r in rows))
    assert all(a == answers[0] for a in answers)
    assert answers[0] == [("brigimadlin", "Phase I–III"), ("idasanutlin", "Phase III"), ("milademetan", "Phase 3"),
                          ("navtemadlin", "Phase I–III")]
    with pytest.raises(QueryError):
        run_named(shipped_kg, "compounds_by_phase", {"phase": "Phase II/III"})
    trials = {r["name"]: r["phase_stated"] for r in run_named(shipped_kg, "phase3_trials").values()}
    assert trials["MANTRA"] == "Phase 3" and trials["Brightline-1"] == "Phase II/III"


def test_combination_pairs_are_unordered(shipped_kg) -> None:  # type: ignore[no-untyped-def]
    rows = run_named(shipped_kg, "combination_partners").values()
    pairs = [(r["agent"], r["partner"]) for r in rows]
    assert len({frozenset(p) for p in pairs}) == len(pairs)


def test_table_wraps_instead_of_cutting(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    result = run_named(tiny_kg, "trial_results", {"trial": "TRIAL-1"})
    wide = result.to_table()
    assert "ORR: 3.2%" in wide
    narrow = result.to_table(width=150)
    assert all(len(line) <= 150 for line in narrow.splitlines())
    assert len(narrow.splitlines()) > len(wide.splitlines())  # the citation wrapped onto more lines
    assert "ORR:" in narrow and "…" not in narrow
    cut = result.to_table(max_width=10)
    assert "…" in cut
    out = invoke(["query", "--data", TINY, "--name", "trial_results", "--param", "trial=TRIAL-1",
                               "--no-truncate"]).output
    assert 'doc1 Table 1: ORR: 3.2%' in out


def test_query_result_to_pandas(tiny_kg) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("pandas")
    frame = run_named(tiny_kg, "trial_results", {"trial": "TRIAL-1"}).to_pandas()
    assert list(frame["value"]) == [Decimal("3.2")]
    assert "citations" in frame.columns
