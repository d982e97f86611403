"""The fast SHACL engine's data index and core constraints (see shacl_engine.py; property paths: shacl_paths.py).

Terms are keyed by their N-Triples text (a plain string hashes and compares in C; rdflib terms do
it in Python), with language tags lower-cased as rdflib compares them; the rdflib term behind a
key is at hand wherever SHACL looks at a literal's value, so every check decides as pySHACL does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from mdm2kg.errors import RuntimeFailure
from mdm2kg.rdf.builder import NTriplesWriter

if TYPE_CHECKING:
    from mdm2kg.rdf.shacl_compiler import Shape

class UnsupportedShape(RuntimeFailure):
    """The shapes use a SHACL feature the fast engine does not implement (run pySHACL, or extend the engine)."""


Key = str  # a term's N-Triples text (language tag lower-cased)
Row = tuple[Key, Key, Key]
Values = Mapping[Key, Collection[Key]]
Violation = tuple[Key, Key | None]  # focus node, value node (None: the focus node's count failed)

RDF_TYPE, SUBCLASS_OF = f"<{RDF.type}>", f"<{RDFS.subClassOf}>"


def key_of(writer: NTriplesWriter, term: Node) -> Key:
    """The key of a term: its N-Triples text, language tag lower-cased (rdflib's "x"@EN == "x"@en)."""
    text = writer.text(term)
    if isinstance(term, Literal) and term.language and term.language != term.language.lower():
        return text[: text.rindex("@") + 1] + term.language.lower()
    return text


def is_literal(key: Key) -> bool:
    return key[0] == '"'


class Data:
    """The data graph's triples by predicate, indexed both ways on first use; the rdflib term of each key."""

    def __init__(self, rows: Iterable[Row], terms: Mapping[Key, Node]) -> None:
        self.terms = terms
        self._pairs: dict[Key, list[tuple[Key, Key]]] = {}
        for s, p, o in rows:
            pairs = self._pairs.get(p)
            if pairs is None:
                self._pairs[p] = [(s, o)]
            else:
                pairs.append((s, o))
        self._forward: dict[Key, dict[Key, list[Key]]] = {}
        self._backward: dict[Key, dict[Key, list[Key]]] = {}
        self._supers: dict[Key, frozenset[Key]] = {}

    def term(self, key: Key) -> Node:
        return self.terms[key]

    def _index(self, predicate: Key) -> None:
        forward: dict[Key, list[Key]] = {}
        backward: dict[Key, list[Key]] = {}
        for s, o in self._pairs.get(predicate, ()):
            objects = forward.get(s)
            if objects is None:
                forward[s] = [o]
            else:
                objects.append(o)
            subjects = backward.get(o)
            if subjects is None:
                backward[o] = [s]
            else:
                subjects.append(s)
        self._forward[predicate] = forward
        self._backward[predicate] = backward

    def objects(self, predicate: Key) -> dict[Key, list[Key]]:
        """subject -> its objects for `predicate` (distinct: a graph holds a triple once)."""
        if predicate not in self._forward:
            self._index(predicate)
        return self._forward[predicate]

    def subjects(self, predicate: Key) -> dict[Key, list[Key]]:
        """object -> its subjects for `predicate`."""
        if predicate not in self._backward:
            self._index(predicate)
        return self._backward[predicate]

    def superclasses(self, cls: Key) -> frozenset[Key]:
        """`cls` and everything it is an rdfs:subClassOf, transitively, in the data graph."""
        found = self._supers.get(cls)
        if found is None:
            parents = self.objects(SUBCLASS_OF)
            seen, todo = {cls}, [cls]
            while todo:
                for parent in parents.get(todo.pop(), ()):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            found = self._supers[cls] = frozenset(seen)
        return found

    def is_instance(self, node: Key, cls: Key) -> bool:
        """SHACL instance: some rdf:type of `node` is `cls` or a subclass of it (literals never are)."""
        if is_literal(node):
            return False
        return any(cls in self.superclasses(t) for t in self.objects(RDF_TYPE).get(node, ()))

    def instances(self, cls: Key) -> set[Key]:
        found: set[Key] = set()
        for t, members in self.subjects(RDF_TYPE).items():
            if cls in self.superclasses(t):
                found.update(members)
        return found


# ---------------------------------------------------------------------------------------------
# Constraints


class Context:
    """What constraints need while they run: the data, the term printers, nested validation."""

    def __init__(self, data: Data, data_graph: Graph, shapes_graph: Graph, conforms: Callable[[Shape, Key, int], bool]) -> None:
        self.data = data
        self.data_graph = data_graph
        self.shapes_graph = shapes_graph
        self.conforms = conforms

    def data_term(self, key: Key) -> str:
        return describe(self.data.term(key), self.data_graph)

    def shapes_term(self, term: Node | None) -> str:
        return describe(term, self.shapes_graph)


def describe(term: Node | None, graph: Graph, depth: int = 0) -> str:
    """A term as pySHACL's generic messages print it (its stringify_node)."""
    ns = graph.namespace_manager
    if isinstance(term, Literal):
        value = None if term.value is None else str(term.value)
        if value is not None and (cut := value.find(" object at 0x")) > 0:
            value = value[:cut]
        text = f'"{term}" = {value}' if value is not None and value != str(term) else f'"{term}"'
        lang = f", lang={term.language}" if term.language else ""
        datatype = f", datatype={describe(term.datatype, graph, depth)}" if term.datatype else ""
        return f"Literal({text}{lang}{datatype})"
    if isinstance(term, BNode):
        return _describe_blank(term, graph, depth + 1)
    if isinstance(term, URIRef):
        try:
            return term.n3(namespace_manager=ns)
        except Exception:  # an IRI rdflib cannot write as N3: show it as it is
            return str(term)
    return str(term)


def _describe_blank(node: BNode, graph: Graph, depth: int) -> str:
    if depth >= 12:
        return "<http://recursion.too.deep>"
    predicates = list(graph.predicates(node))
    if not predicates:
        return "[ ]"
    if RDF.first in predicates:
        return "( {} )".format(" ".join(describe(item, graph, depth) for item in graph.items(node)))
    parts: dict[str, str] = {}
    for p in predicates:
        objects = sorted(describe(o, graph, depth) for o in graph.objects(node, p))
        parts[describe(p, graph, depth) if isinstance(p, URIRef) else str(p)] = ", ".join(objects)
    return "[ {} ]".format(" ; ".join(f"{p} {o}" for p, o in sorted(parts.items())))


class Constraint:
    """A constraint component: `violations` yields (focus node, value node or None) per violation, as
    pySHACL reports them; `message` is pySHACL's generic message, used when the shape has none."""

    component: URIRef = SH.ConstraintComponent

    def violations(self, shape: Shape, values: Values, ctx: Context, depth: int) -> Iterator[Violation]:
        raise NotImplementedError

    def message(self, shape: Shape, ctx: Context, focus: Key, value: Key | None) -> str:
        raise NotImplementedError


def _on(shape: Shape, ctx: Context, focus: Key) -> str:
    return f"{ctx.data_term(focus)}->{ctx.shapes_term(shape.path_node)}"  # counts are on property shapes only


@dataclass(slots=True)
class MinCount(Constraint):
    count: int
    component = SH.MinCountConstraintComponent

    def violations(self, shape: Shape, values: Values, ctx: Context, depth: int) -> Iterator[Violation]:
        return ((f, None) for f, vs in values.items() if len(vs) < self.count)

    def message(self, shape: Shape, ctx: Context, focus: Key, value: Key | None) -> str:
        return f"Less than {self.count} values on {_on(shape, ctx, focus)}"


@dataclass(slots=True)
class MaxCount(Constraint):
    count: int
    component = SH.MaxCountConstraintComponent

    def violations(self, shape: Shape, values: Values, ctx: Context, depth: int) -> Iterator[Violation]:
        return ((f, None) for f, vs in values.items() if len(vs) > self.count)

    def message(self, shape: Shape, ctx: Context, focus: Key, value: Key | None) -> str:
        return f"More than {self.count} values on {_on(shape, ctx, focus)}"


# What pySHACL checks a literal's parsed value against, per datatype (others: any value passes)
_VALUE_TYPES: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float, XSD.decimal: Decimal,
    XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime,
}


