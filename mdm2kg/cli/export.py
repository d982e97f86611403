"""`mdm2kg export` and `mdm2kg diff`."""

from __future__ import annotations

import sys

from mdm2kg.cli import EXIT_DATA, EXIT_OK, EXIT_USAGE
from mdm2kg.cli.args import Choice, PathArg, command
from mdm2kg.cli.common import data_option, echo, echo_problems, graph_option, handle_errors, open_graph

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from mdm2kg.cli.args import Parser

FORMAT_NAMES = ["turtle", "ntriples", "jsonld", "kgx", "graphml", "cytoscape", "neo4j"]


def _export_options(p: Parser) -> None:
    p.option("--format", dest="formats", multiple=True, required=True, type=Choice([*FORMAT_NAMES, "all"]),
             help="Format to write (repeatable; 'all' writes every format).")
    p.option("--out", dest="out", type=PathArg(file_okay=False, allow_dash=True), required=True,
             help="Directory to write into (created if missing). The files are replaced as one set: a kill at any "
                  "moment leaves all old files or all new ones; other files in the directory are kept. "
                  "'-' writes a single-file format (turtle, ntriples, jsonld, graphml, cytoscape) to standard output.")
    data_option(p)
    graph_option(p)


@command(_export_options)
@handle_errors
def export(formats: tuple[str, ...], out: Path, data: tuple[str, ...], graph_file: Path | None) -> None:
    """Export the graph: turtle (mdm2kg.ttl), ntriples (mdm2kg.nt), jsonld (mdm2kg.jsonld),
    kgx (nodes.tsv, edges.tsv), graphml (mdm2kg.graphml), cytoscape (mdm2kg.cyjs) or
    neo4j (neo4j_nodes.csv, neo4j_relationships.csv). Tabular formats also get
    mdm2kg_metadata.json, the dataset description.

    Exit 0 when written, 1 when the curated data is invalid, 2 on a usage or load error.
    """
    from mdm2kg.errors import UsageError
    from mdm2kg.export import export as run_export
    from mdm2kg.export import render
    from mdm2kg.text import terminal_safe

    chosen = FORMAT_NAMES if "all" in formats else list(formats)
    if str(out) == "-":
        files = render(open_graph(data, graph_file), chosen[0]) if len(chosen) == 1 else {}
        payload = [body for name, body in files.items() if not name.endswith("_metadata.json")]
        if len(payload) != 1:
            raise UsageError("--out - takes one single-file format (turtle, ntriples, jsonld, graphml or cytoscape); "
                             "kgx and neo4j write several files: give a directory")
        sys.stdout.buffer.write(payload[0])
        sys.stdout.flush()
        return
    paths = run_export(open_graph(data, graph_file), chosen, out)
    for path in paths:
        echo(terminal_safe(f"wrote {path}"))


def _load(source: str) -> object:
    from mdm2kg.diff import load_graph
    from mdm2kg.errors import CurationError, Mdm2kgError
    from mdm2kg.text import terminal_safe

    try:
        return load_graph(source)
    except CurationError as exc:
        echo_problems(exc.problems)
        echo(terminal_safe(f"error: cannot build {source}: {len(exc.problems)} curation problem(s)"), err=True)
    except (Mdm2kgError, OSError, SyntaxError, ValueError) as exc:
        echo(terminal_safe(f"error: cannot load {source}: {exc}", keep_newlines=True), err=True)
    sys.exit(EXIT_USAGE)


def _diff_options(p: Parser) -> None:
    p.argument("OLD")
    p.argument("NEW")
    p.option("--format", dest="fmt", type=Choice(["text", "json"]), default="text", show_default=True)


@command(_diff_options)
def diff(old: str, new: str, fmt: str) -> None:
    """Compare two releases: OLD and NEW are built graphs (.nt/.ttl, or a directory holding
    mdm2kg.nt) or curated data directories ('shipped' = the shipped data).

    Lists entities, statements, results, conflicts and publications added, removed and
    changed, grouped by category. Exit 0 when identical, 1 when different, 2 when an
    input cannot be read or built.
    """
    from mdm2kg.diff import diff_graphs

    result = diff_graphs(_load(old), _load(new), old_name=old, new_name=new)  # type: ignore[arg-type]
    if fmt == "json":
        import json

        echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        echo(result.to_text())
    sys.exit(EXIT_OK if result.identical else EXIT_DATA)
