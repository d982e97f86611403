"""Options and error handling shared by the CLI commands."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from mdm2kg.cli import EXIT_DATA, EXIT_RUNTIME, EXIT_USAGE
from mdm2kg.errors import CurationError, Mdm2kgError, NotFoundError, Problem, QueryError, RuntimeFailure, UsageError
from mdm2kg.text import terminal_safe

F = TypeVar("F", bound=Callable[..., Any])

data_option = click.option(
    "--data", "data", multiple=True, metavar="DIR",
    help="Curated directory to build from (repeatable). 'shipped' means the data shipped with mdm2kg. Default: shipped.",
)
disk_option = click.option(
    "--on-disk/--in-memory", "on_disk", default=None,
    help="Answer from the graph's on-disk Oxigraph store (the default: built once, reused between commands and by "
         "`serve`, opened in milliseconds) or load the graph into memory. MDM2KG_STORE=disk|memory sets the default.",
)
graph_option = click.option(
    "--graph-file", "graph_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="Use a built graph file (.nt or .ttl) instead of building from --data.",
)


def echo_problems(problems: Iterable[Problem], *, err: bool = True) -> None:
    """Print located problems, one per line, escaped."""
    for problem in problems:
        click.echo(terminal_safe(str(problem)), err=err)


def fail(message: str, code: int) -> None:
    click.echo(f"error: {terminal_safe(message, keep_newlines=True)}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Map library exceptions to documented exit codes with a clear message."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CurationError as exc:
            echo_problems(exc.problems)
            fail(f"{len(exc.problems)} curation problem(s); nothing was written", EXIT_DATA)
        except NotFoundError as exc:
            if exc.candidates:
                click.echo("candidates:\n  " + "\n  ".join(terminal_safe(c) for c in exc.candidates), err=True)
            fail(str(exc), EXIT_DATA)
        except (UsageError, QueryError) as exc:
            fail(str(exc), EXIT_USAGE)
        except RuntimeFailure as exc:
            fail(str(exc), EXIT_RUNTIME)
        except Mdm2kgError as exc:
            fail(str(exc), EXIT_DATA)
        return None

    return wrapper  # type: ignore[return-value]


def open_graph(data: tuple[str, ...], graph_file: Path | None = None, *, on_disk: bool | None = None) -> Any:
    """The KnowledgeGraph for a command: from a built file, or built (cached) from --data; answered
    from its on-disk store unless --in-memory or MDM2KG_STORE=memory."""
    from mdm2kg.artifact.graph import KnowledgeGraph

    kg = KnowledgeGraph.from_file(graph_file) if graph_file is not None else KnowledgeGraph.build(list(data) or None)
    if on_disk is None:
        on_disk = os.environ.get("MDM2KG_STORE", "disk") != "memory"
    return kg.use_disk_store() if on_disk else kg
