"""Command-line parsing on the standard library's argparse, with the conventions the CLI keeps:
one call per option (repeatable options, --x/--y flag pairs, an environment-variable fallback,
defaults and ranges shown in help), options and arguments in any order, the help page laid out
as before (mdm2kg.cli.helptext), and usage errors that exit 2 with "Error: ..." naming the
option and what is wrong with it.

A command is its function (docstring = help, keyword parameters = option destinations) and a
function that declares its options on a `Parser`; see `command`.
"""

from __future__ import annotations

import argparse
import os
import sys

from mdm2kg.cli import EXIT_USAGE, PROG

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, NoReturn


class BadUsage(Exception):
    """A command line that cannot be parsed: shown as `Error: <message>` under the usage line, exit 2."""


# ---------------------------------------------------------------------------------------------- value types


class Text:
    """A value type: `metavar` names it in help; calling it converts one string or raises
    ValueError with what is wrong (the option name is added by the parser)."""

    metavar = "TEXT"

    def __call__(self, text: str) -> Any:
        return text

    def describe(self) -> str | None:
        """Extra help for the value (a range), or None."""
        return None


class Choice(Text):
    def __init__(self, choices: Sequence[str]) -> None:
        self.choices = list(choices)
        self.metavar = "[" + "|".join(self.choices) + "]"

    def __call__(self, text: str) -> str:
        if text not in self.choices:
            raise ValueError(f"{text!r} is not one of {', '.join(repr(c) for c in self.choices)}.")
        return text


