// HeistGuard trace graph viewer: a small force layout in plain SVG, no dependencies (shipped with the package).
(function () {
  "use strict";
  const svg = document.getElementById("graph");
  const info = document.getElementById("info");
  const NS = "http://www.w3.org/2000/svg";
  const colour = { source: "#c0392b", endpoint: "#2471a3", hop: "#7f8c8d", decoy: "#d4ac0d" };
  const width = () => svg.clientWidth || 1000;
  const height = () => svg.clientHeight || 700;
  const nodes = TRACE.nodes.map((n, i) => ({
    ...n,
    x: 80 + (n.hop === null ? 0 : n.hop) * 160 + Math.random() * 20,
    y: 40 + (i * 53) % Math.max(height() - 80, 100),
    vx: 0, vy: 0,
  }));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges = TRACE.edges.filter((e) => byId.has(e.source) && byId.has(e.target));
  const el = (tag, attrs, parent) => {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    (parent || svg).appendChild(node);
    return node;
  };
  const defs = el("defs", {});
  const marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 18, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto" }, defs);
  el("path", { d: "M0,0 L10,5 L0,10 z", fill: "#999" }, marker);
  const lines = edges.map((e) =>
    el("line", {
      stroke: e.decoy ? colour.decoy : e.tainted !== "0" ? "#c0392b" : "#bbb",
      "stroke-dasharray": e.decoy ? "4 3" : "",
      "stroke-width": e.tainted !== "0" ? 2 : 1,
      "marker-end": "url(#arrow)",
    })
  );
  const show = (text) => { info.textContent = text; };
  lines.forEach((line, i) => {
    const e = edges[i];
    line.addEventListener("click", () =>
      show(`${e.time} ${e.source} -> ${e.target}: ${e.amount} ${e.asset}, stolen ${e.tainted}` +
        (e.decoy ? ` — DECOY: ${e.decoy}` : "") + ` (tx ${e.tx})`));
  });
  const circles = nodes.map((n) => {
    const g = el("g", { cursor: "pointer" });
    el("circle", { r: n.role === "endpoint" || n.role === "source" ? 9 : 6, fill: colour[n.role] || "#555" }, g);
    const label = el("text", { x: 11, y: 4, "font-size": 11 }, g);
    label.textContent = n.entity || n.id.slice(0, 10) + "…";
    g.addEventListener("click", () =>
      show(`${n.id} — ${n.role}${n.entity ? " — " + n.entity : ""}${n.label ? " — " + n.label : ""}; stolen received ${n.tainted_received || "0"}`));
    let dragging = false;
    g.addEventListener("mousedown", () => { dragging = true; n.fixed = true; });
    window.addEventListener("mouseup", () => { dragging = false; });
    svg.addEventListener("mousemove", (ev) => {
      if (!dragging) return;
      const box = svg.getBoundingClientRect();
      n.x = ev.clientX - box.left; n.y = ev.clientY - box.top;
    });
    return g;
  });
  function tick() {
    for (const a of nodes) {
      for (const b of nodes) {
        if (a === b) continue;
        const dx = a.x - b.x, dy = a.y - b.y, d2 = dx * dx + dy * dy + 0.01;
        if (d2 < 40000) { a.vx += (dx / d2) * 60; a.vy += (dy / d2) * 60; }
      }
    }
    for (const e of edges) {
      const s = byId.get(e.source), t = byId.get(e.target);
      const dx = t.x - s.x, dy = t.y - s.y, d = Math.sqrt(dx * dx + dy * dy) + 0.01, f = (d - 140) * 0.01;
      s.vx += (dx / d) * f; s.vy += (dy / d) * f; t.vx -= (dx / d) * f; t.vy -= (dy / d) * f;
    }
    for (const n of nodes) {
      if (n.hop !== null) n.vx += ((80 + n.hop * 160) - n.x) * 0.02; // keep hops in columns, time flows right
      if (!n.fixed) { n.x += n.vx; n.y += n.vy; }
      n.vx *= 0.5; n.vy *= 0.5;
      n.x = Math.max(10, Math.min(width() - 10, n.x)); n.y = Math.max(10, Math.min(height() - 10, n.y));
    }
    edges.forEach((e, i) => {
      const s = byId.get(e.source), t = byId.get(e.target);
      lines[i].setAttribute("x1", s.x); lines[i].setAttribute("y1", s.y);
      lines[i].setAttribute("x2", t.x); lines[i].setAttribute("y2", t.y);
    });
    nodes.forEach((n, i) => circles[i].setAttribute("transform", `translate(${n.x},${n.y})`));
    requestAnimationFrame(tick);
  }
  tick();
})();
