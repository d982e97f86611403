"""Differences between two releases of the graph, record by record.

Both sides are read as built graphs (a file, a directory holding `mdm2kg.nt`, or a curated
data directory that is built first) and compared through their read models (`mdm2kg.read`):
entities (grouped by category), statements with negation, qualifiers and evidence (by
predicate), results (trial results and adverse-event observations), conflicts (by conflict
kind) and publications (by kind), each compared by id. A record's fields are its read-model
values under the property names of the graph (`rdfs:label`, `mdm2kg:q_site`, ...), with
evidence and conflict claims rendered in place, so an edited anchor shows as a change of the
statement that carries it. A statement whose qualifiers changed gets a new id; when one
removed and one added statement share subject, predicate and object they are reported as one
change. Triples about no curated id (the vocabulary) are counted as "other"; the dataset
description is ignored (it always differs between releases). Numbers read back in canonical
form (3.20 -> 3.2).

>>> d = diff_graphs(KnowledgeGraph.build(["old/"]), KnowledgeGraph.build(["new/"]))  # doctest: +SKIP
>>> d.identical, d.summary()["statements"]                                            # doctest: +SKIP
(False, {'added': 3, 'removed': 1, 'changed': 2})
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mdm2kg.curation.model import AdverseEventObservation, Evidence, Publication, SourceConflict, TrialResult
from mdm2kg.errors import UsageError
from mdm2kg.prefixes import ID_BASE
from mdm2kg.rdf.metadata import DATASET_IRI, read_description
from mdm2kg.read.model import ReadModel, read_model
from mdm2kg.read.views import Entity, Statement

if TYPE_CHECKING:
    from rdflib import Graph

    from mdm2kg.artifact.graph import KnowledgeGraph

SECTIONS = ("entities", "statements", "results", "conflicts", "publications")
def load_graph(source: str | Path) -> KnowledgeGraph:
    """Open one side of a diff: 'shipped', a built file (.nt, .ttl, .jsonld), a directory
    holding `mdm2kg.nt` (the output of `mdm2kg build`) or a curated data directory."""
    from mdm2kg.artifact.cache import SHIPPED
    from mdm2kg.artifact.graph import KnowledgeGraph

    if str(source) == SHIPPED:
        return KnowledgeGraph.build()
    path = Path(source)
    if path.is_file():
        return KnowledgeGraph.from_file(path)
    if path.is_dir():
        if (path / "mdm2kg.nt").is_file():
            return KnowledgeGraph.from_file(path / "mdm2kg.nt")
        if any(path.glob("*.yaml")) or any(path.glob("*.yml")):
            return KnowledgeGraph.build([path])
        raise UsageError(f"{path} holds neither mdm2kg.nt nor curated *.yaml files")
    raise UsageError(f"{path} does not exist")


@dataclass(frozen=True, slots=True)
class Record:
    """One comparable record: `fields` maps a property CURIE to its sorted rendered values."""

    id: str
    section: str
    group: str
    label: str
    fields: tuple[tuple[str, tuple[str, ...]], ...]

    def field_map(self) -> dict[str, tuple[str, ...]]:
        return dict(self.fields)


@dataclass(slots=True)
class Change:
    """A record present on both sides with different fields (`old_id` set when re-keyed)."""

    record: Record
    fields: dict[str, dict[str, list[str]]]  # property -> {"removed": [...], "added": [...]}
    old_id: str | None = None


@dataclass(slots=True)
class SectionDiff:
    added: list[Record] = field(default_factory=list)
    removed: list[Record] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def groups(self) -> list[str]:
        names = {r.group for r in self.added} | {r.group for r in self.removed} | {c.record.group for c in self.changed}
        return sorted(names)


@dataclass(slots=True)
class GraphDiff:
    """The differences between two graphs (see the module docstring)."""

    old_name: str
    new_name: str
    old_release: dict[str, Any]
    new_release: dict[str, Any]
    sections: dict[str, SectionDiff]
    other_added: list[str]
    other_removed: list[str]

    @property
    def identical(self) -> bool:
        return all(s.empty for s in self.sections.values()) and not (self.other_added or self.other_removed)

    def summary(self) -> dict[str, dict[str, int]]:
        """Counts per section, e.g. `{"entities": {"added": 1, "removed": 0, "changed": 2}, ...}`."""
        out = {name: {"added": len(s.added), "removed": len(s.removed), "changed": len(s.changed)}
               for name, s in self.sections.items()}
        out["other triples"] = {"added": len(self.other_added), "removed": len(self.other_removed), "changed": 0}
        return out

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, grouped by section then category."""
        def brief(r: Record) -> dict[str, str]:
            return {"id": r.id, "label": r.label}

        sections: dict[str, Any] = {}
        for name, s in self.sections.items():
            groups: dict[str, Any] = {}
            for group in s.groups():
                groups[group] = {
                    "added": [brief(r) for r in s.added if r.group == group],
                    "removed": [brief(r) for r in s.removed if r.group == group],
                    "changed": [
                        {**brief(c.record), **({"old_id": c.old_id} if c.old_id else {}), "fields": c.fields}
                        for c in s.changed if c.record.group == group
                    ],
                }
            sections[name] = groups
        return {
            "identical": self.identical,
            "old": {"source": self.old_name, **self.old_release},
            "new": {"source": self.new_name, **self.new_release},
            "summary": self.summary(),
            "sections": sections,
            "other_triples": {"added": self.other_added, "removed": self.other_removed},
        }

    def to_text(self, *, max_other: int = 20) -> str:
        """Readable report: per section, per category, `+` added, `-` removed, `~` changed."""
        def release(name: str, info: dict[str, Any]) -> str:
            parts = [f"version {info['version']}" if info.get("version") else "",
                     f"issued {info['issued']}" if info.get("issued") else "",
                     f"{info['triples']} triples" if info.get("triples") is not None else ""]
            extra = ", ".join(p for p in parts if p)
            return f"{name} ({extra})" if extra else name

        lines = [f"old: {release(self.old_name, self.old_release)}", f"new: {release(self.new_name, self.new_release)}"]
        for name, s in self.sections.items():
            counts = f"{len(s.added)} added, {len(s.removed)} removed, {len(s.changed)} changed"
            lines.append(f"{name}: {counts}")
            for group in s.groups():
                lines.append(f"  {group}")
                lines += [f"    + {r.id}  {r.label}" for r in s.added if r.group == group]
                lines += [f"    - {r.id}  {r.label}" for r in s.removed if r.group == group]
                for c in s.changed:
                    if c.record.group != group:
                        continue
                    rekey = f" (was {c.old_id})" if c.old_id else ""
                    lines.append(f"    ~ {c.record.id}{rekey}  {c.record.label}")
                    for prop, delta in c.fields.items():
                        lines += [f"        {prop} - {v}" for v in delta["removed"]]
                        lines += [f"        {prop} + {v}" for v in delta["added"]]
        lines.append(f"other triples: {len(self.other_added)} added, {len(self.other_removed)} removed")
        for sign, triples in (("+", self.other_added), ("-", self.other_removed)):
            lines += [f"    {sign} {t}" for t in triples[:max_other]]
            if len(triples) > max_other:
                lines.append(f"    {sign} ... and {len(triples) - max_other} more")
        lines.append("identical" if self.identical else "different")
        return "\n".join(lines)


