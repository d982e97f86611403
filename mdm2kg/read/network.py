"""The entity graph as networkx, built from the read model's statements.

Curated entities are nodes; statements whose object is an entity are edges (key = statement id).
Facts only by default: a negated statement becomes an edge only with `include_negated=True`,
and then carries `negated=True`, so a consumer that draws it must say "does not".
"""

from __future__ import annotations

import networkx as nx

from mdm2kg.read.model import ReadModel


def entity_network(model: ReadModel, *, include_negated: bool = False) -> nx.MultiDiGraph:
    """A MultiDiGraph: node id = entity id with attributes label, category, biolink_category,
    synonyms, identifiers, description; edge key = statement id with attributes `statement`
    (the read-model Statement), predicate, polarity (+1/-1/0) and negated."""
    graph = nx.MultiDiGraph()
    for entity in model.entities.values():
        graph.add_node(entity.id, label=entity.label, category=entity.category, biolink_category=entity.biolink_category,
                       description=entity.description, synonyms=list(entity.synonyms), identifiers=list(entity.identifiers))
    for st in model.statements:
        if st.object is None or st.object not in graph or st.subject not in graph:
            continue  # literal values and publications are not hops
        if st.negated and not include_negated:
            continue
        graph.add_edge(st.subject, st.object, key=st.id, statement=st, predicate=st.predicate, polarity=st.polarity,
                       negated=st.negated)
    return graph
