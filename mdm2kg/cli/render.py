"""`mdm2kg render`: write the interactive network page."""

from __future__ import annotations

from mdm2kg.cli.args import IntRange, PathArg, command
from mdm2kg.cli.common import data_option, echo, graph_option, handle_errors, open_graph

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from mdm2kg.cli.args import Parser


def _render_options(p: Parser) -> None:
    from pathlib import Path

    p.option("-o", "--out", dest="out", type=PathArg(dir_okay=False), default=Path("mdm2kg.html"), show_default=True,
             help="HTML file to write (one self-contained page; works offline).")
    p.option("--focus", metavar="ENTITY", default=None,
             help="Show only the neighbourhood of ENTITY (id, label, synonym or CURIE).")
    p.option("--radius", type=IntRange(min=0), default=1, show_default=True,
             help="Hops around --focus to include (either direction).")
    p.option("--path", dest="path_between", nargs=2, metavar="SOURCE TARGET", default=None,
             help="Show and highlight the best paths between two entities (or categories).")
    p.option("--max-paths", type=IntRange(min=1, max=50), default=3, show_default=True,
             help="How many of the best paths --path highlights.")
    p.option("--category", dest="categories", multiple=True, metavar="CAT",
             help="Keep only entities of this category (repeatable); focus and path entities always stay.")
    p.option("--title", default=None, help="Page title (default: describes the view).")
    data_option(p)
    graph_option(p)


@command(_render_options)
@handle_errors
def render(out: Path, focus: str | None, radius: int, path_between: tuple[str, str] | None, max_paths: int,
           categories: tuple[str, ...], title: str | None, data: tuple[str, ...], graph_file: Path | None) -> None:
    """Write an interactive network page of the graph (or a focus, path or category view).

    The page is a single HTML file with everything inlined: open it in any browser, offline.

    \b
    Examples:
      mdm2kg render -o mdm2kg.html
      mdm2kg render --focus MDM2 --radius 2 -o mdm2.html
      mdm2kg render --path milademetan "acquired TP53 mutation" -o path.html
      mdm2kg render --category Compound --category ClinicalTrial -o trials.html
    """
    from mdm2kg.render import render as render_page

    kg = open_graph(data, graph_file)
    written = render_page(kg, out, focus=focus, radius=radius, path_between=path_between or None,
                          categories=categories or None, title=title, max_paths=max_paths)
    echo(f"wrote {written} (open it in a browser; it needs no network)")
