"""The one SPARQL-term -> Python converter and the one IRI <-> short-form compactor.

Every consumer turns Oxigraph terms into Python values, and IRIs into ids or CURIEs, through
this module, so a decimal, a boolean or an entity id reads the same in every output.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from mdm2kg.prefixes import SPARQL_PREFIXES, XSD, contract, local_name

__all__ = ["PREFIXES", "XSD_STRING", "Term", "curie", "local_name", "python_value", "term_of"]

PREFIXES = SPARQL_PREFIXES


class Term(NamedTuple):
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


XSD_STRING = XSD + "string"
_XSD_BOOLEAN = XSD + "boolean"
_XSD_INTEGERS = frozenset({XSD + "integer", XSD + "int", XSD + "long"})
_XSD_DECIMALS = frozenset({XSD + "decimal", XSD + "double", XSD + "float"})


def python_value(node: Any) -> Any:
    """Typed Python value of an Oxigraph term (the same as `term_of(node).value`)."""
    if node.__class__.__name__ != "Literal":
        return node.value
    datatype = node.datatype.value
    if datatype == XSD_STRING:
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


def term_of(node: Any) -> Term:
    import pyoxigraph as ox

    kind = type(node)
    if kind is ox.NamedNode:
        return Term("uri", node.value)
    if kind is ox.BlankNode:
        return Term("bnode", node.value)
    if node.language:
        return Term("literal", node.value, None, node.language)
    datatype = node.datatype.value
    return Term("literal", node.value, None if datatype == XSD_STRING else datatype)


def curie(iri: str) -> str:
    """IRI -> CURIE with the project prefix map (the IRI itself when no prefix matches).

    >>> curie("https://w3id.org/mdm2kg/id/MDM2")
    'mdm2:MDM2'
    """
    return contract(iri)
