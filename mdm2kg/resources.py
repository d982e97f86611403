"""Locate package data (ontology, shipped curation, named queries) through importlib.resources.

In a wheel, `ontology/` and `graph_data/` are installed as `mdm2kg/_data/...`; in a source
checkout they sit beside the package. Either way callers get a real directory path.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from mdm2kg import __version__
from mdm2kg.errors import RuntimeFailure


def _data_root(name: str) -> Path:
    packaged = Path(str(files("mdm2kg"))) / "_data" / name
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / name
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
    return Path(str(files("mdm2kg.query"))) / "queries"


def installed_version() -> str:
    """The mdm2kg version (one source: `mdm2kg.__version__`, which the wheel's metadata also reads)."""
    return __version__
