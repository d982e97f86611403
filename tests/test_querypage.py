"""The query page: every named query with prefixes and example parameters; runs in Chromium.

The browser test starts `oxigraph serve-read-only --cors` on 127.0.0.1 over an on-disk store of the
tiny graph, opens the generated page from a file: URL with every other request blocked, loads a
named query, runs it and sees its rows. The server is stopped by its pid even when the test fails.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from mdm2kg.errors import UsageError
from mdm2kg.prefixes import SPARQL_PREFIXES
from mdm2kg.query.engine import run_query
from mdm2kg.query.named import named_queries
from mdm2kg.render.querypage import example_queries, query_page_html
from tests.cli_runner import invoke

from .test_browser import _require_browser
from .test_server import require_binary

ENDPOINT = "http://127.0.0.1:7878/query"


def page_data(text: str) -> dict[str, Any]:
    import json

    match = re.search(r'<script type="application/json" id="mdm2kg-queries">(.*?)</script>', text, re.DOTALL)
    assert match
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def test_page_lists_every_named_query_with_prefixes() -> None:
    text = query_page_html(ENDPOINT)
    data = page_data(text)
    assert data["endpoint"] == ENDPOINT and data["prefixes"] == SPARQL_PREFIXES
    assert [q["name"] for q in data["queries"]] == sorted(named_queries())
    for q in data["queries"]:
        for prefix, iri in SPARQL_PREFIXES.items():
            assert f"PREFIX {prefix}: <{iri}>" in q["text"]
    assert "connect-src http://127.0.0.1:7878;" in text  # the page may talk to the endpoint and nowhere else
    markup = re.sub(r"<script>.*?</script>", "", text, flags=re.DOTALL)  # no element loads anything from elsewhere
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?(?:https?:)?//|<link|@import""", markup)
    assert "sourceMappingURL" not in text
    from .test_render import tags

    assert [a.get("type") for t, a in tags(text) if t == "script"] == ["application/json", None, None]  # the scripts stay inert
    with pytest.raises(UsageError):
        query_page_html("javascript:alert(1)")


def test_every_example_runs_and_the_required_ones_answer(shipped_kg: Any) -> None:
    for q in example_queries():
        result = run_query(shipped_kg, q["text"])  # the text as the page shows it: prefixes, query, VALUES
        if any(p["required"] for p in q["params"]):
            assert result.rows, f"the example for {q['name']} finds nothing: {q['params']}"


def test_cli_writes_the_page(tmp_path: Path) -> None:
    out = tmp_path / "q.html"
    result = invoke(["render-queries", "-o", str(out), "--endpoint", ENDPOINT])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output and page_data(out.read_text(encoding="utf-8"))["endpoint"] == ENDPOINT
    bad = invoke(["render-queries", "-o", str(out), "--endpoint", "ftp://x"])
    assert bad.exit_code == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.browser
@pytest.mark.server
def test_named_query_runs_in_the_browser(tiny_kg: Any, tmp_path: Path) -> None:
    import pyoxigraph as ox

    chromium = _require_browser()
    binary = require_binary("oxigraph")
    # a named query that has rows on the tiny graph, as the page would load it
    chosen = next(q for q in example_queries() if run_query(tiny_kg, q["text"]).rows)
    expected = len(run_query(tiny_kg, chosen["text"]).rows)
    store = ox.Store(str(tmp_path / "store"))
    store.extend(list(tiny_kg.store))
    store.flush()
    del store
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}/query"
    page_file = tmp_path / "queries.html"
    page_file.write_text(query_page_html(endpoint), encoding="utf-8")
    server = subprocess.Popen([binary, "serve-read-only", "--location", str(tmp_path / "store"), "--bind", f"127.0.0.1:{port}",
                               "--cors"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}?query=ASK%7B%7D", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        from playwright.sync_api import sync_playwright

        blocked: list[str] = []
        errors: list[str] = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True)
            try:
                context = browser.new_context(viewport={"width": 1280, "height": 900})

                def gate(route: Any) -> None:
                    url = route.request.url
                    if url.startswith(("file:", "data:", f"http://127.0.0.1:{port}/")):
                        route.continue_()
                    else:
                        blocked.append(url)
                        route.abort()

                context.route("**/*", gate)
                page = context.new_page()
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.goto(page_file.as_uri())
                page.wait_for_selector("#queries button")
                assert page.locator("#queries button").count() == len(named_queries())
                page.click(f'#queries button[data-query="{chosen["name"]}"]')
                page.click(".yasqe_queryButton")
                page.wait_for_selector(".yasr table tbody tr", timeout=30_000)
                rows = page.locator(".yasr table tbody tr").count()
                shots = os.environ.get("MDM2KG_SCREENSHOTS")
                if shots:
                    Path(shots).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(Path(shots) / "query-page.png"))
                context.close()
            finally:
                browser.close()
        assert rows == expected, f"{chosen['name']}: {rows} rows on the page, {expected} embedded"
        assert blocked == [], f"requests left for elsewhere: {blocked}"
        assert errors == [], errors
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
