"""Remote SPARQL 1.1 stores: query over the Protocol, push over the Graph Store HTTP Protocol.

Standard library only (urllib). Basic auth is sent up front; Digest auth answers the first
challenge and then signs every later request from the same client with the server's nonce,
so a large push is not uploaded twice per chunk.

Parameters are never spliced as text: each bound value is serialised as an RDF term and
placed in a ``VALUES`` block at the top of the query's outermost WHERE group (the same
pre-binding Oxigraph applies embedded), or after the query when no such group exists.

>>> bind_parameters("SELECT ?t WHERE { ?t a ?c }", {"c": "x"})
'SELECT ?t WHERE { VALUES (?c) { ("x") } ?t a ?c }'
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.message import Message
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mdm2kg.errors import Mdm2kgError, NotFoundError, QueryError, UsageError
from mdm2kg.query import (
    PREFIXES,
    QueryResult,
    Term,
    check_read_only,
    get_named,
    named_bindings,
    prologue,
    values_clause,
)

if TYPE_CHECKING:
    from mdm2kg.artifact.graph import KnowledgeGraph

DEFAULT_GRAPH = "https://w3id.org/mdm2kg/graph"
"""Named graph `push` writes to when no --graph is given."""
DEFAULT_CHUNK_TRIPLES = 100_000
PREFLIGHT_BYTES = 64 * 1024
USER_AGENT = "mdm2kg-remote/1"

Progress = Callable[[int, int], None]
"""Called as ``progress(triples_sent, triples_total)`` after each chunk."""


# ----------------------------------------------------------------------------- errors


class RemoteError(Mdm2kgError):
    """A remote SPARQL store answered with an HTTP error; carries the status and its message."""

    def __init__(self, message: str, *, url: str = "", status: int = 0, server_message: str = "") -> None:
        self.url = url
        self.status = status
        self.server_message = server_message
        super().__init__(message)


class RemoteQueryError(RemoteError, QueryError):
    """The endpoint rejected the query itself (HTTP 400): usually a syntax or dialect problem."""


class RemoteAuthError(RemoteError, UsageError):
    """The endpoint refused the credentials (HTTP 401/403)."""


class EndpointUnreachableError(RemoteError, UsageError):
    """The endpoint URL is malformed, or nothing answers there."""


# ----------------------------------------------------------------------------- authentication


class AuthScheme(StrEnum):
    """How to authenticate: AUTO answers whatever the server challenges with."""

    AUTO = "auto"
    BASIC = "basic"
    DIGEST = "digest"


@dataclass(frozen=True, slots=True)
class Auth:
    """Credentials for a remote store (the password never appears in repr or errors)."""

    user: str
    password: str = field(repr=False)
    scheme: AuthScheme = AuthScheme.AUTO


AuthLike = Auth | tuple[str, str] | None

_CHALLENGE_PARAM = re.compile(r'([A-Za-z][\w-]*)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]+)')
_DIGEST_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256, "SHA-512-256": None}


def _as_auth(auth: AuthLike) -> Auth | None:
    if auth is None or isinstance(auth, Auth):
        return auth
    user, password = auth
    return Auth(user, password)


def _parse_challenges(values: list[str]) -> dict[str, dict[str, str]]:
    """WWW-Authenticate header values -> {scheme (lower case): {param: value}}."""
    out: dict[str, dict[str, str]] = {}
    for value in values:
        # one header may hold several challenges: split before each "Scheme " token
        for part in re.split(r",\s*(?=[A-Za-z][\w-]*\s+[A-Za-z][\w-]*\s*=)", value):
            scheme, _, rest = part.strip().partition(" ")
            params = {k.lower(): v[1:-1].replace('\\"', '"') if v.startswith('"') else v
                      for k, v in _CHALLENGE_PARAM.findall(rest)}
            out.setdefault(scheme.lower(), params)
    return out


class _Authenticator:
    """Builds Authorization headers for one client, remembering the Digest challenge."""

    def __init__(self, auth: Auth | None) -> None:
        self.auth = auth
        self.scheme: AuthScheme | None = None if auth is None or auth.scheme is AuthScheme.AUTO else auth.scheme
        self.challenge: dict[str, str] | None = None
        self.count = 0

    def wants_challenge(self) -> bool:
        """True while credentials are set but the server's challenge is still unknown."""
        return self.auth is not None and self.scheme is not AuthScheme.BASIC and self.challenge is None

    def header(self, method: str, url: str, body: bytes) -> str | None:
        if self.auth is None:
            return None
        if self.scheme is AuthScheme.BASIC:
            token = base64.b64encode(f"{self.auth.user}:{self.auth.password}".encode()).decode("ascii")
            return f"Basic {token}"
        if self.scheme is AuthScheme.DIGEST and self.challenge is not None:
            return self._digest(method, url, body)
        return None

    def accept_challenge(self, values: list[str]) -> bool:
        """Learn from a 401; True when a retry with (new) credentials is worth making."""
        if self.auth is None:
            return False
        challenges = _parse_challenges(values)
        digest = challenges.get("digest")
        wanted = self.auth.scheme
        if digest is not None and wanted in (AuthScheme.AUTO, AuthScheme.DIGEST):
            stale = digest.get("stale", "").lower() == "true"
            fresh = self.challenge is None or stale or digest.get("nonce") != self.challenge.get("nonce")
            retry = self.scheme is not AuthScheme.DIGEST or fresh
            self.scheme, self.challenge, self.count = AuthScheme.DIGEST, digest, 0
            return retry and (self.challenge is not None)
        if "basic" in challenges and wanted in (AuthScheme.AUTO, AuthScheme.BASIC) and self.scheme is not AuthScheme.BASIC:
            self.scheme = AuthScheme.BASIC
            return True
        return False

    def _digest(self, method: str, url: str, body: bytes) -> str:
        assert self.auth is not None and self.challenge is not None
        chal = self.challenge
        algorithm = chal.get("algorithm", "MD5")
        base_alg = algorithm.upper().removesuffix("-SESS")
        hasher = _DIGEST_HASHES.get(base_alg)
        if hasher is None:
            raise RemoteAuthError(f"unsupported Digest algorithm {algorithm!r} offered by the server", url=url)

        def h(text: str) -> str:
            return hasher(text.encode("utf-8")).hexdigest()  # type: ignore[misc]

        parts = urllib.parse.urlsplit(url)
        uri = parts.path or "/"
        if parts.query:
            uri += "?" + parts.query
        realm, nonce = chal.get("realm", ""), chal.get("nonce", "")
        self.count += 1
        nc = f"{self.count:08x}"
        cnonce = os.urandom(8).hex()
        ha1 = h(f"{self.auth.user}:{realm}:{self.auth.password}")
        if algorithm.upper().endswith("-SESS"):
            ha1 = h(f"{ha1}:{nonce}:{cnonce}")
        qops = [q.strip() for q in chal.get("qop", "").split(",") if q.strip()]
        qop = "auth" if "auth" in qops else ("auth-int" if "auth-int" in qops else "")
        ha2 = h(f"{method}:{uri}:{hasher(body).hexdigest()}") if qop == "auth-int" else h(f"{method}:{uri}")  # type: ignore[misc]
        if qop:
            response = h(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
        else:
            response = h(f"{ha1}:{nonce}:{ha2}")
        fields = [f'username="{self.auth.user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"',
                  f'response="{response}"', f"algorithm={algorithm}"]
        if qop:
            fields += [f"qop={qop}", f"nc={nc}", f'cnonce="{cnonce}"']
        if "opaque" in chal:
            fields.append(f'opaque="{chal["opaque"]}"')
        return "Digest " + ", ".join(fields)


# ----------------------------------------------------------------------------- HTTP client


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    headers: Message
    body: bytes

    @property
    def media_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()


_LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}