def literal_has_datatype(v: Literal, datatype: Node) -> bool:
    """pySHACL's DatatypeConstraintComponent, step for step (it decides on rdflib's parsed value)."""
    kind = _VALUE_TYPES.get(datatype)
    value_fits = kind is None or isinstance(v.value, kind)
    if v.datatype == datatype:
        return getattr(v, "ill_typed", None) is not True and value_fits
    if datatype == RDFS.Literal:
        return True
    if datatype == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and datatype == XSD.string:
        return value_fits
    if datatype == RDF.langString and v.language:
        return value_fits
    return False


@dataclass(slots=True)
class Datatype(Constraint):
    datatype: URIRef
    component = SH.DatatypeConstraintComponent

    def violations(self, shape: Shape, values: Values, ctx: Context, depth: int) -> Iterator[Violation]:
        term = ctx.data.term
        string = self.datatype == XSD.string
        for f, vs in values.items():
            for v in vs:
                if string and v[0] == '"' and v[-1] == '"':
                    continue  # a plain literal: an xsd:string whose value is a str (the usual case, decided fast)
                if not (is_literal(v) and literal_has_datatype(term(v), self.datatype)):  # type: ignore[arg-type]
                    yield f, v

    def message(self, shape: Shape, ctx: Context, focus: Key, value: Key | None) -> str:
        return f"Value is not Literal with datatype {ctx.shapes_term(self.datatype)}"


NODE_KINDS: dict[Node, str] = {  # the first characters of the N-Triples texts each node kind allows
    SH.IRI: "<", SH.BlankNode: "_", SH.Literal: '"', SH.BlankNodeOrIRI: "_<", SH.BlankNodeOrLiteral: '_"', SH.IRIOrLiteral: '<"',
}


