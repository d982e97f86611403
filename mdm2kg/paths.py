"""Cited path questions over the entity projection ("compound to resistance mechanism").

Ends are entities (id, label, synonym or CURIE, case-insensitive) or categories. Paths are
enumerated level by level (1 hop, 2 hops, ...) with a depth-first search pruned by the
breadth-first distance to the target set, so category-to-category questions never enumerate
the full product. Ranking: fewer hops, then a hub-penalised score in the spirit of
Hetionet's degree-weighted path count, then evidence count, then ids (deterministic).
"""

from __future__ import annotations

import difflib
import time
from collections import deque
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from mdm2kg.errors import NotFoundError, UsageError
from mdm2kg.read.network import Citation, local_name, projection, select_rows

if TYPE_CHECKING:
    from collections.abc import Iterable

    from mdm2kg.artifact.graph import KnowledgeGraph

MAX_HOPS = 6
MAX_LIMIT = 1000
DAMPING = 0.4  # exponent of the degree penalty (Hetionet's DWPC uses 0.4)


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a path: the curated statement `subject predicate object`, travelled
    forward (subject -> object) or backward (object -> subject)."""

    subject: str
    predicate: str
    object: str
    direction: str
    polarity: int
    citations: tuple[Citation, ...]
    statement: str
    alternatives: tuple[str, ...] = ()

    def as_dict(self, labels: dict[str, str]) -> dict[str, Any]:
        return {
            "subject": self.subject, "subject_label": labels.get(self.subject, self.subject),
            "predicate": self.predicate, "object": self.object, "object_label": labels.get(self.object, self.object),
            "direction": self.direction, "polarity": self.polarity, "statement": self.statement,
            "citations": [c.as_dict() for c in self.citations], "alternatives": list(self.alternatives),
        }


@dataclass(frozen=True, slots=True)
class FoundPath:
    nodes: tuple[str, ...]
    hops: tuple[Hop, ...]
    score: float

    @property
    def length(self) -> int:
        return len(self.hops)

    @property
    def polarity(self) -> int:
        """Product of the hop signs; 0 when any hop is unsigned."""
        sign = 1
        for hop in self.hops:
            sign *= hop.polarity
        return sign

    @property
    def evidence_count(self) -> int:
        return sum(len(h.citations) for h in self.hops)


@dataclass(slots=True)
class PathSearch:
    """Result of a path question: ranked paths plus whether enumeration was cut short."""

    sources: list[str]
    targets: list[str]
    paths: list[FoundPath] = field(default_factory=list)
    truncated: bool = False
    message: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": self.sources, "targets": self.targets, "truncated": self.truncated, "message": self.message,
            "paths": [
                {
                    "length": p.length, "polarity": p.polarity, "score": round(p.score, 8),
                    "evidence_count": p.evidence_count,
                    "nodes": [{"id": n, "label": self.labels.get(n, n), "category": self.categories.get(n, "")}
                              for n in p.nodes],
                    "hops": [h.as_dict(self.labels) for h in p.hops],
                }
                for p in self.paths
            ],
        }


@dataclass(slots=True)
class _Index:
    """Lookup tables derived once per graph."""

    by_key: dict[str, list[str]]
    categories: dict[str, list[str]]
    labels: dict[str, str]
    category_of: dict[str, str]


def _index(kg: KnowledgeGraph) -> _Index:
    """Ids, labels, synonyms, CURIEs and categories of every entity, read with SPARQL
    (no networkx needed, so resolving a query parameter stays cheap)."""

    def make() -> _Index:
        rows = select_rows(kg, """
            SELECT ?e ?cls ?label ?key WHERE { ?e a ?cls . ?cls mdm2kg:curated true . ?e rdfs:label ?label .
              OPTIONAL { { ?e skos:altLabel ?key } UNION { ?e skos:notation ?key } } } ORDER BY ?e ?key""")
        by_key: dict[str, list[str]] = {}
        cats: dict[str, list[str]] = {}
        labels: dict[str, str] = {}
        category_of: dict[str, str] = {}
        for iri, cls, label, key in rows:
            node = local_name(iri or "")
            if node not in labels:
                labels[node] = label or node
                category_of[node] = local_name(cls or "")
                cats.setdefault(category_of[node], []).append(node)
                for k in {node.casefold(), (label or "").casefold()}:
                    by_key.setdefault(k, []).append(node)
            if key is not None:
                by_key.setdefault(key.casefold(), []).append(node)
        return _Index(by_key, cats, labels, category_of)

    return kg.memo("path-index", make)  # type: ignore[no-any-return]


def resolve_entity(kg: KnowledgeGraph, text: str) -> str:
    """Entity id for an id, label, synonym or CURIE (case-insensitive).

    Raises NotFoundError listing candidates when unknown or ambiguous.
    """
    index = _index(kg)
    if text in index.labels:
        return text
    hits = sorted(set(index.by_key.get(text.casefold(), [])))
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise NotFoundError(f"'{text}' is ambiguous", [f"{h} ({index.labels[h]}, {index.category_of[h]})" for h in hits])
    close = difflib.get_close_matches(text.casefold(), list(index.by_key), n=5, cutoff=0.6)
    candidates = sorted({f"{n} ({index.labels[n]})" for c in close for n in index.by_key[c]})
    raise NotFoundError(f"no entity or category matches '{text}'", candidates)


def _category(index: _Index, text: str) -> str | None:
    wanted = text.replace(" ", "").replace("_", "").casefold()
    for cat in index.categories:
        if cat.casefold() == wanted:
            return cat
    return None


def resolve_end(kg: KnowledgeGraph, text: str) -> tuple[list[str], str | None]:
    """Node ids for a path end, and the category name when the end is a category."""
    index = _index(kg)
    if text not in index.labels:
        cat = _category(index, text)
        if cat is not None:
            return list(index.categories[cat]), cat
    return [resolve_entity(kg, text)], None


def _adjacency(kg: KnowledgeGraph, predicates: frozenset[str] | None, directed: bool) -> dict[str, dict[str, list[Hop]]]:
    name = f"adjacency:{sorted(predicates) if predicates else '*'}:{directed}"

    def make() -> dict[str, dict[str, list[Hop]]]:
        g = projection(kg)
        adj: dict[str, dict[str, list[Hop]]] = {n: {} for n in g.nodes}
        for u, v, key, data in g.edges(keys=True, data=True):
            if u == v or (predicates is not None and data["predicate"] not in predicates):
                continue
            cites = tuple(data["citations"])
            adj[u].setdefault(v, []).append(Hop(u, data["predicate"], v, "forward", data["polarity"], cites, key))
            if not directed:
                adj[v].setdefault(u, []).append(Hop(u, data["predicate"], v, "backward", data["polarity"], cites, key))
        for nbrs in adj.values():
            for hops in nbrs.values():
                hops.sort(key=lambda h: (h.polarity == 0, -len(h.citations), h.predicate, h.statement))
        return adj

    return kg.memo(name, make)  # type: ignore[no-any-return]


def _distances(adj: dict[str, dict[str, list[Hop]]], targets: Iterable[str], limit: int, directed: bool) -> dict[str, int]:
    """Hop distance from every node to the nearest target (reverse BFS when directed)."""
    if directed:
        reverse: dict[str, list[str]] = {}
        for u, nbrs in adj.items():
            for v in nbrs:
                reverse.setdefault(v, []).append(u)
    dist = {t: 0 for t in targets}
    queue = deque(dist)
    while queue:
        node = queue.popleft()
        if dist[node] >= limit:
            continue
        nexts = reverse.get(node, []) if directed else adj[node]
        for nxt in nexts:
            if nxt not in dist:
                dist[nxt] = dist[node] + 1
                queue.append(nxt)
    return dist


def find_paths(
    kg: KnowledgeGraph,
    source: str,
    target: str,
    *,
    max_hops: int = 4,
    limit: int = 10,
    via: list[str] | tuple[str, ...] | None = None,
    predicates: Iterable[str] | None = None,
    directed: bool = False,
    time_budget: float = 5.0,
) -> PathSearch:
    """Ranked, cited paths between two entities or categories.

    `via` lists the categories of the intermediate nodes in order (a metapath), which fixes
    the length to len(via) + 1. `predicates` restricts the hops; `directed` follows statements
    only from subject to object.
    """
    if not 1 <= max_hops <= MAX_HOPS:
        raise UsageError(f"max_hops must be between 1 and {MAX_HOPS}")
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}")
    index = _index(kg)
    via_cats: list[str] | None = None
    if via:
        via_cats = []
        for cat in via:
            matched = _category(index, cat)
            if matched is None:
                raise NotFoundError(f"unknown category '{cat}' in via", sorted(index.categories))
            via_cats.append(matched)
        if len(via_cats) + 1 > MAX_HOPS:
            raise UsageError(f"a metapath may have at most {MAX_HOPS - 1} intermediate categories")
    sources, source_cat = resolve_end(kg, source)
    targets, target_cat = resolve_end(kg, target)
    pred_set = frozenset(predicates) if predicates else None
    adj = _adjacency(kg, pred_set, directed)
    degree = {n: max(1, len(nbrs)) for n, nbrs in adj.items()}
    target_set = set(targets)
    source_set = set(sources)
    levels = [len(via_cats) + 1] if via_cats is not None else list(range(1, max_hops + 1))
    dist = _distances(adj, target_set, max(levels), directed)
    search = PathSearch(sources=sources, targets=targets, labels=index.labels, categories=index.category_of)
    deadline = time.monotonic() + time_budget
    found: list[FoundPath] = []
    # intermediate nodes may not be ends of a category question: a path stops at the first match
    blocked = (target_set if target_cat else set()) | (source_set if source_cat else set())

    for length in levels:
        level: list[tuple[str, ...]] = []
        for start in sources:
            if dist.get(start, length + 1) > length:
                continue
            stack: list[tuple[str, ...]] = [(start,)]
            while stack:
                if time.monotonic() > deadline:
                    search.truncated = True
                    break
                route = stack.pop()
                node = route[-1]
                depth = len(route) - 1
                if depth == length:
                    if node in target_set and node != start:
                        level.append(route)
                    continue
                remaining = length - depth - 1
                for nxt in sorted(adj[node], reverse=True):
                    if nxt in route or dist.get(nxt, length + 1) > remaining:
                        continue
                    if remaining > 0 and (nxt in blocked or nxt in target_set):
                        continue
                    if via_cats is not None and remaining > 0 and index.category_of.get(nxt) != via_cats[depth]:
                        continue
                    stack.append((*route, nxt))
            if search.truncated:
                break
        for route in level:
            hops = []
            score = 1.0
            for u, v in pairwise(route):
                options = adj[u][v]
                best = options[0]
                others = tuple(sorted({h.predicate for h in options[1:] if h.predicate != best.predicate}))
                hops.append(Hop(best.subject, best.predicate, best.object, best.direction, best.polarity,
                                best.citations, best.statement, others))
                score *= (degree[u] * degree[v]) ** -DAMPING
            found.append(FoundPath(route, tuple(hops), score))
        if search.truncated or len(found) >= limit:
            break
    found.sort(key=lambda p: (p.length, -p.score, -p.evidence_count, p.nodes))
    search.paths = found[:limit]
    if search.truncated:
        search.message = f"enumeration stopped at the {time_budget:g} s time budget; results are partial"
    elif not search.paths:
        search.message = f"no path within {max(levels)} hops"
    return search


def format_path_text(search: PathSearch) -> str:
    """Readable hops with citations, one block per path."""
    arrows = {1: "(+)", -1: "(−)", 0: ""}
    lines: list[str] = []
    for i, path in enumerate(search.paths, start=1):
        net = {1: "+", -1: "−", 0: "unsigned"}[path.polarity]
        lines.append(f"Path {i}: {path.length} hop(s), net polarity {net}, score {path.score:.4g}, "
                     f"{path.evidence_count} citation(s)")
        for hop in path.hops:
            s, o = search.labels.get(hop.subject, hop.subject), search.labels.get(hop.object, hop.object)
            sign = arrows[hop.polarity]
            if hop.direction == "forward":
                lines.append(f"  {s} --{hop.predicate}{sign}--> {o}")
            else:
                lines.append(f"  {o} <--{hop.predicate}{sign}-- {s}")
            if hop.alternatives:
                lines.append(f"      also: {', '.join(hop.alternatives)}")
            for c in hop.citations:
                lines.append(f"      [{c.kind}] {c}")
        lines.append("")
    if search.message:
        lines.append(search.message)
    return "\n".join(lines).rstrip() + "\n"