def _server_message(body: bytes, content_type: str) -> str:
    """The useful part of an error body: text with HTML tags stripped, shortened."""
    text = body.decode("utf-8", "replace")
    if "html" in content_type or text.lstrip().startswith("<"):
        text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
        text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:600] + ("…" if len(text) > 600 else "")


class SparqlClient:
    """An HTTP client for one SPARQL endpoint (query URL or Graph Store URL).

    >>> client = SparqlClient("http://127.0.0.1:7878/query")  # doctest: +SKIP
    >>> client.query("ASK { ?s ?p ?o }").boolean  # doctest: +SKIP
    True
    """

    def __init__(self, endpoint: str, *, auth: AuthLike = None, timeout: float = 60.0) -> None:
        parts = urllib.parse.urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise EndpointUnreachableError(f"endpoint must be an http(s) URL, got {endpoint!r}", url=endpoint)
        self.endpoint = endpoint
        self.timeout = timeout
        self._auth = _Authenticator(_as_auth(auth))
        # loopback never goes through an environment proxy
        handlers: list[urllib.request.BaseHandler] = []
        if (parts.hostname or "") in _LOOPBACK:
            handlers.append(urllib.request.ProxyHandler({}))
        self._opener = urllib.request.build_opener(*handlers)

    def url(self, **params: str) -> str:
        """The endpoint URL with extra query-string parameters appended."""
        if not params:
            return self.endpoint
        sep = "&" if urllib.parse.urlsplit(self.endpoint).query else "?"
        return self.endpoint + sep + urllib.parse.urlencode(params)

    def request(self, method: str, url: str, *, body: bytes = b"", headers: Mapping[str, str] | None = None,
                what: str = "request") -> _Response:
        """Send one request, answering an authentication challenge once; raise RemoteError on failure."""
        if len(body) > PREFLIGHT_BYTES and self._auth.wants_challenge():
            # servers such as Virtuoso answer 401 and close before reading a large body: learn
            # the challenge from a bodiless HEAD first instead of uploading the body twice
            self._preflight(url)
        for attempt in range(2):
            all_headers = {"User-Agent": USER_AGENT, **(headers or {})}
            authorization = self._auth.header(method, url, body)
            if authorization:
                all_headers["Authorization"] = authorization
            req = urllib.request.Request(url, data=body if method != "GET" else None, headers=all_headers, method=method)
            try:
                with self._opener.open(req, timeout=self.timeout) as resp:
                    return _Response(resp.status, resp.headers, resp.read())
            except urllib.error.HTTPError as exc:
                err_body = exc.read() if exc.fp is not None else b""
                challenges = exc.headers.get_all("WWW-Authenticate") or []
                if exc.code == 401 and attempt == 0 and self._auth.accept_challenge(challenges):
                    continue
                raise self._http_error(exc.code, exc.reason, exc.headers, err_body, method, url, what) from None
            except urllib.error.URLError as exc:
                reason = exc.reason
                if isinstance(reason, (BrokenPipeError, ConnectionResetError)):
                    raise RemoteError(f"{what} failed: {self.endpoint} closed the connection while the request was sent "
                                      f"({reason}); it may refuse the credentials or the request size", url=url) from None
                raise EndpointUnreachableError(f"{what} failed: cannot reach {self.endpoint}: {reason}", url=url) from None
            except (BrokenPipeError, ConnectionResetError) as exc:
                raise RemoteError(f"{what} failed: {self.endpoint} closed the connection: {exc}", url=url) from None
            except (TimeoutError, ConnectionError) as exc:
                raise EndpointUnreachableError(f"{what} failed: {self.endpoint} did not answer: {exc}", url=url) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _preflight(self, url: str) -> None:
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT}, method="HEAD")
        try:
            with self._opener.open(req, timeout=self.timeout):
                return
        except urllib.error.HTTPError as exc:
            if exc.code == 401:
                self._auth.accept_challenge(exc.headers.get_all("WWW-Authenticate") or [])
        except (urllib.error.URLError, OSError):
            return  # the real request reports the failure

    def _http_error(self, status: int, reason: str, headers: Message, body: bytes, method: str, url: str,
                    what: str) -> RemoteError:
        message = _server_message(body, headers.get("Content-Type") or "")
        text = f"{what} failed: {method} {url.split('?')[0]} -> HTTP {status} {reason}" + (f": {message}" if message else "")
        kwargs: dict[str, Any] = {"url": url, "status": status, "server_message": message}
        if status in (401, 403):
            hint = " (check --user/--password)" if status == 401 else " (the account lacks the permission)"
            return RemoteAuthError(text + hint, **kwargs)
        if status == 400 and what == "query":
            return RemoteQueryError(text, **kwargs)
        if status == 404 and what != "query":
            text += " (is this the store's Graph Store Protocol URL, e.g. .../store or .../sparql-graph-crud-auth?)"
        return RemoteError(text, **kwargs)

    # ------------------------------------------------------------------ SPARQL 1.1 Protocol

    def query(self, sparql: str, *, bindings: Mapping[str, Any] | None = None, graph: str | None = None) -> QueryResult:
        """Run a read-only query (project prefixes prepended, `bindings` as a VALUES block)."""
        check_read_only(sparql)
        # the project PREFIXes share the query's first line, so line numbers in the
        # server's error messages are the user's own (columns on line 1 are shifted back)
        head = prologue().replace("\n", " ")
        text = head + bind_parameters(sparql, bindings or {})
        form = query_form(sparql)
        params = [("query", text)]
        if graph:
            params.append(("default-graph-uri", _check_iri(graph)))
        accept = ("application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5" if form in ("CONSTRUCT", "DESCRIBE")
                  else "application/sparql-results+json, application/sparql-results+xml;q=0.8")
        try:
            resp = self.request("POST", self.endpoint, body=urllib.parse.urlencode(params).encode("utf-8"),
                                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}, what="query")
        except RemoteQueryError as exc:
            def unshift(message: str) -> str:
                return re.sub(r"(error at )1:(\d+)", lambda m: f"{m.group(1)}1:{max(1, int(m.group(2)) - len(head))}",
                              message, count=1)

            exc.server_message = unshift(exc.server_message)
            exc.args = (unshift(str(exc)),)
            raise
        return _parse_results(resp, form, self.endpoint)


