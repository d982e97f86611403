"""Real SPARQL servers on 127.0.0.1: the Oxigraph server from PyPI as push target and as `mdm2kg serve`.

Every server is started on a free loopback port and stopped by the process id the test
started, even when the test fails. Without the `oxigraph` binary these tests skip locally
and fail in CI (CI=true).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mdm2kg.errors import NotFoundError, QueryError, UsageError
from mdm2kg.query import PREFIXES, NamedQuery, QueryResult, get_named, named_bindings, named_queries, run_named, run_query
from tests.cli_runner import invoke

pytestmark = pytest.mark.server

HERE = Path(__file__).parent
TINY = HERE / "fixtures" / "tiny"
REPO = HERE.parent
XSD = "http://www.w3.org/2001/XMLSchema#"


# ----------------------------------------------------------------------------- helpers (shared with test_virtuoso, the benchmark)


def require_binary(name: str) -> str:
    """Path of a server binary; skip when missing locally, fail when missing in CI."""
    path: str | None
    if name == "oxigraph":
        from mdm2kg.oxigraph_process import OxigraphMissingError, oxigraph_binary

        try:
            path = str(oxigraph_binary())
        except OxigraphMissingError:
            path = None
    else:
        import shutil

        path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed, and CI must run the server tests")
        pytest.skip(f"{name} is not installed")
    return path


def example_params(kg: Any, query: NamedQuery) -> dict[str, str]:
    """Parameters under which `query` has answers in `kg`: the query is first run with its
    required parameters unbound (they are projected), and the first answer row supplies them.
    When nothing answers even then, any well-formed values do."""
    required = [p for p in query.params if p.required and p.default is None]
    if not required:
        return {}
    unbound = run_query(kg, query.text)
    bases = {"entity": PREFIXES["mdm2"], "id": PREFIXES["mdm2"], "class": PREFIXES["mdm2kg"]}
    for row in unbound.rows:
        params: dict[str, str] = {}
        for p in required:
            term = row.get(p.name)
            if term is None:
                break
            base = bases.get(p.kind)
            if base is not None:
                if term.kind != "uri" or not term.lexical.startswith(base):
                    break
                params[p.name] = term.lexical[len(base):]
            else:
                params[p.name] = term.lexical
        else:
            try:
                named_bindings(kg, query, params)
            except (NotFoundError, QueryError):
                continue
            return params
    # no answers at all in this graph: any well-formed values compare empty with empty
    any_entity = run_query(kg, "SELECT ?e WHERE { ?e dcterms:identifier ?id ; rdfs:label ?l } ORDER BY ?e LIMIT 1")
    entity = any_entity.rows[0]["e"].lexical.removeprefix(PREFIXES["mdm2"])
    return {p.name: {"entity": entity, "id": entity, "class": "Gene"}.get(p.kind, "x") for p in required}


def _normal(term: Any) -> tuple[str, str, str, str]:
    """A term as (kind, value, datatype, lang) with engine-specific spellings removed."""
    datatype = term.datatype or ""
    if datatype == XSD + "string":
        datatype = ""
    value = term.lexical
    if term.kind == "literal" and datatype in {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long")}:
        try:
            value = str(Decimal(value).normalize())
        except InvalidOperation:
            pass
        datatype = "number"
    return term.kind, value, datatype, (term.lang or "").lower()


def comparable(result: QueryResult, *, ordered: bool, split_lists: Sequence[str] = (), empty_is_unbound: bool = False) -> list[Any]:
    """Rows as hashable tuples, in answer order when `ordered`, else sorted.

    `split_lists` names GROUP_CONCAT separators: the parts of cells joined with them are sorted
    (the order inside a GROUP_CONCAT is unspecified in SPARQL 1.1); `empty_is_unbound` equates "" with unbound (engines differ
    on GROUP_CONCAT over no values: Oxigraph leaves it unbound, Virtuoso answers "")."""
    if result.boolean is not None:
        return [result.boolean]
    rows = []
    for row in result.rows:
        cells: list[tuple[str, str, str, str] | None] = []
        for var in result.variables:
            if var not in row:
                cells.append(None)
                continue
            kind, value, datatype, lang = _normal(row[var])
            if empty_is_unbound and kind == "literal" and value == "" and not datatype:
                cells.append(None)
                continue
            for separator in split_lists if kind == "literal" else ():
                if separator in value:
                    value = separator.join(sorted(value.split(separator)))
            cells.append((kind, value, datatype, lang))
        rows.append(tuple(cells))
    return rows if ordered else sorted(rows, key=repr)


def order_keys(text: str) -> list[str]:
    """Variables of a plain ``ORDER BY ?a DESC(?b)`` clause (empty when unordered or ordered by expressions)."""
    match = re.search(r"\bORDER\s+BY\b(.*?)(?:\bLIMIT\b|\bOFFSET\b|\bVALUES\b|$)", text, re.IGNORECASE | re.DOTALL)
    if match is None:
        return []
    clause = re.sub(r"#[^\n]*", "", match.group(1))
    keys = re.findall(r"(?:ASC|DESC)?\s*\(?\s*[?$](\w+)\s*\)?", clause, re.IGNORECASE)
    leftover = re.sub(r"(?:ASC|DESC)?\s*\(?\s*[?$]\w+\s*\)?", "", clause, flags=re.IGNORECASE).strip()
    return [] if leftover else keys


def assert_same_rows(remote: QueryResult, embedded: QueryResult, text: str, label: str, *,
                     empty_is_unbound: bool = False) -> None:
    """Same variables, same rows (as a multiset) and, for ORDER BY ?vars, the same order of those keys.

    Rows tied on every ORDER BY key may come back in any order (SPARQL leaves ties unspecified,
    and Oxigraph's in-memory and on-disk stores do break them differently)."""
    assert remote.variables == embedded.variables, label
    assert remote.boolean == embedded.boolean, label
    separators = sorted(set(re.findall(r'separator\s*=\s*"([^"]+)"', text, re.IGNORECASE)), key=len, reverse=True)
    options: dict[str, Any] = {"split_lists": separators, "empty_is_unbound": empty_is_unbound}
    assert comparable(remote, ordered=False, **options) == comparable(embedded, ordered=False, **options), label
    keys = [k for k in order_keys(text) if k in embedded.variables]
    if keys:
        def key_sequence(result: QueryResult) -> list[Any]:
            index = [result.variables.index(k) for k in keys]
            return [tuple(row[i] for i in index) for row in comparable(result, ordered=True, **options)]

        assert key_sequence(remote) == key_sequence(embedded), f"{label}: ORDER BY {keys} differs"


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def oxigraph_rw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A read-write Oxigraph server (push target) on a free loopback port."""
    from mdm2kg.server import OxigraphServer

    binary = Path(require_binary("oxigraph"))
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-rw"), port=0, read_only=False, binary=binary)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        assert server.process is None


@pytest.fixture(scope="module")
def pushed_tiny(oxigraph_rw: Any, tiny_kg: Any) -> str:
    from mdm2kg.sparql import push_graph

    graph = "https://example.org/test/tiny"
    push_graph(tiny_kg, oxigraph_rw.store_url, graph=graph)
    return graph


def _graph(request: pytest.FixtureRequest, which: str) -> Any:
    return request.getfixturevalue("tiny_kg" if which == "tiny" else "shipped_kg")


# ----------------------------------------------------------------------------- push and remote query


def check_named_query(kg: Any, name: str, endpoint: str, graph: str, *, empty_is_unbound: bool = False) -> QueryResult | None:
    """Run named query `name` embedded and remotely with the same parameters and assert the same
    rows; returns the embedded answer (None when both sides refuse the parameters alike)."""
    from mdm2kg.sparql import run_named_remote

    query = get_named(name)
    params = example_params(kg, query)
    try:
        embedded = run_named(kg, name, params)
    except NotFoundError:  # e.g. a default entity absent from the tiny graph: remote must agree
        with pytest.raises(NotFoundError):
            run_named_remote(endpoint, name, params, graph=graph)
        return None
    remote = run_named_remote(endpoint, name, params, graph=graph)
    assert_same_rows(remote, embedded, query.text, f"{name} {params}", empty_is_unbound=empty_is_unbound)
    return embedded


QUERY_NAMES = sorted(named_queries())


def test_named_queries_are_found() -> None:
    assert QUERY_NAMES, "no named queries found"


@pytest.fixture(scope="module")
def pushed_graphs(request: pytest.FixtureRequest, oxigraph_rw: Any) -> dict[str, str]:
    """The tiny and the shipped graph, each pushed once into its own named graph."""
    from mdm2kg.sparql import count_triples, push_graph

    graphs = {}
    for which in ("tiny", "shipped"):
        kg = _graph(request, which)
        graph = f"https://example.org/test/{which}"
        report = push_graph(kg, oxigraph_rw.store_url, graph=graph)
        assert count_triples(oxigraph_rw.query_url, graph) == report.triples == len(kg.store)
        graphs[which] = graph
    return graphs


@pytest.mark.parametrize("which", ["tiny", "shipped"])
@pytest.mark.parametrize("name", QUERY_NAMES)
def test_named_query_gives_the_same_rows_remotely(request: pytest.FixtureRequest, oxigraph_rw: Any,
                                                 pushed_graphs: dict[str, str], which: str, name: str) -> None:
    check_named_query(_graph(request, which), name, oxigraph_rw.query_url, pushed_graphs[which])


def test_shipped_named_queries_have_answers(shipped_kg: Any) -> None:
    answered = [name for name in QUERY_NAMES if len(run_named(shipped_kg, name, example_params(shipped_kg, get_named(name))))]
    assert len(answered) >= len(QUERY_NAMES) // 2, f"only {answered} answer on the shipped graph"


def test_push_twice_leaves_one_copy(oxigraph_rw: Any, tiny_kg: Any) -> None:
    from mdm2kg.sparql import count_triples, push_graph

    graph = "https://example.org/test/twice"
    calls: list[tuple[int, int]] = []
    first = push_graph(tiny_kg, oxigraph_rw.store_url, graph=graph, chunk_triples=250, progress=lambda a, b: calls.append((a, b)))
    total = len(tiny_kg.store)
    assert first.triples == total and first.chunks == -(-total // 250)
    assert calls[-1] == (total, total) and [a for a, _ in calls] == sorted(a for a, _ in calls)
    assert count_triples(oxigraph_rw.query_url, graph) == total
    push_graph(tiny_kg, oxigraph_rw.store_url, graph=graph, chunk_triples=250)
    assert count_triples(oxigraph_rw.query_url, graph) == total
    push_graph(tiny_kg, oxigraph_rw.store_url, graph=graph)  # one request this time
    assert count_triples(oxigraph_rw.query_url, graph) == total


def test_push_replaces_what_was_in_the_graph(oxigraph_rw: Any, tiny_kg: Any) -> None:
    from mdm2kg.sparql import HttpClient, count_triples, push_graph, run_remote

    graph = "https://example.org/test/replace"
    client = HttpClient(oxigraph_rw.store_url)
    client.request("POST", client.url(graph=graph), body=b"<https://example.org/stray> <https://example.org/p> \"x\" .\n",
                   headers={"Content-Type": "application/n-triples"})
    assert count_triples(oxigraph_rw.query_url, graph) == 1
    push_graph(tiny_kg, oxigraph_rw.store_url, graph=graph)
    assert count_triples(oxigraph_rw.query_url, graph) == len(tiny_kg.store)
    ask = run_remote(oxigraph_rw.query_url, "ASK { <https://example.org/stray> ?p ?o }", graph=graph)
    assert ask.boolean is False


AD_HOC = [
    ("SELECT ?x ?p (COUNT(*) AS ?n) WHERE { ?x ?p ?o } GROUP BY ?x ?p ORDER BY ?p", {"x": "drugA"}),
    ("SELECT ?x ?n WHERE { { SELECT ?x (COUNT(*) AS ?n) WHERE { ?x ?p ?o } GROUP BY ?x } }", {"x": "GENE1"}),
    ("SELECT * { SELECT ?x ?l { ?x rdfs:label ?l } }", {"x": "GENE2"}),
    ("SELECT ?x ?t ?l WHERE { ?x a ?t OPTIONAL { ?x skos:altLabel ?l } } ORDER BY ?l", {"x": "GENE1"}),
    ("SELECT ?x ?label WHERE { ?x rdfs:label ?label } ORDER BY ?label", {"label": "apoptosis"}),
    ("ASK { ?x mdm2kg:inhibits mdm2:GENE1 }", {"x": "drugB"}),
    ("# a comment with { brace and \"quote\nCONSTRUCT { ?x rdfs:label ?l } WHERE { ?x rdfs:label ?l }", {"x": "drugA"}),
]


@pytest.mark.parametrize(("text", "values"), AD_HOC)
def test_bound_parameters_mean_the_same_remotely(oxigraph_rw: Any, pushed_tiny: str, tiny_kg: Any, text: str,
                                                 values: dict[str, str]) -> None:
    import pyoxigraph as ox

    from mdm2kg.sparql import run_remote

    bindings = {k: v if k == "label" else ox.NamedNode(PREFIXES["mdm2"] + v) for k, v in values.items()}
    embedded = run_query(tiny_kg, text, bindings=bindings)
    remote = run_remote(oxigraph_rw.query_url, text, bindings=bindings, graph=pushed_tiny)
    assert_same_rows(remote, embedded, text, text)
    assert len(embedded) > 0 or embedded.boolean is not None


@pytest.mark.parametrize("text", ["drugA", "drug a", "DA-1", "da-1", "G1", "hgnc:6973", "HGNC:6973", "TRIAL-1", "NCT00000001",
                                  "apoptosis", "Class A inhibitors"])
def test_remote_entity_resolution_agrees_with_embedded(oxigraph_rw: Any, pushed_tiny: str, tiny_kg: Any, text: str) -> None:
    from mdm2kg.read import read_model
    from mdm2kg.sparql import resolve_remote_entity

    assert resolve_remote_entity(oxigraph_rw.query_url, text, graph=pushed_tiny) == read_model(tiny_kg).resolve(text)


def test_remote_entity_resolution_refuses_unknown(oxigraph_rw: Any, pushed_tiny: str) -> None:
    from mdm2kg.sparql import resolve_remote_entity, run_named_remote

    with pytest.raises(NotFoundError, match="no entity matches 'nothing-like-this'"):
        resolve_remote_entity(oxigraph_rw.query_url, "nothing-like-this", graph=pushed_tiny)
    assert resolve_remote_entity(oxigraph_rw.query_url, PREFIXES["mdm2"] + "GENE3") == "GENE3"
    entity_query = next((q for q in named_queries().values() if any(p.kind == "entity" and p.required for p in q.params)), None)
    if entity_query is not None:
        param = next(p.name for p in entity_query.params if p.kind == "entity" and p.required)
        with pytest.raises(NotFoundError):
            run_named_remote(oxigraph_rw.query_url, entity_query.name, {param: "nothing-like-this"}, graph=pushed_tiny)


def test_remote_errors_carry_status_and_server_message(oxigraph_rw: Any, pushed_tiny: str, tmp_path: Path) -> None:
    from mdm2kg.sparql import EndpointUnreachableError, RemoteError, RemoteQueryError, push_graph, run_remote

    # a syntax error is found before anything is sent, at the user's own line and column
    with pytest.raises(QueryError, match=r"syntax error at line 3, column \d+") as bad:
        run_remote(oxigraph_rw.query_url, "SELECT ?x WHERE {\n  ?x ?p\n}", graph=pushed_tiny)
    assert not isinstance(bad.value, RemoteQueryError)
    with pytest.raises(QueryError, match="updates are refused"):
        run_remote(oxigraph_rw.query_url, "INSERT DATA { <a:b> <a:c> <a:d> }")
    with pytest.raises(EndpointUnreachableError, match="cannot reach"):
        run_remote(f"http://127.0.0.1:{_closed_port()}/query", "ASK {}")
    with pytest.raises(EndpointUnreachableError, match="http"):
        run_remote("127.0.0.1:7878/query", "ASK {}")
    nt = tmp_path / "one.nt"
    nt.write_text("<https://example.org/a> <https://example.org/b> \"c\" .\n")
    with pytest.raises(RemoteError) as missing:
        push_graph(nt, oxigraph_rw.url + "no-such-path")
    assert missing.value.status == 404 and "Graph Store" in str(missing.value)
    with pytest.raises(UsageError, match="absolute IRI"):
        push_graph(nt, oxigraph_rw.store_url, graph="not an iri")
    blank = tmp_path / "blank.nt"
    blank.write_text("_:b0 <https://example.org/b> \"c\" .\n")
    with pytest.raises(UsageError, match="blank node"):
        push_graph(blank, oxigraph_rw.store_url)


HOSTILE_UPDATES = [
    "PREFIX ex: <http://ex.org/ns#> CLEAR GRAPH <{g}> ; INSERT {{ ?s ?p ?o }} WHERE {{ SELECT * {{}} }}",
    "PREFIX ex: <http://ex.org/ns#>\nDROP ALL",
    "# SELECT * {{ ?s ?p ?o }}\nclear graph <{g}>",
    "BASE <http://ex.org/#a> PREFIX x: <http://x/#> WITH <{g}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    "DELETE WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}",
    "INSERT DATA {{ GRAPH <{g}> {{ <a:b> <a:c> <a:d> }} }} ; DROP GRAPH <{g}>",
    "LOAD <http://127.0.0.1:9/x> INTO GRAPH <{g}>",
    "PREFIX ex: <http://ex.org/ns#>",
    'SELECT * {{ ?s ?p "x" }} ; DROP ALL',
]


@pytest.mark.parametrize("template", HOSTILE_UPDATES)
def test_updates_are_refused_before_anything_is_sent(oxigraph_rw: Any, pushed_tiny: str, tiny_kg: Any,
                                                     template: str) -> None:
    from mdm2kg.sparql import count_triples, run_remote

    text = template.format(g=pushed_tiny)
    before = count_triples(oxigraph_rw.query_url, pushed_tiny)
    for url in (oxigraph_rw.query_url, oxigraph_rw.update_url, f"http://127.0.0.1:{_closed_port()}/query"):
        with pytest.raises(QueryError, match=r"refused|syntax error"):  # a closed port proves nothing was sent
            run_remote(url, text)
        with pytest.raises(QueryError, match=r"refused|syntax error"):
            run_remote(url, text, graph=pushed_tiny, allow_service=True)
    cli = invoke(["query", text, "--endpoint", oxigraph_rw.query_url])
    assert cli.exit_code == 2 and "error:" in cli.output and "Traceback" not in cli.output
    with pytest.raises(QueryError):
        run_query(tiny_kg, text)
    assert count_triples(oxigraph_rw.query_url, pushed_tiny) == before == len(tiny_kg.store)


def test_service_is_refused_unless_allowed(oxigraph_rw: Any, pushed_tiny: str) -> None:
    from mdm2kg.sparql import RemoteError, run_remote

    target = f"http://127.0.0.1:{_closed_port()}/sparql"
    text = f"SELECT * {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
    with pytest.raises(QueryError, match="--allow-service"):
        run_remote(f"http://127.0.0.1:{_closed_port()}/query", text)
    with pytest.raises(RemoteError):  # allowed: Oxigraph tries the closed port and fails
        run_remote(oxigraph_rw.query_url, text, allow_service=True)


def _closed_port() -> int:
    from mdm2kg.oxigraph_process import free_port

    return free_port("127.0.0.1")


def test_push_command(oxigraph_rw: Any) -> None:
    from mdm2kg.sparql import count_triples

    graph = "https://example.org/test/cli"
    args = ["push", "--endpoint", oxigraph_rw.store_url, "--graph", graph, "--data", str(TINY), "--chunk-size", "400"]
    result = invoke(args)
    assert result.exit_code == 0, result.output
    assert re.search(r"pushed \d+ triples to <https://example.org/test/cli>", result.output)
    assert "/" in result.output  # progress lines for a multi-request push
    n = count_triples(oxigraph_rw.query_url, graph)
    assert invoke([*args, "--quiet"]).exit_code == 0
    assert count_triples(oxigraph_rw.query_url, graph) == n
    no_user = ["push", "--endpoint", oxigraph_rw.store_url, "--password", "x", "--data", str(TINY)]
    assert invoke(no_user).exit_code == 2
    unreachable = invoke(["push", "--endpoint", f"http://127.0.0.1:{_closed_port()}/store", "--data", str(TINY)])
    assert unreachable.exit_code == 2 and "cannot reach" in unreachable.output


# ----------------------------------------------------------------------------- authentication against a stub store


class _AuthStub(BaseHTTPRequestHandler):
    """A Graph Store stub that demands Basic or Digest auth (user u, password p) and counts requests."""

    scheme = "digest"
    log: list[tuple[str, int, str]] = []  # noqa: RUF012 - reset per test

    def log_message(self, format: str, *args: Any) -> None:  # silence stderr
        pass

    def _authorised(self, body: bytes) -> bool:
        header = self.headers.get("Authorization", "")
        if self.scheme == "basic":
            return header == "Basic " + base64.b64encode(b"u:p").decode()
        if not header.startswith("Digest "):
            return False
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', header[7:]))
        ha1 = hashlib.md5(b"u:stub:p").hexdigest()
        ha2 = hashlib.md5(f"{self.command}:{fields.get('uri')}".encode()).hexdigest()
        expected = hashlib.md5(f"{ha1}:nonce1:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}".encode()).hexdigest()
        return fields.get("response") == expected and fields.get("uri") == self.path and fields.get("opaque") == "op"

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not self._authorised(body):
            self.log.append((self.command, 401, self.headers.get("Authorization", "")))
            self.send_response(401)
            self.send_header("WWW-Authenticate", self._challenge())
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"who are you?")
            return
        self.log.append((self.command, 204, self.headers.get("Authorization", "")))
        self.send_response(204)
        self.end_headers()

    do_PUT = do_POST = _handle

    def do_HEAD(self) -> None:
        self.log.append(("HEAD", 401, ""))
        self.send_response(401)
        self.send_header("WWW-Authenticate", self._challenge())
        self.end_headers()

    def _challenge(self) -> str:
        if self.scheme == "basic":
            return 'Basic realm="stub"'
        return 'Digest realm="stub", nonce="nonce1", opaque="op", qop="auth", algorithm=MD5'


@pytest.fixture()
def auth_stub() -> Iterator[tuple[str, type[_AuthStub]]]:
    handler = type("Stub", (_AuthStub,), {"log": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/store", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("scheme", ["auto", "digest"])
def test_digest_auth_signs_every_chunk_after_one_challenge(auth_stub: Any, tiny_kg: Any, scheme: str) -> None:
    from mdm2kg.sparql import Auth, AuthScheme, push_graph

    url, handler = auth_stub
    report = push_graph(tiny_kg, url, auth=Auth("u", "p", AuthScheme(scheme)), chunk_triples=300)
    statuses = [status for _, status, _ in handler.log]
    assert statuses == [401] + [204] * report.chunks  # the body is sent twice only for the first chunk
    assert [m for m, s, _ in handler.log if s == 204] == ["PUT"] + ["POST"] * (report.chunks - 1)
    assert [re.search(r"nc=(\w+)", a).group(1) for _, s, a in handler.log if s == 204] == [  # type: ignore[union-attr]
        f"{i:08x}" for i in range(1, report.chunks + 1)]


def test_a_large_body_learns_the_digest_challenge_before_uploading(auth_stub: Any, tiny_kg: Any) -> None:
    from mdm2kg.sparql import push_graph
    from mdm2kg.sparql.client import PREFLIGHT_BYTES

    url, handler = auth_stub
    assert tiny_kg.nt_path.stat().st_size > PREFLIGHT_BYTES
    push_graph(tiny_kg, url, auth=("u", "p"))
    assert [(m, s) for m, s, _ in handler.log] == [("HEAD", 401), ("PUT", 204)]


def test_basic_auth_is_sent_up_front(auth_stub: Any, tiny_kg: Any) -> None:
    from mdm2kg.sparql import Auth, AuthScheme, push_graph

    url, handler = auth_stub
    handler.scheme = "basic"
    report = push_graph(tiny_kg, url, auth=Auth("u", "p", AuthScheme.BASIC), chunk_triples=600)
    assert [s for _, s, _ in handler.log] == [204] * report.chunks
    handler.log.clear()
    report = push_graph(tiny_kg, url, auth=("u", "p"), chunk_triples=300)  # auto: answers the Basic challenge
    assert [s for _, s, _ in handler.log] == [401] + [204] * report.chunks
    handler.log.clear()
    push_graph(tiny_kg, url, auth=("u", "p"))  # one large body: the challenge comes from a HEAD first
    assert [(m, s) for m, s, _ in handler.log] == [("HEAD", 401), ("PUT", 204)]


def test_wrong_password_is_an_auth_error(auth_stub: Any, tiny_kg: Any) -> None:
    from mdm2kg.sparql import Auth, RemoteAuthError, push_graph

    url, _ = auth_stub
    with pytest.raises(RemoteAuthError) as err:
        push_graph(tiny_kg, url, auth=Auth("u", "wrong"))
    assert err.value.status == 401 and "who are you?" in str(err.value) and "wrong" not in str(err.value)
    with pytest.raises(RemoteAuthError):
        push_graph(tiny_kg, url)
    result = invoke(["push", "--endpoint", url, "--user", "u", "--password", "wrong", "--data", str(TINY)])
    assert result.exit_code == 2 and "HTTP 401" in result.output


# ----------------------------------------------------------------------------- on-disk store


def test_on_disk_store_is_built_once_and_reused(tiny_kg: Any) -> None:
    from mdm2kg.artifact.store import MARKER, ensure_store, open_store, store_triples

    location = ensure_store(tiny_kg)
    stamp = (location / MARKER).stat().st_mtime_ns
    assert ensure_store(tiny_kg) == location and (location / MARKER).stat().st_mtime_ns == stamp
    assert store_triples(location) == len(tiny_kg.store)
    assert not list(location.parent.glob(".*.tmp"))
    store = open_store(tiny_kg)
    assert len(store) == len(tiny_kg.store)
    query = "SELECT ?l WHERE { <https://w3id.org/mdm2kg/id/GENE1> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    solutions: Any = store.query(query)
    assert [str(row["l"].value) for row in solutions] == ["Gene One"]


def test_leftover_partial_build_is_pruned(tiny_kg: Any) -> None:
    from mdm2kg.artifact.store import ensure_store, store_location

    location = store_location(tiny_kg)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    stale = location.parent / f".{location.name}.{int(dead.stdout)}.tmp"
    stale.mkdir(parents=True, exist_ok=True)
    ensure_store(tiny_kg)
    assert not stale.exists()


# ----------------------------------------------------------------------------- mdm2kg serve


def _serve(port: int, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "mdm2kg", "serve", "--data", str(TINY), "--port", str(port), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)


def _read_url(proc: subprocess.Popen[str], timeout: float = 60.0) -> str:
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if selector.select(timeout=0.5):
            line = proc.stdout.readline()
            match = re.search(r"(http://\S+/query)", line)
            if match:
                return match.group(1)
            if not line and proc.poll() is not None:
                break
    raise AssertionError(f"mdm2kg serve printed no URL; stderr: {proc.stderr.read() if proc.stderr else ''}")


def _children(pid: int) -> list[int]:
    """Child processes of `pid`, whichever of its threads started them."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return sorted(out)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"

def _assert_stopped_cleanly(proc: subprocess.Popen[str], pids: list[int], *, expect: str = "server stopped",
                            wait: float = 20.0, grace: float = 5.0) -> str:
    """`proc` exits 0 saying `expect`, and none of `pids` outlives it; returns its stderr."""
    assert proc.wait(timeout=wait) == 0
    err = proc.stderr.read() if proc.stderr else ""
    assert expect in err
    deadline = time.monotonic() + grace
    while any(_alive(c) for c in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(c) for c in pids), "an oxigraph process outlived mdm2kg serve"
    return err


def _kill_all(proc: subprocess.Popen[str], pids: list[int]) -> None:
    """Teardown: SIGKILL whatever is still alive, by process id, and reap `proc`."""
    for pid in [proc.pid, *pids]:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=10)



