"""The fast SHACL engine's shape compiler (see shacl_engine.py): a shapes graph read into `Shape` objects.

`Compiler` reads every shape once, with its targets, its path (shacl_paths.py), its constraints
(shacl_checks.py) and its SPARQL constraints (checked by shacl_sparql.py), and raises
`UnsupportedShape` for any SHACL term it does not understand. `CompiledShapes` (shacl_engine.py)
runs it once per shapes graph; the engine's validation run walks the `Shape` objects it builds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from mdm2kg.rdf.builder import NTriplesWriter
from mdm2kg.rdf.shacl_checks import (
    NODE_KINDS,
    And,
    Class,
    Constraint,
    Data,
    Datatype,
    In,
    Key,
    MaxCount,
    MinCount,
    NodeKind,
    Not,
    Or,
    Pattern,
    UnsupportedShape,
    key_of,
)
from mdm2kg.rdf.shacl_paths import Alternative, Inverse, Path, Predicate, Repeat, Sequence
from mdm2kg.rdf.shacl_sparql import check_select


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


TARGETS = {SH.targetClass: "target_classes", SH.targetNode: "target_nodes", SH.targetSubjectsOf: "target_subjects_of",
           SH.targetObjectsOf: "target_objects_of"}
_KNOWN = set(TARGETS) | {
    SH.name, SH.description, SH.order, SH.group, SH.defaultValue,  # annotations: no effect on validation
    SH.property, SH.path, SH.message, SH.deactivated, SH.severity, SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind,
    SH["class"], SH.pattern, SH.flags, SH["in"], SH["or"], SH["and"], SH["not"], SH.sparql,
}
_SPARQL_KNOWN = {RDF.type, SH.select, SH.message, SH.deactivated, SH.name, SH.description}
_PREFIX_DECLARATIONS = {SH.declare, SH.prefix, SH.namespace}  # no effect without sh:prefixes, which is refused
_REPEATS: dict[Node, tuple[bool, bool]] = {SH.zeroOrMorePath: (True, True), SH.oneOrMorePath: (False, True), SH.zeroOrOnePath: (True, False)}


class Compiler:
    """Reads a shapes graph into `Shape` objects, refusing any SHACL term it does not understand."""

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
                                "(mdm2kg/rdf/shacl_compiler.py); extend it, with a pySHACL comparison test")

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
        for predicate, attribute in TARGETS.items():
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
