"""The stat memo behind the cache key and the cached-graph check (mdm2kg.digest): an unchanged
file set is not re-read, and any change — even one that keeps size and modification time — is
seen."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mdm2kg import digest
from mdm2kg.artifact import cache
from mdm2kg.artifact.graph import GRAPH, VERIFIED, KnowledgeGraph

TINY = Path(__file__).parent / "fixtures" / "tiny"


def _files(tmp_path: Path) -> list[tuple[str, Path]]:
    out = []
    for name, text in (("a.txt", "alpha\n"), ("b.txt", "beta\n")):
        path = tmp_path / name
        path.write_text(text)
        out.append((name, path))
    return out


def _rewrite_keeping_size_and_mtime(path: Path, text: str) -> None:
    before = path.stat()
    assert len(text.encode()) == before.st_size
    path.write_text(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns and path.stat().st_size == before.st_size


def test_memo_gives_the_full_digest_and_is_used_when_nothing_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest, "RACY_SECONDS", 0.0)
    files, memo = _files(tmp_path), tmp_path / "memo.json"
    full = digest.files_digest(files, "salt")
    assert digest.memo_digest(memo, files, "salt") == full
    assert memo.is_file()
    # a remembered value is returned without reading the files: prove it by planting another value
    raw = json.loads(memo.read_text())
    raw["value"] = "planted"
    memo.write_text(json.dumps(raw))
    assert digest.memo_digest(memo, files, "salt") == "planted"
    assert digest.memo_digest(memo, files, "other salt") == digest.files_digest(files, "other salt")


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest, "RACY_SECONDS", 0.0)
    files, memo = _files(tmp_path), tmp_path / "memo.json"
    before = digest.memo_digest(memo, files, "s")
    _rewrite_keeping_size_and_mtime(files[0][1], "ALPHA\n")  # the change time moves; it cannot be set back
    after = digest.memo_digest(memo, files, "s")
    assert after != before
    assert after == digest.files_digest(files, "s")


def test_recent_files_are_never_remembered(tmp_path: Path) -> None:
    files, memo = _files(tmp_path), tmp_path / "memo.json"
    assert digest.memo_digest(memo, files, "s") == digest.files_digest(files, "s")
    assert not memo.exists()  # written just now: inside the racy window


@pytest.mark.parametrize("damage", ["", "{not json", '{"salt": 1}', "[]"])
def test_a_damaged_memo_is_recomputed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    monkeypatch.setattr(digest, "RACY_SECONDS", 0.0)
    files, memo = _files(tmp_path), tmp_path / "memo.json"
    memo.write_text(damage)
    assert digest.memo_digest(memo, files, "s") == digest.files_digest(files, "s")


def test_cache_key_sees_a_build_module_edit_that_keeps_size_and_mtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest, "RACY_SECONDS", 0.0)
    monkeypatch.setenv("MDM2KG_CACHE_DIR", str(tmp_path / "cache"))
    copy = tmp_path / "pkg"
    for path in cache.build_path_files():
        target = copy / path.relative_to(cache.PACKAGE_ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    dirs = [TINY.resolve()]
    before = cache.input_hash(dirs, code_root=copy)
    assert before == cache.input_hash(dirs, code_root=copy, memo=False)
    assert any((tmp_path / "cache" / "memo").iterdir())  # remembered
    loader = copy / "curation" / "loader.py"
    text = loader.read_text()
    assert text.endswith("\n")
    _rewrite_keeping_size_and_mtime(loader, text[:-1] + "#")  # same size, same mtime, other bytes
    assert cache.input_hash(dirs, code_root=copy) != before
    assert cache.input_hash(dirs, code_root=copy) == cache.input_hash(dirs, code_root=copy, memo=False)


def test_cached_graph_damage_that_keeps_size_and_mtime_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(digest, "RACY_SECONDS", 0.0)
    monkeypatch.setenv("MDM2KG_CACHE_DIR", str(tmp_path / "cache"))
    kg = KnowledgeGraph.build([TINY])
    assert KnowledgeGraph.build([TINY]).sha256 == kg.sha256  # verified once, then remembered
    assert (kg.nt_path.parent / VERIFIED).is_file()
    data = kg.nt_path.read_bytes()
    flipped = data.replace(b"<", b">", 1)
    before = kg.nt_path.stat()
    kg.nt_path.write_bytes(flipped)
    os.utime(kg.nt_path, ns=(before.st_atime_ns, before.st_mtime_ns))
    with caplog.at_level("WARNING", logger="mdm2kg"):
        again = KnowledgeGraph.build([TINY])
    assert "damaged or unverified; rebuilding it" in caplog.text
    assert (again.nt_path.parent / GRAPH).read_bytes() == data
