"""`mdm2kg query`, `queries` and `path`: questions to the graph."""

from __future__ import annotations

import math
import os
import sys

from mdm2kg.cli import EXIT_DATA, EXIT_OK, EXIT_USAGE
from mdm2kg.cli.args import Choice, Float, IntRange, PathArg, command
from mdm2kg.cli.common import data_option, disk_option, echo, fail, graph_option, handle_errors, open_graph
from mdm2kg.cli.remote import credentials, remote_options, timeouts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import IO, Any

    from mdm2kg.cli.args import Parser

FORMATS = ["table", "csv", "tsv", "json", "md", "sparql-csv", "sparql-tsv", "turtle", "ntriples", "jsonld"]
TABLE_CELL = 60  # characters a cut table cell keeps (--truncate)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C


def _params(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"--param expects KEY=VALUE, got '{pair}'", EXIT_USAGE)
        out[key] = value
    return out


def _query_options(p: Parser) -> None:
    p.argument("TEXT", required=False)
    p.option("--file", dest="file", type=PathArg(exists=True, dir_okay=False, allow_dash=True),
             help="Read the query from a .rq file ('-' reads standard input).")
    p.option("--name", dest="name", help="Run a named competency query (see `mdm2kg queries`).")
    p.option("--param", dest="params", multiple=True, metavar="KEY=VALUE", help="Parameter of a named query (repeatable).")
    p.option("--format", dest="fmt", type=Choice(FORMATS), default="table", show_default=True,
             help="table, csv, tsv and md shorten ids; sparql-csv and sparql-tsv are the W3C SPARQL 1.1 formats with "
                  "full IRIs; turtle, ntriples and jsonld write the triples of a CONSTRUCT or DESCRIBE query.")
    p.option("--out", dest="out", type=PathArg(dir_okay=False, allow_dash=True), default=None,
             help="Write the answer to this file ('-' or nothing: standard output).")
    p.option("--allow-service", is_flag=True,
             help="Allow SERVICE (federation): the engine then fetches the URLs the query names. Off by default.")
    p.option("--endpoint", metavar="URL", help="Run on a remote SPARQL 1.1 endpoint instead of the embedded graph.")
    p.option("--graph", dest="named_graph", metavar="IRI",
             help="Named graph to query on the remote endpoint (after `push`: https://w3id.org/mdm2kg/graph, "
                  "used by default when the store's default graph has no answer).")
    p.option("--truncate/--no-truncate", dest="truncate", default=None,
             help="Table format: cut long cells with … (default on a terminal) or wrap them to the terminal width.")
    # --timeout also bounds embedded queries
    remote_options(p, timeout_help=(
        "Seconds the query may take. Embedded: evaluation and every row written (default 60, or $MDM2KG_QUERY_TIMEOUT; "
        "0: no limit). With --endpoint: one request in total, the whole answer included (default 60, or $MDM2KG_TIMEOUT)."))
    data_option(p)
    graph_option(p)
    disk_option(p)


