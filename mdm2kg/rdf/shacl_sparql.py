"""SPARQL-based constraints for the fast SHACL engine (see shacl_engine.py).

pySHACL runs a constraint's SELECT once per focus node with $this pre-bound, on rdflib's SPARQL
engine. This module runs it once and keeps the rows whose ?this is a focus node, which gives the
same rows when $this is bound by the query's own patterns and nothing sees it unbound
(`check_select` refuses queries where that is unsure). The query runs on Oxigraph, loaded with the
graph's N-Triples, when Oxigraph answers it as rdflib would (`OxigraphData`), else on rdflib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rdflib import RDF, XSD, Graph, Literal
from rdflib.term import Identifier

from mdm2kg.rdf.builder import NTriplesWriter
from mdm2kg.rdf.shacl_checks import Key, Row, UnsupportedShape, key_of

if TYPE_CHECKING:
    import pyoxigraph

# Keywords after which running once and filtering on ?this may differ from pre-binding $this.
_UNSAFE = re.compile(r"\b(OPTIONAL|UNION|MINUS|SERVICE|GRAPH|VALUES|BIND|GROUP|HAVING|ORDER|LIMIT|OFFSET|FROM)\b", re.IGNORECASE)
_SPECIAL_VARS = re.compile(r"[$?](PATH|currentShape|shapesGraph|failure)\b")
_IRIS_STRINGS_COMMENTS = re.compile(r"<[^<>\s]*>|\"\"\".*?\"\"\"|'''.*?'''|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|#[^\n]*", re.DOTALL)
# SPARQL that reads a literal's lexical form, or typed or numeric constants that match on it.
_LEXICAL = re.compile(r"\b(STR|STRLEN|SUBSTR|UCASE|LCASE|STRSTARTS|STRENDS|CONTAINS|STRBEFORE|STRAFTER|ENCODE_FOR_URI|CONCAT|"
                      r"REPLACE|REGEX|MD5|SHA1|SHA256|SHA384|SHA512|LANG|LANGMATCHES|STRDT|STRLANG|IRI|URI)\s*\(|\^\^|"
                      r"(?<![\w?$.])[+-]?\.?\d", re.IGNORECASE)
_XSD_STRING = f"^^<{XSD.string}>"
_PROBE_GRAPH = "urn:mdm2kg:shacl-engine:literals"  # a named graph the constraints never see (GRAPH is refused)


def _code(select: str) -> str:
    """The query without IRIs, strings and comments, so keywords inside them do not count."""
    return _IRIS_STRINGS_COMMENTS.sub(" ", select)


def check_select(select: str) -> str | None:
    """Why the fast engine cannot run this SELECT with pySHACL's results, or None when it can."""
    code = _code(select)
    if len(re.findall(r"\bSELECT\b", code, re.IGNORECASE)) != 1:
        return "has a subquery or is not a SELECT query"
    if match := _UNSAFE.search(code):
        return f"uses {match.group(1).upper()}"
    if match := _SPECIAL_VARS.search(code):
        return f"uses {match.group(0)}"
    if not re.search(r"[$?]this\b", code):
        return "does not mention $this"
    return None


_Probe = tuple[str, str, str | None]  # lexical form, datatype IRI, language


def _rdflib_probe(term: Literal) -> _Probe:
    if term.language:
        return (str(term), str(RDF.langString), term.language)
    return (str(term), str(term.datatype or XSD.string), None)


def _oxigraph_probe(term: pyoxigraph.Literal) -> _Probe:
    return (term.value, term.datatype.value, term.language)


