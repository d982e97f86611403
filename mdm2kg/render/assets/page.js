/* mdm2kg network page.
 *
 * Every piece of curated text reaches the page through textContent or createTextNode, never as
 * parsed HTML: labels, synonyms and citations are data, not markup. Links are only made from
 * http(s) resolver URLs. Positions are precomputed in Python and physics stays off, so the
 * first frame is the final layout.
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("mdm2kg-data").textContent);
  var SIGN = { "1": "+", "-1": "\u2212", "0": "" };
  var POLARITY_COLOUR = { "1": "#2e7d32", "-1": "#c62828", "0": "#8d96a5" };
  var NEGATED_COLOUR = "#8a8f99";
  var POLARITY_TEXT = {
    "1": "+ positive (activates, stabilises, induces)",
    "-1": "\u2212 negative (inhibits, degrades, ubiquitinates)",
    "0": "no sign (not a causal relation)"
  };
  var HIGHLIGHT = "#f59e0b";
  var MAX_RESULTS = 30;
  var MAX_CONNECTIONS = 60;

  var nodeById = new Map();
  var edgeById = new Map();
  var categoryByName = new Map();
  data.categories.forEach(function (c) { categoryByName.set(c.name, c); });
  data.nodes.forEach(function (n) { nodeById.set(n.id, n); });
  data.edges.forEach(function (e) { edgeById.set(e.id, e); });
  var hasPaths = (data.paths || []).length > 0;

  // ---- small DOM helpers (text only) ------------------------------------------------------
  function el(tag, className) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) { continue; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }
  function safeLink(url, text) {
    if (typeof url === "string" && /^https?:\/\/[^\s]+$/i.test(url)) {
      var a = el("a", null, text);
      a.href = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      return a;
    }
    return document.createTextNode(text);
  }
  function labelOf(id) { var n = nodeById.get(id); return n ? n.label : id; }
  var SVG = "http://www.w3.org/2000/svg";
  function svg(width, height) {
    var s = document.createElementNS(SVG, "svg");
    s.setAttribute("width", String(width));
    s.setAttribute("height", String(height));
    s.setAttribute("viewBox", "0 0 " + width + " " + height);
    s.setAttribute("aria-hidden", "true");
    return s;
  }
  function svgChild(parent, tag, attrs) {
    var child = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { child.setAttribute(k, String(attrs[k])); });
    parent.appendChild(child);
    return child;
  }
  var SHAPE_POINTS = {
    diamond: "8,1 15,8 8,15 1,8",
    triangle: "8,1.5 15,14 1,14",
    triangleDown: "1,2 15,2 8,14.5",
    hexagon: "4.5,2 11.5,2 15,8 11.5,14 4.5,14 1,8",
    star: "8,1 9.8,6 15,6 10.8,9.2 12.4,14.5 8,11.3 3.6,14.5 5.2,9.2 1,6 6.2,6"
  };
  function swatch(category) {
    var s = svg(16, 16);
    var style = { fill: category.color, stroke: "#2b2f38", "stroke-width": 0.8 };
    var shape;
    if (category.shape === "square") {
      shape = svgChild(s, "rect", { x: 2, y: 2, width: 12, height: 12 });
    } else if (SHAPE_POINTS[category.shape]) {
      shape = svgChild(s, "polygon", { points: SHAPE_POINTS[category.shape] });
    } else {
      shape = svgChild(s, "circle", { cx: 8, cy: 8, r: 6.5 });
    }
    Object.keys(style).forEach(function (k) { shape.setAttribute(k, String(style[k])); });
    return s;
  }
  function polaritySwatch(sign) {
    var s = svg(34, 14);
    var colour = POLARITY_COLOUR[sign];
    svgChild(s, "line", { x1: 2, y1: 7, x2: 28, y2: 7, stroke: colour, "stroke-width": 2 });
    if (sign === "-1") {
      svgChild(s, "line", { x1: 29, y1: 1, x2: 29, y2: 13, stroke: colour, "stroke-width": 3 });
    } else {
      svgChild(s, "polygon", { points: "32,7 24,2 24,12", fill: colour });
    }
    return s;
  }

  // ---- vis data ---------------------------------------------------------------------------
  var groups = {};
  data.categories.forEach(function (c) {
    groups[c.name] = {
      shape: c.shape,
      color: { background: c.color, border: "#2b2f38", highlight: { background: c.color, border: "#111" },
               hover: { background: c.color, border: "#111" } }
    };
  });
  var visNodes = data.nodes.map(function (n) {
    var node = { id: n.id, label: n.label, group: n.category, x: n.x, y: n.y };
    if (n.focus || n.path) {
      var c = categoryByName.get(n.category);
      node.borderWidth = 4;
      node.size = 18;
      node.color = { background: c.color, border: HIGHLIGHT, highlight: { background: c.color, border: HIGHLIGHT },
                     hover: { background: c.color, border: HIGHLIGHT } };
      node.font = { size: 16, bold: true };
    }
    return node;
  });
  var visEdges = data.edges.map(function (e) {
    var sign = String(e.polarity || 0);
    var colour = e.negated ? NEGATED_COLOUR : POLARITY_COLOUR[sign];
    var edge = {
      id: e.id, from: e.from, to: e.to,
      arrows: { to: { enabled: true, type: sign === "-1" ? "bar" : "arrow", scaleFactor: 0.6 } },
      color: { color: colour, highlight: colour, hover: colour, opacity: hasPaths && !e.path ? 0.3 : 1 },
      width: e.path ? 4 : 1.5,
      dashes: e.negated ? [6, 6] : false
    };
    if (e.negated) { edge.label = "not"; edge.font = { color: colour, size: 14, strokeWidth: 4, strokeColor: "#ffffff", align: "horizontal" }; }
    else if (SIGN[sign]) { edge.label = SIGN[sign]; edge.font = { color: colour, size: 20, bold: true, strokeWidth: 4, strokeColor: "#ffffff", align: "horizontal" }; }
    if (e.curve) { edge.smooth = { enabled: true, type: e.curve > 0 ? "curvedCW" : "curvedCCW", roundness: Math.min(0.9, 0.2 * Math.abs(e.curve)) }; }
    return edge;
  });

  var visible = new Set(data.categories.map(function (c) { return c.name; }));
  var nodes = new vis.DataSet(visNodes);
  var edges = new vis.DataSet(visEdges);
  var nodesView = new vis.DataView(nodes, { filter: function (n) { return visible.has(n.group); } });
  var edgesView = new vis.DataView(edges, {
    filter: function (e) {
      return visible.has(nodeById.get(e.from).category) && visible.has(nodeById.get(e.to).category);
    }
  });

  var large = data.nodes.length > 1500 || data.edges.length > 3000;
  var container = document.getElementById("network");
  var network = new vis.Network(container, { nodes: nodesView, edges: edgesView }, {
    autoResize: true,
    physics: false,
    layout: { improvedLayout: false, randomSeed: 1 },
    groups: groups,
    nodes: { shape: "dot", size: 12, borderWidth: 1, widthConstraint: { maximum: 170 }, font: { size: 14, face: "system-ui, sans-serif", color: "#1d2330", strokeWidth: 3, strokeColor: "#ffffff" } },
    edges: { smooth: false, selectionWidth: 2, hoverWidth: 1, font: { size: 14 } },
    interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: large, hideEdgesOnZoom: large, keyboard: false, multiselect: false }
  });

  var FIT = { maxZoomLevel: 1.6, animation: false };  // small views may zoom in past 1:1
  network.fit(FIT);

  var api = {
    network: network, nodes: nodes, edges: edges, nodesView: nodesView, edgesView: edgesView,
    ready: false, interactiveMs: null,
    drawn: function () {
      return { nodes: network.body.nodeIndices.length, edges: network.body.edgeIndices.length };
    }
  };
  window.mdm2kg = api;
  network.once("afterDrawing", function () {
    api.interactiveMs = performance.now();
    api.ready = true;
    document.documentElement.setAttribute("data-ready", "true");
  });

  // ---- counts, legend and category filter ---------------------------------------------------
  var countsBox = document.getElementById("counts");
  function updateCounts() {
    countsBox.textContent = nodesView.length + " of " + data.nodes.length + " entities \u00b7 " +
      edgesView.length + " of " + data.edges.length + " statements";
  }
  var categoryList = document.getElementById("categories");
  var checkboxes = new Map();
  data.categories.forEach(function (c) {
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = c.name;
    box.addEventListener("change", function () {
      if (box.checked) { visible.add(c.name); } else { visible.delete(c.name); }
      refreshFilter();
    });
    checkboxes.set(c.name, box);
    var item = el("li", "category", el("label", null, box, swatch(c), el("span", "name", c.name), el("span", "n", String(c.count))));
    item.setAttribute("data-category", c.name);
    categoryList.appendChild(item);
  });
  function refreshFilter() {
    nodesView.refresh();
    edgesView.refresh();
    updateCounts();
    if (shown && shown.kind === "node" && !visible.has(nodeById.get(shown.id).category)) { hideDetails(); }
  }
  var polarityList = document.getElementById("polarity");
  ["1", "-1", "0"].forEach(function (sign) {
    polarityList.appendChild(el("li", null, polaritySwatch(sign), el("span", null, POLARITY_TEXT[sign])));
  });

  // ---- hover tooltip ----------------------------------------------------------------------
  var tip = document.getElementById("tip");
  function showTip(text, pointer) {
    var rect = container.getBoundingClientRect();
    tip.textContent = text;
    tip.style.left = Math.round(rect.left + pointer.DOM.x + 14) + "px";
    tip.style.top = Math.round(rect.top + pointer.DOM.y + 14) + "px";
    tip.hidden = false;
  }
  function edgeSummary(e) {
    var sign = SIGN[String(e.polarity || 0)];
    return labelOf(e.from) + " \u2014 " + e.label + (sign ? " (" + sign + ")" : "") + " \u2192 " + labelOf(e.to);
  }
  network.on("hoverNode", function (p) {
    var n = nodeById.get(p.node);
    showTip(n.label + " \u00b7 " + n.category, p.pointer);
  });
  network.on("hoverEdge", function (p) { showTip(edgeSummary(edgeById.get(p.edge)), p.pointer); });
  network.on("blurNode", function () { tip.hidden = true; });
  network.on("blurEdge", function () { tip.hidden = true; });
  network.on("dragStart", function () { tip.hidden = true; });
  network.on("zoom", function () { tip.hidden = true; });

  // ---- details panel ----------------------------------------------------------------------
  var details = document.getElementById("details");
  var shown = null;
  function hideDetails() {
    details.hidden = true;
    details.replaceChildren();
    shown = null;
    network.redraw();
  }
  function openDetails(kind, id, children) {
    var close = el("button", "close", "\u00d7");
    close.type = "button";
    close.title = "Close";
    close.setAttribute("aria-label", "Close details");
    close.addEventListener("click", hideDetails);
    details.replaceChildren(close);
    children.forEach(function (c) { if (c) { details.appendChild(c); } });
    details.setAttribute("data-kind", kind);
    details.hidden = false;
    shown = { kind: kind, id: id };
  }
  function entry(list, term, value) {
    if (!value) { return; }
    list.appendChild(el("dt", null, term));
    list.appendChild(el("dd", null, value));
  }
  function nodeButton(id) {
    var b = el("button", "linkish", labelOf(id));
    b.type = "button";
    b.addEventListener("click", function () { selectNode(id); });
    return b;
  }
  function edgeButton(e, text) {
    var b = el("button", "linkish", text);
    b.type = "button";
    b.addEventListener("click", function () { network.selectEdges([e.id]); showEdge(e.id); });
    return b;
  }
  function listOf(items, make) {
    if (!items || !items.length) { return null; }
    var ul = el("ul");
    items.forEach(function (item) { ul.appendChild(el("li", null, make(item))); });
    return ul;
  }
  function showNode(id) {
    var n = nodeById.get(id);
    if (!n) { return; }
    var dl = el("dl");
    entry(dl, "Synonyms", listOf(n.synonyms, function (s) { return document.createTextNode(s); }));
    entry(dl, "Identifiers", listOf(n.identifiers, function (i) { return safeLink(i.url, i.curie); }));
    entry(dl, "Description", n.description ? document.createTextNode(n.description) : null);
    var connected = network.getConnectedEdges(id).map(function (eid) { return edgeById.get(eid); });
    connected.sort(function (a, b) { return (a.label + a.from + a.to).localeCompare(b.label + b.from + b.to); });
    if (connected.length) {
      var ul = el("ul");
      connected.slice(0, MAX_CONNECTIONS).forEach(function (e) {
        var text = e.from === id ? e.label + " \u2192 " + labelOf(e.to) : labelOf(e.from) + " \u2192 " + e.label;
        ul.appendChild(el("li", null, edgeButton(e, text)));
      });
      if (connected.length > MAX_CONNECTIONS) {
        ul.appendChild(el("li", "muted", "\u2026 and " + (connected.length - MAX_CONNECTIONS) + " more"));
      }
      entry(dl, "Statements (" + connected.length + ")", ul);
    }
    openDetails("node", id, [el("h3", "label", n.label), el("p", "cat", n.category + " \u00b7 " + n.id), dl]);
  }
  function citation(c) {
    var parts = el("span", "citation", c.source);
    if (c.title) { parts.appendChild(document.createTextNode(" (" + c.title + ")")); }
    parts.appendChild(document.createTextNode(", " + c.locator + ": "));
    parts.appendChild(el("span", "anchor", "\u201c" + c.anchor + "\u201d"));
    var extra = [];
    if (c.kind) { extra.push(c.kind.replace(/_/g, " ")); }
    if (c.cites && c.cites.length) { extra.push("citing " + c.cites.join(", ")); }
    if (extra.length) { parts.appendChild(el("span", "muted", " \u2014 " + extra.join("; "))); }
    return parts;
  }
  function showEdge(id) {
    var e = edgeById.get(id);
    if (!e) { return; }
    var sign = String(e.polarity || 0);
    var line = el("p", "triple", nodeButton(e.from), " \u2014 " + e.label + " \u2192 ", nodeButton(e.to));
    var dl = el("dl");
    if (e.negated) { entry(dl, "Negated", el("span", "sign-neg", "the source states that this does NOT hold; it is not a fact")); }
    entry(dl, "Polarity", el("span", sign === "1" ? "sign-pos" : sign === "-1" ? "sign-neg" : "muted", POLARITY_TEXT[sign]));
    entry(dl, "Qualifiers", listOf(e.qualifiers, function (q) { return document.createTextNode(q[0] + ": " + q[1]); }));
    entry(dl, "Citations", listOf(e.citations, citation));
    entry(dl, "Statement", el("span", "muted", e.id + " (" + e.predicate + ")"));
    openDetails("edge", id, [el("h3", "label", e.label), line, dl]);
  }
  network.on("click", function (p) {
    tip.hidden = true;
    if (p.nodes.length) { showNode(p.nodes[0]); } else if (p.edges.length) { showEdge(p.edges[0]); } else { hideDetails(); }
  });

  // ---- search -----------------------------------------------------------------------------
  var search = document.getElementById("search");
  var results = document.getElementById("results");
  var haystack = data.nodes.map(function (n) {
    var terms = [n.label].concat(n.synonyms || [], [n.id], (n.identifiers || []).map(function (i) { return i.curie; }));
    return { node: n, terms: terms, lower: terms.map(function (t) { return t.toLowerCase(); }) };
  });
  var matches = [];
  var active = 0;
  function find(query) {
    var q = query.trim().toLowerCase();
    if (!q) { return []; }
    var found = [];
    haystack.forEach(function (h) {
      var best = null;
      for (var i = 0; i < h.lower.length; i++) {
        var t = h.lower[i];
        var rank = t === q ? 0 : t.indexOf(q) === 0 ? 1 : t.indexOf(q) > 0 ? 2 : -1;
        if (rank >= 0 && (best === null || rank < best.rank)) { best = { rank: rank, term: h.terms[i], label: i === 0 }; }
      }
      if (best) { found.push({ node: h.node, rank: best.rank, term: best.term, isLabel: best.label }); }
    });
    found.sort(function (a, b) {
      return a.rank - b.rank || a.node.label.length - b.node.label.length || a.node.label.localeCompare(b.node.label);
    });
    return found.slice(0, MAX_RESULTS);
  }
  function renderResults() {
    results.replaceChildren();
    if (!search.value.trim()) { results.hidden = true; return; }
    if (!matches.length) {
      results.appendChild(el("li", "none", "No entity matches"));
    }
    matches.forEach(function (m, i) {
      var why = m.isLabel ? m.node.category : m.term + " \u00b7 " + m.node.category;
      var b = el("button", i === active ? "active" : null, m.node.label, " ", el("span", "why", why));
      b.type = "button";
      b.setAttribute("data-id", m.node.id);
      b.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
      b.addEventListener("click", function () { selectNode(m.node.id); });
      var li = el("li", null, b);
      li.setAttribute("role", "option");
      results.appendChild(li);
    });
    results.hidden = false;
  }
  search.addEventListener("input", function () { matches = find(search.value); active = 0; renderResults(); });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (matches.length) { active = (active + (ev.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length; renderResults(); }
      ev.preventDefault();
    } else if (ev.key === "Enter") {
      if (matches.length) { selectNode(matches[active].node.id); }
      ev.preventDefault();
    } else if (ev.key === "Escape") {
      results.hidden = true;
    }
  });
  search.addEventListener("blur", function () { results.hidden = true; });
  search.addEventListener("focus", function () { if (search.value.trim()) { renderResults(); } });

  function selectNode(id) {
    var n = nodeById.get(id);
    if (!n) { return; }
    if (!visible.has(n.category)) {
      visible.add(n.category);
      checkboxes.get(n.category).checked = true;
      refreshFilter();
    }
    results.hidden = true;
    network.selectNodes([id], false);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: large ? false : { duration: 300, easingFunction: "easeInOutQuad" } });
    showNode(id);
  }
  api.selectNode = selectNode;

  // ---- paths --------------------------------------------------------------------------------
  if (hasPaths) {
    var pathList = document.getElementById("paths");
    data.paths.forEach(function (path, i) {
      var sign = SIGN[String(path.polarity || 0)];
      var text = (i + 1) + ". " + path.nodes.map(labelOf).join(" \u2192 ") + (sign ? "  (net " + sign + ")" : "");
      var b = el("button", null, text);
      b.type = "button";
      b.addEventListener("click", function () {
        network.setSelection({ nodes: path.nodes, edges: path.edges }, { unselectAll: true, highlightEdges: false });
        network.fit({ nodes: path.nodes, animation: large ? false : { duration: 300, easingFunction: "easeInOutQuad" } });
      });
      pathList.appendChild(el("li", null, b));
    });
    document.getElementById("paths-box").hidden = false;
  }

  // ---- reset --------------------------------------------------------------------------------
  var moved = new Set();
  network.on("dragEnd", function (p) { p.nodes.forEach(function (id) { moved.add(id); }); });
  document.getElementById("reset").addEventListener("click", function () {
    data.categories.forEach(function (c) { visible.add(c.name); checkboxes.get(c.name).checked = true; });
    if (moved.size) {
      nodes.update(Array.from(moved).map(function (id) { var n = nodeById.get(id); return { id: id, x: n.x, y: n.y }; }));
      moved.clear();
    }
    refreshFilter();
    search.value = "";
    matches = [];
    results.hidden = true;
    network.unselectAll();
    hideDetails();
    network.fit(FIT);
  });

  updateCounts();
  if (data.focus && nodeById.has(data.focus)) {
    network.selectNodes([data.focus], false);
    showNode(data.focus);
  }
}());
