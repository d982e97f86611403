"""Read-only SPARQL over the built graph with Oxigraph.

Parameters are bound as real RDF terms (Oxigraph substitutions), never spliced into query text,
except the IRI parameters of our own named queries: those are written into the pattern as
constants, which Oxigraph's join planner uses and a substitution it does not
(`mdm2kg.query.binding`); the rewritten text is what the guard and the limits check.

Every query is bounded:

- its text is checked against the size and nesting limits of `mdm2kg.query.limits` before
  any parser sees it (deeper nesting crashes Oxigraph);
- it runs for at most `timeout` seconds (default: ``$MDM2KG_QUERY_TIMEOUT``, else 60 s; 0 or
  ``inf`` for no limit), counted from the call to the last row read: a query still running
  then raises `QueryTimeout`;
- it is evaluated in a worker thread (Oxigraph releases the GIL), so Ctrl-C
  (KeyboardInterrupt) reaches the caller at once. A timed-out or interrupted query is
  abandoned: a SELECT stops at its next row, but an aggregate or ORDER BY over a huge
  join keeps one core busy until it ends or the process exits (the CLI exits).
- with ``stream=True`` rows are read from the engine as the caller consumes them
  (`QueryResult.write`), in batches of a few hundred, never all at once.
"""

from __future__ import annotations

import math
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from mdm2kg.errors import QueryError, UsageError
from mdm2kg.prefixes import SPARQL_PREFIXES, SPARQL_PROLOGUE, XSD
from mdm2kg.query import guard
from mdm2kg.query.binding import inline_constants
from mdm2kg.query.guard import QueryKind
from mdm2kg.query.limits import check_query_limits
from mdm2kg.query.results import QueryResult

if TYPE_CHECKING:
    from mdm2kg.artifact.graph import KnowledgeGraph

PREFIXES = SPARQL_PREFIXES
DEFAULT_TIMEOUT = 60.0
"""Seconds an embedded query may run when neither `timeout=` nor $MDM2KG_QUERY_TIMEOUT says otherwise."""
TIMEOUT_ENV = "MDM2KG_QUERY_TIMEOUT"
_BATCH = 256  # rows the worker hands over at once
_AHEAD = 8  # batches the worker may read ahead of the consumer