def _check_iri(iri: str) -> str:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^<>\"{}|^`\\\x00-\x20]+", iri):
        raise UsageError(f"graph must be an absolute IRI such as {DEFAULT_GRAPH}, got {iri!r}")
    return iri


def _parse_results(resp: _Response, form: str, endpoint: str) -> QueryResult:
    media = resp.media_type
    try:
        if form in ("CONSTRUCT", "DESCRIBE"):
            return _triples_result(resp.body, media)
        if "xml" in media:
            return _xml_results(resp.body)
        return QueryResult.from_sparql_json(json.loads(resp.body.decode("utf-8")))
    except (ValueError, KeyError, ET.ParseError, SyntaxError) as exc:
        raise RemoteError(f"{endpoint} returned an unreadable {media or 'untyped'} answer: {exc}", url=endpoint) from None


def _triples_result(body: bytes, media: str) -> QueryResult:
    import pyoxigraph as ox

    fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
    rows = []
    for triple in ox.parse(body, format=fmt):
        rows.append({name: _ox_term(node) for name, node in zip("spo", (triple.subject, triple.predicate, triple.object),
                                                               strict=True)})
    return QueryResult(variables=["s", "p", "o"], rows=rows)


def _ox_term(node: Any) -> Term:
    import pyoxigraph as ox

    if isinstance(node, ox.NamedNode):
        return Term("uri", node.value)
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value)
    datatype = node.datatype.value if node.datatype else None
    if datatype in (PREFIXES["xsd"] + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"):
        datatype = None
    return Term("literal", node.value, datatype, node.language)


_SR = "{http://www.w3.org/2005/sparql-results#}"


def _xml_results(body: bytes) -> QueryResult:
    """SPARQL Query Results XML (for stores that ignore the JSON preference)."""
    root = ET.fromstring(body)
    boolean = root.find(f"{_SR}boolean")
    if boolean is not None:
        return QueryResult(variables=[], boolean=(boolean.text or "").strip() == "true")
    variables = [v.get("name", "") for v in root.iter(f"{_SR}variable")]
    rows = []
    for result in root.iter(f"{_SR}result"):
        row: dict[str, Term] = {}
        for binding in result.findall(f"{_SR}binding"):
            node = binding[0]
            tag = node.tag.removeprefix(_SR)
            if tag == "literal":
                lang = node.get("{http://www.w3.org/XML/1998/namespace}lang")
                row[binding.get("name", "")] = Term("literal", node.text or "", node.get("datatype"), lang)
            else:
                row[binding.get("name", "")] = Term({"uri": "uri", "bnode": "bnode"}.get(tag, tag), node.text or "")
        rows.append(row)
    return QueryResult(variables=variables, rows=rows)


# ----------------------------------------------------------------------------- parameter binding

_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][\w]+)
      | (?P<word>(?:[A-Za-z_][\w.-]*)?:[\w.:%-]*|[A-Za-z_][\w-]*)
      | (?P<open>\{) | (?P<close>\}) | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")


