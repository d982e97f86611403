"""Options, output and error handling shared by the CLI commands."""

from __future__ import annotations

import functools
import os
import sys

from mdm2kg.cli import EXIT_DATA, EXIT_RUNTIME, EXIT_USAGE
from mdm2kg.cli.args import PathArg

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path
    from typing import Any, TypeVar

    from mdm2kg.cli.args import Parser
    from mdm2kg.errors import Problem

    F = TypeVar("F", bound=Callable[..., Any])


def data_option(parser: Parser) -> None:
    parser.option("--data", dest="data", multiple=True, metavar="DIR",
                  help="Curated directory to build from (repeatable). 'shipped' means the data shipped with mdm2kg. "
                       "Default: shipped.")


def disk_option(parser: Parser) -> None:
    parser.option("--on-disk/--in-memory", dest="on_disk", default=None,
                  help="Answer from the graph's on-disk Oxigraph store (the default: built once, reused between commands "
                       "and by `serve`, opened in milliseconds) or load the graph into memory. MDM2KG_STORE=disk|memory "
                       "sets the default.")


def graph_option(parser: Parser) -> None:
    parser.option("--graph-file", dest="graph_file", type=PathArg(exists=True, dir_okay=False), default=None,
                  help="Use a built graph file (.nt or .ttl) instead of building from --data.")


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Write one message (and a newline) to standard output, or standard error with `err`, at once."""
    stream = sys.stderr if err else sys.stdout
    stream.write(f"{message}\n" if nl else message)
    stream.flush()


def echo_problems(problems: Iterable[Problem], *, err: bool = True) -> None:
    """Print located problems, one per line, escaped."""
    from mdm2kg.text import terminal_safe

    for problem in problems:
        echo(terminal_safe(str(problem)), err=err)


def fail(message: str, code: int) -> None:
    from mdm2kg.text import terminal_safe

    echo(f"error: {terminal_safe(message, keep_newlines=True)}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Map library exceptions to documented exit codes with a clear message."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from mdm2kg.errors import Mdm2kgError

        try:
            return func(*args, **kwargs)
        except Mdm2kgError as exc:
            _report(exc)
        return None

    return wrapper  # type: ignore[return-value]


def _report(exc: Exception) -> None:
    from mdm2kg.errors import CurationError, NotFoundError, QueryError, RuntimeFailure, UsageError
    from mdm2kg.text import terminal_safe

    if isinstance(exc, CurationError):
        echo_problems(exc.problems)
        fail(f"{len(exc.problems)} curation problem(s); nothing was written", EXIT_DATA)
    elif isinstance(exc, NotFoundError):
        if exc.candidates:
            echo("candidates:\n  " + "\n  ".join(terminal_safe(c) for c in exc.candidates), err=True)
        fail(str(exc), EXIT_DATA)
    elif isinstance(exc, (UsageError, QueryError)):
        fail(str(exc), EXIT_USAGE)
    elif isinstance(exc, RuntimeFailure):
        fail(str(exc), EXIT_RUNTIME)
    else:
        fail(str(exc), EXIT_DATA)


def open_graph(data: tuple[str, ...], graph_file: Path | None = None, *, on_disk: bool | None = None) -> Any:
    """The KnowledgeGraph for a command: from a built file, or built (cached) from --data; answered
    from its on-disk store unless --in-memory or MDM2KG_STORE=memory."""
    from mdm2kg.artifact.graph import KnowledgeGraph

    kg = KnowledgeGraph.from_file(graph_file) if graph_file is not None else KnowledgeGraph.build(list(data) or None)
    if on_disk is None:
        on_disk = os.environ.get("MDM2KG_STORE", "disk") != "memory"
    return kg.use_disk_store() if on_disk else kg
