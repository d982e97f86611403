"""Remote stores that misbehave: small fake servers on 127.0.0.1 (http.server or a raw socket in a thread).

Each server answers in one scripted way: a 401, garbage, a trickle of one byte at a time,
a redirect to another host, a malformed SPARQL results document, a 5xx page. The client
must give a clean error with the documented exit code (2: refused or not SPARQL; 3: the
server failed or ran out of time), never a traceback, a hang or a wrong answer.
"""

from __future__ import annotations

import base64
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mdm2kg.errors import QueryError, RuntimeFailure, UsageError
from mdm2kg.sparql import (
    Auth,
    AuthScheme,
    EndpointUnreachableError,
    MalformedReplyError,
    ReadOnlyEndpointError,
    RemoteAuthError,
    RemoteQueryError,
    RemoteServerError,
    RemoteTimeoutError,
    Timeouts,
    push_graph,
    run_remote,
)
from mdm2kg.sparql.client import PREFLIGHT_BYTES
from tests.cli_runner import invoke

HERE = Path(__file__).parent
TINY = HERE / "fixtures" / "tiny"
JSON = "application/sparql-results+json"


# ----------------------------------------------------------------------------- fake servers


@dataclass
class Seen:
    """One request a fake server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Fake:
    url: str
    seen: list[Seen] = field(default_factory=list)


Reply = Callable[[BaseHTTPRequestHandler, Seen], None]


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"", content_type: str = JSON,
         headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(body)


@contextlib.contextmanager
def fake_http(reply: Reply, host: str = "127.0.0.1", *, read_body: bool = True) -> Iterator[Fake]:
    """An HTTP server on `host` answering every request with `reply`; records what it received."""
    fake = Fake(url="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length", 0) or 0)
            body = self.rfile.read(length) if read_body and length else b""
            seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            fake.seen.append(seen)
            if not read_body and length:
                self.close_connection = True
            reply(self, seen)

        do_GET = do_POST = do_PUT = do_HEAD = _any

    server = ThreadingHTTPServer((host, 0), Handler)
    fake.url = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextlib.contextmanager
def raw_server(serve: Callable[[socket.socket, threading.Event], None]) -> Iterator[str]:
    """A TCP server on 127.0.0.1 that hands each connection to `serve` (which must stop when the event is set)."""
    stop = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    workers: list[threading.Thread] = []

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            worker = threading.Thread(target=_serve_one, args=(serve, conn, stop), daemon=True)
            worker.start()
            workers.append(worker)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=10)
        for worker in workers:
            worker.join(timeout=10)
        listener.close()


def _serve_one(serve: Callable[[socket.socket, threading.Event], None], conn: socket.socket, stop: threading.Event) -> None:
    with conn:
        conn.settimeout(1.0)
        with contextlib.suppress(OSError):
            conn.recv(65536)  # the request (enough of it)
            serve(conn, stop)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(*args: str, env: dict[str, str] | None = None) -> Any:
    return invoke(list(args), env=env)


def assert_clean(result: Any, code: int, *phrases: str) -> None:
    """The CLI exited with `code`, printed an error line, no traceback, and every phrase."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "error:" in result.output
    for phrase in phrases:
        assert phrase in result.output, result.output


# ----------------------------------------------------------------------------- refusals and unreachable servers


