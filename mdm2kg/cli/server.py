"""`mdm2kg serve` (a local read-only SPARQL server) and `mdm2kg push` (to any SPARQL 1.1 store)."""

from __future__ import annotations

from mdm2kg.cli.args import IntRange, command
from mdm2kg.cli.common import data_option, echo, graph_option, handle_errors, open_graph
from mdm2kg.cli.remote import credentials, remote_options, timeouts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from mdm2kg.cli.args import Parser


def _serve_options(p: Parser) -> None:
    p.option("--host", default="127.0.0.1", show_default=True,
             help="Address to listen on. Anything but loopback exposes the graph to your network.")
    p.option("--port", type=IntRange(0, 65535), default=7878, show_default=True,
             help="Port to listen on (0 picks a free one).")
    p.option("--timeout", dest="query_timeout", type=IntRange(min=0), default=30, show_default=True, metavar="SECONDS",
             help="Seconds a query may run before the server abandons it (Oxigraph's --timeout-s). A query that "
                  "has no answer 2 s after that is cut off with HTTP 503, and Oxigraph is restarted if it keeps "
                  "a core busy. 0: no limit.")
    p.option("--allow-service", is_flag=True,
             help="Let queries use SERVICE (federation), which makes the server fetch the URLs they name. Off by default.")
    p.option("--allow-host", dest="allowed_hosts", multiple=True, metavar="NAME",
             help="Also answer requests for this host name (repeatable). By default only IP addresses, localhost and "
                  "this machine's name are answered: other names are refused (DNS rebinding).")
    p.option("--cors", is_flag=True, help="Allow cross-origin requests from any web page (off by default).")
    data_option(p)
    graph_option(p)


@command(_serve_options)
@handle_errors
def serve(host: str, port: int, query_timeout: int, allow_service: bool, allowed_hosts: tuple[str, ...], cors: bool,
          data: tuple[str, ...], graph_file: Path | None) -> None:
    """Serve the graph read-only over SPARQL 1.1 with Oxigraph, with a query page in the browser.

    The graph is loaded once into an on-disk store (cached by the graph's hash) and
    served until Ctrl-C or SIGTERM. The query page (YASGUI with every named query as an
    example) is at / and /query-page, on the same origin as the endpoint.

    A gateway in front of Oxigraph refuses requests for other host names (HTTP 403),
    SERVICE clauses (403), and query texts above 1 MiB or nested more than 200 levels of
    (), {} and [] (HTTP 400). If Oxigraph dies, it is restarted and the reason printed; more
    than 5 restarts within 60 s stop the server (exit 3). Stopping (Ctrl-C, SIGTERM) stops
    Oxigraph too, and so does a killed `mdm2kg serve` (Linux). Exit 2 when the port is taken.
    """
    import re
    import sys
    import time
    from pathlib import Path

    from mdm2kg.oxigraph_process import listen, oxigraph_binary
    from mdm2kg.server import OxigraphServer, Stopped, StopSignals
    from mdm2kg.text import is_loopback

    def event(message: str) -> None:
        sys.stderr.write(f"{time.strftime('%H:%M:%S')} {message}\n")
        sys.stderr.flush()

    pages: dict[str, bytes] = {}
    server_host = f"{host}:{port}"

    def page(host: str) -> bytes:
        """The query page for the origin the browser used (built on first request, once per host)."""
        if not re.fullmatch(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?", host) or len(pages) > 16:
            host = server_host  # only names the gateway let through (its Host check) get their own page
        if host not in pages:
            from mdm2kg.render.querypage import query_page_html

            pages[host] = query_page_html(f"http://{host}/query").encode("utf-8")
        return pages[host]

    with StopSignals() as stops:
        server: OxigraphServer | None = None
        try:
            binary = oxigraph_binary()
            listener = listen(host, port)  # the port is ours before the (possibly slow) build
            server = OxigraphServer(Path(), host=host, binary=binary, allow_service=allow_service,
                                    allowed_hosts=allowed_hosts, query_timeout=query_timeout or None, cors=cors,
                                    listener=listener, page=page, on_event=event)
            from mdm2kg.artifact.store import verified_store

            server_host = server.url.removeprefix("http://").rstrip("/")
            # checked, but not opened here: Oxigraph opens it (the check is remembered between runs)
            server.location = verified_store(open_graph(data, graph_file, on_disk=False))
            server.start()
            if not is_loopback(host):
                echo(f"warning: listening on {host}: other machines can query this server", err=True)
            echo(f"mdm2kg SPARQL endpoint (read-only): {server.query_url}")
            echo(f"query page: {server.url}")
            echo("press Ctrl-C to stop", err=True)
            stops.wait(server)
        except Stopped:
            pass
        finally:
            if server is not None:
                server.stop()
    echo("server stopped", err=True)


def _push_options(p: Parser) -> None:
    p.option("--endpoint", required=True, metavar="URL",
             help="Graph Store HTTP Protocol URL, e.g. http://127.0.0.1:7878/store (Oxigraph) or "
                  "http://127.0.0.1:8890/sparql-graph-crud-auth (Virtuoso).")
    p.option("--graph", dest="graph_iri", metavar="IRI", default=None,
             help="Named graph to replace. Default: https://w3id.org/mdm2kg/graph.")
    remote_options(p)
    p.option("--chunk-size", type=IntRange(min=1), default=100_000, show_default=True,
             help="Triples per request: the first request replaces the graph (PUT), the rest append (POST).")
    p.option("--quiet", "-q", is_flag=True, help="No progress lines.")
    data_option(p)
    graph_option(p)


@command(_push_options)
@handle_errors
def push(endpoint: str, graph_iri: str | None, user: str | None, password: str | None, scheme: str,
         connect_timeout: float | None, timeout: float | None, chunk_size: int, quiet: bool, data: tuple[str, ...],
         graph_file: Path | None) -> None:
    """Replace a named graph on any SPARQL 1.1 store with the built graph (Graph Store HTTP Protocol).

    Pushing twice leaves one copy. Query it afterwards with `mdm2kg query --endpoint QUERY-URL`
    (the pushed graph is used when the store's default graph has no answer, or name it with
    --graph IRI). Exit 2 for a refused or unreachable endpoint, 3 when the server fails or
    times out.
    """
    from mdm2kg.sparql import DEFAULT_GRAPH, push_graph
    from mdm2kg.sparql.client import PUSH_TIMEOUT

    auth = credentials(user, password, scheme)
    limits = timeouts(connect_timeout, timeout, default_total=PUSH_TIMEOUT)
    graph = graph_iri or DEFAULT_GRAPH
    kg = open_graph(data, graph_file)

    def progress(sent: int, total: int) -> None:
        if not quiet and total > chunk_size:
            echo(f"  {sent}/{total} triples ({100 * sent // max(total, 1)}%)", err=True)

    report = push_graph(kg, endpoint, graph=graph, auth=auth, chunk_triples=chunk_size, progress=progress, timeout=limits)
    rate = f"{report.triples_per_second:,.0f} triples/s" if report.seconds > 0 else "instant"
    echo(f"pushed {report.triples} triples to <{graph}> at {report.endpoint} "
               f"in {report.seconds:.2f} s ({rate}, {report.chunks} request{'s' if report.chunks != 1 else ''})")
