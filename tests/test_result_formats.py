"""`query` output: the W3C SPARQL CSV/TSV formats (full IRIs) beside the human ones, RDF for
CONSTRUCT/DESCRIBE, standard input and output with '-', and SERVICE off by default embedded."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from mdm2kg.errors import QueryError
from mdm2kg.query import run_query
from tests.cli_runner import invoke

TINY = str(Path(__file__).parent / "fixtures" / "tiny")
ID = "https://w3id.org/mdm2kg/id/"
SELECT = 'SELECT ?e ?label ?n WHERE { ?e rdfs:label ?label . BIND(STRLEN(?label) AS ?n) FILTER(?e = mdm2:GENE1) }'
CONSTRUCT = "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e rdfs:label ?l FILTER(?e IN (mdm2:GENE1, mdm2:GENE2)) }"


def run(*args: str, stdin: str | None = None) -> Any:
    return invoke(["query", "--data", TINY, *args], input=stdin)


def test_sparql_tsv_has_full_iris_and_typed_terms_and_reads_back() -> None:
    result = run(SELECT, "--format", "sparql-tsv")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "?e\t?label\t?n"
    assert lines[1].startswith(f"<{ID}GENE1>\t\"Gene One\"\t")
    parsed = list(ox.parse_query_results(result.output, ox.QueryResultsFormat.TSV))
    assert parsed[0]["e"] == ox.NamedNode(ID + "GENE1") and parsed[0]["n"].value == "8"


def test_sparql_csv_is_rfc4180_with_full_iris_and_the_human_csv_shortens(tiny_kg: Any) -> None:
    assert run_query(tiny_kg, SELECT).serialize("sparql-csv").endswith(",8\r\n")  # CRLF lines, as RFC 4180 says
    result = run(SELECT, "--format", "sparql-csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows == [["e", "label", "n"], [ID + "GENE1", "Gene One", "8"]]
    human = list(csv.reader(io.StringIO(run(SELECT, "--format", "csv").output)))
    assert human[1][0] == "GENE1"


def test_tsv_escapes_what_would_break_a_line(tiny_kg: Any) -> None:
    result = run_query(tiny_kg, 'SELECT ?x WHERE { BIND("a\\tb\\n\\"c\\"" AS ?x) }')
    text = result.serialize("sparql-tsv")
    assert text == '?x\n"a\\tb\\n\\"c\\""\n'
    assert next(iter(ox.parse_query_results(text, ox.QueryResultsFormat.TSV)))["x"].value == 'a\tb\n"c"'


@pytest.mark.parametrize(("fmt", "rdf_format"), [("turtle", ox.RdfFormat.TURTLE), ("ntriples", ox.RdfFormat.N_TRIPLES),
                                                  ("jsonld", ox.RdfFormat.JSON_LD)])
def test_construct_is_written_as_rdf(fmt: str, rdf_format: Any) -> None:
    result = run(CONSTRUCT, "--format", fmt)
    assert result.exit_code == 0, result.output
    triples = {(t.subject.value, t.object.value) for t in ox.parse(result.output, format=rdf_format)}
    assert triples == {(ID + "GENE1", "Gene One"), (ID + "GENE2", "Gene Two")}
    if fmt == "turtle":
        assert "@prefix mdm2:" in result.output


def test_rdf_formats_need_triples() -> None:
    result = run("SELECT ?e WHERE { ?e rdfs:label ?l } LIMIT 1", "--format", "turtle")
    assert result.exit_code == 2 and "CONSTRUCT or DESCRIBE" in result.output


def test_query_from_stdin_and_to_a_file(tmp_path: Path) -> None:
    result = run("--file", "-", "--format", "sparql-csv", stdin=SELECT)
    assert result.exit_code == 0 and ID + "GENE1" in result.output
    out = tmp_path / "answer.tsv"
    written = run(SELECT, "--format", "sparql-tsv", "--out", str(out))
    assert written.exit_code == 0 and written.output == ""
    assert out.read_text(encoding="utf-8").startswith("?e\t?label\t?n\n")
    to_stdout = run(SELECT, "--out", "-", "--format", "sparql-csv")
    assert to_stdout.exit_code == 0 and ID + "GENE1" in to_stdout.output


def test_service_is_off_embedded_unless_allowed(tiny_kg: Any) -> None:
    text = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    with pytest.raises(QueryError, match="--allow-service"):
        run_query(tiny_kg, text)
    refused = run(text)
    assert refused.exit_code == 2 and "--allow-service" in refused.output
    with pytest.raises(Exception) as allowed:  # allowed: the engine tries the (closed) port
        run_query(tiny_kg, text, allow_service=True).rows  # noqa: B018
    assert not isinstance(allowed.value, QueryError) or "SERVICE (federation) is off" not in str(allowed.value)
