"""The read model: typed views of a built graph that every consumer reads.

Statements with polarity, negation, qualifiers and evidence; entities and cards; trial results,
adverse-event observations and source conflicts; the one entity resolver; the one term converter.
"""

from mdm2kg.read.model import ReadModel, read_model
from mdm2kg.read.resolve import Resolver
from mdm2kg.read.views import Entity, EntityCard, Predicate, Statement

__all__ = ["Entity", "EntityCard", "Predicate", "ReadModel", "Resolver", "Statement", "read_model"]
