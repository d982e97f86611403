"""The `mdm2kg` command line. Only this package prints or exits.

Exit codes: 0 success; 1 data problem or nothing found; 2 usage or load error; 3 runtime
failure outside the user's data or request (a server that fails, an HTTP 5xx, a timeout).
Commands are imported lazily (name -> module) so each command loads only what it needs.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from typing import Any

import click

from mdm2kg import __version__

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_RUNTIME = 3

# command name -> "module:attribute"; each module defines one click command.
COMMANDS: dict[str, str] = {
    "build": "mdm2kg.cli.core:build",
    "validate": "mdm2kg.cli.core:validate",
    "stats": "mdm2kg.cli.core:stats",
    "demo": "mdm2kg.cli.core:demo",
    "query": "mdm2kg.cli.ask:query",
    "queries": "mdm2kg.cli.ask:queries",
    "path": "mdm2kg.cli.ask:path",
    "show": "mdm2kg.cli.show:show",
    "render": "mdm2kg.cli.render:render",
    "render-queries": "mdm2kg.cli.querypage:render_queries",
    "serve": "mdm2kg.cli.server:serve",
    "push": "mdm2kg.cli.server:push",
    "export": "mdm2kg.cli.export:export",
    "diff": "mdm2kg.cli.export:diff",
    "coverage": "mdm2kg.cli.coverage:coverage",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _available(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        command: Any = getattr(module, attr)
        return command  # type: ignore[no-any-return]


def _available(name: str) -> bool:
    module_name = COMMANDS[name].split(":")[0]
    return importlib.util.find_spec(module_name) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="mdm2kg")
def main() -> None:
    """mdm2kg: a curated, cited knowledge graph of MDM2 biology and therapeutics.

    Exit codes: 0 ok, 1 data problem or nothing found, 2 usage or load error,
    3 runtime failure (a server that fails, an HTTP 5xx, a timeout).
    """
    # library notices (e.g. "the cached graph is damaged; rebuilding it") go to stderr
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
