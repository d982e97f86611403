"""`mdm2kg show`: the card of one entity."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mdm2kg.cli.common import data_option, disk_option, graph_option, handle_errors, open_graph


@click.command()
@click.argument("entity")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", show_default=True)
@data_option
@graph_option
@disk_option
@handle_errors
def show(entity: str, fmt: str, data: tuple[str, ...], graph_file: Path | None, on_disk: bool) -> None:
    """Everything the graph says about ENTITY, every line cited.

    ENTITY is an id, label, synonym, code, CURIE, NCT id or a label without its parenthetical
    part. Exit 1 when it is unknown or ambiguous (candidates are listed).
    """
    from mdm2kg.show import show as build

    kg = open_graph(data, graph_file, on_disk=on_disk)
    sys.stdout.write(build(kg, entity).render(fmt))
