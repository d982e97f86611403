"""Cited path questions over the entity network ("compound to resistance mechanism").

Ends are entities (anything the read model's resolver accepts) or categories. Paths are
enumerated level by level (1 hop, 2 hops, ...) with a depth-first search pruned by the
breadth-first distance to the target set, so category-to-category questions never enumerate
the full product. Only facts are hops: a negated statement is never travelled.

Ranking (documented in the README):
1. routes through no low-information node or hop first (shared adverse events, trials, trial
   arms, dosing schedules; combination-partner, adverse-event and trial-design hops);
2. then fewer hops;
3. then a higher score: the product over hops of a hub penalty (deg(u)·deg(v))^-0.4 (in the
   spirit of Hetionet's degree-weighted path count) and of the hop's evidence strength
   (best evidence kind: clinical result 1.0 > in vivo 0.8 > in vitro 0.6 > structural 0.6 >
   review statement 0.5 > other 0.4 > curator inference 0.3), times 1 + 0.25 per additional
   independent reference (one reference cited twice counts once), at most 2;
4. then ids (deterministic).
A path's net polarity is the product of its hop signs when every hop runs the same way (0 when
a hop is unsigned); a head-on route (A -> B <- C) has none.
"""

from __future__ import annotations

import math
import time
import weakref
from collections import deque
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from mdm2kg.errors import NotFoundError, UsageError
from mdm2kg.read.model import ReadModel, read_model

if TYPE_CHECKING:
    from collections.abc import Iterable

    from mdm2kg.artifact.graph import KnowledgeGraph
    from mdm2kg.curation.model import Evidence
    from mdm2kg.read.views import Statement

MAX_HOPS = 6
MAX_LIMIT = 1000
DAMPING = 0.4  # exponent of the degree penalty (Hetionet's DWPC uses 0.4)
LOW_INFORMATION_CATEGORIES = frozenset({"AdverseEvent", "ClinicalTrial", "TrialArm", "DosingSchedule"})
LOW_INFORMATION_PREDICATES = frozenset({"combined_with", "has_adverse_event", "evaluates", "has_arm", "enrolls"})
EVIDENCE_WEIGHT = {
    "clinical_trial_result": 1.0, "registry_record": 0.8, "preclinical_in_vivo": 0.8, "preclinical_in_vitro": 0.6,
    "structural": 0.6, "review_statement": 0.5, "curator_inference": 0.3,
}


