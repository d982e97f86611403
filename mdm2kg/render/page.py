"""The interactive network page: one self-contained HTML file that works offline.

The page inlines vis-network (vendored from npm into assets/vendor), its own CSS and script, and the
selected subgraph as JSON; it loads nothing from anywhere. Positions are computed here with a
seeded force-directed layout and physics stays off in the browser, so the first frame is final
and two renders of the same graph are byte-identical. Curated text travels only as JSON data and
is written into the page with `textContent`, and a Content-Security-Policy allows only the two
inline scripts by hash, so a hostile label cannot run.

>>> from mdm2kg.artifact.graph import KnowledgeGraph                      # doctest: +SKIP
>>> render(KnowledgeGraph.build(), "mdm2.html", focus="MDM2")  # doctest: +SKIP
PosixPath('mdm2.html')
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any

from mdm2kg.errors import NotFoundError, RuntimeFailure, UsageError
from mdm2kg.fileio import atomic_write
from mdm2kg.read.model import read_model
from mdm2kg.read.network import entity_network
from mdm2kg.render.layout import layout

if TYPE_CHECKING:
    import networkx as nx

    from mdm2kg.artifact.graph import KnowledgeGraph
    from mdm2kg.curation.model import Evidence
    from mdm2kg.read.views import Statement

VIS_NETWORK = ("assets", "vendor", "vis-network.min.js")  # vendored from npm vis-network 9.1.13 (Apache-2.0 OR MIT)

# Colour and vis-network shape per curated category, grouped by shape: no two categories share a
# pair, and categories sharing a shape have clearly different colours (tests/test_render.py checks
# both). Unknown categories get a stable fallback.
CATEGORY_STYLE: dict[str, tuple[str, str]] = {
    "Gene": ("#1f77b4", "dot"),
    "BiologicalProcess": ("#98df8a", "dot"),
    "DosingSchedule": ("#7f7f7f", "dot"),
    "TrialArm": ("#e7ba52", "dot"),
    "Pathway": ("#2ca02c", "square"),
    "DrugClass": ("#ff9896", "square"),
    "ClinicalTrial": ("#9467bd", "square"),
    "Assay": ("#bcbd22", "square"),
    "ProteinDomain": ("#aec7e8", "triangle"),
    "Endpoint": ("#ad494a", "triangle"),
    "Biomarker": ("#31a354", "triangle"),
    "Site": ("#17becf", "triangleDown"),
    "CellularComponent": ("#637939", "triangleDown"),
    "AdverseEvent": ("#d6616b", "triangleDown"),
    "SequenceVariant": ("#9edae5", "diamond"),
    "Compound": ("#d62728", "diamond"),
    "ToxicityMechanism": ("#8c6d31", "diamond"),
    "CellType": ("#8c564b", "star"),
    "Therapy": ("#e377c2", "star"),
    "Indication": ("#ff7f0e", "star"),
    "Complex": ("#393b79", "hexagon"),
    "ResistanceMechanism": ("#c5b0d5", "hexagon"),
    "ExperimentalSystem": ("#e6550d", "hexagon"),
    "Structure": ("#6baed6", "hexagon"),
}
_FALLBACK_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f")
_FALLBACK_SHAPES = ("dot", "square", "diamond", "triangle", "triangleDown", "star", "hexagon")


@dataclass(frozen=True, slots=True)
class PagePath:
    """One highlighted path: its entities in order, the statements it uses and its net sign."""

    nodes: tuple[str, ...]
    edges: tuple[str, ...]
    polarity: int | None  # None for a head-on route


@dataclass(frozen=True, slots=True)
class Selection:
    """What a page shows: a subgraph of the entity projection, an optional focus and paths."""

    graph: nx.MultiDiGraph
    focus: str | None = None
    paths: tuple[PagePath, ...] = ()
    title: str = "mdm2kg network"
    radius: int | None = None  # the focus radius; 2 or more collapses entities 2+ hops away into category clusters

    @property
    def collapses(self) -> bool:
        """Whether far entities (2+ hops from the focus) start collapsed into category clusters."""
        return self.focus is not None and self.radius is not None and self.radius >= 2


def category_style(category: str) -> tuple[str, str]:
    """(colour, shape) for a category; stable across runs for categories not in the table.

    >>> category_style("Compound")
    ('#d62728', 'diamond')
    """
    if category in CATEGORY_STYLE:
        return CATEGORY_STYLE[category]
    digest = hashlib.sha256(category.encode()).digest()
    return _FALLBACK_COLOURS[digest[0] % len(_FALLBACK_COLOURS)], _FALLBACK_SHAPES[digest[1] % len(_FALLBACK_SHAPES)]


def select(
    kg: KnowledgeGraph,
    *,
    focus: str | None = None,
    radius: int = 1,
    path_between: tuple[str, str] | None = None,
    categories: Iterable[str] | None = None,
    max_paths: int = 3,
) -> Selection:
    """Choose the subgraph to draw.

    The whole projection by default; `focus` keeps the entities within `radius` hops (either
    direction); `path_between` adds the best paths from `mdm2kg.paths.find_paths`; `categories`
    then keeps only entities of those categories, though the focus and path entities always stay.
    Raises NotFoundError for an unknown entity or when no path exists, UsageError for a bad option.
    """
    import networkx as nx

    model = read_model(kg)
    full: nx.MultiDiGraph = entity_network(model, include_negated=True)  # drawn, and labelled, as negated
    keep: set[str] | None = None
    pinned: set[str] = set()
    focus_id: str | None = None
    titles: list[str] = []
    if focus is not None:
        if radius < 0:
            raise UsageError(f"radius must be 0 or more, not {radius}")
        focus_id = model.resolve(focus)
        keep = set(nx.ego_graph(full, focus_id, radius=radius, undirected=True))
        pinned.add(focus_id)
        titles.append(f"neighbourhood of {full.nodes[focus_id]['label']} (radius {radius})")
    paths: tuple[PagePath, ...] = ()
    if path_between is not None:
        from mdm2kg.paths import find_paths

        if max_paths < 1:
            raise UsageError(f"max_paths must be 1 or more, not {max_paths}")
        source, target = path_between
        search = find_paths(kg, source, target, limit=max_paths)
        if not search.paths:
            raise NotFoundError(f"no path between '{source}' and '{target}': {search.message or 'nothing found'}")
        paths = tuple(PagePath(tuple(p.nodes), tuple(h.statement.id for h in p.hops), p.polarity) for p in search.paths)
        on_paths = {node for p in paths for node in p.nodes}
        keep = on_paths if keep is None else keep | on_paths
        pinned |= on_paths
        ends = [full.nodes[found[0]]["label"] if len(found) == 1 else text
                for found, text in ((search.sources, source), (search.targets, target))]
        titles.append(f"paths from {ends[0]} to {ends[1]}")
    if categories:
        wanted = _canonical_categories(full, categories)
        base = set(full) if keep is None else keep
        keep = {n for n in base if full.nodes[n]["category"] in wanted} | pinned
        titles.append(", ".join(sorted(wanted)))
    graph = full if keep is None else full.subgraph(keep)
    if graph.number_of_nodes() == 0:
        raise NotFoundError("nothing to draw: the selection holds no entities")
    return Selection(graph, focus_id, paths, "mdm2kg: " + ("; ".join(titles) or "whole graph"),
                     radius if focus_id is not None else None)


def _canonical_categories(graph: nx.MultiDiGraph, requested: Iterable[str]) -> set[str]:
    present = {data["category"] for _, data in graph.nodes(data=True)}
    by_lower = {c.lower(): c for c in present}
    wanted, unknown = set(), []
    for name in requested:
        match = by_lower.get(name.lower())
        if match is None:
            unknown.append(name)
        else:
            wanted.add(match)
    if unknown:
        raise UsageError(f"unknown categor{'y' if len(unknown) == 1 else 'ies'} {', '.join(map(repr, unknown))}; "
                         f"categories in the graph: {', '.join(sorted(present))}")
    return wanted


def page_data(selection: Selection, *, source_titles: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The JSON the page script reads: categories, positioned nodes, edges, paths; sorted."""
    from mdm2kg.prefixes import resolver_url

    graph = selection.graph
    titles = source_titles or {}
    on_path_nodes = {n for p in selection.paths for n in p.nodes}
    on_path_edges = {e for p in selection.paths for e in p.edges}
    counts: dict[str, int] = defaultdict(int)
    positions = layout(graph)
    degree = dict.fromkeys(graph, 0)  # statements in view touching the entity: label priority on the page
    for u, v in graph.edges():
        if u != v:
            degree[u] += 1
            degree[v] += 1
    hops: dict[str, int] = {}
    if selection.collapses and selection.focus in graph:
        import networkx as nx

        hops = dict(nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), selection.focus))
    nodes = []
    for node in sorted(graph):
        attrs = graph.nodes[node]
        counts[attrs["category"]] += 1
        x, y = positions[node]
        item: dict[str, Any] = {"id": node, "label": attrs.get("label") or node, "category": attrs["category"], "x": x, "y": y,
                                "degree": degree[node]}
        if node in hops:
            item["hop"] = hops[node]
        if attrs.get("synonyms"):
            item["synonyms"] = list(attrs["synonyms"])
        if attrs.get("identifiers"):
            item["identifiers"] = [{"curie": curie, **({"url": url} if (url := _web_url(resolver_url(curie))) else {})}
                                   for curie in attrs["identifiers"]]
        if attrs.get("description"):
            item["description"] = attrs["description"]
        if node == selection.focus:
            item["focus"] = True
        if node in on_path_nodes:
            item["path"] = True
        nodes.append(item)
    edges = []
    for u, v, key, attrs in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        st: Statement = attrs["statement"]
        item = {"id": key, "from": u, "to": v, "predicate": st.predicate, "label": st.verb(), "polarity": st.polarity,
                "predicateLabel": st.predicate_label or st.predicate.replace("_", " ")}
        if st.negated:
            item["negated"] = True
        if st.qualifiers:
            item["qualifiers"] = sorted([name, str(value)] for name, value in st.qualifiers)
        if st.evidence:
            item["citations"] = [_citation(c, titles) for c in st.evidence]
        if key in on_path_edges:
            item["path"] = True
        edges.append(item)
    _assign_curves(edges)
    categories = [{"name": name, "color": category_style(name)[0], "shape": category_style(name)[1], "count": counts[name]}
                  for name in sorted(counts)]
    return {
        "title": selection.title, "categories": categories, "nodes": nodes, "edges": edges,
        "paths": [{"nodes": list(p.nodes), "edges": list(p.edges), "polarity": p.polarity} for p in selection.paths],
        "focus": selection.focus, "collapse": selection.collapses,
    }


