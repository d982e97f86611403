"""Reading what a SPARQL store answers, with pyoxigraph's parsers, and nothing else.

SELECT and ASK answers are read with `pyoxigraph.parse_query_results` (SPARQL results in
JSON, XML and TSV) and checked against the query: rows for SELECT, a boolean for ASK.
CONSTRUCT and DESCRIBE answers are RDF, read with `pyoxigraph.parse`. CSV results carry no
term types, so they are read as a last resort (IRIs recognised by their scheme).

Anything else (an HTML page, a truncated body, ``{"boolean": "false"}``) is a
MalformedReplyError naming what came back, never a traceback and never a wrong answer.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from mdm2kg.query.guard import QueryKind
from mdm2kg.query.results import QueryResult
from mdm2kg.read.terms import Term, term_of
from mdm2kg.sparql.client import server_message
from mdm2kg.sparql.errors import MalformedReplyError, RemoteTimeoutError
from mdm2kg.text import terminal_safe

RESULTS_ACCEPT = ("application/sparql-results+json, application/sparql-results+xml;q=0.9, "
                  "text/tab-separated-values;q=0.8, text/csv;q=0.5")
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8, application/ld+json;q=0.5"
_CANCELLED = b"The SPARQL operation has been cancelled"
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]+")


def accept_for(kind: QueryKind) -> str:
    """The Accept header for a query of this kind."""
    return GRAPH_ACCEPT if kind is QueryKind.GRAPH else RESULTS_ACCEPT


def parse_reply(body: bytes, media: str, kind: QueryKind, *, source: str) -> QueryResult:
    """The QueryResult in a reply body of media type `media` to a query of `kind`.

    `source` (the redacted endpoint) names the server in errors.
    """
    try:
        if kind is QueryKind.GRAPH:
            return _graph_result(body, media, source)
        return _results(body, media, kind, source)
    except MalformedReplyError:
        raise
    except (SyntaxError, ValueError, UnicodeDecodeError, OSError, csv.Error) as exc:
        if _CANCELLED in body[-200:]:  # Oxigraph streams its answer, then appends this when its time limit hits
            raise RemoteTimeoutError(f"{source} cancelled the query at its own time limit "
                                     "(the server's query timeout, e.g. `mdm2kg serve --timeout`)", url=source) from None
        what = media or "an untyped body"
        raise MalformedReplyError(f"{source} answered {what} that cannot be read: {_first_line(str(exc))}",
                                  url=source) from None


def _first_line(text: str) -> str:
    return terminal_safe(re.sub(r"\s+", " ", text).strip())[:300]


def _not_results(body: bytes, media: str, wanted: str, source: str) -> MalformedReplyError:
    shown = server_message(body, media)
    return MalformedReplyError(f"{source} answered {media or 'an untyped body'}, not {wanted}"
                               + (f": {shown[:200]}" if shown else " (an empty body)"), url=source)


def _results_format(body: bytes, media: str) -> Any:
    """The pyoxigraph results format of the reply: from the media type, else sniffed; None for CSV."""
    import pyoxigraph as ox

    if media in ("text/csv", "application/csv"):
        return None
    fmt = ox.QueryResultsFormat.from_media_type(media) if media else None
    if fmt is not None:
        return fmt
    if media in ("", "text/plain", "application/octet-stream", "application/json", "application/xml", "text/xml"):
        start = body.lstrip()[:64]
        if start.startswith(b"{"):
            return ox.QueryResultsFormat.JSON
        if start.startswith(b"<?xml") or start.startswith(b"<sparql"):
            return ox.QueryResultsFormat.XML
    return False


def _results(body: bytes, media: str, kind: QueryKind, source: str) -> QueryResult:

    fmt = _results_format(body, media)
    if fmt is False:
        raise _not_results(body, media, "SPARQL results", source)
    if fmt is None:
        result = _csv_results(body)
    else:
        result = _parsed_results(body, fmt)
    if kind is QueryKind.BOOLEAN and result.boolean is None:
        raise MalformedReplyError(f"{source} answered rows to an ASK query, not a boolean", url=source)
    if kind is QueryKind.SOLUTIONS and result.boolean is not None:
        raise MalformedReplyError(f"{source} answered a boolean to a SELECT query, not rows", url=source)
    return result


def _parsed_results(body: bytes, fmt: Any) -> QueryResult:
    """JSON, XML or TSV results read by pyoxigraph, as plain `Term` rows.

    pyoxigraph's result objects may only be freed by the thread that made them, so none
    outlives this call, not even in a traceback.
    """
    import pyoxigraph as ox

    parsed = ox.parse_query_results(body, fmt)
    try:
        if not isinstance(parsed, ox.QuerySolutions):
            return QueryResult(variables=[], boolean=bool(parsed))
        variables = [v.value for v in parsed.variables]
        rows = [{name: term_of(node) for name, node in zip(variables, solution, strict=True) if node is not None}
                for solution in parsed]
        return QueryResult(variables=variables, rows=rows)
    except SyntaxError as exc:
        message = str(exc)
    finally:
        del parsed
    raise SyntaxError(message)


def _csv_results(body: bytes) -> QueryResult:
    """SPARQL 1.1 CSV results: no term types survive, so absolute IRIs are told by their scheme."""
    reader = csv.reader(io.StringIO(body.decode("utf-8")))
    try:
        variables = next(reader)
    except StopIteration:
        raise SyntaxError("empty CSV results (no header)") from None
    rows: list[dict[str, Term]] = []
    for line, cells in enumerate(reader, start=2):
        if len(cells) != len(variables):
            raise SyntaxError(f"CSV results line {line} has {len(cells)} cells for {len(variables)} variables")
        row: dict[str, Term] = {}
        for name, cell in zip(variables, cells, strict=True):
            if cell == "":
                continue
            if cell.startswith("_:"):
                row[name] = Term("bnode", cell[2:])
            elif _IRI.fullmatch(cell):
                row[name] = Term("uri", cell)
            else:
                row[name] = Term("literal", cell)
        rows.append(row)
    return QueryResult(variables=variables, rows=rows)


def _graph_result(body: bytes, media: str, source: str) -> QueryResult:
    """CONSTRUCT/DESCRIBE: the triples as s/p/o rows."""
    import pyoxigraph as ox

    fmt = ox.RdfFormat.from_media_type(media) if media else None
    if fmt is None and media in ("", "text/plain"):
        fmt = ox.RdfFormat.N_TRIPLES
    if fmt is None:
        raise _not_results(body, media, "RDF", source)
    triples = ox.parse(body, format=fmt)
    try:
        rows = [{"s": term_of(t.subject), "p": term_of(t.predicate), "o": term_of(t.object)} for t in triples]
        return QueryResult(variables=["s", "p", "o"], rows=rows)
    except SyntaxError as exc:
        message = str(exc)
    finally:
        del triples  # freed by this thread (see _parsed_results)
    raise SyntaxError(message)
