"""What may be sent as a query: parsed, never pattern-matched.

A text passes only when Oxigraph's SPARQL parser reads it as a query (SELECT, ASK, CONSTRUCT
or DESCRIBE). Anything else is refused before it reaches an engine or a remote store: a
SPARQL update in any spelling, a dialect extension no parser here understands, a typo.

Federation (``SERVICE``) makes the engine fetch URLs of the query's choosing, so it is refused
unless the caller allows it (``allow_service=True``, ``--allow-service``).

Oxigraph's parser has no parse-only entry point in Python: ``Store.query`` parses and then
starts evaluating. On an empty in-memory store evaluation reads nothing, and the one
operator with an outside effect, SERVICE, is removed first: every occurrence of the word
``service`` (ASCII case-insensitive, as the parser matches keywords, even inside IRIs,
strings, names and comments) is rewritten to ``GRAPH``, which has the same grammar
(``SERVICE SILENT`` loses its ``SILENT``). So the parse never sends a request.

>>> check_read_only("SELECT ?s WHERE { ?s ?p ?o }")
<QueryKind.SOLUTIONS: 'SELECT'>
>>> check_read_only("PREFIX ex: <http://ex.org/ns#> CLEAR GRAPH <http://ex.org/g> ; INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }")
Traceback (most recent call last):
  ...
mdm2kg.errors.QueryError: SPARQL updates are refused: mdm2kg only runs read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE)
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache
from typing import Any

from mdm2kg.errors import QueryError
from mdm2kg.prefixes import SPARQL_PREFIXES
from mdm2kg.query.limits import OPAQUE_TOKENS

SERVICE_OPTION = "--allow-service"


class QueryKind(StrEnum):
    """What a query answers: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE)."""

    SOLUTIONS = "SELECT"
    BOOLEAN = "ASK"
    GRAPH = "CONSTRUCT"


# every spelling the parser would read as the SERVICE keyword; SILENT only across plain whitespace
_SERVICE_WORD = re.compile(r"service(?:[ \t\r\n]+silent)?", re.IGNORECASE | re.ASCII)
_HAS_SERVICE = re.compile("service", re.IGNORECASE | re.ASCII)
_UPDATE_WORD = re.compile(r"(?<![\w?$:])(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:])", re.IGNORECASE)
_POSITION = re.compile(r"^error at (\d+):(\d+):\s*")


@lru_cache(maxsize=1)
def _empty_store() -> Any:
    import pyoxigraph

    return pyoxigraph.Store()


def _neutralised(text: str) -> str:
    """`text` with every ``service`` spelled ``GRAPH``: the same parse, no request possible."""
    return _SERVICE_WORD.sub("GRAPH", text) if _HAS_SERVICE.search(text) else text


def _kind_of(text: str) -> QueryKind:
    """Parse `text` (no ``service`` left in it) as a query; QueryError when it is not one."""
    import pyoxigraph as ox

    try:
        result = _empty_store().query(text, prefixes=SPARQL_PREFIXES)
    except SyntaxError as exc:
        raise _not_a_query(text, str(exc)) from None
    if isinstance(result, ox.QuerySolutions):
        return QueryKind.SOLUTIONS
    if isinstance(result, ox.QueryTriples):
        return QueryKind.GRAPH
    return QueryKind.BOOLEAN


def _not_a_query(text: str, message: str) -> QueryError:
    # strings, IRIs and comments (and brackets) blanked out before looking for update keywords
    if _UPDATE_WORD.search(OPAQUE_TOKENS.sub(" ", text)):
        return QueryError("SPARQL updates are refused: mdm2kg only runs read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE)")
    where = _POSITION.match(message)
    if where:
        message = f"line {where.group(1)}, column {where.group(2)}: {message[where.end():]}"
    return QueryError(f"SPARQL syntax error at {message}")


def uses_service(text: str) -> bool:
    """True when the parser reads a SERVICE keyword in `text` (a query that parses once neutralised).

    Every ``service`` is broken (its last letter changed): where it is part of an IRI, a
    string, a name or a comment the query still parses; where it is the keyword it does not.
    """
    if not _HAS_SERVICE.search(text):
        return False
    broken = _HAS_SERVICE.sub(lambda m: m.group()[:-1] + "x", text)
    try:
        _empty_store().query(broken, prefixes=SPARQL_PREFIXES)
    except SyntaxError:
        return True
    return False


def check_read_only(sparql: str, *, allow_service: bool = False) -> QueryKind:
    """Refuse anything that does not parse as a read-only query; return what the query answers.

    Raises QueryError for an update (every update form, whatever its prologue or comments),
    a syntax error (with line and column), or a SERVICE clause unless `allow_service`.
    The project prefixes (mdm2:, mdm2kg:, rdfs:, ...) are predeclared. The verdict depends on the
    text alone, so it is kept for the last 256 texts of up to 16,384 characters (a query run
    again is not parsed again here; at most 4 M characters are held).
    """
    if len(sparql) <= _CACHED_TEXT:
        return _check_cached(sparql, allow_service)
    return _check(sparql, allow_service)


_CACHED_TEXT = 16_384


@lru_cache(maxsize=256)
def _check_cached(sparql: str, allow_service: bool) -> QueryKind:
    return _check(sparql, allow_service)


def _check(sparql: str, allow_service: bool) -> QueryKind:
    kind = _kind_of(_neutralised(sparql))
    if not allow_service and uses_service(sparql):
        raise QueryError(f"SERVICE (federation) is off: it makes the engine fetch URLs named by the query. "
                         f"Allow it for trusted endpoints with {SERVICE_OPTION} (allow_service=True in Python)")
    return kind