def _needs_basic(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
    if seen.headers.get("authorization") != "Basic " + base64.b64encode(b"u:p").decode():
        send(handler, 401, b"who are you?", "text/plain", {"WWW-Authenticate": 'Basic realm="fake"'})
        return
    if seen.method == "HEAD":
        send(handler, 200)
        return
    send(handler, 200 if seen.method == "POST" and "/query" in seen.path else 204,
         b'{"head":{},"boolean":true}' if "/query" in seen.path else b"")


def test_401_without_credentials_is_a_clean_auth_error(tiny_kg: Any) -> None:
    with fake_http(_needs_basic) as fake:
        with pytest.raises(RemoteAuthError) as refused:
            run_remote(fake.url + "/query", "ASK {}")
        assert refused.value.status == 401 and "needs credentials" in str(refused.value)
        assert_clean(cli("query", "ASK {}", "--endpoint", fake.url + "/query"), 2, "HTTP 401", "MDM2KG_PASSWORD")
        assert_clean(cli("push", "--endpoint", fake.url + "/store", "--data", str(TINY)), 2, "HTTP 401")
        ok = cli("query", "ASK {}", "--endpoint", fake.url + "/query", "--user", "u", env={"MDM2KG_PASSWORD": "p"})
        assert ok.exit_code == 0 and "yes" in ok.output and "p" not in ok.output.replace("yes", "")


def test_a_large_push_without_credentials_gets_the_401_not_a_reset(tiny_kg: Any) -> None:
    """Like Virtuoso: 401 and close, without reading a large body."""
    assert tiny_kg.nt_path.stat().st_size > PREFLIGHT_BYTES
    with fake_http(_needs_basic, read_body=False) as fake:
        with pytest.raises(RemoteAuthError) as refused:
            push_graph(tiny_kg, fake.url + "/store")
        assert refused.value.status == 401
        assert [s.method for s in fake.seen] == ["HEAD"]  # the body was never uploaded
        report = push_graph(tiny_kg, fake.url + "/store", auth=("u", "p"))
        assert report.triples == len(tiny_kg.store)


def test_userinfo_in_the_url_authenticates_and_is_never_printed() -> None:
    def fail_after_auth(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        if "authorization" not in seen.headers:
            send(handler, 401, b"", "text/plain", {"WWW-Authenticate": 'Basic realm="fake"'})
        else:
            send(handler, 500, b"<html><body><h1>Internal error</h1><script>x()</script></body></html>", "text/html")

    with fake_http(fail_after_auth) as fake:
        url = fake.url.replace("http://", "http://alice:s3cret@") + "/query"
        with pytest.raises(RemoteServerError) as failed:
            run_remote(url, "ASK {}")
        message = str(failed.value)
        assert "s3cret" not in message and "HTTP 500" in message and "Internal error" in message
        assert "<h1>" not in message and "x()" not in message
        assert fake.seen[-1].headers["authorization"] == "Basic " + base64.b64encode(b"alice:s3cret").decode()
        result = cli("query", "ASK {}", "--endpoint", url)
        assert_clean(result, 3, "HTTP 500")
        assert "s3cret" not in result.output
    unreachable = cli("query", "ASK {}", "--endpoint", f"http://alice:s3cret@127.0.0.1:{closed_port()}/query")
    assert_clean(unreachable, 2, "alice:***@")
    assert "s3cret" not in unreachable.output


def test_closed_port_and_bad_urls_are_usage_errors() -> None:
    with pytest.raises(EndpointUnreachableError, match="cannot reach"):
        run_remote(f"http://127.0.0.1:{closed_port()}/query", "ASK {}")
    assert_clean(cli("query", "ASK {}", "--endpoint", f"http://127.0.0.1:{closed_port()}/query"), 2, "cannot reach")
    assert_clean(cli("query", "ASK {}", "--endpoint", "ftp://127.0.0.1/query"), 2, "http(s) URL")
    assert_clean(cli("query", "ASK {}", "--endpoint", "http://127.0.0.1:1/q", "--timeout", "nan"), 2, "finite")
    result = cli("query", "ASK {}", "--endpoint", "http://127.0.0.1:1/q", env={"MDM2KG_TIMEOUT": "-3"})
    assert_clean(result, 2, "MDM2KG_TIMEOUT")


def test_garbage_instead_of_http_is_a_clean_error() -> None:
    def garbage(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"\x00\x01\x02 this is not HTTP at all \x1b[31m red\r\n\r\n")

    with raw_server(garbage) as url:
        with pytest.raises(MalformedReplyError, match="well-formed HTTP"):
            run_remote(url + "/query", "ASK {}")
        result = cli("query", "ASK {}", "--endpoint", url + "/query")
        assert_clean(result, 2, "well-formed HTTP")
        assert "\x1b" not in result.output


def test_a_server_that_closes_without_answering() -> None:
    def hang_up(conn: socket.socket, stop: threading.Event) -> None:
        conn.shutdown(socket.SHUT_RDWR)

    with raw_server(hang_up) as url:
        with pytest.raises((MalformedReplyError, RemoteServerError)):
            run_remote(url + "/query", "ASK {}")


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_trickling_server_is_cut_off_by_the_total_timeout(where: str) -> None:
    """One byte at a time, each well within any per-read timeout: only a total deadline ends it."""
    def trickle(conn: socket.socket, stop: threading.Event) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 100000\r\n\r\n"
        if where == "body":
            conn.sendall(head)
            head = b'{"head":{},"boolean":true}' + b" " * 100_000
        for byte in head:
            if stop.wait(0.1):
                return
            conn.sendall(bytes([byte]))

    with raw_server(trickle) as url:
        started = time.monotonic()
        with pytest.raises(RemoteTimeoutError, match=r"within 1 s \(--timeout, \$MDM2KG_TIMEOUT\)") as slow:
            run_remote(url + "/query", "ASK {}", timeout=Timeouts(connect=1, total=1))
        assert isinstance(slow.value, RuntimeFailure)
        assert time.monotonic() - started < 30  # a per-read timeout alone would wait ~10,000 s
        assert_clean(cli("query", "ASK {}", "--endpoint", url + "/query", "--timeout", "1"), 3, "--timeout")
        result = cli("query", "ASK {}", "--endpoint", url + "/query", env={"MDM2KG_TIMEOUT": "1"})
        assert_clean(result, 3, "within 1 s")


def test_timeouts_are_documented_in_help() -> None:
    for command in ("query", "push"):
        text = cli(command, "--help").output
        for phrase in ("--connect-timeout", "--timeout", "MDM2KG_CONNECT_TIMEOUT", "MDM2KG_TIMEOUT", "MDM2KG_PASSWORD"):
            assert phrase in text, (command, phrase)


# ----------------------------------------------------------------------------- redirects


def test_credentials_do_not_follow_a_redirect_to_another_host() -> None:
    with fake_http(lambda h, s: send(h, 200, b'{"head":{},"boolean":true}'), host="127.0.0.2") as other:
        def redirect(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
            if seen.path.startswith("/moved"):
                send(handler, 200, b'{"head":{},"boolean":false}')
            elif seen.path.startswith("/here"):
                send(handler, 307, b"", "text/plain", {"Location": "/moved"})
            else:
                send(handler, 302, b"", "text/plain", {"Location": other.url + "/query"})

        with fake_http(redirect) as origin:
            basic = Auth("u", "p", AuthScheme.BASIC)
            assert run_remote(origin.url + "/query", "ASK {}", auth=basic).boolean is True
            assert "authorization" in origin.seen[-1].headers
            assert other.seen and all("authorization" not in s.headers for s in other.seen)
            assert other.seen[-1].method == "POST" and b"query=" in other.seen[-1].body  # the query went along
            # on the same host the credentials stay
            assert run_remote(origin.url + "/here", "ASK {}", auth=basic).boolean is False
            assert origin.seen[-1].path == "/moved" and "authorization" in origin.seen[-1].headers


def test_a_redirect_to_https_uses_a_verifying_client() -> None:
    port = closed_port()
    with fake_http(lambda h, s: send(h, 301, b"", "text/plain", {"Location": f"https://127.0.0.1:{port}/query"})) as fake:
        with pytest.raises(EndpointUnreachableError, match="cannot reach"):
            run_remote(fake.url + "/query", "ASK {}", auth=Auth("u", "p", AuthScheme.BASIC))
        assert "authorization" in fake.seen[0].headers


def test_a_redirect_loop_ends() -> None:
    with fake_http(lambda h, s: send(h, 302, b"", "text/plain", {"Location": "/again"})) as fake:
        with pytest.raises(MalformedReplyError, match="redirected more than"):
            run_remote(fake.url + "/query", "ASK {}")


# ----------------------------------------------------------------------------- malformed answers


SELECT = "SELECT ?x WHERE { ?x ?p ?o }"
ASK = "ASK { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
MALFORMED = [
    (ASK, 200, JSON, b'{"boolean": "false"}', MalformedReplyError, 2),
    (ASK, 200, JSON, b'{"head":{"vars":["x"]},"results":{"bindings":[]}}', MalformedReplyError, 2),
    (SELECT, 200, JSON, b'{"head":{},"boolean":true}', MalformedReplyError, 2),
    (SELECT, 200, JSON, b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"uri","value":"http://a"}}, {"x":',
     MalformedReplyError, 2),
    (SELECT, 200, JSON, b"not json at all", MalformedReplyError, 2),
    (SELECT, 200, JSON, b"", MalformedReplyError, 2),
    (SELECT, 200, JSON, b'{"head":{"vars":["x"]},"results":{"bindings":[{"y":{"type":"uri","value":"http://a"}}]}}',
     MalformedReplyError, 2),
    (SELECT, 200, JSON, b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"uri","value":"not an iri"}}]}}',
     MalformedReplyError, 2),
    (SELECT, 200, "text/html", b"<html><body>Please log in</body></html>", MalformedReplyError, 2),
    (SELECT, 200, "application/sparql-results+xml", b"<html>oops</html>", MalformedReplyError, 2),
    (SELECT, 200, "image/png", b"\x89PNG", MalformedReplyError, 2),
    (CONSTRUCT, 200, "text/turtle", b"<a> <b> .", MalformedReplyError, 2),
    (CONSTRUCT, 200, "text/html", b"<p>no</p>", MalformedReplyError, 2),
    (SELECT, 500, "text/html", b"<html><h1>Server Error</h1></html>", RemoteServerError, 3),
    (SELECT, 503, "text/plain", b"overloaded", RemoteServerError, 3),
    (SELECT, 404, "text/plain", b"no such endpoint", UsageError, 2),
    (SELECT, 400, "text/plain", b"Parser error at 1:500: nope", RemoteQueryError, 2),
]


