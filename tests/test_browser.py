"""The network page in a real browser: Debian's Chromium, headless, with the network blocked.

Every request that is not for a file: URL is aborted and recorded; each test asserts none was
attempted, that nothing was logged as an error and that no dialog opened. Skipped only when
Chromium is absent outside CI; in CI (env CI set) a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from mdm2kg.curation.model import Evidence
from mdm2kg.read.views import Statement
from mdm2kg.render import Selection, render, write_page

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("MDM2KG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
HOSTILE = "<img src=x onerror=alert(1)>"
PWN = '<img src=x onerror="window.__pwned = 1">'
TINY_CATEGORIES = ["AdverseEvent", "BiologicalProcess", "ClinicalTrial", "Compound", "DrugClass", "Gene",
                   "ResistanceMechanism", "TrialArm"]


def _require_browser() -> str:
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "playwright is not installed"
    if not Path(CHROMIUM).is_file():
        problem = f"Chromium not found at {CHROMIUM}"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}; CI must run the browser tests (install Debian's chromium)")
        pytest.skip(problem)
    return CHROMIUM


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def pages(tiny_kg: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pages")
    return {
        "whole": render(tiny_kg, out / "whole.html"),
        "focus": render(tiny_kg, out / "focus.html", focus="GENE1", radius=1),
        "path": render(tiny_kg, out / "path.html", path_between=("drugB", "proc1")),
        "category": render(tiny_kg, out / "category.html", categories=["Gene", "Compound"]),
        "hostile": write_page(Selection(_hostile_graph(), title=PWN), out / "hostile.html"),
    }


def _hostile_graph() -> nx.MultiDiGraph:
    """Every curated text field carries markup that would run if it were parsed as HTML."""
    graph = nx.MultiDiGraph()
    graph.add_node("evil", label=PWN, category="Gene", synonyms=[PWN, "<script>window.__pwned = 2</script>"],
                   identifiers=["HGNC:6973"], description='<svg onload="window.__pwned = 3">')
    graph.add_node("plain", label="Plain", category="Compound", synonyms=[], identifiers=[], description="")
    cite = Evidence(PWN, '<a href="javascript:window.__pwned = 4">x</a>', PWN, "review_statement", (PWN,))
    st = Statement(PWN, "plain", "inhibits", "evil", None, -1, False, ((PWN, PWN),), (cite,), PWN, "biolink:affects")
    graph.add_edge("plain", "evil", key=PWN, statement=st, predicate="inhibits", polarity=-1, negated=False)
    return graph


@dataclass
class Monitor:
    """What a page did that it should not: outside requests, console errors, dialogs."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.requests == [], f"requests left the machine: {self.requests}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.dialogs == [], f"dialogs opened (a script ran): {self.dialogs}"


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[[Path], tuple[Any, Monitor]]]:
    contexts: list[Any] = []

    def opener(path: Path) -> tuple[Any, Monitor]:
        monitor = Monitor()
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        contexts.append(context)

        def gate(route: Any) -> None:
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                monitor.requests.append(route.request.url)
                route.abort()

        context.route("**/*", gate)
        page = context.new_page()

        def outgoing(request: Any) -> None:
            if not request.url.startswith(("file:", "data:")) and request.url not in monitor.requests:
                monitor.requests.append(request.url)

        page.on("request", outgoing)
        page.on("websocket", lambda ws: monitor.requests.append(ws.url))
        def console(message: Any) -> None:
            if message.type == "error":
                monitor.errors.append(message.text)

        def dialog(box: Any) -> None:
            monitor.dialogs.append(box.message)
            box.dismiss()

        page.on("console", console)
        page.on("pageerror", lambda e: monitor.errors.append(str(e)))
        page.on("dialog", dialog)
        page.goto(path.resolve().as_uri())
        page.wait_for_function("window.mdm2kg && window.mdm2kg.ready === true", timeout=30_000)
        return page, monitor

    yield opener
    for context in contexts:
        context.close()


def drawn(page: Any) -> dict[str, int]:
    return page.evaluate("window.mdm2kg.drawn()")  # type: ignore[no-any-return]


def legend(page: Any) -> list[str]:
    return page.eval_on_selector_all("#categories li", "items => items.map(i => i.dataset.category)")  # type: ignore[no-any-return]