def _tokens(text: str) -> Iterator[tuple[str, str, int, int]]:
    """(kind, text, start, end) for braces and words; comments, strings and IRIs are skipped whole."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("comment", "other") and not match.group().isspace():
            yield kind, match.group(), match.start(), match.end()


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK (the first query-form keyword outside strings and IRIs).

    >>> query_form("PREFIX ex: <http://ex/#select> CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    'CONSTRUCT'
    """
    for kind, value, _, _ in _tokens(text):
        if kind == "word" and value.upper() in _FORMS:
            return value.upper()
    raise QueryError("not a SPARQL query: no SELECT, CONSTRUCT, DESCRIBE or ASK found")


def _where_group(text: str) -> tuple[int, int, bool] | None:
    """Offsets just inside the outermost WHERE group's braces, and whether it is a sub-SELECT."""
    tokens = list(_tokens(text))
    start = next((i for i, (k, v, _, _) in enumerate(tokens) if k == "word" and v.upper() in _FORMS), None)
    if start is None:
        return None
    i = start + 1
    if tokens[start][1].upper() == "CONSTRUCT":
        if i >= len(tokens) or tokens[i][0] != "open":
            return None  # CONSTRUCT WHERE { template }: the pattern is a template, VALUES cannot go in
        i = _matching(tokens, i) + 1
    while i < len(tokens) and tokens[i][0] != "open":
        i += 1
    if i >= len(tokens):
        return None
    end = _matching(tokens, i)
    if end >= len(tokens):
        return None
    sub_select = i + 1 < len(tokens) and tokens[i + 1][0] == "word" and tokens[i + 1][1].upper() == "SELECT"
    return tokens[i][3], tokens[end][2], sub_select


