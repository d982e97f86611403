"""SPARQL over the built graph with Oxigraph; named competency queries; result serialisers.

Parameters are bound as real RDF terms (Oxigraph substitutions locally, a trailing VALUES
block of serialised terms remotely); user text is never spliced into query text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mdm2kg.errors import NotFoundError, QueryError
from mdm2kg.prefixes import SPARQL_PREFIXES, SPARQL_PROLOGUE, XSD
from mdm2kg.resources import queries_dir

if TYPE_CHECKING:
    from mdm2kg.kg import KnowledgeGraph

PREFIXES = SPARQL_PREFIXES
_UPDATE = re.compile(
    r"^\s*(?:(?:PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"#[^\n]*")


class ResultFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    MD = "md"


@dataclass(frozen=True, slots=True)
class Term:
    """One bound value: kind is 'uri', 'literal' or 'bnode'; `value` is typed for literals."""

    kind: str
    lexical: str
    datatype: str | None = None
    lang: str | None = None

    @property
    def value(self) -> Any:
        if self.kind != "literal":
            return self.lexical
        dt = self.datatype or ""
        try:
            if dt in (XSD + "integer", XSD + "int", XSD + "long"):
                return int(self.lexical)
            if dt in (XSD + "decimal", XSD + "double", XSD + "float"):
                return Decimal(self.lexical)
        except ArithmeticError:
            return self.lexical
        if dt == XSD + "boolean":
            return self.lexical == "true"
        return self.lexical

    def short(self) -> str:
        """Human form: IRIs compacted with the project prefixes, literals as text."""
        if self.kind == "uri":
            for prefix, base in PREFIXES.items():
                if self.lexical.startswith(base):
                    return self.lexical[len(base):] if prefix == "mdm2" else f"{prefix}:{self.lexical[len(base):]}"
        return self.lexical

    def to_json(self) -> dict[str, str]:
        out = {"type": self.kind, "value": self.lexical}
        if self.datatype:
            out["datatype"] = self.datatype
        if self.lang:
            out["xml:lang"] = self.lang
        return out


class QueryResult:
    """SELECT rows (or an ASK boolean) with serialisers for every supported format.

    Rows from the embedded engine are kept as Oxigraph terms and turned into `Term`s only when
    `rows` is first read; `values()` converts straight to Python values.
    """

    __slots__ = ("_raw", "_rows", "boolean", "variables")

    def __init__(self, variables: list[str], rows: list[dict[str, Term]] | None = None, boolean: bool | None = None,
                 *, raw: list[Any] | None = None) -> None:
        self.variables = variables
        self.boolean = boolean
        self._rows = rows if rows is not None or raw is not None else []
        self._raw = raw

    @property
    def rows(self) -> list[dict[str, Term]]:
        if self._rows is None:
            variables = self.variables
            self._rows = [{name: _term(node) for name, node in zip(variables, raw, strict=True) if node is not None}
                          for raw in self._raw or ()]
        return self._rows

    @classmethod
    def from_sparql_json(cls, doc: Mapping[str, Any]) -> QueryResult:
        """Read SPARQL 1.1 Query Results JSON (from Oxigraph or any remote endpoint)."""
        if "boolean" in doc:
            return cls(variables=[], boolean=bool(doc["boolean"]))
        variables = list(doc["head"].get("vars", []))
        rows = []
        for binding in doc["results"]["bindings"]:
            row = {}
            for var, term in binding.items():
                kind = {"typed-literal": "literal"}.get(term["type"], term["type"])
                row[var] = Term(kind, term["value"], term.get("datatype"), term.get("xml:lang"))
            rows.append(row)
        return cls(variables=variables, rows=rows)

    def values(self) -> list[dict[str, Any]]:
        """Rows as plain typed Python values (int, Decimal, bool, str)."""
        if self._rows is None:
            import pyoxigraph

            literal, string, variables = pyoxigraph.Literal, _XSD_STRING, self.variables
            out = []
            for raw in self._raw or ():
                row: dict[str, Any] = {}
                for name, node in zip(variables, raw, strict=True):
                    if node is None:
                        continue
                    # fast path for IRIs and plain strings, the bulk of every result
                    if node.__class__ is not literal or node.datatype.value == string:
                        row[name] = node.value
                    else:
                        row[name] = _python_value(node)
                out.append(row)
            return out
        return [{k: t.value for k, t in row.items()} for row in self._rows]

    def column(self, name: str) -> list[Any]:
        return [row[name].value if name in row else None for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def to_json(self) -> str:
        if self.boolean is not None:
            return json.dumps({"head": {}, "boolean": self.boolean}, indent=2)
        return json.dumps({"head": {"vars": self.variables},
                           "results": {"bindings": [{k: t.to_json() for k, t in row.items()} for row in self.rows]}},
                          indent=2, ensure_ascii=False)

    def _cells(self) -> list[list[str]]:
        return [[row[v].short() if v in row else "" for v in self.variables] for row in self.rows]

    def to_delimited(self, delimiter: str) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
        writer.writerow(self.variables)
        writer.writerows(self._cells())
        return buffer.getvalue()

    def to_markdown(self) -> str:
        def esc(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", " ")

        lines = ["| " + " | ".join(self.variables) + " |", "|" + "---|" * len(self.variables)]
        lines += ["| " + " | ".join(esc(c) for c in cells) + " |" for cells in self._cells()]
        return "\n".join(lines) + "\n"

    def to_table(self, *, max_width: int = 60) -> str:
        if self.boolean is not None:
            return "yes\n" if self.boolean else "no\n"
        cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in r] for r in self._cells()]
        widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(self.variables)]
        line = "  ".join(v.ljust(w) for v, w in zip(self.variables, widths, strict=True))
        rule = "  ".join("-" * w for w in widths)
        body = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
        return "\n".join([line, rule, *body]) + f"\n({len(cells)} row{'s' if len(cells) != 1 else ''})\n"

    def serialize(self, fmt: ResultFormat | str = ResultFormat.TABLE) -> str:
        fmt = ResultFormat(fmt)
        if fmt is ResultFormat.JSON:
            return self.to_json()
        if self.boolean is not None:
            return self.to_table()
        if fmt is ResultFormat.CSV:
            return self.to_delimited(",")
        if fmt is ResultFormat.TSV:
            return self.to_delimited("\t")
        if fmt is ResultFormat.MD:
            return self.to_markdown()
        return self.to_table()


def prologue() -> str:
    """PREFIX lines for the project prefixes (prepended to queries that lack them)."""
    return SPARQL_PROLOGUE


def check_read_only(sparql: str) -> None:
    """Refuse SPARQL Update on the query path."""
    if _UPDATE.match(_COMMENT.sub("", sparql)):
        raise QueryError("SPARQL updates are refused: mdm2kg queries are read-only")


def _with_prologue(sparql: str) -> tuple[str, int]:
    """Prefix the project PREFIXes; also return how many lines were added (for error positions)."""
    head = prologue()
    return head + sparql, head.count("\n")


def _shift_position(message: str, offset: int) -> str:
    def repl(match: re.Match[str]) -> str:
        return f"line {int(match.group(1)) - offset}, column {match.group(2)}"

    return re.sub(r"(\d+):(\d+)", repl, message, count=1)


def term_for(value: Any) -> Any:
    """A Python value as a pyoxigraph term: IRIs for 'http(s)://...' strings and mdm2 ids
    given as pyoxigraph NamedNode, typed literals for numbers and booleans."""
    import pyoxigraph as ox

    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, (float, Decimal)):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "decimal"))
    return ox.Literal(str(value))


def run_query(kg: KnowledgeGraph, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> QueryResult:
    """Evaluate a read-only SPARQL query on the graph's Oxigraph store.

    `bindings` maps variable names (without '?') to values bound before evaluation.
    """
    import pyoxigraph as ox

    check_read_only(sparql)
    text, offset = _with_prologue(sparql)
    substitutions = {ox.Variable(k): term_for(v) for k, v in (bindings or {}).items()}
    try:
        result = kg.store.query(text, substitutions=substitutions)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error at {_shift_position(str(exc).removeprefix('error at '), offset)}") from exc
    except RuntimeError as exc:  # Oxigraph binds only variables the SELECT projects
        raise QueryError(f"cannot bind parameters: {exc}; project every bound variable in SELECT") from exc
    if isinstance(result, (bool, ox.QueryBoolean)):
        return QueryResult(variables=[], boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        return QueryResult(variables=[v.value for v in result.variables], raw=list(result))
    # CONSTRUCT/DESCRIBE: present triples as s/p/o rows
    rows = []
    for triple in result:
        rows.append({
            "s": _term(triple.subject), "p": _term(triple.predicate), "o": _term(triple.object),
        })
    return QueryResult(variables=["s", "p", "o"], rows=rows)


_XSD_STRING = XSD + "string"
_XSD_BOOLEAN = XSD + "boolean"
_XSD_INTEGERS = frozenset({XSD + "integer", XSD + "int", XSD + "long"})
_XSD_DECIMALS = frozenset({XSD + "decimal", XSD + "double", XSD + "float"})


def _python_value(node: Any) -> Any:
    """Typed Python value of an Oxigraph term (the same as `_term(node).value`)."""
    if node.__class__.__name__ != "Literal":
        return node.value
    datatype = node.datatype.value
    if datatype == _XSD_STRING:
        return node.value
    try:
        if datatype in _XSD_INTEGERS:
            return int(node.value)
        if datatype in _XSD_DECIMALS:
            return Decimal(node.value)
    except ArithmeticError:
        return node.value
    if datatype == _XSD_BOOLEAN:
        return node.value == "true"
    return node.value


def _term(node: Any) -> Term:
    import pyoxigraph as ox

    kind = type(node)
    if kind is ox.NamedNode:
        return Term("uri", node.value)
    if kind is ox.BlankNode:
        return Term("bnode", node.value)
    if node.language:
        return Term("literal", node.value, None, node.language)
    datatype = node.datatype.value
    return Term("literal", node.value, None if datatype == _XSD_STRING else datatype)


# ----------------------------------------------------------------------------- named queries


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: str  # entity | id | class | string | integer | decimal
    required: bool
    description: str
    default: str | None = None


@dataclass(frozen=True, slots=True)
class NamedQuery:
    name: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        valid = ", ".join(p.name for p in self.params) or "none"
        raise QueryError(f"query '{self.name}' has no parameter '{name}' (valid: {valid})")


_HEADER = re.compile(r"^#\s*(description|param)\s*:\s*(.*)$")


def _parse_named(path: Path) -> NamedQuery:
    description: list[str] = []
    params: list[Param] = []
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match and match.group(1) == "description":
            description.append(match.group(2).strip())
        elif match:
            # param: NAME KIND required|optional[=DEFAULT] free text
            name, kind, need, *rest = match.group(2).split(None, 3)
            default = need.split("=", 1)[1] if "=" in need else None
            params.append(Param(name, kind, need.startswith("required"), rest[0] if rest else "", default))
        elif description and line.strip() != "#":
            description.append(line.lstrip("# ").strip())
    return NamedQuery(path.stem, " ".join(description), tuple(params), text, path)


@lru_cache(maxsize=1)
def named_queries() -> dict[str, NamedQuery]:
    """All named competency queries shipped with mdm2kg, by name."""
    return {q.name: q for q in sorted((_parse_named(p) for p in queries_dir().glob("*.rq")), key=lambda q: q.name)}


def get_named(name: str) -> NamedQuery:
    queries = named_queries()
    if name not in queries:
        import difflib

        close = difflib.get_close_matches(name, list(queries), n=3)
        raise NotFoundError(f"unknown named query '{name}'", close or sorted(queries))
    return queries[name]


def named_bindings(kg: KnowledgeGraph | None, query: NamedQuery, params: Mapping[str, str],
                   *, resolve: Any = None) -> dict[str, Any]:
    """Check and convert user parameters for a named query to bindable values.

    Entity parameters accept an id, label, synonym or CURIE and become the entity IRI.
    """
    import pyoxigraph as ox

    out: dict[str, Any] = {}
    for key in params:
        query.param(key)  # raises with the valid names
    for p in query.params:
        raw = params.get(p.name, p.default)
        if raw is None:
            if p.required:
                raise QueryError(f"query '{query.name}' needs --param {p.name}=... ({p.description})")
            continue
        if p.kind == "entity":
            if resolve is None:
                from mdm2kg.paths import resolve_entity

                assert kg is not None
                entity_id = resolve_entity(kg, raw)
            else:
                entity_id = resolve(raw)
            out[p.name] = ox.NamedNode(PREFIXES["mdm2"] + entity_id)
        elif p.kind in ("id", "class"):
            from mdm2kg.loader import ID_PATTERN

            if not ID_PATTERN.match(raw):
                raise QueryError(f"parameter {p.name} must be an id, got '{raw}'")
            base = PREFIXES["mdm2"] if p.kind == "id" else PREFIXES["mdm2kg"]
            out[p.name] = ox.NamedNode(base + raw)
        elif p.kind == "integer":
            try:
                out[p.name] = int(raw)
            except ValueError as exc:
                raise QueryError(f"parameter {p.name} must be an integer, got '{raw}'") from exc
        elif p.kind == "decimal":
            try:
                out[p.name] = Decimal(raw)
            except ArithmeticError as exc:
                raise QueryError(f"parameter {p.name} must be a number, got '{raw}'") from exc
        else:
            out[p.name] = raw
    return out


def run_named(kg: KnowledgeGraph, name: str, params: Mapping[str, str] | None = None) -> QueryResult:
    """Run a named competency query with user parameters.

    >>> from mdm2kg.kg import KnowledgeGraph  # doctest: +SKIP
    >>> run_named(KnowledgeGraph.build(), "trials_of_compound", {"compound": "milademetan"})  # doctest: +SKIP
    """
    query = get_named(name)
    return run_query(kg, query.text, bindings=named_bindings(kg, query, params or {}))


def values_clause(bindings: Mapping[str, Any]) -> str:
    """A trailing SPARQL VALUES block binding each variable to a serialised RDF term
    (for remote endpoints, which cannot take bindings out of band)."""
    if not bindings:
        return ""
    names = sorted(bindings)
    terms = [str(term_for(bindings[n])) for n in names]
    return "\nVALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + " ".join(terms) + ") }\n"