def dom_point(page: Any, node: str, toward: str | None = None, fraction: float = 0.0) -> tuple[float, float]:
    """Page coordinates of a node, or of a point `fraction` of the way from it to `toward`."""
    return tuple(page.evaluate(
        """([node, toward, fraction]) => {
            const net = window.mdm2kg.network;
            const pos = net.getPositions(toward ? [node, toward] : [node]);
            const a = pos[node], b = toward ? pos[toward] : pos[node];
            const p = net.canvasToDOM({x: a.x + (b.x - a.x) * fraction, y: a.y + (b.y - a.y) * fraction});
            const box = document.getElementById('network').getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""", [node, toward, fraction]))


def painted_pixels(page: Any) -> int:
    count: int = page.evaluate("""() => {
        const canvas = document.querySelector('#network canvas');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { n++; } }
        return n;
    }""")
    return count


# ---- it draws ----------------------------------------------------------------------------------

def test_whole_graph_draws_offline(pages: dict[str, Path], open_page: Any) -> None:
    page, monitor = open_page(pages["whole"])
    assert drawn(page) == {"nodes": 11, "edges": 10}
    assert page.locator("#network canvas").count() == 1
    assert painted_pixels(page) > 1000
    assert legend(page) == TINY_CATEGORIES
    assert page.text_content("#counts") == "11 of 11 entities · 10 of 10 statements"
    assert page.evaluate("window.mdm2kg.network.physics.options.enabled") is False
    monitor.assert_clean()


@pytest.mark.parametrize(("view", "nodes", "edges", "categories"), [
    ("focus", 5, 4, ["Compound", "Gene"]),
    ("path", 4, 3, ["BiologicalProcess", "Compound", "Gene"]),
    ("category", 5, 4, ["Compound", "Gene"]),
])
def test_views_draw_their_subgraph(pages: dict[str, Path], open_page: Any, view: str, nodes: int, edges: int,
                                   categories: list[str]) -> None:
    page, monitor = open_page(pages[view])
    assert drawn(page) == {"nodes": nodes, "edges": edges}
    assert legend(page) == categories
    assert painted_pixels(page) > 500
    if view == "focus":  # the focus entity starts selected, with its details open
        assert page.evaluate("window.mdm2kg.network.getSelectedNodes()") == ["GENE1"]
        assert page.text_content("#details h3") == "Gene One"
    if view == "path":
        assert page.text_content("#paths") == "1. Drug B → Gene One → Gene Two → apoptosis  (net +)"
    monitor.assert_clean()


# ---- find, filter, reset -----------------------------------------------------------------------

def test_search_finds_and_selects_by_synonym(pages: dict[str, Path], open_page: Any) -> None:
    page, monitor = open_page(pages["whole"])
    page.fill("#search", "da-1")
    first = page.locator("#results button").first
    assert first.get_attribute("data-id") == "drugA"
    assert "DA-1" in (first.text_content() or "")
    page.press("#search", "Enter")
    assert page.evaluate("window.mdm2kg.network.getSelectedNodes()") == ["drugA"]
    assert page.text_content("#details h3") == "Drug A"
    assert page.is_hidden("#results")
    monitor.assert_clean()


def test_category_filter_and_reset(pages: dict[str, Path], open_page: Any) -> None:
    page, monitor = open_page(pages["whole"])
    page.uncheck('#categories li[data-category="Gene"] input')
    assert drawn(page) == {"nodes": 8, "edges": 4}  # statements touching a gene disappear with it
    assert page.text_content("#counts") == "8 of 11 entities · 4 of 10 statements"
    page.fill("#search", "G2")  # searching a hidden entity brings its category back
    page.press("#search", "Enter")
    assert page.is_checked('#categories li[data-category="Gene"] input')
    assert page.evaluate("window.mdm2kg.network.getSelectedNodes()") == ["GENE2"]
    page.uncheck('#categories li[data-category="Compound"] input')
    page.click("#reset")
    assert drawn(page) == {"nodes": 11, "edges": 10}
    assert page.evaluate("window.mdm2kg.network.getSelectedNodes()") == []
    assert page.is_hidden("#details") and page.input_value("#search") == ""
    monitor.assert_clean()


