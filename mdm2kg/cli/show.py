"""`mdm2kg show`: the card of one entity."""

from __future__ import annotations

import sys

from mdm2kg.cli.args import Choice, command
from mdm2kg.cli.common import data_option, disk_option, graph_option, handle_errors, open_graph

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from mdm2kg.cli.args import Parser


def _show_options(p: Parser) -> None:
    p.argument("ENTITY")
    p.option("--format", dest="fmt", type=Choice(["text", "md", "json"]), default="text", show_default=True)
    data_option(p)
    graph_option(p)
    disk_option(p)


@command(_show_options)
@handle_errors
def show(entity: str, fmt: str, data: tuple[str, ...], graph_file: Path | None, on_disk: bool) -> None:
    """Everything the graph says about ENTITY, every line cited.

    ENTITY is an id, label, synonym, code, CURIE, NCT id or a label without its parenthetical
    part. Exit 1 when it is unknown or ambiguous (candidates are listed).
    """
    from mdm2kg.show import show as build

    kg = open_graph(data, graph_file, on_disk=on_disk)
    sys.stdout.write(build(kg, entity).render(fmt))