@command(_query_options)
@handle_errors
def query(text: str | None, file: Path | None, name: str | None, params: tuple[str, ...], fmt: str, out: Path | None,
          allow_service: bool, endpoint: str | None, named_graph: str | None, truncate: bool | None, user: str | None,
          password: str | None, scheme: str, connect_timeout: float | None, timeout: float | None, data: tuple[str, ...],
          graph_file: Path | None, on_disk: bool) -> None:
    """Run a SPARQL query (TEXT, --file or --name) and print the rows.

    Only read-only queries run: anything that does not parse as SELECT, ASK, CONSTRUCT or
    DESCRIBE (every SPARQL update) is refused before it reaches an engine or a server, and
    so is a query text above 1 MiB or nested more than 200 levels of (), {} and [].

    Embedded queries stop after --timeout seconds (default 60, or $MDM2KG_QUERY_TIMEOUT;
    0: no limit), counted to the last row written; Ctrl-C stops a running query at once.
    Rows are written as they come (table widths come from the first 1,000 rows).

    Exit 1 when the query returns no rows, 2 on a syntax error, a refused query or an
    embedded query that timed out (rows already written to standard output are then
    partial), 3 when a remote server fails or times out, 130 on Ctrl-C.
    """
    chosen = [x for x in (text, file, name) if x]
    if len(chosen) != 1:
        fail("give exactly one of TEXT, --file or --name", EXIT_USAGE)
    if params and not name:
        fail("--param only applies to --name", EXIT_USAGE)
    if not endpoint and timeout is not None and (math.isnan(timeout) or timeout < 0):
        fail(f"--timeout must be a non-negative number of seconds (0: no limit), got {timeout}", EXIT_USAGE)
    sparql = None if name else _read_query(file) if file else str(text)
    if not endpoint:
        try:
            _run_embedded(sparql, name=name, params=_params(params), fmt=fmt, out=out, allow_service=allow_service,
                          truncate=truncate, timeout=timeout, data=data, graph_file=graph_file, on_disk=on_disk)
        except KeyboardInterrupt:
            _exit_now("interrupted", EXIT_INTERRUPTED)
        return
    from mdm2kg.sparql.protocol import query_or_pushed_graph

    result, note = query_or_pushed_graph(
        endpoint, sparql=sparql, name=name, params=_params(params), graph=named_graph,
        auth=credentials(user, password, scheme), timeout=timeouts(connect_timeout, timeout, default_total=60.0),
        allow_service=allow_service)
    if note:
        echo(f"note: {note}", err=True)
    to_stdout = out is None or str(out) == "-"
    _write(_table(result, truncate, terminal=to_stdout) if fmt == "table" else result.serialize(fmt), out)
    if result.boolean is None and not result.rows:
        echo("no rows", err=True)
        raise SystemExit(EXIT_DATA)


def _run_embedded(sparql: str | None, *, name: str | None, params: dict[str, str], fmt: str, out: Path | None,
                  allow_service: bool, truncate: bool | None, timeout: float | None, data: tuple[str, ...],
                  graph_file: Path | None, on_disk: bool | None) -> None:
    """Run on the embedded engine and write the rows as they come (see `query`)."""
    from mdm2kg.query import get_named, named_bindings, run_query
    from mdm2kg.query.engine import QueryTimeout

    kg = open_graph(data, graph_file, on_disk=on_disk)
    if name:
        named = get_named(name)
        sparql, bindings = named.text, named_bindings(kg, named, params)
    else:
        bindings = {}
    result = run_query(kg, str(sparql), bindings=bindings, allow_service=allow_service, timeout=timeout, stream=True)
    to_stdout = out is None or str(out) == "-"
    width, max_width = _table_widths(truncate, terminal=to_stdout) if fmt == "table" else (None, None)
    try:
        if to_stdout:
            written = result.write(sys.stdout, fmt, width=width, max_width=max_width)
        else:
            assert out is not None
            written = _write_file(out, result, fmt, width=width, max_width=max_width)
    except QueryTimeout as exc:
        partial = "; the rows above are partial" if to_stdout and result.streamed else ""
        _exit_now(f"{exc}{partial}", EXIT_USAGE)
    except BrokenPipeError:  # the reader (e.g. `head`) has what it wanted
        _exit_now("", EXIT_OK)
    if result.boolean is None and not written:
        echo("no rows", err=True)
        raise SystemExit(EXIT_DATA)


def _write_file(out: Path, result: Any, fmt: str, *, width: int | None, max_width: int | None) -> int:
    """Stream the answer into a temporary file beside `out` and rename it into place at the end
    (a timed-out or interrupted query leaves the old file, and no temporary one)."""
    import tempfile

    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            written: int = result.write(handle, fmt, width=width, max_width=max_width)
            handle.flush()
            os.fsync(handle.fileno())
        current = os.umask(0)
        os.umask(current)
        os.chmod(tmp, 0o666 & ~current)
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return written