# ---- details -------------------------------------------------------------------------------------

def test_hover_and_click_show_cited_details(pages: dict[str, Path], open_page: Any) -> None:
    page, monitor = open_page(pages["whole"])
    page.mouse.move(*dom_point(page, "GENE1"))
    page.wait_for_selector("#tip", state="visible")
    assert page.text_content("#tip") == "Gene One · Gene"
    page.mouse.click(*dom_point(page, "GENE1"))
    assert page.text_content("#details h3") == "Gene One"
    link = page.locator("#details a")
    assert link.get_attribute("href") == "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:6973"
    assert link.get_attribute("rel") == "noopener noreferrer" and link.text_content() == "HGNC:6973"
    assert "A ligase." in (page.text_content("#details") or "")

    page.mouse.move(*dom_point(page, "drugA", "GENE1", 0.35))
    page.wait_for_function("document.getElementById('tip').textContent.includes('inhibits')")
    assert page.text_content("#tip") == "Drug A — inhibits (−) → Gene One"
    page.mouse.click(*dom_point(page, "drugA", "GENE1", 0.35))
    assert page.get_attribute("#details", "data-kind") == "edge"
    text = page.text_content("#details") or ""
    for expected in ("inhibits", "− negative", "doc1 (A tiny review), §1:", "“drug A inhibits”", "citing doc1_ref01"):
        assert expected in text
    page.click("#details .triple button >> nth=1")  # the object: back to Gene One
    assert page.text_content("#details h3") == "Gene One"
    monitor.assert_clean()


def test_hostile_synonym_from_the_fixture_stays_text(pages: dict[str, Path], open_page: Any) -> None:
    page, monitor = open_page(pages["whole"])
    page.fill("#search", "<img src")
    result = page.locator("#results button").first
    assert result.get_attribute("data-id") == "GENE1"
    assert HOSTILE in (result.text_content() or "")
    result.click()
    assert HOSTILE in page.eval_on_selector_all("#details li", "items => items.map(i => i.textContent)")
    assert page.locator("img").count() == 0
    monitor.assert_clean()


def test_hostile_text_everywhere_runs_nothing(pages: dict[str, Path], open_page: Any) -> None:
    page, monitor = open_page(pages["hostile"])
    assert page.title() == PWN
    page.mouse.move(*dom_point(page, "evil"))
    page.wait_for_selector("#tip", state="visible")
    assert page.text_content("#tip") == f"{PWN} · Gene"
    page.mouse.click(*dom_point(page, "evil"))
    assert page.text_content("#details h3") == PWN
    page.mouse.click(*dom_point(page, "plain", "evil", 0.35))
    assert page.get_attribute("#details", "data-kind") == "edge"
    page.fill("#search", "script")
    page.press("#search", "Enter")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img, svg[onload], #details a[href^='javascript']").count() == 0
    monitor.assert_clean()


