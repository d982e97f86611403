"""`mdm2kg build`, `validate` and `stats`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from mdm2kg.cli import EXIT_DATA
from mdm2kg.cli.common import data_option, fail, graph_option, handle_errors, open_graph


@click.command()
@data_option
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory to write mdm2kg.ttl and mdm2kg.nt into.")
@click.option("--no-shacl", is_flag=True, help="Skip SHACL validation (loader checks still run).")
@handle_errors
def build(data: tuple[str, ...], out: Path, no_shacl: bool) -> None:
    """Build the graph and write DIR/mdm2kg.ttl and DIR/mdm2kg.nt (atomically)."""
    from mdm2kg.builder import to_ntriples, to_turtle
    from mdm2kg.fileio import atomic_write
    from mdm2kg.kg import load_and_build, resolve_data_dirs
    from mdm2kg.ontology import load_schema
    from mdm2kg.validate import shacl_problems

    _, graph = load_and_build(resolve_data_dirs(list(data)))
    if not no_shacl:
        problems, _ = shacl_problems(graph, load_schema())
        if problems:
            for problem in problems:
                click.echo(str(problem), err=True)
            fail(f"{len(problems)} SHACL violation(s); nothing was written", EXIT_DATA)
    nt = to_ntriples(graph)
    ttl = to_turtle(graph)
    atomic_write(out / "mdm2kg.nt", nt)
    atomic_write(out / "mdm2kg.ttl", ttl)
    click.echo(f"wrote {out / 'mdm2kg.ttl'} and {out / 'mdm2kg.nt'} ({len(graph)} triples)")


@click.command()
@data_option
@click.option("--seeds", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=lambda: os.environ.get("MDM2KG_SEEDS"),
              help="Directory of the source documents; when given, every anchor phrase is checked against them.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@handle_errors
def validate(data: tuple[str, ...], seeds: Path | None, fmt: str) -> None:
    """Check curated data: loader checks, SHACL shapes and (with --seeds) anchor phrases.

    Exit 0 when everything conforms, 1 with located messages otherwise.
    """
    from mdm2kg.kg import resolve_data_dirs, validate_data

    report = validate_data(resolve_data_dirs(list(data)), seeds=Path(seeds) if seeds else None)
    if fmt == "json":
        click.echo(json.dumps({
            "conforms": report.conforms,
            "statistics": report.statistics,
            "problems": [{"kind": p.kind.value, "file": p.file, "line": p.line, "column": p.column,
                          "message": p.message, "hint": p.hint} for p in report.problems],
        }, indent=2))
    else:
        for problem in report.problems:
            click.echo(str(problem))
        counts = ", ".join(f"{v} {k}" for k, v in report.statistics.items())
        verdict = "conforms" if report.conforms else f"{len(report.problems)} problem(s)"
        click.echo(f"{verdict} ({counts})")
    if not report.conforms:
        raise SystemExit(EXIT_DATA)


@click.command()
@data_option
@graph_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@handle_errors
def stats(data: tuple[str, ...], graph_file: Path | None, fmt: str) -> None:
    """Counts per category and predicate, and curation coverage figures."""
    from mdm2kg.stats import graph_stats

    result = graph_stats(open_graph(data, graph_file))
    if fmt == "json":
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"triples: {result['triples']}")
    for section in ("categories", "records", "predicates", "coverage"):
        click.echo(f"\n{section}:")
        for name, count in result[section].items():
            click.echo(f"  {name:<42} {count}")
