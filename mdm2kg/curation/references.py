"""Cross-record checks of a loaded dataset: duplicate ids, references to unknown ids (with the
nearest existing id as a hint), predicate domain/range, evidence sources and locators, and
citation cycles among publications."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from mdm2kg.curation.model import (
    AdverseEventObservation,
    Dataset,
    Entity,
    Evidence,
    Location,
    Publication,
    SourceConflict,
    Statement,
    TrialResult,
)
from mdm2kg.curation.schema import Schema
from mdm2kg.errors import Problem, ProblemKind

TRIALS = frozenset({"ClinicalTrial"})
ARMS = frozenset({"TrialArm"})
ADVERSE_EVENTS = frozenset({"AdverseEvent"})


def _at(loc: Location | None) -> tuple[str, int, int]:
    return (loc.file, loc.line, loc.column) if loc else ("", 0, 0)


class _Checker:
    """The indexes of a dataset and the checks that use them; problems are appended."""

    def __init__(self, ds: Dataset, schema: Schema, problems: list[Problem]) -> None:
        self.schema = schema
        self.problems = problems
        self.entities: dict[str, Entity] = ds.entity_index()
        self.pubs: dict[str, Publication] = ds.publication_index()
        self.entity_ids = sorted(self.entities)
        self.pub_ids = sorted(self.pubs)
        self.conflict_targets: dict[str, Any] = {**self.entities, **self.pubs, **{r.id: r for r in ds.results},
                                                 **{o.id: o for o in ds.observations}}
        self.conflict_target_ids = sorted(self.conflict_targets)  # for did-you-mean hints, sorted once

    def add(self, kind: ProblemKind, message: str, loc: Location | None, hint: str) -> None:
        self.problems.append(Problem(kind, message, *_at(loc), hint=hint))

    def ref(self, rid: str | None, pool: Mapping[str, Any], names: list[str], what: str, loc: Location | None,
            categories: frozenset[str] | None = None) -> None:
        """`rid` must name a record of `pool` (and, for entities, one of `categories`)."""
        if rid is None:
            return
        if rid not in pool:
            close = difflib.get_close_matches(rid, names, n=3, cutoff=0.6)
            hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else f"define the {what} first"
            self.add(ProblemKind.UNKNOWN_REFERENCE, f"unknown {what} '{rid}'", loc, hint)
        elif categories is not None and pool is self.entities and self.entities[rid].category not in categories:
            self.add(ProblemKind.DOMAIN_RANGE, f"'{rid}' is a {self.entities[rid].category}, expected {'/'.join(sorted(categories))}",
                     loc, "reference an entity of the expected category")

    def entity(self, rid: str | None, what: str, loc: Location | None, categories: frozenset[str] | None = None) -> None:
        self.ref(rid, self.entities, self.entity_ids, what, loc, categories)

    def publication(self, rid: str | None, loc: Location | None) -> None:
        self.ref(rid, self.pubs, self.pub_ids, "publication", loc)

    def evidence(self, evs: Iterable[Evidence]) -> None:
        """Sources and cited references exist; the locator is a section of the source."""
        for ev in evs:
            self.publication(ev.source, ev.loc)
            for cited in ev.cites:
                self.publication(cited, ev.loc)
            pub = self.pubs.get(ev.source)
            if pub is not None and pub.sections and ev.locator not in dict(pub.sections):
                close = difflib.get_close_matches(ev.locator, [k for k, _ in pub.sections], n=1)
                self.add(ProblemKind.UNKNOWN_TERM, f"locator '{ev.locator}' is not a section of {pub.id}", ev.loc,
                         f"did you mean '{close[0]}'?" if close else "use a key of its sections")

    # -- per kind of record ---------------------------------------------------------------------

    def statement(self, st: Statement) -> None:
        spec = self.schema.predicates[st.predicate]
        self.entity(st.subject, "entity", st.loc)
        subject = self.entities.get(st.subject)
        if subject is not None and not self.schema.fits(subject.category, spec.domain):
            self.add(ProblemKind.DOMAIN_RANGE, f"'{st.predicate}' cannot have a {subject.category} subject ('{st.subject}')", st.loc,
                     f"allowed subjects: {', '.join(sorted(spec.domain))}")
        if spec.kind == "object" and st.object is not None and not ("Publication" in spec.range and st.object in self.pubs):
            self.entity(st.object, "entity", st.loc)
            obj = self.entities.get(st.object)
            if obj is not None and not self.schema.fits(obj.category, spec.range):
                self.add(ProblemKind.DOMAIN_RANGE, f"'{st.predicate}' cannot have a {obj.category} object ('{st.object}')", st.loc,
                         f"allowed objects: {', '.join(sorted(spec.range))}")
        for key, value in st.qualifiers:
            if key == "trial":
                self.entity(str(value), "trial", st.loc, TRIALS)
        self.evidence(st.evidence)

    def result(self, r: TrialResult) -> None:
        self.entity(r.trial, "trial", r.loc, TRIALS)
        self.entity(r.arm, "arm", r.loc, ARMS)
        self.entity(r.comparator_arm, "arm", r.loc, ARMS)
        self.evidence(r.evidence)

    def observation(self, o: AdverseEventObservation) -> None:
        self.entity(o.trial, "trial", o.loc, TRIALS)
        self.entity(o.arm, "arm", o.loc, ARMS)
        self.entity(o.event, "adverse event", o.loc, ADVERSE_EVENTS)
        self.evidence(o.evidence)

    def conflict(self, c: SourceConflict) -> None:
        # a conflict is about entities, publications, or the very numbers it questions (results, observations)
        for rid in c.about:
            self.ref(rid, self.conflict_targets, self.conflict_target_ids, "entity, publication, result or observation",
                     c.loc)
        self.evidence(cl.evidence for cl in c.claims)

    def citation_cycles(self, publications: Iterable[Publication]) -> None:
        """`referenced_by` must lead up to a source document, never back to where it started."""
        done: set[str] = set()
        for pub in publications:
            chain: list[str] = []
            current: str | None = pub.id
            while current is not None and current in self.pubs and current not in done and current not in chain:
                chain.append(current)
                current = self.pubs[current].referenced_by
            done.update(chain)
            if current is not None and current in chain:
                cycle = chain[chain.index(current):]
                first = self.pubs[cycle[0]]
                path = " -> ".join([*cycle, cycle[0]])
                self.add(ProblemKind.SELF_REFERENCE, f"publications are referenced by each other in a cycle: {path}", first.loc,
                         "'referenced_by' names the document whose reference list holds this one")


def _duplicate_ids(ds: Dataset, problems: list[Problem]) -> None:
    """Every record id is used once, across all files and kinds of record."""
    seen: dict[str, Location | None] = {}
    records: list[Any] = [*ds.publications, *ds.entities, *ds.results, *ds.observations, *ds.conflicts]
    for record in records:
        if record.id in seen:
            first = seen[record.id]
            where = f"{first.file}:{first.line}" if first else "elsewhere"
            problems.append(Problem(ProblemKind.DUPLICATE_ID, f"id '{record.id}' is already used at {where}", *_at(record.loc),
                                    hint="rename one of them or merge the two records"))
        else:
            seen[record.id] = record.loc


def check_references(ds: Dataset, schema: Schema, problems: list[Problem]) -> None:
    """Append a located problem for every cross-record inconsistency of `ds`."""
    _duplicate_ids(ds, problems)
    check = _Checker(ds, schema, problems)
    for pub in ds.publications:
        check.publication(pub.referenced_by, pub.loc)
    check.citation_cycles(ds.publications)
    for st in ds.statements:
        check.statement(st)
    for r in ds.results:
        check.result(r)
    for o in ds.observations:
        check.observation(o)
    for c in ds.conflicts:
        check.conflict(c)
