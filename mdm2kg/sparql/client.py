"""HTTP to remote SPARQL stores: httpx with its Basic and Digest auth, bounded in time, careful with secrets.

- Timeouts are explicit: a connect timeout, and a total deadline for each request (every
  redirect, authentication round trip and byte of the answer included), so a server that
  trickles one byte every 20 s is cut off when the deadline passes, not after every read.
  Defaults: $MDM2KG_CONNECT_TIMEOUT (10 s) and $MDM2KG_TIMEOUT (60 s; 300 s per push request).
- Redirects are followed by hand (at most 5); credentials never go to another host, nor from
  https down to http.
- Credentials come from `Auth`, from the URL's userinfo, or ($MDM2KG_PASSWORD) from the
  environment in the CLI; userinfo is removed from every URL shown in a message.
- Every failure is an `RemoteError` subclass whose base class tells the CLI the exit code:
  UsageError (2) for what the user can fix or a reply that is not SPARQL, RuntimeFailure (3)
  for a server that fails (HTTP 5xx, a deadline, a dropped connection).
"""

from __future__ import annotations

import contextvars
import functools
import math
import os
import re
import ssl
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from mdm2kg.errors import RuntimeFailure, UsageError
from mdm2kg.sparql.auth import Auth, AuthLike, AuthScheme, Credentials, as_auth, redact, split_userinfo
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
from mdm2kg.text import is_loopback, terminal_safe

__all__ = ["Auth", "AuthLike", "AuthScheme", "HttpClient", "RemoteError", "Timeouts", "redact"]

ENV_CONNECT_TIMEOUT = "MDM2KG_CONNECT_TIMEOUT"
ENV_TIMEOUT = "MDM2KG_TIMEOUT"
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_TIMEOUT = 60.0
PUSH_TIMEOUT = 300.0
MAX_REDIRECTS = 5
PREFLIGHT_BYTES = 64 * 1024
USER_AGENT = "mdm2kg-remote/2"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# ----------------------------------------------------------------------------- timeouts