def _text(value: Any) -> str:
    """A record value as text: booleans as true/false, numbers in canonical form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _lit(value: Any) -> str:
    return f'"{_text(value)}"'


def _evidence(ev: Evidence) -> str:
    """One evidence record in place, e.g. `{anchor="drug A inhibits"; kind="review_statement"; ...}`."""
    parts = [f"anchor={_lit(ev.anchor)}", f"kind={_lit(ev.kind)}", f"locator={_lit(ev.locator)}", f"source={ev.source}"]
    parts += [f"cites={ref}" for ref in ev.cites]
    return "{" + "; ".join(sorted(parts)) + "}"


def _fields(pairs: list[tuple[str, tuple[str, ...]]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Sorted (property, sorted values) pairs, empty properties left out."""
    return tuple(sorted((name, tuple(sorted(values))) for name, values in pairs if values))


def _entity(entity: Entity) -> Record:
    return Record(entity.id, "entities", entity.category, entity.label, _fields([
        ("rdf:type", (f"mdm2kg:{entity.category}",)), ("rdfs:label", (_lit(entity.label),)),
        ("skos:altLabel", tuple(_lit(s) for s in entity.synonyms)), ("skos:notation", tuple(_lit(c) for c in entity.identifiers)),
        ("dcterms:description", (_lit(entity.description),) if entity.description else ()),
    ]))


