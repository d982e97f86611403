"""CLI: documented exit codes, atomic build output, cache reuse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.cli_runner import invoke

from .conftest import FIXTURES

TINY = str(FIXTURES / "tiny")
INVALID = FIXTURES / "invalid"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mdm2kg", *args], capture_output=True, text=True, env=os.environ.copy(),
                          timeout=120)


def test_validate_exit_codes() -> None:
    assert run("validate", "--data", TINY).returncode == 0
    bad = run("validate", "--data", str(INVALID / "unknown_reference"))
    assert bad.returncode == 1
    assert "data.yaml:8:5: unknown-reference" in bad.stdout
    assert run("validate", "--data", str(FIXTURES / "does-not-exist")).returncode == 2
    assert run("validate", "--bogus-option").returncode == 2


def test_every_invalid_fixture_exits_1_with_located_message() -> None:
    for directory in sorted(INVALID.iterdir()):
        result = invoke(["validate", "--data", str(directory)])
        assert result.exit_code == 1, directory.name
        assert f"{directory.name}/data.yaml:" in result.output


def test_build_writes_both_files_atomically(tmp_path: Path) -> None:
    result = invoke(["build", "--data", TINY, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["mdm2kg.nt", "mdm2kg.ttl"]


def test_failed_build_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(["build", "--data", str(INVALID / "no_evidence"), "--out", str(out)])
    assert result.exit_code == 1
    assert not out.exists() or not any(out.iterdir())


def test_build_output_is_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert invoke(["build", "--data", TINY, "--out", str(tmp_path / name)]).exit_code == 0
    for file in ("mdm2kg.nt", "mdm2kg.ttl"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_stats_counts_categories_and_predicates() -> None:
    result = invoke(["stats", "--data", TINY, "--format", "json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["categories"]["Compound"] == 2 and stats["categories"]["Gene"] == 3
    assert stats["predicates"]["inhibits"] == 2
    assert stats["records"]["trial results"] == 1
    assert stats["coverage"]["genes without external identifier"] == 2


def test_data_directories_combine(tmp_path: Path) -> None:
    extra = tmp_path / "mine"
    extra.mkdir()
    (extra / "extra.yaml").write_text(
        "entities:\n  - {id: GENE4, category: Gene, label: Gene Four}\n"
        "statements:\n  - subject: GENE4\n    predicate: activates\n    object: GENE1\n"
        "    evidence: [{source: doc1, locator: x, anchor: y z, kind: review_statement}]\n")
    result = invoke(["stats", "--data", TINY, "--data", str(extra), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["categories"]["Gene"] == 4


def test_graph_is_cached_by_input_hash(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from mdm2kg.artifact.graph import KnowledgeGraph

    monkeypatch.setenv("MDM2KG_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "data"
    data.mkdir()
    (data / "tiny.yaml").write_bytes((FIXTURES / "tiny" / "tiny.yaml").read_bytes())
    first = KnowledgeGraph.build([data])
    mtime = first.nt_path.stat().st_mtime_ns
    again = KnowledgeGraph.build([data])
    assert again.nt_path == first.nt_path and again.nt_path.stat().st_mtime_ns == mtime
    (data / "tiny.yaml").write_text((data / "tiny.yaml").read_text().replace("Gene Three", "Gene 3"))
    changed = KnowledgeGraph.build([data])
    assert changed.key != first.key


def test_written_files_get_the_usual_mode(tmp_path: Path) -> None:
    result = invoke(["build", "--data", TINY, "--out", str(tmp_path)])
    assert result.exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "mdm2kg.ttl").stat().st_mode & 0o777 == 0o666 & ~umask


def test_export_out_dash_writes_one_format_to_stdout(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    tiny = str(FIXTURES / "tiny")
    result = invoke(["export", "--format", "ntriples", "--out", "-", "--data", tiny])
    assert result.exit_code == 0, result.output
    assert "<https://w3id.org/mdm2kg/id/GENE1>" in result.output
    several = invoke(["export", "--format", "kgx", "--out", "-", "--data", tiny])
    assert several.exit_code == 2 and "give a directory" in several.output
    assert not (tmp_path / "-").exists()
