"""The build pipeline: curated files -> records -> RDF graph -> validation verdict.

This is the one place that runs curation and rdf in order; the artifact (`graph.py`) calls it on
a cache miss, and `mdm2kg build` / `validate` call it directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mdm2kg.curation.anchors import check_anchors
from mdm2kg.curation.loader import load, load_dataset
from mdm2kg.errors import CurationError
from mdm2kg.rdf.builder import build_graph
from mdm2kg.rdf.metadata import add_metadata
from mdm2kg.rdf.ontology import load_schema
from mdm2kg.rdf.shacl import ShaclEngine, ValidationReport, shacl_problems

if TYPE_CHECKING:
    from rdflib import Graph

    from mdm2kg.curation.model import Dataset


def load_and_build(data_dirs: Sequence[Path]) -> tuple[Dataset, Graph]:
    """Load curated records (raising CurationError with every problem) and build the graph."""
    schema = load_schema()
    dataset = load(data_dirs, schema)
    return dataset, add_metadata(build_graph(dataset, schema))


def build_validated(data_dirs: Sequence[Path]) -> tuple[Dataset, Graph]:
    """Load, build and validate with SHACL; raise CurationError with every located problem."""
    dataset, graph = load_and_build(data_dirs)
    assert_conforms(graph)
    return dataset, graph


def assert_conforms(graph: Graph) -> None:
    """Raise CurationError when `graph` violates the shapes (checked by the fast SHACL engine)."""
    problems, _ = shacl_problems(graph, load_schema(), engine=ShaclEngine.FAST)
    if problems:
        raise CurationError(problems)


def validate_data(data_dirs: Sequence[Path], *, seeds: Path | None = None) -> ValidationReport:
    """Run every check (loader, SHACL, and anchors when `seeds` is given); never raises on bad data."""
    schema = load_schema()
    dataset, problems = load_dataset(data_dirs, schema)
    report = ValidationReport(problems=list(problems))
    if seeds is not None:
        report.problems.extend(check_anchors(dataset, seeds))
    if not problems:  # SHACL on a graph built from broken records would only repeat them
        graph = build_graph(dataset, schema)
        shacl, report.shacl_text = shacl_problems(graph, schema, engine=ShaclEngine.FAST)
        report.problems.extend(shacl)
    report.statistics = {
        "publications": len(dataset.publications), "entities": len(dataset.entities),
        "statements": len(dataset.statements), "results": len(dataset.results),
        "observations": len(dataset.observations), "conflicts": len(dataset.conflicts),
    }
    return report
