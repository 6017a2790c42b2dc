/* The network view's graph, drawn with the vendored Cytoscape.js from the nodes and edges
   the page carries (a json_script block: no inline script, strict CSP). Labels arrive from
   the server, already permission-filtered; the table under the graph holds the same nodes,
   so nothing is lost without JavaScript. A case node the reader may open links to it. */
(function () {
  "use strict";

  var COLOURS = { case: "#0072B2", person: "#E69F00", business: "#D55E00", identifier: "#009E73" };
  var SHAPES = { case: "round-rectangle", person: "ellipse", business: "hexagon", identifier: "diamond" };

  function draw(container) {
    var source = document.getElementById(container.dataset.source);
    if (!source || typeof window.cytoscape !== "function") {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (!data) {
      return;
    }
    var elements = data.nodes.map(function (node) {
      return { group: "nodes", data: {
        id: node.id, label: node.label, kind: node.kind, url: node.url,
        size: 18 + Math.min(node.degree, 12) * 3
      } };
    }).concat(data.edges.map(function (edge, i) {
      return { group: "edges", data: { id: "e" + i, source: edge.source, target: edge.target, kind: edge.kind } };
    }));
    var small = data.nodes.length <= 80;
    var cy = window.cytoscape({
      container: container,
      elements: elements,
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: {
          "background-color": function (n) { return COLOURS[n.data("kind")] || "#7f7f7f"; },
          "shape": function (n) { return SHAPES[n.data("kind")] || "ellipse"; },
          "width": "data(size)", "height": "data(size)",
          "label": small ? "data(label)" : "",
          "font-size": 10, "color": "#1a1a1a",
          "text-valign": "bottom", "text-margin-y": 3,
          "text-wrap": "ellipsis", "text-max-width": 120
        } },
        { selector: "node:selected", style: { "label": "data(label)", "border-width": 3, "border-color": "#000" } },
        { selector: "edge", style: { "width": 1.5, "line-color": "#999", "curve-style": "haystack" } },
        { selector: "edge[kind = 'same_person']", style: {
          "width": 3, "line-color": "#CC79A7", "line-style": "dashed", "curve-style": "bezier"
        } }
      ],
      layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 8000, idealEdgeLength: 60 }
    });
    cy.on("tap", "node", function (event) {
      var url = event.target.data("url");
      if (url) {
        window.location.assign(url);
      }
    });
    // For the browser test and for anyone curious in the console: what was drawn.
    container.dataset.nodes = String(cy.nodes().length);
    container.dataset.edges = String(cy.edges().length);
    container.dataset.drawn = "true";
    window.puenteNetwork = cy;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("network-graph");
    if (container) {
      draw(container);
    }
  });
})();