def _matching(tokens: list[tuple[str, str, int, int]], i: int) -> int:
    depth = 0
    for j in range(i, len(tokens)):
        depth += {"open": 1, "close": -1}.get(tokens[j][0], 0)
        if depth == 0:
            return j
    return len(tokens)


def bind_parameters(text: str, bindings: Mapping[str, Any]) -> str:
    """`text` with `bindings` (variable -> value) as a VALUES block of serialised RDF terms.

    The block opens the outermost WHERE group, so the values are joined before grouping,
    like Oxigraph's embedded substitutions; without such a group it trails the query.

    >>> bind_parameters("SELECT * { SELECT ?x { ?x ?p ?o } }", {"x": 1})
    'SELECT * { VALUES (?x) { ("1"^^<http://www.w3.org/2001/XMLSchema#integer>) } { SELECT ?x { ?x ?p ?o } }}'
    """
    if not bindings:
        return text
    block = values_clause(bindings).strip()
    group = _where_group(text)
    if group is None:
        return text.rstrip() + "\n" + block + "\n"
    open_end, close_start, sub_select = group
    if sub_select:
        return f"{text[:open_end]} {block} {{{text[open_end:close_start]}}}{text[close_start:]}"
    return f"{text[:open_end]} {block}{text[open_end:]}"


