"""The fast SHACL engine gives pySHACL's results (pySHACL is the reference), and refuses loudly
what it does not implement.

Compared: the shipped graph; one broken tiny graph per constraint kind of the project shapes; the
SHACL features the engine supports beyond them, on hand-made shapes; the cases where Oxigraph
would see other terms than rdflib. Two results agree when focus node, result path, constraint
component, value node and message agree (pySHACL's generic sh:in message lists a set, in no fixed
order, so that one message is not compared; "x"@EN and "x"@en are one term to rdflib, and
either may be the one reported).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import cache

import pytest
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, SKOS

from mdm2kg.artifact.cache import resolve_data_dirs
from mdm2kg.artifact.pipeline import load_and_build
from mdm2kg.rdf.ontology import load_schema
from mdm2kg.rdf.shacl import ShaclEngine, ShaclResult, project_shapes, shacl_results
from mdm2kg.rdf.shacl_engine import CompiledShapes, UnsupportedShape
from mdm2kg.rdf.shacl_sparql import OxigraphData

from .conftest import FIXTURES

V = "https://w3id.org/mdm2kg/vocab/"
ID = "https://w3id.org/mdm2kg/id/"
EX = "http://example.org/"
Signature = Counter[tuple[object, ...]]


def _term(term: object) -> str | None:
    """A term as rdflib compares it: "x"@EN and "x"@en are one term (either may be reported)."""
    if isinstance(term, Literal) and term.language:
        return Literal(str(term), lang=term.language.lower()).n3()
    return None if term is None else term.n3()  # type: ignore[attr-defined]


def _signature(results: list[ShaclResult]) -> Signature:
    rows: Signature = Counter()
    for r in results:
        message = None if r.component == SH.InConstraintComponent and "not in list" in r.message else r.message
        path = r.path if isinstance(r.path, URIRef) or r.path is None else "complex path"
        rows[(_term(r.focus), str(path), str(r.component), _term(r.value), message)] += 1
    return rows


def assert_same_results(data: Graph, shapes: Graph) -> list[ShaclResult]:
    """Run both engines; assert the same results; return the fast engine's."""
    fast = shacl_results(data, shapes, engine=ShaclEngine.FAST)
    reference = shacl_results(data, shapes, engine=ShaclEngine.PYSHACL)
    assert _signature(fast) == _signature(reference), (
        f"fast engine only: {_signature(fast) - _signature(reference)}\npySHACL only: {_signature(reference) - _signature(fast)}")
    return fast


@cache
def _project_shapes() -> Graph:
    return project_shapes(load_schema())


@cache
def _tiny_triples() -> tuple[tuple[object, ...], ...]:
    _, graph = load_and_build([FIXTURES / "tiny"])
    return tuple(graph)


def tiny() -> Graph:
    """A fresh copy of the tiny fixture's built graph (ontology and dataset description included)."""
    graph = Graph()
    graph.bind("mdm2kg", V)
    graph.bind("mdm2", ID)
    for triple in _tiny_triples():
        graph.add(triple)  # type: ignore[arg-type]
    return graph


def _a_statement(g: Graph, s: str, p: str, o: str) -> URIRef:
    for node in g.subjects(RDF.subject, URIRef(ID + s)):
        if (node, RDF.predicate, URIRef(V + p)) in g and (node, RDF.object, URIRef(ID + o)) in g:
            return node  # type: ignore[return-value]
    raise AssertionError(f"no statement {s} {p} {o}")


def test_shipped_graph_same_verdict_as_pyshacl() -> None:
    _, graph = load_and_build(resolve_data_dirs(None))
    assert assert_same_results(graph, _project_shapes()) == []


def test_tiny_graph_conforms_in_both() -> None:
    assert assert_same_results(tiny(), _project_shapes()) == []


def _evidence_of(g: Graph) -> URIRef:
    return sorted(g.subjects(RDF.type, URIRef(V + "Evidence")))[0]  # type: ignore[return-value]


