"""Options shared by the commands that talk to remote SPARQL stores (`query --endpoint`, `push`)."""

from __future__ import annotations

import os
import sys

from mdm2kg.cli import EXIT_USAGE
from mdm2kg.cli.args import Choice, Float
from mdm2kg.cli.common import echo, fail

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from mdm2kg.cli.args import Parser

PASSWORD_ENV = "MDM2KG_PASSWORD"
TIMEOUT_HELP = ("Seconds one request may take in total, the whole answer included, however slowly it arrives (default 60 "
                "for a query, 300 for each push request; or $MDM2KG_TIMEOUT).")


def remote_options(parser: Parser, *, timeout_help: str = TIMEOUT_HELP) -> None:
    """--user, --password, --auth, --connect-timeout and --timeout."""
    parser.option("--user", envvar="MDM2KG_USER", default=None, help="User name for the remote store (or $MDM2KG_USER).")
    parser.option("--password", default=None,
                  help="Password (prefer $MDM2KG_PASSWORD: an option shows in the process list; prompted on a terminal "
                       "when --user is given without it). Userinfo in the URL works too and is never printed.")
    parser.option("--auth", dest="scheme", type=Choice(["auto", "basic", "digest"]), default="auto", show_default=True,
                  help="Authentication scheme; auto answers the server's challenge.")
    parser.option("--connect-timeout", type=Float(), default=None, metavar="SECONDS",
                  help="Seconds to wait for a connection (default 10, or $MDM2KG_CONNECT_TIMEOUT).")
    parser.option("--timeout", type=Float(), default=None, metavar="SECONDS", help=timeout_help)


def credentials(user: str | None, password: str | None, scheme: str) -> Any:
    """An `Auth` from the options (the password from --password, else $MDM2KG_PASSWORD, else
    prompted for on a terminal), or None."""
    from mdm2kg.sparql import Auth, AuthScheme

    on_command_line = password is not None
    if password is None:
        password = os.environ.get(PASSWORD_ENV) or None
    if password is not None and user is None:
        fail("--password needs --user", EXIT_USAGE)
    if on_command_line:
        echo(f"note: a password given with --password shows in the process list; prefer ${PASSWORD_ENV}", err=True)
    if user is not None and password is None:
        if not sys.stdin.isatty():
            fail("--user needs a password: set $MDM2KG_PASSWORD", EXIT_USAGE)
        import getpass

        password = getpass.getpass(f"password for {user}: ", stream=sys.stderr)
    if user is None:
        if scheme != "auto":
            fail(f"--auth {scheme} needs --user and a password", EXIT_USAGE)
        return None
    return Auth(user, password or "", AuthScheme(scheme))


def timeouts(connect_timeout: float | None, timeout: float | None, *, default_total: float) -> Any:
    """A `Timeouts` from the options, then the environment, then the defaults."""
    from mdm2kg.sparql import Timeouts

    return Timeouts.from_env(connect=connect_timeout, total=timeout, default_total=default_total)
