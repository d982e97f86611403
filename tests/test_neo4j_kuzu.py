"""The Neo4j bulk-import CSV loads, as written, into another property-graph engine: kuzu.

The files keep the neo4j-admin format (`name:type` headers, arrays `;`-separated under a
`string[]` header). kuzu reads `name:string[]` headers as typed list columns but wants list
cells as `[a,b]`, which neo4j-admin would read as one string with brackets. So the kuzu-side
adapter lives only here: `LOAD WITH HEADERS` reads every column as text (kuzu's own CSV
reader, quoting honoured) and `string_split(cell, ';')` turns an array cell into a list.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import kuzu
import pytest

from mdm2kg.export import ExportFormat, render
from mdm2kg.export.common import citation_text, sanitize, tables
from mdm2kg.export.neo4j import ARRAY_SEP, NODE_HEADER, NODES_FILE, REL_HEADER, RELATIONSHIPS_FILE

KUZU_TYPES = {"string[]": "STRING[]", "int": "INT64", "boolean": "BOOLEAN"}


def _columns(header: list[str]) -> list[tuple[str, str, str]]:
    """(csv header, kuzu column name, neo4j type) for each column."""
    out = []
    for i, column in enumerate(header):
        name, _, kind = column.partition(":")
        out.append((column, f"c{i}_{name or kind.lower()}".replace("[]", ""), kind.lower() if name else "string"))
    return out


def _value(column: str, kind: str) -> str:
    if kind == "string[]":
        return f"CASE WHEN {column} IS NULL THEN CAST([] AS STRING[]) ELSE string_split({column}, '{ARRAY_SEP}') END"
    if kind in ("int", "boolean"):
        return f"CAST({column} AS {KUZU_TYPES[kind]})"
    return f"coalesce({column}, '')"


def _load(conn: Any, folder: Path) -> None:
    node_cols = _columns(next(csv.reader(io.StringIO((folder / NODES_FILE).read_text(encoding="utf-8")))))
    rel_cols = _columns(list(REL_HEADER))
    schema = ", ".join(f"{name} {KUZU_TYPES.get(kind, 'STRING')}" for _, name, kind in node_cols)
    conn.execute(f"CREATE NODE TABLE Node({schema}, PRIMARY KEY({node_cols[0][1]}))")
    rel_schema = ", ".join(f"{name} {KUZU_TYPES.get(kind, 'STRING')}" for _, name, kind in rel_cols[2:])
    conn.execute(f"CREATE REL TABLE Rel(FROM Node TO Node, {rel_schema})")
    headers = ", ".join(f"{name} STRING" for _, name, _ in node_cols)
    props = ", ".join(f"{name}: {_value(name, kind)}" for _, name, kind in node_cols)
    conn.execute(f"LOAD WITH HEADERS ({headers}) FROM '{folder / NODES_FILE}' (HEADER=true) CREATE (:Node {{{props}}})")
    headers = ", ".join(f"{name} STRING" for _, name, _ in rel_cols)
    props = ", ".join(f"{name}: {_value(name, kind)}" for _, name, kind in rel_cols[2:])
    start, end = rel_cols[0][1], rel_cols[1][1]
    conn.execute(f"LOAD WITH HEADERS ({headers}) FROM '{folder / RELATIONSHIPS_FILE}' (HEADER=true) "
                 f"MATCH (a:Node {{{node_cols[0][1]}: {start}}}), (b:Node {{{node_cols[0][1]}: {end}}}) "
                 f"CREATE (a)-[:Rel {{{props}}}]->(b)")


def _all(conn: Any, query: str) -> list[list[Any]]:
    result = conn.execute(query)
    rows = []
    while result.has_next():
        rows.append(result.get_next())
    return rows


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, shipped_kg: Any) -> tuple[Any, Path]:
    folder = tmp_path_factory.mktemp("neo4j")
    for name, data in render(shipped_kg, ExportFormat.NEO4J).items():
        (folder / name).write_bytes(data)
    conn = kuzu.Connection(kuzu.Database(str(folder / "kuzu.db")))
    _load(conn, folder)
    return conn, folder


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_headers_are_neo4j_admin_arrays() -> None:
    arrays = [c for c in NODE_HEADER + REL_HEADER if c.endswith("[]")]
    assert arrays and all(c.endswith(":string[]") for c in arrays)


def test_kuzu_loads_every_node_and_relationship(loaded: tuple[Any, Path]) -> None:
    conn, folder = loaded
    assert _all(conn, "MATCH (n:Node) RETURN count(*)") == [[len(_csv_rows(folder / NODES_FILE))]]
    assert _all(conn, "MATCH ()-[r:Rel]->() RETURN count(*)") == [[len(_csv_rows(folder / RELATIONSHIPS_FILE))]]


def test_citations_array_round_trips(loaded: tuple[Any, Path], shipped_kg: Any) -> None:
    conn, _ = loaded
    statement = next(e for e in tables(shipped_kg).edges if len(e.evidence) >= 2)
    expected = [sanitize(citation_text(c), forbidden=ARRAY_SEP) for c in statement.evidence]
    rows = _all(conn, f"MATCH ()-[r:Rel]->() WHERE r.c3_statement = '{statement.id}' "
                      "RETURN r.c13_citations, r.c8_negated, r.c7_polarity")
    assert rows == [[expected, statement.negated, statement.polarity]]
    assert len(expected) >= 2


def test_every_array_cell_splits_as_neo4j_would(loaded: tuple[Any, Path]) -> None:
    conn, folder = loaded
    by_id = {r["statement"]: r for r in _csv_rows(folder / RELATIONSHIPS_FILE)}
    for sid, publications, qualifiers in _all(conn, "MATCH ()-[r:Rel]->() RETURN r.c3_statement, r.c10_publications, "
                                                    "r.c9_qualifiers"):
        row = by_id[sid]
        assert publications == [p for p in row["publications:string[]"].split(ARRAY_SEP) if p]
        assert qualifiers == [q for q in row["qualifiers:string[]"].split(ARRAY_SEP) if q]
