"""Options and error handling shared by the CLI commands."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from mdm2kg.cli import EXIT_DATA, EXIT_RUNTIME, EXIT_USAGE
from mdm2kg.errors import CurationError, Mdm2kgError, NotFoundError, QueryError, RuntimeFailure, UsageError

F = TypeVar("F", bound=Callable[..., Any])

data_option = click.option(
    "--data", "data", multiple=True, metavar="DIR",
    help="Curated directory to build from (repeatable). 'shipped' means the data shipped with mdm2kg. Default: shipped.",
)
disk_option = click.option(
    "--on-disk", "on_disk", is_flag=True,
    help="Query the on-disk Oxigraph store (built once, reused between commands) instead of loading the graph into memory.",
)
graph_option = click.option(
    "--graph-file", "graph_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="Use a built graph file (.nt or .ttl) instead of building from --data.",
)


def fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Map library exceptions to documented exit codes with a clear message."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CurationError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            fail(f"{len(exc.problems)} curation problem(s); nothing was written", EXIT_DATA)
        except NotFoundError as exc:
            if exc.candidates:
                click.echo("candidates:\n  " + "\n  ".join(exc.candidates), err=True)
            fail(str(exc), EXIT_DATA)
        except (UsageError, QueryError) as exc:
            fail(str(exc), EXIT_USAGE)
        except RuntimeFailure as exc:
            fail(str(exc), EXIT_RUNTIME)
        except Mdm2kgError as exc:
            fail(str(exc), EXIT_DATA)
        return None

    return wrapper  # type: ignore[return-value]


def open_graph(data: tuple[str, ...], graph_file: Path | None = None, *, on_disk: bool = False) -> Any:
    """The KnowledgeGraph for a command: from a built file, or built (cached) from --data."""
    from mdm2kg.artifact.graph import KnowledgeGraph

    kg = KnowledgeGraph.from_file(graph_file) if graph_file is not None else KnowledgeGraph.build(list(data) or None)
    return kg.use_disk_store() if on_disk else kg