def _statement(st: Statement) -> Record:
    quals = [f"{name}={_text(value)}" for name, value in st.qualifiers]
    label = f"{st.subject} {st.predicate} {st.target}" + (f" [{', '.join(sorted(quals))}]" if quals else "")
    target = st.object if st.object is not None else _lit(st.value)
    return Record(st.id, "statements", st.predicate, label, _fields([
        ("rdf:subject", (st.subject,)), ("rdf:predicate", (f"mdm2kg:{st.predicate}",)), ("rdf:object", (target,)),
        ("mdm2kg:negated", (_lit(True),) if st.negated else ()),
        *((f"mdm2kg:q_{name}", (_lit(value),)) for name, value in st.qualifiers),
        ("mdm2kg:hasEvidence", tuple(_evidence(e) for e in st.evidence)),
    ]))


def _numbers(record: TrialResult | AdverseEventObservation, label: str) -> Record:
    pairs: list[tuple[str, tuple[str, ...]]] = [(f"mdm2kg:{f.name}", (_lit(getattr(record, f.name)),)) for f in dataclasses.fields(record)
             if f.name not in ("id", "evidence", "loc") and getattr(record, f.name) is not None]
    pairs.append(("mdm2kg:hasEvidence", tuple(_evidence(e) for e in record.evidence)))
    return Record(record.id, "results", type(record).__name__, label, _fields(pairs))


def _conflict(conflict: SourceConflict) -> Record:
    claims = tuple("{" + f"evidence={_evidence(c.evidence)}; preferred={_lit(bool(c.preferred))}; says={_lit(c.says)}" + "}"
                   for c in conflict.claims)
    return Record(conflict.id, "conflicts", conflict.kind, conflict.topic, _fields([
        ("rdfs:label", (_lit(conflict.topic),)), ("mdm2kg:resolution", (_lit(conflict.resolution),)),
        ("mdm2kg:about", conflict.about), ("mdm2kg:hasClaim", claims),
    ]))


def _publication(pub: Publication) -> Record:
    return Record(pub.id, "publications", pub.kind, pub.title, _fields([
        ("dcterms:title", (_lit(pub.title),)), ("dcterms:issued", (_lit(pub.year),) if pub.year is not None else ()),
        ("skos:exactMatch", pub.identifiers), ("mdm2kg:referencedBy", (pub.referenced_by,) if pub.referenced_by else ()),
        ("mdm2kg:referenceNumber", (_lit(pub.reference_number),) if pub.reference_number is not None else ()),
    ]))


def records(model: ReadModel) -> dict[str, dict[str, Record]]:
    """Every comparable record of a read model, by section then id."""
    found: dict[str, list[Record]] = {
        "entities": [_entity(e) for e in model.entities.values()],
        "statements": [_statement(st) for st in model.statements],
        "results": [_numbers(r, f"{r.trial} {r.endpoint} {_text(r.value)} {r.unit}") for r in model.results]
        + [_numbers(o, f"{o.trial} {o.event} grade {o.grade}") for o in model.observations],
        "conflicts": [_conflict(c) for c in model.conflicts],
        "publications": [_publication(p) for p in model.publications.values()],
    }
    return {name: {r.id: r for r in sorted(found[name], key=lambda r: r.id)} for name in SECTIONS}


def _field_delta(old: Record, new: Record) -> dict[str, dict[str, list[str]]]:
    a, b = old.field_map(), new.field_map()
    delta = {}
    for prop in sorted(set(a) | set(b)):
        before, after = set(a.get(prop, ())), set(b.get(prop, ()))
        if before != after:
            delta[prop] = {"removed": sorted(before - after), "added": sorted(after - before)}
    return delta


