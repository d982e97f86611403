"""Query results: typed rows (or an ASK boolean) and their serialisers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from mdm2kg.errors import QueryError
from mdm2kg.prefixes import SPARQL_PREFIXES
from mdm2kg.read.terms import XSD_STRING, Term, python_value, term_of


class ResultFormat(StrEnum):
    """Human formats (ids shortened), the W3C SPARQL results formats (full IRIs), and RDF for triples."""

    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    MD = "md"
    SPARQL_CSV = "sparql-csv"
    SPARQL_TSV = "sparql-tsv"
    TURTLE = "turtle"
    NTRIPLES = "ntriples"
    JSONLD = "jsonld"


RDF_FORMATS = frozenset({ResultFormat.TURTLE, ResultFormat.NTRIPLES, ResultFormat.JSONLD})


def _tsv_term(term: Term) -> str:
    """A term in SPARQL/Turtle syntax, as SPARQL 1.1 TSV results write it."""
    if term.kind == "uri":
        return f"<{term.lexical}>"
    if term.kind == "bnode":
        return f"_:{term.lexical}"
    text = term.lexical.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    text = text.replace("\t", "\\t")
    if term.lang:
        return f'"{text}"@{term.lang}'
    if term.datatype and term.datatype != XSD_STRING:
        return f'"{text}"^^<{term.datatype}>'
    return f'"{text}"'


def _csv_term(term: Term) -> str:
    """A term as SPARQL 1.1 CSV results write it: IRIs and lexical forms bare, blank nodes as _:x."""
    return f"_:{term.lexical}" if term.kind == "bnode" else term.lexical


def _ox_node(term: Term) -> object:
    import pyoxigraph as ox

    if term.kind == "uri":
        return ox.NamedNode(term.lexical)
    if term.kind == "bnode":
        return ox.BlankNode(term.lexical)
    if term.lang:
        return ox.Literal(term.lexical, language=term.lang)
    return ox.Literal(term.lexical, datatype=ox.NamedNode(term.datatype) if term.datatype else None)


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
            self._rows = [{name: term_of(node) for name, node in zip(variables, raw, strict=True) if node is not None}
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

            literal, string, variables = pyoxigraph.Literal, XSD_STRING, self.variables
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
                        row[name] = python_value(node)
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

    def to_sparql_delimited(self, delimiter: str) -> str:
        """W3C SPARQL 1.1 CSV (delimiter ",") or TSV ("\\t") results: full IRIs, typed terms in TSV."""
        if delimiter == "\t":
            lines = ["\t".join("?" + v for v in self.variables)]
            lines += ["\t".join(_tsv_term(row[v]) if v in row else "" for v in self.variables) for row in self.rows]
            return "\n".join(lines) + "\n"
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.variables)
        writer.writerows([_csv_term(row[v]) if v in row else "" for v in self.variables] for row in self.rows)
        return buffer.getvalue()

    def to_rdf(self, fmt: ResultFormat) -> str:
        """The s/p/o rows of a CONSTRUCT or DESCRIBE answer as Turtle, N-Triples or JSON-LD."""
        import pyoxigraph as ox

        if self.boolean is not None or not {"s", "p", "o"} <= set(self.variables):
            raise QueryError(f"--format {fmt.value} writes triples: use a CONSTRUCT or DESCRIBE query "
                             "(or SELECT ?s ?p ?o)")
        rdf_format = {ResultFormat.TURTLE: ox.RdfFormat.TURTLE, ResultFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
                      ResultFormat.JSONLD: ox.RdfFormat.JSON_LD}[fmt]
        try:
            triples = [ox.Triple(_ox_node(row["s"]), _ox_node(row["p"]), _ox_node(row["o"]))  # type: ignore[arg-type]
                       for row in self.rows if {"s", "p", "o"} <= row.keys()]
        except (TypeError, ValueError) as exc:
            raise QueryError(f"these rows are not RDF triples ({exc}); --format {fmt.value} needs s, p, o "
                             "as subject, predicate and object") from None
        prefixes = SPARQL_PREFIXES if fmt is ResultFormat.TURTLE else None
        return (ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b"").decode("utf-8")

    def to_markdown(self) -> str:
        def esc(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", " ")

        lines = ["| " + " | ".join(self.variables) + " |", "|" + "---|" * len(self.variables)]
        lines += ["| " + " | ".join(esc(c) for c in cells) + " |" for cells in self._cells()]
        return "\n".join(lines) + "\n"

    def to_table(self, *, width: int | None = None, max_width: int | None = None) -> str:
        """An aligned text table. Long cells wrap onto further lines so that the table fits in
        `width` columns (no limit when None); with `max_width`, cells longer than that are cut
        with "…" instead (one line per row). Use csv, tsv or json for lossless output."""
        if self.boolean is not None:
            return "yes\n" if self.boolean else "no\n"
        cells = self._cells()
        if max_width is not None:
            cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in r] for r in cells]
        widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(self.variables)]
        if width is not None and max_width is None:
            widths = _fit(widths, [len(v) for v in self.variables], width - 2 * max(len(widths) - 1, 0))
        line = "  ".join(v.ljust(w) for v, w in zip(self.variables, widths, strict=True)).rstrip()
        rule = "  ".join("-" * w for w in widths)
        body: list[str] = []
        for r in cells:
            wrapped = [_wrap(c, w) for c, w in zip(r, widths, strict=True)]
            for i in range(max(len(parts) for parts in wrapped) if wrapped else 0):
                body.append("  ".join((parts[i] if i < len(parts) else "").ljust(w)
                                      for parts, w in zip(wrapped, widths, strict=True)).rstrip())
        return "\n".join([line, rule, *body]) + f"\n({len(cells)} row{'s' if len(cells) != 1 else ''})\n"

    def to_pandas(self) -> Any:
        """The rows as a pandas DataFrame of Python values (needs the `pandas` extra:
        pip install 'mdm2kg[pandas]')."""
        try:
            import pandas
        except ImportError as exc:
            from mdm2kg.errors import UsageError

            raise UsageError("to_pandas() needs pandas: pip install 'mdm2kg[pandas]'") from exc
        if self.boolean is not None:
            return pandas.DataFrame({"boolean": [self.boolean]})
        return pandas.DataFrame(self.values(), columns=self.variables)

    def serialize(self, fmt: ResultFormat | str = ResultFormat.TABLE) -> str:
        fmt = ResultFormat(fmt)
        if fmt is ResultFormat.JSON:
            return self.to_json()
        if fmt in RDF_FORMATS:
            return self.to_rdf(fmt)
        if self.boolean is not None:
            return self.to_table()
        if fmt is ResultFormat.SPARQL_CSV:
            return self.to_sparql_delimited(",")
        if fmt is ResultFormat.SPARQL_TSV:
            return self.to_sparql_delimited("\t")
        if fmt is ResultFormat.CSV:
            return self.to_delimited(",")
        if fmt is ResultFormat.TSV:
            return self.to_delimited("\t")
        if fmt is ResultFormat.MD:
            return self.to_markdown()
        return self.to_table()




def _fit(widths: list[int], minimums: list[int], total: int) -> list[int]:
    """Shrink the widest columns until the widths sum to `total` (never below a header, or 4)."""
    out = list(widths)
    floors = [max(m, 4) for m in minimums]
    while sum(out) > total:
        i = max(range(len(out)), key=lambda k: out[k] - floors[k])
        if out[i] <= floors[i]:
            break
        out[i] -= 1
    return out


def _wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` characters, broken at spaces where possible.

    >>> _wrap("a long cell value", 6)
    ['a long', 'cell', 'value']
    """
    if len(text) <= width:
        return [text]
    import textwrap

    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
