"""The interactive network page: one self-contained HTML file that works offline.

The page inlines vis-network (taken from the pyvis package), its own CSS and script, and the
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
import math
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

if TYPE_CHECKING:
    import networkx as nx

    from mdm2kg.artifact.graph import KnowledgeGraph
    from mdm2kg.curation.model import Evidence
    from mdm2kg.read.views import Statement

VIS_NETWORK = ("lib", "vis-9.1.2", "vis-network.min.js")  # inside the pyvis package

# Colour and vis-network shape per curated category; unknown categories get a stable fallback.
CATEGORY_STYLE: dict[str, tuple[str, str]] = {
    "Gene": ("#1f77b4", "dot"),
    "ProteinDomain": ("#6baed6", "triangle"),
    "Site": ("#9ecae1", "triangleDown"),
    "SequenceVariant": ("#17becf", "diamond"),
    "Complex": ("#393b79", "hexagon"),
    "Pathway": ("#2ca02c", "square"),
    "BiologicalProcess": ("#98df8a", "dot"),
    "CellularComponent": ("#637939", "triangleDown"),
    "CellType": ("#8c6d31", "hexagon"),
    "Compound": ("#d62728", "diamond"),
    "DrugClass": ("#ff9896", "square"),
    "Therapy": ("#e377c2", "star"),
    "ClinicalTrial": ("#9467bd", "square"),
    "TrialArm": ("#c5b0d5", "triangle"),
    "Indication": ("#ff7f0e", "star"),
    "Biomarker": ("#bcbd22", "triangle"),
    "ResistanceMechanism": ("#8c564b", "hexagon"),
    "ToxicityMechanism": ("#c49c94", "diamond"),
    "AdverseEvent": ("#e7ba52", "triangleDown"),
    "Assay": ("#7f7f7f", "square"),
    "DosingSchedule": ("#c7c7c7", "dot"),
    "Structure": ("#843c39", "star"),
}
_FALLBACK_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f")
_FALLBACK_SHAPES = ("dot", "square", "diamond", "triangle", "triangleDown", "star", "hexagon")
PIXELS_PER_UNIT = 110.0  # the layout's ideal edge length is one unit
GRAVITY = 0.5  # pull towards the centre, so separate components stay near each other


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
    return Selection(graph, focus_id, paths, "mdm2kg: " + ("; ".join(titles) or "whole graph"))


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


def layout(graph: nx.Graph | nx.MultiDiGraph, *, seed: int = 7, iterations: int | None = None) -> dict[str, tuple[float, float]]:
    """Positions in pixels, deterministic for a given graph and seed (node order sorted by id).

    Connected entities get a Fruchterman-Reingold layout; entities without any statement in
    view are set out on a grid below it, so they neither drift off nor shrink the first view.

    >>> import networkx as nx
    >>> pos = layout(nx.path_graph(["a", "b", "c"]))
    >>> sorted(pos) == ["a", "b", "c"] and pos == layout(nx.path_graph(["a", "b", "c"]))
    True
    """
    names = sorted(graph)
    linked = sorted({n for u, v in graph.edges() if u != v for n in (u, v)})
    alone = [name for name in names if name not in set(linked)]
    index = {name: i for i, name in enumerate(linked)}
    pairs = sorted({(min(index[u], index[v]), max(index[u], index[v])) for u, v in graph.edges() if u != v})
    coords = _force_layout(len(linked), pairs, seed=seed, iterations=iterations)
    positions = dict(zip(linked, coords, strict=True))
    if alone:
        columns = max(1, math.ceil(math.sqrt(len(alone) * 3)))
        xs = [x for x, _ in coords] or [0.0]
        top = max((y for _, y in coords), default=-1.5) + 1.5
        left = (min(xs) + max(xs)) / 2 - (min(columns, len(alone)) - 1) / 2 * 1.5
        for i, name in enumerate(alone):
            positions[name] = (left + (i % columns) * 1.5, top + (i // columns) * 1.0)
    return {name: (round(positions[name][0] * PIXELS_PER_UNIT, 1), round(positions[name][1] * PIXELS_PER_UNIT, 1))
            for name in names}


def _force_layout(n: int, pairs: list[tuple[int, int]], *, seed: int, iterations: int | None) -> list[tuple[float, float]]:
    """Fruchterman-Reingold in layout units (ideal edge length 1), centred on the origin.

    Exact O(n²) repulsion vectorised in numpy (chunked, float32): 5,000 nodes take a few
    seconds where networkx's spring_layout takes half a minute.
    """
    import numpy as np

    if n <= 1:
        return [(0.0, 0.0)] * n
    edges = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    side = math.sqrt(n)
    rng = np.random.default_rng(seed)
    pos = ((rng.random((n, 2)) - 0.5) * side).astype(np.float32)
    steps = iterations if iterations is not None else (60 if n <= 2000 else 40)
    temperature = side / 8
    chunk = max(64, 4_000_000 // n)
    for _ in range(steps):
        disp = np.zeros_like(pos)
        x, y = pos[:, 0], pos[:, 1]
        for start in range(0, n, chunk):
            dx = x[start:start + chunk, None] - x[None, :]
            dy = y[start:start + chunk, None] - y[None, :]
            weight = dx * dx + dy * dy
            np.maximum(weight, 1e-3, out=weight)
            np.reciprocal(weight, out=weight)  # repulsion k²/d with k = 1, along (dx, dy)/d
            disp[start:start + chunk, 0] += (dx * weight).sum(axis=1)
            disp[start:start + chunk, 1] += (dy * weight).sum(axis=1)
        if len(edges):
            delta = pos[edges[:, 0]] - pos[edges[:, 1]]
            pull = delta * np.sqrt((delta * delta).sum(axis=1))[:, None]  # attraction d²/k
            np.subtract.at(disp, edges[:, 0], pull)
            np.add.at(disp, edges[:, 1], pull)
        disp -= GRAVITY * (pos - pos.mean(axis=0))  # keeps separate components near each other
        length = np.maximum(np.sqrt((disp * disp).sum(axis=1)), 1e-6)
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        temperature *= 0.93
    pos -= pos.mean(axis=0)
    if len(edges):  # small views settle tighter than the ideal length: stretch them back (never shrink)
        delta = pos[edges[:, 0]] - pos[edges[:, 1]]
        median = float(np.median(np.sqrt((delta * delta).sum(axis=1))))
        pos *= min(3.0, max(1.0, 1.0 / max(median, 1e-6)))
    return [(float(px), float(py)) for px, py in pos.tolist()]


def page_data(selection: Selection, *, source_titles: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The JSON the page script reads: categories, positioned nodes, edges, paths; sorted."""
    from mdm2kg.prefixes import resolver_url

    graph = selection.graph
    titles = source_titles or {}
    on_path_nodes = {n for p in selection.paths for n in p.nodes}
    on_path_edges = {e for p in selection.paths for e in p.edges}
    counts: dict[str, int] = defaultdict(int)
    positions = layout(graph)
    nodes = []
    for node in sorted(graph):
        attrs = graph.nodes[node]
        counts[attrs["category"]] += 1
        x, y = positions[node]
        item: dict[str, Any] = {"id": node, "label": attrs.get("label") or node, "category": attrs["category"], "x": x, "y": y}
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
        item = {"id": key, "from": u, "to": v, "predicate": st.predicate, "label": st.verb(), "polarity": st.polarity}
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
        "focus": selection.focus,
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
    vis = files("pyvis").joinpath(*VIS_NETWORK).read_text(encoding="utf-8")
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


def display(kg: KnowledgeGraph, *, height: int = 640, **options: Any) -> Any:
    """Show the page inline in a Jupyter notebook (an iframe holding the whole page).

    Takes the same keyword options as `render`.
    """
    from IPython.display import HTML  # type: ignore[attr-defined]  # notebook-only dependency

    pair = options.pop("path_between", None)
    title = options.pop("title", None)
    selection = select(kg, path_between=tuple(pair) if pair else None, **options)
    page = page_html(selection, source_titles=publication_titles(kg), title=title)
    return HTML(f'<div><iframe srcdoc="{html.escape(page, quote=True)}" style="width:100%;height:{int(height)}px;border:0" '
                'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"></iframe></div>')
