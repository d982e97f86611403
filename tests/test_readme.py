"""The README's Python examples run as written; its shell examples use real commands and options."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from mdm2kg.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_python_examples_run(capsys) -> None:  # type: ignore[no-untyped-def]
    # blocks that talk to a server on 127.0.0.1 are exercised by tests/test_server.py instead
    blocks = [b for b in re.findall(r"```python\n(.*?)```", README, re.S) if "127.0.0.1" not in b]
    assert len(blocks) >= 2
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    assert "NCT04979442" in capsys.readouterr().out  # the trial_results table of MANTRA was printed


def test_query_and_path_examples_succeed() -> None:
    block = re.search(r"### Asking questions\n\n```sh\n(.*?)```", README, re.S)
    assert block
    runner = CliRunner()
    for line in block.group(1).splitlines():
        command = line.split("  #")[0].strip()
        if not command:
            continue
        args = shlex.split(command)
        assert args[0] == "mdm2kg"
        result = runner.invoke(main, args[1:])
        assert result.exit_code == 0, (command, result.output)
