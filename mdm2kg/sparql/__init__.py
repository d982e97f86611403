"""Remote SPARQL 1.1 stores: query over the Protocol, push over the Graph Store HTTP Protocol.

- client: HTTP (httpx), timeouts, redirects; auth: credentials; errors: what can go wrong
- protocol: the read-only guard, parameter binding, queries
- results: reading the answers (pyoxigraph's SPARQL results and RDF parsers)
- resolve: entity resolution on the remote store
- push: replacing a named graph
"""

from mdm2kg.sparql.auth import Auth, AuthLike, AuthScheme
from mdm2kg.sparql.client import HttpClient, Timeouts
from mdm2kg.sparql.errors import (
    EndpointUnreachableError,
    MalformedReplyError,
    ReadOnlyEndpointError,
    RemoteAuthError,
    RemoteError,
    RemoteQueryError,
    RemoteRequestError,
    RemoteServerError,
    RemoteTimeoutError,
)
from mdm2kg.sparql.protocol import DEFAULT_GRAPH, bind_parameters, count_triples, has_graph, run_named_remote, run_remote
from mdm2kg.sparql.push import PushReport, push_graph
from mdm2kg.sparql.resolve import resolve_remote_entity

__all__ = [
    "DEFAULT_GRAPH", "Auth", "AuthLike", "AuthScheme", "EndpointUnreachableError", "HttpClient", "MalformedReplyError",
    "PushReport", "ReadOnlyEndpointError", "RemoteAuthError", "RemoteError", "RemoteQueryError", "RemoteRequestError",
    "RemoteServerError", "RemoteTimeoutError", "Timeouts", "bind_parameters", "count_triples", "has_graph", "push_graph",
    "resolve_remote_entity", "run_named_remote", "run_remote",
]