def _negated_without_twin(g: Graph) -> None:
    node = _a_statement(g, "GENE3", "activates", "GENE1")
    g.add((node, URIRef(V + "negated"), Literal(True)))  # the direct triple stays asserted


def _negated_with_positive_twin(g: Graph) -> None:
    _negated_without_twin(g)
    twin = URIRef(ID + "stmt-twin")
    for p, o in ((RDF.type, RDF.Statement), (RDF.subject, URIRef(ID + "GENE3")), (RDF.predicate, URIRef(V + "activates")),
                 (RDF.object, URIRef(ID + "GENE1")), (URIRef(V + "hasEvidence"), _evidence_of(g))):
        g.add((twin, p, o))


def _negated_and_not_asserted(g: Graph) -> None:
    _negated_without_twin(g)
    g.remove((URIRef(ID + "GENE3"), URIRef(V + "activates"), URIRef(ID + "GENE1")))


def _set(g: Graph, s: str, p: URIRef, o: object) -> None:
    g.remove((URIRef(s), p, None))
    g.add((URIRef(s), p, o))  # type: ignore[arg-type]


# one breakage per constraint kind of the project shapes: (what changes, component it must trip or None)
BROKEN: dict[str, tuple[Callable[[Graph], None], URIRef | None]] = {
    "minCount (statement without evidence)": (
        lambda g: g.remove((_a_statement(g, "drugA", "inhibits", "GENE1"), URIRef(V + "hasEvidence"), None)), SH.MinCountConstraintComponent),
    "minCount (entity without label)": (lambda g: g.remove((URIRef(ID + "GENE2"), RDFS.label, None)), SH.MinCountConstraintComponent),
    "maxCount (two labels)": (lambda g: g.add((URIRef(ID + "GENE2"), RDFS.label, Literal("Gene 2"))), SH.MaxCountConstraintComponent),
    "datatype (decimal written as a string)": (
        lambda g: _set(g, ID + "NCT00000001_orr", URIRef(V + "value"), Literal("3.2")), SH.DatatypeConstraintComponent),
    "datatype (ill-typed decimal)": (
        lambda g: _set(g, ID + "NCT00000001_orr", URIRef(V + "value"), Literal("three", datatype=XSD.decimal)), SH.DatatypeConstraintComponent),
    "datatype (language-tagged label)": (
        lambda g: _set(g, ID + "GENE2", RDFS.label, Literal("Gen zwei", lang="de")), SH.DatatypeConstraintComponent),
    "nodeKind (literal subject of a statement)": (
        lambda g: _set(g, str(_a_statement(g, "drugA", "inhibits", "GENE1")), RDF.subject, Literal("drugA")), SH.NodeKindConstraintComponent),
    "nodeKind (literal identifier)": (
        lambda g: g.add((URIRef(ID + "GENE2"), SKOS.exactMatch, Literal("HGNC:1"))), SH.NodeKindConstraintComponent),
    "class (evidence source is not a publication)": (
        lambda g: _set(g, str(_evidence_of(g)), URIRef(V + "source"), URIRef(ID + "GENE1")), SH.ClassConstraintComponent),
    "class (evidence that is not Evidence)": (
        lambda g: g.add((_a_statement(g, "drugB", "inhibits", "GENE1"), URIRef(V + "hasEvidence"), URIRef(ID + "GENE2"))),
        SH.ClassConstraintComponent),
    "pattern (malformed NCT number)": (
        lambda g: g.add((URIRef(ID + "NCT00000001"), SKOS.exactMatch, URIRef("http://identifiers.org/clinicaltrials/NCT123"))),
        SH.PatternConstraintComponent),
    "pattern (unknown identifier prefix)": (
        lambda g: g.add((URIRef(ID + "GENE2"), SKOS.exactMatch, URIRef("http://example.org/gene/2"))), SH.PatternConstraintComponent),
    "in (unknown evidence kind)": (
        lambda g: _set(g, str(_evidence_of(g)), URIRef(V + "evidenceKind"), Literal("rumour")), SH.InConstraintComponent),
    "in (unknown modality)": (lambda g: _set(g, ID + "drugA", URIRef(V + "modality"), Literal("pill")), SH.InConstraintComponent),
    "or (domain)": (lambda g: g.add((URIRef(ID + "GENE1"), URIRef(V + "member_of"), URIRef(ID + "classA"))), SH.OrConstraintComponent),
    "or (range)": (lambda g: g.add((URIRef(ID + "drugA"), URIRef(V + "has_adverse_event"), URIRef(ID + "GENE2"))), SH.OrConstraintComponent),
    "or (literal object of an object predicate)": (
        lambda g: g.add((URIRef(ID + "drugA"), URIRef(V + "has_adverse_event"), Literal("nausea"))), SH.OrConstraintComponent),
    "sparql (negated statement whose direct triple is asserted)": (_negated_without_twin, SH.SPARQLConstraintComponent),
    "sparql (negated, but a positive statement asserts the triple)": (_negated_with_positive_twin, None),
    "sparql (negated and not asserted)": (_negated_and_not_asserted, None),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_tiny_graph_same_results_as_pyshacl(case: str) -> None:
    breakage, component = BROKEN[case]
    graph = tiny()
    breakage(graph)
    results = assert_same_results(graph, _project_shapes())
    if component is None:
        assert results == []
    else:
        assert component in {r.component for r in results}, results


def test_negated_statement_result_names_the_statement() -> None:
    graph = tiny()
    _negated_without_twin(graph)
    [result] = shacl_results(graph, load_schema())
    assert result.focus == _a_statement(graph, "GENE3", "activates", "GENE1")
    assert result.value == URIRef(ID + "GENE1") and "direct triple is asserted" in result.message


# ---------------------------------------------------------------------------------------------
# Features beyond the project shapes, on a hand-made graph

DATA = f"""
@prefix ex: <{EX}> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Animal rdfs:subClassOf ex:Thing . ex:Dog rdfs:subClassOf ex:Animal .
ex:rex a ex:Dog ; ex:name "Rex" , "REX"@EN ; ex:age "4"^^xsd:integer ; ex:parent ex:max ; ex:friend ex:tom ; ex:code "ab-12" .
ex:max a ex:Dog ; ex:name "Max" ; ex:age "x"^^xsd:integer ; ex:parent ex:old .
ex:old a ex:Animal ; ex:age 12.0 .
ex:tom a ex:Cat ; ex:name "Tom"@en ; ex:friend ex:rex , ex:max ; ex:code "AB-1" .
ex:tag ex:of ex:rex , ex:max .
"""

FEATURES = {
    "targetClass with subclasses, inverse path": (
        "ex:S sh:targetClass ex:Animal ; sh:property [ sh:path [ sh:inversePath ex:friend ] ; sh:minCount 1 ] ."),
    "sequence path": "ex:S sh:targetClass ex:Dog ; sh:property [ sh:path ( ex:parent ex:parent ) ; sh:minCount 1 ; sh:class ex:Dog ] .",
    "alternative path": (
        "ex:S sh:targetNode ex:rex , ex:tom ; sh:property [ sh:path [ sh:alternativePath ( ex:friend ex:parent ) ] ; sh:maxCount 1 ] ."),
    "zeroOrMore path": "ex:S sh:targetNode ex:rex ; sh:property [ sh:path [ sh:zeroOrMorePath ex:parent ] ; sh:class ex:Dog ] .",
    "oneOrMore path": "ex:S sh:targetNode ex:rex ; sh:property [ sh:path [ sh:oneOrMorePath ex:parent ] ; sh:maxCount 1 ] .",
    "zeroOrOne path": "ex:S sh:targetNode ex:rex ; sh:property [ sh:path [ sh:zeroOrOnePath ex:parent ] ; sh:nodeKind sh:Literal ] .",
    "targetNode absent from the data": "ex:S sh:targetNode ex:ghost ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .",
    "targetSubjectsOf, datatype integer (ill-typed)": "ex:S sh:targetSubjectsOf ex:age ; sh:property [ sh:path ex:age ; sh:datatype xsd:integer ] .",
    "datatype langString": "ex:S sh:targetSubjectsOf ex:name ; sh:property [ sh:path ex:name ; sh:datatype rdf:langString ] .",
    "datatype string, message": (
        'ex:S sh:targetSubjectsOf ex:name ; sh:property [ sh:path ex:name ; sh:datatype xsd:string ; sh:message "needs a string" ] .'),
    "targetObjectsOf, node kinds": "ex:S sh:targetObjectsOf ex:of ; sh:nodeKind sh:BlankNodeOrLiteral .",
    "pattern with flags": 'ex:S sh:targetSubjectsOf ex:code ; sh:property [ sh:path ex:code ; sh:pattern "^ab-[0-9]{2}$" ; sh:flags "i" ] .',
    "two patterns": 'ex:S sh:targetSubjectsOf ex:code ; sh:property [ sh:path ex:code ; sh:pattern "^ab" , "[0-9]$" ] .',
    "two classes": "ex:S sh:targetSubjectsOf ex:friend ; sh:property [ sh:path ex:friend ; sh:class ex:Dog , ex:Animal ] .",
    "in with typed values": "ex:S sh:targetSubjectsOf ex:age ; sh:property [ sh:path ex:age ; sh:in ( 4 12.0 ) ] .",
    "and / not": "ex:S sh:targetClass ex:Thing ; sh:and ( ex:HasName ex:HasAge ) ; sh:not ex:IsCat .\n"
                 "ex:HasName sh:property [ sh:path ex:name ; sh:minCount 1 ] . ex:HasAge sh:property [ sh:path ex:age ; sh:minCount 1 ] .\n"
                 "ex:IsCat sh:class ex:Cat .",
    "or of property shapes": "ex:S sh:targetSubjectsOf ex:friend ; sh:or ( [ sh:class ex:Cat ] [ sh:path ex:parent ; sh:minCount 1 ] ) .",
    "property shape inside a property shape (value nodes counted)": (
        "ex:S sh:targetSubjectsOf ex:friend ; sh:property [ sh:path ex:friend ; sh:property [ sh:path ex:code ; sh:minCount 1 ] ] ."),
    "deactivated shape": "ex:S sh:targetClass ex:Dog ; sh:deactivated true ; sh:property [ sh:path ex:missing ; sh:minCount 1 ] .",
    "sparql constraint with $this only": (
        'ex:S sh:targetClass ex:Dog ; sh:sparql [ sh:message "a dog with a cat friend" ; '
        'sh:select "SELECT $this WHERE { $this <http://example.org/friend> ?f . ?f a <http://example.org/Cat> . }" ] .'),
    "sparql constraint with ?path and prefixes of the data graph": (
        'ex:S sh:targetClass ex:Animal ; sh:sparql [ sh:message "has an age" ; '
        'sh:select "SELECT $this ?path ?value WHERE { $this ex:age ?value . BIND_FREE ?path }" ] .'.replace(
            "BIND_FREE ?path", "$this ?path ?value . FILTER(?path = ex:age)")),
}
PREFIXES = (f"@prefix sh: <{SH}> . @prefix ex: <{EX}> . @prefix xsd: <{XSD}> . @prefix rdf: <{RDF}> .\n")


@pytest.mark.parametrize("case", list(FEATURES))
def test_feature_same_results_as_pyshacl(case: str) -> None:
    data = Graph().parse(data=DATA, format="turtle")
    shapes = Graph().parse(data=PREFIXES + FEATURES[case], format="turtle")
    assert_same_results(data, shapes)


def test_features_find_something() -> None:
    """The feature cases are not vacuous: most of them report results."""
    data = Graph().parse(data=DATA, format="turtle")
    reporting = [case for case, text in FEATURES.items()
                 if shacl_results(data, Graph().parse(data=PREFIXES + text, format="turtle"))]
    assert len(reporting) >= len(FEATURES) - 3, reporting


# ---------------------------------------------------------------------------------------------
# Where Oxigraph would see other terms than rdflib, SPARQL constraints still answer as pySHACL's

SPARQL_SAME_VALUE = (PREFIXES + 'ex:S sh:targetSubjectsOf ex:v ; sh:sparql [ sh:message "shares a value" ; sh:select """'
                     'SELECT $this ?value WHERE { $this ex:v ?value . ?other ex:w ?value . }""" ] .')
SPARQL_LEXICAL = (PREFIXES + 'ex:S sh:targetSubjectsOf ex:v ; sh:sparql [ sh:message "written with a point" ; sh:select """'
                  'SELECT $this ?value WHERE { $this ex:v ?value . FILTER(CONTAINS(STR(?value), ".")) }""" ] .')


@pytest.mark.parametrize(("data", "shapes", "oxigraph"), [
    ('ex:a ex:v "8.0"^^xsd:decimal . ex:b ex:w "8.0"^^xsd:decimal .', SPARQL_SAME_VALUE, "inexact"),
    ('ex:a ex:v "8.0"^^xsd:decimal . ex:b ex:w "8.00"^^xsd:decimal .', SPARQL_SAME_VALUE, None),
    ('ex:a ex:v "8.0"^^xsd:decimal . ex:b ex:v 8 .', SPARQL_LEXICAL, "inexact"),
    ('ex:a ex:v "x"@EN . ex:b ex:w "x"@en .', SPARQL_SAME_VALUE, "inexact"),  # rdflib and Oxigraph: one term
    ('ex:a ex:v "x" . ex:b ex:w "x"^^xsd:string .', SPARQL_SAME_VALUE, None),
    ('ex:a ex:v _:n . ex:b ex:w _:n .', SPARQL_SAME_VALUE, None),
    ('ex:a ex:v true . ex:b ex:w true .', SPARQL_SAME_VALUE, "exact"),
])
def test_sparql_constraint_terms_as_rdflib_sees_them(data: str, shapes: str, oxigraph: str | None) -> None:
    graph = Graph().parse(data=PREFIXES + data, format="turtle")
    from mdm2kg.rdf.builder import NTriplesWriter

    writer = NTriplesWriter()
    store = OxigraphData.load(writer.rows(graph), writer)
    assert (None if store is None else "exact" if store.exact else "inexact") == oxigraph
    assert_same_results(graph, Graph().parse(data=shapes, format="turtle"))


# ---------------------------------------------------------------------------------------------
# Refusals: a feature the engine does not implement must never pass silently

UNSUPPORTED = {
    "sh:minLength": "ex:S sh:targetClass ex:Dog ; sh:property [ sh:path ex:name ; sh:minLength 2 ] .",
    "sh:node": "ex:S sh:targetClass ex:Dog ; sh:node ex:T . ex:T sh:class ex:Dog .",
    "sh:closed": "ex:S sh:targetClass ex:Dog ; sh:closed true .",
    "sh:hasValue": "ex:S sh:targetClass ex:Dog ; sh:property [ sh:path ex:name ; sh:hasValue \"Rex\" ] .",
    "sh:xone": "ex:S sh:targetClass ex:Dog ; sh:xone ( ex:T ex:T ) . ex:T sh:class ex:Dog .",
    "sh:qualifiedValueShape": "ex:S sh:targetClass ex:Dog ; sh:property [ sh:path ex:parent ; sh:qualifiedValueShape ex:T ; "
                              "sh:qualifiedMinCount 1 ] . ex:T sh:class ex:Dog .",
    "sh:equals": "ex:S sh:targetClass ex:Dog ; sh:property [ sh:path ex:name ; sh:equals ex:code ] .",
    "sh:severity sh:Warning": "ex:S sh:targetClass ex:Dog ; sh:severity sh:Warning ; sh:property [ sh:path ex:x ; sh:minCount 1 ] .",
    "SPARQL target": "ex:S sh:target [ a sh:SPARQLTarget ; sh:select \"SELECT ?this WHERE { ?this a ex:Dog }\" ] .",
    "implicit class target": "ex:Dog a rdfs:Class , sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .",
    "inverse of a sequence path": "ex:S sh:targetClass ex:Dog ; sh:property [ sh:path [ sh:inversePath ( ex:a ex:b ) ] ; sh:minCount 1 ] .",
    "custom constraint component": "ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:p ] .",
    "SPARQL with OPTIONAL": 'ex:S sh:targetClass ex:Dog ; sh:sparql [ sh:message "m" ; '
                            'sh:select "SELECT $this WHERE { OPTIONAL { $this ex:p ?x } }" ] .',
    "SPARQL with a subquery": 'ex:S sh:targetClass ex:Dog ; sh:sparql [ sh:message "m" ; '
                              'sh:select "SELECT $this WHERE { { SELECT $this WHERE { $this ex:p ?x } } }" ] .',
    "SPARQL with $PATH": 'ex:S sh:targetClass ex:Dog ; sh:sparql [ sh:message "m" ; sh:select "SELECT $this WHERE { $this $PATH ?x }" ] .',
    "SPARQL with sh:prefixes": 'ex:S sh:targetClass ex:Dog ; sh:sparql [ sh:message "m" ; sh:prefixes ex: ; '
                               'sh:select "SELECT $this WHERE { $this ex:p ?x }" ] .',
    "SPARQL without a message": 'ex:S sh:targetClass ex:Dog ; sh:sparql [ sh:select "SELECT $this WHERE { $this ex:p ?x }" ] .',
    "SPARQL message template": 'ex:S sh:targetClass ex:Dog ; sh:sparql [ sh:message "bad {?x}" ; '
                               'sh:select "SELECT $this ?x WHERE { $this ex:p ?x }" ] .',
    "SPARQL on a property shape": 'ex:S sh:targetClass ex:Dog ; sh:property [ sh:path ex:p ; sh:sparql [ sh:message "m" ; '
                                  'sh:select "SELECT $this WHERE { $this ex:p ?x }" ] ] .',
    "minCount on a node shape (pySHACL refuses it too)": "ex:S sh:targetNode ex:rex ; sh:minCount 2 .",
    "two minCounts": "ex:S sh:targetClass ex:Dog ; sh:property [ sh:path ex:name ; sh:minCount 1 , 2 ] .",
    "flags other than i and m": 'ex:S sh:targetClass ex:Dog ; sh:property [ sh:path ex:name ; sh:pattern "a" ; sh:flags "x" ] .',
}


@pytest.mark.parametrize("case", list(UNSUPPORTED))
def test_unsupported_feature_is_refused(case: str) -> None:
    shapes = Graph().parse(data=PREFIXES + f"@prefix rdfs: <{RDFS}> .\n" + UNSUPPORTED[case], format="turtle")
    with pytest.raises(UnsupportedShape, match=r"not supported|cannot"):
        CompiledShapes(shapes)


def test_project_shapes_compile() -> None:
    compiled = CompiledShapes(_project_shapes())
    names = {str(s.node) for s in compiled.roots}
    assert V + "NegatedStatementShape" in names and V + "shape/member_of/domain" in names
    assert not any(isinstance(s.node, BNode) for s in compiled.roots)