class QueryTimeout(QueryError):
    """An embedded query ran longer than its timeout and was abandoned."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"query timed out after {seconds:g} s (raise the limit with --timeout SECONDS or "
                         f"${TIMEOUT_ENV}; 0 means no limit)")


def query_timeout(seconds: float | None = None) -> float | None:
    """The time limit in seconds for an embedded query: `seconds`, else $MDM2KG_QUERY_TIMEOUT, else
    60; None for no limit (0 or inf). UsageError for a negative or NaN value.

    >>> query_timeout(5), query_timeout(0)
    (5.0, None)
    """
    source = "timeout"
    if seconds is None:
        env = os.environ.get(TIMEOUT_ENV, "").strip()
        if not env:
            return DEFAULT_TIMEOUT
        source = f"${TIMEOUT_ENV}"
        try:
            seconds = float(env)
        except ValueError:
            raise UsageError(f"{source}={env!r} is not a number of seconds") from None
    seconds = float(seconds)
    if math.isnan(seconds) or seconds < 0:
        raise UsageError(f"{source} must be a non-negative number of seconds (0: no limit), got {seconds}")
    return None if seconds == 0 or math.isinf(seconds) else seconds


def prologue() -> str:
    """PREFIX lines for the project prefixes (prepended to queries that lack them)."""
    return SPARQL_PROLOGUE


def check_read_only(sparql: str, *, allow_service: bool = False) -> QueryKind:
    """Refuse anything that does not parse as a read-only query (every update form, SERVICE
    unless `allow_service`), before any engine or remote store sees it; see mdm2kg.query.guard."""
    check_query_limits(sparql)  # before any parser: deep nesting crashes Oxigraph's
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
              allow_service: bool = False, timeout: float | None = None, stream: bool = False) -> QueryResult:
    """Evaluate a read-only SPARQL query on the graph's Oxigraph store.

    `bindings` maps variable names (without '?') to values bound before evaluation.
    SERVICE (federation) is refused unless `allow_service`. The query may run `timeout`
    seconds (None: $MDM2KG_QUERY_TIMEOUT, else 60 s; 0: no limit), else QueryTimeout.
    With `stream`, rows are read as the result is consumed (`QueryResult.write` or
    `iter_rows`), and the timeout also bounds that reading.
    """
    import pyoxigraph as ox

    limit = query_timeout(timeout)
    if bindings:
        sparql, bindings = inline_constants(sparql, bindings)  # a named query's IRIs as constants
    check_read_only(sparql, allow_service=allow_service)
    text, offset = _with_prologue(sparql)
    substitutions = {ox.Variable(k): term_for(v) for k, v in (bindings or {}).items()}
    store = kg.store

    def evaluate() -> Any:
        return store.query(text, substitutions=substitutions)

    evaluation = _Evaluation(evaluate, limit)
    try:
        kind, head = evaluation.head()
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error at {_shift_position(str(exc).removeprefix('error at '), offset)}") from exc
    except RuntimeError as exc:  # Oxigraph binds only variables the SELECT projects
        raise QueryError(f"cannot bind parameters: {exc}; project every bound variable in SELECT") from exc
    if kind is QueryKind.BOOLEAN:
        return QueryResult(variables=[], boolean=bool(head))
    variables = head if kind is QueryKind.SOLUTIONS else ["s", "p", "o"]
    rows = evaluation.rows()
    return QueryResult(variables=variables, raw=rows if stream else list(rows))


class _Evaluation:
    """One query evaluated in a daemon worker thread, read by the caller under a deadline.

    The worker hands over the kind of answer first, then batches of raw rows (tuples of
    Oxigraph terms; triples as (s, p, o)) through a small queue, so it never runs more than
    a few batches ahead. Waiting on the queue is interruptible (Ctrl-C); past the deadline
    the caller gets QueryTimeout and the worker is told to stop at its next row.
    """

    def __init__(self, evaluate: Callable[[], Any], timeout: float | None) -> None:
        self.timeout = timeout
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.cancelled = threading.Event()
        self.items: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=_AHEAD)
        self.thread = threading.Thread(target=self._work, args=(evaluate,), name="mdm2kg-query", daemon=True)
        self.thread.start()

    def _put(self, item: tuple[str, Any]) -> bool:
        while not self.cancelled.is_set():
            try:
                self.items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _work(self, evaluate: Callable[[], Any]) -> None:
        import pyoxigraph as ox

        result: Any = None
        rows: Iterator[Any] | None = None
        try:
            result = evaluate()
            if isinstance(result, (bool, ox.QueryBoolean)):
                self._put(("head", (QueryKind.BOOLEAN, bool(result))))
                return
            if isinstance(result, ox.QuerySolutions):
                if not self._put(("head", (QueryKind.SOLUTIONS, [v.value for v in result.variables]))):
                    return
                rows = iter(result)
            else:
                if not self._put(("head", (QueryKind.GRAPH, None))):
                    return
                rows = ((t.subject, t.predicate, t.object) for t in result)
            batch: list[Any] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= _BATCH:
                    if not self._put(("rows", batch)):
                        return
                    batch = []
            if batch and not self._put(("rows", batch)):
                return
            self._put(("end", None))
        except BaseException as exc:  # handed to the caller's thread, raised there
            result = rows = None  # Oxigraph's results must be dropped on this thread, not with the traceback
            self._put(("error", exc))
        finally:
            result = rows = None

    def _get(self) -> tuple[str, Any]:
        try:
            if self.deadline is None:
                tag, value = self.items.get()
            else:
                remaining = self.deadline - time.monotonic()
                try:
                    tag, value = self.items.get(timeout=max(remaining, 0.0)) if remaining > 0 else self.items.get_nowait()
                except queue.Empty:
                    raise QueryTimeout(self.timeout or 0.0) from None
        except BaseException:  # timeout, KeyboardInterrupt: abandon the worker
            self.cancelled.set()
            raise
        if tag == "error":
            raise value
        return tag, value

    def head(self) -> tuple[QueryKind, Any]:
        tag, value = self._get()
        assert tag == "head"
        kind, head = value
        return kind, head

    def rows(self) -> Iterator[Any]:
        try:
            while True:
                tag, value = self._get()
                if tag == "end":
                    return
                yield from value
        finally:
            self.cancelled.set()  # the consumer stopped early (or finished): let the worker go
