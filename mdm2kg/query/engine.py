"""Read-only SPARQL over the built graph with Oxigraph.

Parameters are bound as real RDF terms (Oxigraph substitutions), never spliced into query text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from mdm2kg.errors import QueryError
from mdm2kg.prefixes import SPARQL_PREFIXES, SPARQL_PROLOGUE, XSD
from mdm2kg.query import guard
from mdm2kg.query.guard import QueryKind
from mdm2kg.query.results import QueryResult
from mdm2kg.read.terms import term_of

if TYPE_CHECKING:
    from mdm2kg.artifact.graph import KnowledgeGraph

PREFIXES = SPARQL_PREFIXES


def prologue() -> str:
    """PREFIX lines for the project prefixes (prepended to queries that lack them)."""
    return SPARQL_PROLOGUE


def check_read_only(sparql: str, *, allow_service: bool = False) -> QueryKind:
    """Refuse anything that does not parse as a read-only query (every update form, SERVICE
    unless `allow_service`), before any engine or remote store sees it; see mdm2kg.query.guard."""
    return guard.check_read_only(sparql, allow_service=allow_service)


def _with_prologue(sparql: str) -> tuple[str, int]:
    """Prefix the project PREFIXes; also return how many lines were added (for error positions)."""
    head = prologue()
    return head + sparql, head.count("\n")


def _shift_position(message: str, offset: int) -> str:
    def repl(match: re.Match[str]) -> str:
        return f"line {int(match.group(1)) - offset}, column {match.group(2)}"

    return re.sub(r"(\d+):(\d+)", repl, message, count=1)


def term_for(value: Any) -> Any:
    """A Python value as a pyoxigraph term: IRIs for 'http(s)://...' strings and mdm2 ids
    given as pyoxigraph NamedNode, typed literals for numbers and booleans."""
    import pyoxigraph as ox

    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, (float, Decimal)):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "decimal"))
    return ox.Literal(str(value))


def run_query(kg: KnowledgeGraph, sparql: str, *, bindings: Mapping[str, Any] | None = None,
              allow_service: bool = False) -> QueryResult:
    """Evaluate a read-only SPARQL query on the graph's Oxigraph store.

    `bindings` maps variable names (without '?') to values bound before evaluation.
    SERVICE (federation) is refused unless `allow_service`.
    """
    import pyoxigraph as ox

    check_read_only(sparql, allow_service=allow_service)
    text, offset = _with_prologue(sparql)
    substitutions = {ox.Variable(k): term_for(v) for k, v in (bindings or {}).items()}
    try:
        result = kg.store.query(text, substitutions=substitutions)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error at {_shift_position(str(exc).removeprefix('error at '), offset)}") from exc
    except RuntimeError as exc:  # Oxigraph binds only variables the SELECT projects
        raise QueryError(f"cannot bind parameters: {exc}; project every bound variable in SELECT") from exc
    if isinstance(result, (bool, ox.QueryBoolean)):
        return QueryResult(variables=[], boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        return QueryResult(variables=[v.value for v in result.variables], raw=list(result))
    # CONSTRUCT/DESCRIBE: present triples as s/p/o rows
    rows = []
    for triple in result:
        rows.append({
            "s": term_of(triple.subject), "p": term_of(triple.predicate), "o": term_of(triple.object),
        })
    return QueryResult(variables=["s", "p", "o"], rows=rows)


