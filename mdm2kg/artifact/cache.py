"""Where built graphs are cached, and the key that says when a cached graph is still current.

The key covers everything that shapes the graph: the cache format, the package version, every
module of the build path (curation, rdf, artifact and the foundation modules they use), the
ontology and shapes, and every curated file. Editing any of them gives a new key, so a stale
graph is never served. The key is kept in a stat memo (`mdm2kg.digest`), so a command whose
inputs did not change does not re-read them.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from pathlib import Path

from mdm2kg.curation.files import yaml_files
from mdm2kg.digest import memo_digest
from mdm2kg.resources import installed_version, ontology_dir, shipped_data_dir

SHIPPED = "shipped"
CACHE_VERSION = "2"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
# Build-path code: every module here can change the bytes of a built graph or its verdict.
BUILD_PATH_PACKAGES = ("curation", "rdf", "artifact")
BUILD_PATH_MODULES = ("errors.py", "prefixes.py", "resources.py", "perf.py", "fileio.py", "digest.py")


def resolve_data_dirs(data: Sequence[str | Path] | None) -> list[Path]:
    """`None`/empty -> the shipped data; the word 'shipped' stands for the shipped directory."""
    if not data:
        return [shipped_data_dir()]
    return [shipped_data_dir() if str(d) == SHIPPED else Path(d).resolve() for d in data]


def build_path_files(root: Path | None = None) -> list[Path]:
    """The modules whose code shapes a built graph, sorted (of the installed package by default)."""
    root = root or PACKAGE_ROOT
    files = [root / name for name in BUILD_PATH_MODULES]
    for package in BUILD_PATH_PACKAGES:
        files.extend(sorted((root / package).glob("*.py")))
    return files


def input_files(data_dirs: Sequence[Path], *, code_root: Path | None = None) -> list[tuple[str, Path]]:
    """Everything a build depends on, labelled as the key hashes it: code, ontology, curated files."""
    labelled = [(path.name, path) for path in build_path_files(code_root)]
    labelled += [(path.name, path) for path in sorted(ontology_dir().iterdir()) if path.is_file()]
    labelled += [(str(path), path) for path, _ in yaml_files(data_dirs)]
    return labelled


def input_hash(data_dirs: Sequence[Path], *, code_root: Path | None = None, memo: bool = True) -> str:
    """Hash of everything a build depends on: cache format, version, code, ontology and curated
    files (read from the stat memo in the cache when none of them changed; `memo=False` always
    reads and hashes every file)."""
    labelled = input_files(data_dirs, code_root=code_root)
    where = None
    if memo:
        name = "\0".join([str(code_root or PACKAGE_ROOT), *map(str, data_dirs)])
        where = cache_root() / "memo" / f"inputs-{zlib.crc32(name.encode()):08x}.json"
    return memo_digest(where, labelled, CACHE_VERSION + installed_version())[:24]


def cache_root() -> Path:
    """`MDM2KG_CACHE_DIR`, else `$XDG_CACHE_HOME/mdm2kg`, else `~/.cache/mdm2kg`."""
    env = os.environ.get("MDM2KG_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mdm2kg"