def _web_url(url: str | None) -> str | None:
    return url if url and re.match(r"^https?://\S+$", url) else None


def _citation(citation: Evidence, titles: Mapping[str, str]) -> dict[str, Any]:
    item: dict[str, Any] = {"source": citation.source, "locator": citation.locator, "anchor": citation.anchor,
                            "kind": citation.kind}
    if citation.source in titles:
        item["title"] = titles[citation.source]
    if citation.cites:
        item["cites"] = list(citation.cites)
    return item


def _assign_curves(edges: list[dict[str, Any]]) -> None:
    """Bend parallel statements between the same two entities apart (0, +1, -1, +2, ...)."""
    bundles: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for edge in edges:
        if edge["from"] != edge["to"]:
            bundles[(min(edge["from"], edge["to"]), max(edge["from"], edge["to"]))].append(edge)
    for (low, _), bundle in bundles.items():
        for i, edge in enumerate(bundle[1:], start=1):
            curve = (i + 1) // 2 * (1 if i % 2 else -1)
            edge["curve"] = curve if edge["from"] == low else -curve


@lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    vis = files("mdm2kg.render").joinpath(*VIS_NETWORK).read_text(encoding="utf-8")
    vis = re.sub(r"^//# sourceMappingURL=.*$", "", vis, flags=re.MULTILINE).rstrip()
    assets = files("mdm2kg.render").joinpath("assets")
    page = {name: assets.joinpath(f"page.{name}").read_text(encoding="utf-8") for name in ("html", "css", "js")}
    for name, text in (("vis-network", vis), ("page.js", page["js"])):
        if re.search(r"</script|<!--", text, flags=re.IGNORECASE):
            raise RuntimeFailure(f"{name} cannot be inlined in a <script> element (damaged installation?)")
    return {"template": page["html"], "css": page["css"], "pagejs": page["js"].rstrip(), "visjs": vis}


