"""KGX TSV export (`nodes.tsv`, `edges.tsv`) with Biolink categories and predicates.

Nodes are curated entities and publications, ids as CURIEs (`mdm2:MDM2`), external
identifiers in `xref`, their prefixes spelled as Biolink's prefix map spells them
(`CLINICALTRIALS:NCT...`, `DBSNP:rs...`; mapped here, the project prefix map is unchanged).
Edges are curated statements between nodes, one edge per statement, `id` = the statement id.

The lossless KGX route is `kgx transform --stream` (to `jsonl` to keep every column: a streaming
TSV sink writes only the core columns unless given the property lists): it keeps every edge, and
`kgx validate` (which streams too) sees every edge. A default, non-stream `kgx transform`, in any
input or output format, is not lossless, and no export format or column can make it so in kgx
2.6 (nor 2.7.0 nor kgx's main branch): every non-stream transform first writes the records into
its in-memory graph (`kgx.sink.GraphSink`, a networkx MultiDiGraph), whose `write_edge` keys an
edge on `record["key"]` when the record has a `key` property and on `"{subject}-{predicate}-
{object}"` otherwise (the source formats do not matter: tsv, jsonl, json and rdf all end there).
- Without `key`, distinct statements sharing subject, Biolink predicate and object (e.g. the
  same fact from two publications, or with different qualifiers, or one of them negated) get
  one key, and networkx updates that edge in place: the last statement's properties win.
- With a `key` column (KGX's documented edge key, e.g. the statement id), `write_edge` calls
  `NxGraph.add_edge(subject, object, key, **record)`, which passes `key=` to networkx's
  `MultiDiGraph.add_edge` and the record's own `key` again in `**record`: every edge fails with
  `TypeError: ... got multiple values for keyword argument 'key'`, so the export has no `key`
  column (kgx keyed on `id` for a few days in 2022 and rolled it back, commit 4626786).
tests/test_kgx_roundtrip.py asserts all three: `--stream` keeps every statement id, the default
transform keeps exactly one edge per (subject, predicate, object), and a `key` column still
fails in the installed kgx (when that test fails, kgx has fixed it: add the column).
`predicate` is the ontology's Biolink mapping (`mdm2kg:biolinkMapping`);
negation is Biolink's `negated` slot; the polarity of a signed `biolink:affects` statement is
Biolink's `qualified_predicate` (`biolink:causes`), `object_direction_qualifier`
(increased/decreased) and, where the predicate names it, `object_aspect_qualifier`. The exact
mdm2kg predicate, polarity, curated qualifiers, locators and evidence kinds follow in
`mdm2kg_*` columns, `publications` lists the source document and the references it cites. Every statement is a manual curation of what a
publication asserts, hence `knowledge_level=knowledge_assertion`, `agent_type=manual_agent`.
Statements with a literal value (modality, phase, ...) are node columns `mdm2kg_<predicate>`.
Multi-valued fields are joined with `|` (the KGX convention); tabs and line breaks in text
become spaces and a `|` inside a value becomes `/`.

The dataset description is written beside them as `mdm2kg_metadata.json`.

`kgx validate` reports the `mdm2`/`mdm2kg` prefixes of the node ids as "not represented in
Biolink Model JSON-LD context": they are the project's own namespaces (declare them to the
validator, e.g. `validator.prefixes |= {"mdm2", "mdm2kg"}`, and nothing else is reported).
kgx fetches its Biolink model and JSON-LD context from the network; tests/test_kgx_roundtrip.py
shows how to point it at the `biolink-model` package offline.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from mdm2kg.export.common import INFORES, NodeRow, metadata_json, sanitize, tables
from mdm2kg.read.views import Statement

if TYPE_CHECKING:
    from mdm2kg.artifact.graph import KnowledgeGraph

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


# Biolink prefix-map spellings of the xref prefixes the curation uses (biolink-model
# prefixmaps/biolink-model-prefix-map.json; tests/test_biolink.py checks them against it).
BIOLINK_XREF_PREFIXES = (
    "CHEBI", "CHEMBL.COMPOUND", "CL", "CLINICALTRIALS", "DBSNP", "DRUGBANK", "GO", "HGNC", "MESH", "MONDO", "NCBIGene", "NCIT", "PMID",
    "PUBCHEM.COMPOUND", "UniProtKB", "doi",
)
# Prefixes Biolink's prefix map does not have (kept as the project spells them).
NOT_IN_BIOLINK = ("FPLX", "PDB")
_BIOLINK_SPELLING = {name.casefold(): name for name in BIOLINK_XREF_PREFIXES}

# Biolink's object_aspect_qualifier of the signed `affects` predicates whose aspect is clear.
OBJECT_ASPECT = {
    "activates": "activity", "inhibits": "activity_or_abundance", "promotes": "activity_or_abundance",
    "suppresses": "activity_or_abundance", "induces_expression_of": "expression", "degrades": "abundance",
    "stabilizes": "abundance",
}
CAUSES = "biolink:causes"
# `negated` is "true" or empty (Biolink's default, false): kgx 2.6 reads the cell as text and
# casts it with bool(), so a written "false" would come back as True.
NEGATED = "true"


def biolink_xref(curie: str) -> str:
    """An xref CURIE with its prefix spelled as in Biolink's prefix map.

    >>> biolink_xref("clinicaltrials:NCT02545283"), biolink_xref("dbSNP:rs2279744"), biolink_xref("PDB:4HG7")
    ('CLINICALTRIALS:NCT02545283', 'DBSNP:rs2279744', 'PDB:4HG7')
    """
    prefix, sep, local = curie.partition(":")
    return f"{_BIOLINK_SPELLING.get(prefix.casefold(), prefix)}{sep}{local}"


def biolink_qualifiers(edge: Statement) -> tuple[str, str, str]:
    """(qualified_predicate, object_aspect_qualifier, object_direction_qualifier) of a statement:
    set only for a signed statement mapped to `biolink:affects`, empty otherwise.

    >>> st = Statement("s", "A", "inhibits", "B", None, -1, False, (), (), "inhibits", "biolink:affects")
    >>> biolink_qualifiers(st)
    ('biolink:causes', 'activity_or_abundance', 'decreased')
    """
    if edge.biolink_predicate != "biolink:affects" or edge.polarity == 0:
        return ("", "", "")
    return (CAUSES, OBJECT_ASPECT.get(edge.predicate, ""), "increased" if edge.polarity > 0 else "decreased")


NODE_COLUMNS = ("id", "category", "name", "description", "synonym", "xref", "provided_by", "mdm2kg_category")
EDGE_COLUMNS = (
    "id", "subject", "predicate", "object", "knowledge_level", "agent_type", "primary_knowledge_source",
    "publications", "negated", "qualified_predicate", "object_aspect_qualifier", "object_direction_qualifier",
    "mdm2kg_predicate", "mdm2kg_polarity", "mdm2kg_qualifiers", "mdm2kg_locators",
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
        node.curie, node.biolink_category, node.label, node.description, node.synonyms,
        tuple(biolink_xref(x) for x in node.xrefs), INFORES,
        f"mdm2kg:{node.category}", *(tuple(values.get(name, ())) for name in properties),
    )


def edge_row(edge: Statement) -> tuple[str | tuple[str, ...], ...]:
    return (
        f"mdm2:{edge.id}", f"mdm2:{edge.subject}", edge.biolink_predicate, f"mdm2:{edge.object}",
        KnowledgeLevel.KNOWLEDGE_ASSERTION.value, AgentType.MANUAL_AGENT.value, INFORES,
        tuple(f"mdm2:{p}" for p in edge.sources), NEGATED if edge.negated else "", *biolink_qualifiers(edge),
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