def evidence_strength(statement: Statement) -> float:
    """Best evidence kind's weight, times 1 + 0.25 per additional independent reference (max 2).

    >>> from mdm2kg.read.views import Statement
    >>> from mdm2kg.curation.model import Evidence
    >>> ev = Evidence("doc", "§1", "a", "preclinical_in_vivo", ("r1", "r2"))
    >>> evidence_strength(Statement("s", "A", "inhibits", "B", None, -1, False, (), (ev,), "inhibits", "x"))
    1.0
    """
    best = max((EVIDENCE_WEIGHT.get(e.kind, 0.4) for e in statement.evidence), default=0.4)
    return best * min(2.0, 1 + 0.25 * max(0, len(statement.references) - 1))


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a path: a curated statement travelled forward (subject -> object) or backward.
    `alternatives` are other predicates linking the same two nodes in the same direction."""

    statement: Statement
    direction: str
    alternatives: tuple[str, ...] = ()

    @property
    def subject(self) -> str:
        return self.statement.subject

    @property
    def object(self) -> str:
        return self.statement.object or ""

    @property
    def predicate(self) -> str:
        return self.statement.predicate

    @property
    def polarity(self) -> int:
        return self.statement.polarity

    @property
    def citations(self) -> tuple[Evidence, ...]:
        return self.statement.evidence

    def as_dict(self, labels: dict[str, str]) -> dict[str, Any]:
        st = self.statement
        return {
            "subject": st.subject, "subject_label": labels.get(st.subject, st.subject), "predicate": st.predicate,
            "object": self.object, "object_label": labels.get(self.object, self.object), "direction": self.direction,
            "polarity": st.polarity, "negated": st.negated, "statement": st.id,
            "qualifiers": {k: str(v) for k, v in st.qualifiers},
            "citations": [c.as_dict() for c in st.evidence], "alternatives": list(self.alternatives),
        }


@dataclass(frozen=True, slots=True)
class FoundPath:
    nodes: tuple[str, ...]
    hops: tuple[Hop, ...]
    score: float
    low_information: int = 0

    @property
    def length(self) -> int:
        return len(self.hops)

    @property
    def head_on(self) -> bool:
        """True when the hops do not all run the same way (e.g. A -> B <- C)."""
        return len({h.direction for h in self.hops}) > 1

    @property
    def polarity(self) -> int | None:
        """Product of the hop signs (0 when any hop is unsigned); None for a head-on route."""
        if self.head_on:
            return None
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
                    "length": p.length, "polarity": p.polarity, "head_on": p.head_on, "score": round(p.score, 8),
                    "low_information": p.low_information, "evidence_count": p.evidence_count,
                    "nodes": [{"id": n, "label": self.labels.get(n, n), "category": self.categories.get(n, "")}
                              for n in p.nodes],
                    "hops": [h.as_dict(self.labels) for h in p.hops],
                }
                for p in self.paths
            ],
        }


Adjacency = dict[str, dict[str, list[Hop]]]


@dataclass(slots=True)
class _PathIndex:
    """Per-graph lookups for path questions (cached per graph)."""

    model: ReadModel
    categories: dict[str, list[str]]
    category_of: dict[str, str]
    adjacency: dict[tuple[frozenset[str] | None, bool], Adjacency] = field(default_factory=dict)


_INDEXES: weakref.WeakKeyDictionary[KnowledgeGraph, _PathIndex] = weakref.WeakKeyDictionary()


def _index(kg: KnowledgeGraph) -> _PathIndex:
    index = _INDEXES.get(kg)
    if index is None:
        model = read_model(kg)
        cats: dict[str, list[str]] = {}
        for entity in model.entities.values():
            cats.setdefault(entity.category, []).append(entity.id)
        index = _INDEXES[kg] = _PathIndex(model, cats, {e.id: e.category for e in model.entities.values()})
    return index


def _category(index: _PathIndex, text: str) -> str | None:
    wanted = text.replace(" ", "").replace("_", "").casefold()
    for cat in index.categories:
        if cat.casefold() == wanted:
            return cat
    return None


def resolve_end(kg: KnowledgeGraph, text: str) -> tuple[list[str], str | None]:
    """Node ids for a path end, and the category name when the end is a category."""
    index = _index(kg)
    if text not in index.category_of:
        cat = _category(index, text)
        if cat is not None:
            return list(index.categories[cat]), cat
    try:
        return [index.model.resolve(text)], None
    except NotFoundError as exc:
        raise NotFoundError(f"no entity or category matches '{text}'", exc.candidates) from None


def _adjacency(index: _PathIndex, predicates: frozenset[str] | None, directed: bool) -> Adjacency:
    key = (predicates, directed)
    if key in index.adjacency:
        return index.adjacency[key]
    entities = index.model.entities
    adj: Adjacency = {n: {} for n in entities}
    for st in index.model.facts:  # facts only: a negated statement is never a hop
        u, v = st.subject, st.object
        if v is None or u not in entities or v not in entities or u == v:
            continue  # literal values and publications are not hops
        if predicates is not None and st.predicate not in predicates:
            continue
        adj[u].setdefault(v, []).append(Hop(st, "forward"))
        if not directed:
            adj[v].setdefault(u, []).append(Hop(st, "backward"))
    for nbrs in adj.values():
        for hops in nbrs.values():
            hops.sort(key=lambda h: (h.polarity == 0, -evidence_strength(h.statement), -len(h.citations), h.predicate,
                                     h.statement.id))
    index.adjacency[key] = adj
    return adj


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
    only from subject to object. `time_budget` seconds bound the whole search (resolution,
    projection and enumeration): past it, the paths found so far are returned, marked truncated.
    """
    _check_bounds(max_hops, limit, time_budget)
    deadline = time.monotonic() + time_budget
    index = _index(kg)
    via_cats = _metapath(index, via)
    sources, source_cat = resolve_end(kg, source)
    targets, target_cat = resolve_end(kg, target)
    adj = _adjacency(index, frozenset(predicates) if predicates else None, directed)
    degree = {n: max(1, len(nbrs)) for n, nbrs in adj.items()}
    levels = [len(via_cats) + 1] if via_cats is not None else list(range(1, max_hops + 1))
    walk = _Walk(adj, set(targets), _distances(adj, set(targets), max(levels), directed),
                 # intermediate nodes may not be ends of a category question: a path stops at the first match
                 blocked=(set(targets) if target_cat else set()) | (set(sources) if source_cat else set()),
                 via=via_cats, category_of=index.category_of, deadline=deadline)
    search = PathSearch(sources=sources, targets=targets, labels=index.model.entity_labels, categories=index.category_of)
    found: list[FoundPath] = []
    for length in levels:
        routes = walk.routes(sources, length)
        found.extend(_assemble(route, adj, degree, index.category_of) for route in routes)
        if walk.truncated or len(found) >= limit:
            break
    found.sort(key=lambda p: (p.low_information, p.length, -p.score, -p.evidence_count, p.nodes))
    search.paths = found[:limit]
    search.truncated = walk.truncated
    if search.truncated:
        search.message = f"enumeration stopped at the {time_budget:g} s time budget; results are partial"
    elif not search.paths:
        search.message = f"no path within {max(levels)} hops"
    return search


