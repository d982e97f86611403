"""The loopback gateway `mdm2kg serve` puts in front of the Oxigraph server.

The ``oxigraph`` binary answers any ``Host`` header and runs ``SERVICE`` clauses, fetching
whatever URL a query names. The gateway owns the public port and forwards to Oxigraph on a
private loopback port, after checking each request:

- **Host** (DNS rebinding): a browser tricked into sending a page's requests here still
  names the attacker's domain in ``Host``. Only IP literals, ``localhost``, this machine's
  name and the names given with ``--allow-host`` pass; others get HTTP 403. A request
  without ``Host`` (no browser sends one) passes.
- **SERVICE**: every query in the URL, a form body or a ``application/sparql-query`` body
  that contains the letters ``service`` is parsed (`mdm2kg.query.guard`); a SERVICE clause
  gets HTTP 403 naming ``--allow-service``. Other queries pass untouched.
- **Limits**: every query or update text in the URL or body is checked against
  `mdm2kg.query.limits` (at most 1 MiB, at most 200 nested (), {} and []): more gets HTTP 400
  before Oxigraph sees it (5,000 nested braces overflow Oxigraph's stack and kill it).
- **Size and encoding**: a SPARQL body above 16 MiB gets HTTP 413; a compressed one (which
  could hide its text) HTTP 415.
- **Runaway queries**: Oxigraph checks its ``--timeout-s`` deadline only when it reads the
  store, so a query busy joining what it already read can run on. A request that has had no
  answer byte for the query timeout plus ``GRACE_SECONDS`` is cut off with HTTP 503, and the
  server is told (``on_runaway``) so it can restart an engine that keeps burning a core.
- **The query page**: with ``page``, ``GET /`` and ``GET /query-page`` answer the page
  (built by the caller for the ``Host`` the browser used, so the page and the endpoint share
  an origin and no CORS is needed). The gateway never renders anything itself.

Responses are not parsed: Oxigraph's bytes are copied back as they come, so answers stream
and the per-request cost is a few system calls. Each client connection gets its own
connection to Oxigraph and two threads (requests in, responses out). The checks themselves
(parsing a request head, the Host, limits and SERVICE checks, refusals) are in
`mdm2kg.gateway_policy`; this module owns the sockets and threads.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable

from mdm2kg.gateway_policy import SPARQL_MEDIA, Policy, RefusedRequest, Request, parse_head, query_texts

MAX_HEAD = 64 * 1024
MAX_SPARQL_BODY = 16 * 1024 * 1024
_BUFFER = 256 * 1024
IDLE_SECONDS = 300.0
"""A client that sends nothing (or reads nothing) this long is disconnected."""
MAX_CONNECTIONS = 256
"""Client connections served at once; more get HTTP 503."""
GRACE_SECONDS = 2.0
"""How long past the query timeout a request may wait for its first answer byte before it is cut off."""
PAGE_PATHS = frozenset({"/", "/query-page"})


class _Link:
    """One client connection and its connection to Oxigraph."""

    def __init__(self, client: socket.socket, gateway: Gateway) -> None:
        self.client, self.gateway, self.policy, self.ready = client, gateway, gateway.policy, gateway.backend_ready
        self.backend: socket.socket | None = None
        self.pump: threading.Thread | None = None
        self.pending = b""
        self.waiting_since: float | None = None  # a request went to Oxigraph and no answer byte came back yet
        self.cut = False
        self.generation = gateway.generation  # which Oxigraph `backend` talks to

    def run(self) -> None:
        try:
            while self._one_request():
                pass
        except RefusedRequest as refused:
            self._refuse(refused)
        except ValueError:
            self._refuse(RefusedRequest(400, "Bad Request", "malformed request"))
        except OSError:
            pass
        finally:
            self._finish()

    # -- reading from the client

    def _recv_until(self, marker: bytes, limit: int) -> bytes | None:
        while marker not in self.pending:
            if len(self.pending) > limit:
                raise RefusedRequest(431, "Request Header Fields Too Large", "request head too large")
            data = self.client.recv(_BUFFER)
            if not data:
                return None
            self.pending += data
        head, _, self.pending = self.pending.partition(marker)
        return head

    def _recv_exact(self, n: int) -> bytes:
        while len(self.pending) < n:
            data = self.client.recv(max(_BUFFER, n - len(self.pending)))
            if not data:
                raise OSError("client closed mid-body")
            self.pending += data
        body, self.pending = self.pending[:n], self.pending[n:]
        return body

    def _recv_chunked(self, limit: int) -> bytes:
        parts: list[bytes] = []
        size = 0
        while True:
            line = self._recv_until(b"\r\n", 1024)
            if line is None:
                raise OSError("client closed mid-body")
            length = int(line.split(b";")[0].strip() or b"0", 16)
            if length == 0:
                while self._recv_until(b"\r\n", MAX_HEAD):  # trailers, up to the empty line
                    pass
                return b"".join(parts)
            size += length
            if size > limit:
                raise RefusedRequest(413, "Content Too Large", f"request bodies are limited to {limit} bytes here")
            parts.append(self._recv_exact(length))
            self._recv_exact(2)

    def _one_request(self) -> bool:
        raw = self._recv_until(b"\r\n\r\n", MAX_HEAD)
        if raw is None:
            return False
        request = parse_head(raw)
        self.policy.check_host(request.header("host"))
        media = (request.header("content-type") or "").split(";")[0].strip().lower()
        encoding = (request.header("content-encoding") or "identity").strip().lower()
        transfer = (request.header("transfer-encoding") or "").strip().lower()
        if transfer not in ("", "chunked"):
            raise RefusedRequest(501, "Not Implemented", f"transfer encoding '{transfer[:40]}' is not supported here")
        inspect = media in SPARQL_MEDIA
        if inspect and encoding != "identity":
            raise RefusedRequest(415, "Unsupported Media Type", "compressed SPARQL requests are not accepted here")
        if (request.header("expect") or "").lower() == "100-continue":
            self.client.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        length = int(request.header("content-length") or 0) if not transfer else None
        limit = MAX_SPARQL_BODY if inspect else 1 << 40
        if length is not None and length > limit:
            raise RefusedRequest(413, "Content Too Large", f"SPARQL request bodies are limited to {limit} bytes here")
        body = self._recv_chunked(limit) if transfer else self._recv_exact(length or 0)
        self.policy.check_queries(query_texts(request, body if inspect else None, media))
        if self.gateway.page is not None and request.method in ("GET", "HEAD"):
            split = urllib.parse.urlsplit(request.target)
            if split.path in PAGE_PATHS and "query=" not in split.query:
                self._answer_page(request)
                return True
        self._forward(request, body, rewritten=bool(transfer) or request.header("expect") is not None)
        return True

    def _answer_page(self, request: Request) -> None:
        assert self.gateway.page is not None
        if self.backend is not None:  # earlier answers first, in order; later requests get a new connection
            self._drain_backend()
            with contextlib.suppress(OSError):
                self.backend.close()
            self.backend, self.pump = None, None
        host = request.header("host") or self.gateway.public_host()
        try:
            page = self.gateway.page(host)
        except Exception as exc:  # a page that cannot be built is this request's problem only
            raise RefusedRequest(500, "Internal Server Error", f"the query page could not be built: {exc}") from None
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(page)}\r\n"
                "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n").encode("ascii")
        self.client.sendall(head + (b"" if request.method == "HEAD" else page))

    # -- to Oxigraph and back

    def _forward(self, request: Request, body: bytes, *, rewritten: bool) -> None:
        if self.backend is not None and self.generation != self.gateway.generation:
            # Oxigraph was restarted: let the old one finish what it was asked, then use the new one
            self._drain_backend()
            with contextlib.suppress(OSError):
                self.backend.close()
            self.backend, self.pump = None, None
        if self.backend is None:
            self.generation = self.gateway.generation
            self.backend = self._connect()
            self.pump = threading.Thread(target=self._pump, name="mdm2kg-gateway-pump", daemon=True)
            self.pump.start()
        if rewritten:  # de-chunked, or Expect answered here: send a plain Content-Length request
            kept = [f"{k}: {v}" for k, v in request.headers if k not in ("transfer-encoding", "content-length", "expect")]
            head = "\r\n".join([request.head.split(b"\r\n", 1)[0].decode("latin-1"), *kept,
                                f"content-length: {len(body)}"]).encode("latin-1")
        else:
            head = request.head
        if self.waiting_since is None:
            self.waiting_since = time.monotonic()
        self.backend.sendall(head + b"\r\n\r\n" + body)

    def _connect(self) -> socket.socket:
        self.ready.wait(30)
        deadline = time.monotonic() + 30
        while True:
            try:
                sock = socket.create_connection(self.gateway.backend, timeout=30)
                sock.settimeout(None)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return sock
            except OSError:
                if time.monotonic() > deadline:
                    raise RefusedRequest(503, "Service Unavailable", "the SPARQL engine is not answering") from None
                time.sleep(0.005)

    def _pump(self) -> None:
        assert self.backend is not None
        with contextlib.suppress(OSError):
            while True:
                data = self.backend.recv(_BUFFER)
                if not data:
                    break
                self.waiting_since = None
                self.client.sendall(data)
        with contextlib.suppress(OSError):
            self.client.shutdown(socket.SHUT_WR)

    def _drain_backend(self) -> None:
        """Let Oxigraph finish every answer already asked for, then stop the pump."""
        if self.backend is not None:
            with contextlib.suppress(OSError):
                self.backend.shutdown(socket.SHUT_WR)
        if self.pump is not None:
            self.pump.join()

    def _refuse(self, refused: RefusedRequest) -> None:
        self._drain_backend()  # earlier answers go out first, in order
        with contextlib.suppress(OSError):
            self.client.sendall(refused.response())

    def cut_off(self, seconds: float) -> None:
        """Answer HTTP 503 for a request Oxigraph has not answered in `seconds`, and close both ends."""
        self.cut = True
        refused = RefusedRequest(503, "Service Unavailable", f"the query ran past the {seconds:g} s timeout and was "
                                 "cut off (`mdm2kg serve --timeout SECONDS`)")
        with contextlib.suppress(OSError):
            self.client.sendall(refused.response())
        for sock in (self.backend, self.client):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _finish(self) -> None:
        self._drain_backend()
        for sock in (self.backend, self.client):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()


class Gateway:
    """Accepts on `listener` and forwards checked requests to Oxigraph at `backend`.

    `query_timeout` (seconds, None: no limit) arms the runaway cut-off: a request unanswered
    for that long plus GRACE_SECONDS gets HTTP 503 and `on_runaway()` is called. `page`, when
    given, builds the query page for a Host header (see the module docstring).
    """

    def __init__(self, listener: socket.socket, backend: tuple[str, int], policy: Policy, *,
                 query_timeout: float | None = None, on_runaway: Callable[[], None] | None = None,
                 page: Callable[[str], bytes] | None = None) -> None:
        self.listener, self.backend, self.policy = listener, backend, policy
        self.query_timeout, self.on_runaway, self.page = query_timeout, on_runaway, page
        self.backend_ready = threading.Event()
        self.generation = 0
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._stopped = threading.Event()
        self._links: set[_Link] = set()
        self._links_lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, name="mdm2kg-gateway", daemon=True)
        self._watch = threading.Thread(target=self._watch_runaways, name="mdm2kg-gateway-watch", daemon=True)

    def start(self) -> Gateway:
        self._thread.start()
        if self.query_timeout:
            self._watch.start()
        return self

    def public_host(self) -> str:
        host, port = self.listener.getsockname()[:2]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def set_backend(self, backend: tuple[str, int]) -> None:
        """Send new requests to `backend` (a restarted Oxigraph); open connections move over between requests."""
        self.backend = backend
        self.generation += 1

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                if self._stopped.is_set():
                    return
                continue
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            client.settimeout(IDLE_SECONDS)
            if not self._slots.acquire(blocking=False):
                busy = RefusedRequest(503, "Service Unavailable", f"more than {MAX_CONNECTIONS} connections at once")
                with contextlib.suppress(OSError):
                    client.sendall(busy.response())
                client.close()
                continue
            link = _Link(client, self)
            with self._links_lock:
                self._links.add(link)
            threading.Thread(target=self._serve, args=(link,), name="mdm2kg-gateway-link", daemon=True).start()

    def _serve(self, link: _Link) -> None:
        try:
            link.run()
        finally:
            with self._links_lock:
                self._links.discard(link)
            self._slots.release()

    def _watch_runaways(self) -> None:
        assert self.query_timeout
        limit = self.query_timeout + GRACE_SECONDS
        while not self._stopped.wait(0.25):
            now = time.monotonic()
            with self._links_lock:
                late = [link for link in self._links
                        if not link.cut and link.waiting_since is not None and now - link.waiting_since > limit]
            for link in late:
                link.cut_off(self.query_timeout)
            if late and self.on_runaway is not None:
                self.on_runaway()

    def stop(self) -> None:
        self._stopped.set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self.listener.close()
        self._thread.join(timeout=5)