# ----------------------------------------------------------------------------- public query API


def run_remote(endpoint: str, text: str, *, bindings: Mapping[str, Any] | None = None, graph: str | None = None,
               auth: AuthLike = None, timeout: float = 60.0) -> QueryResult:
    """Run a read-only SPARQL query on a SPARQL 1.1 Protocol endpoint.

    `graph` names the graph to query as the default graph (``default-graph-uri``);
    use the IRI you pushed to. Without it the store's own default graph is queried.

    >>> run_remote("http://127.0.0.1:7878/query", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")  # doctest: +SKIP
    """
    return SparqlClient(endpoint, auth=auth, timeout=timeout).query(text, bindings=bindings, graph=graph)


def run_named_remote(endpoint: str, name: str, params: Mapping[str, str] | None = None, *, graph: str | None = None,
                     auth: AuthLike = None, timeout: float = 60.0) -> QueryResult:
    """Run a named competency query remotely; entity parameters are resolved on the remote store.

    >>> run_named_remote("http://127.0.0.1:7878/query", "trials_of_compound", {"compound": "DS-3032b"},
    ...                  graph=DEFAULT_GRAPH)  # doctest: +SKIP
    """
    client = SparqlClient(endpoint, auth=auth, timeout=timeout)
    query = get_named(name)

    def resolve(text: str) -> str:
        return resolve_remote_entity(client, text, graph=graph)

    bindings = named_bindings(None, query, params or {}, resolve=resolve)
    return client.query(query.text, bindings=bindings, graph=graph)


_LOOKUP = """
SELECT DISTINCT ?e ?label ?category WHERE {
  { ?e dcterms:identifier ?key } UNION { ?e rdfs:label ?key } UNION { ?e skos:altLabel ?key } UNION { ?e skos:notation ?key }
  ?e rdfs:label ?label ; a ?category .
  FILTER(STRSTARTS(STR(?e), STR(mdm2:)) && STRSTARTS(STR(?category), STR(mdm2kg:)))
}"""
_LOOKUP_FOLDED = """
SELECT DISTINCT ?e ?label ?category WHERE {
  ?e rdfs:label ?label ; a ?category .
  FILTER(STRSTARTS(STR(?e), STR(mdm2:)) && STRSTARTS(STR(?category), STR(mdm2kg:)))
  { ?e dcterms:identifier ?k } UNION { ?e rdfs:label ?k } UNION { ?e skos:altLabel ?k } UNION { ?e skos:notation ?k }
  FILTER(LCASE(STR(?k)) = ?folded)
}"""


def resolve_remote_entity(client: SparqlClient | str, text: str, *, graph: str | None = None,
                          auth: AuthLike = None) -> str:
    """Entity id for an id, label, synonym or CURIE, looked up on the remote store.

    Mirrors the embedded resolver: an exact id wins; otherwise the text must match exactly
    one entity's id, label, synonym or identifier (exactly, then case-insensitively).
    Raises NotFoundError (with candidates when ambiguous).
    """
    if isinstance(client, str):
        client = SparqlClient(client, auth=auth)
    base = PREFIXES["mdm2"]
    if text.startswith(base):
        return text[len(base):]
    if text.startswith("mdm2:"):
        return text[len("mdm2:"):]
    exact = client.query(_LOOKUP, bindings={"key": text}, graph=graph)
    hits = _entity_hits(exact, base)
    if text in hits:
        return text
    if not hits:
        hits = _entity_hits(client.query(_LOOKUP_FOLDED, bindings={"folded": text.lower()}, graph=graph), base)
    if len(hits) == 1:
        return next(iter(hits))
    if len(hits) > 1:
        raise NotFoundError(f"'{text}' is ambiguous", [f"{e} ({label}, {cat})" for e, (label, cat) in sorted(hits.items())])
    raise NotFoundError(f"no entity matches '{text}' on {client.endpoint}")


