"""`mdm2kg render-queries`: write the offline query page (YASGUI with the named queries) for an endpoint."""

from __future__ import annotations

from mdm2kg.cli.args import PathArg, command
from mdm2kg.cli.common import echo, handle_errors

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from mdm2kg.cli.args import Parser


def _render_queries_options(p: Parser) -> None:
    from pathlib import Path

    p.option("-o", "--out", dest="out", type=PathArg(dir_okay=False), default=Path("mdm2kg-queries.html"),
             show_default=True, help="HTML file to write (one self-contained page; loads nothing but query results).")
    p.option("--endpoint", default="http://localhost:7878/query", show_default=True, metavar="URL",
             help="SPARQL query endpoint the page sends queries to (e.g. what `mdm2kg serve` prints).")


@command(_render_queries_options)
@handle_errors
def render_queries(out: Path, endpoint: str) -> None:
    """Write a query page preloaded with the project prefixes and every named query.

    Opened from a file, the page needs an endpoint that allows cross-origin requests
    (e.g. `oxigraph serve-read-only --cors`); served from the endpoint's own origin it needs nothing.

    \b
    Example:
      mdm2kg render-queries --endpoint http://localhost:7878/query -o queries.html
    """
    from mdm2kg.fileio import atomic_write
    from mdm2kg.render.querypage import query_page_html

    atomic_write(out, query_page_html(endpoint).encode("utf-8"))
    echo(f"wrote {out} (queries go to {endpoint})")
