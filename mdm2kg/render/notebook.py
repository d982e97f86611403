"""The network in a notebook: the same page inline, or a pyvis `Network` to customise.

pyvis is used for what it does well, an interactive network object a notebook user can restyle
and show; the offline page itself inlines vis-network vendored from npm (pyvis's own template
loads from a CDN), so `mdm2kg render` needs no notebook stack.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from mdm2kg.render.page import page_data, page_html, publication_titles, select

if TYPE_CHECKING:
    from pyvis.network import Network

    from mdm2kg.artifact.graph import KnowledgeGraph
    from mdm2kg.render.page import Selection


def to_pyvis(selection: Selection, *, height: str = "640px") -> Network:
    """A pyvis `Network` of a selection: the page's colours, shapes, fixed positions, and
    tooltips (plain text) that carry every statement's citations; negated statements dashed.

    >>> from mdm2kg.artifact.graph import KnowledgeGraph
    >>> net = to_pyvis(select(KnowledgeGraph.build(["tests/fixtures/tiny"])))
    >>> sorted(n["id"] for n in net.nodes)[:2]
    ['GENE1', 'GENE2']
    """
    from pyvis.network import Network

    data = page_data(selection)
    styles = {c["name"]: (c["color"], c["shape"]) for c in data["categories"]}
    net = Network(height=height, directed=True, cdn_resources="in_line")
    for node in data["nodes"]:
        colour, shape = styles[node["category"]]
        net.add_node(node["id"], label=node["label"], shape=shape, color=colour, x=node["x"], y=node["y"],
                     physics=False, title=f"{node['label']} ({node['category']})")
    for edge in data["edges"]:
        cites = "\n".join(f"{c['source']} {c['locator']}: \"{c['anchor']}\"" for c in edge.get("citations", []))
        net.add_edge(edge["from"], edge["to"], title=f"{edge['label']}\n{cites}", label=edge["label"],
                     dashes=bool(edge.get("negated")), arrows="to")
    net.toggle_physics(False)
    return net


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
