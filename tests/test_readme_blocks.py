"""Every command block of README.md runs as printed, after the quick start, in a fresh clone.

The clone is `git clone` of this repository's HEAD with the working tree's uncommitted changes
to tracked files and its untracked, not-ignored files copied over (in CI that is exactly HEAD),
so no `.venv`, `build/` or cache is carried over. Its `.venv` is created here without network:
a venv of this interpreter whose site-packages reaches this environment's installed packages
(a `.pth` line), so the quick start's own `pip install '.[server]'` runs for real, offline, through pip's
own settings (PIP_NO_INDEX=1, PIP_NO_DEPS=1, PIP_NO_BUILD_ISOLATION=0); the `oxigraph` binary of
the `[server]` extra is linked in from this environment.

Blocks (```sh, ```console — `$ ` lines are commands, the rest output — and ```python) run in
README order; each command runs in `bash` after `. .venv/bin/activate`, the activation line the
README shows. ```text blocks are synopses and are not run. Markers the README uses:

- a trailing comment `# exit code N` (or `# exits N`): the command must exit with N (default 0);
- a trailing comment `# needs: seeds`: the command reads the source documents, which users
  supply; the test sets MDM2KG_SEEDS (which every other command runs without);
- `<!-- readme-test: skip: REASON -->` before a block: not run, for the reason given
  (every `mdm2kg` command in it is still parsed by the CLI, so its options exist);
- `<!-- readme-test: skip-command: PREFIX: REASON -->`: the block's command starting with
  PREFIX is not run (`./test.sh`: it is the suite this test belongs to);
- `<!-- readme-test: serve -->` before the `mdm2kg serve` block: the server is started from
  that command and its first lines are compared with the block; blocks marked
  `<!-- readme-test: needs serve -->` run against it;
- `<!-- readme-test: needs oxigraph-rw -->`: a writable `oxigraph serve` is started first.
Servers listen on free loopback ports, substituted for the README's 7878 (another user of this
machine may hold 7878).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO, require_seeds

README = REPO / "README.md"
PORT = "7878"
CHECK_TIMEOUT = 300


@dataclass
class Command:
    text: str  # as printed (continuation lines joined by bash itself: kept verbatim)
    line: int
    exit_code: int = 0
    needs_seeds: bool = False
    output: list[str] = field(default_factory=list)  # console output lines shown after it


@dataclass
class Block:
    lang: str
    line: int
    body: str
    directives: list[str]
    commands: list[Command]

    @property
    def id(self) -> str:
        return f"L{self.line}-{self.lang}"

    def directive(self, name: str) -> str | None:
        for item in self.directives:
            if item == name or item.startswith(name + ":"):
                return item[len(name) + 1:].strip() if ":" in item else ""
        return None


FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[a-z]*)\n(?P<body>.*?)^(?P=indent)```$", re.S | re.M)
DIRECTIVE = re.compile(r"<!--\s*readme-test:\s*(.*?)\s*-->")
EXIT = re.compile(r"#.*\bexit(?:s| code) (\d)\b")


def _commands(lang: str, body: str, first_line: int) -> list[Command]:
    lines = body.splitlines()
    commands: list[Command] = []
    i = 0
    while i < len(lines):
        raw = lines[i]
        if lang == "console" and not raw.startswith("$ "):
            if commands and raw.strip():
                commands[-1].output.append(raw)
            i += 1
            continue
        text = raw[2:] if lang == "console" else raw
        if not text.strip() or (text.lstrip().startswith("#") and lang != "console"):
            i += 1
            continue
        start = i
        # join continuation lines: a trailing backslash, or an open quote (a multi-line argument)
        while True:
            try:
                shlex.split(text, comments=True)
                complete = not text.rstrip().endswith("\\")
            except ValueError:
                complete = False
            if complete or i + 1 >= len(lines):
                break
            i += 1
            text += "\n" + lines[i]
        code = EXIT.search(text)
        commands.append(Command(text=text, line=first_line + start, exit_code=int(code.group(1)) if code else 0,
                                needs_seeds=bool(re.search(r"#.*\bneeds: seeds\b", text))))
        i += 1
    return commands


def readme_blocks(text: str) -> list[Block]:
    blocks = []
    for match in FENCE.finditer(text):
        lang = match.group("lang") or "sh"
        if lang not in {"sh", "console", "python"}:
            continue
        before = text[:match.start()]
        line = before.count("\n") + 1
        previous = before.rstrip("\n ").rsplit("\n", 1)[-1]
        directives = DIRECTIVE.findall(previous)
        body = "\n".join(part[len(match.group("indent")):] for part in match.group("body").splitlines()) + "\n"
        commands = [] if lang == "python" else _commands(lang, body, line + 1)
        blocks.append(Block(lang=lang, line=line, body=body, directives=directives, commands=commands))
    return blocks


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _copy_working_tree(clone: Path) -> None:
    """Copy uncommitted edits of tracked files and untracked, not-ignored files over the clone."""
    listed = subprocess.run(["git", "ls-files", "--modified", "--others", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    deleted = set(subprocess.run(["git", "ls-files", "--deleted", "-z"], cwd=REPO, capture_output=True,
                                 check=True).stdout.decode().split("\0"))
    for name in filter(None, listed):
        target = clone / name
        if name in deleted:
            target.unlink(missing_ok=True)
        elif (REPO / name).is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target)


@dataclass
class Clone:
    root: Path
    env: dict[str, str]
    seeds: Path | None
    port: int | None = None  # the `mdm2kg serve` of the README, once started
    rw_port: int | None = None  # a writable oxigraph, once started
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def substitute(self, text: str, *, rw: bool = False) -> str:
        port = self.rw_port if rw else self.port
        return text.replace(f"127.0.0.1:{PORT}", f"127.0.0.1:{port}") if port else text

    def run(self, command: Command, *, rw: bool = False) -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        if command.needs_seeds:
            if self.seeds is None:
                self.seeds = require_seeds()
            env["MDM2KG_SEEDS"] = str(self.seeds)
        script = ". .venv/bin/activate\n" + self.substitute(command.text, rw=rw) + "\n"
        return subprocess.run(["bash", "-c", script], cwd=self.root, env=env, capture_output=True, text=True,
                              timeout=CHECK_TIMEOUT)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clone]:
    root = tmp_path_factory.mktemp("readme") / "mdm2kg"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(root)], check=True)
    _copy_working_tree(root)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / ".venv")], check=True)
    site = Path(sysconfig.get_paths(vars={"base": str(root / ".venv"), "platbase": str(root / ".venv")})["purelib"])
    (site / "_readme_test_parent.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    # the `oxigraph` binary that the quick start's `pip install '.[server]'` puts in .venv/bin
    # (PIP_NO_DEPS skips the extra here): this environment's own copy
    from mdm2kg.oxigraph_process import oxigraph_binary

    (root / ".venv" / "bin" / "oxigraph").symlink_to(oxigraph_binary())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MDM2KG_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(MDM2KG_CACHE_DIR=str(root.parent / "cache"), PIP_NO_INDEX="1", PIP_NO_DEPS="1",
               PIP_NO_BUILD_ISOLATION="0", PIP_DISABLE_PIP_VERSION_CHECK="1")
    seeds = Path(os.environ["MDM2KG_SEEDS"]) if os.environ.get("MDM2KG_SEEDS") else None
    from tests.conftest import SEEDS
    if seeds is None and SEEDS.is_dir():
        seeds = SEEDS
    state = Clone(root=root, env=env, seeds=seeds)
    try:
        yield state
    finally:
        for process in state.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _check_parses(command: Command) -> None:
    """A command the test does not run still names a real mdm2kg subcommand and real options."""
    from mdm2kg.cli import load_command

    words = shlex.split(command.text.replace("\\\n", " "), comments=True)
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        words.pop(0)
    if not words or words[0] != "mdm2kg":
        return
    sub = load_command(words[1])
    assert sub is not None, f"README line {command.line}: no command {words[1]!r}"
    sub.parse(words[1], words[2:])  # raises mdm2kg.cli.args.BadUsage on an unknown option or a bad value


def _start_serve(clone: Clone, command: Command) -> None:
    port = _free_port()
    script = ". .venv/bin/activate\nexec " + command.text.split("  #")[0].strip() + f" --port {port}\n"
    process = subprocess.Popen(["bash", "-c", script], cwd=clone.root, env=clone.env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    clone.processes.append(process)
    clone.port = port
    expected = [clone.substitute(line) for line in command.output]
    seen: list[str] = []
    deadline = time.monotonic() + CHECK_TIMEOUT
    assert process.stdout is not None
    while len(seen) < len(expected) and time.monotonic() < deadline:
        line = process.stdout.readline().decode()
        if not line:
            break
        if line.strip():
            seen.append(line.rstrip("\n"))
    assert seen == expected, f"README line {command.line}: `mdm2kg serve` printed {seen}, README shows {expected}"


def _start_oxigraph_rw(clone: Clone) -> None:
    from mdm2kg.oxigraph_process import oxigraph_binary

    port = _free_port()
    store = clone.root.parent / "oxigraph-rw"
    process = subprocess.Popen([str(oxigraph_binary()), "serve", "--location", str(store), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    clone.processes.append(process)
    clone.rw_port = port
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("writable oxigraph did not start")


def test_blocks_found() -> None:
    langs = {block.lang for block in BLOCKS}
    assert {"sh", "console", "python"} <= langs
    assert BLOCKS[0].commands[0].text.startswith("./quickstart.sh")
    assert any(b.directive("serve") is not None for b in BLOCKS)


@pytest.mark.slow
@pytest.mark.parametrize("block", BLOCKS, ids=[block.id for block in BLOCKS])
def test_readme_block_runs_as_printed(clone: Clone, block: Block) -> None:
    skip = block.directive("skip")
    if skip is not None:
        assert skip, f"README line {block.line}: a skipped block must give its reason"
        for command in block.commands:
            _check_parses(command)
        return  # not run, for the reason the README comment states
    if block.directive("needs serve") is not None:
        assert clone.port is not None, "the README's `mdm2kg serve` block must come first"
    rw = block.directive("needs oxigraph-rw") is not None
    if rw and clone.rw_port is None:
        _start_oxigraph_rw(clone)
    if block.directive("serve") is not None:
        (command,) = block.commands
        _start_serve(clone, command)
        return
    skipped = block.directive("skip-command")  # "PREFIX: REASON" for one command of a block
    prefix, _, reason = (skipped or "").partition(": ")
    assert skipped is None or (prefix and reason), f"README line {block.line}: skip-command needs a prefix and a reason"
    if block.lang == "python":
        body = clone.substitute(block.body, rw=rw)
        result = clone.run(Command(text=f"python - <<'README_PYTHON'\n{body}README_PYTHON", line=block.line), rw=rw)
        assert result.returncode == 0, f"README line {block.line} (python):\n{result.stdout}\n{result.stderr}"
        return
    for command in block.commands:
        if skipped and command.text.startswith(prefix):
            continue  # not run, for the reason the README comment states
        result = clone.run(command, rw=rw)
        assert result.returncode == command.exit_code, (
            f"README line {command.line}: `{command.text}` exited {result.returncode}, expected {command.exit_code}\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
