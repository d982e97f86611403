"""A fast SHACL validator for the subset of SHACL the project's shapes use.

pySHACL is the reference: tests/test_shacl_engine.py runs both on the shipped graph and on one
broken graph per constraint kind and asserts the same results. This engine compiles the shapes
once into plain checks (shacl_checks.py) over per-predicate indexes of the data graph, read in one
pass; it keeps the rdflib term behind every node, so literal values, ill-typed literals and term
sameness are decided as pySHACL decides them. SPARQL-based constraints run once for all focus
nodes, on Oxigraph when it answers as rdflib would (shacl_sparql.py).

Supported: sh:targetClass (following rdfs:subClassOf in the data), targetNode, targetSubjectsOf,
targetObjectsOf; sh:property with predicate, inverse (of a predicate), sequence, alternative,
zeroOrMore, oneOrMore and zeroOrOne paths; sh:minCount, maxCount, datatype, nodeKind, class,
pattern (with flags i and m), in, or, and, not; sh:sparql SELECT constraints on node shapes;
sh:message, sh:deactivated and sh:severity sh:Violation. Any other SHACL term raises
`UnsupportedShape`: the engine never skips a constraint it does not understand.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from mdm2kg.perf import gc_paused
from mdm2kg.rdf.builder import NTriplesWriter
from mdm2kg.rdf.shacl_checks import (
    NODE_KINDS,
    Alternative,
    And,
    Class,
    Constraint,
    Context,
    Data,
    Datatype,
    In,
    Inverse,
    Key,
    MaxCount,
    MinCount,
    NodeKind,
    Not,
    Or,
    Path,
    Pattern,
    Predicate,
    Repeat,
    Sequence,
    UnsupportedShape,
    key_of,
)
from mdm2kg.rdf.shacl_sparql import OxigraphData, check_select, rdflib_rows

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


@dataclass(slots=True)
class SparqlConstraint:
    node: Node
    select: str  # empty when deactivated
    message: str


@dataclass(eq=False, slots=True)
class Shape:
    """A compiled shape: its path (property shapes), constraints, property shapes and targets."""

    node: Node
    path: Path | None = None
    path_node: Node | None = None
    message: str | None = None
    deactivated: bool = False
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    sparql: list[SparqlConstraint] = field(default_factory=list)
    target_classes: list[Key] = field(default_factory=list)
    target_nodes: list[Key] = field(default_factory=list)
    target_subjects_of: list[Key] = field(default_factory=list)
    target_objects_of: list[Key] = field(default_factory=list)

    @property
    def has_targets(self) -> bool:
        return bool(self.target_classes or self.target_nodes or self.target_subjects_of or self.target_objects_of)

    def focus_nodes(self, data: Data) -> set[Key]:
        found: set[Key] = set(self.target_nodes)
        for cls in self.target_classes:
            found |= data.instances(cls)
        for p in self.target_subjects_of:
            found.update(data.objects(p))
        for p in self.target_objects_of:
            found.update(data.subjects(p))
        return found


_TARGETS = {SH.targetClass: "target_classes", SH.targetNode: "target_nodes", SH.targetSubjectsOf: "target_subjects_of",
            SH.targetObjectsOf: "target_objects_of"}
_KNOWN = set(_TARGETS) | {
    SH.name, SH.description, SH.order, SH.group, SH.defaultValue,  # annotations: no effect on validation
    SH.property, SH.path, SH.message, SH.deactivated, SH.severity, SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind,
    SH["class"], SH.pattern, SH.flags, SH["in"], SH["or"], SH["and"], SH["not"], SH.sparql,
}
_SPARQL_KNOWN = {RDF.type, SH.select, SH.message, SH.deactivated, SH.name, SH.description}
_PREFIX_DECLARATIONS = {SH.declare, SH.prefix, SH.namespace}  # no effect without sh:prefixes, which is refused
_REPEATS: dict[Node, tuple[bool, bool]] = {SH.zeroOrMorePath: (True, True), SH.oneOrMorePath: (False, True), SH.zeroOrOnePath: (True, False)}
_MAX_DEPTH = 32


class _Compiler:
    def __init__(self, graph: Graph) -> None:
        self.g = graph
        # every node's predicates and objects, read in one pass (rdflib lookups are slow)
        self.props: dict[Node, dict[Node, list[Node]]] = {}
        for subject, predicate, value in graph:
            self.props.setdefault(subject, {}).setdefault(predicate, []).append(value)
        self.writer = NTriplesWriter()
        self.shapes: dict[Node, Shape] = {}
        self.parts: set[Node] = set()  # SPARQL constraint and path nodes read so far

    def fail(self, shape: Node, what: str) -> UnsupportedShape:
        return UnsupportedShape(f"SHACL shape {shape}: {what} is not supported by the fast SHACL engine "
                                "(mdm2kg/rdf/shacl_engine.py); extend it, with a pySHACL comparison test")

    def name(self, term: Node) -> str:
        return term.n3(self.g.namespace_manager) if isinstance(term, URIRef) else str(term)

    def key(self, term: Node) -> Key:
        return key_of(self.writer, term)

    def one(self, shape: Node, predicate: URIRef) -> Node | None:
        values = self.objects(shape, predicate)
        if len(values) > 1:
            raise self.fail(shape, f"more than one {self.name(predicate)}")
        return values[0] if values else None

    def count(self, shape: Node, predicate: URIRef) -> int | None:
        value = self.one(shape, predicate)
        if value is None:
            return None
        if not (isinstance(value, Literal) and type(value.value) is int and value.value >= 0):
            raise self.fail(shape, f"{self.name(predicate)} {value} (not a non-negative integer)")
        return int(value.value)

    def items(self, shape: Node, head: Node) -> list[Node]:
        members = self.rdf_list(head)
        if not members:
            raise self.fail(shape, "an empty or malformed RDF list")
        return members

    def objects(self, node: Node, predicate: Node) -> list[Node]:
        return self.props.get(node, {}).get(predicate, [])

    def rdf_list(self, head: Node) -> list[Node]:
        """The members of an RDF list (empty when `head` is not a well-formed list)."""
        members: list[Node] = []
        seen: set[Node] = set()
        while head != RDF.nil:
            firsts, rests = self.objects(head, RDF.first), self.objects(head, RDF.rest)
            if len(firsts) != 1 or len(rests) != 1 or head in seen:
                return []
            seen.add(head)
            members.append(firsts[0])
            head = rests[0]
        return members

    def shape(self, node: Node) -> Shape:
        if node in self.shapes:
            return self.shapes[node]
        shape = self.shapes[node] = Shape(node)
        for p in self.props.get(node, {}):
            if str(p).startswith(str(SH)) and p not in _KNOWN:
                raise self.fail(node, self.name(p))
        if set(self.objects(node, RDF.type)) & {RDFS.Class, OWL.Class}:
            raise self.fail(node, "a shape that is also a class (an implicit class target)")
        severity = self.one(node, SH.severity)
        if severity is not None and severity != SH.Violation:
            raise self.fail(node, f"sh:severity {severity}")
        deactivated = self.one(node, SH.deactivated)
        shape.deactivated = isinstance(deactivated, Literal) and bool(deactivated.value)
        message = self.one(node, SH.message)
        shape.message = None if message is None else str(message)
        if (path := self.one(node, SH.path)) is not None:
            shape.path_node, shape.path = path, self.path(node, path)
        for predicate, attribute in _TARGETS.items():
            setattr(shape, attribute, [self.key(t) for t in self.objects(node, predicate)])
        self.constraints(shape)
        return shape

    def constraints(self, shape: Shape) -> None:
        node, objects, add = shape.node, self.objects, shape.constraints.append
        if shape.path is None and (objects(node, SH.minCount) or objects(node, SH.maxCount)):
            raise self.fail(node, "sh:minCount or sh:maxCount on a node shape (SHACL allows them on property shapes only)")
        if (n := self.count(node, SH.minCount)) is not None:
            add(MinCount(n))
        if (n := self.count(node, SH.maxCount)) is not None:
            add(MaxCount(n))
        if (datatype := self.one(node, SH.datatype)) is not None:
            add(Datatype(URIRef(str(datatype))))
        if (kind := self.one(node, SH.nodeKind)) is not None:
            if kind not in NODE_KINDS:
                raise self.fail(node, f"sh:nodeKind {kind}")
            add(NodeKind(kind))
        # several classes or patterns: in rdflib's order, as pySHACL lists them in its generic message
        if classes := tuple(self.g.objects(node, SH["class"])):  # type: ignore[arg-type]
            add(Class(tuple(self.key(c) for c in classes), classes))
        flags = self.one(node, SH.flags)
        if patterns := list(self.g.objects(node, SH.pattern)):  # type: ignore[arg-type]
            add(Pattern(tuple(re.compile(str(p), self.regex_flags(node, flags)) for p in patterns)))
        elif flags is not None:
            raise self.fail(node, "sh:flags without sh:pattern")
        if (members := self.one(node, SH["in"])) is not None:
            names = tuple(self.rdf_list(members))
            add(In(frozenset(self.key(m) for m in names), names))
        if (negated := self.one(node, SH["not"])) is not None:
            add(Not(self.shape(negated)))
        for head in objects(node, SH["or"]):
            add(Or(tuple(self.shape(m) for m in self.items(node, head))))
        for head in objects(node, SH["and"]):
            add(And(tuple(self.shape(m) for m in self.items(node, head))))
        for prop in objects(node, SH.property):
            child = self.shape(prop)
            if child.path is None:
                raise self.fail(prop, "a property shape without sh:path")
            shape.properties.append(child)
        for constraint in objects(node, SH.sparql):
            if shape.path is not None:
                raise self.fail(node, "sh:sparql on a property shape")
            shape.sparql.append(self.sparql(node, constraint))

    def check_all_read(self) -> None:
        """Refuse a SHACL statement about anything the compiler did not read (a SPARQL target, a rule...)."""
        read = self.shapes.keys() | self.parts
        for node, predicates in self.props.items():
            for p in predicates:
                if str(p).startswith(str(SH)) and node not in read and p not in _PREFIX_DECLARATIONS:
                    raise self.fail(node, f"{self.name(p)} on a node that is not a shape the engine reads")

    def regex_flags(self, node: Node, flags: Node | None) -> int:
        text = str(flags or "").lower()
        if set(text) - {"i", "m"}:
            raise self.fail(node, f"sh:flags {text!r} (only i and m)")
        return (re.IGNORECASE if "i" in text else 0) | (re.MULTILINE if "m" in text else 0)

    def sparql(self, shape: Node, node: Node) -> SparqlConstraint:
        self.parts.add(node)
        for p in self.props.get(node, {}):
            if p not in _SPARQL_KNOWN:
                raise self.fail(shape, f"{self.name(p)} on a SPARQL constraint")
        select = self.one(node, SH.select)
        if select is None:
            raise self.fail(shape, "a SPARQL constraint without sh:select")
        messages = [str(m) for m in self.objects(node, SH.message) + self.objects(shape, SH.message)]
        if len(messages) != 1:
            raise self.fail(shape, "a SPARQL constraint without exactly one sh:message (on it or on its shape)")
        if re.search(r"\{[$?]\w+\}", messages[0]):
            raise self.fail(shape, "a message template ({$var} or {?var})")
        if problem := check_select(str(select)):
            raise self.fail(shape, f"a SPARQL constraint that {problem}")
        deactivated = self.one(node, SH.deactivated)
        return SparqlConstraint(node, "" if isinstance(deactivated, Literal) and deactivated.value else str(select), messages[0])

    def path(self, shape: Node, node: Node, depth: int = 0) -> Path:
        if depth > 10:
            raise self.fail(shape, "a path nested more than 10 deep")
        if isinstance(node, URIRef):
            return Predicate(self.key(node))
        if not isinstance(node, BNode):
            raise self.fail(shape, f"the path {node}")
        if self.objects(node, RDF.first):
            steps = tuple(self.path(shape, p, depth + 1) for p in self.rdf_list(node))
            if len(steps) < 2:
                raise self.fail(shape, "a sequence path of fewer than two steps")
            return Sequence(steps)
        self.parts.add(node)
        forms = set(self.props.get(node, {}))
        if len(forms) != 1:
            raise self.fail(shape, "a path node that is not exactly one SHACL path form")
        form = forms.pop()
        inner = self.one(node, form)  # type: ignore[arg-type]
        assert inner is not None
        if form == SH.inversePath:
            if not isinstance(inner, URIRef):
                raise self.fail(shape, "sh:inversePath of a complex path")
            return Inverse(self.key(inner))
        if form == SH.alternativePath:
            parts = tuple(self.path(shape, p, depth + 1) for p in self.items(shape, inner))
            if len(parts) < 2:
                raise self.fail(shape, "an alternative path of fewer than two paths")
            return Alternative(parts)
        if form in _REPEATS:
            include_self, unbounded = _REPEATS[form]
            return Repeat(self.path(shape, inner, depth + 1), include_self, unbounded)
        raise self.fail(shape, f"the path form {self.name(form)}")


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
        compiler = _Compiler(shapes)
        nodes: set[Node] = set()
        for target in _TARGETS:
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
