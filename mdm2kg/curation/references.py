"""Cross-record checks of a loaded dataset: duplicate ids, references to unknown ids (with the
nearest existing id as a hint), predicate domain/range, evidence sources and locators."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from mdm2kg.curation.model import Dataset, Evidence, Location
from mdm2kg.curation.schema import Schema
from mdm2kg.errors import Problem, ProblemKind


def check_references(ds: Dataset, schema: Schema, problems: list[Problem]) -> None:
    """Append a located problem for every cross-record inconsistency of `ds`."""
    def at(loc: Location | None) -> tuple[str, int, int]:
        return (loc.file, loc.line, loc.column) if loc else ("", 0, 0)

    seen: dict[str, Location | None] = {}
    records: list[tuple[str, Location | None]] = [(r.id, r.loc) for r in ds.publications]
    records += [(r.id, r.loc) for r in ds.entities] + [(r.id, r.loc) for r in ds.results]
    records += [(r.id, r.loc) for r in ds.observations] + [(r.id, r.loc) for r in ds.conflicts]
    for rid, loc in records:
        if rid in seen:
            first = seen[rid]
            where = f"{first.file}:{first.line}" if first else "elsewhere"
            problems.append(Problem(ProblemKind.DUPLICATE_ID, f"id '{rid}' is already used at {where}", *at(loc),
                                    hint="rename one of them or merge the two records"))
        else:
            seen[rid] = loc
    entities = ds.entity_index()
    pubs = ds.publication_index()
    entity_ids = sorted(entities)
    pub_ids = sorted(pubs)

    def ref(rid: str | None, pool: dict[str, Any], names: list[str], what: str, loc: Location | None,
            categories: frozenset[str] | None = None) -> None:
        if rid is None:
            return
        if rid not in pool:
            close = difflib.get_close_matches(rid, names, n=3, cutoff=0.6)
            hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else f"define the {what} first"
            problems.append(Problem(ProblemKind.UNKNOWN_REFERENCE, f"unknown {what} '{rid}'", *at(loc), hint=hint))
        elif categories is not None and pool is entities and entities[rid].category not in categories:
            problems.append(Problem(ProblemKind.DOMAIN_RANGE,
                                    f"'{rid}' is a {entities[rid].category}, expected {'/'.join(sorted(categories))}",
                                    *at(loc), hint="reference an entity of the expected category"))

    def check_evidence(evs: Iterable[Evidence]) -> None:
        for ev in evs:
            ref(ev.source, pubs, pub_ids, "publication", ev.loc)
            for cited in ev.cites:
                ref(cited, pubs, pub_ids, "publication", ev.loc)
            pub = pubs.get(ev.source)
            if pub is not None and pub.sections and ev.locator not in dict(pub.sections):
                close = difflib.get_close_matches(ev.locator, [k for k, _ in pub.sections], n=1)
                problems.append(Problem(ProblemKind.UNKNOWN_TERM, f"locator '{ev.locator}' is not a section of {pub.id}",
                                        *at(ev.loc), hint=f"did you mean '{close[0]}'?" if close else "use a key of its sections"))

    for pub in ds.publications:
        ref(pub.referenced_by, pubs, pub_ids, "publication", pub.loc)
    for st in ds.statements:
        spec = schema.predicates[st.predicate]
        ref(st.subject, entities, entity_ids, "entity", st.loc)
        subject = entities.get(st.subject)
        if subject is not None and not schema.fits(subject.category, spec.domain):
            problems.append(Problem(ProblemKind.DOMAIN_RANGE,
                                    f"'{st.predicate}' cannot have a {subject.category} subject ('{st.subject}')", *at(st.loc),
                                    hint=f"allowed subjects: {', '.join(sorted(spec.domain))}"))
        if spec.kind == "object" and st.object is not None:
            if "Publication" in spec.range and st.object in pubs:
                pass
            else:
                ref(st.object, entities, entity_ids, "entity", st.loc)
                obj = entities.get(st.object)
                if obj is not None and not schema.fits(obj.category, spec.range):
                    problems.append(Problem(ProblemKind.DOMAIN_RANGE,
                                            f"'{st.predicate}' cannot have a {obj.category} object ('{st.object}')", *at(st.loc),
                                            hint=f"allowed objects: {', '.join(sorted(spec.range))}"))
        for key, value in st.qualifiers:
            if key == "trial":
                ref(str(value), entities, entity_ids, "trial", st.loc, frozenset({"ClinicalTrial"}))
        check_evidence(st.evidence)
    trials = frozenset({"ClinicalTrial"})
    arms = frozenset({"TrialArm"})
    for r in ds.results:
        ref(r.trial, entities, entity_ids, "trial", r.loc, trials)
        ref(r.arm, entities, entity_ids, "arm", r.loc, arms)
        ref(r.comparator_arm, entities, entity_ids, "arm", r.loc, arms)
        check_evidence(r.evidence)
    for o in ds.observations:
        ref(o.trial, entities, entity_ids, "trial", o.loc, trials)
        ref(o.arm, entities, entity_ids, "arm", o.loc, arms)
        ref(o.event, entities, entity_ids, "adverse event", o.loc, frozenset({"AdverseEvent"}))
        check_evidence(o.evidence)
    for c in ds.conflicts:
        for rid in c.about:
            ref(rid, {**entities, **pubs}, entity_ids + pub_ids, "entity", c.loc)
        check_evidence(cl.evidence for cl in c.claims)
