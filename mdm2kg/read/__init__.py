"""The read model: typed views of a built graph that every consumer reads.

Statements with polarity, negation, qualifiers and evidence; entities and cards; trial results,
adverse-event observations and source conflicts; the one entity resolver; the one term converter.

Importing the package loads nothing: each name loads its module on first use, so a command that
needs only `mdm2kg.read.terms` does not pay for the views and the curation records.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mdm2kg.read.model import ReadModel, read_model
    from mdm2kg.read.resolve import Resolver
    from mdm2kg.read.views import Entity, EntityCard, Predicate, Statement

_HOME = {"ReadModel": "model", "read_model": "model", "Resolver": "resolve", "Entity": "views",
         "EntityCard": "views", "Predicate": "views", "Statement": "views"}
__all__ = ["Entity", "EntityCard", "Predicate", "ReadModel", "Resolver", "Statement", "read_model"]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'mdm2kg.read' has no attribute {name!r}")
    return getattr(importlib.import_module(f"mdm2kg.read.{_HOME[name]}"), name)
