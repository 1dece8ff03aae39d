/* Scalar charts for the run page (plotly.js, loaded on demand from the site's vendor folder).
   Controls: x-axis (_step, _runtime, wall time, or any numeric key), smoothing (EMA), log-y, key
   filter. Every point is drawn; a series longer than MAX_POINTS is reduced by keeping the min and
   the max of each bucket (never random sampling), and the chart says so. */
(function () {
  "use strict";
  var MB = window.MB;
  var h = MB.h;
  var MAX_POINTS = 4000;
  var EAGER_CHARTS = 24;

  function ema(ys, w) {
    if (!w) return ys;
    var out = new Array(ys.length), acc = 0, n = 0;
    for (var i = 0; i < ys.length; i++) {
      var y = ys[i];
      if (y === null || !isFinite(y)) { out[i] = null; continue; }
      acc = acc * w + (1 - w) * y;
      n++;
      out[i] = acc / (1 - Math.pow(w, n)); // debiased, as TensorBoard does
    }
    return out;
  }

  // Keep min and max of each bucket, in x order: the shape (spikes included) survives.
  function minmax(xs, ys, maxPoints) {
    if (xs.length <= maxPoints) return { x: xs, y: ys, reduced: false };
    var buckets = Math.floor(maxPoints / 2), size = xs.length / buckets, ox = [], oy = [];
    for (var b = 0; b < buckets; b++) {
      var a = Math.floor(b * size), e = Math.min(xs.length, Math.floor((b + 1) * size));
      var lo = -1, hi = -1;
      for (var i = a; i < e; i++) {
        if (ys[i] === null) continue;
        if (lo < 0 || ys[i] < ys[lo]) lo = i;
        if (hi < 0 || ys[i] > ys[hi]) hi = i;
      }
      if (lo < 0) continue;
      var pair = lo <= hi ? [lo, hi] : [hi, lo];
      ox.push(xs[pair[0]]); oy.push(ys[pair[0]]);
      if (pair[1] !== pair[0]) { ox.push(xs[pair[1]]); oy.push(ys[pair[1]]); }
    }
    return { x: ox, y: oy, reduced: true };
  }

  /* Several runs' series as one: mean, min and max across the runs at each x, and how many runs.
     series: [{x: [...], y: [...]}] (x ascending, y may hold null). When the runs together have at
     most maxPoints distinct x values, those x are used as they are; otherwise x is cut into
     maxPoints equal buckets and each run contributes the mean of its points in a bucket. Inside a
     run's own x range a run without a point at some x carries its last value forward (runs that
     log at different steps still aggregate smoothly); outside its range it is left out (n drops). */
  function aggregate(series, maxPoints) {
    var all = [];
    series.forEach(function (s) { for (var i = 0; i < s.x.length; i++) if (s.y[i] !== null && isFinite(s.y[i])) all.push(s.x[i]); });
    if (!all.length) return { x: [], mean: [], min: [], max: [], n: [], bucketed: false };
    all.sort(function (a, b) { return a - b; });
    var uniq = [all[0]];
    for (var u = 1; u < all.length; u++) if (all[u] !== uniq[uniq.length - 1]) uniq.push(all[u]);
    var bucketed = uniq.length > maxPoints;
    var lo = uniq[0], hi = uniq[uniq.length - 1], width = (hi - lo) / maxPoints || 1;
    var nb = bucketed ? maxPoints : uniq.length;
    var where = {};
    if (!bucketed) uniq.forEach(function (x, j) { where[x] = j; });
    function bucket(x) { return bucketed ? Math.min(nb - 1, Math.floor((x - lo) / width)) : where[x]; }
    var sum = new Float64Array(nb), mn = new Float64Array(nb).fill(Infinity), mx = new Float64Array(nb).fill(-Infinity);
    var cnt = new Int32Array(nb), xsum = new Float64Array(nb), xcnt = new Int32Array(nb);
    series.forEach(function (s) {
      var own = new Float64Array(nb), ownN = new Int32Array(nb), first = -1, last = -1;
      for (var i = 0; i < s.x.length; i++) {
        var y = s.y[i];
        if (y === null || !isFinite(y)) continue;
        var b = bucket(s.x[i]);
        own[b] += y; ownN[b]++;
        xsum[b] += s.x[i]; xcnt[b]++;
        if (first < 0) first = b;
        last = b;
      }
      if (first < 0) return;
      var carry = null;
      for (var j = first; j <= last; j++) {
        if (ownN[j]) carry = own[j] / ownN[j];
        sum[j] += carry; cnt[j]++;
        if (carry < mn[j]) mn[j] = carry;
        if (carry > mx[j]) mx[j] = carry;
      }
    });
    var out = { x: [], mean: [], min: [], max: [], n: [], bucketed: bucketed };
    for (var k = 0; k < nb; k++) {
      if (!cnt[k]) continue;
      out.x.push(bucketed ? (xcnt[k] ? xsum[k] / xcnt[k] : lo + (k + 0.5) * width) : uniq[k]);
      out.mean.push(sum[k] / cnt[k]); out.min.push(mn[k]); out.max.push(mx[k]); out.n.push(cnt[k]);
    }
    return out;
  }

  var ptext = MB.ptext;  // user strings into plotly (app.js)

  // The layout every scalar chart shares (run page, compare page): the title on the left (the
  // mode bar is on the right), hover listing every trace at that x, readable log axes (powers of
  // ten, and 2 and 5 between them when the data spans few decades), and a line at the media
  // cursor's step when the x-axis is the step.
  function yAxis(logy, ys) {
    if (!logy) return { type: "linear" };
    var lo = Infinity, hi = -Infinity;
    (ys || []).forEach(function (y) { if (y > 0) { if (y < lo) lo = y; if (y > hi) hi = y; } });
    var decades = isFinite(lo) ? Math.log10(hi / lo) : 0;
    return { type: "log", dtick: decades > 3 ? 1 : "D2" };
  }
  function layout(o) {
    return {
      title: { text: o.title, font: { size: 13 }, x: 0.01, xanchor: "left" },
      margin: { l: 48, r: 12, t: 32, b: o.bottom || 36 }, height: o.height,
      showlegend: !!o.legend, legend: o.legend || undefined, hovermode: "x unified",
      xaxis: { title: { text: o.xTitle } }, yaxis: yAxis(o.logy, o.ys),
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    };
  }
  // The cursor's step on a chart whose x is the step: a line over the plot area, an element of the
  // chart's figure placed from plotly's axis (x: offset + l2p(step); y: the plot area), so moving
  // it costs no plotly redraw (a relayout of every chart on every frame of a drag did)
  function markStep(el) {
    var fig = el.parentNode, fl = el._fullLayout;
    if (!fig || !fl || !fl.xaxis || !fl.yaxis || !fl.xaxis.l2p) return;
    var line = el.__mbLine;
    if (!line) {
      line = el.__mbLine = h("div", { class: "mb-cursor-line", "aria-hidden": "true" });
      fig.appendChild(line);
    }
    var step = el.getAttribute("data-x-step") === "1" && MB.cursor && MB.cursor.step ? MB.cursor.step() : null;
    var xa = fl.xaxis, ya = fl.yaxis;
    var px = step === null || step === undefined ? NaN : xa._offset + xa.l2p(step);
    line.hidden = !(isFinite(px) && px >= xa._offset - 0.5 && px <= xa._offset + xa._length + 0.5);
    if (line.hidden) return;
    line.setAttribute("data-step", String(step));
    line.style.left = (el.offsetLeft + px) + "px";
    line.style.top = (el.offsetTop + ya._offset) + "px";
    line.style.height = ya._length + "px";
  }
  // after Plotly.react: the cursor's line, and a click on a chart whose x is the step moves the
  // media cursor there
  function linkCursor(el, xIsStep) {
    el.setAttribute("data-x-step", xIsStep ? "1" : "0");
    markStep(el);
    if (el.__mbLinked || typeof el.on !== "function") return;
    el.__mbLinked = true;
    el.on("plotly_click", function (d) {
      var pt = d && d.points && d.points[0];
      if (el.getAttribute("data-x-step") === "1" && pt && MB.cursor) MB.cursor.set(Number(pt.x));
    });
    el.on("plotly_afterplot", function () { markStep(el); }); // zoom, pan, resize
  }
  // the cursor moved: its line moves on every chart (once per frame while dragging)
  var pendingMark = false;
  document.addEventListener("mb:cursor", function () {
    if (pendingMark) return;
    pendingMark = true;
    requestAnimationFrame(function () {
      pendingMark = false;
      Array.prototype.forEach.call(document.querySelectorAll(".js-plotly-plot[data-x-step]"), markStep);
    });
  });

  // a chart's height at the view's chart size (?cz=s|l), for the run page (base 240) or compare (290)
  function height(base) { var z = MB.chartSize ? MB.chartSize() : "m"; return z === "s" ? Math.round(base * 0.75) : z === "l" ? Math.round(base * 1.5) : base; }
  // charts grouped in a collapsible section per key prefix (their state in ?fold=, as c:<prefix>);
  // make(key, box) adds one chart's figure to its section's grid; opened() after a user opens one
  // (charts in a folded section are drawn when it opens)
  function sections(root, keys, make, gridClass, opened) {
    MB.bySection(keys).forEach(function (sec) {
      var box = h("div", { class: "chart-grid" + (gridClass ? " " + gridClass : "") });
      var fold = MB.fold("c:" + sec.name, [sec.name || "(top level)", h("span", { class: "muted", text: " · " + sec.keys.length + " charts" })], box, {
        class: "chart-section", toggled: function (open) { if (open && opened) opened(); },
      });
      fold.setAttribute("data-section", sec.name);
      root.appendChild(fold);
      sec.keys.forEach(function (k) { make(k, box); });
    });
  }

  // The run page's System section (system.jsonl): a few charts of related fields, one trace per
  // field (per GPU), x = relative time, wall time or the run's step. Folded until opened (?fold=
  // keeps it open); drawn when it opens and again on live updates while open.
  var SYSTEM_CHARTS = [
    ["CPU (%)", /^(proc\.cpu_percent|cpu\.percent)$/, { "proc.cpu_percent": "process (100 = one core)", "cpu.percent": "machine" }],
    ["Process memory (MB)", /^proc\.rss_mb$/, { "proc.rss_mb": "resident" }],
    ["Machine memory and disk (%)", /^(memory|disk)\.percent$/, { "memory.percent": "memory used", "disk.percent": "disk used" }],
    ["Disk I/O since start (MB)", /^disk\.(read|write)_mb$/, { "disk.read_mb": "read", "disk.write_mb": "written" }],
    ["Network since start (MB)", /^net\.(sent|recv)_mb$/, { "net.sent_mb": "sent", "net.recv_mb": "received" }],
    ["GPU utilisation (%)", /^gpu\.\d+\.util$/],
    ["GPU memory (MB)", /^gpu\.\d+\.memory_mb$/],
    ["GPU power (W)", /^gpu\.\d+\.power_w$/],
    ["GPU temperature (°C)", /^gpu\.\d+\.temp_c$/],
  ];
  function system(key, run) {
    var xSel = h("select", { id: "system-x", "aria-label": "System x-axis" },
      [["_runtime", "Relative time (s)"], ["_timestamp", "Wall time"], ["_step", "Step"]].map(function (o) { return h("option", { value: o[0], text: o[1] }); }));
    xSel.value = MB.view.q.get("sx") || "_runtime";
    var grid = h("div", { class: "chart-grid" });
    var note = h("p", { class: "muted chart-note" });
    var plots = [];
    var el = MB.fold("system", ["System ", h("span", { class: "muted", text: "(" + run.system + " samples)" })],
      h("section", { class: "system", "aria-label": "System" }, h("div", { class: "toolbar" }, h("label", null, "x-axis ", xSel)), grid, note),
      { open: false, class: "system-section", toggled: function (open) { if (open) draw(); } });
    function draw() {
      if (!el.open) return Promise.resolve();
      return Promise.all([MB.loadSystem(key), MB.need("plotly")]).then(function (res) {
        var d = res[0];
        if (!d || !el.open) return;
        var fields = Object.keys(d);
        var xs = xSel.value === "_timestamp" ? d._timestamp.map(function (t) { return new Date(t * 1000); }) : d[xSel.value];
        SYSTEM_CHARTS.forEach(function (spec, i) {
          var names = fields.filter(function (f) { return spec[1].test(f); }).sort();
          if (!names.length) return;
          var p = plots[i];
          if (!p) {
            p = plots[i] = h("div", { class: "chart", "data-key": "system:" + spec[0], role: "img", "aria-label": spec[0], style: "height:" + height(220) + "px" });
            grid.appendChild(h("figure", { class: "chart-fig" }, p));
          }
          var traces = names.map(function (f) {
            var m = /^gpu\.(\d+)\./.exec(f);
            return { x: xs, y: d[f], mode: "lines", name: (spec[2] && spec[2][f]) || (m ? "GPU " + m[1] : f), connectgaps: false };
          });
          // with a legend under the plot, the x-axis menu above names the axis (its title would sit on the legend)
          window.Plotly.react(p, traces, layout({ title: spec[0], height: height(220), xTitle: traces.length > 1 ? "" : xSel.options[xSel.selectedIndex].text,
            legend: traces.length > 1 ? { orientation: "h", y: -0.42, yanchor: "top" } : null, bottom: traces.length > 1 ? 66 : 36 }),
            { responsive: true, displaylogo: false });
        });
        var cost = d["sampler.cpu_ms"] || [];
        var total = cost.reduce(function (a, b) { return a + (b || 0); }, 0);
        var span = d._runtime.length > 1 ? d._runtime[d._runtime.length - 1] - d._runtime[0] : 0;
        note.textContent = d._runtime.length + " samples" + (cost.length ? "; the sampler's own CPU: " +
          (total / cost.length).toFixed(2) + " ms a sample" + (span > 0 ? " (" + (100 * total / 1000 / span).toFixed(3) + " % of one core)" : "") : "");
        el.setAttribute("data-drawn", String(d._runtime.length));
      }).catch(function (err) { MB.placeholder(grid, "System metrics unavailable: " + err.message); });
    }
    xSel.addEventListener("change", function () { MB.setParam("sx", xSel.value === "_runtime" ? "" : xSel.value); draw(); });
    if (el.open) draw();
    return {
      el: el,
      update: function (fresh) {
        if (fresh.system !== run.system) { run = fresh; draw(); }
      },
      destroy: function () { plots.forEach(function (p) { if (p && window.Plotly) window.Plotly.purge(p); }); },
    };
  }

  MB.charts = {
    system: system,
    ema: ema,
    ptext: ptext,
    layout: layout,
    linkCursor: linkCursor,
    minmax: minmax,
    aggregate: aggregate,
    height: height,
    folded: function (el) { return !!el.closest("details:not([open])"); },
    sections: sections,
    mount: function (root, runKey, run) {
      var q = MB.view.q;
      // define_metric(name, step_metric=..., hidden=...): a key's own x-axis while the x-axis is "Step"
      var metrics = (run.meta && run.meta.metrics) || {};
      var xSel = h("select", { id: "x-axis", "aria-label": "x-axis" },
        [["_step", "Step"], ["_runtime", "Relative time (s)"], ["_timestamp", "Wall time"]]
          .concat(run.scalars.map(function (k) { return [k, k]; }))
          .map(function (o) { return h("option", { value: o[0], text: o[1] }); }));
      xSel.value = q.get("x") || "_step";
      var smooth = h("input", { type: "range", id: "smoothing", min: 0, max: 0.99, step: 0.01, value: q.get("smooth") || 0, "aria-label": "Smoothing" });
      var smoothOut = h("output", { text: String(smooth.value) });
      var logy = h("input", { type: "checkbox", id: "log-y", checked: q.get("logy") === "1" });
      var filter = h("input", { type: "search", class: "filter", placeholder: "Filter charts", "aria-label": "Filter charts", value: q.get("ck") || "" });
      var grid = h("div", { class: "chart-sections" });
      root.appendChild(h("h2", { text: "Charts" }));
      root.appendChild(h("div", { class: "toolbar" },
        h("label", null, "x-axis ", xSel),
        h("label", null, "smoothing ", smooth, smoothOut),
        h("label", null, logy, " log y"),
        filter));
      root.appendChild(grid);
      var plots = [];
      var data = null;
      var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (items) {
        items.forEach(function (it) {
          if (!it.isIntersecting) return;
          var p = plots.filter(function (pl) { return pl.el === it.target; })[0];
          if (p && !p.drawn) draw(p);
        });
      }, { rootMargin: "200px" }) : null;

      var visibleKeys = run.scalars.filter(function (k) { return !(metrics[k] && metrics[k].hidden); });
      sections(grid, visibleKeys, function (k, box) {
        var el = h("div", { class: "chart", "data-key": k, role: "img", "aria-label": "chart of " + k, style: "height:" + height(240) + "px" });
        var note = h("p", { class: "chart-note muted" });
        box.appendChild(h("figure", { class: "chart-fig" }, el, note));
        plots.push({ key: k, el: el, note: note, drawn: false });
      }, "", function () { plots.forEach(function (p) { if (!p.drawn && !p.el.parentNode.hidden) draw(p); }); });

      function xKeyFor(key) {
        var m = metrics[key];
        if (xSel.value === "_step" && m && m.step_metric && data && data[m.step_metric]) return m.step_metric;
        return xSel.value;
      }
      function xValues(d, key) {
        var x = xKeyFor(key);
        if (x === "_timestamp") return d._timestamp.map(function (t) { return t === null ? null : new Date(t * 1000); });
        return d[x] || d._step;
      }
      function draw(p) {
        if (!data || !window.Plotly || MB.charts.folded(p.el)) return;
        p.drawn = true;
        var xs = xValues(data, p.key), ys = data[p.key] || [];
        var px = [], py = [];
        for (var i = 0; i < ys.length; i++) {
          if (ys[i] === null || xs[i] === null || xs[i] === undefined) continue;
          px.push(xs[i]); py.push(ys[i]);
        }
        var w = Number(smooth.value);
        var raw = minmax(px, py, MAX_POINTS);
        var traces = [];
        if (w > 0) {
          traces.push({ x: raw.x, y: raw.y, mode: "lines", name: "raw", line: { color: "rgba(31,119,180,0.25)", width: 1 }, hoverinfo: "skip" });
          var sm = minmax(px, ema(py, w), MAX_POINTS);
          traces.push({ x: sm.x, y: sm.y, mode: py.length < 60 ? "lines+markers" : "lines", name: ptext(p.key + " (smoothed)"), line: { color: "#1f77b4", width: 2 } });
        } else {
          traces.push({ x: raw.x, y: raw.y, mode: py.length < 60 ? "lines+markers" : "lines", name: ptext(p.key), line: { color: "#1f77b4", width: 1.5 }, marker: { size: 4 } });
        }
        p.note.textContent = raw.reduced
          ? py.length + " points, drawn as " + raw.x.length + " (min and max of each of " + Math.floor(MAX_POINTS / 2) + " buckets kept)"
          : py.length + " points";
        var xIsStep = xKeyFor(p.key) === "_step";
        window.Plotly.react(p.el, traces, layout({
          title: ptext(p.key), height: height(240), logy: logy.checked, ys: py, xIsStep: xIsStep,
          xTitle: ptext(xKeyFor(p.key) !== xSel.value ? xKeyFor(p.key) : xSel.options[xSel.selectedIndex].text),
        }), { responsive: true, displaylogo: false });
        linkCursor(p.el, xIsStep);
      }
      function redrawAll() {
        plots.forEach(function (p) { p.drawn = false; });
        plots.forEach(function (p) { if (!observer || plots.length <= EAGER_CHARTS || isVisible(p.el)) draw(p); });
      }
      function isVisible(el) {
        var r = el.getBoundingClientRect();
        return r.bottom > -200 && r.top < (window.innerHeight || 800) + 200 && !el.closest("[hidden]");
      }
      function applyFilter() {
        var needle = filter.value.toLowerCase();
        plots.forEach(function (p) {
          var hide = !!needle && p.key.toLowerCase().indexOf(needle) < 0;
          p.el.parentNode.hidden = hide;
          if (!hide && !p.drawn && data && isVisible(p.el)) draw(p);
        });
      }
      xSel.addEventListener("change", function () { MB.setParam("x", xSel.value === "_step" ? "" : xSel.value); redrawAll(); });
      smooth.addEventListener("input", function () { smoothOut.textContent = smooth.value; MB.setParam("smooth", Number(smooth.value) ? smooth.value : ""); redrawAll(); });
      logy.addEventListener("change", function () { MB.setParam("logy", logy.checked ? "1" : ""); redrawAll(); });
      filter.addEventListener("input", function () { MB.setParam("ck", filter.value); applyFilter(); });

      Promise.all([MB.loadScalars(runKey), MB.need("plotly")]).then(function (res) {
        data = res[0];
        applyFilter();
        // A few charts are drawn at once; many are drawn as they scroll into view.
        var eager = !observer || plots.length <= EAGER_CHARTS;
        plots.forEach(function (p) {
          if (eager) { if (!p.el.parentNode.hidden) draw(p); }
          else observer.observe(p.el);
        });
        document.body.setAttribute("data-charts", "ready");
      }).catch(function (err) {
        MB.placeholder(root, "Charts unavailable: " + err.message);
      });
      return {
        // live: the run's scalars again (MB.onLive forgot them), every drawn chart redrawn in place
        update: function () {
          return MB.loadScalars(runKey).then(function (fresh) {
            if (!fresh) return;
            data = fresh;
            redrawAll();
          });
        },
        destroy: function () {
          if (observer) observer.disconnect();
          plots.forEach(function (p) { if (p.drawn && window.Plotly) window.Plotly.purge(p.el); });
        },
      };
    },
  };
})();
