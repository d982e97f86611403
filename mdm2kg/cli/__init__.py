"""The `mdm2kg` command line. Only this package prints or exits.

Exit codes: 0 success; 1 data problem or nothing found; 2 usage or load error; 3 runtime
failure outside the user's data or request (a server that fails, an HTTP 5xx, a timeout).
Commands are imported lazily (name -> module) so each command loads only what it needs, and
the group's help lists them from the table below without importing any. Parsing is the
standard library's argparse (mdm2kg.cli.args), imported only once a command runs.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import NoReturn

    from mdm2kg.cli.args import Command

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_RUNTIME = 3

# command name -> (module, one-line summary). The module defines the command as the attribute named
# like the command ('-' -> '_'); the summary is the first sentence of its docstring (a test checks).
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("mdm2kg.cli.core", "Build the graph and write DIR/mdm2kg.ttl and DIR/mdm2kg.nt as one set: a kill at any "
                                 "moment leaves both old files or both new ones."),
    "coverage": ("mdm2kg.cli.coverage", "Sentences of the source documents that mention two or more known entities: "
                                        "which are cited by an evidence anchor, which are excluded with a reason, "
                                        "which are neither."),
    "demo": ("mdm2kg.cli.core", "The main job in one go: build and validate the graph, print statistics, run two "
                                "example queries and a path question, and write the network page."),
    "diff": ("mdm2kg.cli.export", "Compare two releases: OLD and NEW are built graphs (.nt/.ttl, or a directory holding "
                                  "mdm2kg.nt) or curated data directories ('shipped' = the shipped data)."),
    "export": ("mdm2kg.cli.export", "Export the graph: turtle (mdm2kg.ttl), ntriples (mdm2kg.nt), jsonld (mdm2kg.jsonld), "
                                    "kgx (nodes.tsv, edges.tsv), graphml (mdm2kg.graphml), cytoscape (mdm2kg.cyjs) or "
                                    "neo4j (neo4j_nodes.csv, neo4j_relationships.csv)."),
    "path": ("mdm2kg.cli.ask", "Cited paths from SOURCE to TARGET (entity ids, labels, synonyms, CURIEs or categories)."),
    "push": ("mdm2kg.cli.server", "Replace a named graph on any SPARQL 1.1 store with the built graph (Graph Store HTTP "
                                  "Protocol)."),
    "queries": ("mdm2kg.cli.ask", "List the named competency queries with their descriptions and parameters."),
    "query": ("mdm2kg.cli.ask", "Run a SPARQL query (TEXT, --file or --name) and print the rows."),
    "render": ("mdm2kg.cli.render", "Write an interactive network page of the graph (or a focus, path or category view)."),
    "render-queries": ("mdm2kg.cli.querypage", "Write a query page preloaded with the project prefixes and every named "
                                               "query."),
    "serve": ("mdm2kg.cli.server", "Serve the graph read-only over SPARQL 1.1 with Oxigraph, with a query page in the "
                                   "browser."),
    "show": ("mdm2kg.cli.show", "Everything the graph says about ENTITY, every line cited."),
    "stats": ("mdm2kg.cli.core", "Counts per category and predicate, and curation coverage figures."),
    "validate": ("mdm2kg.cli.core", "Check curated data: loader checks, SHACL shapes and (with --seeds) anchor phrases."),
}

PROG = "mdm2kg"
GROUP_OPTIONS = [("--version", "Show the version and exit."), ("-h, --help", "Show this message and exit.")]


def main(argv: Sequence[str] | None = None) -> None:
    """mdm2kg: a curated, cited knowledge graph of MDM2 biology and therapeutics.

    Exit codes: 0 ok, 1 data problem or nothing found, 2 usage or load error,
    3 runtime failure (a server that fails, an HTTP 5xx, a timeout).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        _dispatch(args)
    except (KeyboardInterrupt, EOFError):  # Ctrl-C outside a command that handles it (`query` exits 130)
        sys.stderr.write("\nAborted!\n")
        sys.exit(EXIT_DATA)
    except BrokenPipeError:  # the reader went away: stop quietly (no flush error at exit)
        _silence_stdout()
        sys.exit(EXIT_DATA)


def _dispatch(args: list[str]) -> None:
    while args and args[0].startswith("-"):
        option = args.pop(0)
        if option in ("-h", "--help"):
            sys.stdout.write(group_help())
            return
        if option == "--version":
            from mdm2kg import __version__

            sys.stdout.write(f"{PROG}, version {__version__}\n")
            return
        if option == "--":
            break
        _group_error(f"No such option '{option.split('=', 1)[0]}'.")
    if not args:  # as before: the help, on standard error, and exit 2
        sys.stderr.write(group_help())
        sys.exit(EXIT_USAGE)
    name = args.pop(0)
    command = load_command(name)
    if command is None:
        _group_error(f"No such command '{name}'.")
    command(name, args)


def load_command(name: str) -> Command | None:
    """The command `name` (importing only its module), or None when there is no such command."""
    if name not in COMMANDS:
        return None
    import importlib

    module = importlib.import_module(COMMANDS[name][0])
    found: Command = getattr(module, name.replace("-", "_"))
    return found


def group_help() -> str:
    from mdm2kg.cli import helptext

    limit = helptext.page_width() - 6 - max(len(name) for name in COMMANDS)
    commands = [(name, helptext.shorten(summary, limit)) for name, (_, summary) in sorted(COMMANDS.items())]
    return helptext.page(f"{PROG} [OPTIONS] COMMAND [ARGS]...", main.__doc__,
                         [("Options", GROUP_OPTIONS), ("Commands", commands)])


def _group_error(message: str) -> NoReturn:
    sys.stderr.write(f"Usage: {PROG} [OPTIONS] COMMAND [ARGS]...\nTry '{PROG} --help' for help.\n\nError: {message}\n")
    sys.exit(EXIT_USAGE)


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
