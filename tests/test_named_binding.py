"""IRI parameters of the named queries written in as constants (mdm2kg.query.binding) answer
exactly as the Oxigraph substitution they replace, and hostile values never reach the text."""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox
import pytest

from mdm2kg.errors import NotFoundError, QueryError
from mdm2kg.query import binding
from mdm2kg.query.binding import inline_constants, register_text
from mdm2kg.query.engine import run_query
from mdm2kg.query.named import get_named, named_bindings, named_queries, run_named
from mdm2kg.query.results import QueryResult
from tests.test_server import comparable, example_params

# the fixed parameters of benchmarks/bench_query.py (kept in step: the benchmark imports nothing from here)
BENCH_PARAMS = {"compound": "milademetan", "trial": "NCT05012397", "endpoint": "median_progression_free_survival",
                "subject": "milademetan", "object": "MDM2", "reference": "russano2025_ref25", "indication": "DDLPS"}
IRI_KINDS = ("entity", "id", "class")
QUERY_NAMES = sorted(named_queries())


def test_bench_params_in_step() -> None:
    from benchmarks.bench_query import PARAMS

    assert PARAMS == BENCH_PARAMS


def _cases(kg: Any, name: str) -> list[dict[str, str]]:
    """The example parameters of tests/test_server.py, the benchmark's fixed ones where they apply
    (also to optional IRI parameters), and the defaults alone."""
    query = get_named(name)
    cases = [example_params(kg, query)]
    required = [p.name for p in query.params if p.required]
    if set(required) <= BENCH_PARAMS.keys():
        cases.append({n: BENCH_PARAMS[n] for n in required})
        optional = {p.name: BENCH_PARAMS[p.name] for p in query.params
                    if not p.required and p.kind in IRI_KINDS and p.name in BENCH_PARAMS}
        if optional:
            cases.append({n: BENCH_PARAMS[n] for n in required} | optional)
    unique: list[dict[str, str]] = []
    for case in cases:
        if case not in unique:
            unique.append(case)
    return unique


def _rows(result: QueryResult, text: str) -> list[Any]:
    """Every cell of every row, in answer order when `text` has ORDER BY (else sorted); the parts
    of a GROUP_CONCAT list sorted (their order is unspecified in SPARQL, and does differ)."""
    separators = sorted(set(re.findall(r'separator\s*=\s*"([^"]+)"', text, re.IGNORECASE)), key=len, reverse=True)
    return comparable(result, ordered=bool(re.search(r"\bORDER\s+BY\b", text, re.IGNORECASE)), split_lists=separators)


