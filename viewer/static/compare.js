/* Compare view (#/compare?runs=<run>,<run>,...): several runs side by side, offline.
   - header: the runs, one fixed colour each (the same colour everywhere on the page)
   - config and summary: one column per run, rows whose values differ marked `diff`, "only differences"
   - scalar charts: one chart per numeric key of any run, one trace per run in its colour
   - media: ONE step cursor over the union of every run's media steps; runs are columns, media keys
     rows; each cell shows that run's entry at the nearest earlier logged step
   - two runs and an image row: side by side, swipe, onion skin, or difference (CSS mix-blend-mode,
     then an SVG filter on the stage for the heat map and the gain; no pixel is read in JavaScript:
     canvas reads of file:// images are blocked); each image's masks and boxes over it, but in the
     difference
   - histogram rows: one canvas overlaying every run's histogram at the cursor
   Hash parameters: runs, step, x, smooth, logy, ck (chart filter), diff=1, ps (per-row mode state).
   Every user string goes in as text (MB.h "text", textContent), never as HTML. */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB || !MB.registerView) return;
  var h = MB.h;
  var PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
    "#17becf", "#bcbd22", "#7f7f7f"];
  var MODES = [["side", "Side by side"], ["pair", "Side by side, linked zoom"], ["swipe", "Swipe"], ["onion", "Onion skin"],
    ["diff", "Difference"]];
  var HIST_MODES = [["overlay", "Overlaid"], ["side", "Side by side"]];
  var EAGER_CHARTS = 24;
  var BUILTIN = { image: 1, histogram: 1 };
  /* Compare modes of other kinds come from plugins (compare_*.js), registered before this view runs:
       MB.compareModes[kind] = {
         modes: [[value, label], ...],   // the row menu, first = default; "side" = plain cells
         linked: [value, ...],           // modes that keep the cells drawn and link them
         minCols: 2, maxCols: n,         // columns the modes need (else the row has no menu)
         note: "...",                    // shown when a mode cannot apply at this step
         ready: function (mode, stubs) -> bool,   // optional extra check of the entries
         render: function (ctx) -> cleanup fn or nothing }
     ctx: key, kind, mode, step, root (the merged box; empty), row (the row element),
          cells: [{run: {key, col, pin, color, label}, step, stub, body, url(path), json(path)}],
          state(name, dflt) / setState(name, value) (kept in the URL per row), alive(). */
  MB.compareModes = MB.compareModes || {};
  var MIN_WIDTH = 384; // px: a two-image view draws smaller images larger than this

  function colorOf(i) { return PALETTE[i % PALETTE.length]; }
  function rgba(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + a + ")";
  }
  var ptext = MB.ptext;
  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
  // difference view: gains, and the heat map's colour stops (inferno-like, 0 = black) for
  // |A - B| averaged over R, G, B. The filter runs in the compositor (SVG filter on the stage),
  // because a canvas may not read the pixels of file:// images.
  var GAINS = [1, 4, 16, 64];
  var HEAT = [[0, 0, 4], [31, 12, 72], [85, 15, 109], [136, 34, 106], [186, 54, 85], [227, 89, 51],
    [249, 140, 10], [249, 201, 50], [252, 255, 164]];
  function diffFilter(view, gain) {
    var id = "mb-diff-" + view + "-" + gain;
    if (document.getElementById(id)) return id;
    var NS = "http://www.w3.org/2000/svg";
    var svg = document.getElementById("mb-diff-filters");
    if (!svg) {
      svg = document.createElementNS(NS, "svg");
      svg.setAttribute("id", "mb-diff-filters");
      svg.setAttribute("width", "0");
      svg.setAttribute("height", "0");
      svg.setAttribute("aria-hidden", "true");
      svg.setAttribute("style", "position:absolute;width:0;height:0;overflow:hidden");
      document.body.appendChild(svg);
    }
    var f = document.createElementNS(NS, "filter");
    f.setAttribute("id", id);
    f.setAttribute("color-interpolation-filters", "sRGB");
    var m = document.createElementNS(NS, "feColorMatrix");
    m.setAttribute("type", "matrix");
    var t = gain / 3, g = gain;
    m.setAttribute("values", (view === "heat"
      ? [t, t, t, 0, 0, t, t, t, 0, 0, t, t, t, 0, 0, 0, 0, 0, 1, 0]
      : [g, 0, 0, 0, 0, 0, g, 0, 0, 0, 0, 0, g, 0, 0, 0, 0, 0, 1, 0]).join(" "));
    f.appendChild(m);
    if (view === "heat") {
      var ct = document.createElementNS(NS, "feComponentTransfer");
      ["R", "G", "B"].forEach(function (ch, j) {
        var fn = document.createElementNS(NS, "feFunc" + ch);
        fn.setAttribute("type", "table");
        fn.setAttribute("tableValues", HEAT.map(function (c) { return (c[j] / 255).toFixed(4); }).join(" "));
        ct.appendChild(fn);
      });
      f.appendChild(ct);
    }
    svg.appendChild(f);
    return id;
  }
  function heatGradient() {
    return "linear-gradient(to right," + HEAT.map(function (c, i) {
      return "rgb(" + c.join(",") + ") " + Math.round(i * 100 / (HEAT.length - 1)) + "%";
    }).join(",") + ")";
  }

  // the image a two-image mode compares: the stub itself, or item `item` of a list of images;
  // null when there is none (another kind, an empty list, a file missing from the site)
  function imageItem(stub, item) {
    if (!stub) return null;
    var s = stub;
    if (stub._type === "media-list") {
      var items = Array.isArray(stub.items) ? stub.items : [];
      s = items[Math.min(item || 0, items.length - 1)];
    }
    if (!s || s._type !== "image" || typeof s.path !== "string") return null;
    if (s.__missing && s.__missing.indexOf(s.path) >= 0) return null;
    return s;
  }
  function imageCount(stub) {
    if (!stub) return 0;
    if (stub._type === "media-list") {
      return (Array.isArray(stub.items) ? stub.items : []).filter(function (x) { return x && x._type === "image"; }).length;
    }
    return stub._type === "image" ? 1 : 0;
  }

  function swatch(color) { return h("span", { class: "cmp-swatch", style: "background:" + color, "aria-hidden": "true" }); }
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
      configTables(once);
      mediaGrid(ok);
      chartsSection(once);
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
      section.appendChild(h("details", { class: "overview cmp-overview", open: true },
        h("summary", { text: "Config and summary" }),
        h("div", { class: "toolbar" }, h("label", null, onlyDiff, " only differences")),
        box));
      var tables = [kvCompare(runs, "config", "Config"), kvCompare(runs, "summary", "Summary")];
      tables.forEach(function (t) { box.appendChild(t); });
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
      var grid = h("div", { class: "chart-grid cmp-chart-grid" });
      root.appendChild(grid);
      var plots = names.map(function (k) {
        var el = h("div", { class: "chart", "data-key": k, role: "img", "aria-label": "chart of " + k + " for every compared run" });
        var fig = h("figure", { class: "chart-fig" }, el);
        grid.appendChild(fig);
        return { key: k, el: el, fig: fig, drawn: false };
      });
      var data = {};
      var observer = "IntersectionObserver" in window && plots.length > EAGER_CHARTS ? new IntersectionObserver(function (items) {
        items.forEach(function (it) {
          if (!it.isIntersecting) return;
          plots.forEach(function (p) { if (p.el === it.target && !p.drawn) draw(p); });
        });
      }, { rootMargin: "200px" }) : null;
      function draw(p) {
        if (!window.Plotly || !alive) return;
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
        window.Plotly.react(p.el, traces, {
          title: { text: ptext(p.key), font: { size: 13 } }, margin: { l: 48, r: 12, t: 32, b: 40 }, height: 290,
          showlegend: true, legend: { orientation: "h", y: -0.32, yanchor: "top" },
          xaxis: { title: { text: xSel.options[xSel.selectedIndex].text } },
          yaxis: { type: logy.checked ? "log" : "linear" },
          paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
        }, { responsive: true, displaylogo: false });
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
      var cursor = MB.stepCursor(steps, function (step) {
        return Promise.all(rows.map(function (r) { return showRow(r, step); }));
      }, {
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
      var table = h("div", { class: "cmp-grid", role: "table", "aria-label": "Media of the compared runs at the cursor step" });
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
      var rows = mediaKeys.map(function (k) {
        var kind = kinds[k];
        var plugin = !BUILTIN[kind] && MB.compareModes[kind] || null;
        if (plugin && (runs.length < (plugin.minCols || 2) || runs.length > (plugin.maxCols || Infinity))) plugin = null;
        var modes = kind === "histogram" ? HIST_MODES : kind === "image" && runs.length === 2 ? MODES : plugin ? plugin.modes : null;
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
          text: kind === "histogram" ? "no histogram to overlay at this step" : plugin ? plugin.note || "shown side by side: this mode needs an entry from each column at this step"
            : "shown side by side: this mode needs an image (or a list of images) from each run at this step" });
        var rowEl = h("div", { class: "cmp-row kind-" + kind, role: "row", "data-key": k, "data-kind": kind },
          h("div", { class: "cmp-row-grid", style: "grid-template-columns:" + cols },
            h("div", { class: "cmp-row-head", role: "rowheader" }, h("b", { class: "cmp-key", text: k }), " ",
              h("span", { class: "kind", text: kind }), modeSel ? h("div", null, modeSel) : null),
            cells.map(function (c) { return c.el; })),
          note, merged);
        table.appendChild(rowEl);
        var row = { key: k, kind: kind, el: rowEl, cells: cells, merged: merged, note: note, modeSel: modeSel, mergedFor: null,
          plugin: plugin, linkedFor: null, cleanup: null };
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
        rows.forEach(function (r) { pluginCleanup(r); r.cells.forEach(destroyCell); purgeMerged(r); });
      });
      cursor.start();
    }

    // one row at the cursor: every cell's entry, then side-by-side cells or a merged view
    function showRow(row, step) {
      return Promise.all(row.cells.map(function (c) { return loadCell(c, row, step); })).then(function () {
        if (!alive) return;
        if (row.plugin) return showPluginRow(row, step);
        var mode = row.modeSel ? row.modeSel.value : "side";
        var entries = row.cells.map(function (c) { return c.entry; });
        var item = 0;
        if (row.kind !== "histogram") {
          // lists of images: one item of each is compared (ps.<key>.item), within the shorter list
          var n = Math.min.apply(null, entries.map(function (e) { return e ? imageCount(e.stub) : 0; }));
          item = Math.max(0, Math.min(Number(MB.panelState(row.key, "item", 0)) || 0, n - 1));
        }
        var mergeable = mode !== "side" && entries.every(function (e) {
          if (row.kind === "histogram") return e && e.stub && e.stub._type === "histogram";
          return e && imageItem(e.stub, item);
        });
        if (row.kind === "histogram" && mode === "overlay") {
          mergeable = entries.some(function (e) { return e && e.stub && e.stub._type === "histogram"; });
        }
        row.el.setAttribute("data-mode", mergeable ? mode : "side");
        row.note.hidden = mergeable || mode === "side";
        if (!mergeable) {
          row.merged.hidden = true;
          purgeMerged(row);
          row.cells.forEach(function (c) { c.body.hidden = false; renderCell(c, row, step); });
          return;
        }
        row.cells.forEach(function (c) { c.body.hidden = true; });
        row.merged.hidden = false;
        var sig = mode + ":" + item + ":" + entries.map(function (e) { return e ? e.step : "-"; }).join(",");
        if (row.mergedFor === sig) return;
        purgeMerged(row);
        MB.clear(row.merged);
        row.mergedFor = sig;
        if (row.kind === "histogram") return histOverlay(row);
        imageModes(row, mode, item, step);
      });
    }

    /* A row whose kind has a mode plugin (MB.compareModes[kind], see the top of this file):
       "side" draws every cell; a linked mode draws every cell then links them; any other mode
       hides the cells and lets the plugin draw one view in row.merged. */
    function showPluginRow(row, step) {
      var p = row.plugin;
      var mode = row.modeSel.value;
      var entries = row.cells.map(function (c) { return c.entry && c.entry.stub ? c.entry : null; });
      var usable = mode !== "side" && entries.every(function (e) {
        return e && e.stub._type === row.kind && !(e.stub.path && e.stub.__missing && e.stub.__missing.indexOf(e.stub.path) >= 0);
      }) && (!p.ready || p.ready(mode, entries.map(function (e) { return e.stub; })));
      var linked = usable && p.linked && p.linked.indexOf(mode) >= 0;
      var sig = mode + ":" + entries.map(function (e) { return e ? e.step : "-"; }).join(",");
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
          row.cleanup = p.render(pluginCtx(row, mode, step)) || null;
        }
        return;
      }
      row.cells.forEach(function (c) { c.body.hidden = true; });
      row.merged.hidden = false;
      if (row.mergedFor === sig) return;
      pluginCleanup(row);
      MB.clear(row.merged);
      row.mergedFor = sig;
      row.cleanup = p.render(pluginCtx(row, mode, step)) || null;
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
          return { run: { key: c.run.key, col: c.run.col, pin: c.run.pin, color: c.run.color, label: runLabel(c.run) },
            step: c.entry.step, stub: c.entry.stub, body: c.body,
            url: function (path) { return MB.fileUrl(c.run.key, path); },
            json: function (path) { return MB.inlined(c.entry.stub, path); } };
        }),
        state: function (name, dflt) { return MB.panelState(row.key, name, dflt); },
        setState: function (name, value) { MB.setPanelState(row.key, name, value); },
        alive: function () { return alive; },
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
        loadAll: function () {
          var n = Math.ceil(c.info.steps.length / c.info.chunk), loads = [];
          for (var j = 0; j < n; j++) loads.push(MB.loadShard(c.run.key, row.key, c.info, j));
          return Promise.all(loads).then(function (parts) { return [].concat.apply([], parts); });
        },
      });
    }
    function destroyCell(c) {
      var r = c.info && MB.renderers[c.info.kind];
      if (r && r.destroy) { try { r.destroy(c.body); } catch (e) { /* ignore */ } }
    }
    function purgeMerged(row) {
      var div = row.merged.querySelector(".cmp-hist");
      if (div && window.Plotly) window.Plotly.purge(div);
      if (row.merged.hidden) row.mergedFor = null;
    }

    // two images, stacked: swipe (clip the top one), onion skin (its opacity), difference (blend)
    function imageModes(row, mode, item, step) {
      var a = row.cells[0], b = row.cells[1];
      var sa = imageItem(a.entry.stub, item), sb = imageItem(b.entry.stub, item);
      var nA = imageCount(a.entry.stub), nB = imageCount(b.entry.stub), lists = nA > 1 || nB > 1;
      var wA = sa.width || 0, hA = sa.height || 0;
      function what(c, st) {
        return "run " + runLabel(c.run) + ", step " + c.entry.step + (lists ? ", image " + (item + 1) : "") +
          (st.caption ? ": " + st.caption : "");
      }
      var zoom = Number(MB.panelState(row.key, "zoom", 1)) || 1;
      var amount = Number(MB.panelState(row.key, mode, mode === "onion" ? 0.5 : 0.5));
      var base = h("img", { class: "cmp-img cmp-img-a", src: MB.fileUrl(a.run.key, sa.path), alt: what(a, sa), draggable: "false" });
      var top = h("img", { class: "cmp-img cmp-img-b", src: MB.fileUrl(b.run.key, sb.path), alt: what(b, sb), draggable: "false" });
      // "pair": the two images side by side, each in its own viewport, one zoom, panned together;
      // every other mode stacks them on one stage
      var pair = mode === "pair";
      var stage = h("div", { class: "cmp-stage mode-" + mode }, base, pair ? null : top);
      var stages = pair ? [stage, h("div", { class: "cmp-stage mode-pair" }, top)] : [stage];
      // masks and boxes: each image's own layers over it (A's clipped and faded with A, B's with
      // B), one set of controls for both; none in the difference, where they would be differenced
      var layers = imageLayers(row, a, b, sa, sb, mode);
      if (layers) {
        stage.appendChild(layers.wrapA);
        stages[stages.length - 1].appendChild(layers.wrapB);
        layers.a.addTo(layers.wrapA);
        layers.b.addTo(layers.wrapB);
      }
      var line = null;
      if (mode === "swipe") { line = h("div", { class: "cmp-swipe-line", style: "border-color:" + b.run.color }); stage.appendChild(line); }
      var viewports = stages.map(function (st) { return h("div", { class: "cmp-viewport" }, st); });
      var viewport = viewports[0];
      function sizeStage() {
        // small images are drawn larger by a whole factor (pixelated), large ones fit the width
        var w = (wA || base.naturalWidth || 256);
        var room = viewport.clientWidth || 600;
        var fit = w < MIN_WIDTH ? Math.max(1, Math.min(Math.floor(MIN_WIDTH / w), Math.floor(room / w))) : Math.min(1, room / w);
        var px = Math.max(1, Math.round(w * fit * zoom));
        stages.forEach(function (st) {
          st.style.width = px + "px";
          st.classList.toggle("mb-pixelated", px > w);
        });
      }
      function apply(v) {
        if (mode === "swipe") {
          top.style.clipPath = "inset(0 0 0 " + (v * 100) + "%)";
          line.style.left = (v * 100) + "%";
          if (layers) {
            layers.wrapA.style.clipPath = "inset(0 " + (100 - v * 100) + "% 0 0)";
            layers.wrapB.style.clipPath = top.style.clipPath;
          }
        } else if (mode === "onion") {
          top.style.opacity = String(v);
          if (layers) {
            layers.wrapA.style.opacity = String(1 - v);
            layers.wrapB.style.opacity = String(v);
          }
        }
      }
      var controls = h("div", { class: "toolbar cmp-mode-controls" });
      if (lists) {
        var n = Math.min(nA, nB);
        var go = function (k) {
          k = Math.max(0, Math.min(n - 1, k));
          if (k === item) return;
          MB.setPanelState(row.key, "item", k);
          showRow(row, step);
        };
        var itemBox = h("input", { type: "number", class: "cmp-item", min: 1, max: n, value: item + 1, "aria-label": "image number" });
        itemBox.addEventListener("change", function () { go(Math.round(Number(itemBox.value)) - 1 || 0); });
        var prev = h("button", { type: "button", class: "cmp-item-prev", "aria-label": "previous image", text: "◀", disabled: item === 0 });
        var next = h("button", { type: "button", class: "cmp-item-next", "aria-label": "next image", text: "▶", disabled: item >= n - 1 });
        prev.addEventListener("click", function () { go(item - 1); });
        next.addEventListener("click", function () { go(item + 1); });
        controls.appendChild(h("span", { class: "cmp-item-pick" }, "image ", prev, itemBox, next,
          h("span", { class: "cmp-item-of", text: " of " + n + (nA !== nB ? " (" + runLabel(a.run) + " has " + nA + ", " +
            runLabel(b.run) + " " + nB + ")" : "") })));
      }
      var legend = mode === "diff"
        ? h("span", { class: "muted cmp-diff-legend" })
        : pair
        ? h("span", { class: "muted", text: "one zoom for both; drag either image to pan both" + (sb.width && wA &&
          (sb.width !== wA || sb.height !== hA) ? " (the right image is stretched to the left one's size)" : "") })
        : h("span", { class: "muted" }, mode === "swipe" ? "left " : "", swatch(a.run.color), " ", h("span", { text: runLabel(a.run) }),
          mode === "swipe" ? " · right " : ", under ", swatch(b.run.color), " ", h("span", { text: runLabel(b.run) }));
      if (mode === "swipe" || mode === "onion") {
        var range = h("input", { type: "range", class: "cmp-amount", min: 0, max: 1, step: 0.01, value: amount,
          "aria-label": mode === "swipe" ? "swipe position" : "opacity of " + runLabel(b.run) });
        range.addEventListener("input", function () { apply(Number(range.value)); MB.setPanelState(row.key, mode, range.value); });
        if (mode === "swipe") {
          // drag on the image to move the line
          var dragging = false;
          var drag = function (e) {
            if (!dragging) return;
            var r = stage.getBoundingClientRect();
            var v = Math.max(0, Math.min(1, (e.clientX - r.left) / (r.width || 1)));
            range.value = String(Math.round(v * 100) / 100);
            apply(Number(range.value));
          };
          stage.addEventListener("pointerdown", function (e) { dragging = true; if (stage.setPointerCapture) stage.setPointerCapture(e.pointerId); drag(e); });
          stage.addEventListener("pointermove", drag);
          stage.addEventListener("pointerup", function () { if (dragging) { dragging = false; MB.setPanelState(row.key, mode, range.value); } });
          stage.classList.add("cmp-draggable");
        }
        controls.appendChild(h("label", null, mode === "swipe" ? "swipe " : "opacity ", range));
      }
      if (mode === "diff") {
        var view = String(MB.panelState(row.key, "diffview", "heat"));
        if (view !== "rgb") view = "heat";
        var gain = Number(MB.panelState(row.key, "gain", 1));
        if (GAINS.indexOf(gain) < 0) gain = 1;
        var viewSel = h("select", { class: "cmp-diffview", "aria-label": "difference shown as" },
          h("option", { value: "heat", text: "heat map" }), h("option", { value: "rgb", text: "per channel" }));
        var gainSel = h("select", { class: "cmp-gain", "aria-label": "gain" },
          GAINS.map(function (g) { return h("option", { value: g, text: g + "×" }); }));
        var applyDiff = function () {
          viewSel.value = view;
          gainSel.value = String(gain);
          stage.style.filter = view === "rgb" && gain === 1 ? "" : "url(#" + diffFilter(view, gain) + ")";
          stage.setAttribute("data-diffview", view);
          stage.setAttribute("data-gain", String(gain));
          var la = runLabel(a.run), lb = runLabel(b.run);
          var top255 = Math.round(255 / gain);
          legend.textContent = "";
          if (view === "heat") {
            legend.appendChild(document.createTextNode("mean |" + la + " − " + lb + "| over R, G, B: 0 "));
            legend.appendChild(h("span", { class: "cmp-heat-scale", style: "background:" + heatGradient(), "aria-hidden": "true" }));
            legend.appendChild(document.createTextNode(" " + (gain > 1 ? "≥ " : "") + top255 + (gain > 1 ? " (gain " + gain + "×)" : "")));
          } else {
            legend.appendChild(document.createTextNode("|" + la + " − " + lb + "| per channel" +
              (gain > 1 ? " × " + gain + " (≥ " + top255 + " shows as full)" : "") + ": black = identical"));
          }
        };
        viewSel.addEventListener("change", function () { view = viewSel.value; MB.setPanelState(row.key, "diffview", view); applyDiff(); });
        gainSel.addEventListener("change", function () { gain = Number(gainSel.value); MB.setPanelState(row.key, "gain", gain); applyDiff(); });
        controls.appendChild(h("label", null, "show ", viewSel));
        controls.appendChild(h("label", null, "gain ", gainSel));
        applyDiff();
      }
      var zoomSel = h("select", { class: "cmp-zoom", "aria-label": "zoom" }, [1, 2, 4, 8].map(function (z) { return h("option", { value: z, text: z + "×" }); }));
      zoomSel.value = String(zoom);
      zoomSel.addEventListener("change", function () { zoom = Number(zoomSel.value); MB.setPanelState(row.key, "zoom", zoom); sizeStage(); });
      controls.appendChild(h("label", null, "zoom ", zoomSel));
      if (mode !== "swipe") {
        // drag to pan a zoomed view: stacked images move together (one stage); in a pair, each
        // viewport's scroll is copied to the other
        stages.forEach(function (st, j) {
          var vp = viewports[j], pan = null;
          st.addEventListener("pointerdown", function (e) {
            pan = { x: e.clientX, y: e.clientY, left: vp.scrollLeft, top: vp.scrollTop };
            if (st.setPointerCapture) st.setPointerCapture(e.pointerId);
          });
          st.addEventListener("pointermove", function (e) {
            if (!pan) return;
            vp.scrollLeft = pan.left - (e.clientX - pan.x);
            vp.scrollTop = pan.top - (e.clientY - pan.y);
          });
          st.addEventListener("pointerup", function () { pan = null; });
          st.classList.add("cmp-pannable");
        });
      }
      if (pair) {
        // scroll events arrive a frame late: the event a copy causes is recognised (the viewport is
        // where the copy put it) and not copied back, so it never undoes a newer pan
        var echo = [null, null];
        viewports.forEach(function (vp, j) {
          var other = viewports[1 - j];
          vp.addEventListener("scroll", function () {
            var e = echo[j];
            echo[j] = null;
            if (e && Math.abs(e.left - vp.scrollLeft) < 1 && Math.abs(e.top - vp.scrollTop) < 1) return;
            if (Math.abs(other.scrollLeft - vp.scrollLeft) < 1 && Math.abs(other.scrollTop - vp.scrollTop) < 1) return;
            other.scrollLeft = vp.scrollLeft;
            other.scrollTop = vp.scrollTop;
            echo[1 - j] = { left: other.scrollLeft, top: other.scrollTop };
          });
        });
      }
      controls.appendChild(legend);
      row.merged.appendChild(controls);
      if (layers) row.merged.appendChild(layers.controls);
      else if (mode === "diff" && (hasLayers(sa) || hasLayers(sb))) {
        row.merged.appendChild(h("p", { class: "muted cmp-layers-note", role: "note",
          text: "Masks and boxes are not drawn in the difference; the other modes show them." }));
      }
      if (pair) {
        row.merged.appendChild(h("div", { class: "cmp-pair" }, [a, b].map(function (c, j) {
          return h("div", { class: "cmp-pair-side" },
            h("div", { class: "cmp-pair-head" }, swatch(c.run.color), " ", h("span", { text: runLabel(c.run) + " · step " + c.entry.step +
              ((j ? sb : sa).caption ? " · " + (j ? sb : sa).caption : "") })),
            viewports[j]);
        })));
      } else {
        row.merged.appendChild(viewport);
      }
      if (!wA || !hA) base.addEventListener("load", sizeStage);
      sizeStage();
      apply(amount);
      if (wA && hA) stages.forEach(function (st) { st.style.aspectRatio = wA + " / " + hA; });
      [base, top].forEach(function (img, j) {
        img.addEventListener("error", function () {
          MB.placeholder(row.merged, "image file missing: " + row.cells[j].entry.stub.path);
        });
      });
    }

    function hasLayers(st) {
      return !!(st && ((st.masks && typeof st.masks === "object" && Object.keys(st.masks).length) ||
        (st.boxes && typeof st.boxes === "object" && Object.keys(st.boxes).length)));
    }
    /* The mask and box layers of two images (the image renderer's MB.R.imageLayers): one state
       for both, kept in the row's ps under the run page's names (maskOpacity, maskOff, boxOff,
       scoreMin, boxLabels); controls merged over both images' layers. Null when neither has any,
       or in the difference. */
    function imageLayers(row, a, b, sa, sb, mode) {
      var IL = MB.R && MB.R.imageLayers;
      if (!IL || mode === "diff" || !(hasLayers(sa) || hasLayers(sb))) return null;
      var lctx = { state: function (n, d) { return MB.panelState(row.key, n, d); },
        setState: function (n, v) { MB.setPanelState(row.key, n, v); } };
      var st = IL.loadState(lctx);
      function sideCtx(c, stub) {
        return { url: function (path) { return MB.fileUrl(c.run.key, path); }, placeholder: MB.placeholder,
          json: function (path) { return MB.inlined(stub, path); } };
      }
      var la = IL.overlays(sa, sideCtx(a, sa), st), lb = IL.overlays(sb, sideCtx(b, sb), st);
      var masks = {}, boxes = {};
      la.masks.concat(lb.masks).forEach(function (l) { IL.merge(masks, l); });
      la.boxes.concat(lb.boxes).forEach(function (l) { IL.merge(boxes, l); });
      var controls = IL.controls(st, lctx, IL.sorted(masks), IL.sorted(boxes), function () { la.apply(); lb.apply(); });
      controls.classList.add("cmp-layer-controls");
      return { a: la, b: lb, controls: controls,
        wrapA: h("div", { class: "cmp-layers cmp-layers-a", "data-col": a.run.col }),
        wrapB: h("div", { class: "cmp-layers cmp-layers-b", "data-col": b.run.col }) };
    }

    // every column's histogram at the cursor on one canvas (MB.R.histCanvas, the run page's
    // histogram drawing); the legend's buttons hide or show a column (kept while the row lives)
    function histOverlay(row) {
      var hidden = row.histHidden || (row.histHidden = {});
      var series = [];
      row.cells.forEach(function (c) {
        var s = c.entry && c.entry.stub;
        if (!s || s._type !== "histogram" || !Array.isArray(s.bins) || !Array.isArray(s.values) || s.bins.length !== s.values.length + 1) return;
        series.push({ bins: s.bins, values: s.values, color: c.run.color, col: c.run.col, hidden: !!hidden[c.run.col],
          name: runLabel(c.run) + " (step " + c.entry.step + ")" });
      });
      var plot = h("div", { class: "cmp-hist" });
      var legend = h("div", { class: "cmp-hist-legend", role: "group", "aria-label": "columns in the overlay (click to hide or show)" });
      row.merged.appendChild(plot);
      row.merged.appendChild(legend);
      var buttons = series.map(function (s) {
        var b = h("button", { type: "button", class: "cmp-hist-key", "data-col": s.col, "aria-pressed": String(!s.hidden) },
          swatch(s.color), " ", h("span", { text: s.name }));
        b.addEventListener("click", function () {
          s.hidden = !s.hidden;
          hidden[s.col] = s.hidden;
          draw();
        });
        legend.appendChild(b);
        return b;
      });
      function draw() {
        var canvas = MB.R.histCanvas(plot, series);
        canvas.setAttribute("aria-label", "histograms of " + row.key + " overlaid: " +
          (series.filter(function (s) { return !s.hidden; }).map(function (s) { return s.name; }).join(", ") || "none shown"));
        buttons.forEach(function (b, i) { b.setAttribute("aria-pressed", String(!series[i].hidden)); });
      }
      draw();
      return Promise.resolve();
    }

    return {
      destroy: function () {
        alive = false;
        destroyers.forEach(function (f) { try { f(); } catch (e) { /* ignore */ } });
      },
    };
  });
})();