@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_sparqlwrapper_refuses_updates_and_stops_cleanly(stop_signal: signal.Signals) -> None:
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    require_binary("oxigraph")
    from mdm2kg.oxigraph_process import free_port

    proc = _serve(free_port())
    children: list[int] = []
    try:
        url = _read_url(proc)
        assert url.startswith("http://127.0.0.1:")
        children = _children(proc.pid)
        assert len(children) == 1
        client = SPARQLWrapper(url)
        client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        client.setReturnFormat(JSON)
        answer: Any = client.queryAndConvert()
        assert int(answer["results"]["bindings"][0]["n"]["value"]) > 1000
        client.setQuery("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                        "SELECT ?l WHERE { <https://w3id.org/mdm2kg/id/GENE1> rdfs:label ?l }")
        answer = client.queryAndConvert()
        assert [b["l"]["value"] for b in answer["results"]["bindings"]] == ["Gene One"]

        updater = SPARQLWrapper(url, updateEndpoint=url.removesuffix("query") + "update")
        updater.setMethod(POST)
        updater.setQuery("INSERT DATA { <https://example.org/a> <https://example.org/b> <https://example.org/c> }")
        with pytest.raises(urllib.error.HTTPError) as refused:
            updater.query()
        assert refused.value.code == 403
        put = urllib.request.Request(url.removesuffix("query") + "store?default", data=b"<a:a> <a:b> <a:c> .", method="PUT",
                                     headers={"Content-Type": "application/n-triples"})
        with pytest.raises(urllib.error.HTTPError) as refused_put:
            urllib.request.urlopen(put, timeout=10)
        assert refused_put.value.code == 403
        client.setQuery("ASK { <https://example.org/a> ?p ?o }")
        answer = client.queryAndConvert()
        assert answer["boolean"] is False

        proc.send_signal(stop_signal)
        _assert_stopped_cleanly(proc, children)
    finally:
        _kill_all(proc, children)


@pytest.fixture(scope="module")
def guarded(tiny_kg: Any) -> Iterator[Any]:
    """The tiny graph served read-only behind the gateway, as `mdm2kg serve` does (1 s query timeout)."""
    from mdm2kg.artifact.store import ensure_store
    from mdm2kg.server import OxigraphServer

    binary = Path(require_binary("oxigraph"))
    with OxigraphServer(ensure_store(tiny_kg), port=0, binary=binary, query_timeout=1,
                        allowed_hosts=["mdm2kg.test"]) as server:
        yield server


def _get(server: Any, path: str, host: str | None = None, **kwargs: Any) -> tuple[int, str]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest(kwargs.pop("method", "GET"), path, skip_host=host is not None)
        if host is not None and host != "":
            connection.putheader("Host", host)
        body = kwargs.pop("body", None)
        for key, value in kwargs.get("headers", {}).items():
            connection.putheader(key, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_serve_answers_only_its_own_host_names(guarded: Any) -> None:
    ask = "/query?query=" + urllib.parse.quote("ASK { ?s ?p ?o }")
    for host in (f"127.0.0.1:{guarded.port}", f"localhost:{guarded.port}", "localhost", "[::1]:80", "mdm2kg.test:1"):
        assert _get(guarded, ask, host=host)[0] == 200, host
    status, text = _get(guarded, ask, host=f"attacker.example:{guarded.port}")
    assert status == 403 and "DNS rebinding" in text and "--allow-host" in text
    assert _get(guarded, "/", host="rebind.attacker.example")[0] == 403  # the query page too


def _canary() -> Any:
    """A local HTTP server that records every request (a SERVICE target)."""
    hits: list[str] = []

    class Canary(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_GET = do_POST

    server = ThreadingHTTPServer(("127.0.0.1", 0), Canary)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, hits


def test_serve_refuses_service_in_every_spelling(guarded: Any) -> None:
    canary, hits = _canary()
    try:
        target = f"http://127.0.0.1:{canary.server_address[1]}/sparql"
        texts = [f"SELECT * {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
                 f"select * {{ service silent <{target}> {{ ?s ?p ?o }} }}",
                 f"PREFIX t: <{target}#> SELECT * {{ SERVICEt:x{{ ?s ?p ?o }} }}",
                 f"ASK {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"]
        for text in texts:
            status, message = _get(guarded, "/query?query=" + urllib.parse.quote(text))
            assert status == 403 and "--allow-service" in message, (text, status, message)
            status, _ = _get(guarded, "/query", method="POST", body=urllib.parse.urlencode({"query": text}).encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
            assert status == 403
            status, _ = _get(guarded, "/sparql", method="POST", body=text.encode(),
                             headers={"Content-Type": "Application/SPARQL-Query"})
            assert status == 403
        # percent-encoded letters are decoded before the check, as Oxigraph decodes them
        assert _get(guarded, "/query?query=SELECT%20*%20%7B%20%53ERVICE%20%3C" + urllib.parse.quote(target, safe="")
                    + "%3E%20%7B%20?s%20?p%20?o%20%7D%20%7D")[0] == 403
        assert _get(guarded, "/query", method="POST", body=texts[0].encode(),
                    headers={"Content-Type": "application/sparql-query", "Content-Encoding": "gzip"})[0] == 415
        # "service" as a word in a literal or an IRI is no SERVICE clause
        fine = 'SELECT * { ?s ?p "self-service" . ?s ?q <http://example.org/service> }'
        assert _get(guarded, "/query?query=" + urllib.parse.quote(fine))[0] == 200
        assert hits == []
    finally:
        canary.shutdown()
        canary.server_close()


def test_serve_with_allow_service_federates(tiny_kg: Any) -> None:
    from mdm2kg.artifact.store import ensure_store
    from mdm2kg.server import OxigraphServer

    canary, hits = _canary()
    try:
        target = f"http://127.0.0.1:{canary.server_address[1]}/sparql"
        with OxigraphServer(ensure_store(tiny_kg), port=0, binary=Path(require_binary("oxigraph")),
                            allow_service=True) as server:
            status, _ = _get(server, "/query?query=" + urllib.parse.quote(f"SELECT * {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"))
        assert hits, status  # the server did call the SERVICE endpoint
    finally:
        canary.shutdown()
        canary.server_close()


def test_serve_query_timeout_stops_a_long_query(guarded: Any) -> None:
    """Oxigraph checks its deadline whenever it reads the store (here once per EXISTS): such a
    query is cancelled. (A pure cartesian product after its inputs are read is not: see README.)"""
    from mdm2kg.sparql import RemoteTimeoutError, run_remote

    long = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d FILTER EXISTS { ?b ?r ?d } }"
    with pytest.raises(RemoteTimeoutError, match="cancelled the query"):
        run_remote(guarded.query_url, long, timeout=120)
    assert run_remote(guarded.query_url, "ASK { ?s ?p ?o }").boolean is True  # and the server still answers


def test_push_to_serve_says_read_only(guarded: Any) -> None:

    result = invoke(["push", "--endpoint", guarded.store_url, "--data", str(TINY)])
    assert result.exit_code == 2 and "read-only endpoint (HTTP 403)" in result.output
    assert "--user" not in result.output  # not an authentication problem
    answered = invoke(["query", "--endpoint", guarded.query_url, "--name", "drug_class_members",
                                         "--format", "sparql-csv"])
    assert answered.exit_code == 0 and "https://w3id.org/mdm2kg/id/" in answered.output


def test_query_after_push_finds_the_pushed_graph_without_graph_option(oxigraph_rw: Any, tiny_kg: Any) -> None:
    from mdm2kg.sparql import DEFAULT_GRAPH, push_graph

    push_graph(tiny_kg, oxigraph_rw.store_url)  # the default graph IRI; the store's default graph stays empty
    named = invoke(["query", "--endpoint", oxigraph_rw.query_url, "--name", "compound_profile",
                                 "--param", "compound=drugA"])
    assert named.exit_code == 0, named.output
    assert f"pushed graph <{DEFAULT_GRAPH}>" in named.output and "--graph" in named.output
    adhoc = invoke(["query", "--endpoint", oxigraph_rw.query_url, "SELECT ?l { mdm2:GENE1 rdfs:label ?l }"])
    assert adhoc.exit_code == 0 and "Gene One" in adhoc.output
    explicit = invoke(["query", "--endpoint", oxigraph_rw.query_url, "--graph", DEFAULT_GRAPH,
                                    "SELECT ?l { mdm2:GENE1 rdfs:label ?l }"])
    assert explicit.exit_code == 0 and "note:" not in explicit.output


def test_serve_stops_cleanly_on_a_signal_right_after_its_url() -> None:
    require_binary("oxigraph")
    from mdm2kg.oxigraph_process import free_port

    proc = _serve(free_port(), "--timeout", "5", "--allow-host", "mdm2kg.test")
    children: list[int] = []
    try:
        _read_url(proc)
        children = _children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        _assert_stopped_cleanly(proc, children)
    finally:
        _kill_all(proc, children)


def test_serve_documents_its_limits() -> None:

    text = " ".join(invoke(["serve", "--help"]).output.split())
    for phrase in ("--timeout", "--timeout-s", "--allow-service", "--allow-host", "--cors", "DNS rebinding"):
        assert phrase in text, phrase


def test_serve_on_a_taken_port_exits_2() -> None:

    require_binary("oxigraph")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke(["serve", "--data", str(TINY), "--port", str(port)])
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.output


def test_server_reports_a_port_taken_between_check_and_bind(tiny_kg: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import mdm2kg.server as srv
    from mdm2kg.artifact.store import ensure_store
    from mdm2kg.oxigraph_process import PortInUseError

    binary = Path(require_binary("oxigraph"))
    monkeypatch.setattr(srv, "check_port", lambda host, port: None)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = srv.OxigraphServer(ensure_store(tiny_kg), port=taken.getsockname()[1], binary=binary)
        with pytest.raises(PortInUseError):
            server.start()
    assert server.process is None


def test_serve_without_the_binary_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:

    monkeypatch.setenv("MDM2KG_OXIGRAPH", str(tmp_path / "missing-oxigraph"))
    result = invoke(["serve", "--data", str(TINY), "--port", "0"])
    assert result.exit_code == 2 and "MDM2KG_OXIGRAPH" in result.output


def test_context_manager_stops_the_server(tiny_kg: Any) -> None:
    from mdm2kg.artifact.store import ensure_store
    from mdm2kg.server import OxigraphServer
    from mdm2kg.sparql import run_remote
    from mdm2kg.text import is_loopback

    binary = Path(require_binary("oxigraph"))
    with OxigraphServer(ensure_store(tiny_kg), port=0, binary=binary) as server:
        pid = server.pid
        assert pid is not None and is_loopback(server.host)
        assert run_remote(server.query_url, "ASK { ?s ?p ?o }").boolean is True
    assert not _alive(pid)
    assert is_loopback("::1") and is_loopback("localhost") and not is_loopback("0.0.0.0")


def test_named_query_parameters_are_checked_before_any_request() -> None:
    from mdm2kg.sparql import run_named_remote

    query = next((q for q in named_queries().values() if q.params and q.params[0].required), None)
    if query is None:
        pytest.skip("no named query with a required parameter")
    # the closed port proves no request is made: the parameter error comes first
    with pytest.raises(QueryError, match="needs --param"):
        run_named_remote(f"http://127.0.0.1:{_closed_port()}/query", query.name, {})
    with pytest.raises(NotFoundError):
        run_named_remote(f"http://127.0.0.1:{_closed_port()}/query", "no_such_query", {})
    assert get_named(query.name) is query


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_server_dies_with_a_killed_serve() -> None:
    require_binary("oxigraph")
    from mdm2kg.oxigraph_process import free_port

    proc = _serve(free_port())
    children: list[int] = []
    try:
        _read_url(proc)
        children = _children(proc.pid)
        assert len(children) == 1
        proc.kill()  # no chance to clean up: the kernel's parent-death signal must stop oxigraph
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(children[0]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(children[0]), "oxigraph outlived a killed mdm2kg serve"
    finally:
        for pid in [proc.pid, *children]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.mark.server
def test_on_disk_store_answers_like_memory_and_is_reused(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from mdm2kg.artifact.graph import KnowledgeGraph
    from mdm2kg.artifact.store import store_location
    from tests.cli_runner import invoke

    monkeypatch.setenv("MDM2KG_CACHE_DIR", str(tmp_path / "cache"))
    args = ["query", "--data", str(TINY), "--name", "trial_results", "--param", "trial=TRIAL-1", "--format", "csv"]
    in_memory = invoke(args)
    on_disk = invoke([*args, "--on-disk"])
    assert on_disk.exit_code == 0 and on_disk.output == in_memory.output
    location = store_location(KnowledgeGraph.build([TINY]))
    stamp = location.stat().st_mtime_ns
    again = invoke(["path", "drugA", "GENE2", "--data", str(TINY), "--on-disk"])
    assert again.exit_code == 0 and location.stat().st_mtime_ns == stamp
