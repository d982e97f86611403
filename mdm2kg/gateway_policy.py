"""What the `serve` gateway lets through: request heads, the checks on them, and refusals.

`mdm2kg.gateway` owns the sockets and threads; for each request it calls this module, which
touches neither:

- `parse_head` turns the bytes of a request head into a `Request` (request line and headers);
- `query_texts` finds every query or update text Oxigraph could read from a request (the URL,
  a form body, a SPARQL body);
- `Policy` checks the ``Host`` header (DNS rebinding) and those texts (`mdm2kg.query.limits`,
  and SERVICE through `mdm2kg.query.guard` unless ``--allow-service``); `mdm2kg.server`
  builds it from `serve`'s options with `Policy.for_bind`;
- `RefusedRequest` is a request the gateway answers itself, with its HTTP status and reason.

Plain classes and standard-library imports only: this is on `serve`'s start path.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from collections.abc import Iterable

SPARQL_MEDIA = frozenset({"application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update"})
"""Media types whose bodies carry SPARQL text (inspected, size-limited, never compressed)."""


class RefusedRequest(Exception):
    """A request the gateway answers itself, with `status` and a one-line reason."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        self.status, self.reason = status, reason
        super().__init__(message)

    def response(self) -> bytes:
        body = (str(self) + "\n").encode("utf-8")
        return (f"HTTP/1.1 {self.status} {self.reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode("ascii") + body


class Policy:
    """What the gateway lets through (a plain class: `dataclasses` would add ~10 ms to `serve`'s start)."""

    __slots__ = ("allow_service", "allowed_hosts")

    def __init__(self, allowed_hosts: frozenset[str], allow_service: bool = False) -> None:
        self.allowed_hosts, self.allow_service = allowed_hosts, allow_service

    def __repr__(self) -> str:
        return f"Policy(allowed_hosts={sorted(self.allowed_hosts)!r}, allow_service={self.allow_service!r})"

    @classmethod
    def for_bind(cls, host: str, *, allowed_hosts: Iterable[str] = (), allow_service: bool = False) -> Policy:
        names = {"localhost", host.strip("[]").lower(), socket.gethostname().lower()}
        names.update(h.strip("[]").lower() for h in allowed_hosts)
        return cls(frozenset(names), allow_service)

    def check_host(self, value: str | None) -> None:
        if value is None:
            return
        name = value.strip().lower()
        name = name[1:].split("]", 1)[0] if name.startswith("[") else name.rsplit(":", 1)[0] if name.count(":") == 1 else name
        if name in self.allowed_hosts:
            return
        try:
            ipaddress.ip_address(name)
        except ValueError:
            raise RefusedRequest(403, "Forbidden", f"Host '{value[:100]}' is not this server (DNS rebinding is refused); "
                                 "serve it under that name with `mdm2kg serve --allow-host NAME`") from None

    def check_queries(self, texts: Iterable[str]) -> None:
        from mdm2kg.query.limits import QueryLimitError, check_query_limits

        texts = list(texts)
        for text in texts:
            try:
                check_query_limits(text)
            except QueryLimitError as exc:
                raise RefusedRequest(400, "Bad Request", str(exc)) from None
        if self.allow_service:
            return
        for text in texts:
            if "service" not in text.lower():
                continue
            from mdm2kg.errors import QueryError
            from mdm2kg.query.guard import check_read_only

            try:
                check_read_only(text)
            except QueryError as exc:
                raise RefusedRequest(403 if "SERVICE" in str(exc) else 400,
                                     "Forbidden" if "SERVICE" in str(exc) else "Bad Request",
                                     str(exc).replace("--allow-service", "`mdm2kg serve --allow-service`")) from None


class Request:
    """One request head: the request line and headers as received (`head`, without the final blank line)."""

    __slots__ = ("head", "headers", "method", "target")

    def __init__(self, head: bytes, method: str, target: str, headers: list[tuple[str, str]]) -> None:
        self.head, self.method, self.target, self.headers = head, method, target, headers

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)


def parse_head(raw: bytes) -> Request:
    """The request line and headers of a request head (without its final blank line); HTTP 400 when malformed."""
    lines = raw.split(b"\r\n")
    try:
        method, target, _version = lines[0].decode("latin-1").split(" ")
    except ValueError:
        raise RefusedRequest(400, "Bad Request", "malformed request line") from None
    headers = []
    for line in lines[1:]:
        name, sep, value = line.decode("latin-1").partition(":")
        if not sep:
            raise RefusedRequest(400, "Bad Request", "malformed header line")
        headers.append((name.strip().lower(), value.strip()))
    return Request(raw, method, target, headers)


def query_texts(request: Request, body: bytes | None, media: str) -> list[str]:
    """Every query or update text Oxigraph could read from this request."""
    params = urllib.parse.urlsplit(request.target).query
    found = [v for k, v in urllib.parse.parse_qsl(params, keep_blank_values=True, errors="replace") if k in ("query", "update")]
    if body:
        if media == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True, errors="replace")
            found += [v for k, v in form if k in ("query", "update")]
        elif media in SPARQL_MEDIA:
            found.append(body.decode("utf-8", "replace"))
    return found