def _substituted(kg: Any, text: str, bindings: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> QueryResult:
    """The answer with every parameter an Oxigraph substitution (as before the rewrite)."""
    with monkeypatch.context() as patch:
        patch.setattr(binding, "_registered", set())
        assert inline_constants(text, bindings)[0] == text
        return run_query(kg, text, bindings=bindings)


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_constants_answer_as_substitutions(shipped_kg: Any, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    query = get_named(name)
    for params in _cases(shipped_kg, name):
        try:
            bindings = named_bindings(shipped_kg, query, params)
        except NotFoundError:
            continue
        label = f"{name} {params}"
        old = _substituted(shipped_kg, query.text, bindings, monkeypatch)
        new = run_named(shipped_kg, name, params)
        assert new.variables == old.variables, label
        # the same rows, in the same order under ORDER BY (ties included)
        assert _rows(new, query.text) == _rows(old, query.text), label


def test_iri_parameters_are_inlined(shipped_kg: Any) -> None:
    """Every IRI parameter of a shipped query is written in, except where the rewrite is refused."""
    kept = {}
    for name in QUERY_NAMES:
        query = get_named(name)
        params = {p.name: BENCH_PARAMS.get(p.name, "x") for p in query.params if p.kind in IRI_KINDS}
        if not params:
            continue
        try:
            bindings = named_bindings(shipped_kg, query, params)
        except NotFoundError:
            bindings = named_bindings(shipped_kg, query, example_params(shipped_kg, query))
        _, rest = inline_constants(query.text, bindings)
        if any(isinstance(v, ox.NamedNode) for v in rest.values()):
            kept[name] = sorted(rest)
    assert kept == {}


def test_compound_profile_text_has_the_constant(shipped_kg: Any) -> None:
    query = get_named("compound_profile")
    text, rest = inline_constants(query.text, named_bindings(shipped_kg, query, {"compound": "milademetan"}))
    assert rest == {}
    where = text.index("WHERE")
    body = text[where:text.index("GROUP BY")]
    assert "?compound" not in body.replace("AS ?compound)", "")
    assert "<https://w3id.org/mdm2kg/id/milademetan> a mdm2kg:Compound" in body
    assert body.rstrip().endswith("BIND(<https://w3id.org/mdm2kg/id/milademetan> AS ?compound)\n}")
    assert text[:where] == query.text[:query.text.index("WHERE")]  # projection untouched


# ----------------------------------------------------------------------------- the rewrite's limits

IRI = ox.NamedNode("https://w3id.org/mdm2kg/id/a")


def _inline(text: str, **bindings: Any) -> tuple[str, dict[str, Any]]:
    register_text(text)
    return inline_constants(text, bindings)


def test_unregistered_text_keeps_substitutions() -> None:
    text = "SELECT ?x WHERE { ?x ?p ?o }"
    assert inline_constants(text, {"x": IRI}) == (text, {"x": IRI})


def test_strings_iris_and_comments_are_not_touched() -> None:
    text = "SELECT ?x ?o WHERE {\n ?x <http://e/?x> \"?x\" . # ?x\n ?x ?p '?x' }"
    out, rest = _inline(text, x=IRI)
    assert rest == {}
    assert out == ("SELECT ?x ?o WHERE {\n <https://w3id.org/mdm2kg/id/a> <http://e/?x> \"?x\" . # ?x\n "
                   "<https://w3id.org/mdm2kg/id/a> ?p '?x' \n  BIND(<https://w3id.org/mdm2kg/id/a> AS ?x)\n}")


def test_longer_names_and_literals_are_not_touched() -> None:
    out, rest = _inline("SELECT ?x ?xy WHERE { ?x ?p ?xy }", x=IRI, xy=ox.Literal("v"))
    assert "?xy" in out and rest == {"xy": ox.Literal("v")}
    assert out.startswith("SELECT ?x ?xy WHERE { <https://w3id.org/mdm2kg/id/a> ?p ?xy")


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?x ?p ?o }",
    "SELECT ?x WHERE { ?s ?p ?o BIND(?s AS ?x) }",
    "SELECT ?y (?z AS ?x) WHERE { ?y ?p ?z }",
    "SELECT ?x WHERE { ?x ?p ?o VALUES ?o { 1 } }",
    "SELECT ?x WHERE { ?x ?p ?o } VALUES ?x { <http://e/a> }",
    "SELECT ?x WHERE { ?x ?p ?o MINUS { ?x ?q ?o } }",
    "ASK { ?x ?p ?o }",
    "CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }",
    "SELECT ?o WHERE { ?s ?p ?o { SELECT ?o WHERE { ?x ?q ?o } } }",  # an ?x of its own
    "SELECT ?x ?o WHERE { { SELECT ?x ?o WHERE { ?x ?q ?o } LIMIT 1 } }",
    "SELECT ?x ?o WHERE { { SELECT ?x (1 AS ?o) WHERE { ?x ?q ?z } } }",
    "SELECT ?x WHERE { { SELECT ?x WHERE { ?x ?q ?z } } }",  # nothing else projected
    "SELECT ?x WHERE { ?x ?p ?o ",
])
def test_unsafe_rewrites_are_refused(text: str) -> None:
    assert _inline(text, x=IRI) == (text, {"x": IRI})


def test_sub_select_projecting_the_variable() -> None:
    out, rest = _inline("SELECT ?x ?o WHERE { { SELECT DISTINCT ?x ?o WHERE { ?x ?q ?o } } ?o ?r ?x }", x=IRI)
    assert rest == {}
    assert out == ("SELECT ?x ?o WHERE { { SELECT DISTINCT  ?o WHERE { <https://w3id.org/mdm2kg/id/a> ?q ?o } } "
                   "?o ?r <https://w3id.org/mdm2kg/id/a> \n  BIND(<https://w3id.org/mdm2kg/id/a> AS ?x)\n}")


# ----------------------------------------------------------------------------- hostile parameters

HOSTILE = ["x> } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o", "milademetan> . ?s ?p ?o", "a b", "<x>", "a\"b", "?compound"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_entity_parameter_refused(shipped_kg: Any, value: str) -> None:
    with pytest.raises(NotFoundError):
        run_named(shipped_kg, "compound_profile", {"compound": value})


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_id_and_class_parameters_refused(shipped_kg: Any, value: str) -> None:
    with pytest.raises(QueryError, match="must be an id"):
        run_named(shipped_kg, "statements_citing_reference", {"reference": value})
    with pytest.raises(QueryError, match="must be an id"):
        run_named(shipped_kg, "entity_identifiers", {"category": value})


def test_resolver_cannot_smuggle_text() -> None:
    """Even a resolver (e.g. a remote store's) that hands back a hostile id gets it refused
    before it becomes an IRI."""
    query = get_named("compound_profile")
    with pytest.raises(QueryError, match="not an entity id"):
        named_bindings(None, query, {"compound": "x"}, resolve=lambda text: "x> } ; DROP ALL #")
