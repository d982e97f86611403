"""The offline network page (vis-network, vendored and inlined), and the network in a notebook."""

from mdm2kg.render.layout import layout
from mdm2kg.render.notebook import display, to_pyvis
from mdm2kg.render.page import (
    PagePath,
    Selection,
    category_style,
    page_data,
    page_html,
    publication_titles,
    render,
    select,
    write_page,
)

__all__ = ["PagePath", "Selection", "category_style", "display", "layout", "page_data", "page_html", "publication_titles",
           "render", "select", "to_pyvis", "write_page"]
