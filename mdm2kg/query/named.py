"""Named competency queries: `.rq` files with a description and typed parameters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from mdm2kg.curation.iri import ID_PATTERN
from mdm2kg.errors import NotFoundError, QueryError
from mdm2kg.prefixes import SPARQL_PREFIXES
from mdm2kg.query.binding import register_text
from mdm2kg.query.engine import run_query, term_for
from mdm2kg.query.results import QueryResult
from mdm2kg.read.model import read_model
from mdm2kg.resources import queries_dir

if TYPE_CHECKING:
    from mdm2kg.artifact.graph import KnowledgeGraph

PREFIXES = SPARQL_PREFIXES

# ----------------------------------------------------------------------------- named queries


class Param(NamedTuple):
    name: str
    kind: str  # entity | id | class | string | integer | decimal | phase
    required: bool
    description: str
    default: str | None = None


class NamedQuery(NamedTuple):
    name: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        valid = ", ".join(p.name for p in self.params) or "none"
        raise QueryError(f"query '{self.name}' has no parameter '{name}' (valid: {valid})")


_HEADER = re.compile(r"^#\s*(description|param)\s*:\s*(.*)$")


@cache
def _parse_named(path: Path) -> NamedQuery:
    """The named query in `path` (parsed once per process: one object per query)."""
    description: list[str] = []
    params: list[Param] = []
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match and match.group(1) == "description":
            description.append(match.group(2).strip())
        elif match:
            # param: NAME KIND required|optional[=DEFAULT] free text
            name, kind, need, *rest = match.group(2).split(None, 3)
            default = need.split("=", 1)[1] if "=" in need else None
            params.append(Param(name, kind, need.startswith("required"), rest[0] if rest else "", default))
        elif description and line.strip() != "#":
            description.append(line.lstrip("# ").strip())
    register_text(text)  # ours: the embedded engine may write its IRI parameters in as constants
    return NamedQuery(path.stem, " ".join(description), tuple(params), text, path)


@lru_cache(maxsize=1)
def named_queries() -> dict[str, NamedQuery]:
    """All named competency queries shipped with mdm2kg, by name."""
    return {q.name: q for q in sorted((_parse_named(p) for p in queries_dir().glob("*.rq")), key=lambda q: q.name)}


def get_named(name: str) -> NamedQuery:
    path = queries_dir() / f"{name}.rq"
    if ID_PATTERN.match(name) and path.is_file():
        return _parse_named(path)  # the one file: a command running one query does not parse them all
    queries = named_queries()
    if name not in queries:
        import difflib

        close = difflib.get_close_matches(name, list(queries), n=3)
        raise NotFoundError(f"unknown named query '{name}'", close or sorted(queries))
    return queries[name]


def named_bindings(kg: KnowledgeGraph | None, query: NamedQuery, params: Mapping[str, str],
                   *, resolve: Any = None) -> dict[str, Any]:
    """Check and convert user parameters for a named query to bindable values.

    Entity parameters accept an id, label, synonym or CURIE and become the entity IRI.
    """
    import pyoxigraph as ox

    out: dict[str, Any] = {}
    for key in params:
        query.param(key)  # raises with the valid names
    for p in query.params:
        raw = params.get(p.name, p.default)
        if raw is None:
            if p.required:
                raise QueryError(f"query '{query.name}' needs --param {p.name}=... ({p.description})")
            continue
        if p.kind == "entity":
            if resolve is None:
                if kg is None:
                    raise QueryError(f"parameter {p.name} names an entity: give a graph or a resolver")
                entity_id = read_model(kg).resolve(raw)
            else:
                entity_id = resolve(raw)
            if not ID_PATTERN.match(entity_id):  # an IRI made of id characters only, whoever resolved it
                raise QueryError(f"parameter {p.name}: '{raw}' resolved to '{entity_id}', which is not an entity id")
            out[p.name] = ox.NamedNode(PREFIXES["mdm2"] + entity_id)
        elif p.kind in ("id", "class"):
            if not ID_PATTERN.match(raw):
                raise QueryError(f"parameter {p.name} must be an id, got '{raw}'")
            base = PREFIXES["mdm2"] if p.kind == "id" else PREFIXES["mdm2kg"]
            out[p.name] = ox.NamedNode(base + raw)
        elif p.kind == "phase":
            out[p.name] = phase_roman(raw)
        elif p.kind == "integer":
            try:
                out[p.name] = int(raw)
            except ValueError as exc:
                raise QueryError(f"parameter {p.name} must be an integer, got '{raw}'") from exc
        elif p.kind == "decimal":
            try:
                out[p.name] = Decimal(raw)
            except ArithmeticError as exc:
                raise QueryError(f"parameter {p.name} must be a number, got '{raw}'") from exc
        else:
            out[p.name] = raw
    return out


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_LEVEL = {v: k for k, v in _ROMAN.items()}
_TOKEN = re.compile(r"IV|I{1,3}")


def phase_normalized(text: str) -> str:
    """A stated phase in one spelling: upper case, Arabic digits as Roman numerals (the form the
    named queries match on; the text as stated stays in the answers).

    >>> phase_normalized("Phase 3"), phase_normalized("phase Ib/II"), phase_normalized("Phase I–III")
    ('PHASE III', 'PHASE IB/II', 'PHASE I–III')
    """
    out = text.upper()
    for digit in (4, 3, 2, 1):
        out = out.replace(str(digit), _ROMAN[digit])
    return out


def phase_levels(text: str) -> frozenset[int]:
    """The phases (1-4) a stated phase counts for: Phase II/III counts for 2 and 3, I–III for 1-3.

    >>> sorted(phase_levels("Phase II/III")), sorted(phase_levels("Phase I–III")), sorted(phase_levels("Phase 3"))
    ([2, 3], [1, 2, 3], [3])
    """
    norm = phase_normalized(text).removeprefix("PHASE").strip()
    levels: set[int] = set()
    for part in re.split(r"\s*/\s*|\s*,\s*", norm):
        ends = []
        for end in re.split(r"[-–]", part):
            match = _TOKEN.match(end.strip())
            if match:
                ends.append(_LEVEL[match.group(0)])
        if len(ends) >= 2:
            levels.update(range(min(ends), max(ends) + 1))
        levels.update(ends)
    return frozenset(levels)


def phase_roman(text: str) -> str:
    """The one phase `text` names as a Roman numeral: "Phase 3", "iii", "3" -> "III".

    >>> phase_roman("Phase 3"), phase_roman("ii")
    ('III', 'II')
    """
    levels = phase_levels(text if text.upper().startswith("PHASE") else f"Phase {text}")
    if len(levels) != 1:
        raise QueryError(f"parameter phase must name one phase (e.g. 'Phase 3' or III), got '{text}'")
    return _ROMAN[next(iter(levels))]


def phase_regex(text: str) -> str:
    """A regular expression over `phase_normalized` text that matches every stated phase counting
    for the one phase `text` names ("Phase 3", "III", "phase iii", "3").

    >>> import re
    >>> pattern = phase_regex("Phase 3")
    >>> [s for s in ("Phase III", "Phase 3", "Phase II/III", "Phase I–III", "Phase II", "Phase I/II")
    ...  if re.search(pattern, phase_normalized(s))]
    ['Phase III', 'Phase 3', 'Phase II/III', 'Phase I–III']
    """
    level = _LEVEL[phase_roman(text)]
    alternatives = [f"(^|[^IV]){_ROMAN[level]}([^IV]|$)"]
    for low in range(1, level):
        for high in range(level + 1, 5):
            alternatives.append(f"(^|[^IV]){_ROMAN[low]}(-|–){_ROMAN[high]}([^IV]|$)")
    return "|".join(alternatives)


def run_named(kg: KnowledgeGraph, name: str, params: Mapping[str, str] | None = None) -> QueryResult:
    """Run a named competency query with user parameters.

    >>> from mdm2kg.artifact.graph import KnowledgeGraph  # doctest: +SKIP
    >>> run_named(KnowledgeGraph.build(), "trials_of_compound", {"compound": "milademetan"})  # doctest: +SKIP
    """
    query = get_named(name)
    return run_query(kg, query.text, bindings=named_bindings(kg, query, params or {}))


def values_clause(bindings: Mapping[str, Any]) -> str:
    """A trailing SPARQL VALUES block binding each variable to a serialised RDF term
    (for remote endpoints, which cannot take bindings out of band)."""
    if not bindings:
        return ""
    names = sorted(bindings)
    terms = [str(term_for(bindings[n])) for n in names]
    return "\nVALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + " ".join(terms) + ") }\n"

