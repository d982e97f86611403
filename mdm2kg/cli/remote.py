"""Options shared by the commands that talk to remote SPARQL stores (`query --endpoint`, `push`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from mdm2kg.cli import EXIT_USAGE
from mdm2kg.cli.common import fail

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = [
    click.option("--user", envvar="MDM2KG_USER", default=None, help="User name for the remote store (or $MDM2KG_USER)."),
    click.option("--password", envvar="MDM2KG_PASSWORD", default=None,
                 help="Password (prefer $MDM2KG_PASSWORD: an option shows in the process list; prompted on a terminal "
                      "when --user is given without it). Userinfo in the URL works too and is never printed."),
    click.option("--auth", "scheme", type=click.Choice(["auto", "basic", "digest"]), default="auto", show_default=True,
                 help="Authentication scheme; auto answers the server's challenge."),
    click.option("--connect-timeout", type=float, default=None, metavar="SECONDS",
                 help="Seconds to wait for a connection (default 10, or $MDM2KG_CONNECT_TIMEOUT)."),
    click.option("--timeout", type=float, default=None, metavar="SECONDS",
                 help="Seconds one request may take in total, the whole answer included, however slowly it "
                      "arrives (default 60 for a query, 300 for each push request; or $MDM2KG_TIMEOUT)."),
]


def remote_options(func: F) -> F:
    """--user, --password, --auth, --connect-timeout and --timeout."""
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def credentials(user: str | None, password: str | None, scheme: str) -> Any:
    """An `Auth` from the options (prompting for a missing password on a terminal), or None."""
    from mdm2kg.sparql import Auth, AuthScheme

    if password is not None and user is None:
        fail("--password needs --user", EXIT_USAGE)
    source = click.get_current_context().get_parameter_source("password")
    if password is not None and source is click.core.ParameterSource.COMMANDLINE:
        click.echo("note: a password given with --password shows in the process list; prefer $MDM2KG_PASSWORD", err=True)
    if user is not None and password is None:
        if not sys.stdin.isatty():
            fail("--user needs a password: set $MDM2KG_PASSWORD", EXIT_USAGE)
        password = click.prompt(f"password for {user}", hide_input=True, err=True)
    if user is None:
        if scheme != "auto":
            fail(f"--auth {scheme} needs --user and a password", EXIT_USAGE)
        return None
    return Auth(user, password or "", AuthScheme(scheme))


def timeouts(connect_timeout: float | None, timeout: float | None, *, default_total: float) -> Any:
    """A `Timeouts` from the options, then the environment, then the defaults."""
    from mdm2kg.sparql import Timeouts

    return Timeouts.from_env(connect=connect_timeout, total=timeout, default_total=default_total)
