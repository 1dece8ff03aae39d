/* Histogram: the step's bins as bars, and two views over every logged step of the key: an offset
 * ridgeline and a heat map (steps down, values across). The over-time views need the shell's
 * ctx.loadAll() -> Promise<[{step, stub}]> (every logged entry of this key). */
(function () {
  "use strict";
  var MB = window.MB;
  var R = MB.R;
  var MAX_RIDGES = 40;
  var HEAT_COLUMNS = 96;

  function centers(bins) {
    var out = [];
    for (var i = 0; i + 1 < bins.length; i++) out.push((bins[i] + bins[i + 1]) / 2);
    return out;
  }
  function widths(bins) {
    var out = [];
    for (var i = 0; i + 1 < bins.length; i++) out.push(bins[i + 1] - bins[i]);
    return out;
  }
  function valid(stub) {
    return stub && Array.isArray(stub.values) && Array.isArray(stub.bins) &&
      stub.bins.length === stub.values.length + 1;
  }

  var BASE_LAYOUT = {
    margin: { l: 50, r: 16, t: 10, b: 40 }, height: 300, bargap: 0,
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", showlegend: false
  };
  function layout(extra) { return Object.assign({}, BASE_LAYOUT, extra || {}); }
  var CONFIG = { responsive: true, displaylogo: false };

  // The one-step view is drawn on a canvas: a cursor move redraws it in about a millisecond,
  // where a plotly.js redraw took ~15 ms a panel (bench/bench_viewer.py). Plotly stays for the
  // over-time views. R.histCanvas is also the compare page's overlay of several runs.
  //   series: [{bins, values, color, name, hidden}]; one series is drawn as filled bars, several
  //   as outlines over a faint fill, on the union of their ranges. Returns the canvas.
  // about n round tick values (1, 2 or 5 times a power of ten) inside [lo, hi]
  function niceTicks(lo, hi, n) {
    var span = hi - lo;
    if (!(span > 0) || !isFinite(span)) return [lo];
    var raw = span / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (m) { return m * mag; }).filter(function (s) { return s >= raw; })[0];
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : +v.toPrecision(12));
    return out;
  }
  R.niceTicks = niceTicks;

  function drawHist(div, series, opts) {
    opts = opts || {};
    if (typeof Plotly !== "undefined" && div.data) Plotly.purge(div);
    R.clear(div);
    var shown = series.filter(function (s) { return !s.hidden; });
    var W = Math.max(220, div.clientWidth || (div.parentNode && div.parentNode.clientWidth) || 400);
    var H = opts.height || 300;
    var dpr = window.devicePixelRatio || 1;
    var c = document.createElement("canvas");
    c.width = Math.round(W * dpr); c.height = Math.round(H * dpr);
    c.style.width = "100%"; c.style.height = H + "px"; c.style.display = "block";
    c.className = "mb-hist-canvas";
    c.setAttribute("role", "img");
    c.dataset.bins = series.map(function (s) { return s.values.length; }).join(",");
    c.dataset.series = String(shown.length);
    var g = c.getContext("2d");
    g.scale(dpr, dpr);
    var L = 50, Rm = 16, T = 10, B = 40, pw = W - L - Rm, ph = H - T - B;
    // the axes cover every series, shown or not, so hiding one does not move the others
    var lo = Infinity, hi = -Infinity, top = 0;
    series.forEach(function (s) {
      lo = Math.min(lo, s.bins[0]);
      hi = Math.max(hi, s.bins[s.bins.length - 1]);
      if (!s.hidden) s.values.forEach(function (v) { if (v > top) top = v; });
    });
    top = top || 1;
    var span = hi - lo || 1;
    function X(v) { return L + (v - lo) / span * pw; }
    function Y(v) { return T + ph - Math.max(0, v) / top * ph; }
    var single = series.length === 1;
    shown.forEach(function (s) {
      var bins = s.bins, vals = s.values, i;
      if (single) {
        g.fillStyle = s.color;
        for (i = 0; i < vals.length; i++) {
          var x0 = X(bins[i]), x1 = X(bins[i + 1]);
          g.fillRect(x0, Y(vals[i]), Math.max(1, x1 - x0), T + ph - Y(vals[i]));
        }
        return;
      }
      g.beginPath();
      g.moveTo(X(bins[0]), Y(0));
      for (i = 0; i < vals.length; i++) { g.lineTo(X(bins[i]), Y(vals[i])); g.lineTo(X(bins[i + 1]), Y(vals[i])); }
      g.lineTo(X(bins[vals.length]), Y(0));
      g.globalAlpha = 0.18; g.fillStyle = s.color; g.fill();
      g.globalAlpha = 1; g.strokeStyle = s.color; g.lineWidth = 1.5; g.stroke();
    });
    g.strokeStyle = "#444"; g.lineWidth = 1;
    g.beginPath(); g.moveTo(L, T); g.lineTo(L, T + ph); g.lineTo(L + pw, T + ph); g.stroke();
    g.fillStyle = "#444"; g.font = "11px sans-serif";
    g.textAlign = "center"; g.textBaseline = "top";
    niceTicks(lo, hi, Math.max(2, Math.floor(pw / 90))).forEach(function (v) {
      g.fillRect(X(v) - 0.5, T + ph, 1, 4);
      g.fillText(R.num(v), X(v), T + ph + 6);
    });
    g.fillText("value", L + pw / 2, T + ph + 22);
    g.textAlign = "right"; g.textBaseline = "middle";
    niceTicks(0, top, 4).forEach(function (v) {
      g.fillRect(L - 4, Y(v) - 0.5, 4, 1);
      g.fillText(R.num(v), L - 6, Y(v));
    });
    g.save(); g.translate(12, T + ph / 2); g.rotate(-Math.PI / 2); g.textAlign = "center";
    g.fillText("count", 0, 0); g.restore();
    c.addEventListener("mousemove", function (e) {
      var r = c.getBoundingClientRect();
      var v = lo + ((e.clientX - r.left) * W / r.width - L) / pw * span;
      var parts = [];
      shown.forEach(function (s) {
        for (var k = 0; k < s.values.length; k++) {
          if (v >= s.bins[k] && v < s.bins[k + 1]) {
            parts.push((single ? "" : s.name + ": ") + "[" + R.num(s.bins[k]) + ", " + R.num(s.bins[k + 1]) + "): count " + s.values[k]);
            return;
          }
        }
      });
      c.title = parts.join("\n");
    });
    div.appendChild(c);
    return c;
  }
  R.histCanvas = drawHist;

  function plotStep(div, stub) {
    var c = drawHist(div, [{ bins: stub.bins, values: stub.values, color: "rgb(31,119,180)", name: "" }]);
    c.setAttribute("aria-label", "histogram, " + stub.values.length + " bins");
    return Promise.resolve();
  }

  function sample(entries, current) {
    if (entries.length <= MAX_RIDGES) return entries;
    var out = [], seen = {};
    for (var i = 0; i < MAX_RIDGES; i++) {
      var e = entries[Math.round(i * (entries.length - 1) / (MAX_RIDGES - 1))];
      if (!seen[e.step]) { seen[e.step] = 1; out.push(e); }
    }
    entries.forEach(function (e) { if (e.step === current && !seen[e.step]) out.push(e); });
    out.sort(function (a, b) { return a.step - b.step; });
    return out;
  }

  function plotRidgeline(div, entries, current) {
    var shown = sample(entries, current);
    var peak = 0;
    shown.forEach(function (e) { e.stub.values.forEach(function (v) { if (v > peak) peak = v; }); });
    var height = peak > 0 ? 2.5 / peak : 1;
    var traces = [];
    for (var k = shown.length - 1; k >= 0; k--) {
      var s = shown[k].stub, xs = [], ys = [];
      for (var i = 0; i < s.values.length; i++) {
        xs.push(s.bins[i], s.bins[i + 1]);
        ys.push(k + s.values[i] * height, k + s.values[i] * height);
      }
      xs.push(s.bins[s.bins.length - 1], s.bins[0]);
      ys.push(k, k);
      var isCur = shown[k].step === current;
      traces.push({
        type: "scatter", mode: "lines", x: xs, y: ys, fill: "toself", name: "step " + shown[k].step,
        line: { color: isCur ? "rgb(214,39,40)" : "rgb(31,119,180)", width: isCur ? 2 : 1 },
        fillcolor: isCur ? "rgba(214,39,40,0.35)" : "rgba(31,119,180,0.18)",
        hoverinfo: "name"
      });
    }
    var ticks = [], labels = [];
    var every = Math.max(1, Math.ceil(shown.length / 10));
    shown.forEach(function (e, i) { if (i % every === 0 || e.step === current) { ticks.push(i); labels.push(String(e.step)); } });
    return Plotly.newPlot(div, traces, layout({
      height: Math.max(300, 24 * shown.length + 80),
      xaxis: { title: { text: "value" }, zeroline: false },
      yaxis: { title: { text: "step" }, tickvals: ticks, ticktext: labels, zeroline: false }
    }), CONFIG).then(function () { return shown.length; });
  }

  function plotHeatmap(div, entries, current) {
    var lo = Infinity, hi = -Infinity;
    entries.forEach(function (e) {
      lo = Math.min(lo, e.stub.bins[0]);
      hi = Math.max(hi, e.stub.bins[e.stub.bins.length - 1]);
    });
    if (!(hi > lo)) { hi = lo + 1; }
    var n = HEAT_COLUMNS, dx = (hi - lo) / n;
    var z = entries.map(function (e) {
      var row = new Array(n).fill(0), s = e.stub;
      for (var i = 0; i < s.values.length; i++) {
        var a = s.bins[i], b = s.bins[i + 1], c = s.values[i];
        if (!c) continue;
        if (b <= a) { row[Math.min(n - 1, Math.floor((a - lo) / dx))] += c; continue; }
        // Spread the bin's count over the columns it overlaps, by overlap length.
        var j0 = Math.max(0, Math.floor((a - lo) / dx)), j1 = Math.min(n - 1, Math.floor((b - lo) / dx));
        for (var j = j0; j <= j1; j++) {
          var l = Math.max(a, lo + j * dx), r = Math.min(b, lo + (j + 1) * dx);
          if (r > l) row[j] += c * (r - l) / (b - a);
        }
      }
      return row;
    });
    var xs = [];
    for (var j = 0; j < n; j++) xs.push(lo + (j + 0.5) * dx);
    var steps = entries.map(function (e) { return e.step; });
    var shapes = steps.indexOf(current) >= 0 ? [{
      type: "line", xref: "paper", x0: 0, x1: 1, y0: current, y1: current,
      line: { color: "rgb(214,39,40)", width: 1.5, dash: "dot" }
    }] : [];
    return Plotly.newPlot(div, [{
      type: "heatmap", x: xs, y: steps, z: z, colorscale: "Viridis",
      hovertemplate: "step %{y}<br>value %{x}<br>count %{z:.4g}<extra></extra>",
      colorbar: { title: { text: "count" }, thickness: 12 }
    }], layout({ height: 340, shapes: shapes, xaxis: { title: { text: "value" } },
      yaxis: { title: { text: "step" }, autorange: "reversed" } }), CONFIG);
  }

  function render(el, stub, ctx) {
    if (!valid(stub)) { R.placeholder(el, "histogram: stub has no valid values/bins", ctx); return; }
    var mode = R.state(ctx, "histMode", "step");
    var canAll = ctx && typeof ctx.loadAll === "function";
    var box = R.el("div", { class: "mb-histogram" });
    var bar = R.el("div", { class: "mb-tabs", role: "tablist" });
    var plot = R.el("div", { class: "mb-plot" });
    var note = R.el("div", { class: "mb-note" });
    [["step", "this step"], ["ridgeline", "over time"], ["heatmap", "heat map"]].forEach(function (m) {
      var b = R.el("button", { type: "button", class: "mb-tab", "data-mode": m[0], text: m[1],
        "aria-selected": String(m[0] === mode) });
      if (m[0] !== "step" && !canAll) { b.disabled = true; b.title = "the page cannot load every step of this key"; }
      b.addEventListener("click", function () {
        if (mode === m[0]) return;
        mode = m[0];
        R.setState(ctx, "histMode", mode);
        Array.prototype.forEach.call(bar.children, function (c) {
          c.setAttribute("aria-selected", String(c.getAttribute("data-mode") === mode));
        });
        draw();
      });
      bar.appendChild(b);
    });
    var lo = stub.bins[0], hi = stub.bins[stub.bins.length - 1];
    box.appendChild(bar);
    box.appendChild(plot);
    box.appendChild(note);
    box.appendChild(R.meta([
      ["count", R.num(stub.count)], ["bins", stub.values.length],
      ["range", "[" + R.num(lo) + ", " + R.num(hi) + "]"],
      stub.nonfinite ? ["NaN/inf left out", stub.nonfinite] : null]));
    el.appendChild(box);

    var token = 0;
    function draw() {
      var mine = ++token;
      note.textContent = "";
      if (mode === "step" || !canAll) {
        plotStep(plot, stub);
        return;
      }
      var stale = plot.querySelector(".mb-hist-canvas");
      if (stale) stale.remove();
      var ready = R.need("plotly", "Plotly");
      note.textContent = "loading every logged step\u2026";
      ready.then(function () { return ctx.loadAll(); }).then(function (all) {
        if (mine !== token) return;
        var entries = (all || []).filter(function (e) { return e && valid(e.stub); })
          .sort(function (a, b) { return a.step - b.step; });
        if (!entries.length) { note.textContent = "no logged steps to show"; return; }
        var current = ctx.loggedStep !== undefined ? ctx.loggedStep : ctx.step;
        var done = mode === "heatmap" ? plotHeatmap(plot, entries, current) : plotRidgeline(plot, entries, current);
        return Promise.resolve(done).then(function (shown) {
          if (mine !== token) return;
          note.textContent = mode === "ridgeline" && shown < entries.length
            ? "showing " + shown + " of " + entries.length + " logged steps (evenly spaced, current step included)"
            : entries.length + " logged steps";
        });
      }).catch(function (e) {
        if (mine === token) note.textContent = "could not load the other steps: " + (e && e.message || e);
      });
    }
    draw();
  }

  function destroy(el) {
    var p = el.querySelector(".mb-plot");
    if (p && p.data && typeof Plotly !== "undefined") Plotly.purge(p);
  }

  R.register("histogram", { render: render, destroy: destroy });
})();