def _check_bounds(max_hops: int, limit: int, time_budget: float) -> None:
    if not 1 <= max_hops <= MAX_HOPS:
        raise UsageError(f"max_hops must be between 1 and {MAX_HOPS}")
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}")
    if not math.isfinite(time_budget) or time_budget < 0:
        raise UsageError(f"time budget must be a finite, non-negative number of seconds, got {time_budget}")


def _metapath(index: _PathIndex, via: list[str] | tuple[str, ...] | None) -> list[str] | None:
    """The categories of a metapath, canonicalised; None without one."""
    if not via:
        return None
    cats = []
    for cat in via:
        matched = _category(index, cat)
        if matched is None:
            raise NotFoundError(f"unknown category '{cat}' in via", sorted(index.categories))
        cats.append(matched)
    if len(cats) + 1 > MAX_HOPS:
        raise UsageError(f"a metapath may have at most {MAX_HOPS - 1} intermediate categories")
    return cats


@dataclass(slots=True)
class _Walk:
    """Depth-first enumeration of routes of one exact length, pruned by distance to the targets."""

    adj: Adjacency
    targets: set[str]
    dist: dict[str, int]
    blocked: set[str]
    via: list[str] | None
    category_of: dict[str, str]
    deadline: float
    truncated: bool = False

    def routes(self, sources: list[str], length: int) -> list[tuple[str, ...]]:
        out: list[tuple[str, ...]] = []
        for start in sources:
            if self.dist.get(start, length + 1) <= length:
                self._from(start, length, out)
            if self.truncated:
                break
        return out

    def _from(self, start: str, length: int, out: list[tuple[str, ...]]) -> None:
        stack: list[tuple[str, ...]] = [(start,)]
        while stack:
            if time.monotonic() > self.deadline:
                self.truncated = True
                return
            route = stack.pop()
            depth = len(route) - 1
            if depth == length:
                if route[-1] in self.targets and route[-1] != start:
                    out.append(route)
                continue
            stack.extend((*route, nxt) for nxt in self._next(route, length - depth - 1, depth))

    def _next(self, route: tuple[str, ...], remaining: int, depth: int) -> list[str]:
        nexts = []
        for nxt in sorted(self.adj[route[-1]], reverse=True):
            if nxt in route or self.dist.get(nxt, remaining + 1) > remaining:
                continue
            if remaining > 0 and (nxt in self.blocked or nxt in self.targets):
                continue
            if self.via is not None and remaining > 0 and self.category_of.get(nxt) != self.via[depth]:
                continue
            nexts.append(nxt)
        return nexts


def _assemble(route: tuple[str, ...], adj: Adjacency, degree: dict[str, int], category_of: dict[str, str]) -> FoundPath:
    """The best hop for each step of a route, with same-direction alternatives, and the route's score."""
    hops = []
    score = 1.0
    for u, v in pairwise(route):
        options = adj[u][v]
        best = options[0]
        others = tuple(sorted({h.predicate for h in options[1:]
                               if h.direction == best.direction and h.predicate != best.predicate}))
        hops.append(Hop(best.statement, best.direction, others))
        score *= (degree[u] * degree[v]) ** -DAMPING * evidence_strength(best.statement)
    low = sum(category_of.get(n) in LOW_INFORMATION_CATEGORIES for n in route[1:-1])
    low += sum(h.predicate in LOW_INFORMATION_PREDICATES for h in hops)
    return FoundPath(route, tuple(hops), score, low)
