/* flyteplane console: draws an execution's node graph with dagre (one level at a time; parent nodes open into
   their children on demand), recolours it while the execution runs, and loads task logs as text. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var POLL_MS = 1000;
  var NODE_W = 210, NODE_H = 44;

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(node);
    return node;
  }

  function phaseClass(phase) {
    switch (phase) {
      case "SUCCEEDED": case "RECOVERED": return "ok";
      case "FAILED": case "FAILING": case "TIMED_OUT": case "RETRYABLE_FAILURE": return "bad";
      case "ABORTED": case "ABORTING": return "aborted";
      case "RUNNING": case "SUCCEEDING": case "DYNAMIC_RUNNING": return "run";
      case "QUEUED": case "INITIALIZING": case "WAITING_FOR_RESOURCES": return "queued";
      case "SKIPPED": return "skipped";
      case "PAUSED": return "paused";
      default: return "idle";
    }
  }

  var DAGRE_MAX = 150; /* above this many nodes dagre's layout alone takes most of a second */
  var COLUMN_ROWS = 20;

  function layered(data) {
    /* Big levels: ranks by longest path (Kahn's order), each rank a block of columns of COLUMN_ROWS nodes;
       edges as straight lines. Linear in nodes and edges. */
    var rank = {}, indeg = {}, out = {}, positions = {};
    data.nodes.forEach(function (n) { rank[n.id] = 0; indeg[n.id] = 0; out[n.id] = []; });
    data.edges.forEach(function (e) { if (e[0] in out && e[1] in indeg) { out[e[0]].push(e[1]); indeg[e[1]]++; } });
    var queue = data.nodes.filter(function (n) { return indeg[n.id] === 0; }).map(function (n) { return n.id; });
    for (var q = 0; q < queue.length; q++) {
      out[queue[q]].forEach(function (t) { rank[t] = Math.max(rank[t], rank[queue[q]] + 1); if (--indeg[t] === 0) queue.push(t); });
    }
    var byRank = [];
    data.nodes.forEach(function (n) { (byRank[rank[n.id]] = byRank[rank[n.id]] || []).push(n.id); });
    var x = 10, height = 0;
    byRank.forEach(function (ids) {
      var cols = Math.ceil(ids.length / COLUMN_ROWS);
      ids.forEach(function (id, i) {
        positions[id] = { x: x + Math.floor(i / COLUMN_ROWS) * (NODE_W + 16) + NODE_W / 2, y: 10 + (i % COLUMN_ROWS) * (NODE_H + 12) + NODE_H / 2 };
      });
      height = Math.max(height, Math.min(ids.length, COLUMN_ROWS) * (NODE_H + 12) + 20);
      x += cols * (NODE_W + 16) + 40;
    });
    var edges = data.edges.filter(function (e) { return positions[e[0]] && positions[e[1]]; }).map(function (e) {
      var a = positions[e[0]], b = positions[e[1]];
      return [{ x: a.x + NODE_W / 2, y: a.y }, { x: b.x - NODE_W / 2, y: b.y }];
    });
    return { positions: positions, edges: edges, width: x, height: height };
  }

  function layout(data) {
    /* dagre for levels with edges; a plain grid for edgeless levels (map items, dynamic fan-outs). */
    var positions = {};
    if (data.nodes.length > DAGRE_MAX && data.edges.length > 0) return layered(data);
    if (data.edges.length === 0 || typeof dagre === "undefined") {
      var cols = Math.max(1, Math.min(8, Math.ceil(Math.sqrt(data.nodes.length))));
      data.nodes.forEach(function (n, i) {
        positions[n.id] = { x: (i % cols) * (NODE_W + 20) + NODE_W / 2 + 10, y: Math.floor(i / cols) * (NODE_H + 20) + NODE_H / 2 + 10 };
      });
      var rows = Math.ceil(data.nodes.length / cols);
      return { positions: positions, edges: [], width: cols * (NODE_W + 20) + 20, height: rows * (NODE_H + 20) + 20 };
    }
    var g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 50, marginx: 10, marginy: 10 });
    g.setDefaultEdgeLabel(function () { return {}; });
    data.nodes.forEach(function (n) { g.setNode(n.id, { width: NODE_W, height: NODE_H }); });
    data.edges.forEach(function (e) { if (g.hasNode(e[0]) && g.hasNode(e[1])) g.setEdge(e[0], e[1]); });
    dagre.layout(g);
    g.nodes().forEach(function (id) { var n = g.node(id); positions[id] = { x: n.x, y: n.y }; });
    var edges = g.edges().map(function (e) { return g.edge(e).points; });
    return { positions: positions, edges: edges, width: g.graph().width, height: g.graph().height };
  }

  function Level(host, src, nodesUrl, parent, title) {
    this.host = host; this.src = src; this.nodesUrl = nodesUrl; this.parent = parent;
    this.boxes = {}; this.timer = null; this.children = {};
    this.box = document.createElement("div");
    this.box.className = "level";
    if (parent) {
      var h = document.createElement("h3");
      h.textContent = title;
      var close = document.createElement("button");
      close.type = "button"; close.className = "link"; close.textContent = "close";
      close.setAttribute("aria-label", "Close " + title);
      var self = this;
      close.addEventListener("click", function () { self.close(); });
      h.appendChild(document.createTextNode(" ")); h.appendChild(close);
      this.box.appendChild(h);
    }
    this.canvas = document.createElement("div");
    this.canvas.className = "canvas";
    this.box.appendChild(this.canvas);
    host.appendChild(this.box);
  }

  Level.prototype.url = function () {
    return this.src + (this.parent ? "?parent=" + encodeURIComponent(this.parent) : "");
  };

  Level.prototype.load = function () {
    var self = this;
    return fetch(this.url(), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!self.svg) { self.draw(data); if (!self.parent) document.body.dispatchEvent(new Event("graph-drawn")); } else self.update(data);
        if (!data.done) self.timer = setTimeout(function () { self.load(); }, POLL_MS);
      })
      .catch(function () { self.timer = setTimeout(function () { self.load(); }, POLL_MS * 3); });
  };

  Level.prototype.close = function () {
    clearTimeout(this.timer); this.closed = true;
    for (var k in this.children) this.children[k].close();
    if (this.box.parentNode) this.box.parentNode.removeChild(this.box);
  };

  Level.prototype.draw = function (data) {
    var self = this;
    this.known = data.nodes.map(function (n) { return n.id; }).join(",");
    this.canvas.textContent = "";
    if (data.nodes.length === 0) {
      var p = document.createElement("p"); p.className = "muted"; p.textContent = "No nodes yet.";
      this.canvas.appendChild(p); this.svg = null; return;
    }
    var lay = layout(data);
    var svg = el("svg", { width: lay.width, height: lay.height, viewBox: "0 0 " + lay.width + " " + lay.height, role: "presentation" });
    var defs = el("defs", {}, svg);
    var marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "6", markerHeight: "6", orient: "auto-start-reverse" }, defs);
    el("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" }, marker);
    lay.edges.forEach(function (pts) {
      var d = pts.map(function (p, i) { return (i ? "L" : "M") + p.x + " " + p.y; }).join(" ");
      el("path", { d: d, class: "edge", "marker-end": "url(#arrow)" }, svg);
    });
    data.nodes.forEach(function (n) {
      var pos = lay.positions[n.id];
      var g = el("g", { class: "node " + phaseClass(n.phase), transform: "translate(" + (pos.x - NODE_W / 2) + "," + (pos.y - NODE_H / 2) + ")", tabindex: "0", role: "button", "data-node": n.id }, svg);
      el("rect", { width: NODE_W, height: NODE_H, rx: 6 }, g);
      var label = el("text", { x: 10, y: 18, class: "label" }, g);
      label.textContent = n.label.length > 28 ? n.label.slice(0, 27) + "…" : n.label;
      var sub = el("text", { x: 10, y: 35, class: "sub" }, g);
      var title = el("title", {}, g);
      self.boxes[n.id] = { g: g, sub: sub, title: title, node: n };
      self.fill(n);
      g.addEventListener("click", function () { self.select(n.id); });
      g.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); self.select(n.id); }
      });
    });
    this.canvas.appendChild(svg);
    this.svg = svg;
    this.canvas.setAttribute("data-drawn", String(data.nodes.length));
  };

  Level.prototype.fill = function (n) {
    var box = this.boxes[n.id];
    if (!box) return;
    box.node = n;
    box.g.setAttribute("class", "node " + phaseClass(n.phase) + (n.parent ? " parent" : ""));
    box.g.setAttribute("data-phase", n.phase);
    box.sub.textContent = (n.kind ? n.kind + " · " : "") + n.phase.toLowerCase() + (n.duration ? " · " + n.duration : "") + (n.parent ? " ▸" : "");
    box.title.textContent = n.id + ": " + n.phase;
    box.g.setAttribute("aria-label", n.label + ", " + (n.kind || "node") + ", " + n.phase.toLowerCase() + (n.parent ? ", opens its children" : ""));
  };

  Level.prototype.update = function (data) {
    var ids = data.nodes.map(function (n) { return n.id; }).join(",");
    if (ids !== this.known) { this.boxes = {}; this.draw(data); return; }
    var self = this;
    data.nodes.forEach(function (n) { self.fill(n); });
  };

  Level.prototype.select = function (id) {
    var box = this.boxes[id];
    if (!box) return;
    var execId = box.node.exec_id;
    if (execId && window.htmx) {
      htmx.ajax("GET", this.nodesUrl + "/" + encodeURIComponent(execId), { target: "#node-details", swap: "innerHTML" });
    }
    if (box.node.parent && execId) this.open(execId, box.node.label);
  };

  Level.prototype.open = function (execId, label) {
    if (this.children[execId] && !this.children[execId].closed) return;
    var child = new Level(this.box, this.src, this.nodesUrl, execId, "Inside " + label + " (" + execId + ")");
    this.children[execId] = child;
    child.load();
  };

  var root = null;
  function start() {
    var host = document.getElementById("graph");
    if (!host) return;
    root = new Level(host, host.getAttribute("data-src"), host.getAttribute("data-nodes"), "", "");
    root.load();
  }

  function loadLogs(scope) {
    (scope || document).querySelectorAll("[data-log-src]").forEach(function (pre) {
      if (pre.getAttribute("data-loading")) return;
      pre.setAttribute("data-loading", "1");
      var refresh = function () {
        fetch(pre.getAttribute("data-log-src"))
          .then(function (r) { return r.ok ? r.text() : "(no log: " + r.status + ")"; })
          .then(function (text) {
            pre.textContent = text || "(empty)";
            pre.setAttribute("data-loaded", "1");
            if (pre.getAttribute("data-live") === "yes" && document.body.contains(pre)) setTimeout(refresh, 2000);
          });
      };
      refresh();
    });
  }

  document.addEventListener("click", function (ev) {
    var target = ev.target.closest ? ev.target.closest("[data-open-children]") : null;
    if (target && root) root.open(target.getAttribute("data-open-children"), target.getAttribute("data-open-children"));
  });
  document.addEventListener("htmx:afterSwap", function (ev) { loadLogs(ev.target); });
  document.addEventListener("DOMContentLoaded", function () { start(); loadLogs(document); });

  /* Launch forms: JSON inputs are checked before the form is sent. */
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.matches || !form.matches("form.launch")) return;
    var bad = null;
    form.querySelectorAll("[data-json]").forEach(function (input) {
      input.setCustomValidity("");
      if (input.value.trim() === "") return;
      try { JSON.parse(input.value); } catch (e) { input.setCustomValidity("Not valid JSON: " + e.message); bad = bad || input; }
    });
    if (bad) { ev.preventDefault(); bad.reportValidity(); }
  }, true);
})();
