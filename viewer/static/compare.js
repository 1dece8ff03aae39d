/* Compare view (#/compare?runs=<run>,<run>,...): several runs side by side, offline.
   - header: the runs, one fixed colour each (the same colour everywhere on the page)
   - config and summary: one column per run, rows whose values differ marked `diff`, "only differences"
   - scalar charts: one chart per numeric key of any run, one trace per run in its colour
   - media: ONE step cursor over the union of every run's media steps; runs are columns, media keys
     rows; each cell shows that run's entry at the nearest earlier logged step
   - each kind's modes for its rows (image swipe, onion skin, difference; histograms overlaid;
     audio A/B; video in sync; ...) are plugins, one file per kind: static/compare/<kind>.js
   Hash parameters: runs, step, x, smooth, logy, ck (chart filter), diff=1, ps (per-row mode state).
   Every user string goes in as text (MB.h "text", textContent), never as HTML. */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB || !MB.registerView) return;
  var h = MB.h;
  var PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
    "#17becf", "#bcbd22", "#7f7f7f"];
  var EAGER_CHARTS = 24;
  /* Every kind's compare modes are a plugin, one file per kind (static/compare/<kind>.js),
     registered before this view runs:
       MB.compareModes[kind] = {
         modes: [[value, label], ...],   // the row menu, first = default; "side" = plain cells
         linked: [value, ...],           // modes that keep the cells drawn and link them
         minCols: 2, maxCols: n,         // columns the modes need (else the row has no menu)
         note: "...",                    // shown when a mode cannot apply at this step
         ready: function (mode, stubs) -> bool,   // optional extra check of the entries
         usable: function (mode, entries, ctx) -> bool,  // optional: replaces the default check
                                         // (every column has an entry of this kind; entries may be null)
         key: function (mode, entries, ctx) -> string,   // optional: more of what the view shows
                                         // (a list item): a new key draws it again
         render: function (ctx) -> cleanup fn or nothing }
     ctx: key, kind, mode, step, root (the merged box; empty), row (the row element),
          cells: [{run: {key, col, pin, color, label}, step, stub, body, url(path), json(path)}]
          (step and stub null for a column with nothing at this step),
          state(name, dflt) / setState(name, value) (kept in the URL per row), alive(),
          redraw() (draw the row again, e.g. after a state change its key depends on),
          memo (an object kept while the row lives). */

  function colorOf(i) { return PALETTE[i % PALETTE.length]; }
  function rgba(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + a + ")";
  }
  var ptext = MB.ptext;
  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
  var swatch = MB.swatch;
  function runLabel(r) {
    var name = r.data ? (r.data.meta.name || r.data.meta.id || r.key) : r.key;
    return r.pin === null || r.pin === undefined ? name : name + " @ step " + r.pin;
  }

  MB.registerView("compare", function (app, crumbs, view) {
    var alive = true;
    var destroyers = [];
    var seen = {};
    // a column is a run key, or `<run>@<step>`: that run pinned at one step (two steps of one run)
    var cols = (view.q.get("runs") || "").split(",").filter(function (k) {
      if (!k || seen[k]) return false;
      seen[k] = 1;
      return true;
    }).map(function (k) {
      var at = k.lastIndexOf("@");
      var pin = at > 0 ? Number(k.slice(at + 1)) : NaN;
      return at > 0 && k.slice(at + 1) !== "" && isFinite(pin) ? { col: k, key: k.slice(0, at), pin: pin } : { col: k, key: k, pin: null };
    });
    var keys = [];
    cols.forEach(function (c) { if (keys.indexOf(c.key) < 0) keys.push(c.key); });
    var section = h("section", { class: "compare" }, h("p", { class: "loading", text: "Loading runs…" }));
    app.appendChild(section);
    document.title = "Compare " + cols.length + (keys.length === 1 && cols.length > 1 ? " steps" : " runs") + " — mediaboard";
    crumbs.appendChild(h("a", { href: "#/", text: "Runs" }));
    crumbs.appendChild(document.createTextNode(" / Compare"));
    if (keys.length < 1) {
      MB.clear(section);
      MB.placeholder(section, "No runs to compare: tick two or more runs on the index, then “Compare selected”.");
      document.body.setAttribute("data-ready", "compare");
      return null;
    }

    // live: when one of these runs changes, the page is drawn again with its new data (the view's
    // state is in the URL; a cursor following the newest step keeps following)
    var stopLive = MB.onLive(function (ev) {
      if (keys.some(function (k) { return ev.runs.indexOf(k) >= 0; })) MB.redrawView();
    });
    destroyers.push(stopLive);
    var known = {};
    (MB.store.index || []).forEach(function (r) { known[r.key] = 1; });
    Promise.all(keys.map(function (k) {
      if (MB.store.index && !known[k]) return null; // not in this site: no request for a missing file
      return MB.loadRun(k).then(function (d) { return d; }, function () { return null; });
    })).then(function (datas) {
      if (!alive) return;
      MB.clear(section);
      var byKey = {};
      keys.forEach(function (k, i) { byKey[k] = datas[i]; });
      // one entry per column (colour by column); config, summary and charts use each run once
      var runs = cols.map(function (c, i) {
        return { key: c.key, col: c.col, pin: c.pin, data: byKey[c.key], color: colorOf(i), index: i };
      });
      var ok = runs.filter(function (r) { return r.data; });
      var once = ok.filter(function (r, i) { return ok.findIndex(function (o) { return o.key === r.key; }) === i; });
      header(runs);
      if (!ok.length) { document.body.setAttribute("data-ready", "error"); return; }
      section.appendChild(MB.layoutBar(MB.redrawView));
      // charts first (or media first: ?first=media), then the config and summary, folded
      if (MB.view.q.get("first") === "media") { mediaGrid(ok); chartsSection(once); }
      else { chartsSection(once); mediaGrid(ok); }
      configTables(once);
      document.body.setAttribute("data-ready", "compare");
    }).catch(function (err) {
      MB.clear(section);
      MB.placeholder(section, "Could not show the comparison: " + err.message);
      console.warn(err);
      document.body.setAttribute("data-ready", "error");
    });

    // -------------------------------------------------------------------------------------------
    function header(runs) {
      var items = runs.map(function (r) {
        if (!r.data) {
          return h("li", { class: "cmp-run missing", "data-run": r.key }, swatch(r.color), " ",
            h("span", { text: r.key }), " ", h("span", { class: "placeholder", text: "run not in this site" }));
        }
        var m = r.data.meta;
        return h("li", { class: "cmp-run" + (r.pin !== null ? " pinned" : ""), "data-run": r.key, "data-col": r.col, style: "border-color:" + r.color },
          swatch(r.color), " ",
          h("a", { href: MB.hashFor(["run", r.key]), class: "cmp-run-link", text: runLabel(r) }), " ",
          r.pin !== null ? h("a", { class: "cmp-unpin", href: colsHref(runs.filter(function (o) { return o !== r; }).map(function (o) { return o.col; })),
            title: "remove this pinned column", text: "remove" }) : null, r.pin !== null ? " " : null,
          h("span", { class: "status status-" + m.status, text: m.status }), " ",
          h("span", { class: "muted" }, [h("span", { text: m.project }), " · ", h("code", { text: m.id }),
            m.group ? [" · group ", h("b", { class: "cmp-group", text: String(m.group) })] : null,
            " · " + String(r.data.rows) + " rows"]));
      });
      section.appendChild(h("header", { class: "cmp-head" },
        h("h1", { text: "Compare " + runs.length + (keys.length === 1 && runs.length > 1 ? " steps of one run" : " runs") }),
        h("ul", { class: "cmp-runs" }, items),
        h("p", null, h("a", { href: "#/", text: "← all runs" }))));
    }

    // the compare URL for another list of columns, keeping the rest of the view's state
    function colsHref(list) {
      var q = new URLSearchParams(MB.view.q.toString());
      q.set("runs", list.join(","));
      return MB.hashFor(["compare"], q);
    }

    // -------------------------------------------------------------------------------------------
    function configTables(runs) {
      var onlyDiff = h("input", { type: "checkbox", id: "only-diff", checked: MB.view.q.get("diff") === "1" });
      var box = h("div", { class: "cmp-config-grid" });
      var tables = [kvCompare(runs, "config", "Config"), kvCompare(runs, "summary", "Summary")];
      tables.forEach(function (t) { box.appendChild(t); });
      var differ = tables.map(function (t) { return t.querySelectorAll("tbody tr.diff").length; });
      section.appendChild(MB.fold("overview", ["Config and summary ", h("span", { class: "muted",
        text: "(" + differ[0] + " config and " + differ[1] + " summary values differ)" })],
        [h("div", { class: "toolbar" }, h("label", null, onlyDiff, " only differences")), box],
        { open: false, class: "overview cmp-overview" }));
      function apply() {
        section.classList.toggle("cmp-only-diff", onlyDiff.checked);
        tables.forEach(function (t) {
          t.querySelectorAll("tbody tr").forEach(function (tr) { tr.hidden = onlyDiff.checked && !tr.classList.contains("diff"); });
        });
      }
      onlyDiff.addEventListener("change", function () { MB.setParam("diff", onlyDiff.checked ? "1" : ""); apply(); });
      apply();
    }
    function kvCompare(runs, field, title) {
      var all = {};
      runs.forEach(function (r) {
        var obj = r.data[field] || {};
        Object.keys(obj).forEach(function (k) {
          if (field === "summary" && (k === "_timestamp" || (obj[k] && typeof obj[k] === "object" && obj[k]._type))) return;
          all[k] = 1;
        });
      });
      var names = Object.keys(all).sort();
      var wrap = h("div", { class: "cmp-kv-wrap" }, h("h2", { text: title }));
      if (!names.length) { wrap.appendChild(h("p", { class: "muted", text: "No " + field + " in these runs." })); return wrap; }
      var head = h("tr", null, h("th", { scope: "col", text: "key" }), runs.map(function (r) {
        return h("th", { scope: "col", "data-run": r.key }, swatch(r.color), " ", h("span", { text: runLabel(r) }));
      }));
      var rows = names.map(function (k) {
        var vals = runs.map(function (r) {
          var obj = r.data[field] || {};
          return Object.prototype.hasOwnProperty.call(obj, k) ? { v: obj[k] } : null;
        });
        var differs = vals.some(function (v) { return !same(v, vals[0]); });
        return h("tr", { class: differs ? "diff" : null, "data-key": k },
          h("th", { scope: "row", text: k }),
          vals.map(function (v) {
            return v ? h("td", { text: MB.fmtValue(v.v) }) : h("td", { class: "absent muted", text: "—" });
          }));
      });
      wrap.appendChild(h("div", { class: "table-wrap" },
        h("table", { class: "kv cmp-kv", id: "cmp-" + field, "aria-label": field + " of the compared runs" },
          h("thead", null, head), h("tbody", null, rows))));
      return wrap;
    }

    // -------------------------------------------------------------------------------------------
    function chartsSection(runs) {
      var root = h("section", { class: "charts cmp-charts", "aria-label": "Charts" });
      section.appendChild(root);
      var all = {};
      runs.forEach(function (r) { (r.data.scalars || []).forEach(function (k) { all[k] = 1; }); });
      var names = Object.keys(all).sort();
      root.appendChild(h("h2", { text: "Charts" }));
      if (!names.length) { root.appendChild(h("p", { class: "muted", text: "No numeric keys logged in these runs." })); return; }
      var q = MB.view.q;
      var xSel = h("select", { id: "x-axis", "aria-label": "x-axis" },
        [["_step", "Step"], ["_runtime", "Relative time (s)"]].map(function (o) { return h("option", { value: o[0], text: o[1] }); }));
      xSel.value = q.get("x") === "_runtime" ? "_runtime" : "_step";
      var smooth = h("input", { type: "range", id: "smoothing", min: 0, max: 0.99, step: 0.01, value: q.get("smooth") || 0, "aria-label": "Smoothing" });
      var smoothOut = h("output", { text: String(smooth.value) });
      var logy = h("input", { type: "checkbox", id: "log-y", checked: q.get("logy") === "1" });
      var filter = h("input", { type: "search", class: "filter", placeholder: "Filter charts", "aria-label": "Filter charts", value: q.get("ck") || "" });
      // runs that share a `group` (init(group=...)) can be drawn as one mean line and a min-max band
      var groups = [], byGroup = {};
      runs.forEach(function (r) {
        var g = r.data.meta.group;
        if (g === null || g === undefined || g === "") return;
        g = String(g);
        if (!byGroup[g]) { byGroup[g] = { name: g, runs: [], color: r.color }; groups.push(byGroup[g]); }
        byGroup[g].runs.push(r);
      });
      var agg = groups.length ? h("input", { type: "checkbox", id: "group-agg", checked: q.get("agg") === "1" }) : null;
      root.appendChild(h("div", { class: "toolbar" },
        h("label", null, "x-axis ", xSel), h("label", null, "smoothing ", smooth, smoothOut),
        h("label", null, logy, " log y"),
        agg ? h("label", { title: "one mean line and a min–max band per group (" + groups.length + " groups)" }, agg, " aggregate groups") : null,
        filter,
        h("span", { class: "muted", text: "click a legend entry to hide or show a run" })));
      var grid = h("div", { class: "chart-sections" });
      root.classList.add("cz-" + MB.chartSize());
      root.appendChild(grid);
      var plots = [];
      MB.charts.sections(grid, names, function (k, box) {
        var el = h("div", { class: "chart", "data-key": k, role: "img", "aria-label": "chart of " + k + " for every compared run",
          style: "height:" + MB.charts.height(290) + "px" });
        var fig = h("figure", { class: "chart-fig" }, el);
        box.appendChild(fig);
        plots.push({ key: k, el: el, fig: fig, drawn: false });
      }, "cmp-chart-grid", function () { plots.forEach(function (p) { if (!p.drawn && !p.fig.hidden) draw(p); }); });
      var data = {};
      var observer = "IntersectionObserver" in window && plots.length > EAGER_CHARTS ? new IntersectionObserver(function (items) {
        items.forEach(function (it) {
          if (!it.isIntersecting) return;
          plots.forEach(function (p) { if (p.el === it.target && !p.drawn) draw(p); });
        });
      }, { rootMargin: "200px" }) : null;
      function draw(p) {
        if (!window.Plotly || !alive || MB.charts.folded(p.el)) return;
        p.drawn = true;
        var w = Number(smooth.value);
        var traces = [];
        var grouped = agg && agg.checked;
        function series(r) {
          var d = data[r.key];
          if (!d || !d[p.key]) return null;
          var xs = d[xSel.value] || d._step, ys = d[p.key], px = [], py = [];
          for (var i = 0; i < ys.length; i++) {
            if (ys[i] === null || xs[i] === null || xs[i] === undefined) continue;
            px.push(xs[i]); py.push(ys[i]);
          }
          return { x: px, y: w > 0 && MB.charts ? MB.charts.ema(py, w) : py };
        }
        runs.forEach(function (r) {
          if (grouped && r.data.meta.group !== null && r.data.meta.group !== undefined && r.data.meta.group !== "") return;
          var sr = series(r);
          if (!sr) return;
          var red = MB.charts ? MB.charts.minmax(sr.x, sr.y, 4000) : sr;
          traces.push({ x: red.x, y: red.y, mode: sr.y.length < 60 ? "lines+markers" : "lines", name: ptext(runLabel(r)),
            meta: r.key, line: { color: r.color, width: 1.6 }, marker: { size: 4, color: r.color } });
        });
        if (grouped) {
          groups.forEach(function (g) {
            var parts = g.runs.map(series).filter(Boolean);
            if (!parts.length) return;
            var a = MB.charts.aggregate(parts, 1000);
            var label = ptext("group " + g.name) + " (" + parts.length + (parts.length === 1 ? " run)" : " runs)");
            var lg = "group\u0000" + g.name;
            var text = a.n.map(function (n, i) { return "mean of " + n + " · min " + MB.fmtValue(a.min[i]) + " · max " + MB.fmtValue(a.max[i]); });
            traces.push({ x: a.x, y: a.min, mode: "lines", line: { width: 0, color: g.color }, showlegend: false,
              legendgroup: lg, hoverinfo: "skip", meta: "min:" + g.name, name: label + " min" });
            traces.push({ x: a.x, y: a.max, mode: "lines", line: { width: 0, color: g.color }, fill: "tonexty",
              fillcolor: rgba(g.color, 0.2), showlegend: false, legendgroup: lg, hoverinfo: "skip", meta: "max:" + g.name, name: label + " max" });
            traces.push({ x: a.x, y: a.mean, mode: a.x.length < 60 ? "lines+markers" : "lines", name: label, legendgroup: lg,
              meta: "mean:" + g.name, text: text, hoverinfo: "x+y+text+name",
              line: { color: g.color, width: 2 }, marker: { size: 4, color: g.color } });
          });
        }
        var xIsStep = xSel.value === "_step";
        window.Plotly.react(p.el, traces, MB.charts.layout({
          title: ptext(p.key), height: MB.charts.height(290), bottom: 40, logy: logy.checked, xIsStep: xIsStep,
          ys: [].concat.apply([], traces.map(function (t) { return t.y; })),
          legend: { orientation: "h", y: -0.32, yanchor: "top" },
          xTitle: xSel.options[xSel.selectedIndex].text,
        }), { responsive: true, displaylogo: false });
        MB.charts.linkCursor(p.el, xIsStep);
      }
      function redrawAll() {
        plots.forEach(function (p) { p.drawn = false; if (!p.fig.hidden && (!observer || visible(p.el))) draw(p); });
      }
      function visible(el) {
        var r = el.getBoundingClientRect();
        return r.bottom > -200 && r.top < (window.innerHeight || 800) + 200;
      }
      function applyFilter() {
        var needle = filter.value.toLowerCase();
        plots.forEach(function (p) {
          p.fig.hidden = !!needle && p.key.toLowerCase().indexOf(needle) < 0;
          if (!p.fig.hidden && !p.drawn && window.Plotly && (!observer || visible(p.el))) draw(p);
        });
      }
      xSel.addEventListener("change", function () { MB.setParam("x", xSel.value === "_step" ? "" : xSel.value); redrawAll(); });
      smooth.addEventListener("input", function () { smoothOut.textContent = smooth.value; MB.setParam("smooth", Number(smooth.value) ? smooth.value : ""); redrawAll(); });
      logy.addEventListener("change", function () { MB.setParam("logy", logy.checked ? "1" : ""); redrawAll(); });
      if (agg) agg.addEventListener("change", function () { MB.setParam("agg", agg.checked ? "1" : ""); redrawAll(); });
      filter.addEventListener("input", function () { MB.setParam("ck", filter.value); applyFilter(); });
      Promise.all([MB.need("plotly")].concat(runs.map(function (r) {
        return MB.loadScalars(r.key).then(function (d) { data[r.key] = d; }, function () { data[r.key] = null; });
      }))).then(function () {
        if (!alive) return;
        applyFilter();
        plots.forEach(function (p) {
          if (observer) observer.observe(p.el);
        });
        document.body.setAttribute("data-charts", "ready");
      }).catch(function (err) {
        MB.placeholder(root, "Charts unavailable: " + err.message);
      });
      destroyers.push(function () {
        if (observer) observer.disconnect();
        plots.forEach(function (p) { if (p.drawn && window.Plotly) window.Plotly.purge(p.el); });
      });
    }

    // -------------------------------------------------------------------------------------------
    function mediaGrid(runs) {
      var kinds = {};
      var allSteps = {};
      runs.forEach(function (r) {
        Object.keys(r.data.media || {}).forEach(function (k) {
          var info = r.data.media[k];
          kinds[k] = kinds[k] && kinds[k] !== info.kind ? "mixed" : info.kind;
          info.steps.forEach(function (s) { allSteps[s] = 1; });
        });
      });
      var mediaKeys = Object.keys(kinds).sort();
      var root = h("section", { class: "media cmp-media", "aria-label": "Media" }, h("h2", { text: "Media" }));
      section.appendChild(root);
      if (!mediaKeys.length) { root.appendChild(h("p", { class: "muted", text: "No media logged in these runs." })); return; }
      var steps = Object.keys(allSteps).map(Number).sort(function (a, b) { return a - b; });
      var cursor = MB.stepCursor(steps, function (step, state) {
        return Promise.all(rows.map(function (r) {
          if (!foldOf[r.key].open) return null; // drawn when its section is opened
          if (!MB.HEAVY_KINDS[r.kind]) return showRow(r, step);
          if (state.dragging && r.seen) return null; // drawn when the drag settles
          r.seen = true;
          return MB.heavy(function () { return showRow(r, step); }); // one heavy row per frame
        }));
      }, {
        live: runs.some(function (r) { return r.data && r.data.meta && r.data.meta.status === "running"; }),
        // when idle, the next (or previous) chunk of live cells near a chunk edge, as on the run page
        idle: function (step) {
          rows.forEach(function (r) {
            r.cells.forEach(function (c) { if (c.info && c.run.pin === null) MB.prefetchNear(c.run.key, r.key, c.info, step); });
          });
        },
      });
      root.appendChild(cursor.el);
      // many columns keep a readable width and the grid scrolls sideways
      var cols = "minmax(9rem, 0.6fr) repeat(" + runs.length + ", minmax(" + (runs.length > 4 ? "16rem" : "0") + ", 1fr))";
      var table = h("div", { class: "cmp-grid", role: "table", "aria-label": "Media of the compared runs at the cursor step", style: "--cmp-cols:" + runs.length });
      root.appendChild(table);
      table.appendChild(h("div", { class: "cmp-grid-head", role: "row", style: "grid-template-columns:" + cols },
        h("div", { role: "columnheader", text: "key" }),
        runs.map(function (r) {
          var pinBtn = r.pin === null ? h("button", { type: "button", class: "cmp-pin", title: "add a column of this run held at the cursor step, to compare two steps",
            text: "pin step", onclick: function () {
              var list = runs.map(function (o) { return o.col; });
              var col = r.key + "@" + cursor.step();
              if (list.indexOf(col) < 0) list.splice(r.index, 0, col);
              location.hash = colsHref(list);
            } }) : null;
          return h("div", { role: "columnheader", class: "cmp-col-head", "data-run": r.key, "data-col": r.col, style: "border-bottom-color:" + r.color },
            swatch(r.color), " ", h("span", { text: runLabel(r) }), pinBtn ? " " : null, pinBtn);
        })));
      // a collapsible section per key prefix, as on the run page (?fold= keeps m:<prefix> folded)
      var boxOf = {}, foldOf = {};
      MB.bySection(mediaKeys).forEach(function (sec) {
        var box = h("div", { role: "rowgroup" });
        var fold = MB.fold("m:" + sec.name, [sec.name || "(top level)", h("span", { class: "muted", text: " · " + sec.keys.length + " media" })], box, {
          class: "media-section cmp-section",
          toggled: function (open) {
            if (open) rows.forEach(function (r) { if (foldOf[r.key] === fold) showRow(r, cursor.step()); });
          },
        });
        fold.setAttribute("data-section", sec.name);
        table.appendChild(fold);
        sec.keys.forEach(function (k) { boxOf[k] = box; foldOf[k] = fold; });
      });
      var rows = mediaKeys.map(function (k) {
        var kind = kinds[k];
        var plugin = MB.compareModes[kind] || null;
        if (plugin && (runs.length < (plugin.minCols || 2) || runs.length > (plugin.maxCols || Infinity))) plugin = null;
        var modes = plugin ? plugin.modes : null;
        var modeSel = null;
        if (modes) {
          modeSel = h("select", { class: "cmp-mode", "aria-label": "how to compare " + k },
            modes.map(function (o) { return h("option", { value: o[0], text: o[1] }); }));
          modeSel.value = MB.panelState(k, "mode", modes[0][0]);
          if (modeSel.selectedIndex < 0) modeSel.value = modes[0][0];
        }
        var cells = runs.map(function (r) {
          var label = h("div", { class: "cmp-step" });
          var body = h("div", { class: "cmp-body" });
          var el = h("div", { class: "cmp-cell", role: "cell", "data-run": r.key, "data-col": r.col, "data-key": k, style: "border-top-color:" + r.color }, label, body);
          return { run: r, info: (r.data.media || {})[k] || null, el: el, label: label, body: body, shown: undefined, entry: null };
        });
        var merged = h("div", { class: "cmp-merged", hidden: true });
        var note = h("p", { class: "cmp-note muted", hidden: true, role: "note",
          text: plugin && plugin.note || "shown side by side: this mode needs an entry from each column at this step" });
        var rowEl = h("div", { class: "cmp-row kind-" + kind, role: "row", "data-key": k, "data-kind": kind },
          h("div", { class: "cmp-row-grid", style: "grid-template-columns:" + cols },
            h("div", { class: "cmp-row-head", role: "rowheader" }, h("b", { class: "cmp-key", text: k }), " ",
              h("span", { class: "kind", text: kind }), modeSel ? h("div", null, modeSel) : null),
            cells.map(function (c) { return c.el; })),
          note, merged);
        boxOf[k].appendChild(rowEl);
        var row = { key: k, kind: kind, el: rowEl, cells: cells, merged: merged, note: note, modeSel: modeSel, mergedFor: null,
          plugin: plugin, linkedFor: null, cleanup: null, memo: {} };
        if (modeSel) {
          modeSel.addEventListener("change", function () {
            MB.setPanelState(k, "mode", modeSel.value);
            row.mergedFor = null;
            cells.forEach(function (c) { c.shown = undefined; });
            showRow(row, cursor.step());
          });
        }
        return row;
      });
      MB.setShardCache(rows.length * runs.length);

      destroyers.push(function () {
        cursor.destroy();
        rows.forEach(function (r) { pluginCleanup(r); r.cells.forEach(destroyCell); });
      });
      cursor.start();
    }

    // one row at the cursor: every cell's entry, then side-by-side cells or a merged view
    function showRow(row, step) {
      return Promise.all(row.cells.map(function (c) { return loadCell(c, row, step); })).then(function () {
        if (!alive) return;
        if (row.plugin) return showPluginRow(row, step);
        // a kind with no compare modes (or too few or many columns for them): plain cells
        row.el.setAttribute("data-mode", "side");
        row.cells.forEach(function (c) { c.body.hidden = false; renderCell(c, row, step); });
      });
    }

    /* A row whose kind has a mode plugin (MB.compareModes[kind], see the top of this file):
       "side" draws every cell; a linked mode draws every cell then links them; any other mode
       hides the cells and lets the plugin draw one view in row.merged. */
    function showPluginRow(row, step) {
      var p = row.plugin;
      var mode = row.modeSel.value;
      var entries = row.cells.map(function (c) { return c.entry && c.entry.stub ? c.entry : null; });
      var ctx = pluginCtx(row, mode, step);
      var usable = mode !== "side" && (p.usable ? !!p.usable(mode, entries, ctx) : entries.every(function (e) {
        return e && e.stub._type === row.kind && !(e.stub.path && e.stub.__missing && e.stub.__missing.indexOf(e.stub.path) >= 0);
      }) && (!p.ready || p.ready(mode, entries.map(function (e) { return e.stub; }))));
      var linked = usable && p.linked && p.linked.indexOf(mode) >= 0;
      var sig = mode + ":" + (usable && p.key ? p.key(mode, entries, ctx) : "") + ":" +
        entries.map(function (e) { return e ? e.step : "-"; }).join(",");
      row.el.setAttribute("data-mode", usable ? mode : "side");
      row.note.hidden = usable || mode === "side";
      if (!usable || linked) {
        if (row.mergedFor !== null || row.linkedFor !== sig) pluginCleanup(row);
        row.merged.hidden = true;
        MB.clear(row.merged);
        row.mergedFor = null;
        row.cells.forEach(function (c) { c.body.hidden = false; renderCell(c, row, step); });
        if (linked && row.linkedFor !== sig) {
          row.linkedFor = sig;
          row.cleanup = p.render(ctx) || null;
        }
        return;
      }
      row.cells.forEach(function (c) { c.body.hidden = true; });
      row.merged.hidden = false;
      if (row.mergedFor === sig) return;
      pluginCleanup(row);
      MB.clear(row.merged);
      row.mergedFor = sig;
      row.cleanup = p.render(ctx) || null;
    }
    function pluginCleanup(row) {
      if (row.cleanup) { try { row.cleanup(); } catch (e) { /* ignore */ } }
      row.cleanup = null;
      row.linkedFor = null;
    }
    function pluginCtx(row, mode, step) {
      return {
        key: row.key, kind: row.kind, mode: mode, step: step, root: row.merged, row: row.el,
        cells: row.cells.map(function (c) {
          var e = c.entry && c.entry.stub ? c.entry : null;
          return { run: { key: c.run.key, col: c.run.col, pin: c.run.pin, color: c.run.color, label: runLabel(c.run) },
            step: e ? e.step : null, stub: e ? e.stub : null, body: c.body,
            url: function (path) { return MB.fileUrl(c.run.key, path); },
            json: function (path) { return e ? MB.inlined(e.stub, path) : undefined; } };
        }),
        state: function (name, dflt) { return MB.panelState(row.key, name, dflt); },
        setState: function (name, value) { MB.setPanelState(row.key, name, value); },
        alive: function () { return alive; },
        redraw: function () { return showRow(row, step); },
        memo: row.memo,
      };
    }

    function loadCell(c, row, step) {
      var info = c.info;
      if (c.run.pin !== null && c.run.pin !== undefined) step = c.run.pin;
      if (!info) {
        c.label.textContent = "not logged";
        c.el.removeAttribute("data-step");
        c.entry = null; c.want = null;
        return Promise.resolve();
      }
      var i = MB.nearestIndex(info.steps, step);
      if (i < 0) {
        c.label.textContent = "not logged yet (first at step " + info.steps[0] + ")";
        c.el.removeAttribute("data-step");
        c.entry = null; c.want = null;
        return Promise.resolve();
      }
      var logged = info.steps[i];
      c.label.textContent = (logged === step ? "step " + logged : "showing step " + logged + " (nearest earlier)") +
        " · " + (i + 1) + " of " + info.steps.length + " logged";
      c.el.setAttribute("data-step", String(logged));
      c.want = logged;
      if (c.entry && c.entry.step === logged) return Promise.resolve();
      var chunk = Math.floor(i / info.chunk);
      return MB.loadShard(c.run.key, row.key, info, chunk).then(function (entries) {
        if (c.want !== logged) return; // a later cursor move got here first
        var e = entries[i - chunk * info.chunk];
        c.entry = e ? { step: logged, stub: e.stub } : { step: logged, stub: null, error: "entry for step " + logged + " is missing from the site data" };
      }, function (err) {
        if (c.want !== logged) return;
        c.entry = { step: logged, stub: null, error: "could not load step " + logged + ": " + err.message };
      });
    }

    function renderCell(c, row, step) {
      var id = c.entry ? c.entry.step : (c.info ? "none" : "absent");
      if (c.shown === id) return;
      destroyCell(c);
      MB.clear(c.body);
      c.shown = id;
      if (!c.info) { MB.placeholder(c.body, "not logged in this run"); return; }
      if (!c.entry) { MB.placeholder(c.body, "first logged at step " + c.info.steps[0]); return; }
      if (c.entry.error) { MB.placeholder(c.body, c.entry.error); c.shown = undefined; return; }
      var stateKey = c.run.key + "\u0000" + row.key;
      MB.render(c.body, c.entry.stub, {
        run: c.run.key, key: row.key, kind: c.info.kind, step: step, loggedStep: c.entry.step, steps: c.info.steps,
        url: function (path) { return MB.fileUrl(c.run.key, path); },
        state: function (name, dflt) { return MB.panelState(stateKey, name, dflt); },
        setState: function (name, value) { MB.setPanelState(stateKey, name, value); },
        text: function (el, s) { el.textContent = s === null || s === undefined ? "" : MB.visible(s); },
        placeholder: MB.placeholder,
        loadAll: function () { return MB.loadAll(c.run.key, row.key, c.info); },
      });
    }
    function destroyCell(c) { if (c.info) MB.unrender(c.body, c.info.kind); }
    return {
      destroy: function () {
        alive = false;
        destroyers.forEach(function (f) { try { f(); } catch (e) { /* ignore */ } });
      },
    };
  });
})();
