"""On-disk Oxigraph stores of built graphs: keyed by graph hash and Oxigraph version, built once
(into a temporary directory renamed into place) and reused by every later command and `serve`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from mdm2kg.artifact.cache import cache_root
from mdm2kg.digest import recall, remember
from mdm2kg.errors import notice

if TYPE_CHECKING:
    import pyoxigraph


class BuiltGraph(Protocol):
    """What a store needs of a built graph: its N-Triples file and its key."""

    nt_path: Path
    key: str

MARKER = "mdm2kg-store.json"


def oxigraph_version() -> str:
    """The installed pyoxigraph's version, from its distribution's metadata directory name when
    that is unambiguous (so `serve`, which never opens the store itself, does not load the
    engine), else from the module."""
    import importlib.util

    spec = importlib.util.find_spec("pyoxigraph")
    if spec is not None and spec.submodule_search_locations:
        site = Path(next(iter(spec.submodule_search_locations))).parent
        found = [p.name for p in site.glob("pyoxigraph-*.dist-info")]
        if len(found) == 1:
            return found[0].removeprefix("pyoxigraph-").removesuffix(".dist-info")
    import pyoxigraph

    return str(pyoxigraph.__version__)


def store_location(kg: BuiltGraph) -> Path:
    """Where the on-disk store for this graph lives (graph hash + Oxigraph version)."""
    return cache_root() / "stores" / f"{kg.key or 'unkeyed'}-oxigraph-{oxigraph_version()}"


def ensure_store(kg: BuiltGraph) -> Path:
    """The on-disk Oxigraph store directory holding `kg`, built on first use and then reused.

    Building happens in a private temporary directory that is renamed into place once
    complete, so a crash or a concurrent build never leaves a half-loaded store behind.
    """
    location = store_location(kg)
    location.parent.mkdir(parents=True, exist_ok=True)
    _prune_partial(location.parent)
    if (location / MARKER).is_file():
        return location
    import shutil

    import pyoxigraph

    tmp = location.parent / f".{location.name}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        store = pyoxigraph.Store(str(tmp))
        store.bulk_load(path=str(kg.nt_path), format=pyoxigraph.RdfFormat.N_TRIPLES)
        store.flush()
        store.optimize()
        triples = len(store)
        del store  # closes RocksDB and releases its lock before the rename
        (tmp / MARKER).write_text(json.dumps({"key": kg.key, "triples": triples, "source": str(kg.nt_path),
                                              "oxigraph": pyoxigraph.__version__}, indent=2) + "\n")
        if location.exists() and not (location / MARKER).is_file():
            shutil.rmtree(location)  # an unmarked leftover is not a store we trust
        try:
            os.rename(tmp, location)
        except OSError:
            if not (location / MARKER).is_file():
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # a concurrent command finished the same store first
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return location


def _prune_partial(parent: Path) -> None:
    """Remove temporary build directories whose building process no longer exists."""
    for tmp in parent.glob(".*.tmp"):
        try:
            pid = int(tmp.name.rsplit(".", 2)[-2])
        except (ValueError, IndexError):
            continue
        if pid != os.getpid() and not _pid_alive(pid):
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def store_triples(location: Path) -> int:
    """Triple count recorded when the store was built."""
    return int(json.loads((location / MARKER).read_text())["triples"])


def verified_store(kg: BuiltGraph) -> Path:
    """The graph's on-disk store directory (built first if needed), checked: it must open and hold
    the triple count its marker recorded for this graph. A store that fails (a deleted `CURRENT`,
    a truncated table, a marker from another graph) is removed and rebuilt with a one-line
    notice, never served.

    Opening and counting read the whole store, so a check that passed is remembered in a stat
    memo of the store's files (`mdm2kg.digest`) and made again only when one of them changed:
    `serve` then hands the store to Oxigraph without loading the engine itself.
    """
    location = ensure_store(kg)
    files, memo = _store_files(location), location.parent / f".{location.name}.checked.json"
    try:
        marker = _marker(location)
        if marker["key"] != kg.key:
            raise OSError("the store's marker names another graph")
        if recall(memo, files, kg.key) == str(marker["triples"]):
            return location
        import pyoxigraph

        store = pyoxigraph.Store.read_only(str(location))
        counted = len(store)
        del store  # release RocksDB's handle
        if marker["triples"] != counted:
            raise OSError("the store does not hold what its marker recorded")
        remember(memo, files, kg.key, str(counted))
        return location
    except (OSError, RuntimeError, ValueError, KeyError) as exc:  # RocksDB reports corruption as RuntimeError
        return _rebuild(kg, location, exc)


def open_store(kg: BuiltGraph) -> pyoxigraph.Store:
    """The graph's on-disk store, verified (`verified_store`) and opened read-only in this process."""
    import pyoxigraph

    location = verified_store(kg)
    try:
        return pyoxigraph.Store.read_only(str(location))
    except (OSError, RuntimeError) as exc:
        return pyoxigraph.Store.read_only(str(_rebuild(kg, location, exc)))


def _rebuild(kg: BuiltGraph, location: Path, why: Exception) -> Path:
    import shutil

    notice(f"mdm2kg: the on-disk store {location} is damaged ({why}); rebuilding it")
    shutil.rmtree(location, ignore_errors=True)
    return ensure_store(kg)


def _store_files(location: Path) -> list[Path]:
    """The files that hold the store's data (RocksDB's info log and lock file left out)."""
    return sorted(p for p in location.iterdir() if not p.name.startswith(("LOG", "LOCK")))


def _marker(location: Path) -> dict[str, object]:
    raw = json.loads((location / MARKER).read_text())
    return {"key": raw["key"], "triples": int(raw["triples"])}