class Float(Text):
    metavar = "FLOAT"

    def __call__(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a valid float.") from None


class IntRange(Text):
    metavar = "INTEGER RANGE"

    def __init__(self, min: int | None = None, max: int | None = None) -> None:
        self.min, self.max = min, max

    def describe(self) -> str:
        if self.max is None:
            return f"x>={self.min}"
        if self.min is None:
            return f"x<={self.max}"
        return f"{self.min}<=x<={self.max}"

    def __call__(self, text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a valid integer range.") from None
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            raise ValueError(f"{value} is not in the range {self.describe()}.")
        return value


class PathArg(Text):
    """A file system path, checked as click.Path checked it; converts to pathlib.Path."""

    def __init__(self, *, exists: bool = False, file_okay: bool = True, dir_okay: bool = True, allow_dash: bool = False) -> None:
        self.exists, self.file_okay, self.dir_okay, self.allow_dash = exists, file_okay, dir_okay, allow_dash
        self.kind = "file" if not dir_okay else "directory" if not file_okay else "path"
        self.metavar = self.kind.upper()

    def __call__(self, text: str) -> Any:
        import stat
        from pathlib import Path

        if self.allow_dash and text == "-":
            return Path(text)
        name = self.kind.title()
        try:
            mode = os.stat(text).st_mode
        except OSError:
            if self.exists:
                raise ValueError(f"{name} {text!r} does not exist.") from None
            return Path(text)
        if not self.file_okay and stat.S_ISREG(mode):
            raise ValueError(f"{name} {text!r} is a file.")
        if not self.dir_okay and stat.S_ISDIR(mode):
            raise ValueError(f"{name} {text!r} is a directory.")
        if not os.access(text, os.R_OK):
            raise ValueError(f"{name} {text!r} is not readable.")
        return Path(text)


# ---------------------------------------------------------------------------------------------- actions


class _FlagPair(argparse.Action):
    """`--on-disk/--in-memory`: the first name stores True, the second False."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        setattr(namespace, self.dest, option_string == self.option_strings[0])


class _Help(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.pop("default", None)
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        sys.stdout.write(parser.format_help())
        sys.stdout.flush()
        raise SystemExit(0)


# ---------------------------------------------------------------------------------------------- the parser


def _formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's formatter, used only for its own checks (`mdm2kg.cli.helptext` lays out help
    pages): a fixed width, so building a parser does not load shutil for the terminal size."""
    return argparse.HelpFormatter(prog, width=100)


class Parser(argparse.ArgumentParser):
    """An argparse parser declared the click way and reporting errors as `BadUsage`."""

    def __init__(self, prog: str, doc: str | None) -> None:
        super().__init__(prog=prog, add_help=False, allow_abbrev=False, exit_on_error=False, formatter_class=_formatter)
        self.doc = doc
        self.arguments: list[str] = []  # usage words of the positional arguments
        self.multiple: set[str] = set()
        self.tuples: set[str] = set()
        self.required: list[argparse.Action] = []
        self.envvars: dict[str, tuple[str, Text]] = {}
        self.extras: dict[str, list[str]] = {}  # dest -> "default: x", "1<=x<=6", "required"
        self.metavars: dict[str, str] = {}
        self.add_argument("-h", "--help", action=_Help)

    def argument(self, name: str, *, required: bool = True) -> None:
        """A positional argument; `name` (upper case) is its usage word, lower case its destination."""
        self.add_argument(name.lower(), metavar=name, nargs=None if required else "?", default=None)
        self.arguments.append(name if required else f"[{name}]")

    def option(self, *names: str, dest: str | None = None, type: Text | None = None, default: Any = None,
               help: str = "", metavar: str | None = None, multiple: bool = False, required: bool = False,
               is_flag: bool = False, nargs: int | None = None, show_default: bool = False,
               envvar: str | None = None) -> None:
        """An option as click declared it: `"--x/--y"` is a flag pair, `is_flag` a plain flag,
        `multiple` a repeatable option (a tuple, empty when absent), `nargs=2` takes two values."""
        kwargs: dict[str, Any] = {"help": help}
        if dest is not None:
            kwargs["dest"] = dest
        if len(names) == 1 and "/" in names[0]:
            names = tuple(names[0].split("/"))
            action = self.add_argument(*names, action=_FlagPair, default=default, **kwargs)
        elif is_flag:
            action = self.add_argument(*names, action="store_true", **kwargs)
        else:
            value = type or Text()
            shown = metavar or value.metavar
            words = tuple(shown.split()) if nargs else shown
            action = self.add_argument(*names, action="append" if multiple else "store", type=value, nargs=nargs,
                                       metavar=words, default=default, **kwargs)
            self.metavars[action.dest] = shown
            if multiple:
                self.multiple.add(action.dest)
            if nargs:
                self.tuples.add(action.dest)
            if envvar:
                self.envvars[action.dest] = (envvar, value)
            extras = []
            if show_default and default is not None:
                extras.append(f"default: {default}")
            described = value.describe()
            if described:
                extras.append(described)
            if required:
                extras.append("required")
                self.required.append(action)
            if extras:
                self.extras[action.dest] = extras

    # -- parsing

    def parse(self, argv: Sequence[str]) -> dict[str, Any]:
        """The values of `argv` by destination, or BadUsage."""
        try:
            namespace, rest = self.parse_known_args(list(argv))
        except argparse.ArgumentError as exc:
            raise BadUsage(self._message(exc)) from None
        if rest:
            raise BadUsage(self._unknown(rest))
        values = vars(namespace)
        for action in self.required:
            if values[action.dest] in (None, []):
                value = action.type
                choose = f" Choose from: {', '.join(value.choices)}." if isinstance(value, Choice) else ""
                raise BadUsage(f"Missing option {self._names(action)}.{choose}")
        for dest, (envvar, value) in self.envvars.items():
            text = os.environ.get(envvar)
            if values[dest] is None and text:
                action = next(a for a in self._actions if a.dest == dest)
                values[dest] = self._convert(action, value, text)
        for dest in self.multiple:
            values[dest] = tuple(values[dest] or ())
        for dest in self.tuples:
            if isinstance(values[dest], list):
                values[dest] = tuple(values[dest])
        return values

    def _get_value(self, action: argparse.Action, arg_string: str) -> Any:
        if isinstance(action.type, Text):
            return self._convert(action, action.type, arg_string)
        return super()._get_value(action, arg_string)

    def _convert(self, action: argparse.Action, value: Text, text: str) -> Any:
        try:
            return value(text)
        except ValueError as exc:
            raise BadUsage(f"Invalid value for {self._names(action)}: {exc}") from None

    def _parse_optional(self, arg_string: str) -> Any:
        # a number such as -1, -inf or -1e3 is a value, never an option (argparse knows only -1 and -.5)
        if arg_string.startswith("-") and arg_string not in self._option_string_actions:
            try:
                float(arg_string)
            except ValueError:
                pass
            else:
                return None
        return super()._parse_optional(arg_string)

    def error(self, message: str) -> NoReturn:
        """argparse's own complaints (a missing argument), reworded."""
        raise BadUsage(_reword(message))

    def _message(self, exc: argparse.ArgumentError) -> str:
        if not exc.argument_name:
            return _reword(exc.message)
        action = next((a for a in self._actions if exc.argument_name in ("/".join(a.option_strings), a.metavar)), None)
        names = self._names(action) if action else f"'{exc.argument_name}'"
        if exc.message.startswith("expected one argument"):
            return f"Option {names} requires an argument."
        if exc.message.startswith("expected ") and action is not None:
            return f"Option {names} requires {action.nargs} arguments."
        if exc.message.startswith("ignored explicit argument"):
            return f"Option {names} does not take a value."
        return f"Invalid value for {names}: {exc.message}"

    def _unknown(self, rest: list[str]) -> str:
        options = [word for word in rest if word.startswith("-") and word != "-"]
        if not options:
            noun = "argument" if len(rest) == 1 else "arguments"
            return f"Got unexpected extra {noun} ({' '.join(rest)})"
        option = options[0].split("=", 1)[0]
        import difflib

        known = [name for a in self._actions for name in a.option_strings]
        close = difflib.get_close_matches(option, known)
        hint = ""
        if len(close) == 1:
            hint = f" Did you mean '{close[0]}'?"
        elif close:
            hint = " (Did you mean one of: " + ", ".join(f"'{c}'" for c in sorted(close)) + "?)"
        return f"No such option '{option}'.{hint}"

    @staticmethod
    def _names(action: argparse.Action | None) -> str:
        if action is None:
            return "''"
        if not action.option_strings:
            return f"'{action.metavar}'"
        return " / ".join(f"'{name}'" for name in action.option_strings)

    # -- help

    def usage_line(self) -> str:
        return " ".join([self.prog, "[OPTIONS]", *self.arguments])

    def format_help(self) -> str:
        from mdm2kg.cli import helptext

        rows = []
        for action in self._actions:
            if not action.option_strings or isinstance(action, _Help):
                continue
            names = sorted(action.option_strings, key=lambda name: len(name) - len(name.lstrip("-")))
            if isinstance(action, _FlagPair):
                term = " / ".join(action.option_strings)
            else:
                term = ", ".join(names)
                if action.dest in self.metavars:
                    term += " " + self.metavars[action.dest]
            text = action.help or ""
            extras = self.extras.get(action.dest)
            if extras:
                text = f"{text}  [{'; '.join(extras)}]" if text else f"[{'; '.join(extras)}]"
            rows.append((term, text))
        rows.append(("-h, --help", "Show this message and exit."))
        return helptext.page(self.usage_line(), self.doc, [("Options", rows)])


def _reword(message: str) -> str:
    prefix = "the following arguments are required: "
    if message.startswith(prefix):
        return f"Missing argument '{message[len(prefix):].split(', ')[0]}'."
    return message[:1].upper() + message[1:] + "."


def usage_error(usage: str, help_hint: str, message: str) -> NoReturn:
    """Print a usage error as the CLI always has and exit 2."""
    sys.stderr.write(f"Usage: {usage}\nTry '{help_hint} --help' for help.\n\nError: {message}\n")
    sys.stderr.flush()
    raise SystemExit(EXIT_USAGE)


# ---------------------------------------------------------------------------------------------- commands


class Command:
    """One command: `run` (its docstring is the help; it is called with the parsed values as
    keyword arguments) and `configure`, which declares its arguments and options."""

    def __init__(self, run: Callable[..., None], configure: Callable[[Parser], None]) -> None:
        self.run = run
        self.configure = configure
        self.doc = run.__doc__

    def parser(self, name: str) -> Parser:
        parser = Parser(f"{PROG} {name}", self.doc)
        self.configure(parser)
        return parser

    def parse(self, name: str, argv: Sequence[str]) -> dict[str, Any]:
        """The parsed values (BadUsage for a bad command line; SystemExit 0 after -h/--help)."""
        return self.parser(name).parse(argv)

    def __call__(self, name: str, argv: Sequence[str]) -> None:
        parser = self.parser(name)
        try:
            values = parser.parse(argv)
        except BadUsage as exc:
            usage_error(parser.usage_line(), parser.prog, str(exc))
        self.run(**values)


def command(configure: Callable[[Parser], None]) -> Callable[[Callable[..., None]], Command]:
    """Decorator: the function becomes a `Command` whose options `configure` declares."""

    def wrap(run: Callable[..., None]) -> Command:
        return Command(run, configure)

    return wrap
