"""Neo4j bulk-import CSV (`neo4j-admin database import full`).

`neo4j_nodes.csv` (header `id:ID,:LABEL,name,...`) holds entities (labels `Entity;<Category>`)
and publications (label `Publication`); `neo4j_relationships.csv` (header
`:START_ID,:END_ID,:TYPE,...`) holds one relationship per curated statement, typed by the
mdm2kg predicate in upper case (`INHIBITS`), with the statement id, Biolink predicate,
polarity, qualifiers and citations as properties. Arrays use Neo4j's default `;` delimiter
(a `;` inside a value becomes `/`) under `name:string[]` headers, the neo4j-admin format; line
breaks become spaces, so no `--multiline-fields`. Other engines load the files as written:
kuzu with `LOAD WITH HEADERS (... STRING) FROM 'neo4j_relationships.csv'` and
`string_split(cell, ';')` for array columns (tests/test_neo4j_kuzu.py).

    neo4j-admin database import full --nodes=neo4j_nodes.csv \\
        --relationships=neo4j_relationships.csv neo4j
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from mdm2kg.export.common import PUBLICATION, citation_text, metadata_json, sanitize, tables

if TYPE_CHECKING:
    from mdm2kg.artifact.graph import KnowledgeGraph

NODES_FILE = "neo4j_nodes.csv"
RELATIONSHIPS_FILE = "neo4j_relationships.csv"
METADATA_FILE = "mdm2kg_metadata.json"
ARRAY_SEP = ";"

NODE_HEADER = ("id:ID", ":LABEL", "name", "category", "biolink_category", "description",
               "synonyms:string[]", "xrefs:string[]")
REL_HEADER = (":START_ID", ":END_ID", ":TYPE", "statement", "predicate", "predicate_label", "biolink_predicate",
              "polarity:int", "negated:boolean", "qualifiers:string[]", "publications:string[]", "locators:string[]",
              "evidence_kinds:string[]", "citations:string[]")


def relationship_type(predicate: str) -> str:
    """Neo4j relationship type of an mdm2kg predicate.

    >>> relationship_type("confers_resistance_to")
    'CONFERS_RESISTANCE_TO'
    """
    return predicate.upper()


def _array(values: tuple[str, ...] | list[str]) -> str:
    return ARRAY_SEP.join(sanitize(v, forbidden=ARRAY_SEP) for v in values)


def _csv(header: tuple[str, ...], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def render(kg: KnowledgeGraph) -> dict[str, bytes]:
    """`neo4j_nodes.csv`, `neo4j_relationships.csv` and `mdm2kg_metadata.json`.

    >>> render(KnowledgeGraph.build(["tests/fixtures/tiny"]))["neo4j_nodes.csv"][:8]  # doctest: +SKIP
    b'id:ID,:L'
    """
    t = tables(kg)
    props = t.property_names
    node_header = NODE_HEADER + tuple(f"{name}:string[]" for name in props)
    node_rows = []
    for node in t.nodes:
        labels = PUBLICATION if node.category == PUBLICATION else f"Entity;{node.category}"
        values: dict[str, list[str]] = {}
        for name, value in node.properties:
            values.setdefault(name, []).append(value)
        node_rows.append([
            node.id, labels, sanitize(node.label), node.category, node.biolink_category, sanitize(node.description),
            _array(node.synonyms), _array(node.xrefs), *(_array(values.get(name, [])) for name in props),
        ])
    rel_rows = [
        [
            e.subject, e.object or "", relationship_type(e.predicate), e.id, e.predicate, sanitize(e.verb()),
            e.biolink_predicate, str(e.polarity), "true" if e.negated else "false",
            _array([f"{k}={v}" for k, v in e.qualifiers]), _array(list(e.sources)), _array(e.locators),
            _array(e.evidence_kinds), _array([citation_text(c) for c in e.evidence]),
        ]
        for e in t.edges
    ]
    return {
        NODES_FILE: _csv(node_header, node_rows),
        RELATIONSHIPS_FILE: _csv(REL_HEADER, rel_rows),
        METADATA_FILE: metadata_json(kg),
    }