@dataclass(slots=True)
class OxigraphData:
    """The data graph in an Oxigraph store, and the way back from Oxigraph's literals to rdflib's.

    Oxigraph stores typed literals in canonical form ("8.0"^^xsd:decimal as "8"). That changes no
    answer as long as no two rdflib literals become one (then every join and comparison matches
    term for term; `load` checks it) and, unless every literal kept its form, the query reads no
    lexical form and names no typed constant (`answers_like_rdflib` checks it).
    """

    store: pyoxigraph.Store
    back: dict[_Probe, Key]  # typed and language-tagged literals as Oxigraph holds them -> key
    exact: bool

    @classmethod
    def load(cls, rows: list[Row], writer: NTriplesWriter) -> OxigraphData | None:
        """The store, or None when Oxigraph cannot hold these terms as rdflib does."""
        import pyoxigraph

        if writer.has_blank_nodes:
            return None  # Oxigraph renames blank nodes: results could not be mapped back
        # Texts tell a literal's form: "..." plain, "..."@lang, "..."^^<datatype>. Oxigraph keeps plain
        # strings as they are; ask it how it stores the others.
        texts = writer.terms
        typed: list[tuple[str, Literal]] = []
        for text, term in texts.items():
            if text[0] == '"' and text[-1] != '"':
                if text.endswith(_XSD_STRING) and text[: -len(_XSD_STRING)] in texts:
                    return None  # "a" and "a"^^xsd:string: two terms for rdflib, one for Oxigraph
                typed.append((text, term))  # type: ignore[arg-type]
        probe = "".join(f"<urn:mdm2kg:literal:{i}> <urn:mdm2kg:is> {text} <{_PROBE_GRAPH}> .\n" for i, (text, _) in enumerate(typed))
        store = pyoxigraph.Store()
        try:
            store.load("".join([f"{s} {p} {o} .\n" for s, p, o in rows]).encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
            store.load(probe.encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
        except (SyntaxError, ValueError, OSError):
            return None  # an IRI rdflib accepts and Oxigraph does not
        back: dict[_Probe, Key] = {}
        exact = True
        solutions: Any = store.query(f"SELECT ?i ?o WHERE {{ GRAPH <{_PROBE_GRAPH}> {{ ?i <urn:mdm2kg:is> ?o }} }}")
        for i, stored in solutions:
            original = typed[int(i.value.rsplit(":", 1)[1])][1]
            probe_key, key = _oxigraph_probe(stored), key_of(writer, original)
            if back.setdefault(probe_key, key) != key:
                return None  # two rdflib terms Oxigraph stores as one ("8.0" and "8.00")
            exact = exact and probe_key == _rdflib_probe(original)
        store.remove_graph(pyoxigraph.NamedNode(_PROBE_GRAPH))
        return cls(store, back, exact)

    def answers_like_rdflib(self, select: str) -> bool:
        return self.exact or not _LEXICAL.search(_code(select))

    def rows(self, select: str, graph: Graph, writer: NTriplesWriter) -> list[dict[str, Key]]:
        import pyoxigraph

        prefixes = {prefix: str(ns) for prefix, ns in graph.namespaces()}  # rdflib's graph.query predeclares them
        solutions: Any = self.store.query(select, prefixes=prefixes)
        names = [v.value for v in solutions.variables]
        found: list[dict[str, Key]] = []
        for solution in solutions:
            row: dict[str, Key] = {}
            for name in names:
                term = solution[name]
                if isinstance(term, pyoxigraph.NamedNode):
                    row[name] = f"<{term.value}>"
                elif isinstance(term, pyoxigraph.Literal):  # typed ones map back; plain ones are as written
                    known = self.back.get(_oxigraph_probe(term))
                    row[name] = known if known is not None else key_of(writer, _rdflib_literal(term))
                elif term is not None:
                    raise UnsupportedShape(f"a SPARQL constraint returned {term!r}, which is not a term of the data graph")
            found.append(row)
        return found


def _rdflib_literal(term: pyoxigraph.Literal) -> Literal:
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value) if datatype == str(XSD.string) else Literal(term.value, datatype=datatype)


def rdflib_rows(select: str, graph: Graph, writer: NTriplesWriter) -> list[dict[str, Key]]:
    """The query's solutions from rdflib's SPARQL engine (the one pySHACL uses)."""
    solutions: Any = graph.query(select)
    return [{str(name): key_of(writer, term) for name, term in solution.asdict().items() if isinstance(term, Identifier)}
            for solution in solutions]
