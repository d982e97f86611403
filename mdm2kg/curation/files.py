"""Which files a curated directory holds (no YAML parsing here, so the cache key stays cheap)."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from mdm2kg.errors import UsageError


def yaml_files(data_dirs: Sequence[Path]) -> list[tuple[Path, str]]:
    """All curation files of the directories, sorted, with the name to show in messages.

    Raises UsageError naming the path for a missing directory, or for a `*.yaml` entry that
    is not a regular file (a FIFO, device, socket or directory would block or fail a read)."""
    out: list[tuple[Path, str]] = []
    for directory in data_dirs:
        if not directory.is_dir():
            raise UsageError(f"data directory not found: {directory}")
        for path in sorted(directory.rglob("*.yaml")):
            try:
                mode = os.stat(path).st_mode
            except OSError as exc:
                raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
            if not stat.S_ISREG(mode):
                raise UsageError(f"cannot read {path}: not a regular file; remove it or rename it so it does not end in .yaml")
            out.append((path, str(path)))
    return out
