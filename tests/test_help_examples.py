"""Every example a command's help page shows runs as printed, on the shipped graph."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from mdm2kg.cli import COMMANDS
from tests.cli_runner import invoke


def _examples() -> list[tuple[str, str]]:
    """(command, example line) for each indented `mdm2kg ...` line under "Example:" or "Examples:"
    in a help page."""
    found = []
    for name in sorted(COMMANDS):
        page = invoke([name, "--help"]).output
        parts = re.split(r"^\s*Examples?:$", page, maxsplit=1, flags=re.MULTILINE)
        block = parts[1] if len(parts) == 2 else ""
        for line in block.splitlines():
            if re.match(r"\s+mdm2kg ", line):
                found.append((name, line.strip()))
            elif line.strip() and not line.startswith(" "):
                break  # the next section of the page
    return found


EXAMPLES = _examples()


def test_help_pages_have_examples() -> None:
    assert {"render", "render-queries"} <= {name for name, _ in EXAMPLES}


@pytest.mark.parametrize(("name", "example"), EXAMPLES, ids=[e for _, e in EXAMPLES])
def test_help_example_runs(name: str, example: str, tmp_path: Path) -> None:
    argv = shlex.split(example)
    assert argv[:2] == ["mdm2kg", name]
    cwd = os.getcwd()
    os.chdir(tmp_path)  # examples write their files relative to where they run
    try:
        result = invoke(argv[1:])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, f"{example}\n{result.output}"
    assert list(tmp_path.iterdir()), f"{example} wrote nothing"
