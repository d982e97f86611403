"""Which files a curated directory holds (no YAML parsing here, so the cache key stays cheap)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mdm2kg.errors import UsageError


def yaml_files(data_dirs: Sequence[Path]) -> list[tuple[Path, str]]:
    """All curation files of the directories, sorted, with the name to show in messages."""
    out: list[tuple[Path, str]] = []
    for directory in data_dirs:
        if not directory.is_dir():
            raise UsageError(f"data directory not found: {directory}")
        for path in sorted(directory.rglob("*.yaml")):
            out.append((path, str(path)))
    return out