def _entity_hits(result: QueryResult, base: str) -> dict[str, tuple[str, str]]:
    hits: dict[str, tuple[str, str]] = {}
    for row in result.rows:
        entity = row["e"].lexical[len(base):]
        category = row["category"].short().removeprefix("mdm2kg:")
        if entity not in hits or category < hits[entity][1]:
            hits[entity] = (row["label"].lexical, category)
    return hits


def count_triples(endpoint: str, graph: str, *, auth: AuthLike = None) -> int:
    """Number of triples in a named graph of a remote store (via its query endpoint)."""
    from pyoxigraph import NamedNode

    result = run_remote(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                        bindings={"g": NamedNode(_check_iri(graph))}, auth=auth)
    return int(result.rows[0]["n"].lexical) if result.rows else 0


# ----------------------------------------------------------------------------- Graph Store HTTP Protocol push


@dataclass(frozen=True, slots=True)
class PushReport:
    """What a push wrote: triple count, number of requests and wall time."""

    endpoint: str
    graph: str
    triples: int
    chunks: int
    seconds: float

    @property
    def triples_per_second(self) -> float:
        return self.triples / self.seconds if self.seconds > 0 else float("inf")


_BNODE = re.compile(rb"^_:|\s_:[^\s\"]+\s*\.\s*$")


def _chunks(path: Path, size: int) -> Iterator[tuple[bytes, int]]:
    """N-Triples file -> (body, triple count) pieces of at most `size` triples."""
    lines: list[bytes] = []
    with path.open("rb") as handle:
        for line in handle:
            stripped = line.strip()
            if not stripped or stripped.startswith(b"#"):
                continue
            if _BNODE.search(stripped):
                raise UsageError(f"{path} contains a blank node ({stripped[:80]!r}); mdm2kg graphs never do, "
                                 "and a pushed blank node would duplicate on every push")
            lines.append(stripped + b"\n")
            if len(lines) >= size:
                yield b"".join(lines), len(lines)
                lines = []
    if lines:
        yield b"".join(lines), len(lines)


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            stripped = line.strip()
            if stripped and not stripped.startswith(b"#"):
                count += 1
    return count


def push_graph(source: KnowledgeGraph | str | Path, endpoint: str, *, graph: str = DEFAULT_GRAPH, auth: AuthLike = None,
               chunk_triples: int = DEFAULT_CHUNK_TRIPLES, progress: Progress | None = None,
               timeout: float = 300.0) -> PushReport:
    """Replace the named `graph` on a Graph Store HTTP Protocol `endpoint` with the built graph.

    The first chunk is sent with PUT (replace), the rest with POST (append), so pushing
    twice leaves exactly one copy. `source` is a KnowledgeGraph or an N-Triples file.

    >>> push_graph(KnowledgeGraph.build(), "http://127.0.0.1:7878/store")  # doctest: +SKIP
    PushReport(endpoint='http://127.0.0.1:7878/store', graph='https://w3id.org/mdm2kg/graph', ...)
    """
    if chunk_triples < 1:
        raise UsageError("chunk size must be at least 1 triple")
    path = Path(source) if isinstance(source, (str, Path)) else source.nt_path
    if path.suffix != ".nt":
        raise UsageError(f"push needs the N-Triples artifact (.nt), got {path}")
    client = SparqlClient(endpoint, auth=auth, timeout=timeout)
    url = client.url(graph=_check_iri(graph))
    total = _count_lines(path)
    started = time.perf_counter()
    sent = chunks = 0
    headers = {"Content-Type": "application/n-triples"}
    pieces = _chunks(path, chunk_triples) if total else iter([(b"", 0)])
    for body, count in pieces:
        method = "PUT" if chunks == 0 else "POST"
        try:
            client.request(method, url, body=body, headers=headers, what="push")
        except RemoteError as exc:
            if chunks:
                exc.args = (f"{exc.args[0]}\nthe graph <{graph}> now holds only the first {sent} of {total} triples; "
                            "push again to replace it",)
            raise
        sent += count
        chunks += 1
        if progress is not None:
            progress(sent, total)
    return PushReport(endpoint, graph, sent, chunks, time.perf_counter() - started)
