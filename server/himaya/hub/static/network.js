// Draws a network's graph with cytoscape.js (served by the hub itself, see vendor/).
// The data comes from the same origin (graph.json); nothing is loaded from elsewhere.
(function () {
  "use strict";
  var box = document.getElementById("graph");
  if (!box || typeof cytoscape !== "function") { return; }
  var colours = {page: "#1f6f8b", code: "#b3261e", legend: "#b3261e", handle: "#7a4fa3", invite: "#c46a00",
                 phone: "#c46a00", place: "#5d6770", emoji: "#5d6770", site: "#5d6770"};
  fetch(box.getAttribute("data-src"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var cy = cytoscape({
        container: box,
        elements: data.nodes.concat(data.edges),
        style: [
          {selector: "node", style: {"label": "data(label)", "font-size": 9, "text-wrap": "ellipsis",
                                     "text-max-width": 140, "background-color": function (n) {
                                       return colours[n.data("type")] || "#5d6770"; },
                                     "shape": function (n) { return n.data("type") === "page" ? "round-rectangle" : "ellipse"; },
                                     "width": function (n) { return n.data("type") === "page" ? 26 + 4 * Math.min(8, n.data("reports") || 0) : 16; },
                                     "height": 18}},
          {selector: "edge", style: {"width": 1.5, "line-color": "#b9c3cb"}},
          {selector: "edge[type = 'sister']", style: {"line-style": "dashed", "line-color": "#1f6f8b"}}
        ],
        layout: {name: "cose", animate: false, randomize: false, nodeRepulsion: 9000, idealEdgeLength: 70}
      });
      cy.on("tap", "node[type = 'page']", function (evt) {
        var row = document.getElementById("member-" + evt.target.id().slice(1));
        if (row) { row.scrollIntoView({block: "center"}); row.classList.add("picked"); }
      });
      box.setAttribute("data-nodes", String(cy.nodes().length));
      box.setAttribute("data-edges", String(cy.edges().length));
      box.setAttribute("data-ready", "true");
    })
    .catch(function () { box.setAttribute("data-error", "true"); });
}());
