"""SHACL validation of a built graph: the project shapes, two engines, one Problem per violation.

The fast engine (`mdm2kg.rdf.shacl_engine`) is the one every command uses; pySHACL is the
reference it is tested against (tests/test_shacl_engine.py) and stays available as
`ShaclEngine.PYSHACL`. Returns reports; never prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from mdm2kg.curation.schema import Schema
from mdm2kg.errors import Problem, ProblemKind
from mdm2kg.prefixes import ID_BASE, VOCAB_BASE
from mdm2kg.rdf.ontology import shapes_graph
from mdm2kg.rdf.shacl_engine import CompiledShapes, ShaclResult

__all__ = ["ShaclEngine", "ShaclResult", "ValidationReport", "domain_range_shapes", "project_shapes", "shacl_problems",
           "shacl_results"]


class ShaclEngine(StrEnum):
    """Which SHACL validator runs: the fast one (production) or pySHACL (the reference)."""

    FAST = "fast"
    PYSHACL = "pyshacl"


@dataclass(slots=True)
class ValidationReport:
    """Outcome of validation: `conforms` is True only with no problems at all."""

    problems: list[Problem] = field(default_factory=list)
    shacl_text: str = ""
    statistics: dict[str, int] = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        return not self.problems


def domain_range_shapes(schema: Schema) -> Graph:
    """One SHACL shape per object predicate for its domain and one for its range,
    derived from the ontology (blank nodes here live only in the shapes graph)."""
    g = Graph()
    for spec in schema.predicates.values():
        if spec.kind != "object" or ("Entity" in spec.domain and "Entity" in spec.range):
            continue
        pred = URIRef(VOCAB_BASE + spec.name)
        for role, target, allowed in (("domain", SH.targetSubjectsOf, spec.domain), ("range", SH.targetObjectsOf, spec.range)):
            if "Entity" in allowed:
                continue
            shape = URIRef(f"{VOCAB_BASE}shape/{spec.name}/{role}")
            g.add((shape, RDF.type, SH.NodeShape))
            g.add((shape, target, pred))
            alternatives: list[Node] = []
            for i, cls in enumerate(sorted(allowed)):
                alt = URIRef(f"{VOCAB_BASE}shape/{spec.name}/{role}/{i}")
                g.add((alt, SH["class"], URIRef(VOCAB_BASE + cls)))
                alternatives.append(alt)
            head = URIRef(f"{VOCAB_BASE}shape/{spec.name}/{role}/list")
            Collection(g, head, alternatives)
            g.add((shape, SH["or"], head))
            g.add((shape, SH.message, Literal(
                f"'{spec.name}' {'subject' if role == 'domain' else 'object'} must be one of {', '.join(sorted(allowed))}")))
    return g


def project_shapes(schema: Schema) -> Graph:
    """The shapes every built graph must satisfy: ontology/shapes.ttl plus the domain/range shapes."""
    shapes = shapes_graph()
    shapes += domain_range_shapes(schema)  # in place: shapes.ttl's prefixes, no copy
    return shapes


_compiled: dict[int, tuple[Schema, CompiledShapes]] = {}


def _compiled_shapes(schema: Schema) -> CompiledShapes:
    """The project shapes compiled for the fast engine, once per schema object."""
    cached = _compiled.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = _compiled[id(schema)] = (schema, CompiledShapes(project_shapes(schema)))
    return cached[1]


def shacl_results(data: Graph, shapes: Graph | Schema, *, engine: ShaclEngine = ShaclEngine.FAST) -> list[ShaclResult]:
    """Every SHACL validation result of `data` against `shapes` (a shapes graph, or the project
    shapes of a schema); empty when the graph conforms.

    >>> from mdm2kg.rdf.ontology import load_schema
    >>> shacl_results(Graph(), load_schema())
    []
    """
    if engine is ShaclEngine.PYSHACL:
        return _pyshacl_results(data, project_shapes(shapes) if isinstance(shapes, Schema) else shapes)
    compiled = _compiled_shapes(shapes) if isinstance(shapes, Schema) else CompiledShapes(shapes)
    return compiled.validate(data)


def _pyshacl_results(data: Graph, shapes: Graph) -> list[ShaclResult]:
    from pyshacl import validate as shacl_validate

    if not data.store.context_aware:  # the builder's graph (SimpleMemory); pySHACL wraps data in a ConjunctiveGraph
        copy = Graph()
        for triple in data:
            copy.add(triple)
        data = copy
    conforms, report, _ = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True)
    if conforms:
        return []
    results: list[ShaclResult] = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        assert focus is not None, "pySHACL gave a result without a focus node"
        results.append(ShaclResult(
            focus=focus, path=report.value(result, SH.resultPath),
            component=URIRef(str(report.value(result, SH.sourceConstraintComponent))),
            value=report.value(result, SH.value), message=str(report.value(result, SH.resultMessage)),
            shape=report.value(result, SH.sourceShape) or URIRef(""),
        ))
    return results


def problem_of(result: ShaclResult) -> Problem:
    """A result as a curation Problem: '<focus> <path>: <message>' with the project prefixes shortened."""
    focus = str(result.focus).replace(ID_BASE, "")
    path = str(result.path).replace(VOCAB_BASE, "mdm2kg:") if result.path is not None else ""
    return Problem(ProblemKind.SHACL, f"{focus} {path}: {result.message}".strip())


def shacl_problems(data: Graph, schema: Schema, *, engine: ShaclEngine = ShaclEngine.FAST) -> tuple[list[Problem], str]:
    """Validate `data` with the project shapes; one Problem per violation (sorted) and a text report."""
    results = shacl_results(data, schema, engine=engine)
    problems = sorted((problem_of(r) for r in results), key=lambda p: p.message)
    lines = [f"Validation Report ({engine.value} engine)", f"Conforms: {not results}"]
    lines += [f"  {p.message}" for p in problems]
    return problems, "\n".join(lines) + "\n"
