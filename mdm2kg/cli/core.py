"""`mdm2kg build`, `validate` and `stats`."""

from __future__ import annotations

from mdm2kg.cli import EXIT_DATA
from mdm2kg.cli.args import Choice, PathArg, command
from mdm2kg.cli.common import data_option, echo, echo_problems, fail, graph_option, handle_errors, open_graph

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from mdm2kg.cli.args import Parser


def _build_options(p: Parser) -> None:
    data_option(p)
    p.option("--out", dest="out", type=PathArg(file_okay=False), required=True,
             help="Directory to write mdm2kg.ttl and mdm2kg.nt into (both are replaced together, never one alone).")
    p.option("--no-shacl", is_flag=True, help="Skip SHACL validation (loader checks still run).")


@command(_build_options)
@handle_errors
def build(data: tuple[str, ...], out: Path, no_shacl: bool) -> None:
    """Build the graph and write DIR/mdm2kg.ttl and DIR/mdm2kg.nt as one set: a kill at any
    moment leaves both old files or both new ones."""
    from mdm2kg.artifact.cache import resolve_data_dirs
    from mdm2kg.artifact.pipeline import load_and_build
    from mdm2kg.fileio import write_file_set
    from mdm2kg.rdf.builder import to_ntriples, to_turtle
    from mdm2kg.rdf.ontology import load_schema
    from mdm2kg.rdf.shacl import shacl_problems
    from mdm2kg.text import terminal_safe

    _, graph = load_and_build(resolve_data_dirs(list(data)))
    if not no_shacl:
        problems, _ = shacl_problems(graph, load_schema())
        if problems:
            echo_problems(problems)
            fail(f"{len(problems)} SHACL violation(s); nothing was written", EXIT_DATA)
    write_file_set(out, {"mdm2kg.nt": to_ntriples(graph), "mdm2kg.ttl": to_turtle(graph)})
    echo(terminal_safe(f"wrote {out / 'mdm2kg.ttl'} and {out / 'mdm2kg.nt'} ({len(graph)} triples)"))


def _validate_options(p: Parser) -> None:
    data_option(p)
    p.option("--seeds", type=PathArg(file_okay=False, exists=True), envvar="MDM2KG_SEEDS",
             help="Directory of the source documents; when given, every anchor phrase is checked against them.")
    p.option("--format", dest="fmt", type=Choice(["text", "json"]), default="text")


@command(_validate_options)
@handle_errors
def validate(data: tuple[str, ...], seeds: Path | None, fmt: str) -> None:
    """Check curated data: loader checks, SHACL shapes and (with --seeds) anchor phrases.

    Exit 0 when everything conforms, 1 with located messages otherwise.
    """
    from mdm2kg.artifact.cache import resolve_data_dirs
    from mdm2kg.artifact.pipeline import validate_data

    report = validate_data(resolve_data_dirs(list(data)), seeds=seeds)
    if fmt == "json":
        import json

        echo(json.dumps({
            "conforms": report.conforms,
            "statistics": report.statistics,
            "problems": [{"kind": p.kind.value, "file": p.file, "line": p.line, "column": p.column,
                          "message": p.message, "hint": p.hint} for p in report.problems],
        }, indent=2))
    else:
        echo_problems(report.problems, err=False)
        counts = ", ".join(f"{v} {k}" for k, v in report.statistics.items())
        verdict = "conforms" if report.conforms else f"{len(report.problems)} problem(s)"
        echo(f"{verdict} ({counts})")
    if not report.conforms:
        raise SystemExit(EXIT_DATA)


def _stats_options(p: Parser) -> None:
    data_option(p)
    graph_option(p)
    p.option("--format", dest="fmt", type=Choice(["text", "json"]), default="text")


@command(_stats_options)
@handle_errors
def stats(data: tuple[str, ...], graph_file: Path | None, fmt: str) -> None:
    """Counts per category and predicate, and curation coverage figures."""
    from mdm2kg.stats import graph_stats

    result = graph_stats(open_graph(data, graph_file))
    if fmt == "json":
        import json

        echo(json.dumps(result, indent=2))
        return
    echo(f"triples: {result['triples']}")
    for section in ("categories", "records", "predicates", "coverage"):
        echo(f"\n{section}:")
        for name, count in result[section].items():
            echo(f"  {name:<42} {count}")


def _demo_options(p: Parser) -> None:
    from pathlib import Path

    p.option("--out", dest="out", type=PathArg(file_okay=False), default=Path("build"), show_default=True,
             help="Directory for the graph files and the network page.")
    data_option(p)


@command(_demo_options)
@handle_errors
def demo(out: Path, data: tuple[str, ...]) -> None:
    """The main job in one go: build and validate the graph, print statistics, run two example
    queries and a path question, and write the network page."""
    from mdm2kg.artifact.cache import resolve_data_dirs
    from mdm2kg.artifact.graph import KnowledgeGraph
    from mdm2kg.artifact.pipeline import validate_data
    from mdm2kg.fileio import atomic_write
    from mdm2kg.path_text import format_path_text
    from mdm2kg.paths import find_paths
    from mdm2kg.query import run_named
    from mdm2kg.rdf.builder import to_turtle
    from mdm2kg.render import render
    from mdm2kg.stats import graph_stats

    dirs = resolve_data_dirs(list(data))
    echo("== validate")
    report = validate_data(dirs)
    echo("conforms" if report.conforms else f"{len(report.problems)} problem(s)")
    if not report.conforms:
        for problem in report.problems:
            echo(str(problem), err=True)
        raise SystemExit(EXIT_DATA)
    kg = KnowledgeGraph.build(list(data) or None)
    atomic_write(out / "mdm2kg.nt", kg.ntriples())
    atomic_write(out / "mdm2kg.ttl", to_turtle(kg.rdf))
    echo(f"== build\nwrote {out / 'mdm2kg.ttl'} and {out / 'mdm2kg.nt'}")
    stats_result = graph_stats(kg)
    echo(f"== stats\ntriples: {stats_result['triples']}")
    for name, count in stats_result["categories"].items():
        echo(f"  {name:<24} {count}")
    for title, name, params in (
        ("Trials of milademetan", "trials_of_compound", {"compound": "milademetan"}),
        ("Resistance mechanisms that defeat brigimadlin", "resistance_to_compound", {"compound": "brigimadlin"}),
    ):
        echo(f"== query: {title} (mdm2kg query --name {name} "
                   + " ".join(f"--param {k}={v}" for k, v in params.items()) + ")")
        echo(run_named(kg, name, params).to_table(max_width=48), nl=False)
    echo("== path: milademetan -> acquired TP53 mutation (mdm2kg path milademetan acquired_TP53_mutation --limit 3)")
    echo(format_path_text(find_paths(kg, "milademetan", "acquired_TP53_mutation", limit=3)), nl=False)
    page = render(kg, out / "mdm2kg.html")
    echo(f"== network page\nwrote {page} (open it in a browser; it works offline)")
