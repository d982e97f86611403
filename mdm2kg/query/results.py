"""Query results: typed rows (or an ASK boolean) and their serialisers."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from typing import Any, TextIO

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
TABLE_BATCH = 1000
"""Rows a streamed table lays out at once: column widths come from the first batch, and longer
cells in later rows wrap (or are cut, with max_width)."""
_CHUNK = 256  # rows per written chunk of the delimited, JSON and Markdown formats


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
    `rows` is first read; `values()` converts straight to Python values. A streamed result
    (`run_query(..., stream=True)`) holds an iterator of such rows instead: `write` and
    `iter_rows` read it once, as they go, without keeping the rows; `rows` and `values()`
    read it whole into memory.
    """

    __slots__ = ("_raw", "_rows", "boolean", "streamed", "variables")

    def __init__(self, variables: list[str], rows: list[dict[str, Term]] | None = None, boolean: bool | None = None,
                 *, raw: Iterable[Any] | None = None) -> None:
        self.variables = variables
        self.boolean = boolean
        self._rows = rows if rows is not None or raw is not None else []
        self._raw: Iterable[Any] | None = raw
        self.streamed = 0
        """Rows `iter_rows` (and so `write`) has handed out so far."""

    def _raw_list(self) -> list[Any]:
        """The raw rows, read whole (a streamed result is read into memory here)."""
        if self._raw is None:
            return []
        if not isinstance(self._raw, list):
            if self.streamed:
                raise QueryError("this streamed result was already written; run the query again")
            self._raw = list(self._raw)
        return self._raw

    @property
    def rows(self) -> list[dict[str, Term]]:
        if self._rows is None:
            variables = self.variables
            self._rows = [{name: term_of(node) for name, node in zip(variables, raw, strict=True) if node is not None}
                          for raw in self._raw_list()]
        return self._rows

    def iter_rows(self) -> Iterator[dict[str, Term]]:
        """The rows one by one; a streamed result is read as it goes and not kept."""
        if self._rows is not None:
            for row in self._rows:
                self.streamed += 1
                yield row
            return
        if self.streamed and not isinstance(self._raw, list):
            raise QueryError("this streamed result was already written; run the query again")
        variables = self.variables
        for raw in self._raw or ():
            self.streamed += 1
            yield {name: term_of(node) for name, node in zip(variables, raw, strict=True) if node is not None}

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
            for raw in self._raw_list():
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
        return "".join(self._json_chunks())

    def _json_chunks(self) -> Iterator[str]:
        """SPARQL 1.1 results JSON, exactly as json.dumps(..., indent=2) writes it, row by row."""
        if self.boolean is not None:
            yield json.dumps({"head": {}, "boolean": self.boolean}, indent=2)
            return
        head = json.dumps({"head": {"vars": self.variables}}, indent=2, ensure_ascii=False)
        yield head[: -len("\n}")] + ',\n  "results": {\n    "bindings": ['
        first = True
        for batch in _batches(self.iter_rows(), _CHUNK):
            parts = []
            for row in batch:
                text = json.dumps({k: t.to_json() for k, t in row.items()}, indent=2, ensure_ascii=False)
                parts.append("\n" + "\n".join("      " + line for line in text.split("\n")))
            yield ("" if first else ",") + ",".join(parts)
            first = False
        yield "]\n  }\n}" if first else "\n    ]\n  }\n}"

    def _cells(self) -> list[list[str]]:
        return [[row[v].short() if v in row else "" for v in self.variables] for row in self.rows]

    def _iter_cells(self) -> Iterator[list[str]]:
        variables = self.variables
        for row in self.iter_rows():
            yield [row[v].short() if v in row else "" for v in variables]

    def to_delimited(self, delimiter: str) -> str:
        return "".join(self._delimited_chunks(delimiter))

    def _delimited_chunks(self, delimiter: str) -> Iterator[str]:
        buffer = io.StringIO()
        import csv

        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
        writer.writerow(self.variables)
        for batch in _batches(self._iter_cells(), _CHUNK):
            writer.writerows(batch)
            yield _drain(buffer)
        yield _drain(buffer)

    def to_sparql_delimited(self, delimiter: str) -> str:
        """W3C SPARQL 1.1 CSV (delimiter ",") or TSV ("\\t") results: full IRIs, typed terms in TSV."""
        return "".join(self._sparql_delimited_chunks(delimiter))

    def _sparql_delimited_chunks(self, delimiter: str) -> Iterator[str]:
        variables = self.variables
        if delimiter == "\t":
            yield "\t".join("?" + v for v in variables) + "\n"
            for batch in _batches(self.iter_rows(), _CHUNK):
                yield "".join("\t".join(_tsv_term(row[v]) if v in row else "" for v in variables) + "\n"
                              for row in batch)
            return
        buffer = io.StringIO()
        import csv

        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for batch in _batches(self.iter_rows(), _CHUNK):
            writer.writerows([_csv_term(row[v]) if v in row else "" for v in variables] for row in batch)
            yield _drain(buffer)
        yield _drain(buffer)

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
        return "".join(self._markdown_chunks())

    def _markdown_chunks(self) -> Iterator[str]:
        def esc(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", " ")

        yield "| " + " | ".join(self.variables) + " |\n|" + "---|" * len(self.variables) + "\n"
        for batch in _batches(self._iter_cells(), _CHUNK):
            yield "".join("| " + " | ".join(esc(c) for c in cells) + " |\n" for cells in batch)

    def to_table(self, *, width: int | None = None, max_width: int | None = None) -> str:
        """An aligned text table. Long cells wrap onto further lines so that the table fits in
        `width` columns (no limit when None); with `max_width`, cells longer than that are cut
        with "…" instead (one line per row). Use csv, tsv or json for lossless output.

        Column widths come from the first TABLE_BATCH (1,000) rows; longer cells further down
        wrap (or are cut) to those widths, so a long answer is written as it comes."""
        return "".join(self._table_chunks(width=width, max_width=max_width))

    def _table_chunks(self, *, width: int | None = None, max_width: int | None = None) -> Iterator[str]:
        if self.boolean is not None:
            yield "yes\n" if self.boolean else "no\n"
            return
        count = 0
        widths: list[int] | None = None
        batches = _batches(self._iter_cells(), TABLE_BATCH)
        for cells in itertools.chain(batches, [[]]):
            if max_width is not None:
                cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in r] for r in cells]
            if widths is None:
                widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(self.variables)]
                if width is not None and max_width is None:
                    widths = _fit(widths, [len(v) for v in self.variables], width - 2 * max(len(widths) - 1, 0))
                line = "  ".join(v.ljust(w) for v, w in zip(self.variables, widths, strict=True)).rstrip()
                yield line + "\n" + "  ".join("-" * w for w in widths) + "\n"
            body: list[str] = []
            for r in cells:
                wrapped = [_wrap(c, w) for c, w in zip(r, widths, strict=True)]
                for i in range(max(len(parts) for parts in wrapped) if wrapped else 0):
                    body.append("  ".join((parts[i] if i < len(parts) else "").ljust(w)
                                          for parts, w in zip(wrapped, widths, strict=True)).rstrip() + "\n")
            count += len(cells)
            if body:
                yield "".join(body)
        yield f"({count} row{'s' if count != 1 else ''})\n"

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
        return "".join(self.chunks(fmt))

    def chunks(self, fmt: ResultFormat | str = ResultFormat.TABLE, *, width: int | None = None,
               max_width: int | None = None) -> Iterator[str]:
        """The answer in `fmt` as pieces of text, produced as the rows are read (every format but
        the RDF ones, which need all triples). `width` and `max_width` apply to the table."""
        fmt = ResultFormat(fmt)
        if fmt is ResultFormat.JSON:
            return self._json_chunks()
        if fmt in RDF_FORMATS:
            return iter([self.to_rdf(fmt)])
        if self.boolean is not None or fmt is ResultFormat.TABLE:
            return self._table_chunks(width=width, max_width=max_width)
        if fmt is ResultFormat.SPARQL_CSV:
            return self._sparql_delimited_chunks(",")
        if fmt is ResultFormat.SPARQL_TSV:
            return self._sparql_delimited_chunks("\t")
        if fmt is ResultFormat.CSV:
            return self._delimited_chunks(",")
        if fmt is ResultFormat.TSV:
            return self._delimited_chunks("\t")
        return self._markdown_chunks()

    def write(self, out: TextIO, fmt: ResultFormat | str = ResultFormat.TABLE, *, width: int | None = None,
              max_width: int | None = None) -> int:
        """Write the answer to `out` as the rows come (see `chunks`); returns the number of rows written."""
        for chunk in self.chunks(fmt, width=width, max_width=max_width):
            if chunk:
                out.write(chunk)
        return self.streamed if fmt not in RDF_FORMATS else len(self.rows)


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


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
