/* Report pages (`mediaboard report`): fill each `figure.mb-panel[data-spec]` placeholder with a live
   panel drawn by the shell's functions (MB.loadRun, MB.loadShard, MB.render, MB.need, MB.kvTable).
   Loaded on every page of a site; does nothing unless the page has report panels.
   Panel kinds (spec.kind): chart (scalar keys, one trace per run), media / table (one key of one run
   at a fixed step, or with the panel's own cursor), compare (one media key across runs), config and
   summary (a run's key/value table).
   Shared cursors (spec.cursor = a name, spec.cursor_steps = the union of its media panels' steps,
   from viewer/report.py): every media/table/compare panel of one name has a slider over those
   steps, and moving any of them moves all; a chart of that name draws a line at the step.
   When every panel has drawn, body[data-report=ready] is set; a
   panel sets data-state=ready or data-state=error on itself.
   Every user string goes in as text (MB.h "text", textContent); plotly strings via MB.ptext. */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB || !MB.h) return;
  var h = MB.h;

  var ptext = MB.ptext;

  function flatten(obj, prefix, out) {
    Object.keys(obj || {}).forEach(function (k) {
      var v = obj[k];
      if (v && typeof v === "object" && !Array.isArray(v) && !v._type) flatten(v, prefix + k + ".", out);
      else out[prefix + k] = v;
    });
    return out;
  }

  function panelCtx(run, key, info, step, logged, state) {
    return {
      run: run, key: key, kind: info.kind, step: step, loggedStep: logged, steps: info.steps,
      url: function (path) { return MB.fileUrl(run, path); },
      // per-panel UI state stays in the page (a report has many panels of the same key)
      state: function (name, dflt) { return Object.prototype.hasOwnProperty.call(state, name) ? state[name] : dflt; },
      setState: function (name, value) { state[name] = value; },
      text: function (el, s) { el.textContent = s === null || s === undefined ? "" : MB.visible(s); },
      placeholder: MB.placeholder,
      loadAll: function () { return MB.loadAll(run, key, info); },
    };
  }

  // One media cell: the entry of `key` in `run` at the nearest logged step <= step.
  function mediaCell(cell, spec, runRef, step) {
    var label = h("p", { class: "mb-step-label" });
    var body = h("div", { class: "mb-media-body" });
    MB.clear(cell);
    cell.appendChild(label);
    cell.appendChild(body);
    cell.removeAttribute("data-step");
    return MB.loadRun(runRef.key).then(function (run) {
      var info = run.media[spec.key];
      if (!info) { MB.placeholder(body, "key " + spec.key + " is not in run " + runRef.id); return; }
      var i = MB.nearestIndex(info.steps, step);
      if (i < 0) {
        label.textContent = "not logged yet (first at step " + info.steps[0] + ")";
        MB.placeholder(body, "first logged at step " + info.steps[0]);
        return;
      }
      var logged = info.steps[i];
      label.textContent = (logged === step ? "step " + logged : "showing step " + logged + " (nearest earlier than " + step + ")") +
        " · " + (i + 1) + " of " + info.steps.length + " logged";
      cell.setAttribute("data-step", String(logged));
      var chunk = Math.floor(i / info.chunk);
      return MB.loadShard(runRef.key, spec.key, info, chunk).then(function (entries) {
        var entry = entries[i - chunk * info.chunk];
        if (!entry) { MB.placeholder(body, "entry for step " + logged + " is missing from the site data"); return; }
        cell._state = cell._state || {};
        MB.render(body, entry.stub, panelCtx(runRef.key, spec.key, info, step, logged, cell._state));
      });
    });
  }

  function destroyCells(cells, kind) {
    cells.forEach(function (c) { MB.unrender(c.querySelector(".mb-media-body"), kind); });
  }

  /* Shared cursors by name: follow(name, steps, fn) adds a panel (fn(index) shows steps[index])
     and returns move(index), which every panel's controls call to move them all. */
  var cursors = {};
  /* The page's hash keeps each shared cursor's step (#cursor=train:500,val:20), so a link opens
     the report at those steps; a step that is not logged opens at the nearest earlier one. A hash
     of anything else (a heading's anchor) is left alone until a cursor moves. */
  function hashSteps() {
    var m = /^#cursor=(.*)$/.exec(location.hash || "");
    var out = {};
    if (!m) return out;
    decodeURIComponent(m[1]).split(",").forEach(function (part) {
      var i = part.lastIndexOf(":");
      if (i > 0 && /^\d+$/.test(part.slice(i + 1))) out[part.slice(0, i)] = Number(part.slice(i + 1));
    });
    return out;
  }
  function saveHash() {
    var parts = Object.keys(cursors).sort().map(function (n) { var g = cursors[n]; return n + ":" + g.steps[g.idx]; });
    if (window.history && history.replaceState) history.replaceState(null, "", "#cursor=" + parts.join(","));
  }
  function cursorGroup(name, steps) {
    var g = cursors[name];
    if (!g) {
      var want = hashSteps()[name];
      var idx = want === undefined ? steps.length - 1 : Math.max(0, MB.nearestIndex(steps, want));
      g = cursors[name] = { steps: steps, idx: idx, members: [] };
    }
    return g;
  }
  // a panel on a shared cursor has its name and the union of its panels' steps in the spec
  function isShared(spec) { return typeof spec.cursor === "string" && Array.isArray(spec.cursor_steps) && spec.cursor_steps.length > 0; }
  function follow(name, steps, fn) {
    var g = cursorGroup(name, steps);
    g.members.push(fn);
    return function move(i) {
      g.idx = Math.max(0, Math.min(g.steps.length - 1, i));
      saveHash();
      return Promise.all(g.members.map(function (f) { return f(g.idx); }));
    };
  }

  // media, table and compare: cells per run; a fixed step, or a cursor over the union of steps
  function drawMedia(fig, body, spec) {
    return Promise.all(spec.runs.map(function (r) { return MB.loadRun(r.key); })).then(function (datas) {
      var cells = spec.runs.map(function (r) { return h("div", { class: "mb-compare-cell", "data-run": r.key }); });
      var kind = (datas[0].media[spec.key] || {}).kind;
      var grid;
      if (spec.kind === "compare") {
        grid = h("div", { class: "mb-compare-grid", style: "grid-template-columns: repeat(" + Math.min(cells.length, 4) + ", minmax(0, 1fr))" });
        cells.forEach(function (c, i) {
          var r = spec.runs[i];
          c.appendChild(h("h4", null, MB.swatch(r.color), h("span", { text: r.label })));
          var inner = h("div", { class: "mb-cell" });
          c.appendChild(inner);
          grid.appendChild(c);
          c._inner = inner;
        });
      } else {
        grid = cells[0];
        cells[0]._inner = cells[0];
      }
      function show(step) {
        destroyCells(cells.map(function (c) { return c._inner; }), kind);
        return Promise.all(cells.map(function (c, i) { return mediaCell(c._inner, spec, spec.runs[i], step); }));
      }
      if (spec.step !== null && spec.step !== undefined) {
        body.appendChild(grid);
        return show(spec.step);
      }
      var steps, shared = isShared(spec);
      if (shared) steps = spec.cursor_steps;
      else {
        var all = {};
        datas.forEach(function (d) { ((d.media[spec.key] || {}).steps || []).forEach(function (s) { all[s] = 1; }); });
        steps = Object.keys(all).map(Number).sort(function (a, b) { return a - b; });
      }
      var idx = steps.length - 1;
      var slider = h("input", { type: "range", min: 0, max: Math.max(0, steps.length - 1), step: 1, value: idx,
        "aria-label": shared ? "Shared step cursor " + spec.cursor : "Step cursor of this panel" });
      var out = h("output", { class: "mb-step-label" });
      var seq = 0;
      function set(i) {
        idx = Math.max(0, Math.min(steps.length - 1, i));
        slider.value = idx;
        out.textContent = "step " + steps[idx] + " (" + (idx + 1) + " of " + steps.length + ")" +
          (shared ? " · cursor “" + spec.cursor + "”, shared by " + spec.cursor_panels + " panels" : "");
        fig.removeAttribute("data-cursor");
        var mine = ++seq;
        return show(steps[idx]).then(function () { if (mine === seq) fig.setAttribute("data-cursor", String(steps[idx])); });
      }
      var move = shared ? follow(spec.cursor, steps, set) : set;
      if (shared) fig.setAttribute("data-shared-cursor", spec.cursor);
      body.appendChild(h("div", { class: "mb-cursor" + (shared ? " mb-cursor-shared" : ""), role: "group", "aria-label": "Step cursor" },
        h("button", { type: "button", "aria-label": "Previous step", text: "◀", onclick: function () { move(idx - 1); } }),
        slider,
        h("button", { type: "button", "aria-label": "Next step", text: "▶", onclick: function () { move(idx + 1); } }),
        out));
      slider.addEventListener("input", function () { move(Number(slider.value)); });
      body.appendChild(grid);
      return set(shared ? cursorGroup(spec.cursor, steps).idx : idx);
    });
  }

  function drawChart(fig, body, spec) {
    var grid = h("div", { class: "mb-chart-grid" });
    body.appendChild(grid);
    return Promise.all([MB.need("plotly")].concat(spec.runs.map(function (r) { return MB.loadScalars(r.key); }))).then(function (res) {
      var series = res.slice(1);
      // every figure first, so each chart is drawn at its final grid-cell width
      var els = spec.keys.map(function (key) {
        var el = h("div", { class: "chart", "data-key": key, role: "img", "aria-label": "chart of " + key });
        grid.appendChild(h("figure", { class: "chart-fig" }, el));
        return el;
      });
      spec.keys.forEach(function (key, k) {
        var el = els[k];
        var traces = [];
        spec.runs.forEach(function (r, i) {
          var d = series[i] || {};
          var xs = spec.x === "_timestamp"
            ? (d._timestamp || []).map(function (t) { return t === null ? null : new Date(t * 1000); })
            : (d[spec.x] || d._step || []);
          var ys = d[key] || [], px = [], py = [];
          for (var j = 0; j < ys.length; j++) {
            if (ys[j] === null || xs[j] === null || xs[j] === undefined) continue;
            px.push(xs[j]); py.push(ys[j]);
          }
          if (spec.smooth) {  // the raw series stays faint behind the smoothed one, as on run pages
            var raw = MB.charts.minmax(px, py, 4000);
            traces.push({ x: raw.x, y: raw.y, mode: "lines", name: ptext(r.label + " (raw)"), showlegend: false,
              hoverinfo: "skip", opacity: 0.3, line: { color: r.color, width: 1 } });
          }
          var yy = spec.smooth ? MB.charts.ema(py, spec.smooth) : py;
          var red = MB.charts.minmax(px, yy, 4000);
          traces.push({ x: red.x, y: red.y, mode: py.length < 60 ? "lines+markers" : "lines",
            name: ptext(r.label + (spec.smooth ? " (smoothed)" : "")), line: { color: r.color, width: 1.5 }, marker: { size: 4 } });
        });
        window.Plotly.react(el, traces, {
          width: el.clientWidth || undefined,  // the grid cell's width, not plotly's 700 px default
          title: { text: ptext(key), font: { size: 13 } }, margin: { l: 48, r: 12, t: 32, b: spec.runs.length > 1 ? 64 : 40 }, height: spec.runs.length > 1 ? 290 : 260,
          showlegend: spec.runs.length > 1, legend: { orientation: "h", x: 0, y: -0.28 },
          xaxis: { title: { text: ptext(spec.x === "_step" ? "Step" : spec.x) } },
          yaxis: { type: spec.logy ? "log" : "linear" },
          paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
        }, { responsive: true, displaylogo: false });
      });
      if (isShared(spec)) {
        // a line at the shared cursor's step on every chart of the panel
        fig.setAttribute("data-shared-cursor", spec.cursor);
        var mark = function (i) {
          var step = spec.cursor_steps[i];
          els.forEach(function (el) {
            window.Plotly.relayout(el, { shapes: [{ type: "line", xref: "x", yref: "paper", x0: step, x1: step, y0: 0, y1: 1,
              line: { color: "#555", width: 1, dash: "dot" } }] });
          });
          fig.setAttribute("data-cursor", String(step));
        };
        follow(spec.cursor, spec.cursor_steps, mark);
        mark(cursorGroup(spec.cursor, spec.cursor_steps).idx);
      }
    });
  }

  function drawKv(fig, body, spec) {
    var r = spec.runs[0];
    return MB.loadRun(r.key).then(function (run) {
      var obj = flatten(spec.kind === "config" ? run.config : run.summary, "", {});
      body.appendChild(MB.kvTable(obj, spec.kind));
    });
  }

  var DRAW = { chart: drawChart, media: drawMedia, table: drawMedia, compare: drawMedia, config: drawKv, summary: drawKv };

  function drawPanel(fig) {
    var body = fig.querySelector(".mb-panel-body");
    var spec;
    try { spec = JSON.parse(fig.getAttribute("data-spec")); } catch (e) { spec = null; }
    MB.clear(body);
    var draw = spec && DRAW[spec.kind];
    if (!draw) {
      MB.placeholder(body, "this panel cannot be drawn (unknown kind " + (spec && spec.kind) + "); rebuild the report");
      fig.setAttribute("data-state", "error");
      return Promise.resolve();
    }
    return Promise.resolve().then(function () { return draw(fig, body, spec); }).then(function () {
      fig.setAttribute("data-state", "ready");
    }, function (err) {
      MB.placeholder(body, "could not draw this panel: " + (err && err.message));
      fig.setAttribute("data-state", "error");
    });
  }

  function start() {
    var figs = Array.prototype.slice.call(document.querySelectorAll("figure.mb-panel[data-spec]"));
    if (!figs.length) return;
    MB.setShardCache(figs.length * 4);
    Promise.all(figs.map(drawPanel)).then(function () { document.body.setAttribute("data-report", "ready"); });
    // live (`mediaboard report --watch`): a panel whose runs changed is drawn again with their new
    // rows and media; the panels' specs (and shared cursors' steps) are those of the page's build
    MB.onLive(function (ev) {
      figs.forEach(function (fig) {
        var spec;
        try { spec = JSON.parse(fig.getAttribute("data-spec")); } catch (e) { return; }
        var mine = (spec && spec.runs || []).some(function (r) { return ev.runs.indexOf(r.key) >= 0; });
        if (!mine) return;
        Array.prototype.forEach.call(fig.querySelectorAll(".js-plotly-plot"), function (p) { if (window.Plotly) window.Plotly.purge(p); });
        Array.prototype.forEach.call(fig.querySelectorAll(".mb-media-body"), function (b) {
          Object.keys(MB.renderers).forEach(function (k) { MB.unrender(b, k); }); // each frees its own
        });
        fig.setAttribute("data-state", "live");
        drawPanel(fig).then(function () { fig.setAttribute("data-drawn", String(Date.now())); });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", start);
})();
