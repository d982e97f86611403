"""Differences between two releases of the graph, record by record.

Both sides are read as built graphs (a file, a directory holding `mdm2kg.nt`, or a curated
data directory that is built first). Records are compared by IRI: entities (grouped by
category), statements (by predicate), results (trial results and adverse-event
observations), conflicts (by conflict kind) and publications (by kind). A record's fields
are its own triples, with evidence and conflict claims expanded in place, so an edited
anchor shows as a change of the statement that carries it. A statement whose qualifiers
changed gets a new IRI; when one removed and one added statement share subject, predicate
and object they are reported as one change. Triples outside any record (the vocabulary) are
counted as "other"; the dataset description is ignored (it always differs between releases).

>>> d = diff_graphs(KnowledgeGraph.build(["old/"]), KnowledgeGraph.build(["new/"]))  # doctest: +SKIP
>>> d.identical, d.summary()["statements"]                                            # doctest: +SKIP
(False, {'added': 3, 'removed': 1, 'changed': 2})
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mdm2kg.errors import UsageError
from mdm2kg.prefixes import ID_BASE, VOCAB_BASE
from mdm2kg.rdf.metadata import is_metadata_node, read_description

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from mdm2kg.artifact.graph import KnowledgeGraph

SECTIONS = ("entities", "statements", "results", "conflicts", "publications")
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OWNED = (VOCAB_BASE + "hasEvidence", VOCAB_BASE + "hasClaim")  # nodes expanded inside their owner
_RECORD_CLASSES = {
    RDF_NS + "Statement": "statements",
    VOCAB_BASE + "TrialResult": "results",
    VOCAB_BASE + "AdverseEventObservation": "results",
    VOCAB_BASE + "SourceConflict": "conflicts",
    VOCAB_BASE + "Publication": "publications",
}


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


@functools.lru_cache(maxsize=1)
def _prefixes() -> list[tuple[str, str]]:
    from mdm2kg.export.common import all_prefixes

    return sorted(all_prefixes().items(), key=lambda item: (-len(item[1]), item[0]))


def _short(term: Node) -> str:
    """Entity ids bare (`GENE1`), other IRIs as CURIEs (`rdfs:label`), literals as text."""
    from rdflib import Literal

    text = str(term)
    if isinstance(term, Literal) or text.startswith(ID_BASE):
        return text.removeprefix(ID_BASE)
    for name, base in _prefixes():
        if text.startswith(base):
            return f"{name}:{text[len(base):]}"
    return text


class _Extractor:
    def __init__(self, graph: Graph) -> None:
        from mdm2kg.rdf.ontology import load_schema

        self.graph = graph
        self.curated_predicates = {VOCAB_BASE + name for name in load_schema().predicates}
        self.curated_classes = {VOCAB_BASE + name for name in load_schema().categories}
        self.owned: set[Node] = set()
        self.record_nodes: set[Node] = set()

    def render(self, term: Node) -> str:
        """A value as text; owned nodes (evidence, claims) as `{key=value; ...}`."""
        from rdflib import Literal

        if isinstance(term, Literal):
            return f'"{term}"'
        return _short(term)

    def expand(self, node: Node, depth: int = 0) -> str:
        self.owned.add(node)
        parts = []
        for p, o in self.graph.predicate_objects(node):
            if str(p) == RDF_NS + "type":
                continue
            value = self.expand(o, depth + 1) if str(p) in OWNED and depth < 3 else self.render(o)
            parts.append(f"{_short(p).removeprefix('mdm2kg:')}={value}")
        return "{" + "; ".join(sorted(parts)) + "}"

    def record(self, node: Node, section: str, cls: str) -> Record:
        fields: dict[str, list[str]] = defaultdict(list)
        for p, o in self.graph.predicate_objects(node):
            if section == "entities" and str(p) in self.curated_predicates:
                continue  # direct triples of statements: compared as statements
            fields[_short(p)].append(self.expand(o) if str(p) in OWNED else self.render(o))
        flat = {k: tuple(sorted(v)) for k, v in fields.items()}
        group = cls.removeprefix(VOCAB_BASE)
        label = flat.get("rdfs:label", ("",))[0].strip('"')
        if section == "statements":
            group = flat.get("rdf:predicate", ("?",))[0].removeprefix("mdm2kg:")
            quals = [f"{k.removeprefix('mdm2kg:q_')}={v[0].strip(chr(34))}" for k, v in flat.items() if k.startswith("mdm2kg:q_")]
            label = " ".join([flat.get("rdf:subject", ("?",))[0], group, flat.get("rdf:object", ("?",))[0]])
            label += f" [{', '.join(sorted(quals))}]" if quals else ""
        elif section == "conflicts":
            group = flat.get("mdm2kg:conflictKind", ('"other"',))[0].strip('"')
        elif section == "publications":
            group = flat.get("mdm2kg:publicationKind", ('"publication"',))[0].strip('"')
        return Record(id=_short(node), section=section, group=group, label=label, fields=tuple(sorted(flat.items())))

    def records(self) -> dict[str, dict[str, Record]]:
        from rdflib import RDF

        out: dict[str, dict[str, Record]] = {name: {} for name in SECTIONS}
        for node, cls in sorted(self.graph.subject_objects(RDF.type)):
            if is_metadata_node(node):
                continue
            section = "entities" if str(cls) in self.curated_classes else _RECORD_CLASSES.get(str(cls))
            if section is not None:
                self.record_nodes.add(node)
                rec = self.record(node, section, str(cls))
                out[section][rec.id] = rec
        return out


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


def _other_triples(graph: Graph, covered: set[Node]) -> set[str]:
    from rdflib import Graph as RdfGraph

    rest = RdfGraph()
    for s, p, o in graph:
        if s not in covered and not is_metadata_node(s):
            rest.add((s, p, o))
    return {line for line in rest.serialize(format="nt").splitlines() if line.strip()}


def _graph_view(graph: Graph) -> tuple[dict[str, dict[str, Record]], set[str]]:
    ex = _Extractor(graph)
    recs = ex.records()
    return recs, _other_triples(graph, ex.owned | ex.record_nodes)


def _release(graph: Graph) -> dict[str, Any]:
    info = read_description(graph)
    triples = info["triples"] if info["triples"] is not None else sum(1 for s, _, _ in graph if not is_metadata_node(s))
    return {"version": info["version"], "issued": info["issued"], "triples": triples}


def diff_graphs(old: KnowledgeGraph, new: KnowledgeGraph, *, old_name: str = "old", new_name: str = "new") -> GraphDiff:
    """Compare two built graphs record by record (see the module docstring)."""
    return diff_rdf(old.rdf, new.rdf, old_name=old_name, new_name=new_name)


def diff_rdf(old: Graph, new: Graph, *, old_name: str = "old", new_name: str = "new") -> GraphDiff:
    """`diff_graphs` on rdflib graphs.

    >>> from rdflib import Graph
    >>> diff_rdf(Graph(), Graph()).identical
    True
    """
    old_recs, old_other = _graph_view(old)
    new_recs, new_other = _graph_view(new)
    return GraphDiff(
        old_name=old_name, new_name=new_name, old_release=_release(old), new_release=_release(new),
        sections={name: _diff_section(name, old_recs[name], new_recs[name]) for name in SECTIONS},
        other_added=sorted(new_other - old_other), other_removed=sorted(old_other - new_other),
    )
