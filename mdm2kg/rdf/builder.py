"""Records -> rdflib Graph. Deterministic IRIs, no blank nodes, typed literals.

Each statement becomes the direct triple (s p o) plus an rdf:Statement node whose IRI is a
hash of subject, predicate, object and qualifiers, carrying the evidence nodes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from decimal import Decimal

from rdflib import RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ClosedNamespace
from rdflib.term import Node

from mdm2kg.curation.model import Dataset, Evidence, Scalar, Statement
from mdm2kg.curation.schema import Schema
from mdm2kg.errors import RuntimeFailure
from mdm2kg.perf import gc_paused
from mdm2kg.prefixes import ID_BASE, VOCAB_BASE, entity_iri, expand
from mdm2kg.rdf.ontology import ontology_graph


class Vocabulary:
    """The closed mdm2kg vocabulary: `v.inhibits` or `v["count"]`; a term the ontology does not
    declare raises instead of minting a new IRI."""

    def __init__(self) -> None:
        terms = {str(s)[len(VOCAB_BASE):] for s in ontology_graph().subjects() if str(s).startswith(VOCAB_BASE)}
        terms.discard("")
        self._ns = ClosedNamespace(VOCAB_BASE, sorted(terms))

    def __getitem__(self, name: str) -> URIRef:
        return self._ns[name]

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._ns[name]


def vocabulary(schema: Schema) -> Vocabulary:
    return Vocabulary()


_XSD_STRING = f"^^<{XSD.string}>".encode()
# rdflib's URIRef.n3 refuses these characters; an IRI holding one cannot be written as N-Triples
_IRI_FORBIDDEN = re.compile(r'[<>" {}|\\^`]')


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def statement_iri(st: Statement) -> URIRef:
    """Deterministic IRI of a statement node: hash of its key (subject, predicate, object, qualifiers)."""
    return URIRef(f"{ID_BASE}stmt-{_digest(*st.key)}")


def _literal(value: Scalar, datatype: str | None = None) -> Literal:
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int) and datatype != "decimal":
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, (int, Decimal)):
        # canonical decimal lexical form that Turtle round-trips: plain digits and a point
        lexical = format(Decimal(value), "f")
        return Literal(lexical if "." in lexical else lexical + ".0", datatype=XSD.decimal)
    return Literal(str(value))


class _Builder:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.v = vocabulary(schema)
        # rdflib's context-free store: a built graph has no named graphs, and adding 22k triples
        # costs a third less than with the default (context-tracking) Memory store; same triples
        self.g = Graph(store="SimpleMemory")
        self.g.bind("mdm2kg", VOCAB_BASE)
        self.g.bind("mdm2", ID_BASE)
        self.g.bind("skos", str(SKOS))
        self.g.bind("dcterms", str(DCTERMS))

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal | None) -> None:
        if o is not None:
            self.g.add((s, p, o))

    def evidence(self, owner: URIRef, evs: Iterable[Evidence]) -> None:
        v = self.v
        for ev in evs:
            node = URIRef(f"{ID_BASE}ev-{_digest(str(owner), ev.source, ev.locator, ev.anchor, ev.kind, *ev.cites)}")
            self.add(owner, v.hasEvidence, node)
            self.add(node, RDF.type, v.Evidence)
            self.add(node, v.source, URIRef(entity_iri(ev.source)))
            self.add(node, v.locator, Literal(ev.locator))
            self.add(node, v.anchor, Literal(ev.anchor))
            self.add(node, v.evidenceKind, Literal(ev.kind))
            for cited in ev.cites:
                self.add(node, v.cites, URIRef(entity_iri(cited)))

    def build(self, ds: Dataset) -> Graph:
        self.publications(ds)
        self.entities(ds)
        self.statements(ds)
        self.results(ds)
        self.observations(ds)
        self.conflicts(ds)
        return self.g

    def publications(self, ds: Dataset) -> None:
        v, add = self.v, self.add
        for pub in ds.publications:
            node = URIRef(entity_iri(pub.id))
            add(node, RDF.type, v.Publication)
            add(node, RDFS.label, Literal(pub.title))
            add(node, DCTERMS.title, Literal(pub.title))
            add(node, DCTERMS.identifier, Literal(pub.id))
            add(node, v.publicationKind, Literal(pub.kind))
            for i, author in enumerate(pub.authors, start=1):
                add(node, DCTERMS.creator, Literal(f"{i:03d} {author}"))
            add(node, DCTERMS.isPartOf, Literal(pub.journal) if pub.journal else None)
            add(node, DCTERMS.date, Literal(pub.date) if pub.date else None)
            add(node, DCTERMS.issued, Literal(pub.year, datatype=XSD.gYear) if pub.year else None)
            add(node, DCTERMS.publisher, Literal(pub.publisher) if pub.publisher else None)
            add(node, DCTERMS.license, Literal(pub.licence) if pub.licence else None)
            add(node, DCTERMS.source, Literal(pub.document) if pub.document else None)
            if pub.referenced_by:
                add(node, v.referencedBy, URIRef(entity_iri(pub.referenced_by)))
            if pub.reference_number is not None:
                add(node, v.referenceNumber, Literal(pub.reference_number, datatype=XSD.integer))
            for curie in pub.identifiers:
                add(node, SKOS.exactMatch, URIRef(expand(curie)))
    def entities(self, ds: Dataset) -> None:
        v, add = self.v, self.add
        for ent in ds.entities:
            node = URIRef(entity_iri(ent.id))
            add(node, RDF.type, v[ent.category])
            add(node, RDFS.label, Literal(ent.label))
            add(node, DCTERMS.identifier, Literal(ent.id))
            for syn in ent.synonyms:
                add(node, SKOS.altLabel, Literal(syn))
            for curie in ent.identifiers:
                add(node, SKOS.exactMatch, URIRef(expand(curie)))
                add(node, SKOS.notation, Literal(curie))
            if ent.description:
                add(node, DCTERMS.description, Literal(ent.description))
    def statements(self, ds: Dataset) -> None:
        v, add = self.v, self.add
        for st in ds.statements:
            spec = self.schema.predicates[st.predicate]
            s = URIRef(entity_iri(st.subject))
            p = v[st.predicate]
            datatype = next(iter(spec.range)) if spec.kind == "data" else None
            o: URIRef | Literal = (
                URIRef(entity_iri(st.object)) if st.object is not None else _literal(st.value, datatype)  # type: ignore[arg-type]
            )
            if not st.negated:  # a negated statement is data about the claim, never a fact
                add(s, p, o)
            node = statement_iri(st)
            add(node, RDF.type, RDF.Statement)
            if st.negated:
                add(node, v.negated, Literal(True))
            add(node, RDF.subject, s)
            add(node, RDF.predicate, p)
            add(node, RDF.object, o)
            for key, value in st.qualifiers:
                qtype = self.schema.qualifiers.get(key)
                target: URIRef | Literal = (
                    URIRef(entity_iri(str(value))) if key == "trial" else _literal(value, qtype)
                )
                add(node, v[f"q_{key}"], target)
            self.evidence(node, st.evidence)
    def results(self, ds: Dataset) -> None:
        v, add = self.v, self.add
        endpoints = {e.id: e.category for e in ds.entities}
        for r in ds.results:
            node = URIRef(entity_iri(r.id))
            add(node, RDF.type, v.TrialResult)
            add(node, RDFS.label, Literal(f"{r.endpoint} = {r.value} {r.unit}"))
            add(node, v.trial, URIRef(entity_iri(r.trial)))
            add(node, v.arm, URIRef(entity_iri(r.arm)) if r.arm else None)
            add(node, v.comparatorArm, URIRef(entity_iri(r.comparator_arm)) if r.comparator_arm else None)
            add(node, v.endpointCode, Literal(r.endpoint))
            if endpoints.get(r.endpoint) == "Endpoint":  # the result reports a curated Endpoint entity
                add(node, v.measuresEndpoint, URIRef(entity_iri(r.endpoint)))
            add(node, v.value, _literal(r.value, "decimal"))
            add(node, v.unit, Literal(r.unit))
            for prop, num in ((v["count"], r.count), (v.denominator, r.denominator), (v.n, r.n)):
                add(node, prop, Literal(num, datatype=XSD.integer) if num is not None else None)
            for prop, dec in ((v.ciLow, r.ci_low), (v.ciHigh, r.ci_high), (v.ciLevel, r.ci_level), (v.pValue, r.p_value)):
                add(node, prop, _literal(dec, "decimal") if dec is not None else None)
            add(node, v.population, Literal(r.population) if r.population else None)
            self.evidence(node, r.evidence)
    def observations(self, ds: Dataset) -> None:
        v, add = self.v, self.add
        for ob in ds.observations:
            node = URIRef(entity_iri(ob.id))
            add(node, RDF.type, v.AdverseEventObservation)
            add(node, RDFS.label, Literal(f"{ob.event} grade {ob.grade} = {ob.incidence} {ob.unit}"))
            add(node, v.trial, URIRef(entity_iri(ob.trial)))
            add(node, v.arm, URIRef(entity_iri(ob.arm)) if ob.arm else None)
            add(node, v.event, URIRef(entity_iri(ob.event)))
            add(node, v.grade, Literal(ob.grade))
            add(node, v.incidence, _literal(ob.incidence, "decimal"))
            add(node, v.value, _literal(ob.incidence, "decimal"))
            add(node, v.unit, Literal(ob.unit))
            add(node, v["count"], Literal(ob.count, datatype=XSD.integer) if ob.count is not None else None)
            add(node, v.n, Literal(ob.n, datatype=XSD.integer) if ob.n is not None else None)
            self.evidence(node, ob.evidence)
    def conflicts(self, ds: Dataset) -> None:
        v, add = self.v, self.add
        for c in ds.conflicts:
            node = URIRef(entity_iri(c.id))
            add(node, RDF.type, v.SourceConflict)
            add(node, RDFS.label, Literal(c.topic))
            add(node, v.conflictKind, Literal(c.kind))
            add(node, v.resolution, Literal(c.resolution))
            for rid in c.about:
                add(node, v.about, URIRef(entity_iri(rid)))
            for i, claim in enumerate(c.claims, start=1):
                cnode = URIRef(f"{ID_BASE}{c.id}-claim-{i}")
                add(node, v.hasClaim, cnode)
                add(cnode, RDF.type, v.ConflictClaim)
                add(cnode, v.says, Literal(claim.says))
                if claim.preferred is not None:
                    add(cnode, v.preferred, Literal(claim.preferred))
                self.evidence(cnode, [claim.evidence])


def build_graph(ds: Dataset, schema: Schema, *, include_ontology: bool = True) -> Graph:
    """Build the knowledge graph of a dataset (plus the ontology, so queries can read
    labels, polarity and Biolink mappings of the predicates).

    >>> from mdm2kg.rdf.ontology import load_schema
    >>> len(build_graph(Dataset(), load_schema(), include_ontology=False))
    0
    """
    with gc_paused():
        graph = _Builder(schema).build(ds)
    if include_ontology:
        for triple in ontology_graph():
            graph.add(triple)
    return graph


class NTriplesWriter:
    r"""rdflib terms -> N-Triples text: the bytes rdflib's "nt" serializer writes, several times faster
    (rdflib terms hash and compare in Python, so the writer formats each occurrence instead of
    looking terms up, and remembers texts, which are plain strings).

    >>> NTriplesWriter().lines(Graph().add((URIRef("http://e/a"), RDFS.label, Literal('say "hi"'))))
    ['<http://e/a> <http://www.w3.org/2000/01/rdf-schema#label> "say \\"hi\\"" .\n']
    """

    def __init__(self) -> None:
        self.terms: dict[str, Node] = {}  # N-Triples text -> the rdflib term, for every term written
        self.has_blank_nodes = False

    def text(self, term: Node) -> str:
        """The N-Triples text of one term."""
        raw = str.__str__(term)  # type: ignore[arg-type]  # plain str: rdflib terms overload + and %
        if isinstance(term, URIRef):
            text = f"<{raw}>"
            if text not in self.terms:
                if _IRI_FORBIDDEN.search(raw):
                    raise RuntimeFailure(f"cannot write the IRI <{raw}> as N-Triples (it holds a character IRIs may not hold)")
                self.terms[text] = term
            return text
        if isinstance(term, Literal):
            text = '"' + raw.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r") + '"'
            if term.language:
                text = f"{text}@{term.language}"
            elif term.datatype is not None:
                text = f"{text}^^<{str.__str__(term.datatype)}>"
        elif isinstance(term, BNode):
            self.has_blank_nodes = True
            text = f"_:{raw}"
        else:
            raise RuntimeFailure(f"cannot write {term!r} as N-Triples")
        if text not in self.terms:
            self.terms[text] = term
        return text

    def rows(self, triples: Iterable[tuple[Node, Node, Node]]) -> list[tuple[str, str, str]]:
        """Each triple (a Graph is an iterable of triples) as the N-Triples texts of its terms, in order."""
        text = self.text
        return [(text(s), text(p), text(o)) for s, p, o in triples]

    def lines(self, triples: Iterable[tuple[Node, Node, Node]]) -> list[str]:
        """One N-Triples line (ending in a newline) per triple, in order."""
        return [f"{s} {p} {o} .\n" for s, p, o in self.rows(triples)]


def to_ntriples(graph: Graph) -> bytes:
    """Sorted N-Triples: the same graph always gives the same bytes (with no blank nodes, whose
    labels rdflib makes up)."""
    with gc_paused():
        return "".join(sorted(set(NTriplesWriter().lines(graph)))).encode("utf-8")


def to_turtle(graph: Graph) -> bytes:
    """Turtle of the sorted N-Triples, written by Oxigraph (fast and deterministic), with the graph's
    prefixes that its IRIs use. rdflib writes it instead when Oxigraph would not keep the graph as
    rdflib reads it: an explicit "a"^^xsd:string (Oxigraph writes "a", another term for rdflib) or
    an IRI Oxigraph refuses."""
    import pyoxigraph

    nt = to_ntriples(graph)
    if _XSD_STRING in nt:
        return graph.serialize(format="turtle", encoding="utf-8")
    prefixes = {name: str(ns) for name, ns in sorted(graph.namespaces()) if name and b"<" + str(ns).encode() in nt}
    try:
        triples = pyoxigraph.parse(nt, format=pyoxigraph.RdfFormat.N_TRIPLES)
        with gc_paused():  # the parsed triples are Python objects, made and dropped one by one
            turtle = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.TURTLE, prefixes=prefixes)
    except (SyntaxError, ValueError):
        return graph.serialize(format="turtle", encoding="utf-8")
    assert turtle is not None  # serialize returns the bytes when given no output
    return turtle
