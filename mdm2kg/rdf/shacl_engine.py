"""A fast SHACL validator for the subset of SHACL the project's shapes use.

pySHACL is the reference: tests/test_shacl_engine.py runs both on the shipped graph and on one
broken graph per constraint kind and asserts the same results. This engine compiles the shapes
once (shacl_compiler.py) into plain checks (shacl_checks.py) and property paths (shacl_paths.py)
over per-predicate indexes of the data graph, read in one pass; it keeps the rdflib term behind
every node, so literal values, ill-typed literals and term sameness are decided as pySHACL decides
them. SPARQL-based constraints run once for all focus nodes, on Oxigraph when it answers as
rdflib would (shacl_sparql.py).

Supported: sh:targetClass (following rdfs:subClassOf in the data), targetNode, targetSubjectsOf,
targetObjectsOf; sh:property with predicate, inverse (of a predicate), sequence, alternative,
zeroOrMore, oneOrMore and zeroOrOne paths; sh:minCount, maxCount, datatype, nodeKind, class,
pattern (with flags i and m), in, or, and, not; sh:sparql SELECT constraints on node shapes;
sh:message, sh:deactivated and sh:severity sh:Violation. Any other SHACL term raises
`UnsupportedShape`: the engine never skips a constraint it does not understand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from mdm2kg.perf import gc_paused
from mdm2kg.rdf.builder import NTriplesWriter
from mdm2kg.rdf.shacl_checks import Context, Data, Key, UnsupportedShape, key_of
from mdm2kg.rdf.shacl_compiler import TARGETS, Compiler, Shape, SparqlConstraint
from mdm2kg.rdf.shacl_sparql import OxigraphData, rdflib_rows

__all__ = ["CompiledShapes", "ShaclResult", "UnsupportedShape"]


@dataclass(frozen=True, slots=True)
class ShaclResult:
    """One validation result, with the fields pySHACL's report gives it."""

    focus: Node
    path: Node | None
    component: URIRef
    value: Node | None
    message: str
    shape: Node


_MAX_DEPTH = 32


class CompiledShapes:
    """A shapes graph compiled for validation: compile once, validate many data graphs.

    >>> shapes = Graph().parse(data='''@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
    ...     ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .''', format="turtle")
    >>> data = Graph().parse(data="<http://example.org/x> a <http://example.org/C> .", format="turtle")
    >>> [(str(r.focus), r.message) for r in CompiledShapes(shapes).validate(data)]
    [('http://example.org/x', 'Less than 1 values on <http://example.org/x>->ex:name')]
    """

    def __init__(self, shapes: Graph) -> None:
        self.graph = shapes
        if (None, RDF.type, SH.ConstraintComponent) in shapes or (None, SH.parameter, None) in shapes:
            raise UnsupportedShape("custom SHACL constraint components are not supported by the fast SHACL engine")
        compiler = Compiler(shapes)
        nodes: set[Node] = set()
        for target in TARGETS:
            nodes.update(shapes.subjects(target, None))
        for kind in (SH.NodeShape, SH.PropertyShape):
            nodes.update(shapes.subjects(RDF.type, kind))
        for node in sorted(nodes, key=str):
            compiler.shape(node)
        compiler.check_all_read()
        self.roots = [s for s in compiler.shapes.values() if s.has_targets]
        self.terms = compiler.writer.terms  # shape constants by key (a targetNode need not be in the data)

    def validate(self, data: Graph) -> list[ShaclResult]:
        """Every validation result of `data` against the shapes (empty when it conforms)."""
        with gc_paused():  # millions of small acyclic objects: collector scans would make it superlinear
            return _Run(data, self).run()