@pytest.mark.parametrize(("text", "status", "content_type", "body", "error", "code"), MALFORMED,
                         ids=[f"{i}-{m[1]}-{m[2]}" for i, m in enumerate(MALFORMED)])
def test_malformed_replies_are_clean_errors(text: str, status: int, content_type: str, body: bytes, error: type,
                                           code: int) -> None:
    with fake_http(lambda h, s: send(h, status, body, content_type)) as fake:
        with pytest.raises(error):
            run_remote(fake.url + "/query", text)
        assert_clean(cli("query", text, "--endpoint", fake.url + "/query"), code)


def test_a_truncated_body_is_a_clean_error() -> None:
    def truncated(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 500\r\n\r\n"
                     b'{"head":{"vars":["x"]},"results":{"bindings":[')
        conn.shutdown(socket.SHUT_WR)

    with raw_server(truncated) as url:
        with pytest.raises(MalformedReplyError, match="well-formed HTTP"):
            run_remote(url + "/query", SELECT)
        assert_clean(cli("query", SELECT, "--endpoint", url + "/query"), 2)


def test_a_400_from_the_server_points_at_the_users_own_column() -> None:
    with fake_http(lambda h, s: send(h, 400, b"error at 1:10000: unexpected thing", "text/plain")) as fake:
        with pytest.raises(RemoteQueryError) as bad:
            run_remote(fake.url + "/query", SELECT)
    assert isinstance(bad.value, QueryError) and bad.value.status == 400
    column = int(str(bad.value).split("error at 1:")[1].split(":")[0])
    assert 1 <= column < 10000  # shifted back by the prologue sharing line 1


