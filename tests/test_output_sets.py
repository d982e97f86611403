"""All-or-nothing output sets: `build` and `export` replace their files as one set.

A process killed at any step of `write_file_set` (test hook MDM2KG_TEST_KILL_AFTER_FILES=N,
which ends the process like a kill -9) leaves the complete old set or the complete new set in
the output directory, never a mix and never temporary files; the staging directory a killed
process leaves beside it is removed by the next write.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mdm2kg.errors import UsageError
from mdm2kg.fileio import KILL_HOOK_ENV, KILL_HOOK_EXIT, read_regular_file, write_file_set

REPO = Path(__file__).resolve().parent.parent
TINY = REPO / "tests" / "fixtures" / "tiny"
MICRO = REPO / "tests" / "fixtures" / "micro"

OLD = {"a.txt": b"old a", "b.txt": b"old b", "c.txt": b"old c"}
NEW = {"a.txt": b"new a", "b.txt": b"new b", "c.txt": b"new c"}


def contents(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def siblings(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.parent.iterdir() if p.name != directory.name)


def env_with(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != KILL_HOOK_ENV}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from mdm2kg.fileio import write_file_set
    write_file_set(Path(sys.argv[1]), {"a.txt": b"new a", "b.txt": b"new b", "c.txt": b"new c"})
""")


def test_new_directory_gets_the_set(tmp_path: Path) -> None:
    out = tmp_path / "parent" / "out"
    paths = write_file_set(out, NEW)
    assert paths == [out / "a.txt", out / "b.txt", out / "c.txt"]
    assert contents(out) == NEW
    assert siblings(out) == []


def test_other_files_are_kept_and_old_litter_dropped(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_bytes(b"old a")
    (out / "notes.md").write_bytes(b"mine")
    (out / "sub").mkdir()
    (out / "sub" / "x").write_bytes(b"x")
    (out / ".a.txt.k2j3.tmp").write_bytes(b"left by an old atomic write")
    write_file_set(out, {"a.txt": b"new a"})
    assert sorted(p.name for p in out.iterdir()) == ["a.txt", "notes.md", "sub"]
    assert (out / "a.txt").read_bytes() == b"new a"
    assert (out / "notes.md").read_bytes() == b"mine"
    assert (out / "sub" / "x").read_bytes() == b"x"
    assert siblings(out) == []


def test_current_directory_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="current directory"):
        write_file_set(Path("."), NEW)
    with pytest.raises(UsageError, match="current directory"):
        write_file_set(tmp_path.parent, NEW)


def test_a_file_in_the_way_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("a file")
    with pytest.raises(UsageError, match="not a directory"):
        write_file_set(tmp_path / "out", NEW)


@pytest.mark.parametrize("step", range(len(NEW) + 2))
def test_kill_at_any_step_leaves_old_or_new_set(tmp_path: Path, step: int) -> None:
    out = tmp_path / "out"
    write_file_set(out, OLD)
    done = subprocess.run([sys.executable, "-c", WRITER, str(out)], env=env_with(**{KILL_HOOK_ENV: str(step)}), check=False)
    assert done.returncode == KILL_HOOK_EXIT
    expected = NEW if step == len(NEW) + 1 else OLD  # the last step is after the swap
    assert contents(out) == expected
    # the next write removes what the killed process left beside the directory
    write_file_set(out, NEW)
    assert contents(out) == NEW
    assert siblings(out) == []


