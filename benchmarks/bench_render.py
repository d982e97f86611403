"""Network page speed: time to interactive in Debian's Chromium (headless, network blocked).

Time to interactive = from navigation start to the first frame vis-network draws (the page
records `performance.now()` at its first `afterDrawing`; positions are precomputed and physics
is off, so that frame is final and the page answers clicks from then on). Every figure is
printed with baselines measured in the same run:
  - a trivial page (browser + file load overhead), and
  - an empty network page (the inlined vis-network script parsed and run, no data).
Targets: full shipped graph <= 2 s, synthetic 5,000-node graph <= 5 s.
Also reported: Python render time (projection, layout, HTML), file size, and the time one
category toggle takes to redraw.

Its figures are recorded in benchmarks/results.json (`bench_render`), which the README quotes.

    python -m benchmarks.bench_render [--nodes 5000] [--repeat 3] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx

from benchmarks.results import RESULTS, record
from mdm2kg.curation.model import Evidence
from mdm2kg.read.views import Statement
from mdm2kg.render import Selection, render, write_page
from mdm2kg.render.page import CATEGORY_STYLE

TARGETS = {"shipped": 2000.0, "synthetic": 5000.0}  # milliseconds
TRIVIAL = "<!DOCTYPE html><html><head><meta charset='utf-8'><title>baseline</title></head><body><p>baseline</p>" \
          "<script>window.mdm2kg = {ready: true, interactiveMs: performance.now()};</script></body></html>"


def synthetic_graph(n: int, *, seed: int = 1) -> nx.MultiDiGraph:
    """A projection-shaped graph: n entities over every category, ~3 statements per entity."""
    rng = random.Random(seed)
    base = nx.barabasi_albert_graph(n, 3, seed=seed)
    categories = sorted(CATEGORY_STYLE)
    graph = nx.MultiDiGraph()
    for i in base:
        graph.add_node(f"E{i:05d}", label=f"Entity {i}", category=categories[i % len(categories)],
                       synonyms=[f"SYN-{i}"], identifiers=[], description=f"Synthetic entity {i}.")
    for j, (u, v) in enumerate(sorted(base.edges())):
        polarity = rng.choice((-1, 0, 1))
        st = Statement(f"stmt-{j:06d}", f"E{u:05d}", "regulates", f"E{v:05d}", None, polarity, False, (),
                       (Evidence("doc1", f"§{j % 9 + 1}", f"anchor {j}", "review_statement"),), "regulates", "biolink:regulates")
        graph.add_edge(st.subject, st.object, key=st.id, statement=st, predicate=st.predicate, polarity=polarity, negated=False)
    return graph


class Browser:
    """Chromium through Playwright with every non-file request aborted (and counted)."""

    def __init__(self, executable: str) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=executable, headless=True)
        self.outside_requests: list[str] = []

    def load(self, path: Path) -> tuple[float, float, dict[str, Any], Any, Any]:
        """(in-page ms to interactive, wall ms goto->ready, drawn counts, page, context)."""
        context = self._browser.new_context(viewport={"width": 1400, "height": 900})

        def gate(route: Any) -> None:
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                self.outside_requests.append(route.request.url)
                route.abort()

        context.route("**/*", gate)
        page = context.new_page()
        start = time.perf_counter()
        page.goto(path.resolve().as_uri())
        page.wait_for_function("window.mdm2kg && window.mdm2kg.ready === true", timeout=120_000, polling=5)
        wall = (time.perf_counter() - start) * 1000
        in_page = float(page.evaluate("window.mdm2kg.interactiveMs"))
        counts = page.evaluate("window.mdm2kg.drawn ? window.mdm2kg.drawn() : {}")
        return in_page, wall, counts, page, context

    def measure(self, path: Path, repeat: int) -> dict[str, Any]:
        in_page: list[float] = []
        wall: list[float] = []
        counts: dict[str, Any] = {}
        toggles: list[float] = []
        for _ in range(repeat):
            ms, w, counts, page, context = self.load(path)
            in_page.append(ms)
            wall.append(w)
            if counts:
                toggles.append(page.evaluate("""() => new Promise(resolve => {
                    const start = performance.now();
                    window.mdm2kg.network.once('afterDrawing', () => resolve(performance.now() - start));
                    document.querySelector('#categories input').click();
                })"""))
            context.close()
        return {"ms": statistics.median(in_page), "wall": statistics.median(wall), "counts": counts,
                "toggle": statistics.median(toggles) if toggles else None}

    def close(self) -> None:
        self._browser.close()
        self._pw.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5000, help="entities in the synthetic graph")
    parser.add_argument("--repeat", type=int, default=3, help="page loads per page (median reported)")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mdm2kg-bench-render-"))
    pages: dict[str, tuple[Path, float, int, int]] = {}

    trivial = work / "trivial.html"
    trivial.write_text(TRIVIAL, encoding="utf-8")
    one = nx.MultiDiGraph()
    one.add_node("x", label="x", category="Gene", synonyms=[], identifiers=[], description="")
    empty = write_page(Selection(one, title="baseline"), work / "vis-only.html")

    try:
        from mdm2kg.artifact.graph import KnowledgeGraph
        from mdm2kg.read import read_model
        from mdm2kg.read.network import entity_network

        kg = KnowledgeGraph.build()
        graph = entity_network(read_model(kg), include_negated=True)  # what the page draws
        start = time.perf_counter()
        path = render(kg, work / "shipped.html")
        pages["shipped"] = (path, time.perf_counter() - start, graph.number_of_nodes(), graph.number_of_edges())
    except Exception as exc:  # a broken curation state must not hide the synthetic figure
        print(f"shipped graph unavailable: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")

    synthetic = synthetic_graph(args.nodes)
    start = time.perf_counter()
    path = write_page(Selection(synthetic, title=f"synthetic {args.nodes}"), work / "synthetic.html")
    pages["synthetic"] = (path, time.perf_counter() - start, synthetic.number_of_nodes(), synthetic.number_of_edges())

    browser = Browser(args.chromium)
    figures: dict[str, float] = {}
    try:
        browser.load(trivial)[4].close()  # warm the browser process once
        base = browser.measure(trivial, args.repeat)
        vis = browser.measure(empty, args.repeat)
        print(f"Chromium time to interactive (median of {args.repeat}; from navigation start to first drawn frame)")
        print(f"  baseline trivial page        {base['ms']:8.0f} ms")
        print(f"  baseline empty network page  {vis['ms']:8.0f} ms   ({vis['ms'] / base['ms']:.1f}x trivial)")
        figures |= {"trivial page time to interactive s": base["ms"] / 1000, "empty network page time to interactive s": vis["ms"] / 1000}
        for name, (path, render_s, nodes, edges) in pages.items():
            result = browser.measure(path, args.repeat)
            drawn = result["counts"]
            ok = drawn == {"nodes": nodes, "edges": edges}
            verdict = "meets" if result["ms"] <= TARGETS[name] else "MISSES"
            print(f"  {name:9s} {nodes:5d} nodes {edges:6d} edges  {result['ms']:8.0f} ms   "
                  f"({result['ms'] / base['ms']:.1f}x trivial, {result['ms'] / vis['ms']:.1f}x empty network)  "
                  f"{verdict} target {TARGETS[name] / 1000:g} s")
            figures |= {f"{name} nodes": nodes, f"{name} edges": edges, f"{name} time to interactive s": result["ms"] / 1000,
                        f"{name} ratio to trivial page": result["ms"] / base["ms"],
                        f"{name} ratio to empty network page": result["ms"] / vis["ms"],
                        f"{name} category toggle redraw s": (result["toggle"] or 0) / 1000, f"{name} render in Python s": render_s,
                        f"{name} page MB": path.stat().st_size / 1e6}
            print(f"            wall goto->ready {result['wall']:.0f} ms; category toggle redraw {result['toggle']:.0f} ms; "
                  f"drawn counts {'match' if ok else f'DIFFER {drawn}'}; "
                  f"render in Python {render_s:.2f} s; page {path.stat().st_size / 1e6:.2f} MB")
        print(f"requests to other hosts: {len(browser.outside_requests)}")
        record("bench_render", figures)
        print(f"figures recorded in {RESULTS}")
    finally:
        browser.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
