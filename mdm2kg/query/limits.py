"""Size and nesting limits every SPARQL text meets before any parser or engine sees it.

Oxigraph's parser and evaluator recurse once per nesting level: about 5,000 nested braces
overflow the stack of the ``oxigraph`` server (which then exits) and about 10,000 crash the
embedded engine with SIGSEGV, which no Python code can catch. So every query path checks the
text here first: the embedded engine (`mdm2kg.query.engine`), the remote client
(`mdm2kg.sparql.protocol`, through `check_read_only`) and the `serve` gateway
(`mdm2kg.gateway_policy`, HTTP 400).

- ``MAX_QUERY_BYTES``: at most 1 MiB of UTF-8 text.
- ``MAX_QUERY_DEPTH``: at most 200 levels of ``(``, ``{`` and ``[`` nested in one another
  (the named queries use fewer than 10). Brackets inside strings, IRIs and comments do not
  count.

>>> check_query_limits("SELECT * WHERE { ?s ?p ?o FILTER(?o != '{{{') }")
>>> check_query_limits("SELECT * WHERE " + "{" * 201 + "}" * 201)
Traceback (most recent call last):
  ...
mdm2kg.query.limits.QueryLimitError: query nested 201 levels deep at line 1, column 216: at most 200 levels of (), {} and [] are accepted
"""

from __future__ import annotations

import re

from mdm2kg.errors import QueryError

MAX_QUERY_BYTES = 1024 * 1024
"""The longest query text accepted, in bytes of UTF-8."""
MAX_QUERY_DEPTH = 200
"""The deepest nesting of (), {} and [] accepted."""

# strings (long forms first), IRIs and comments: their brackets are not structure. An IRI is
# `<` + IRI characters + `>` (as the SPARQL grammar's IRIREF), so `?a < ?b` stays an operator.
OPAQUE_TOKENS = re.compile(r"""\"\"\"(?:[^"\\]|\\[\s\S]|"(?!""))*\"\"\"|'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''"""
                           r"""|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n\r]*|[(){}\[\]]""")
_BRACKETS = re.compile(r"[(){}\[\]]")
_OPEN = frozenset("({[")


class QueryLimitError(QueryError):
    """A query text longer or deeper than the documented limits; refused before any engine sees it."""


def query_depth(text: str) -> tuple[int, int]:
    """The deepest nesting of (), {} and [] in `text` outside strings, IRIs and comments, and
    the offset where it is first reached (0 when there are no brackets).

    >>> query_depth("SELECT * { ?s ?p ?o FILTER(?o = '((((') } # ((((")
    (2, 26)
    """
    if not _BRACKETS.search(text):
        return 0, 0
    depth = deepest = where = 0
    for match in OPAQUE_TOKENS.finditer(text):
        token = match.group()
        if len(token) != 1:
            continue
        if token in _OPEN:
            depth += 1
            if depth > deepest:
                deepest, where = depth, match.start()
        elif depth > 0:
            depth -= 1
    return deepest, where


def check_query_limits(text: str, *, max_bytes: int = MAX_QUERY_BYTES, max_depth: int = MAX_QUERY_DEPTH) -> None:
    """Raise QueryLimitError when `text` is longer than `max_bytes` (UTF-8) or nested deeper than `max_depth`."""
    if len(text) > max_bytes or (len(text) * 4 > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes):
        size = len(text.encode("utf-8", "surrogatepass"))
        raise QueryLimitError(f"query text is {size:,} bytes: at most {max_bytes:,} bytes ({max_bytes // 1024} KiB) "
                              "are accepted")
    depth, where = query_depth(text)
    if depth > max_depth:
        line = text.count("\n", 0, where) + 1
        column = where - (text.rfind("\n", 0, where) + 1) + 1
        raise QueryLimitError(f"query nested {depth} levels deep at line {line}, column {column}: at most {max_depth} "
                              "levels of (), {} and [] are accepted")
