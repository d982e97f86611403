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
  var PAGE_SIZE = 25;          // statements per page in the details panel
  var LABEL_PX = 13;           // on-screen font size of a shown label (zoomed out)
  var LABEL_WRAP_PX = 170;     // on-screen wrap width of a label
  var LABEL_GAP_PX = 3;        // free space kept around each label box

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
  // Labels start hidden; placeLabels() shows the ones that fit (see "labels" below).
  var visNodes = data.nodes.map(function (n) {
    var node = { id: n.id, label: "", group: n.category, x: n.x, y: n.y, hop: n.hop, pinned: !!(n.focus || n.path) };
    if (n.focus || n.path) {
      var c = categoryByName.get(n.category);
      node.borderWidth = 4;
      node.size = 18;
      node.color = { background: c.color, border: HIGHLIGHT, highlight: { background: c.color, border: HIGHLIGHT },
                     hover: { background: c.color, border: HIGHLIGHT } };
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

  // ---- far entities collapse into category clusters (focus views with radius 2 or more) ----------
  var expanded = new Set();  // categories whose cluster was opened
  var clusterInfo = new Map();  // cluster id -> { category, count }
  function plural(category) {
    var words = category.replace(/([a-z])([A-Z])/g, "$1 $2");
    words = words.charAt(0) + words.slice(1).toLowerCase();
    if (/[^aeiou]y$/.test(words)) { return words.slice(0, -1) + "ies"; }
    return /(s|x|ch|sh)$/.test(words) ? words + "es" : words + "s";
  }
  function clusterFar() {
    if (!data.collapse) { return; }
    data.categories.forEach(function (c) {
      var cid = "cluster:" + c.name;
      if (expanded.has(c.name) || !visible.has(c.name) || network.body.nodes[cid]) { return; }
      var count = 0;
      nodesView.forEach(function (n) { if (n.group === c.name && n.hop >= 2 && !n.pinned) { count++; } });
      if (count < 2) { return; }
      var text = count + " " + plural(c.name);
      clusterInfo.set(cid, { category: c.name, count: count, text: text });
      network.cluster({
        joinCondition: function (o) { return o.group === c.name && o.hop >= 2 && !o.pinned; },
        clusterNodeProperties: {
          id: cid, label: "", shape: c.shape, size: 20, borderWidth: 3, mass: count,
          color: { background: c.color, border: "#2b2f38", highlight: { background: c.color, border: "#111" },
                   hover: { background: c.color, border: "#111" } },
          shapeProperties: { borderDashes: [4, 3] }
        },
        clusterEdgeProperties: { dashes: false }
      });
    });
  }
  function openClusterOf(id) {
    var path = network.clustering.findNode(id);
    if (path.length > 1 && clusterInfo.has(path[0])) { expandCluster(path[0]); }
  }
  function expandCluster(cid) {
    var info = clusterInfo.get(cid);
    if (!info || !network.isCluster(cid)) { return; }
    expanded.add(info.category);
    network.openCluster(cid);
    placeLabels();
  }

  // ---- labels: shown where they fit, most connected first, never piled up -----------------------
  // The searched, selected, focus and path entities and the clusters come first, then entities by
  // how many statements they take part in. A label is shown below its entity, or above it, only if
  // its box (in screen pixels) overlaps no label already placed; the rest appear as you zoom in.
  var measure = document.createElement("canvas").getContext("2d");
  measure.font = LABEL_PX + "px system-ui, sans-serif";
  var widths = new Map();
  function textWidth(text) {
    if (!widths.has(text)) { widths.set(text, measure.measureText(text).width); }
    return widths.get(text);
  }
  // Width and line count of a label as vis-network wraps it (word by word, inside its margins).
  var wraps = new Map();
  function wrapped(text) {
    if (wraps.has(text)) { return wraps.get(text); }
    var limit = LABEL_WRAP_PX - 14, lines = 0, widest = 0, line = "";
    text.split(/\s+/).forEach(function (word) {
      var candidate = line ? line + " " + word : word;
      if (line && textWidth(candidate) > limit) {
        lines++; widest = Math.max(widest, textWidth(line)); line = word;
      } else { line = candidate; }
    });
    lines++; widest = Math.max(widest, Math.min(textWidth(line), limit));
    var result = { width: widest + 4, lines: lines };
    wraps.set(text, result);
    return result;
  }
  var priority = new Set();  // searched / selected entities, labelled first
  var labelState = new Map();  // vis node id -> "size|vadjust" of its shown label, "" when hidden
  var degreeOf = new Map(data.nodes.map(function (n) { return [n.id, n.degree || 0]; }));
  function rank(id) {
    if (priority.has(id)) { return 0; }
    if (clusterInfo.has(id)) { return 1; }
    var n = nodeById.get(id);
    return n && (n.focus || n.path) ? 1 : 2;
  }
  function textOf(id) { return clusterInfo.has(id) ? clusterInfo.get(id).text : labelOf(id); }
  function placeLabels() {
    var scale = network.getScale();
    var k = Math.min(scale, 1);  // canvas units grow as you zoom out, so shown labels keep LABEL_PX on screen
    var size = LABEL_PX / k;
    var width = container.clientWidth, height = container.clientHeight;
    var ids = network.body.nodeIndices.slice();
    ids.sort(function (a, b) {
      return rank(a) - rank(b) || (degreeOf.get(b) || 0) - (degreeOf.get(a) || 0) || String(textOf(a)).localeCompare(String(textOf(b)));
    });
    var placed = [];
    var positions = network.getPositions(ids);
    var updates = [], clusterUpdates = [];
    function free(box) {
      if (box.right < 0 || box.left > width || box.bottom < 0 || box.top > height) { return false; }
      for (var i = 0; i < placed.length; i++) {
        var o = placed[i];
        if (box.left < o.right + LABEL_GAP_PX && o.left < box.right + LABEL_GAP_PX &&
            box.top < o.bottom + LABEL_GAP_PX && o.top < box.bottom + LABEL_GAP_PX) { return false; }
      }
      return true;
    }
    ids.forEach(function (id) {
      var body = network.body.nodes[id];
      var text = textOf(id);
      var want = "";
      if (body && text && positions[id]) {
        var box = wrapped(text);
        var w = box.width * scale / k, h = box.lines * LABEL_PX * 1.3 * scale / k;
        var centre = network.canvasToDOM(positions[id]);
        var radius = (body.options.size || 12) * scale;
        var below = { left: centre.x - w / 2, right: centre.x + w / 2, top: centre.y + radius + 3, bottom: centre.y + radius + 3 + h };
        var above = { left: below.left, right: below.right, top: centre.y - radius - 3 - h, bottom: centre.y - radius - 3 };
        var shift = null;
        if (free(below)) { placed.push(below); shift = 0; }
        else if (free(above)) { placed.push(above); shift = -(2 * radius + 6 + h) / scale; }
        if (shift !== null) { want = size.toFixed(2) + "|" + shift.toFixed(1); }
      }
      if ((labelState.get(id) || "") === want) { return; }
      labelState.set(id, want);
      var parts = want.split("|");
      var change = want
        ? { id: id, label: text, font: { size: Number(parts[0]), vadjust: Number(parts[1]) }, widthConstraint: { maximum: LABEL_WRAP_PX / k } }
        : { id: id, label: "" };
      if (clusterInfo.has(id)) { clusterUpdates.push(change); } else { updates.push(change); }
    });
    if (updates.length) { nodes.update(updates); }
    clusterUpdates.forEach(function (change) { network.body.nodes[change.id].setOptions(change); });
    if (clusterUpdates.length) { network.redraw(); }
    if (updates.length || clusterUpdates.length) { network.once("afterDrawing", function () { unpile(ids); }); }
  }
  // The boxes above are estimates; once drawn, a label whose real box (as vis-network wrapped and
  // stroked it) still touches a label placed before it, in the same order, is hidden again.
  function unpile(order) {
    var kept = [], hide = [], hideClusters = [];
    order.forEach(function (id) {
      var body = network.body.nodes[id];
      if (!labelState.get(id) || !body || !body.labelModule || !body.labelModule.size) { return; }
      var s = body.labelModule.size, shift = (body.options.font && body.options.font.vadjust) || 0;
      var a = network.canvasToDOM({ x: s.left, y: s.top + shift });
      var b = network.canvasToDOM({ x: s.left + s.width, y: s.top + s.height + shift });
      var box = { left: a.x, top: a.y, right: b.x, bottom: b.y };
      var clash = kept.some(function (o) {
        return box.left < o.right && o.left < box.right && box.top < o.bottom && o.top < box.bottom;
      });
      if (!clash) { kept.push(box); return; }
      labelState.set(id, "");
      (clusterInfo.has(id) ? hideClusters : hide).push({ id: id, label: "" });
    });
    if (hide.length) { nodes.update(hide); }
    hideClusters.forEach(function (change) { network.body.nodes[change.id].setOptions(change); });
    if (hideClusters.length) { network.redraw(); }
  }
  var labelTimer = null;
  function placeLabelsSoon() {
    if (labelTimer !== null) { clearTimeout(labelTimer); }
    labelTimer = setTimeout(function () { labelTimer = null; placeLabels(); }, 60);
  }
  network.on("zoom", placeLabelsSoon);
  network.on("dragEnd", placeLabelsSoon);
  network.on("animationFinished", placeLabels);
  network.on("resize", placeLabelsSoon);

  clusterFar();
  network.fit(FIT);
  placeLabels();

  var api = {
    network: network, nodes: nodes, edges: edges, nodesView: nodesView, edgesView: edgesView,
    ready: false, interactiveMs: null, placeLabels: placeLabels,
    labelled: function () {
      return Array.from(labelState.keys()).filter(function (id) { return labelState.get(id); }).sort();
    },
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
    clusterInfo.forEach(function (info, cid) { if (!network.body.nodes[cid]) { clusterInfo.delete(cid); labelState.delete(cid); } });
    clusterFar();
    placeLabels();
    updateCounts();
    if (shown && shown.kind === "node" && !visible.has(nodeById.get(shown.id).category)) { hideDetails(); }
  }
  var polarityList = document.getElementById("polarity");
  ["1", "-1", "0"].forEach(function (sign) {
    polarityList.appendChild(el("li", null, polaritySwatch(sign), el("span", null, POLARITY_TEXT[sign])));
  });
  (function () {
    var s = svg(34, 14);
    svgChild(s, "line", { x1: 2, y1: 7, x2: 28, y2: 7, stroke: NEGATED_COLOUR, "stroke-width": 2, "stroke-dasharray": "5 4" });
    svgChild(s, "polygon", { points: "32,7 24,2 24,12", fill: NEGATED_COLOUR });
    var item = el("li", "negated", s, el("span", null, "dashed grey “not”: the source states this does NOT hold (never a fact)"));
    polarityList.appendChild(item);
  }());
  if (data.collapse) {
    polarityList.appendChild(el("li", "muted", "Dashed-border shapes (“12 Indications”) hold entities 2+ hops from the focus: click one to expand it."));
  }

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
    if (clusterInfo.has(p.node)) { showTip(clusterInfo.get(p.node).text + " \u00b7 click to expand", p.pointer); return; }
    var n = nodeById.get(p.node);
    showTip(n.label + " \u00b7 " + n.category, p.pointer);
  });
  network.on("hoverEdge", function (p) { if (edgeById.has(p.edge)) { showTip(edgeSummary(edgeById.get(p.edge)), p.pointer); } });
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
  function focusEdge(id) {
    var e = edgeById.get(id);
    if (!e) { return; }
    openClusterOf(e.from);
    openClusterOf(e.to);
    if (!visible.has(nodeById.get(e.from).category) || !visible.has(nodeById.get(e.to).category)) {
      visible.add(nodeById.get(e.from).category);
      visible.add(nodeById.get(e.to).category);
      checkboxes.get(nodeById.get(e.from).category).checked = true;
      checkboxes.get(nodeById.get(e.to).category).checked = true;
      refreshFilter();
    }
    network.setSelection({ nodes: [], edges: [id] }, { unselectAll: true, highlightEdges: false });
    network.fit({ nodes: [e.from, e.to], maxZoomLevel: 1.2, animation: false });
    placeLabels();
    showEdge(id);
  }
  api.focusEdge = focusEdge;
  function edgeButton(e, text) {
    var b = el("button", "linkish", text);
    b.type = "button";
    b.setAttribute("data-edge", e.id);
    b.addEventListener("click", function () { focusEdge(e.id); });
    return b;
  }
  function listOf(items, make) {
    if (!items || !items.length) { return null; }
    var ul = el("ul");
    items.forEach(function (item) { ul.appendChild(el("li", null, make(item))); });
    return ul;
  }
  // Every statement in view touching an entity, once each: grouped by predicate, outgoing first.
  var touching = new Map();
  data.edges.forEach(function (e) {
    [e.from, e.to].forEach(function (id, i) {
      if (i === 1 && e.from === e.to) { return; }
      if (!touching.has(id)) { touching.set(id, []); }
      touching.get(id).push(e);
    });
  });
  function statementsOf(id) {
    var list = (touching.get(id) || []).map(function (e) {
      var out = e.from === id;
      return { edge: e, out: out, other: labelOf(out ? e.to : e.from) };
    });
    list.sort(function (a, b) {
      return a.edge.predicateLabel.localeCompare(b.edge.predicateLabel) || (a.out === b.out ? 0 : a.out ? -1 : 1) ||
        a.other.localeCompare(b.other) || a.edge.id.localeCompare(b.edge.id);
    });
    return list;
  }
  function statementLine(item) {
    var e = item.edge;
    var text = item.out ? e.label + " " + labelOf(e.to) : labelOf(e.from) + " " + e.label;
    var li = el("li", "statement" + (e.negated ? " negated" : ""),
                el("span", "dir", item.out ? "\u2192 out" : "\u2190 in"), " ", edgeButton(e, text));
    if (e.qualifiers && e.qualifiers.length) {
      li.appendChild(el("span", "muted", " (" + e.qualifiers.map(function (q) { return q[0] + ": " + q[1]; }).join("; ") + ")"));
    }
    var cites = listOf(e.citations, function (c) {
      return el("span", "muted", c.source + ", " + c.locator + (c.kind ? " \u00b7 " + c.kind.replace(/_/g, " ") : ""));
    });
    if (cites) { cites.className = "evidence"; li.appendChild(cites); }
    return li;
  }
  function showNode(id, pageNo) {
    var n = nodeById.get(id);
    if (!n) { return; }
    var dl = el("dl");
    entry(dl, "Synonyms", listOf(n.synonyms, function (s) { return document.createTextNode(s); }));
    entry(dl, "Identifiers", listOf(n.identifiers, function (i) { return safeLink(i.url, i.curie); }));
    entry(dl, "Description", n.description ? document.createTextNode(n.description) : null);
    var all = statementsOf(id);
    var section = null;
    if (all.length) {
      var pages = Math.ceil(all.length / PAGE_SIZE);
      var current = Math.min(Math.max(pageNo || 0, 0), pages - 1);
      var first = current * PAGE_SIZE;
      var shownItems = all.slice(first, first + PAGE_SIZE);
      var totals = new Map();
      all.forEach(function (item) { totals.set(item.edge.predicateLabel, (totals.get(item.edge.predicateLabel) || 0) + 1); });
      section = el("section", "statements");
      section.appendChild(el("h2", null, "Statements (" + all.length + ")"));
      var list = null, group = null;
      shownItems.forEach(function (item) {
        if (item.edge.predicateLabel !== group) {
          group = item.edge.predicateLabel;
          section.appendChild(el("h4", "predicate", group + " (" + totals.get(group) + ")"));
          list = el("ul", "group");
          section.appendChild(list);
        }
        list.appendChild(statementLine(item));
      });
      if (pages > 1) {
        var prev = el("button", "prev", "\u2039 prev");
        var next = el("button", "next", "next \u203a");
        prev.type = next.type = "button";
        prev.disabled = current === 0;
        next.disabled = current === pages - 1;
        prev.addEventListener("click", function () { showNode(id, current - 1); });
        next.addEventListener("click", function () { showNode(id, current + 1); });
        section.appendChild(el("nav", "pager", prev, el("span", "range", (first + 1) + "\u2013" + (first + shownItems.length) + " of " + all.length), next));
      }
    }
    openDetails("node", id, [el("h3", "label", n.label), el("p", "cat", n.category + " \u00b7 " + n.id), dl, section]);
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
    if (p.nodes.length && clusterInfo.has(p.nodes[0])) { expandCluster(p.nodes[0]); return; }
    if (p.nodes.length) { showNode(p.nodes[0]); } else if (p.edges.length && edgeById.has(p.edges[0])) { showEdge(p.edges[0]); } else { hideDetails(); }
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
  search.addEventListener("input", function () {
    matches = find(search.value);
    active = 0;
    renderResults();
    priority.clear();
    matches.slice(0, 10).forEach(function (m) { priority.add(m.node.id); });
    placeLabels();
  });
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
    openClusterOf(id);
    priority.add(id);
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
    priority.clear();
    expanded.clear();
    clusterFar();
    network.fit(FIT);
    placeLabels();
  });

  updateCounts();
  if (data.focus && nodeById.has(data.focus)) {
    priority.add(data.focus);
    network.selectNodes([data.focus], false);
    showNode(data.focus);
  }
}());
