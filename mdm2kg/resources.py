"""Locate package data (ontology, shipped curation, named queries).

In a wheel, `ontology/` and `graph_data/` are installed as `mdm2kg/_data/...`; in a source
checkout they sit beside the package. Either way callers get a real directory path. The package
directory is found from this file rather than through importlib.resources: the two agree for
every installed wheel (mdm2kg is never zip-imported; its data must be real files for Oxigraph),
and importlib.resources costs about 20 ms of import on every command.
"""

from __future__ import annotations

from pathlib import Path

from mdm2kg import __version__
from mdm2kg.errors import RuntimeFailure

PACKAGE_DIR = Path(__file__).resolve().parent


def _data_root(name: str) -> Path:
    packaged = PACKAGE_DIR / "_data" / name
    if packaged.is_dir():
        return packaged
    checkout = PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    raise RuntimeFailure(f"mdm2kg package data '{name}' is missing from the installation; reinstall mdm2kg")


def ontology_dir() -> Path:
    """Directory holding mdm2kg.ttl, shapes.ttl and prefixes.yaml."""
    return _data_root("ontology")


def shipped_data_dir() -> Path:
    """Directory of the curated YAML shipped with mdm2kg."""
    return _data_root("graph_data")


def queries_dir() -> Path:
    """Directory of the named SPARQL queries (.rq)."""
    return PACKAGE_DIR / "query" / "queries"


def installed_version() -> str:
    """The mdm2kg version (one source: `mdm2kg.__version__`, which the wheel's metadata also reads)."""
    return __version__
