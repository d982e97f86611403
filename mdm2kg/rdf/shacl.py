"""Validation: the loader's curation checks plus pySHACL. Returns a report; never prints."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from mdm2kg.curation.schema import Schema
from mdm2kg.errors import Problem, ProblemKind
from mdm2kg.prefixes import ID_BASE, VOCAB_BASE
from mdm2kg.rdf.ontology import shapes_graph


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


def shacl_problems(data: Graph, schema: Schema) -> tuple[list[Problem], str]:
    """Run pySHACL with the project shapes; return one Problem per violation."""
    from pyshacl import validate as shacl_validate

    shapes = shapes_graph() + domain_range_shapes(schema)
    conforms, results, text = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True
    )
    problems: list[Problem] = []
    if not conforms:
        for result in results.subjects(RDF.type, SH.ValidationResult):
            focus = results.value(result, SH.focusNode)
            path = results.value(result, SH.resultPath)
            message = results.value(result, SH.resultMessage)
            focus_txt = str(focus).replace(ID_BASE, "") if focus is not None else "?"
            path_txt = str(path).replace(VOCAB_BASE, "mdm2kg:") if path is not None else ""
            problems.append(Problem(ProblemKind.SHACL, f"{focus_txt} {path_txt}: {message}".strip()))
        problems.sort(key=lambda p: p.message)
    return problems, str(text)