WELL_FORMED = [
    ("application/sparql-results+xml",
     b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="x"/></head>'
     b'<results><result><binding name="x"><literal datatype="http://www.w3.org/2001/XMLSchema#integer">7</literal>'
     b"</binding></result></results></sparql>"),
    ("text/tab-separated-values", b"?x\n7\n"),
    ("text/csv", b"x\r\n7\r\n"),
    ("application/sparql-results+json; charset=utf-8",
     b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"7",'
     b'"datatype":"http://www.w3.org/2001/XMLSchema#integer"}}]}}'),
    ("", b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"7"}}]}}'),
]


@pytest.mark.parametrize(("content_type", "body"), WELL_FORMED, ids=[w[0] or "untyped" for w in WELL_FORMED])
def test_every_sparql_results_format_is_read(content_type: str, body: bytes) -> None:
    with fake_http(lambda h, s: send(h, 200, body, content_type)) as fake:
        result = run_remote(fake.url + "/query", SELECT)
    assert result.variables == ["x"] and [str(v) for v in result.column("x")] == ["7"]


def test_boolean_answers_are_read_exactly() -> None:
    for body, expected, printed in ((b'{"head":{},"boolean":false}', False, "no"), (b'{"head":{},"boolean":true}', True, "yes")):
        with fake_http(lambda h, s, body=body: send(h, 200, body)) as fake:  # type: ignore[misc]
            assert run_remote(fake.url + "/query", ASK).boolean is expected
            result = cli("query", ASK, "--endpoint", fake.url + "/query")
        assert result.exit_code == 0 and result.output.strip() == printed


def test_a_read_only_endpoint_refuses_a_push_clearly(tiny_kg: Any) -> None:
    with fake_http(lambda h, s: send(h, 403, b"The server is read-only", "text/plain")) as fake:
        with pytest.raises(ReadOnlyEndpointError, match=r"read-only endpoint \(HTTP 403\)"):
            push_graph(tiny_kg, fake.url + "/store", chunk_triples=100)
        assert_clean(cli("push", "--endpoint", fake.url + "/store", "--data", str(TINY)), 2,
                     "read-only endpoint (HTTP 403)")