def _exit_now(message: str, code: int) -> None:
    """Report and exit without waiting for an abandoned query: its worker thread ends with the process."""
    import threading

    stream: IO[str]
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    if message:
        try:
            sys.stderr.write(f"error: {message}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
    if any(t.name == "mdm2kg-query" and t.is_alive() for t in threading.enumerate()):
        os._exit(code)  # a query still runs in a worker: do not wait for it at exit
    raise SystemExit(code)


def _read_query(file: Path) -> str:
    """The query text of --file (standard input for '-')."""
    if str(file) == "-":
        return sys.stdin.read()
    return file.read_text(encoding="utf-8")


def _write(text: str, out: Path | None) -> None:
    """The answer to --out (atomically), or to standard output for None or '-'."""
    if out is None or str(out) == "-":
        sys.stdout.write(text)
        return
    from mdm2kg.fileio import atomic_write

    atomic_write(out, text.encode("utf-8"))


def _table(result: Any, truncate: bool | None, *, terminal: bool) -> str:
    width, max_width = _table_widths(truncate, terminal=terminal)
    text: str = result.to_table(width=width, max_width=max_width)
    return text


def _table_widths(truncate: bool | None, *, terminal: bool) -> tuple[int | None, int | None]:
    """Cells wrap to the terminal width; on a terminal, or with --truncate, long cells are cut
    instead, and --no-truncate always wraps (off a terminal nothing limits the width)."""
    tty = terminal and sys.stdout.isatty()
    cut = tty if truncate is None else truncate
    width = None
    if tty:
        import shutil

        width = shutil.get_terminal_size().columns
    return width, TABLE_CELL if cut else None


def _queries_options(p: Parser) -> None:
    p.option("--format", dest="fmt", type=Choice(["text", "json"]), default="text")


@command(_queries_options)
def queries(fmt: str) -> None:
    """List the named competency queries with their descriptions and parameters."""
    from mdm2kg.query import named_queries

    items = named_queries()
    if fmt == "json":
        import json

        echo(json.dumps([
            {"name": q.name, "description": q.description,
             "params": [{"name": p.name, "kind": p.kind, "required": p.required, "default": p.default,
                         "description": p.description} for p in q.params]}
            for q in items.values()], indent=2))
        return
    for q in items.values():
        echo(f"{q.name}\n    {q.description}")
        for p in q.params:
            need = "required" if p.required else f"optional{'=' + p.default if p.default else ''}"
            echo(f"    --param {p.name}=<{p.kind}>  ({need}) {p.description}")


def _path_options(p: Parser) -> None:
    p.argument("SOURCE")
    p.argument("TARGET")
    p.option("--max-hops", type=IntRange(1, 6), default=4, show_default=True)
    p.option("--limit", type=IntRange(1, 1000), default=10, show_default=True)
    p.option("--via", help="Comma-separated categories of the intermediate nodes (a metapath).")
    p.option("--predicates", help="Comma-separated predicates the hops may use.")
    p.option("--directed", is_flag=True, help="Follow statements only from subject to object.")
    p.option("--time-budget", type=Float(), default=5.0, show_default=True, metavar="SECONDS",
             help="Seconds the search may take, from resolving the ends to the last path (a finite number >= 0); "
                  "past it the paths found so far are printed, marked partial.")
    p.option("--format", dest="fmt", type=Choice(["text", "json"]), default="text")
    p.option("--explain", is_flag=True, help="Print each path as one sentence per hop.")
    data_option(p)
    graph_option(p)
    disk_option(p)


@command(_path_options)
@handle_errors
def path(source: str, target: str, max_hops: int, limit: int, via: str | None, predicates: str | None,
         directed: bool, time_budget: float, fmt: str, explain: bool, data: tuple[str, ...], graph_file: Path | None,
         on_disk: bool) -> None:
    """Cited paths from SOURCE to TARGET (entity ids, labels, synonyms, CURIEs or categories).

    Exit 1 when an end is unknown or ambiguous, or when no path exists; 2 for a --time-budget
    that is negative, NaN or infinite.
    """
    if not math.isfinite(time_budget) or time_budget < 0:
        fail(f"--time-budget must be a finite number of seconds >= 0, got {time_budget}", EXIT_USAGE)
    from mdm2kg.path_text import format_path_text
    from mdm2kg.paths import find_paths

    kg = open_graph(data, graph_file, on_disk=on_disk)
    result = find_paths(
        kg, source, target, max_hops=max_hops, limit=limit,
        via=[v.strip() for v in via.split(",")] if via else None,
        predicates=[p.strip() for p in predicates.split(",")] if predicates else None,
        directed=directed, time_budget=time_budget,
    )
    if fmt == "json":
        import json

        echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    elif result.paths:
        echo(format_path_text(result, explain=explain), nl=False)
    if not result.paths:
        echo(f"no path: {result.message}", err=True)
        raise SystemExit(EXIT_DATA)
