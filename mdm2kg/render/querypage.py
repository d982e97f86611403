"""The query page: YASGUI (vendored from npm) preloaded with the project prefixes and every named query.

`query_page_html(endpoint_url)` is a pure function returning one self-contained HTML page that
works offline: YASGUI's script and styles are inlined, the only requests it makes go to
`endpoint_url`. Each named query (mdm2kg.query.named) is listed with its description and
parameters; loading one puts the project PREFIX lines, the query and a VALUES block with an
example for each parameter into the editor, ready to run. A page opened from file: needs an
endpoint that allows cross-origin requests (`oxigraph serve-read-only --cors`); served from the
endpoint's own origin it needs nothing.

>>> "mdm2kg:" in query_page_html("http://127.0.0.1:7878/query")
True
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

from mdm2kg.errors import UsageError
from mdm2kg.prefixes import SPARQL_PREFIXES, SPARQL_PROLOGUE
from mdm2kg.query.named import named_bindings
from mdm2kg.sparql.protocol import bind_parameters

# An example value per parameter name (an entity or publication id, a class or a plain string),
# checked against the shipped graph by tests/test_querypage.py.
EXAMPLES: dict[str, str] = {
    "compound": "milademetan",
    "trial": "NCT05012397",
    "indication": "DDLPS",
    "entity": "MDM2",
    "subject": "MDM2",
    "object": "TP53",
    "reference": "russano2025_ref01",
    "endpoint": "objective_response_rate_confirmed",
    "category": "Gene",
    "words": "milademetan",
    "phase": "Phase 3",
}


def example_queries(examples: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Every named query as the page lists it: name, description, parameters and ready-to-run text."""
    from mdm2kg.query.named import named_queries

    chosen = EXAMPLES if examples is None else examples
    prologue = SPARQL_PROLOGUE
    out = []
    for query in named_queries().values():
        body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#")).strip()
        chosen_values: dict[str, str] = {}
        params = []
        for p in query.params:
            value = p.default if p.default is not None else (chosen.get(p.name) if p.required else None)
            if value is not None:
                chosen_values[p.name] = value
            params.append({"name": p.name, "kind": p.kind, "required": p.required, "description": p.description,
                           **({"example": value} if value is not None else {})})
        # the same binding as `query --endpoint`: a VALUES block opening the WHERE group (ids are taken as given)
        bindings = named_bindings(None, query, chosen_values, resolve=lambda text: text)
        body = bind_parameters(body, bindings)
        header = f"# {query.name}: {query.description}\n"
        out.append({"name": query.name, "description": query.description, "params": params,
                    "text": header + prologue + "\n" + body.rstrip() + "\n"})
    return out


@lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    root = files("mdm2kg.render").joinpath("assets")
    js = root.joinpath("yasgui", "yasgui.min.js").read_text(encoding="utf-8")
    js = js.replace("<!--", "\\x3C!--")  # only inside template literals in this bundle; keeps the inline script inert
    page_js = root.joinpath("querypage.js").read_text(encoding="utf-8")
    for name, text in (("yasgui", js), ("querypage.js", page_js)):
        if re.search(r"</script|<!--", text, flags=re.IGNORECASE):
            raise RuntimeError(f"{name} cannot be inlined in a <script> element")
    return {"css": root.joinpath("yasgui", "yasgui.min.css").read_text(encoding="utf-8"),
            "js": js.rstrip(), "pagejs": page_js.rstrip(),
            "template": root.joinpath("querypage.html").read_text(encoding="utf-8")}


def _hash(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii") + "'"


def query_page_html(endpoint_url: str, *, title: str = "mdm2kg SPARQL", examples: Mapping[str, str] | None = None) -> str:
    """The query page for `endpoint_url` (an http(s) SPARQL query endpoint), as one HTML string."""
    parts = urlsplit(endpoint_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in endpoint_url for c in " \"'<>`"):
        raise UsageError(f"the endpoint must be an http(s) URL, not {endpoint_url!r}")
    assets = _assets()
    data = {"endpoint": endpoint_url, "prefixes": dict(SPARQL_PREFIXES), "queries": example_queries(examples)}
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    origin = f"{parts.scheme}://{parts.netloc}"
    nl = "\n"
    csp = ("default-src 'none'; "
           f"script-src {_hash(nl + assets['js'] + nl)} {_hash(nl + assets['pagejs'] + nl)}; "
           f"connect-src {origin}; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'")
    values = {"csp": csp, "title": html.escape(title), "endpoint": html.escape(endpoint_url), "css": assets["css"].rstrip(),
              "data": text, "yasguijs": assets["js"], "pagejs": assets["pagejs"]}
    # one pass: nothing substituted is scanned again for placeholders
    return re.sub(r"\$(csp|title|endpoint|css|data|yasguijs|pagejs)\b", lambda m: values[m.group(1)], assets["template"])