def _diff_section(name: str, old: dict[str, Record], new: dict[str, Record]) -> SectionDiff:
    out = SectionDiff(
        added=[new[k] for k in sorted(set(new) - set(old))],
        removed=[old[k] for k in sorted(set(old) - set(new))],
        changed=[Change(new[k], _field_delta(old[k], new[k])) for k in sorted(set(old) & set(new))
                 if old[k].fields != new[k].fields],
    )
    if name == "statements":  # qualifier edits re-key a statement: pair them back up
        def spo(r: Record) -> tuple[str, ...]:
            f = r.field_map()
            return tuple(f.get(p, ("",))[0] for p in ("rdf:subject", "rdf:predicate", "rdf:object"))

        gone: dict[tuple[str, ...], list[Record]] = defaultdict(list)
        came: dict[tuple[str, ...], list[Record]] = defaultdict(list)
        for r in out.removed:
            gone[spo(r)].append(r)
        for r in out.added:
            came[spo(r)].append(r)
        for key in sorted(set(gone) & set(came)):
            if len(gone[key]) == 1 and len(came[key]) == 1:
                before, after = gone[key][0], came[key][0]
                out.removed.remove(before)
                out.added.remove(after)
                out.changed.append(Change(after, _field_delta(before, after), old_id=before.id))
        out.changed.sort(key=lambda c: c.record.id)
    return out


def _other_triples(kg: KnowledgeGraph) -> set[str]:
    """N-Triples lines of the triples outside any record: not about a curated id (entity,
    statement, evidence, result, conflict, publication) and not the dataset description."""
    query = f"""SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(isBlank(?s) || (!STRSTARTS(STR(?s), "{ID_BASE}")
              && STR(?s) != "{DATASET_IRI}" && !STRSTARTS(STR(?s), "{DATASET_IRI}/"))) }}"""
    return {f"{row[0]} {row[1]} {row[2]} ." for row in kg.store.query(query)}  # type: ignore[union-attr]


def _release(kg: KnowledgeGraph) -> dict[str, Any]:
    info = read_description(kg.rdf)
    triples = info["triples"]
    if triples is None:
        (triples,), = read_model(kg).rows(f"""SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o
            FILTER(STR(?s) != "{DATASET_IRI}" && !STRSTARTS(STR(?s), "{DATASET_IRI}/")) }}""")
    return {"version": info["version"], "issued": info["issued"], "triples": triples}


def diff_graphs(old: KnowledgeGraph, new: KnowledgeGraph, *, old_name: str = "old", new_name: str = "new") -> GraphDiff:
    """Compare two built graphs record by record (see the module docstring)."""
    old_recs, new_recs = records(read_model(old)), records(read_model(new))
    old_other, new_other = _other_triples(old), _other_triples(new)
    return GraphDiff(
        old_name=old_name, new_name=new_name, old_release=_release(old), new_release=_release(new),
        sections={name: _diff_section(name, old_recs[name], new_recs[name]) for name in SECTIONS},
        other_added=sorted(new_other - old_other), other_removed=sorted(old_other - new_other),
    )


def diff_rdf(old: Graph, new: Graph, *, old_name: str = "old", new_name: str = "new") -> GraphDiff:
    """`diff_graphs` on rdflib graphs (each written to a temporary N-Triples file and read back).

    >>> from rdflib import Graph
    >>> diff_rdf(Graph(), Graph()).identical
    True
    """
    import tempfile

    from mdm2kg.artifact.graph import KnowledgeGraph

    with tempfile.TemporaryDirectory(prefix="mdm2kg-diff-") as folder:
        graphs = []
        for name, graph in (("old", old), ("new", new)):
            path = Path(folder) / f"{name}.nt"
            graph.serialize(destination=str(path), format="nt", encoding="utf-8")
            graphs.append(KnowledgeGraph(path))
        return diff_graphs(graphs[0], graphs[1], old_name=old_name, new_name=new_name)
