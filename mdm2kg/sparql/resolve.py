"""Entity resolution on a remote store: an id, label, synonym or CURIE to the entity id.

Mirrors the embedded resolver: an exact id wins; otherwise the text must match exactly one
entity's id, label, synonym or identifier (exactly, then case-insensitively).
"""

from __future__ import annotations

from mdm2kg.errors import NotFoundError
from mdm2kg.query import PREFIXES, QueryResult
from mdm2kg.sparql.auth import AuthLike
from mdm2kg.sparql.client import HttpClient
from mdm2kg.sparql.protocol import DEFAULT_GRAPH, query

_LOOKUP = """
SELECT DISTINCT ?e ?label ?category WHERE {
  { ?e dcterms:identifier ?key } UNION { ?e rdfs:label ?key } UNION { ?e skos:altLabel ?key } UNION { ?e skos:notation ?key }
  ?e rdfs:label ?label ; a ?category .
  FILTER(STRSTARTS(STR(?e), STR(mdm2:)) && STRSTARTS(STR(?category), STR(mdm2kg:)))
}"""
_LOOKUP_FOLDED = """
SELECT DISTINCT ?e ?label ?category WHERE {
  ?e rdfs:label ?label ; a ?category .
  FILTER(STRSTARTS(STR(?e), STR(mdm2:)) && STRSTARTS(STR(?category), STR(mdm2kg:)))
  { ?e dcterms:identifier ?k } UNION { ?e rdfs:label ?k } UNION { ?e skos:altLabel ?k } UNION { ?e skos:notation ?k }
  FILTER(LCASE(STR(?k)) = ?folded)
}"""


def _entity_hits(result: QueryResult, base: str) -> dict[str, tuple[str, str]]:
    """entity id -> (label, category) for the rows of a lookup (the first category by name)."""
    hits: dict[str, tuple[str, str]] = {}
    for row in result.rows:
        entity = row["e"].lexical[len(base):]
        category = row["category"].short().removeprefix("mdm2kg:")
        if entity not in hits or category < hits[entity][1]:
            hits[entity] = (row["label"].lexical, category)
    return hits


def _lookup(client: HttpClient, text: str, graph: str | None, base: str) -> dict[str, tuple[str, str]]:
    """Exact matches first; case-insensitive ones only when nothing matches exactly."""
    hits = _entity_hits(query(client, _LOOKUP, bindings={"key": text}, graph=graph), base)
    if text in hits:
        return {text: hits[text]}
    if hits:
        return hits
    return _entity_hits(query(client, _LOOKUP_FOLDED, bindings={"folded": text.lower()}, graph=graph), base)


def resolve_remote_entity(client: HttpClient | str, text: str, *, graph: str | None = None,
                          auth: AuthLike = None) -> str:
    """Entity id for an id, label, synonym or CURIE, looked up on the remote store.

    Raises NotFoundError (with candidates when ambiguous).
    """
    base = PREFIXES["mdm2"]
    if text.startswith(base):
        return text[len(base):]
    if text.startswith("mdm2:"):
        return text[len("mdm2:"):]
    if isinstance(client, str):
        with HttpClient(client, auth=auth) as own:
            return resolve_remote_entity(own, text, graph=graph)
    hits = _lookup(client, text, graph, base)
    if len(hits) == 1:
        return next(iter(hits))
    if hits:
        raise NotFoundError(f"'{text}' is ambiguous", [f"{e} ({label}, {cat})" for e, (label, cat) in sorted(hits.items())])
    raise NotFoundError(f"no entity matches '{text}' on {client.shown}"
                        + ("" if graph else f" (its default graph; a pushed graph is queried with --graph {DEFAULT_GRAPH})"))

