"""SPARQL over the built graph: the engine, named competency queries and result formats."""

from mdm2kg.query.engine import PREFIXES, check_read_only, prologue, run_query, term_for
from mdm2kg.query.named import NamedQuery, Param, get_named, named_bindings, named_queries, run_named, values_clause
from mdm2kg.query.results import QueryResult, ResultFormat
from mdm2kg.read.terms import Term

__all__ = [
    "PREFIXES", "NamedQuery", "Param", "QueryResult", "ResultFormat", "Term", "check_read_only", "get_named",
    "named_bindings", "named_queries", "prologue", "run_named", "run_query", "term_for", "values_clause",
]
