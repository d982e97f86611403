"""The network page without a browser: subsets, offline-ness, escaping, determinism, CLI."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from mdm2kg.curation.model import Evidence
from mdm2kg.errors import NotFoundError, UsageError
from mdm2kg.read.views import Statement
from mdm2kg.render import Selection, category_style, layout, page_html, render, select
from tests.cli_runner import invoke

from .conftest import FIXTURES

HOSTILE = "<img src=x onerror=alert(1)>"
TINY_CATEGORIES = ["AdverseEvent", "BiologicalProcess", "ClinicalTrial", "Compound", "DrugClass", "Gene",
                   "ResistanceMechanism", "TrialArm"]


def page_json(text: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="mdm2kg-data">(.*?)</script>', text, re.DOTALL)
    assert match, "the page has no data block"
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def rendered(kg: Any, tmp_path: Path, **options: Any) -> tuple[str, dict[str, Any]]:
    out = render(kg, tmp_path / "page.html", **options)
    text = out.read_text(encoding="utf-8")
    return text, page_json(text)


class _Tags(HTMLParser):
    """Every start tag with its attributes (script bodies are not parsed as markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(text: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(text)
    return parser.tags


def ids(data: dict[str, Any]) -> set[str]:
    return {n["id"] for n in data["nodes"]}


def triples(data: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(e["from"], e["predicate"], e["to"]) for e in data["edges"]}


# ---- which subgraph is drawn -----------------------------------------------------------------

def test_whole_graph(tiny_kg: Any, tmp_path: Path) -> None:
    _, data = rendered(tiny_kg, tmp_path)
    assert len(data["nodes"]) == 11 and len(data["edges"]) == 10
    assert [c["name"] for c in data["categories"]] == TINY_CATEGORIES
    assert {c["name"]: c["count"] for c in data["categories"]}["Gene"] == 3
    assert data["title"] == "mdm2kg: whole graph"


def test_focus_radius_one_by_synonym(tiny_kg: Any, tmp_path: Path) -> None:
    _, data = rendered(tiny_kg, tmp_path, focus="G1")
    assert ids(data) == {"GENE1", "GENE2", "GENE3", "drugA", "drugB"}
    assert triples(data) == {("drugA", "inhibits", "GENE1"), ("drugB", "inhibits", "GENE1"),
                             ("GENE3", "activates", "GENE1"), ("GENE1", "ubiquitinates", "GENE2")}
    assert data["focus"] == "GENE1"
    assert [n["id"] for n in data["nodes"] if n.get("focus")] == ["GENE1"]


def test_focus_radius_zero_and_two(tiny_kg: Any, tmp_path: Path) -> None:
    _, zero = rendered(tiny_kg, tmp_path, focus="GENE1", radius=0)
    assert ids(zero) == {"GENE1"} and zero["edges"] == []
    _, two = rendered(tiny_kg, tmp_path, focus="GENE1", radius=2)
    assert ids(two) == {"GENE1", "GENE2", "GENE3", "drugA", "drugB", "classA", "NCT00000001", "proc1", "mechX"}
    assert len(two["edges"]) == 9  # every statement except the trial's has_arm


def test_category_subset(tiny_kg: Any, tmp_path: Path) -> None:
    _, data = rendered(tiny_kg, tmp_path, categories=["gene", "Compound"])  # names are case-insensitive
    assert ids(data) == {"GENE1", "GENE2", "GENE3", "drugA", "drugB"}
    assert len(data["edges"]) == 4
    assert [c["name"] for c in data["categories"]] == ["Compound", "Gene"]


def test_focus_entity_survives_category_filter(tiny_kg: Any, tmp_path: Path) -> None:
    _, data = rendered(tiny_kg, tmp_path, focus="drugA", categories=["Gene"])
    assert ids(data) == {"drugA", "GENE1"}
    assert triples(data) == {("drugA", "inhibits", "GENE1")}


def test_path_view_highlights_the_best_path(tiny_kg: Any, tmp_path: Path) -> None:
    _, data = rendered(tiny_kg, tmp_path, path_between=("Drug B", "apoptosis"))
    assert ids(data) == {"drugB", "GENE1", "GENE2", "proc1"}
    assert len(data["edges"]) == 3 and all(e.get("path") for e in data["edges"])
    assert data["paths"][0]["nodes"] == ["drugB", "GENE1", "GENE2", "proc1"]
    assert data["paths"][0]["polarity"] == 1  # (−)(−)(+)
    assert {e["id"] for e in data["edges"]} == set(data["paths"][0]["edges"])


def test_unknown_things_are_reported(tiny_kg: Any) -> None:
    with pytest.raises(NotFoundError):
        select(tiny_kg, focus="no such entity")
    with pytest.raises(NotFoundError, match="no path"):
        select(tiny_kg, path_between=("ae1", "GENE1"))
    with pytest.raises(UsageError, match="categories in the graph: AdverseEvent"):
        select(tiny_kg, categories=["Nope"])
    with pytest.raises(UsageError):
        select(tiny_kg, focus="GENE1", radius=-1)


# ---- details carried to the page ---------------------------------------------------------------

def test_node_and_edge_details(tiny_kg: Any, tmp_path: Path) -> None:
    _, data = rendered(tiny_kg, tmp_path)
    gene1 = next(n for n in data["nodes"] if n["id"] == "GENE1")
    assert gene1["label"] == "Gene One" and gene1["category"] == "Gene" and gene1["description"] == "A ligase."
    assert HOSTILE in gene1["synonyms"]
    assert gene1["identifiers"] == [{"curie": "HGNC:6973",
                                     "url": "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:6973"}]
    edge = next(e for e in data["edges"] if e["from"] == "drugA" and e["to"] == "GENE1")
    assert edge["predicate"] == "inhibits" and edge["polarity"] == -1
    assert edge["citations"] == [{"source": "doc1", "title": "A tiny review", "locator": "§1", "anchor": "drug A inhibits",
                                  "kind": "review_statement", "cites": ["doc1_ref01"]}]
    ubiq = next(e for e in data["edges"] if e["predicate"] == "ubiquitinates")
    assert ubiq["qualifiers"] == [["site", "Lys120"]]


# ---- offline, escaped, deterministic -----------------------------------------------------------

def test_page_is_self_contained(tiny_kg: Any, tmp_path: Path) -> None:
    text, _ = rendered(tiny_kg, tmp_path)
    assert not re.search(r"""\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", text, re.IGNORECASE)
    assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", text, re.IGNORECASE)
    assert "sourceMappingURL" not in text
    elements = tags(text)
    assert not [t for t, _ in elements if t in {"link", "img", "iframe", "object", "embed", "base", "video", "audio"}]
    assert not [(t, a) for t, a in elements for name in ("src", "href", "srcset", "action") if name in a]
    assert [a.get("type") for t, a in elements if t == "script"] == ["application/json", None, None]
    assert "vis-network" in text and "@version 9.1.13" in text  # vis-network vendored from npm, inlined
    assert "bootstrap" not in text.lower() and not re.search(r"cdn[\w.-]*\.(?:com|net|org)|unpkg|jsdelivr", text, re.IGNORECASE)


def test_csp_allows_exactly_the_inline_scripts(tiny_kg: Any, tmp_path: Path) -> None:
    text, _ = rendered(tiny_kg, tmp_path)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text)
    assert csp and "default-src 'none'" in csp.group(1)
    scripts = re.findall(r"<script>(.*?)</script>", text, re.DOTALL)
    assert len(scripts) == 2
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp.group(1)
    assert "unsafe-inline" not in csp.group(1).split("script-src")[1].split(";")[0]


def test_hostile_text_is_never_markup(tiny_kg: Any, tmp_path: Path) -> None:
    title = '</title><script>alert("t")</script>'
    text, data = rendered(tiny_kg, tmp_path, title=title)
    assert HOSTILE not in text and "<img" not in text
    assert "<script>alert" not in text
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;</title>" in text
    assert data["title"] == title  # the JSON still round-trips the exact text
    page_js = (Path(__file__).parent.parent / "mdm2kg" / "render" / "assets" / "page.js").read_text(encoding="utf-8")
    assert "innerHTML" not in page_js and "insertAdjacentHTML" not in page_js and "document.write" not in page_js


def test_output_is_deterministic(tiny_kg: Any, tmp_path: Path) -> None:
    first = render(tiny_kg, tmp_path / "a.html", focus="GENE1", radius=2).read_bytes()
    second = render(tiny_kg, tmp_path / "b.html", focus="GENE1", radius=2).read_bytes()
    assert first == second


def test_layout_is_seeded_and_spread() -> None:
    graph = nx.cycle_graph([f"n{i}" for i in range(30)])
    positions = layout(graph)
    assert positions == layout(graph)
    assert len({p for p in positions.values()}) == 30
    xs = [p[0] for p in positions.values()]
    assert max(xs) - min(xs) > 200  # pixels: not collapsed onto a point


def test_parallel_statements_are_bent_apart(tmp_path: Path) -> None:
    graph = nx.MultiDiGraph()
    for node in ("a", "b"):
        graph.add_node(node, label=node.upper(), category="Gene", synonyms=[], identifiers=[], description="")
    cite = (Evidence("doc", "§1", "x", "review_statement"),)
    for key, (u, v) in {"s1": ("a", "b"), "s2": ("a", "b"), "s3": ("b", "a")}.items():
        st = Statement(key, u, "p", v, None, 0, False, (), cite, "p", "biolink:related_to")
        graph.add_edge(u, v, key=key, statement=st, predicate="p", polarity=0, negated=False)
    data = page_json(page_html(Selection(graph)))
    assert [e.get("curve", 0) for e in data["edges"]] == [0, 1, 1]  # s3 runs backwards: same side, opposite sense


def test_category_style_is_stable() -> None:
    assert category_style("Gene") == ("#1f77b4", "dot")
    assert category_style("SomethingNew") == category_style("SomethingNew")


# ---- command line -------------------------------------------------------------------------------

def test_cli_writes_and_says_where(tmp_path: Path) -> None:
    out = tmp_path / "net.html"
    result = invoke(["render", "--data", str(FIXTURES / "tiny"), "-o", str(out),
                                       "--focus", "GENE1", "--radius", "1", "--category", "Gene"])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    assert ids(page_json(out.read_text(encoding="utf-8"))) == {"GENE1", "GENE2", "GENE3"}


def test_cli_path_and_errors(tmp_path: Path) -> None:
    tiny = str(FIXTURES / "tiny")
    ok = invoke(["render", "--data", tiny, "-o", str(tmp_path / "p.html"), "--path", "drugB", "proc1"])
    assert ok.exit_code == 0, ok.output
    assert len(page_json((tmp_path / "p.html").read_text(encoding="utf-8"))["paths"]) == 1
    unknown = invoke(["render", "--data", tiny, "-o", str(tmp_path / "x.html"), "--focus", "nothing"])
    assert unknown.exit_code == 1 and not (tmp_path / "x.html").exists()
    bad = invoke(["render", "--data", tiny, "-o", str(tmp_path / "x.html"), "--category", "Nope"])
    assert bad.exit_code == 2 and "unknown category" in bad.output


# ---- the shipped graph and the notebook helper ------------------------------------------------------

def test_shipped_graph_page_holds_the_whole_projection(shipped_kg: Any, tmp_path: Path) -> None:
    from mdm2kg.read import read_model
    from mdm2kg.read.network import entity_network
    from mdm2kg.render.page import CATEGORY_STYLE

    graph = entity_network(read_model(shipped_kg), include_negated=True)  # negated statements are drawn as such
    _, data = rendered(shipped_kg, tmp_path)
    assert sum(bool(e.get("negated")) for e in data["edges"]) == 5
    assert len(data["nodes"]) == graph.number_of_nodes() and len(data["edges"]) == graph.number_of_edges()
    assert {c["name"] for c in data["categories"]} <= set(CATEGORY_STYLE)  # each shipped category has its own style
    assert all(c.get("url", "https://").startswith(("https://", "http://")) for n in data["nodes"]
               for c in n.get("identifiers", []))


def test_notebook_display_is_one_escaped_iframe(tiny_kg: Any) -> None:
    pytest.importorskip("IPython")
    from mdm2kg.render import display

    shown = display(tiny_kg, focus="GENE1", title="Gene One")
    assert shown.data.startswith('<div><iframe srcdoc="&lt;!DOCTYPE html&gt;')
    assert shown.data.count("<") == 4 and HOSTILE not in shown.data  # div and iframe tags; the page is all escaped


def test_every_category_has_its_own_colour_and_shape() -> None:
    from itertools import combinations

    from mdm2kg.render.page import CATEGORY_STYLE

    classes = (Path(__file__).parents[1] / "ontology" / "mdm2kg.ttl").read_text(encoding="utf-8")
    for name in ("Endpoint", "ExperimentalSystem", "CellType", "ResistanceMechanism"):
        assert f"mdm2kg:{name} a" in classes and name in CATEGORY_STYLE
    assert len(set(CATEGORY_STYLE.values())) == len(CATEGORY_STYLE)  # no two categories share a pair
    assert len({colour for colour, _ in CATEGORY_STYLE.values()}) == len(CATEGORY_STYLE)

    def rgb(colour: str) -> tuple[int, ...]:
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))

    for (a, (colour_a, shape_a)), (b, (colour_b, shape_b)) in combinations(CATEGORY_STYLE.items(), 2):
        if shape_a == shape_b:  # same shape: the colours must tell them apart
            distance = sum((x - y) ** 2 for x, y in zip(rgb(colour_a), rgb(colour_b), strict=True)) ** 0.5
            assert distance >= 85, f"{a} and {b} are both {shape_a}s in near colours"


def test_focus_radius_two_marks_far_entities_for_clusters(tiny_kg: Any, tmp_path: Path) -> None:
    _, one = rendered(tiny_kg, tmp_path, focus="GENE1")
    assert one["collapse"] is False and all("hop" not in n for n in one["nodes"])
    _, two = rendered(tiny_kg, tmp_path, focus="GENE1", radius=2)
    hops = {n["id"]: n["hop"] for n in two["nodes"]}
    assert two["collapse"] is True and hops["GENE1"] == 0 and hops["drugA"] == 1
    assert {n for n, h in hops.items() if h >= 2}  # something to collapse
    degree = {n["id"]: n["degree"] for n in one["nodes"]}
    assert degree["GENE1"] == 4
    assert all(e["predicateLabel"] for e in two["edges"])