def test_kill_during_first_write_leaves_no_directory_or_a_complete_one(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for step in (1, len(NEW) + 1):
        done = subprocess.run([sys.executable, "-c", WRITER, str(out)], env=env_with(**{KILL_HOOK_ENV: str(step)}), check=False)
        assert done.returncode == KILL_HOOK_EXIT
        assert not out.exists() or contents(out) == NEW


def test_build_killed_between_files_keeps_the_old_pair(tmp_path: Path) -> None:
    """`mdm2kg build` killed after writing its first file: the old .nt/.ttl pair is intact."""
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "mdm2kg", "build", "--no-shacl", "--out", str(out)]
    env = env_with(MDM2KG_CACHE_DIR=str(tmp_path / "cache"))
    subprocess.run([*cmd, "--data", str(MICRO)], env=env, check=True, capture_output=True)
    old = contents(out)
    assert sorted(old) == ["mdm2kg.nt", "mdm2kg.ttl"]
    killed = subprocess.run([*cmd, "--data", str(TINY)], env={**env, KILL_HOOK_ENV: "1"}, check=False, capture_output=True)
    assert killed.returncode == KILL_HOOK_EXIT
    assert contents(out) == old
    subprocess.run([*cmd, "--data", str(TINY)], env=env, check=True, capture_output=True)
    new = contents(out)
    assert new["mdm2kg.nt"] != old["mdm2kg.nt"] and new["mdm2kg.ttl"] != old["mdm2kg.ttl"]
    assert [s for s in siblings(out) if s != "cache"] == []


EXPORTER = textwrap.dedent("""
    import sys
    from pathlib import Path
    import mdm2kg.export as export

    def fake_render(kg, fmt):
        return {f"{fmt.value}.{i}": f"{sys.argv[2]} {fmt.value} {i}".encode() for i in range(2)}

    export.render = fake_render
    export.export(None, sys.argv[3].split(","), Path(sys.argv[1]))
""")


def test_export_killed_between_files_keeps_the_old_set(tmp_path: Path) -> None:
    """The export writer replaces every file of every requested format as one set (the
    formats are rendered by a stand-in here; the writer is what is tested)."""
    out = tmp_path / "out"
    formats = "kgx,graphml,neo4j"
    subprocess.run([sys.executable, "-c", EXPORTER, str(out), "old", formats], env=env_with(), check=True)
    old = contents(out)
    assert len(old) == 6
    for step in range(0, 8):
        done = subprocess.run([sys.executable, "-c", EXPORTER, str(out), "new", formats],
                              env=env_with(**{KILL_HOOK_ENV: str(step)}), check=False)
        assert done.returncode == KILL_HOOK_EXIT
        now = contents(out)
        assert now == old or all(v.startswith(b"new ") for v in now.values()), step
        assert sorted(now) == sorted(old)
    subprocess.run([sys.executable, "-c", EXPORTER, str(out), "new", formats], env=env_with(), check=True)
    assert all(v.startswith(b"new ") for v in contents(out).values())
    assert siblings(out) == []


def test_read_regular_file_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "data.yaml"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="not a regular file"):
        read_regular_file(fifo, max_bytes=100)
    with pytest.raises(UsageError, match="a directory"):
        read_regular_file(tmp_path, max_bytes=100)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"x" * 101)
    with pytest.raises(UsageError, match="over the limit"):
        read_regular_file(big, max_bytes=100)


def test_without_rename_exchange_the_set_is_still_replaced_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mdm2kg.fileio as fileio

    monkeypatch.setattr(fileio, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    write_file_set(out, OLD)
    write_file_set(out, NEW)
    assert contents(out) == NEW
    assert siblings(out) == []


def test_a_symlinked_output_directory_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "real"
    write_file_set(real, OLD)
    (tmp_path / "link").symlink_to(real)
    write_file_set(tmp_path / "link", NEW)
    assert (tmp_path / "link").is_symlink()
    assert contents(real) == NEW


@pytest.mark.parametrize("code, error", [(28, "RuntimeFailure"), (13, "UsageError")])  # ENOSPC, EACCES
def test_write_failures_are_clean_errors_and_keep_the_old_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              code: int, error: str) -> None:
    import mdm2kg.errors as errors
    import mdm2kg.fileio as fileio

    out = tmp_path / "out"
    write_file_set(out, OLD)

    def failing(path: Path, data: bytes) -> None:
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(fileio, "_write_synced", failing)
    with pytest.raises(getattr(errors, error), match="cannot write the output set"):
        write_file_set(out, NEW)
    assert contents(out) == OLD
    assert siblings(out) == []
