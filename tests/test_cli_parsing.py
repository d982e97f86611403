"""The command line's parsing: what a command loads, usage errors, help, and the option conventions
(repeatable options, flag pairs, environment fallbacks, negative numbers as values)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mdm2kg.cli import COMMANDS, load_command
from mdm2kg.cli.args import BadUsage
from mdm2kg.cli.helptext import first_sentence
from tests.cli_runner import invoke

ROOT = Path(__file__).resolve().parent.parent


def _modules_after(code: str) -> list[str]:
    """sys.modules of a fresh interpreter after running `code`."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    loaded: list[str] = json.loads(out.splitlines()[-1])
    return loaded


def test_parsing_query_loads_its_own_module_only() -> None:
    loaded = _modules_after(
        "from mdm2kg.cli import load_command\n"
        "load_command('query').parse('query', ['--name', 'trials_of_compound', '--param', 'compound=milademetan'])")
    others = {module for module, _ in COMMANDS.values()} - {"mdm2kg.cli.ask"}
    assert "mdm2kg.cli.ask" in loaded
    assert not [m for m in loaded if m in others], loaded
    assert not [m for m in loaded if m == "click" or m.startswith("click.")]
    # the CLI itself pulls in none of the slow generic modules (the library may, when the query runs)
    assert not {"logging", "inspect", "typing", "dataclasses"} & set(loaded)
    assert not [m for m in loaded if m.startswith("mdm2kg.") and not m.startswith("mdm2kg.cli")], loaded


def test_group_help_imports_no_command_and_no_parser() -> None:
    loaded = _modules_after(
        "import io, contextlib\nfrom mdm2kg.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n    main(['--help'])")
    assert not [m for m in loaded if m in {module for module, _ in COMMANDS.values()}]
    assert "argparse" not in loaded and "click" not in loaded


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_table_summary_is_the_first_sentence_of_the_command_help(name: str) -> None:
    command = load_command(name)
    assert command is not None
    assert COMMANDS[name][1] == first_sentence(command.doc)


def test_group_help_lists_every_command_and_the_exit_codes() -> None:
    result = invoke(["--help"])
    assert result.exit_code == 0 and result.output.startswith("Usage: mdm2kg [OPTIONS] COMMAND [ARGS]...")
    listed = [line.split()[0] for line in result.output.split("Commands:\n", 1)[1].splitlines()]
    assert listed == sorted(COMMANDS)
    assert "Exit codes: 0 ok, 1 data problem or nothing found, 2 usage or load error" in " ".join(result.output.split())
    assert invoke(["-h"]).output == result.output
    bare = invoke([])
    assert bare.exit_code == 2 and bare.stderr == result.output and not bare.stdout
    assert invoke(["--version"]).output.startswith("mdm2kg, version ")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name: str) -> None:
    for flag in ("-h", "--help"):
        result = invoke([name, flag])
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"Usage: mdm2kg {name} [OPTIONS]")
        assert "  -h, --help" in result.output and "Show this message and exit." in result.output


def _usage_error(args: list[str]) -> str:
    result = invoke(args)
    assert result.exit_code == 2, result.output
    assert not result.stdout
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Usage: mdm2kg") and lines[-1].startswith("Error: "), result.stderr
    return lines[-1]


def test_unknown_option_is_a_usage_error_naming_it() -> None:
    assert _usage_error(["query", "--nope", "x"]) == "Error: No such option '--nope'. Did you mean '--name'?"
    misspelt = _usage_error(["query", "--nmae", "x"])
    assert misspelt.startswith("Error: No such option '--nmae'. (Did you mean one of: ") and "'--name'" in misspelt
    assert _usage_error(["path", "a", "b", "--frobnicate=3"]).startswith("Error: No such option '--frobnicate'.")
    assert _usage_error(["--nope"]) == "Error: No such option '--nope'."
    assert _usage_error(["nosuch"]) == "Error: No such command 'nosuch'."


