"""Counts over a built graph: categories, predicates, records, evidence kinds and coverage.

Everything is counted from the read model (`mdm2kg.read`), the same records every other
consumer shows; only the triple count is a SPARQL query. Negated statements count among the
statements of their predicate and, on their own line, as `coverage["negated statements"]`.

>>> from mdm2kg.artifact.graph import KnowledgeGraph
>>> graph_stats(KnowledgeGraph.build(["tests/fixtures/tiny", "tests/fixtures/negation"]))["coverage"]["negated statements"] > 0
True
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from mdm2kg.read.model import read_model

if TYPE_CHECKING:
    from mdm2kg.artifact.graph import KnowledgeGraph


def _sorted(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items()))


def graph_stats(kg: KnowledgeGraph) -> dict[str, Any]:
    """Counts per category, per predicate, per record kind, per evidence kind and coverage
    figures (each section sorted by name)."""
    model = read_model(kg)
    (triples,), = model.rows("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    entities = model.entities.values()
    statements = model.statements
    evidence = [e for st in statements for e in st.evidence]
    evidence += [e for r in model.results for e in r.evidence]
    evidence += [e for o in model.observations for e in o.evidence]
    evidence += [claim.evidence for c in model.conflicts for claim in c.claims]
    records = {
        "publications": len(model.publications),
        "statements": len(statements),
        "evidence": len(evidence),
        "trial results": len(model.results),
        "adverse-event observations": len(model.observations),
        "source conflicts": len(model.conflicts),
    }
    coverage = {
        "entities": len(model.entities),
        "entities without external identifier": sum(1 for e in entities if not e.identifiers),
        "genes without external identifier": sum(1 for e in entities if e.category == "Gene" and not e.identifiers),
        "statements citing a numbered reference": sum(1 for st in statements if any(e.cites for e in st.evidence)),
        "statements with more than one evidence": sum(1 for st in statements if len(st.evidence) > 1),
        "negated statements": sum(1 for st in statements if st.negated),
    }
    return {
        "triples": int(triples),
        "categories": _sorted(Counter(e.category for e in entities)),
        "records": records,
        "predicates": _sorted(Counter(st.predicate for st in statements)),
        "evidence kinds": _sorted(Counter(e.kind for e in evidence)),
        "coverage": coverage,
    }
