"""Where built graphs are cached, and the key that says when a cached graph is still current.

The key covers everything that shapes the graph: the cache format, the package version, every
module of the build path (curation, rdf, artifact and the foundation modules they use), the
ontology and shapes, and every curated file. Editing any of them gives a new key, so a stale
graph is never served.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from mdm2kg.curation.files import yaml_files
from mdm2kg.resources import installed_version, ontology_dir, shipped_data_dir

SHIPPED = "shipped"
CACHE_VERSION = "2"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
# Build-path code: every module here can change the bytes of a built graph or its verdict.
BUILD_PATH_PACKAGES = ("curation", "rdf", "artifact")
BUILD_PATH_MODULES = ("errors.py", "prefixes.py", "resources.py", "perf.py", "fileio.py")


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


def input_hash(data_dirs: Sequence[Path], *, code_root: Path | None = None) -> str:
    """Hash of everything a build depends on: code, ontology and curated files."""
    digest = hashlib.sha256(CACHE_VERSION.encode())
    digest.update(installed_version().encode())
    for path in build_path_files(code_root):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for path in sorted(ontology_dir().iterdir()):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for path, _ in yaml_files(data_dirs):
        digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:24]


def cache_root() -> Path:
    """`MDM2KG_CACHE_DIR`, else `$XDG_CACHE_HOME/mdm2kg`, else `~/.cache/mdm2kg`."""
    env = os.environ.get("MDM2KG_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mdm2kg"
