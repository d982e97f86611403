"""Counts over a built graph (categories, predicates, records, coverage), via SPARQL."""

from __future__ import annotations

from typing import Any

from mdm2kg.prefixes import SPARQL_PROLOGUE


def _rows(kg: Any, text: str) -> list[tuple[str, ...]]:
    return [tuple(term.value for term in row) for row in kg.store.query(SPARQL_PROLOGUE + text)]


def graph_stats(kg: Any) -> dict[str, Any]:
    """Counts per category, per predicate, per record kind and coverage figures (sorted)."""
    triples = int(_rows(kg, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0][0])
    categories = _rows(kg, """
        SELECT ?c (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?cls . ?cls mdm2kg:curated true .
          BIND(STRAFTER(STR(?cls), STR(mdm2kg:)) AS ?c) } GROUP BY ?c ORDER BY ?c""")
    predicates = _rows(kg, """
        SELECT ?p (COUNT(?st) AS ?n) WHERE { ?st a rdf:Statement ; rdf:predicate ?pred .
          BIND(STRAFTER(STR(?pred), STR(mdm2kg:)) AS ?p) } GROUP BY ?p ORDER BY ?p""")
    records = {}
    for name, cls in (("publications", "Publication"), ("statements", "rdf:Statement"), ("evidence", "Evidence"),
                      ("trial results", "TrialResult"), ("adverse-event observations", "AdverseEventObservation"),
                      ("source conflicts", "SourceConflict")):
        term = cls if ":" in cls else f"mdm2kg:{cls}"
        records[name] = int(_rows(kg, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {term} }}")[0][0])
    coverage = {
        "entities": int(_rows(kg, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?c . ?c mdm2kg:curated true }")[0][0]),
        "entities without external identifier": int(_rows(kg, """
            SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?c . ?c mdm2kg:curated true .
              FILTER NOT EXISTS { ?e skos:exactMatch ?x } }""")[0][0]),
        "genes without external identifier": int(_rows(kg, """
            SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a mdm2kg:Gene .
              FILTER NOT EXISTS { ?e skos:exactMatch ?x } }""")[0][0]),
        "statements citing a numbered reference": int(_rows(kg, """
            SELECT (COUNT(DISTINCT ?st) AS ?n) WHERE { ?st a rdf:Statement ; mdm2kg:hasEvidence/mdm2kg:cites ?r }""")[0][0]),
        "statements with more than one evidence": int(_rows(kg, """
            SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?st (COUNT(?ev) AS ?k) WHERE { ?st a rdf:Statement ;
              mdm2kg:hasEvidence ?ev } GROUP BY ?st } FILTER(?k > 1) }""")[0][0]),
    }
    return {
        "triples": triples,
        "categories": {c: int(n) for c, n in categories},
        "records": records,
        "predicates": {p: int(n) for p, n in predicates},
        "coverage": coverage,
    }
