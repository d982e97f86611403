"""The read model: one reading of a built graph into typed views, shared by every consumer.

`read_model(kg)` reads the graph's Oxigraph store with SPARQL (no rdflib) and caches the result
per graph; each section (entities, statements, results, ...) is read on first use, so a command
that only resolves an entity name pays only for the entity index.

>>> from mdm2kg.artifact.graph import KnowledgeGraph
>>> rm = read_model(KnowledgeGraph.build(["tests/fixtures/tiny", "tests/fixtures/negation"]))
>>> sorted({s.negated for s in rm.statements})
[False, True]
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from mdm2kg.prefixes import SPARQL_PROLOGUE
from mdm2kg.read.persist import cached_view, decode_entities, decode_statements, encode_entities, encode_statements
from mdm2kg.read.resolve import Resolver
from mdm2kg.read.terms import curie, local_name, python_value
from mdm2kg.read.views import Entity, EntityCard, Predicate, Statement

if TYPE_CHECKING:
    from mdm2kg.artifact.graph import KnowledgeGraph
    from mdm2kg.curation.model import AdverseEventObservation, Evidence, Publication, SourceConflict, TrialResult

T = TypeVar("T")
_MODELS: weakref.WeakKeyDictionary[KnowledgeGraph, ReadModel] = weakref.WeakKeyDictionary()


def read_model(kg: KnowledgeGraph) -> ReadModel:
    """The (cached) read model of `kg`."""
    model = _MODELS.get(kg)
    if model is None:
        model = _MODELS[kg] = ReadModel(kg)
    return model


class ReadModel:
    """Typed, lazily read views of one built graph. Treat every view as read-only."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg

    # -- reading -------------------------------------------------------------------------------

    def rows(self, text: str) -> list[list[Any]]:
        """Rows of a SELECT over the graph as Python values: IRIs as ids (local names of mdm2kg
        IRIs), literals typed (int, Decimal, bool, str), None when unbound."""
        out = []
        for row in self.kg.store.query(SPARQL_PROLOGUE + text):  # type: ignore[union-attr]
            out.append([None if term is None else _value(term) for term in row])
        return out

    # -- entities ------------------------------------------------------------------------------

    def _view(self, name: str, compute: Callable[[], T], encode: Callable[[T], Any], decode: Callable[[Any], T]) -> T:
        """A view, kept as JSON beside a verified cached graph (see `mdm2kg.read.persist`)."""
        directory = self.kg.nt_path.parent if self.kg.sha256 else None
        return cached_view(directory, self.kg.sha256, name, compute, encode, decode)

    @cached_property
    def entities(self) -> dict[str, Entity]:
        """Every curated entity by id, sorted by id."""
        return self._view("entities", self._read_entities, encode_entities, decode_entities)

    def _read_entities(self) -> dict[str, Entity]:
        synonyms: dict[str, list[str]] = defaultdict(list)
        for eid, syn in self.rows("SELECT ?e ?s WHERE { ?e skos:altLabel ?s }"):
            synonyms[eid].append(syn)
        curies: dict[str, list[str]] = defaultdict(list)
        for eid, code in self.rows("SELECT ?e ?c WHERE { ?e skos:notation ?c }"):
            curies[eid].append(code)
        out: dict[str, Entity] = {}
        for eid, cls, label, desc, biolink in sorted(self.rows("""
            SELECT ?e ?cls ?label ?desc ?bl WHERE { ?e a ?cls . ?cls mdm2kg:curated true . ?e rdfs:label ?label .
              OPTIONAL { ?e dcterms:description ?desc } OPTIONAL { ?cls mdm2kg:biolinkMapping ?bl } }""")):
            out[eid] = Entity(eid, cls, label, tuple(sorted(synonyms.get(eid, ()))), tuple(sorted(curies.get(eid, ()))),
                              desc or "", _biolink(biolink, "NamedThing"))
        return out

    @cached_property
    def labels(self) -> dict[str, str]:
        """Entity and publication id -> label."""
        out = {pid: pub.title for pid, pub in self.publications.items()}
        out.update(self.entity_labels)
        return out

    @cached_property
    def entity_labels(self) -> dict[str, str]:
        """Entity id -> label (what a view that shows only entities needs: no publication read)."""
        return {eid: e.label for eid, e in self.entities.items()}

    @cached_property
    def resolver(self) -> Resolver:
        return Resolver(self.entities)

    def resolve(self, text: str) -> str:
        """Entity id for an id, label, synonym, code, CURIE, NCT id or a label without its
        parenthetical part (case-insensitive). Raises NotFoundError with candidates."""
        return self.resolver.resolve(text)

    @cached_property
    def publications(self) -> dict[str, Publication]:
        from mdm2kg.curation.model import Publication

        xrefs: dict[str, list[str]] = defaultdict(list)
        for pid, iri in self.rows("SELECT ?p ?x WHERE { ?p a mdm2kg:Publication ; skos:exactMatch ?x }"):
            xrefs[pid].append(curie(iri))
        out = {}
        for pid, kind, title, year, ref_by, number in sorted(self.rows("""
            SELECT ?p ?kind ?title ?year ?by ?n WHERE { ?p a mdm2kg:Publication ; mdm2kg:publicationKind ?kind ;
              dcterms:title ?title . OPTIONAL { ?p dcterms:issued ?year } OPTIONAL { ?p mdm2kg:referencedBy ?by }
              OPTIONAL { ?p mdm2kg:referenceNumber ?n } }""")):
            out[pid] = Publication(pid, kind, title, year=int(year) if year is not None else None,
                                   identifiers=tuple(sorted(xrefs.get(pid, ()))), referenced_by=ref_by, reference_number=number)
        return out

    # -- statements ----------------------------------------------------------------------------

    @cached_property
    def predicates(self) -> dict[str, Predicate]:
        out = {}
        for name, kind, label, polarity, biolink in self.rows("""
            SELECT ?p ?kind ?label ?pol ?bl WHERE { { SELECT DISTINCT ?p WHERE { ?st a rdf:Statement ; rdf:predicate ?p } }
              ?p a ?kind . FILTER(?kind IN (owl:ObjectProperty, owl:DatatypeProperty))
              OPTIONAL { ?p rdfs:label ?label } OPTIONAL { ?p mdm2kg:polarity ?pol } OPTIONAL { ?p mdm2kg:biolinkMapping ?bl } }"""):
            sign = {"+": 1, "-": -1}.get(polarity or "none", 0)
            out[name] = Predicate(name, label or name, sign, _biolink(biolink, "related_to"),
                                  "object" if kind.endswith("ObjectProperty") else "data")
        return out

    @cached_property
    def _evidence(self) -> dict[str, tuple[Evidence, ...]]:
        """Owner (statement, result, observation or claim id) -> its evidence, sorted."""
        from mdm2kg.curation.model import Evidence

        cites: dict[str, list[str]] = defaultdict(list)
        for ev, ref in self.rows("SELECT ?ev ?r WHERE { ?ev a mdm2kg:Evidence ; mdm2kg:cites ?r }"):
            cites[ev].append(ref)
        out: dict[str, list[Evidence]] = defaultdict(list)
        for owner, ev, src, loc, anchor, kind in self.rows("""
            SELECT ?owner ?ev ?src ?loc ?anchor ?kind WHERE { ?owner mdm2kg:hasEvidence ?ev .
              ?ev mdm2kg:source ?src ; mdm2kg:locator ?loc ; mdm2kg:anchor ?anchor ; mdm2kg:evidenceKind ?kind }"""):
            out[owner].append(Evidence(src, loc, anchor, kind, tuple(sorted(cites.get(ev, ())))))
        return {owner: tuple(sorted(evs, key=_evidence_key)) for owner, evs in out.items()}

    def evidence_of(self, owner: str) -> tuple[Evidence, ...]:
        """Evidence of a statement, result, observation or conflict claim (by id)."""
        return self._evidence.get(owner, ())

    @cached_property
    def statements(self) -> tuple[Statement, ...]:
        """Every curated statement, negated ones included, sorted by subject, predicate, object, id."""
        return self._view("statements", self._read_statements, encode_statements, decode_statements)

    def _read_statements(self) -> tuple[Statement, ...]:
        qualifiers: dict[str, list[tuple[str, Any]]] = defaultdict(list)
        for st, name, value in self.rows("""
            SELECT ?st ?qp ?v WHERE { ?st a rdf:Statement ; ?qp ?v . ?qp rdfs:subPropertyOf mdm2kg:qualifier }"""):
            qualifiers[st].append((name.removeprefix("q_"), value))
        out = []
        for sid, s, p, o, is_literal, negated in self.rows("""
            SELECT ?st ?s ?p ?o (isLiteral(?o) AS ?lit) ?neg WHERE { ?st a rdf:Statement ; rdf:subject ?s ;
              rdf:predicate ?p ; rdf:object ?o . OPTIONAL { ?st mdm2kg:negated ?neg } }"""):
            spec = self.predicates.get(p) or Predicate(p, p, 0, "biolink:related_to", "data" if is_literal else "object")
            out.append(Statement(
                id=sid, subject=s, predicate=p, object=None if is_literal else o, value=o if is_literal else None,
                polarity=spec.polarity, negated=bool(negated), qualifiers=tuple(sorted(qualifiers.get(sid, []), key=_pair_key)),
                evidence=self.evidence_of(sid), predicate_label=spec.label, biolink_predicate=spec.biolink,
            ))
        out.sort(key=lambda st: (st.subject, st.predicate, st.target, st.id))
        return tuple(out)

    @cached_property
    def facts(self) -> tuple[Statement, ...]:
        """Statements that may be read as facts (negated ones left out)."""
        return tuple(st for st in self.statements if not st.negated)

    @cached_property
    def _by_entity(self) -> dict[str, tuple[list[Statement], list[Statement]]]:
        index: dict[str, tuple[list[Statement], list[Statement]]] = defaultdict(lambda: ([], []))
        for st in self.statements:
            index[st.subject][0].append(st)
            if st.object is not None:
                index[st.object][1].append(st)
        return index

    def card(self, entity_id: str) -> EntityCard:
        """The entity with every statement in and out (resolve names first with `resolve`)."""
        out, incoming = self._by_entity.get(entity_id, ([], []))
        return EntityCard(self.entities[entity_id], tuple(out), tuple(incoming))

    # -- numbers and conflicts -----------------------------------------------------------------

    @cached_property
    def results(self) -> tuple[TrialResult, ...]:
        from mdm2kg.curation.model import TrialResult

        out = []
        for (rid, trial, endpoint, value, unit, arm, comparator, count, denominator, ci_low, ci_high, ci_level, n,
             p_value, population) in self.rows("""
            SELECT ?r ?trial ?endpoint ?value ?unit ?arm ?cmp ?count ?den ?lo ?hi ?lvl ?n ?p ?pop WHERE {
              ?r a mdm2kg:TrialResult ; mdm2kg:trial ?trial ; mdm2kg:endpointCode ?endpoint ; mdm2kg:value ?value ;
                 mdm2kg:unit ?unit .
              OPTIONAL { ?r mdm2kg:arm ?arm } OPTIONAL { ?r mdm2kg:comparatorArm ?cmp } OPTIONAL { ?r mdm2kg:count ?count }
              OPTIONAL { ?r mdm2kg:denominator ?den } OPTIONAL { ?r mdm2kg:ciLow ?lo } OPTIONAL { ?r mdm2kg:ciHigh ?hi }
              OPTIONAL { ?r mdm2kg:ciLevel ?lvl } OPTIONAL { ?r mdm2kg:n ?n } OPTIONAL { ?r mdm2kg:pValue ?p }
              OPTIONAL { ?r mdm2kg:population ?pop } } ORDER BY ?r"""):
            out.append(TrialResult(rid, trial, endpoint, _decimal(value), unit, self.evidence_of(rid), arm, comparator,
                                   count, denominator, _decimal_or_none(ci_low), _decimal_or_none(ci_high),
                                   _decimal_or_none(ci_level), n, _decimal_or_none(p_value), population))
        return tuple(out)

    @cached_property
    def observations(self) -> tuple[AdverseEventObservation, ...]:
        from mdm2kg.curation.model import AdverseEventObservation

        out = []
        for oid, trial, event, grade, incidence, unit, arm, count, n in self.rows("""
            SELECT ?o ?trial ?event ?grade ?inc ?unit ?arm ?count ?n WHERE { ?o a mdm2kg:AdverseEventObservation ;
              mdm2kg:trial ?trial ; mdm2kg:event ?event ; mdm2kg:grade ?grade ; mdm2kg:incidence ?inc ; mdm2kg:unit ?unit .
              OPTIONAL { ?o mdm2kg:arm ?arm } OPTIONAL { ?o mdm2kg:count ?count } OPTIONAL { ?o mdm2kg:n ?n } } ORDER BY ?o"""):
            out.append(AdverseEventObservation(oid, trial, event, grade, _decimal(incidence), unit, self.evidence_of(oid),
                                               arm, count, n))
        return tuple(out)

    @cached_property
    def conflicts(self) -> tuple[SourceConflict, ...]:
        from mdm2kg.curation.model import Claim, SourceConflict

        about: dict[str, list[str]] = defaultdict(list)
        for cid, target in self.rows("SELECT ?c ?a WHERE { ?c a mdm2kg:SourceConflict ; mdm2kg:about ?a }"):
            about[cid].append(target)
        claims: dict[str, list[tuple[str, Claim]]] = defaultdict(list)
        for cid, claim, says, preferred in self.rows("""
            SELECT ?c ?claim ?says ?pref WHERE { ?c mdm2kg:hasClaim ?claim . ?claim mdm2kg:says ?says .
              OPTIONAL { ?claim mdm2kg:preferred ?pref } }"""):
            for ev in self.evidence_of(claim):
                claims[cid].append((claim, Claim(says, ev, preferred)))
        out = []
        for cid, kind, topic, resolution in self.rows("""
            SELECT ?c ?kind ?topic ?res WHERE { ?c a mdm2kg:SourceConflict ; mdm2kg:conflictKind ?kind ;
              rdfs:label ?topic ; mdm2kg:resolution ?res } ORDER BY ?c"""):
            ordered = tuple(c for _, c in sorted(claims.get(cid, []), key=lambda kv: _claim_order(kv[0])))
            out.append(SourceConflict(cid, kind, topic, ordered, resolution, tuple(sorted(about.get(cid, ())))))
        return tuple(out)

    @cached_property
    def conflicts_about(self) -> dict[str, tuple[str, ...]]:
        """Record id (entity, publication, result, observation) -> ids of the conflicts about it."""
        out: dict[str, list[str]] = defaultdict(list)
        for c in self.conflicts:
            for rid in c.about:
                out[rid].append(c.id)
        return {rid: tuple(ids) for rid, ids in out.items()}


def _value(term: Any) -> Any:
    if term.__class__.__name__ == "NamedNode":
        return local_name(term.value)
    return python_value(term)


def _biolink(name: str | None, default: str) -> str:
    text = name or default
    return text if text.startswith("biolink:") else f"biolink:{local_name(text).rsplit('/', 1)[-1]}"


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _decimal_or_none(value: Any) -> Decimal | None:
    return None if value is None else _decimal(value)


def _evidence_key(ev: Evidence) -> tuple[str, str, str, str, tuple[str, ...]]:
    return (ev.source, ev.locator, ev.anchor, ev.kind, ev.cites)


def _pair_key(pair: tuple[str, Any]) -> tuple[str, str]:
    return (pair[0], str(pair[1]))


def _claim_order(claim_id: str) -> int:
    """Claims are numbered `<conflict>-claim-<i>` in curation order."""
    tail = claim_id.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0
