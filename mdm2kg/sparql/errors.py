"""Errors from remote SPARQL stores; each base class tells the CLI the exit code.

UsageError (exit 2): what the user can fix, or a reply that is not what a SPARQL store sends.
QueryError (exit 2): the store rejected the query text. RuntimeFailure (exit 3): the server
failed (HTTP 5xx), dropped the connection, or gave no complete answer in time.
"""

from __future__ import annotations

from mdm2kg.errors import Mdm2kgError, QueryError, RuntimeFailure, UsageError


class RemoteError(Mdm2kgError):
    """A remote SPARQL store failed or refused; carries the URL (redacted), status and server message."""

    def __init__(self, message: str, *, url: str = "", status: int = 0, server_message: str = "") -> None:
        self.url = url
        self.status = status
        self.server_message = server_message
        super().__init__(message)


class RemoteQueryError(RemoteError, QueryError):
    """The endpoint rejected the query itself (HTTP 400): usually a syntax or dialect problem."""


class RemoteAuthError(RemoteError, UsageError):
    """The endpoint wants credentials, or refused the ones given (HTTP 401, or 403 with credentials)."""


class ReadOnlyEndpointError(RemoteError, UsageError):
    """A write went to a read-only endpoint (HTTP 403), such as `mdm2kg serve`."""


class EndpointUnreachableError(RemoteError, UsageError):
    """The endpoint URL is malformed, or nothing accepts a connection there."""


class RemoteRequestError(RemoteError, UsageError):
    """Any other refusal (HTTP 4xx): wrong URL, method or media type."""


class MalformedReplyError(RemoteError, UsageError):
    """The endpoint answered, but not with HTTP, or not with what a SPARQL store answers."""


class RemoteServerError(RemoteError, RuntimeFailure):
    """The server failed (HTTP 5xx) or dropped the connection."""


class RemoteTimeoutError(RemoteError, RuntimeFailure):
    """No complete answer within the total timeout."""