def test_bad_choice_is_a_usage_error_listing_the_choices() -> None:
    message = _usage_error(["query", "--format", "xml", "ASK {}"])
    assert message == ("Error: Invalid value for '--format': 'xml' is not one of 'table', 'csv', 'tsv', 'json', 'md', "
                       "'sparql-csv', 'sparql-tsv', 'turtle', 'ntriples', 'jsonld'.")
    assert "'rdfxml' is not one of" in _usage_error(["export", "--format", "rdfxml", "--out", "x"])


def test_other_usage_errors() -> None:
    assert _usage_error(["path", "a"]) == "Error: Missing argument 'TARGET'."
    assert _usage_error(["path", "a", "b", "c"]) == "Error: Got unexpected extra argument (c)"
    assert _usage_error(["path", "a", "b", "--max-hops", "9"]) == "Error: Invalid value for '--max-hops': 9 is not in the range 1<=x<=6."
    assert _usage_error(["path", "a", "b", "--limit", "x"]) == "Error: Invalid value for '--limit': 'x' is not a valid integer range."
    assert _usage_error(["path", "a", "b", "--time-budget", "soon"]) == "Error: Invalid value for '--time-budget': 'soon' is not a valid float."
    assert _usage_error(["path", "a", "b", "--directed=yes"]) == "Error: Option '--directed' does not take a value."
    assert _usage_error(["query", "--data"]) == "Error: Option '--data' requires an argument."
    assert _usage_error(["render", "--path", "a"]) == "Error: Option '--path' requires 2 arguments."
    assert _usage_error(["export", "--out", "x"]).startswith("Error: Missing option '--format'. Choose from: turtle, ")
    assert _usage_error(["query", "--graph-file", "/no/such/file.nt", "ASK {}"]) == (
        "Error: Invalid value for '--graph-file': File '/no/such/file.nt' does not exist.")
    assert _usage_error(["render-queries", "-o", str(ROOT)]) == (
        f"Error: Invalid value for '-o' / '--out': File {str(ROOT)!r} is a directory.")


def _parse(name: str, args: list[str]) -> dict[str, Any]:
    command = load_command(name)
    assert command is not None
    return command.parse(name, args)


def test_option_conventions(monkeypatch: pytest.MonkeyPatch) -> None:
    values = _parse("query", ["--param", "a=1", "--data", "x", "ASK {}", "--param", "b=2", "--in-memory", "--data", "y"])
    assert values["params"] == ("a=1", "b=2") and values["data"] == ("x", "y") and values["text"] == "ASK {}"
    assert values["on_disk"] is False and values["truncate"] is None and values["fmt"] == "table"
    assert _parse("query", ["--on-disk", "--no-truncate", "ASK {}"])["on_disk"] is True
    assert _parse("query", ["ASK {}"])["on_disk"] is None and _parse("query", ["ASK {}"])["params"] == ()
    # numbers that start with '-' are values, never options
    assert _parse("query", ["--timeout", "-inf", "ASK {}"])["timeout"] == float("-inf")
    assert _parse("path", ["a", "b", "--time-budget", "-1"])["time_budget"] == -1.0
    assert _parse("render", ["--path", "a", "b"])["path_between"] == ("a", "b")
    # environment fallbacks: the option wins, an empty variable counts as unset, values are checked
    monkeypatch.setenv("MDM2KG_USER", "alice")
    assert _parse("push", ["--endpoint", "u"])["user"] == "alice"
    assert _parse("push", ["--endpoint", "u", "--user", "bob"])["user"] == "bob"
    monkeypatch.setenv("MDM2KG_USER", "")
    assert _parse("push", ["--endpoint", "u"])["user"] is None
    monkeypatch.setenv("MDM2KG_SEEDS", "/no/such/dir")
    with pytest.raises(BadUsage, match="'--seeds': Directory '/no/such/dir' does not exist"):
        _parse("validate", [])


def test_ctrl_c_outside_a_query_aborts_with_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    import mdm2kg.cli.ask

    def interrupted(**_: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(mdm2kg.cli.ask.queries, "run", interrupted)
    result = invoke(["queries"])
    assert result.exit_code == 1 and result.stderr == "\nAborted!\n"
