"""Bounded queries (issue 14.4): time limits, Ctrl-C, streamed rows, size and nesting limits,
`path --time-budget`, and a `serve` that survives its engine.

Queries that would run for hours run in subprocesses, so an abandoned engine thread ends with
its process and never keeps a core of the test run busy.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from mdm2kg.errors import QueryError
from mdm2kg.query.limits import MAX_QUERY_BYTES, MAX_QUERY_DEPTH, QueryLimitError, check_query_limits, query_depth
from tests.cli_runner import invoke
from tests.test_server import _alive, _assert_stopped_cleanly, _children, _kill_all

HERE = Path(__file__).parent
TINY = HERE / "fixtures" / "tiny"
REPO = HERE.parent
CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?a ?b ?c . ?x ?y ?z }"


def _mdm2kg(*args: str, **kwargs: Any) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), **kwargs.pop("env", {})}
    return subprocess.Popen([sys.executable, "-m", "mdm2kg", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, **kwargs)


def _nested(depth: int) -> str:
    return "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth


# ----------------------------------------------------------------------------- limits


def test_depth_skips_strings_iris_and_comments() -> None:
    text = ('SELECT * { ?s ?p "{{{(" . ?s ?p """ ]]] {{ """ . ?s ?p \'((\' . ?s <http://ex.org/{x}> ?o # {{{{\n'
            " FILTER(?o < 3 && ?o > (1)) }")
    assert query_depth(text)[0] == 3  # { FILTER( (1) — the IRI, strings and the comment do not count
    assert query_depth("SELECT * {}")[0] == 1
    assert query_depth("ASK {}")[0] == 1


def test_limits_refuse_deep_and_long_texts() -> None:
    check_query_limits(_nested(MAX_QUERY_DEPTH - 1))  # the WHERE braces of depth-1 groups: MAX_QUERY_DEPTH in all
    with pytest.raises(QueryLimitError, match=f"201 levels deep at line 1.*at most {MAX_QUERY_DEPTH}"):
        check_query_limits(_nested(MAX_QUERY_DEPTH + 1))
    with pytest.raises(QueryLimitError, match="at most 1,048,576 bytes"):
        check_query_limits("SELECT * { ?s ?p ?o } #" + "x" * MAX_QUERY_BYTES)
    with pytest.raises(QueryLimitError, match="bytes"):  # counted in UTF-8, not characters
        check_query_limits("ASK {} #" + "é" * (MAX_QUERY_BYTES // 2))
    check_query_limits('SELECT * { ?s ?p "' + "{" * 5000 + '" }')  # inside a string: no depth
    assert issubclass(QueryLimitError, QueryError)


def test_limits_pass_every_named_query() -> None:
    from mdm2kg.query import named_queries

    for named in named_queries().values():
        check_query_limits(named.text)
        assert query_depth(named.text)[0] < 20


@pytest.mark.parametrize("depth", [5000, 10000])
def test_deeply_nested_query_is_refused_not_a_crash(depth: int) -> None:
    """Before: 10,000 nested braces killed the process with SIGSEGV (5,000 killed the oxigraph server)."""
    proc = _mdm2kg("query", "--data", str(TINY), _nested(depth))
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert f"nested {depth} levels deep" in err and "at most 200" in err


def test_remote_client_refuses_deep_query_before_sending() -> None:
    from mdm2kg.sparql import run_remote

    # nothing listens on port 9: the limit error comes before any connection attempt
    with pytest.raises(QueryLimitError):
        run_remote("http://127.0.0.1:9/query", _nested(5000), timeout=5)


# ----------------------------------------------------------------------------- timeout and Ctrl-C


def test_cartesian_count_stops_at_the_timeout() -> None:
    """Before: a 3-way cartesian COUNT ran forever."""
    proc = _mdm2kg("query", "--timeout", "1", CARTESIAN_COUNT)
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 2, err
    assert "timed out after 1 s" in err and "--timeout" in err
    assert out == ""


def test_timeout_from_the_environment() -> None:
    proc = _mdm2kg("query", CARTESIAN_COUNT, env={"MDM2KG_QUERY_TIMEOUT": "1"})
    try:
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 2 and "timed out after 1 s" in err


def test_ctrl_c_stops_a_running_query() -> None:
    """Before: Ctrl-C was ignored while the engine ran."""
    proc = _mdm2kg("query", "--timeout", "0", CARTESIAN_COUNT)
    try:
        time.sleep(3)  # let it import, open the store and start evaluating (not a timing assertion)
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err


def test_bad_timeouts_are_usage_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    from mdm2kg.errors import UsageError
    from mdm2kg.query.engine import query_timeout

    for value in ("nan", "-1"):
        result = invoke(["query", "--data", str(TINY), "--timeout", value, "ASK {}"])
        assert result.exit_code == 2 and "--timeout must be a non-negative number" in result.output
    monkeypatch.setenv("MDM2KG_QUERY_TIMEOUT", "soon")
    with pytest.raises(UsageError, match="MDM2KG_QUERY_TIMEOUT"):
        query_timeout()
    assert query_timeout(0) is None and query_timeout(float("inf")) is None and query_timeout(2) == 2.0


def test_python_api_timeout_keyword(tmp_path: Path) -> None:
    """The keyword reaches the engine: an impossible deadline times out even a small query.
    (Run in a subprocess: the abandoned worker must not keep a core of the test run busy.)"""
    script = ("from mdm2kg.artifact.graph import KnowledgeGraph\n"
              "from mdm2kg.query import run_query\n"
              "from mdm2kg.query.engine import QueryTimeout\n"
              f"kg = KnowledgeGraph.build([{str(TINY)!r}])\n"
              "assert run_query(kg, 'ASK { ?s ?p ?o }', timeout=30).boolean is True\n"
              "try:\n"
              f"    run_query(kg, {CARTESIAN_COUNT!r}, timeout=0.5)\n"
              "except QueryTimeout as exc:\n"
              "    print('timeout', exc.seconds)\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "timeout 0.5"


# ----------------------------------------------------------------------------- streaming


@pytest.mark.parametrize("fmt", ["csv", "sparql-tsv", "json", "table"])
def test_huge_select_streams_its_first_rows(fmt: str) -> None:
    """Before: SELECT * over a cartesian product built every row (6 GB) before printing one."""
    proc = _mdm2kg("query", "--format", fmt, "--timeout", "0", "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c }")
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(50)]
        running = proc.poll() is None  # rows arrived while the query was far from finished
        rss_kib = _rss_kib(proc.pid)
    finally:
        proc.kill()
        proc.communicate(timeout=60)
    assert all(lines) and running
    assert rss_kib < 1_500_000, f"{rss_kib} KiB resident: rows are being kept"


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _fresh(kg: Any, sparql: str) -> Any:
    from mdm2kg.query import run_query

    return run_query(kg, sparql, stream=True)


def test_streamed_output_matches_the_whole_result(tiny_kg: Any) -> None:
    from mdm2kg.query import ResultFormat, run_query

    sparql = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    whole = run_query(kg=tiny_kg, sparql=sparql)
    assert len(whole.rows) > 300  # more than one streamed chunk
    expected_json = json.dumps({"head": {"vars": whole.variables},
                                "results": {"bindings": [{k: t.to_json() for k, t in row.items()} for row in whole.rows]}},
                               indent=2, ensure_ascii=False)
    assert _fresh(tiny_kg, sparql).to_json() == expected_json
    empty = "SELECT ?s WHERE { ?s <http://example.org/none> ?o }"
    assert _fresh(tiny_kg, empty).to_json() == json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": []}}, indent=2)
    for fmt in ResultFormat:
        if fmt.value in ("turtle", "ntriples", "jsonld"):
            continue
        assert _fresh(tiny_kg, sparql).serialize(fmt) == whole.serialize(fmt), fmt
    import io

    out = io.StringIO()
    assert _fresh(tiny_kg, sparql).write(out, "csv") == len(whole.rows)
    assert out.getvalue() == whole.serialize("csv")


def test_streamed_result_is_read_once(tiny_kg: Any) -> None:
    result = _fresh(tiny_kg, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3")
    assert len(list(result.iter_rows())) == 3
    with pytest.raises(QueryError, match="already written"):
        result.rows  # noqa: B018


def test_query_out_file_is_written_whole_or_not_at_all(tmp_path: Path) -> None:

    out = tmp_path / "rows.csv"
    out.write_text("old\n")
    proc = _mdm2kg("query", "--timeout", "1", "--format", "csv", "--out", str(out),
                   "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c }")
    try:
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 2 and "timed out" in err
    assert out.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["rows.csv"]
    result = invoke(["query", "--data", str(TINY), "--format", "csv", "--out", str(out),
                                       "SELECT ?l WHERE { mdm2:GENE1 rdfs:label ?l }"])
    assert result.exit_code == 0 and out.read_text() == "l\nGene One\n"


@pytest.fixture(scope="module")
def tiny_kg() -> Any:
    from mdm2kg.artifact.graph import KnowledgeGraph

    return KnowledgeGraph.build([str(TINY)])


# ----------------------------------------------------------------------------- path --time-budget


def test_path_time_budget_covers_resolution(tiny_kg: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: the budget started after resolving the ends and projecting the graph."""
    from mdm2kg import paths

    clock = [1000.0]
    monkeypatch.setattr(paths.time, "monotonic", lambda: clock[0])
    real_resolve = paths.resolve_end

    def slow_resolve(kg: Any, text: str) -> Any:
        clock[0] += 10.0  # resolving an end "takes" 10 s
        return real_resolve(kg, text)

    monkeypatch.setattr(paths, "resolve_end", slow_resolve)
    result = paths.find_paths(tiny_kg, "GENE1", "GENE2", time_budget=5.0)
    assert result.truncated and "time budget" in result.message


@pytest.mark.parametrize("budget", ["nan", "inf", "-inf", "-1"])
def test_path_rejects_non_finite_budgets_cleanly(budget: str) -> None:

    result = invoke(["path", "--data", str(TINY), "GENE1", "GENE2", f"--time-budget={budget}"])
    assert result.exit_code == 2 and "--time-budget must be a finite number" in result.output
    assert "Traceback" not in result.output


# ----------------------------------------------------------------------------- serve: limits, restarts, page


def _server(kg: Any, **kwargs: Any) -> Any:
    from mdm2kg.artifact.store import ensure_store
    from mdm2kg.server import OxigraphServer

    from .test_server import require_binary

    return OxigraphServer(ensure_store(kg), port=0, binary=Path(require_binary("oxigraph")), **kwargs)


def _post(url: str, query: str, timeout: float = 60) -> tuple[int, str]:
    import urllib.error
    import urllib.parse
    import urllib.request

    request = urllib.request.Request(url, data=urllib.parse.urlencode({"query": query}).encode(),
                                     headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.mark.server
def test_serve_refuses_deep_query_with_400_and_keeps_serving(tiny_kg: Any) -> None:
    """Before: 5,000 nested braces overflowed Oxigraph's stack and `serve` exited."""
    events: list[str] = []
    with _server(tiny_kg, on_event=events.append) as server:
        pid = server.pid
        status, text = _post(server.query_url, _nested(5000))
        assert status == 400 and "nested 5000 levels deep" in text
        status, text = _post(server.query_url, "ASK { ?s ?p ?o }")
        assert status == 200 and "true" in text
        assert server.pid == pid and events == []


@pytest.mark.server
def test_serve_restarts_a_crashed_engine_and_says_why(tiny_kg: Any) -> None:
    events: list[str] = []
    with _server(tiny_kg, on_event=events.append) as server:
        first = server.pid
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while (server.pid == first or not events or "restarted" not in events[-1]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.pid != first and server.poll() is None
        assert any("killed by signal 9" in e for e in events), events
        status, text = _post(server.query_url, "ASK { ?s ?p ?o }")
        assert status == 200 and "true" in text


@pytest.mark.server
def test_serve_cuts_off_a_runaway_query_and_restarts_the_busy_engine(tiny_kg: Any) -> None:
    """Oxigraph does not check --timeout-s while joining what it already read: a cartesian
    COUNT ran on, burning a core, long after the client gave up."""
    events: list[str] = []
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with _server(tiny_kg, query_timeout=1, on_event=events.append) as server:
        first = server.pid
        status, text = _post(server.query_url, runaway, timeout=120)
        assert status == 503 and "ran past the 1 s timeout" in text
        deadline = time.monotonic() + 30
        while server.pid == first and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.pid != first, f"the busy engine was not restarted: {events}"
        assert any("ran past the 1 s timeout" in e for e in events)
        deadline = time.monotonic() + 15
        while _alive(first) and time.monotonic() < deadline:  # stopped once its answers under way went out
            time.sleep(0.1)
        assert not _alive(first)
        status, text = _post(server.query_url, "ASK { ?s ?p ?o }")
        assert status == 200 and "true" in text


@pytest.mark.server
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_leaves_no_engine_behind_after_a_crash_and_a_stop(stop: signal.Signals) -> None:
    from mdm2kg.oxigraph_process import free_port

    from .test_server import _read_url, _serve, require_binary

    require_binary("oxigraph")
    proc = _serve(free_port())
    seen: set[int] = set()
    try:
        _read_url(proc)
        first = _children(proc.pid)
        assert len(first) == 1
        seen.update(first)
        os.kill(first[0], signal.SIGKILL)  # the engine crashes
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = [c for c in _children(proc.pid) if _alive(c)]
            if now and now != first:
                break
            time.sleep(0.1)
        second = [c for c in _children(proc.pid) if _alive(c)]
        assert second and second != first, "the engine was not restarted"
        seen.update(second)
        proc.send_signal(stop)
        err = _assert_stopped_cleanly(proc, seen, wait=30, grace=10)
        assert "restarting oxigraph: oxigraph was killed by signal 9" in err
    finally:
        _kill_all(proc, seen)


def _page(tiny_kg: Any) -> Any:
    from mdm2kg.render.querypage import query_page_html

    return lambda host: query_page_html(f"http://{host}/query").encode()


@pytest.mark.server
def test_serve_offers_the_query_page_on_its_own_origin(tiny_kg: Any) -> None:
    import http.client

    with _server(tiny_kg, page=_page(tiny_kg)) as server:
        for path in ("/", "/query-page"):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            connection.request("GET", path, headers={"Host": f"localhost:{server.port}"})
            response = connection.getresponse()
            body = response.read().decode()
            connection.close()
            assert response.status == 200 and response.getheader("Content-Type", "").startswith("text/html")
            assert f"connect-src http://localhost:{server.port};" in body  # the origin the browser used
            assert "trials_of_compound" in body
        status, _ = _post(server.query_url, "ASK { ?s ?p ?o }")
        assert status == 200


def test_server_and_gateway_do_not_import_render() -> None:
    for module in ("server", "gateway", "gateway_policy"):
        text = (REPO / "mdm2kg" / f"{module}.py").read_text()
        assert "mdm2kg.render" not in text, module


@pytest.mark.browser
@pytest.mark.server
def test_served_query_page_runs_a_named_query(tiny_kg: Any) -> None:
    from playwright.sync_api import sync_playwright

    from mdm2kg.query import run_query
    from mdm2kg.render.querypage import example_queries

    from .test_browser import _require_browser

    chromium = _require_browser()
    chosen = next(q for q in example_queries() if run_query(tiny_kg, q["text"]).rows)
    expected = len(run_query(tiny_kg, chosen["text"]).rows)
    with _server(tiny_kg, page=_page(tiny_kg)) as server:
        blocked: list[str] = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True)
            try:
                context = browser.new_context(viewport={"width": 1280, "height": 900})

                def gate(route: Any) -> None:
                    if route.request.url.startswith((server.url, "data:")):
                        route.continue_()
                    else:
                        blocked.append(route.request.url)
                        route.abort()

                context.route("**/*", gate)
                page = context.new_page()
                page.goto(server.url)
                page.wait_for_selector("#queries button")
                page.click(f'#queries button[data-query="{chosen["name"]}"]')
                page.click(".yasqe_queryButton")
                page.wait_for_selector(".yasr table tbody tr", timeout=30_000)
                rows = page.locator(".yasr table tbody tr").count()
                context.close()
            finally:
                browser.close()
    assert rows == expected and blocked == []
