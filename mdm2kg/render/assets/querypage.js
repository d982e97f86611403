/* mdm2kg query page: YASGUI pointed at one endpoint, with the named queries one click away.
 * Query text and descriptions are data: written with textContent, never parsed as HTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("mdm2kg-queries").textContent);
  var Y = window.Yasgui;
  Y.Yasqe.defaults.autocompleters = [];  // the stock ones fetch from prefix.cc and LOV: none of that offline
  var yasgui = new Y(document.getElementById("yasgui"), {
    requestConfig: { endpoint: data.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: data.endpoint }]; } },
    persistenceId: null,
    yasqe: { value: data.queries.length ? data.queries[0].text : "" }
  });
  function load(q) {
    var tab = yasgui.getTab();
    tab.setEndpoint(data.endpoint);
    tab.getYasqe().setValue(q.text);
    tab.setName(q.name);
  }
  var list = document.getElementById("queries");
  data.queries.forEach(function (q) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = q.name;
    b.setAttribute("data-query", q.name);
    b.addEventListener("click", function () { load(q); });
    var li = document.createElement("li");
    li.appendChild(b);
    var d = document.createElement("p");
    d.className = "desc";
    d.textContent = q.description;
    li.appendChild(d);
    if (q.params.length) {
      var p = document.createElement("p");
      p.className = "params";
      p.textContent = "parameters: " + q.params.map(function (x) {
        return x.name + (x.required ? "" : "?") + (x.example !== undefined ? " = " + x.example : "");
      }).join(", ");
      li.appendChild(p);
    }
    list.appendChild(li);
  });
  window.mdm2kgQueries = { yasgui: yasgui, load: function (name) {
    data.queries.forEach(function (q) { if (q.name === name) { load(q); } });
  } };
}());