def _script_hash(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii") + "'"


def _json_for_script(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def page_html(selection: Selection, *, source_titles: Mapping[str, str] | None = None, title: str | None = None) -> str:
    """The whole page as a string (what `render` writes)."""
    assets = _assets()
    # each inline script is the text between its tags: a newline, the code, a newline
    visjs, pagejs = assets["visjs"], assets["pagejs"]
    csp = ("default-src 'none'; "
           f"script-src {_script_hash(chr(10) + visjs + chr(10))} {_script_hash(chr(10) + pagejs + chr(10))}; "
           "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")
    data = page_data(selection, source_titles=source_titles)
    if title is not None:
        data["title"] = title
    return Template(assets["template"]).substitute(
        csp=csp, title=html.escape(data["title"]), css=assets["css"].rstrip(), data=_json_for_script(data),
        visjs=visjs, pagejs=pagejs,
    )


def publication_titles(kg: KnowledgeGraph) -> dict[str, str]:
    """Publication id -> title, to name citation sources on the page."""
    return {pid: pub.title for pid, pub in read_model(kg).publications.items()}


def write_page(selection: Selection, path: str | Path, *, source_titles: Mapping[str, str] | None = None,
               title: str | None = None) -> Path:
    """Write the page for `selection` atomically and return its path."""
    target = Path(path)
    atomic_write(target, page_html(selection, source_titles=source_titles, title=title).encode("utf-8"))
    return target


def render(
    kg: KnowledgeGraph,
    path: str | Path,
    *,
    focus: str | None = None,
    radius: int = 1,
    path_between: tuple[str, str] | Sequence[str] | None = None,
    categories: Iterable[str] | None = None,
    title: str | None = None,
    max_paths: int = 3,
) -> Path:
    """Write the interactive network page for `kg` (or a focus / path / category view) to `path`.

    >>> render(kg, "mdm2.html", focus="MDM2", radius=2)   # doctest: +SKIP
    PosixPath('mdm2.html')
    """
    pair: tuple[str, str] | None = None
    if path_between is not None:
        if len(path_between) != 2:
            raise UsageError("path_between takes exactly two entities: (source, target)")
        pair = (path_between[0], path_between[1])
    selection = select(kg, focus=focus, radius=radius, path_between=pair, categories=categories, max_paths=max_paths)
    return write_page(selection, path, source_titles=publication_titles(kg), title=title)