@dataclass(slots=True)
class NodeKind(Constraint):
    kind: Node
    component = SH.NodeKindConstraintComponent

    def violations(self, shape: Shape, values: Values, ctx: Context, depth: int) -> Iterator[Violation]:
        allowed = NODE_KINDS[self.kind]
        return ((f, v) for f, vs in values.items() for v in vs if v[0] not in allowed)

    def message(self, shape: Shape, ctx: Context, focus: Key, value: Key | None) -> str:
        return f"Value is not of Node Kind {ctx.shapes_term(self.kind)}"


@dataclass(slots=True)
class Class(Constraint):
    classes: tuple[Key, ...]
    names: tuple[Node, ...]
    component = SH.ClassConstraintComponent

    def violations(self, shape: Shape, values: Values, ctx: Context, depth: int) -> Iterator[Violation]:
        is_instance = ctx.data.is_instance
        return ((f, v) for cls in self.classes for f, vs in values.items() for v in vs if not is_instance(v, cls))

    def message(self, shape: Shape, ctx: Context, focus: Key, value: Key | None) -> str:
        if len(self.names) < 2:
            return f"Value does not have class {ctx.shapes_term(self.names[0])}"
        return f"Value class is not in classes ({', '.join(ctx.shapes_term(c) for c in self.names)})"


@dataclass(slots=True)
class Pattern(Constraint):
    patterns: tuple[re.Pattern[str], ...]
    component = SH.PatternConstraintComponent

    def violations(self, shape: Shape, values: Values, ctx: Context, depth: int) -> Iterator[Violation]:
        term = ctx.data.term
        for pattern in self.patterns:
            for f, vs in values.items():
                for v in vs:
                    if v[0] == "_" or not pattern.search(_string_of(term(v))):
                        yield f, v

    def message(self, shape: Shape, ctx: Context, focus: Key, value: Key | None) -> str:
        if len(self.patterns) == 1:
            return f"Value does not match pattern '{self.patterns[0].pattern}'"
        return "Value does not match every pattern in ('{}')".format("', '".join(p.pattern for p in self.patterns))


def _string_of(v: Node) -> str:
    """The string a pattern is matched against (pySHACL: the parsed value of a string literal)."""
    if isinstance(v, Literal) and v.value is not None and v.datatype in (None, RDF.langString, XSD.string):
        return str(v.value)
    return str(v)


@dataclass(slots=True)
class In(Constraint):
    members: frozenset[Key]
    names: tuple[Node, ...]
    component = SH.InConstraintComponent

    def violations(self, shape: Shape, values: Values, ctx: Context, depth: int) -> Iterator[Violation]:
        return ((f, v) for f, vs in values.items() for v in vs if v not in self.members)

    def message(self, shape: Shape, ctx: Context, focus: Key, value: Key | None) -> str:
        return f"Value {ctx.data_term(value or focus)} not in list {[ctx.shapes_term(m) for m in self.names]}"


def _names(ctx: Context, shapes: tuple[Shape, ...]) -> str:
    return " , ".join(ctx.shapes_term(s.node) for s in shapes)


@dataclass(slots=True)
class Or(Constraint):
    alternatives: tuple[Shape, ...]
    component = SH.OrConstraintComponent

    def violations(self, shape: Shape, values: Values, ctx: Context, depth: int) -> Iterator[Violation]:
        return ((f, v) for f, vs in values.items() for v in vs if not any(ctx.conforms(a, v, depth) for a in self.alternatives))

    def message(self, shape: Shape, ctx: Context, focus: Key, value: Key | None) -> str:
        return f"Node {ctx.data_term(value or focus)} must conform to one or more shapes in {_names(ctx, self.alternatives)}"


@dataclass(slots=True)
class And(Constraint):
    members: tuple[Shape, ...]
    component = SH.AndConstraintComponent

    def violations(self, shape: Shape, values: Values, ctx: Context, depth: int) -> Iterator[Violation]:
        return ((f, v) for f, vs in values.items() for v in vs if not all(ctx.conforms(m, v, depth) for m in self.members))

    def message(self, shape: Shape, ctx: Context, focus: Key, value: Key | None) -> str:
        return f"Node {ctx.data_term(value or focus)} must conform to all shapes in {_names(ctx, self.members)}"


@dataclass(slots=True)
class Not(Constraint):
    negated: Shape
    component = SH.NotConstraintComponent

    def violations(self, shape: Shape, values: Values, ctx: Context, depth: int) -> Iterator[Violation]:
        return ((f, v) for f, vs in values.items() for v in vs if ctx.conforms(self.negated, v, depth))

    def message(self, shape: Shape, ctx: Context, focus: Key, value: Key | None) -> str:
        return f"Node {ctx.data_term(value or focus)} must not conform to shape {ctx.shapes_term(self.negated.node)}"