def test_shipped_graph_draws(shipped_kg: Any, open_page: Any, tmp_path: Path) -> None:
    from mdm2kg.read import read_model
    from mdm2kg.read.network import entity_network

    graph = entity_network(read_model(shipped_kg), include_negated=True)  # negated statements drawn as negated
    page, monitor = open_page(render(shipped_kg, tmp_path / "shipped.html"))
    assert drawn(page) == {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    assert legend(page) == sorted({data["category"] for _, data in graph.nodes(data=True)})
    assert painted_pixels(page) > 1000
    page.fill("#search", "hdm-2")  # a synonym of MDM2
    page.press("#search", "Enter")
    assert page.evaluate("window.mdm2kg.network.getSelectedNodes()") == ["MDM2"]
    monitor.assert_clean()


# ---- readable at first sight -------------------------------------------------------------------

@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the page tests keep their screenshots: $MDM2KG_SCREENSHOTS, else pytest's temp dir."""
    where = os.environ.get("MDM2KG_SCREENSHOTS")
    out = Path(where) if where else tmp_path_factory.mktemp("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    print(f"\npage screenshots in {out}")
    return out


def label_boxes(page: Any) -> dict[str, list[float]]:
    """Drawn label boxes [left, top, right, bottom] in page pixels, as vis-network laid them out."""
    return page.evaluate("""() => {
        const net = window.mdm2kg.network, box = document.getElementById('network').getBoundingClientRect();
        const out = {};
        for (const id of net.body.nodeIndices) {
            const node = net.body.nodes[id];
            if (!node.options.label) { continue; }
            const s = node.labelModule.size, shift = (node.options.font && node.options.font.vadjust) || 0;  // drawn shifted
            const a = net.canvasToDOM({x: s.left, y: s.top + shift});
            const b = net.canvasToDOM({x: s.left + s.width, y: s.top + s.height + shift});
            out[id] = [box.left + a.x, box.top + a.y, box.left + b.x, box.top + b.y];
        }
        return out;
    }""")  # type: ignore[no-any-return]


def worst_overlap(boxes: dict[str, list[float]]) -> tuple[float, str, str]:
    """The largest pairwise overlap, as a fraction of the smaller box's area."""
    worst = (0.0, "", "")
    items = sorted(boxes.items())
    for i, (a, (al, at, ar, ab)) in enumerate(items):
        for b, (bl, bt, br, bb) in items[i + 1:]:
            inter = max(0.0, min(ar, br) - max(al, bl)) * max(0.0, min(ab, bb) - max(at, bt))
            smaller = min((ar - al) * (ab - at), (br - bl) * (bb - bt)) or 1.0
            worst = max(worst, (inter / smaller, a, b))
    return worst


def test_hubs_are_labelled_at_fit_without_pileups(shipped_kg: Any, open_page: Any, tmp_path: Path, screenshots: Path) -> None:
    from mdm2kg.read import read_model
    from mdm2kg.read.network import entity_network

    graph = entity_network(read_model(shipped_kg), include_negated=True)
    degree = {n: sum(1 for u, v in graph.to_undirected(as_view=True).edges(n) if u != v) for n in graph}
    hubs = sorted(graph, key=lambda n: (-degree[n], n))[:3]
    page, monitor = open_page(render(shipped_kg, tmp_path / "shipped.html"))
    page.wait_for_timeout(200)
    page.screenshot(path=str(screenshots / "whole-fit.png"))
    boxes = label_boxes(page)
    assert set(hubs) <= set(boxes), f"hubs {hubs} unlabelled at fit; labelled: {sorted(boxes)}"
    assert 10 <= len(boxes) < graph.number_of_nodes()  # readable, not everything at once
    overlap, a, b = worst_overlap(boxes)
    assert overlap <= 0.05, f"labels of {a} and {b} overlap by {overlap:.0%}"
    heights = [bottom - top for _, top, _, bottom in boxes.values()]
    assert min(heights) >= 10  # readable on screen, not a 3-pixel smear

    for _ in range(3):  # zooming in shows more labels, still without pile-ups
        page.mouse.move(*dom_point(page, hubs[0]))
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(250)
    page.evaluate("window.mdm2kg.placeLabels()")
    zoomed = label_boxes(page)
    page.screenshot(path=str(screenshots / "whole-zoomed.png"))
    assert worst_overlap(zoomed)[0] <= 0.05
    assert set(zoomed) - set(boxes), "zooming in showed no new label"

    page.fill("#search", "nutlin-3")  # a searched entity is labelled even if it is not a hub
    page.wait_for_timeout(100)
    found = page.locator("#results button").first.get_attribute("data-id")
    page.press("#search", "Enter")
    page.wait_for_timeout(400)
    assert found in label_boxes(page)
    monitor.assert_clean()


def test_radius_two_collapses_far_entities_into_category_clusters(shipped_kg: Any, open_page: Any, tmp_path: Path,
                                                                  screenshots: Path) -> None:
    page, monitor = open_page(render(shipped_kg, tmp_path / "brigimadlin.html", focus="brigimadlin", radius=2))
    page.screenshot(path=str(screenshots / "brigimadlin-radius2.png"))
    data = page.evaluate("JSON.parse(document.getElementById('mdm2kg-data').textContent)")
    far = [n for n in data["nodes"] if n.get("hop", 0) >= 2]
    assert len(far) > 20
    clusters = page.evaluate("window.mdm2kg.network.body.nodeIndices.filter(id => id.startsWith('cluster:'))")
    assert clusters, "no category cluster"
    assert drawn(page)["nodes"] < len(data["nodes"]) - len(far) + len(clusters) + 5
    label = page.evaluate(f"window.mdm2kg.network.body.nodes[{clusters[0]!r}].options.label")
    labels = page.evaluate("Array.from(window.mdm2kg.network.body.nodeIndices).filter(id => id.startsWith('cluster:'))"
                           ".map(id => window.mdm2kg.network.body.nodes[id].options.label)")
    assert any(text and text.split()[0].isdigit() for text in labels), labels
    before = drawn(page)["nodes"]
    page.evaluate(f"window.mdm2kg.network.focus({clusters[0]!r}, {{scale: 1.0, animation: false}})")
    page.mouse.click(*dom_point(page, clusters[0]))
    assert drawn(page)["nodes"] > before  # the cluster opened
    assert clusters[0] not in page.evaluate("window.mdm2kg.network.body.nodeIndices")
    del label
    page.screenshot(path=str(screenshots / "brigimadlin-expanded.png"))
    monitor.assert_clean()


def _hub_graph() -> nx.MultiDiGraph:
    """A hub with 60 statements: 40 out, 20 in; one negated; two statements on the same triple."""
    graph = nx.MultiDiGraph()
    graph.add_node("hub", label="Hub", category="Gene", synonyms=[], identifiers=[], description="")
    cite = Evidence("doc1", "§1", "hub binds", "review_statement", ())
    cite2 = Evidence("doc2", "Table 2", "hub binds too", "primary_result", ())
    for i in range(60):
        leaf = f"leaf{i:02d}"
        graph.add_node(leaf, label=f"Leaf {i:02d}", category="Compound" if i % 2 else "Site", synonyms=[], identifiers=[],
                       description="")
        predicate, label = ("binds", "binds") if i < 30 else ("inhibits", "inhibits")
        subject, obj = ("hub", leaf) if i < 40 else (leaf, "hub")
        negated = i == 45
        st = Statement(f"st{i:02d}", subject, predicate, obj, None, -1 if predicate == "inhibits" else 0, negated, (),
                       (cite, cite2) if i == 0 else (cite,), label, "biolink:related_to")
        graph.add_edge(subject, obj, key=st.id, statement=st, predicate=predicate, polarity=st.polarity, negated=negated)
    twin = Statement("st60", "hub", "binds", "leaf00", None, 0, False, (("site", "pocket"),), (cite,), "binds", "biolink:related_to")
    graph.add_edge("hub", "leaf00", key=twin.id, statement=twin, predicate="binds", polarity=0, negated=False)
    return graph


def test_details_group_page_and_reach_every_statement(open_page: Any, tmp_path: Path, screenshots: Path) -> None:
    page, monitor = open_page(write_page(Selection(_hub_graph(), focus="hub"), tmp_path / "hub.html"))
    assert page.text_content("#details .statements h2") == "Statements (61)"
    seen: list[str] = []
    lines: list[str] = []
    negated: list[str] = []
    for number in range(3):
        items = page.locator("#details li.statement")
        seen += [b.get_attribute("data-edge") or "" for b in items.locator("button.linkish").all()]
        lines += [t.strip() for t in items.locator("> .dir").all_text_contents()]
        negated += page.locator("#details li.statement.negated > button").all_text_contents()
        if number == 0:
            assert items.count() == 25
            assert page.locator("#details h4.predicate").first.text_content() == "binds (31)"
            page.screenshot(path=str(screenshots / "details-page1.png"))
        if number < 2:
            page.click("#details .pager .next")
    assert page.text_content("#details .pager .range") == "51–61 of 61"
    assert page.is_disabled("#details .pager .next")
    assert len(seen) == 61 and len(set(seen)) == 61  # every statement, once
    assert lines.count("→ out") == 41 and lines.count("← in") == 20
    assert negated == ["Leaf 45 does not inhibit"]
    page.click("#details .pager .prev")
    page.click("#details .pager .prev")
    first = page.locator("#details li.statement").first
    assert first.locator("ul.evidence li").count() == 2  # two evidence items under one statement line
    first.locator("button.linkish").click()
    assert page.get_attribute("#details", "data-kind") == "edge"
    assert page.evaluate("window.mdm2kg.network.getSelectedEdges()") == [seen[0]]
    monitor.assert_clean()
