/* Parallel coordinates in SVG (the sweep page): one vertical axis per dimension, one path per line,
   coloured by a value with a colour bar; drag along an axis to brush it (one range per axis; a
   click on the axis clears it), drag an axis title sideways to move the axis.

   Why not Plotly's parcoords: it draws with WebGL through regl, which compiles its draw calls with
   `new Function` unless it runs from plotly's "strict" bundle; the site's Content-Security-Policy
   (viewer/policy.py) allows no eval, so under it Plotly shows "WebGL is not supported". SVG needs
   neither eval nor WebGL, and every label is a text node.

   MB.parcoords(el, {
     axes: [{id, label, values: [number|null per line], range: [lo, hi],
             ticks: [[value, text], ...]}],         // in the axis's own units (log10, an index)
     color: [number|null per line], colorTitle, reverse (true: low values bright),
     brush: {axisId: [lo, hi] | [[lo, hi], ...]}, lineIds: [...] (data-line of each path),
     onBrush(brush), onOrder([axisId, ...]) })  -> {el, destroy(), brushed(i) -> bool, busy() -> bool
     (true while an axis is being dragged: a redraw then would drop the drag)}
   Every label goes in as text. */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB) return;
  var svg = MB.hSvg;
  // viridis, 9 stops (matplotlib's)
  var VIRIDIS = ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"];
  function hex(c) { var n = parseInt(c.slice(1), 16); return [n >> 16, (n >> 8) & 255, n & 255]; }
  function viridis(t) {
    t = Math.max(0, Math.min(1, t));
    var x = t * (VIRIDIS.length - 1), i = Math.min(VIRIDIS.length - 2, Math.floor(x)), f = x - i;
    var a = hex(VIRIDIS[i]), b = hex(VIRIDIS[i + 1]);
    return "rgb(" + [0, 1, 2].map(function (k) { return Math.round(a[k] + (b[k] - a[k]) * f); }).join(",") + ")";
  }
  MB.viridis = viridis;
  function ranges(cr) { return cr && cr.length ? (Array.isArray(cr[0]) ? cr : [cr]) : []; }
  function inside(v, cr) {
    return v !== null && v !== undefined && isFinite(v) && ranges(cr).some(function (r) { return v >= Math.min(r[0], r[1]) && v <= Math.max(r[0], r[1]); });
  }
  function leftRoom(ax) {
    var most = 0;
    ((ax && ax.ticks) || []).forEach(function (t) { most = Math.max(most, Math.min(16, String(t[1]).length)); });
    return Math.max(56, Math.min(140, 16 + most * 6.6));
  }
  function clip(s, n) { s = String(s); return s.length > n ? s.slice(0, Math.max(1, n - 1)) + "…" : s; }

  MB.parcoords = function (el, o) {
    var axes = o.axes.slice();
    // the left margin holds the first axis's tick labels (up to 16 characters)
    var W = Math.max(300, el.clientWidth || 900);
    // a narrow window keeps more of its width for the axes: the colour bar moves closer
    var H = 380, M = { l: leftRoom(axes[0]), r: W < 640 ? 112 : 150, t: 54, b: 34 };
    var brush = {};
    Object.keys(o.brush || {}).forEach(function (k) { brush[k] = o.brush[k]; });
    var n = o.color.length;
    var fin = o.color.filter(function (v) { return v !== null && isFinite(v); });
    var cLo = fin.length ? Math.min.apply(null, fin) : 0, cHi = fin.length ? Math.max.apply(null, fin) : 1;
    function colorOf(v) {
      if (v === null || !isFinite(v)) return "#999";
      var t = cHi > cLo ? (v - cLo) / (cHi - cLo) : 0.5;
      return viridis(o.reverse ? 1 - t : t);
    }
    var root = svg("svg", { class: "pc", width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": "parallel coordinates: " + axes.length + " axes, " + n + " lines" });
    var outG = svg("g", { class: "pc-lines-out" }); // lines outside the brush, under the others
    var linesG = svg("g", { class: "pc-lines" });
    var axesG = svg("g", { class: "pc-axes" });
    root.appendChild(outG);
    root.appendChild(linesG);
    root.appendChild(axesG);
    el.appendChild(root);
    var plotW = W - M.l - M.r, top = M.t, bottom = H - M.b;
    function xOf(i) { return axes.length > 1 ? M.l + (plotW * i) / (axes.length - 1) : M.l + plotW / 2; }
    function yOf(ax, v) {
      var lo = ax.range[0], hi = ax.range[1];
      var t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      return bottom - t * (bottom - top);
    }
    function vOf(ax, y) {
      var lo = ax.range[0], hi = ax.range[1];
      return lo + ((bottom - y) / (bottom - top)) * (hi - lo);
    }
    var paths = [];
    for (var i = 0; i < n; i++) {
      var p = svg("path", { class: "pc-line", "data-line": o.lineIds ? o.lineIds[i] : i, fill: "none" });
      paths.push(p);
      linesG.appendChild(p);
    }
    function brushedAt(i) {
      return Object.keys(brush).every(function (id) {
        var ax = axes.filter(function (a) { return a.id === id; })[0];
        return !ax || inside(ax.values[i], brush[id]);
      });
    }
    // geometry (when the axes move) apart from the brush's styling (at every brush move): a drag
    // over thousands of lines restyles only the lines whose state changed
    var state = []; // per line: "" (no brush), "in" or "out"
    function shapeLines() {
      paths.forEach(function (p, i) {
        var d = "", pen = false;
        axes.forEach(function (ax, k) {
          var v = ax.values[i];
          if (v === null || v === undefined || !isFinite(v)) { pen = false; return; }
          d += (pen ? "L" : "M") + xOf(k).toFixed(1) + "," + yOf(ax, v).toFixed(1);
          pen = true;
        });
        p.setAttribute("d", d || "M0,0");
      });
    }
    function drawLines() {
      var on = Object.keys(brush).length > 0, count = 0;
      var ids = Object.keys(brush).map(function (id) { return [axes.filter(function (a) { return a.id === id; })[0], brush[id]]; })
        .filter(function (x) { return x[0]; });
      paths.forEach(function (p, i) {
        var yes = !on || ids.every(function (x) { return inside(x[0].values[i], x[1]); });
        if (yes && on) count++;
        var st = on ? (yes ? "in" : "out") : "";
        if (state[i] === st) return;
        state[i] = st;
        p.setAttribute("stroke", yes ? colorOf(o.color[i]) : "#c3c9d4");
        p.setAttribute("class", "pc-line" + (st ? " pc-" + st : ""));
        // the brushed lines on top of the others
        (st === "out" ? outG : linesG).appendChild(p);
      });
      root.setAttribute("data-brushed", String(on ? count : -1));
    }
    function drawAxes() {
      MB.clear(axesG);
      var room = axes.length > 1 ? plotW / (axes.length - 1) : plotW;
      var chars = Math.max(4, Math.floor(room / 7.8));
      axes.forEach(function (ax, k) {
        var x = xOf(k);
        var g = svg("g", { class: "pc-axis", "data-axis": ax.id, transform: "translate(" + x + ",0)" });
        g.appendChild(svg("line", { x1: 0, x2: 0, y1: top, y2: bottom, class: "pc-axis-line" }));
        (ax.ticks || []).forEach(function (t) {
          var y = yOf(ax, t[0]);
          if (y < top - 0.5 || y > bottom + 0.5) return;
          g.appendChild(svg("line", { x1: -4, x2: 0, y1: y, y2: y, class: "pc-tick" }));
          g.appendChild(svg("text", { x: -7, y: y + 4, class: "pc-tick-text", "text-anchor": "end", text: clip(t[1], 16) }));
        });
        // the end axes' titles grow inwards, so none runs off the picture
        var first = k === 0 && axes.length > 1, lastAx = k === axes.length - 1 && axes.length > 1;
        var title = svg("text", { x: first ? -M.l + 8 : lastAx ? 24 : 0, y: top - 22, class: "pc-title",
          "text-anchor": first ? "start" : lastAx ? "end" : "middle",
          text: clip(ax.label, first ? Math.floor((M.l - 8 + room / 2) / 7.8) : lastAx ? Math.floor((24 + room / 2) / 7.8) : chars) },
          svg("title", { text: ax.label + " — drag sideways to move this axis" }));
        g.appendChild(title);
        // brush: the drawn range, then the area that takes the drag
        ranges(brush[ax.id]).forEach(function (r) {
          var y1 = yOf(ax, Math.max(r[0], r[1])), y2 = yOf(ax, Math.min(r[0], r[1]));
          g.appendChild(svg("rect", { x: -7, width: 14, y: Math.max(top - 4, y1), height: Math.max(2, Math.min(bottom + 4, y2) - Math.max(top - 4, y1)), class: "pc-brush" }));
        });
        var area = svg("rect", { x: -13, width: 26, y: top - 6, height: bottom - top + 12, class: "pc-brush-area", "data-axis": ax.id },
          svg("title", { text: "drag along the axis to brush; click to clear" }));
        g.appendChild(area);
        axesG.appendChild(g);
        brushDrag(area, g, ax);
        moveDrag(title, g, ax);
      });
      drawColorbar();
    }
    function point(ev) {
      var r = root.getBoundingClientRect();
      return { x: (ev.clientX - r.left) * (W / r.width), y: (ev.clientY - r.top) * (H / r.height) };
    }
    var dragging = 0; // pointers held down on an axis: a redraw now would drop the drag
    function brushDrag(area, g, ax) {
      area.addEventListener("pointerdown", function (ev) {
        ev.preventDefault();
        dragging++;
        var y0 = Math.max(top, Math.min(bottom, point(ev).y)), live = null, moved = false;
        area.setPointerCapture && area.setPointerCapture(ev.pointerId);
        var frame = 0;
        function move(e) {
          var y = Math.max(top, Math.min(bottom, point(e).y));
          if (Math.abs(y - y0) < 3 && !moved) return;
          moved = true;
          if (!live) { live = svg("rect", { x: -7, width: 14, class: "pc-brush" }); g.insertBefore(live, area); }
          live.setAttribute("y", Math.min(y, y0));
          live.setAttribute("height", Math.abs(y - y0));
          brush[ax.id] = [vOf(ax, Math.max(y, y0)), vOf(ax, Math.min(y, y0))];
          // the lines follow once a frame, however many moves the pointer sends
          if (!frame) frame = requestAnimationFrame(function () { frame = 0; drawLines(); });
        }
        function up(e) {
          area.removeEventListener("pointermove", move);
          area.removeEventListener("pointerup", up);
          area.removeEventListener("pointercancel", up);
          dragging = Math.max(0, dragging - 1);
          if (!moved) delete brush[ax.id]; else move(e);
          cancelAnimationFrame(frame);
          frame = 0;
          drawAxes();
          drawLines();
          if (o.onBrush) o.onBrush(copy(brush));
        }
        area.addEventListener("pointermove", move);
        area.addEventListener("pointerup", up);
        area.addEventListener("pointercancel", up);
      });
    }
    function moveDrag(title, g, ax) {
      title.addEventListener("pointerdown", function (ev) {
        ev.preventDefault();
        dragging++;
        var x0 = point(ev).x, k0 = axes.indexOf(ax), dx = 0;
        title.setPointerCapture && title.setPointerCapture(ev.pointerId);
        g.classList.add("pc-moving");
        function move(e) {
          dx = point(e).x - x0;
          g.setAttribute("transform", "translate(" + (xOf(k0) + dx) + ",0)");
        }
        function up(e) {
          title.removeEventListener("pointermove", move);
          title.removeEventListener("pointerup", up);
          title.removeEventListener("pointercancel", up);
          dragging = Math.max(0, dragging - 1);
          move(e);
          var x = xOf(k0) + dx, k = 0, best = Infinity;
          axes.forEach(function (_, j) { var dd = Math.abs(xOf(j) - x); if (dd < best) { best = dd; k = j; } });
          if (k !== k0) { axes.splice(k0, 1); axes.splice(k, 0, ax); shapeLines(); }
          drawAxes();
          el.setAttribute("data-axes", axes.map(function (a) { return a.id; }).join(","));
          if (k !== k0 && o.onOrder) o.onOrder(axes.map(function (a) { return a.id; }));
        }
        title.addEventListener("pointermove", move);
        title.addEventListener("pointerup", up);
        title.addEventListener("pointercancel", up);
      });
    }
    function drawColorbar() {
      var old = root.querySelector(".pc-colorbar");
      if (old) old.remove();
      var x = W - M.r + (W < 640 ? 34 : 64), w = 14, id = "pc-grad-" + Math.random().toString(36).slice(2);
      var grad = svg("linearGradient", { id: id, x1: 0, y1: 1, x2: 0, y2: 0 });
      for (var s = 0; s <= 10; s++) grad.appendChild(svg("stop", { offset: s / 10, "stop-color": viridis(o.reverse ? 1 - s / 10 : s / 10) }));
      var g = svg("g", { class: "pc-colorbar" }, svg("defs", null, grad),
        svg("rect", { x: x, y: top, width: w, height: bottom - top, fill: "url(#" + id + ")", class: "pc-cb" }));
      var widest = 0;
      [0, 0.25, 0.5, 0.75, 1].forEach(function (t) {
        var v = cLo + t * (cHi - cLo), y = bottom - t * (bottom - top), label = MB.fmtNum(+v.toPrecision(3));
        widest = Math.max(widest, label.length);
        g.appendChild(svg("line", { x1: x + w, x2: x + w + 4, y1: y, y2: y, class: "pc-tick" }));
        g.appendChild(svg("text", { x: x + w + 6, y: y + 4, class: "pc-tick-text", text: label }));
      });
      // the title runs along the bar, right of its numbers
      var ty = (top + bottom) / 2, tx = Math.min(W - 8, x + w + 16 + widest * 6.4);
      g.appendChild(svg("text", { x: tx, y: ty, "text-anchor": "middle", transform: "rotate(-90 " + tx + " " + ty + ")",
        class: "pc-title pc-cb-title", text: clip(o.colorTitle || "", Math.floor((bottom - top) / 7.8)) }));
      root.appendChild(g);
    }
    function copy(b) { var c = {}; Object.keys(b).forEach(function (k) { c[k] = b[k]; }); return c; }
    drawAxes();
    shapeLines();
    drawLines();
    el.setAttribute("data-lines", String(n));
    el.setAttribute("data-axes", axes.map(function (a) { return a.id; }).join(","));
    return {
      el: root,
      brushed: brushedAt,
      busy: function () { return dragging > 0; },
      destroy: function () { root.remove(); },
    };
  };
})();