class _Run:
    """One validation of one data graph."""

    def __init__(self, graph: Graph, shapes: CompiledShapes) -> None:
        self.graph = graph
        self.shapes = shapes
        self.writer = NTriplesWriter()
        self.text_rows = self.writer.rows(graph)  # the one pass over rdflib's (slow to iterate) store
        terms: dict[Key, Node] = {**shapes.terms, **self.writer.terms}
        aliases = {text: key_of(self.writer, t) for text, t in self.writer.terms.items()
                   if isinstance(t, Literal) and t.language and t.language != t.language.lower()}
        rows = self.text_rows
        if aliases:  # rdflib compares language tags ignoring case; so do the keys
            rows = [(aliases.get(s, s), p, aliases.get(o, o)) for s, p, o in rows]
            terms.update({key: self.writer.terms[text] for text, key in aliases.items()})
        self.data = Data(rows, terms)
        self.ctx = Context(self.data, graph, shapes.graph, self.conforms)
        self._sparql_rows: dict[str, list[dict[str, Key]]] = {}
        self._store: OxigraphData | bool | None = None  # False: Oxigraph would not answer as rdflib does

    def run(self) -> list[ShaclResult]:
        results: list[ShaclResult] = []
        for shape in self.shapes.roots:
            results.extend(self.validate(shape, shape.focus_nodes(self.data), 0))
        return results

    def conforms(self, shape: Shape, node: Key, depth: int) -> bool:
        """Whether `node` conforms to `shape` (stops at the first violation, writes no message)."""
        return next(self.violations(shape, (node,), depth + 1), None) is None

    def validate(self, shape: Shape, focus: Iterable[Key], depth: int) -> list[ShaclResult]:
        return list(self.violations(shape, focus, depth))

    def violations(self, shape: Shape, focus: Iterable[Key], depth: int) -> Iterator[ShaclResult]:
        if shape.deactivated:
            return
        if depth > _MAX_DEPTH:
            raise UnsupportedShape(f"SHACL shape {shape.node}: shapes nested more than {_MAX_DEPTH} deep (a cycle?)")
        nodes = list(focus)
        if not nodes:
            return
        values: dict[Key, Collection[Key]]
        if shape.path is None:
            values = {f: (f,) for f in nodes}
        else:
            path, data = shape.path, self.data
            values = {f: path.values(f, data) for f in nodes}
        term = self.data.term
        for constraint in shape.constraints:
            for f, v in constraint.violations(shape, values, self.ctx, depth):
                message = shape.message if shape.message is not None else constraint.message(shape, self.ctx, f, v)
                yield ShaclResult(term(f), shape.path_node, constraint.component, None if v is None else term(v), message, shape.node)
        for prop in shape.properties:
            yield from self.property_results(prop, values, depth)
        for sparql in shape.sparql:
            yield from self.sparql_results(shape, sparql, nodes)

    def property_results(self, prop: Shape, values: dict[Key, Collection[Key]], depth: int) -> list[ShaclResult]:
        """sh:property validates the property shape once per value node, as often as it occurs."""
        counts = Counter(v for vs in values.values() for v in vs)
        if all(n == 1 for n in counts.values()):
            return self.validate(prop, counts, depth + 1)
        results: list[ShaclResult] = []
        for node, n in counts.items():
            results.extend(self.validate(prop, (node,), depth + 1) * n)
        return results

    def sparql_results(self, shape: Shape, sparql: SparqlConstraint, focus: list[Key]) -> list[ShaclResult]:
        if not sparql.select:  # deactivated
            return []
        wanted = set(focus)
        results: list[ShaclResult] = []
        seen: set[tuple[tuple[str, Key], ...]] = set()
        term = self.data.term
        for row in self.sparql_rows(sparql.select):
            this = row.get("this")
            if this is None:
                raise UnsupportedShape(f"SHACL shape {shape.node}: the SPARQL constraint {sparql.node} gave a row without $this")
            distinct = tuple(sorted(row.items()))  # pySHACL reports each distinct row once
            if this not in wanted or distinct in seen:
                continue
            seen.add(distinct)
            path = row.get("path")
            results.append(ShaclResult(term(this), None if path is None else term(path), SH.SPARQLConstraintComponent,
                                       term(row.get("value", this)), sparql.message, shape.node))
        return results

    def sparql_rows(self, select: str) -> list[dict[str, Key]]:
        """The query's solutions: on Oxigraph when it answers as rdflib would, else on rdflib."""
        if select not in self._sparql_rows:
            if self._store is None:
                self._store = OxigraphData.load(self.text_rows, self.writer) or False
            store = self._store if isinstance(self._store, OxigraphData) else None
            if store is not None and store.answers_like_rdflib(select):
                rows = store.rows(select, self.graph, self.writer)
            else:
                rows = rdflib_rows(select, self.graph, self.writer)
            self._sparql_rows[select] = rows
            self.data.terms = {**self.data.terms, **self.writer.terms}  # terms a query computed
        return self._sparql_rows[select]
