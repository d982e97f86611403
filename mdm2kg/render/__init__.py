"""The offline network page (vis-network, vendored and inlined)."""

from mdm2kg.render.page import (
    PagePath,
    Selection,
    category_style,
    display,
    layout,
    page_data,
    page_html,
    publication_titles,
    render,
    select,
    write_page,
)

__all__ = ["PagePath", "Selection", "category_style", "display", "layout", "page_data", "page_html", "publication_titles",
           "render", "select", "write_page"]
