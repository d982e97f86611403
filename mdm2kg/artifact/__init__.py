"""The built, validated graph and its stores: what every consumer reads."""

from mdm2kg.artifact.graph import SHIPPED, KnowledgeGraph, Verdict

__all__ = ["SHIPPED", "KnowledgeGraph", "Verdict"]
