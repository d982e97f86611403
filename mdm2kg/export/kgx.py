"""KGX TSV export (`nodes.tsv`, `edges.tsv`) with Biolink categories and predicates.

Nodes are curated entities and publications, ids as CURIEs (`mdm2:MDM2`), external
identifiers in `xref`. Edges are curated statements between nodes: `predicate` is the
ontology's Biolink mapping (`mdm2kg:biolinkMapping`), the exact mdm2kg predicate, polarity,
qualifiers, locators and evidence kinds follow in `mdm2kg_*` columns, `publications` lists the
source document and the references it cites. Every statement is a manual curation of what a
publication asserts, hence `knowledge_level=knowledge_assertion`, `agent_type=manual_agent`.
Statements with a literal value (modality, phase, ...) are node columns `mdm2kg_<predicate>`.
Multi-valued fields are joined with `|` (the KGX convention); tabs and line breaks in text
become spaces and a `|` inside a value becomes `/`.

The dataset description is written beside them as `mdm2kg_metadata.json`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from mdm2kg.export.common import INFORES, NodeRow, metadata_json, sanitize, tables

if TYPE_CHECKING:
    from mdm2kg.artifact.graph import KnowledgeGraph
    from mdm2kg.read.views import Statement

NODES_FILE = "nodes.tsv"
EDGES_FILE = "edges.tsv"
METADATA_FILE = "mdm2kg_metadata.json"
LIST_SEP = "|"


class KnowledgeLevel(StrEnum):
    """Values of Biolink's KnowledgeLevelEnum used here."""

    KNOWLEDGE_ASSERTION = "knowledge_assertion"


class AgentType(StrEnum):
    """Values of Biolink's AgentTypeEnum used here."""

    MANUAL_AGENT = "manual_agent"


NODE_COLUMNS = ("id", "category", "name", "description", "synonym", "xref", "provided_by", "mdm2kg_category")
EDGE_COLUMNS = (
    "id", "subject", "predicate", "object", "knowledge_level", "agent_type", "primary_knowledge_source",
    "publications", "negated", "mdm2kg_predicate", "mdm2kg_polarity", "mdm2kg_qualifiers", "mdm2kg_locators",
    "mdm2kg_evidence_kinds",
)


def _cell(value: str | tuple[str, ...]) -> str:
    if isinstance(value, tuple):
        return LIST_SEP.join(sanitize(v, forbidden=LIST_SEP) for v in value)
    return sanitize(value)


def _tsv(header: tuple[str, ...], rows: list[tuple[str | tuple[str, ...], ...]]) -> bytes:
    lines = ["\t".join(header)] + ["\t".join(_cell(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def node_row(node: NodeRow, properties: tuple[str, ...]) -> tuple[str | tuple[str, ...], ...]:
    values: dict[str, list[str]] = {}
    for name, value in node.properties:
        values.setdefault(name, []).append(value)
    return (
        node.curie, node.biolink_category, node.label, node.description, node.synonyms, node.xrefs, INFORES,
        f"mdm2kg:{node.category}", *(tuple(values.get(name, ())) for name in properties),
    )


def edge_row(edge: Statement) -> tuple[str | tuple[str, ...], ...]:
    return (
        f"mdm2:{edge.id}", f"mdm2:{edge.subject}", edge.biolink_predicate, f"mdm2:{edge.object}",
        KnowledgeLevel.KNOWLEDGE_ASSERTION.value, AgentType.MANUAL_AGENT.value, INFORES,
        tuple(f"mdm2:{p}" for p in edge.sources), "true" if edge.negated else "false",
        f"mdm2kg:{edge.predicate}", {1: "+", -1: "-"}.get(edge.polarity, "none"),
        tuple(f"{k}={v}" for k, v in edge.qualifiers), edge.locators, edge.evidence_kinds,
    )


def render(kg: KnowledgeGraph) -> dict[str, bytes]:
    """`nodes.tsv`, `edges.tsv` and `mdm2kg_metadata.json`.

    >>> files = render(KnowledgeGraph.build(["tests/fixtures/tiny"]))  # doctest: +SKIP
    >>> files["edges.tsv"].splitlines()[0].split(b"\\t")[:4]           # doctest: +SKIP
    [b'id', b'subject', b'predicate', b'object']
    """
    t = tables(kg)
    props = t.property_names
    node_header = NODE_COLUMNS + tuple(f"mdm2kg_{name}" for name in props)
    return {
        NODES_FILE: _tsv(node_header, [node_row(n, props) for n in t.nodes]),
        EDGES_FILE: _tsv(EDGE_COLUMNS, [edge_row(e) for e in t.edges]),
        METADATA_FILE: metadata_json(kg),
    }
