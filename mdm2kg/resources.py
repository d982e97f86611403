"""Locate package data (ontology, shipped curation, named queries) through importlib.resources.

In a wheel, `ontology/` and `graph_data/` are installed as `mdm2kg/_data/...`; in a source
checkout they sit beside the package. Either way callers get a real directory path.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _data_root(name: str) -> Path:
    packaged = Path(str(files("mdm2kg"))) / "_data" / name
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"mdm2kg package data '{name}' is missing from the installation")


def ontology_dir() -> Path:
    """Directory holding mdm2kg.ttl, shapes.ttl and prefixes.yaml."""
    return _data_root("ontology")


def shipped_data_dir() -> Path:
    """Directory of the curated YAML shipped with mdm2kg."""
    return _data_root("graph_data")


def queries_dir() -> Path:
    """Directory of the named SPARQL queries (.rq)."""
    return Path(str(files("mdm2kg.query"))) / "queries"


def installed_version() -> str | None:
    """The installed mdm2kg version from package metadata, or None in a bare source tree."""
    import importlib.metadata

    try:
        return importlib.metadata.version("mdm2kg")
    except importlib.metadata.PackageNotFoundError:
        return None