def _seconds(value: float | str, name: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise UsageError(f"{name} must be a number of seconds, got {value!r}") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise UsageError(f"{name} must be a positive, finite number of seconds, got {value!r}")
    return seconds


@dataclass(frozen=True, slots=True)
class Timeouts:
    """`connect`: seconds to open a connection; `total`: seconds one request may take, answer included."""

    connect: float = DEFAULT_CONNECT_TIMEOUT
    total: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        _seconds(self.connect, "the connect timeout")
        _seconds(self.total, "the timeout")

    @classmethod
    def from_env(cls, *, connect: float | None = None, total: float | None = None,
                 default_total: float = DEFAULT_TIMEOUT) -> Timeouts:
        """Explicit values first, then $MDM2KG_CONNECT_TIMEOUT / $MDM2KG_TIMEOUT, then the defaults."""
        env_connect, env_total = os.environ.get(ENV_CONNECT_TIMEOUT), os.environ.get(ENV_TIMEOUT)
        return cls(
            connect=connect if connect is not None else _seconds(env_connect, f"${ENV_CONNECT_TIMEOUT}") if env_connect
            else DEFAULT_CONNECT_TIMEOUT,
            total=total if total is not None else _seconds(env_total, f"${ENV_TIMEOUT}") if env_total else default_total,
        )


TimeoutsLike = Timeouts | float | None


def as_timeouts(timeout: TimeoutsLike, *, default_total: float = DEFAULT_TIMEOUT) -> Timeouts:
    """A Timeouts from a Timeouts, a total in seconds, or None (environment, then defaults)."""
    if isinstance(timeout, Timeouts):
        return timeout
    return Timeouts.from_env(total=None if timeout is None else float(timeout), default_total=default_total)


# ----------------------------------------------------------------------------- the total deadline

_DEADLINE: contextvars.ContextVar[float] = contextvars.ContextVar("mdm2kg_http_deadline", default=math.inf)


def _bounded(timeout: float | None) -> float:
    """The per-operation timeout cut to what is left of the request's total deadline."""
    left = _DEADLINE.get() - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("total deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read, write and TLS handshake ends by the request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        for start in range(0, len(buffer), 64 * 1024):
            self._inner.write(buffer[start:start + 64 * 1024], _bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(super().connect_tcp(host, port, _bounded(timeout), local_address, socket_options))


@functools.lru_cache(maxsize=1)
def _verified_tls() -> ssl.SSLContext:
    """httpx's verifying TLS context (certifi's CAs): loading them takes ~30 ms, so once per process."""
    return httpx.create_ssl_context()


def _transport(url: str, *, tls: bool) -> httpx.HTTPTransport:
    """A transport whose connections obey the deadline; the environment's proxy unless loopback.

    Without `tls` (a plain-http endpoint) its TLS context trusts no CA at all, so it fails
    closed; the client builds a verifying transport if a redirect leads to https.
    """
    host = urllib.parse.urlsplit(url).hostname or ""
    proxy = None
    if not is_loopback(host) and not urllib.request.proxy_bypass(host):
        proxy = urllib.request.getproxies().get(urllib.parse.urlsplit(url).scheme)
    context = _verified_tls() if tls or proxy else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    transport = httpx.HTTPTransport(verify=context, proxy=proxy, trust_env=False)
    pool = transport._pool  # httpcore's pool: route its sockets through the deadline
    if not hasattr(pool, "_network_backend"):  # pragma: no cover - a changed httpcore fails loudly here
        raise RuntimeFailure("this httpcore version cannot bound requests in time; install httpcore 1.x")
    pool._network_backend = _DeadlineBackend()
    return transport


# ----------------------------------------------------------------------------- the client


def server_message(body: bytes, content_type: str) -> str:
    """The useful part of an error body: text with HTML tags stripped, shortened."""
    text = body[:100_000].decode("utf-8", "replace")
    if "html" in content_type or text.lstrip().startswith("<"):
        text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
        text = re.sub(r"<[^>]+>", " ", text)
    text = terminal_safe(re.sub(r"\s+", " ", text).strip())
    return text[:600] + ("…" if len(text) > 600 else "")


def media_type(response: httpx.Response) -> str:
    """The response's media type, lower case, without parameters ('' when missing)."""
    return (response.headers.get("content-type") or "").split(";")[0].strip().lower()


def _same_host(a: httpx.URL, b: httpx.URL) -> bool:
    """True when credentials for `a` may go to `b`: same host and port, never from https to http."""
    return (a.host, a.port or {"http": 80, "https": 443}.get(a.scheme)) == \
        (b.host, b.port or {"http": 80, "https": 443}.get(b.scheme)) and not (a.scheme == "https" and b.scheme == "http")


class HttpClient:
    """Requests to one endpoint, with its credentials and timeouts; close it (or use `with`).

    >>> with HttpClient("http://127.0.0.1:7878/query") as client:  # doctest: +SKIP
    ...     client.request("GET", client.url(query="ASK {}"), what="query").status_code
    200
    """

    def __init__(self, endpoint: str, *, auth: AuthLike = None, timeout: TimeoutsLike = None,
                 default_total: float = DEFAULT_TIMEOUT) -> None:
        bare, from_url = split_userinfo(endpoint)
        parts = urllib.parse.urlsplit(bare)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise EndpointUnreachableError(f"endpoint must be an http(s) URL, got {redact(endpoint)!r}", url=redact(endpoint))
        self.endpoint = bare
        self.shown = redact(endpoint)
        self.timeouts = as_timeouts(timeout, default_total=default_total)
        credentials = as_auth(auth) or from_url
        self.credentials = Credentials(credentials) if credentials is not None else None
        self._probed = False
        self._tls = parts.scheme == "https"
        self._http = self._client()

    def _client(self) -> httpx.Client:
        t = self.timeouts
        return httpx.Client(transport=_transport(self.endpoint, tls=self._tls), trust_env=False, follow_redirects=False,
                            timeout=httpx.Timeout(connect=t.connect, read=t.total, write=t.total, pool=t.connect),
                            headers={"User-Agent": USER_AGENT})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, **params: str) -> str:
        """The endpoint URL with extra query-string parameters appended."""
        if not params:
            return self.endpoint
        sep = "&" if urllib.parse.urlsplit(self.endpoint).query else "?"
        return self.endpoint + sep + urllib.parse.urlencode(params)

    def request(self, method: str, url: str, *, body: bytes = b"", headers: Mapping[str, str] | None = None,
                what: str = "request") -> httpx.Response:
        """Send one request (redirects and authentication included) within the total timeout.

        Returns a 2xx response; raises a RemoteError subclass for everything else.
        """
        token = _DEADLINE.set(time.monotonic() + self.timeouts.total)
        try:
            if len(body) > PREFLIGHT_BYTES and not self._probed and not (self.credentials and self.credentials.ready):
                self._preflight(method, url, what)
            response = self._follow(method, url, body, dict(headers or {}), what)
        finally:
            _DEADLINE.reset(token)
        if not 200 <= response.status_code < 300:
            raise self._status_error(response, method, url, what)
        return response

    def _follow(self, method: str, url: str, body: bytes, headers: dict[str, str], what: str) -> httpx.Response:
        """The final response after at most MAX_REDIRECTS redirects; credentials stay with the first host."""
        target = httpx.URL(url)
        auth: httpx.Auth | None = self.credentials
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(method, target, body, headers, auth, what)
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or not location:
                return response
            following = target.join(location)
            if following.scheme not in ("http", "https"):
                raise MalformedReplyError(f"{what} failed: {self.shown} redirected to a non-HTTP URL", url=self.shown)
            if not _same_host(target, following):
                auth = None  # never hand the credentials to another host
            if following.scheme == "https" and not self._tls:  # now CAs are needed
                self._http.close()
                self._tls = True
                self._http = self._client()
            if response.status_code == 303:
                method, body = "GET", b""
            target = following
        raise MalformedReplyError(f"{what} failed: {self.shown} redirected more than {MAX_REDIRECTS} times", url=self.shown)

    def _send(self, method: str, url: httpx.URL, body: bytes, headers: dict[str, str], auth: httpx.Auth | None,
              what: str) -> httpx.Response:
        """One exchange (with its authentication round trip); transport failures become RemoteErrors."""
        shown = f"{what} failed: {self.shown}"
        try:
            return self._http.request(method, url, content=body if method != "GET" else None, headers=headers, auth=auth)
        except httpx.ConnectTimeout:
            raise EndpointUnreachableError(f"{shown} did not accept a connection within {self.timeouts.connect:g} s "
                                           f"(--connect-timeout, ${ENV_CONNECT_TIMEOUT})", url=self.shown) from None
        except httpx.TimeoutException:
            raise RemoteTimeoutError(f"{shown} gave no complete answer within {self.timeouts.total:g} s "
                                     f"(--timeout, ${ENV_TIMEOUT})", url=self.shown) from None
        except (httpx.ConnectError, httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise EndpointUnreachableError(f"{shown}: cannot reach it: {_reason(exc)}", url=self.shown) from None
        except httpx.RemoteProtocolError as exc:
            raise MalformedReplyError(f"{shown} did not answer with well-formed HTTP: {_reason(exc)}",
                                      url=self.shown) from None
        except (httpx.ReadError, httpx.WriteError, httpx.CloseError) as exc:
            raise RemoteServerError(f"{shown} closed the connection while the request was sent or answered "
                                    f"({_reason(exc)}); it may refuse the credentials or the request size",
                                    url=self.shown) from None
        except httpx.DecodingError as exc:
            raise MalformedReplyError(f"{shown} sent a body that cannot be decoded: {_reason(exc)}", url=self.shown) from None
        except (httpx.HTTPError, httpx.StreamError) as exc:
            raise RemoteServerError(f"{shown}: {_reason(exc)}", url=self.shown) from None

    def _preflight(self, method: str, url: str, what: str) -> None:
        """Learn the challenge from a bodiless HEAD before a large upload: servers such as Virtuoso
        answer 401 and close before reading a large body, which then looks like a reset connection."""
        self._probed = True
        try:
            # a fresh connection, closed after: some servers (Oxigraph) answer a HEAD with a body
            response = self._http.request("HEAD", url, headers={"Connection": "close"})
        except httpx.HTTPError:
            return  # the real request reports the failure
        if response.status_code != 401:
            return
        if self.credentials is None:
            raise self._status_error(response, method, url, what)
        self.credentials.answer(response.request, response)

    def _status_error(self, response: httpx.Response, method: str, url: str, what: str) -> RemoteError:
        status = response.status_code
        message = server_message(response.content, media_type(response))
        where = redact(url.split("?")[0])
        text = f"{what} failed: {method} {where} -> HTTP {status} {response.reason_phrase}" + (f": {message}" if message else "")
        kwargs: dict[str, Any] = {"url": where, "status": status, "server_message": message}
        has_auth = self.credentials is not None
        if status == 401:
            hint = " (check --user and the password)" if has_auth else \
                " (the endpoint needs credentials: give --user, and the password in $MDM2KG_PASSWORD)"
            return RemoteAuthError(text + hint, **kwargs)
        if status == 403:
            if re.search(r"read[- ]?only", message, re.IGNORECASE) or (what == "push" and not has_auth):
                return ReadOnlyEndpointError(f"{what} refused: {where} is a read-only endpoint (HTTP 403)"
                                             + (f": {message}" if message else "")
                                             + ("; `mdm2kg serve` is read-only: push to a writable store" if what == "push" else ""),
                                             **kwargs)
            return RemoteAuthError(text + (" (the account lacks the permission)" if has_auth else ""), **kwargs)
        if status == 400 and what == "query":
            return RemoteQueryError(text, **kwargs)
        if status == 404:
            hint = " (is this the store's Graph Store Protocol URL, e.g. .../store or .../sparql-graph-crud-auth?)" \
                if what == "push" else " (is this the store's SPARQL query URL, e.g. .../query or .../sparql?)"
            return RemoteRequestError(text + hint, **kwargs)
        if 400 <= status < 500:
            return RemoteRequestError(text, **kwargs)
        if status >= 500:
            return RemoteServerError(text, **kwargs)
        return MalformedReplyError(text + " (not an answer a SPARQL store gives)", **kwargs)


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return terminal_safe(re.sub(r"\s+", " ", text))[:300]
