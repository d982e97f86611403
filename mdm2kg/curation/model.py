"""Typed curation records. Imports no RDF library: the builder turns these into triples."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

Number = int | Decimal
Scalar = str | int | Decimal | bool


@dataclass(frozen=True, slots=True)
class Location:
    """Where a record starts: file path and 1-based line/column."""

    file: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Evidence:
    """One citation: source publication, locator, verbatim anchor phrase, evidence kind."""

    source: str
    locator: str
    anchor: str
    kind: str
    cites: tuple[str, ...] = ()
    loc: Location | None = field(default=None, compare=False)

    def __str__(self) -> str:
        """One-line citation: `source locator: "anchor" citing refs`.

        >>> str(Evidence("doc1", "§1", "drug A inhibits", "review_statement", ("doc1_ref01",)))
        'doc1 §1: "drug A inhibits" citing doc1_ref01'
        """
        refs = f" citing {', '.join(self.cites)}" if self.cites else ""
        return f'{self.source} {self.locator}: "{self.anchor}"{refs}'

    def as_dict(self) -> dict[str, object]:
        return {"source": self.source, "locator": self.locator, "anchor": self.anchor, "kind": self.kind,
                "cites": list(self.cites)}


@dataclass(frozen=True, slots=True)
class Publication:
    id: str
    kind: str
    title: str
    authors: tuple[str, ...] = ()
    journal: str | None = None
    year: int | None = None
    date: str | None = None
    publisher: str | None = None
    licence: str | None = None
    identifiers: tuple[str, ...] = ()
    document: str | None = None
    sections: tuple[tuple[str, str], ...] = ()
    referenced_by: str | None = None
    reference_number: int | None = None
    loc: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    category: str
    label: str
    synonyms: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    description: str | None = None
    loc: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Statement:
    """subject -predicate-> object (an entity id) or -> value (a literal), with evidence.

    A `negated` statement records that the source says the relation does NOT hold: it is data
    (with its evidence and qualifiers), never a fact, so it never gets a direct triple.
    """

    subject: str
    predicate: str
    object: str | None
    value: Scalar | None
    qualifiers: tuple[tuple[str, Scalar], ...]
    evidence: tuple[Evidence, ...]
    loc: Location | None = field(default=None, compare=False)
    negated: bool = False

    @property
    def key(self) -> tuple[str, ...]:
        """Identity of the statement: same key means same statement (evidence is merged).
        A negated statement is never the same statement as its positive counterpart."""
        obj = self.object if self.object is not None else f"value:{self.value!r}"
        quals = ";".join(f"{k}={v!r}" for k, v in self.qualifiers)
        return (self.subject, self.predicate, obj, quals, "negated") if self.negated else (self.subject, self.predicate, obj, quals)


@dataclass(frozen=True, slots=True)
class TrialResult:
    id: str
    trial: str
    endpoint: str
    value: Decimal
    unit: str
    evidence: tuple[Evidence, ...]
    arm: str | None = None
    comparator_arm: str | None = None
    count: int | None = None
    denominator: int | None = None
    ci_low: Decimal | None = None
    ci_high: Decimal | None = None
    ci_level: Decimal | None = None
    n: int | None = None
    p_value: Decimal | None = None
    population: str | None = None
    loc: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class AdverseEventObservation:
    id: str
    trial: str
    event: str
    grade: str
    incidence: Decimal
    unit: str
    evidence: tuple[Evidence, ...]
    arm: str | None = None
    count: int | None = None
    n: int | None = None
    loc: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Claim:
    says: str
    evidence: Evidence
    preferred: bool | None = None


@dataclass(frozen=True, slots=True)
class SourceConflict:
    id: str
    kind: str
    topic: str
    claims: tuple[Claim, ...]
    resolution: str
    about: tuple[str, ...] = ()
    loc: Location | None = field(default=None, compare=False)


@dataclass(slots=True)
class Dataset:
    """Everything curated, merged from all files; statements with equal keys are merged."""

    publications: list[Publication] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    results: list[TrialResult] = field(default_factory=list)
    observations: list[AdverseEventObservation] = field(default_factory=list)
    conflicts: list[SourceConflict] = field(default_factory=list)

    def all_evidence(self) -> Iterator[Evidence]:
        """Every piece of evidence of every record (statements, results, observations, conflict claims)."""
        for st in self.statements:
            yield from st.evidence
        for r in self.results:
            yield from r.evidence
        for o in self.observations:
            yield from o.evidence
        for c in self.conflicts:
            for claim in c.claims:
                yield claim.evidence

    def entity_index(self) -> dict[str, Entity]:
        return {e.id: e for e in self.entities}

    def publication_index(self) -> dict[str, Publication]:
        return {p.id: p for p in self.publications}
