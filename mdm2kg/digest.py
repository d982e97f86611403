"""Content digests of sets of files, with a stat memo so an unchanged set is not re-read.

A cold command must know that the inputs of its cached graph (about 60 code, ontology and
curated files) and the cached graph itself are unchanged. Reading and hashing them costs more
than the query it answers, so, as git's index does, the digest is kept in a small memo together
with each file's size, modification and change times (nanoseconds) and inode. When every one of
those is unchanged the remembered digest is used; any difference (an edit, a truncation, an
appended line, a replaced file) and the files are read and hashed again.

A file changed within `RACY_SECONDS` of the moment the memo would be written is never
remembered: a second edit inside the filesystem's timestamp granularity could keep its times.
The change time cannot be set back by a user, so the memo is not fooled by restored times.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

RACY_SECONDS = 2.0
"""Files changed this recently are always hashed, never trusted from a memo."""

Stamp = list[int]


def _stamp(path: Path) -> Stamp:
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def recall(memo: Path, paths: Sequence[Path], salt: str) -> str | None:
    """The value remembered in `memo` for exactly these files and `salt`, if none of the files
    changed since; else None (also for a missing or damaged memo)."""
    try:
        raw = json.loads(memo.read_bytes())
        if raw["salt"] != salt or raw["paths"] != [str(p) for p in paths]:
            return None
        if raw["stamps"] != [_stamp(p) for p in paths]:
            return None
        value = raw["value"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None


def remember(memo: Path, paths: Sequence[Path], salt: str, value: str) -> None:
    """Keep `value` for these files in `memo` (atomically; silently skipped when a file is too
    recent to be trusted or the memo cannot be written: the value is then recomputed next time)."""
    try:
        stamps = [_stamp(p) for p in paths]
        horizon = time.time_ns() - int(RACY_SECONDS * 1e9)
        if any(max(s[1], s[2]) > horizon for s in stamps):
            return
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo.with_name(f".{memo.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"salt": salt, "paths": [str(p) for p in paths], "stamps": stamps, "value": value}))
        os.replace(tmp, memo)
    except OSError:
        return


def files_digest(labelled: Sequence[tuple[str, Path]], salt: str) -> str:
    """SHA-256 (hex) of `salt` and each file's label and bytes, in the order given."""
    import hashlib

    digest = hashlib.sha256(salt.encode())
    for label, path in labelled:
        digest.update(label.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def memo_digest(memo: Path | None, labelled: Sequence[tuple[str, Path]], salt: str) -> str:
    """`files_digest(labelled, salt)`, from `memo` when no file changed since it was remembered."""
    paths = [path for _, path in labelled]
    salted = salt + "\0" + "\0".join(label for label, _ in labelled)
    if memo is not None:
        known = recall(memo, paths, salted)
        if known is not None:
            return known
    value = files_digest(labelled, salt)
    if memo is not None:
        remember(memo, paths, salted, value)
    return value
