/* Sweep page (#/sweep/<key>): one sweep's trials, from data/sweeps/<key>.js (viewer/sweeps.py).
   - head: name, method, metric and goal, trials by state, the best run (a link to its run page)
   - filters: by group, trial state or any config value of the trials' runs (?f=[[field, value], ...])
   - parallel coordinates (MB.parcoords, static/parcoords.js: SVG): one line per trial with a
     metric value, coloured by it; brushing any axis by dragging along it or by typing values
     (?br={axis: [lo, hi] or [[lo, hi], ...]} in the axis's units: log10 for log axes, the
     choice's index for categorical ones) picks trials: their rows are highlighted and "Compare N
     brushed" opens them on the compare page; axes moved by dragging their titles (?order=) and
     hidden or shown again by checkboxes (?hide=)
   - the trials table (parameters, metric, state, run status, duration), sorted by any column
     (?sort=, ?desc=1), the first ROWS rows (?rows=all); "no metric", pruned and failed trials marked
   - importance (the method named) beside each parameter's correlation with the metric
   - the metric against each parameter (log x for log-scale distributions) and over trial numbers
     with the running best (plotly, SVG traces)
   Every state is in the URL; the page follows the sweep while agents run (MB.onLive).
   The index lists the sweeps (MB.indexParts.sweeps); a trial's run page links to its sweep
   (MB.runParts.sweep). Every user string goes in as text (MB.h "text", SVG text nodes) and into
   plotly through MB.ptext. */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB || !MB.registerView) return;
  var h = MB.h, ptext = MB.ptext;
  var ROWS = 300; // table rows drawn before "Show all"
  var METRIC = "@metric"; // the metric axis's id (parameter axes are "p:" + name)
  var STATE_TEXT = { "no-metric": "no metric", finished: "finished", running: "running", pruned: "pruned", failed: "failed" };

  MB.store.sweeps = {};
  MB.store.sweepList = null;
  MB.data.sweep = function (key, data) { MB.store.sweeps[key] = data; };
  MB.data.sweeps = function (list) { MB.store.sweepList = list; };

  // a data script loaded afresh each time (after a live change the old one is stale)
  function loadData(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src + "?t=" + Date.now();
      s.onload = function () { s.remove(); resolve(); };
      s.onerror = function () { s.remove(); reject(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }
  function loadSweep(key) {
    return loadData("data/sweeps/" + encodeURIComponent(key) + ".js").then(function () {
      var d = MB.store.sweeps[key];
      if (!d) throw new Error("no data for sweep " + key);
      return d;
    });
  }
  function fmt(v) { return MB.fmtValue(v); }
  function metricLabel(d) { return d.metric ? d.metric.name : "metric"; }

  // ---------------------------------------------------------------------------------------------
  // The index: the project's sweeps, each a link to its page
  // ---------------------------------------------------------------------------------------------
  MB.indexParts = MB.indexParts || {};
  MB.indexParts.sweeps = function (indexEl) {
    if (window.MB_INLINE) return null; // a single-file export holds no sweeps
    var box = h("section", { class: "sweeps-list", id: "sweeps-list", hidden: true, "aria-label": "Sweeps" });
    var table = indexEl.querySelector(".table-wrap");
    indexEl.insertBefore(box, table || null);
    var alive = true, drawn = null;
    function draw(list) {
      var json = JSON.stringify(list);
      if (json === drawn) return; // a live change elsewhere: nothing to redraw here
      drawn = json;
      MB.clear(box);
      box.hidden = !list.length;
      if (!list.length) return;
      // many sweeps fold (open by default up to 6; ?fold=sweeps turns it)
      var items = h("ul", null, list.map(function (s) {
        var best = s.best && s.metric ? [" · best ", s.metric.name, " = ", MB.fmtNum(s.best.value)] : null;
        return h("li", { "data-sweep": s.key },
          h("a", { href: MB.hashFor(["sweep", s.key]), text: s.name }),
          h("span", { class: "muted" }, " · ", s.project, " · ", s.method || "?", " · ", s.trials + " trials",
            s.metric ? [" · ", s.metric.goal, " ", s.metric.name] : null, best));
      }));
      box.appendChild(MB.fold("sweeps", [h("h2", { text: "Sweeps" }), h("span", { class: "muted", text: " (" + list.length + ")" })],
        items, { open: list.length <= 6, class: "sweeps-fold" }));
    }
    function refresh() {
      loadData("data/sweeps.js").then(function () { if (alive) draw(MB.store.sweepList || []); })
        .catch(function () { /* a site built before sweeps: no list */ });
    }
    refresh();
    var stop = MB.onLive(refresh);
    return { destroy: function () { alive = false; stop(); } };
  };

  // ---------------------------------------------------------------------------------------------
  // A trial's run page: under its header, "trial n of sweep <name>" (a link to the sweep page)
  // ---------------------------------------------------------------------------------------------
  MB.runParts = MB.runParts || {};
  MB.runParts.sweep = function (run) {
    var sw = run.meta && run.meta.sweep;
    if (!sw || typeof sw !== "object" || window.MB_INLINE) return null;
    var line = h("p", { class: "muted sweep-of", id: "sweep-of" }, "trial " + sw.trial + " of sweep ", h("code", { text: sw.id }));
    loadData("data/sweeps.js").then(function () {
      var s = (MB.store.sweepList || []).filter(function (x) { return x.id === sw.id && x.project === run.meta.project; })[0];
      if (!s) return;
      MB.clear(line);
      line.appendChild(document.createTextNode("trial " + sw.trial + " of sweep "));
      line.appendChild(h("a", { href: MB.hashFor(["sweep", s.key]), text: s.name }));
      if (s.best && s.best.run === run.key) line.appendChild(h("span", { class: "sweep-best-mark", text: " ★ the best trial" }));
    }).catch(function () { /* a site built before sweeps */ });
    // right under the run's header (which live updates replace; this line stays)
    setTimeout(function () {
      var head = document.querySelector("section.run > header.run-head");
      if (head && line.parentNode) head.after(line);
    }, 0);
    return line;
  };

  // ---------------------------------------------------------------------------------------------
  // URL state
  // ---------------------------------------------------------------------------------------------
  function jsonParam(name, dflt) {
    try { var v = JSON.parse(MB.view.q.get(name) || "null"); return v === null ? dflt : v; } catch (e) { return dflt; }
  }
  function listParam(name) {
    return (MB.view.q.get(name) || "").split(",").filter(Boolean).map(function (x) {
      try { return decodeURIComponent(x); } catch (e) { return x; }
    });
  }
  function setList(name, list) { MB.setParam(name, list.map(encodeURIComponent).join(",")); }

  // ---------------------------------------------------------------------------------------------
  // Axes of the parallel coordinates: one per searched parameter, then the metric
  // ---------------------------------------------------------------------------------------------
  // 5e-4 rather than 5.000e-4; 0.001 to 10000 as they are
  function tickText(m, e) { return e < -3 || e > 4 ? m + "e" + e : MB.fmtNum(+(m * Math.pow(10, e)).toPrecision(6)); }
  function logTicks(lo, hi) {
    var vals = [], text = [];
    // 1, 2, 5 in each decade over at most 2 decades; over more, the decades alone (every other
    // one past 6), so labels never crowd the axis
    var span = hi - lo, marks = span <= 2.2 ? [1, 2, 5] : [1], every = span > 6 ? Math.ceil(span / 6) : 1;
    for (var e = Math.floor(lo); e <= Math.ceil(hi); e++) {
      if (e % every) continue;
      marks.forEach(function (m) {
        var v = e + Math.log10(m);
        if (v >= lo - 1e-9 && v <= hi + 1e-9) { vals.push(v); text.push(tickText(m, e)); }
      });
    }
    if (vals.length < 2) { vals = [lo, hi]; text = [MB.fmtNum(Math.pow(10, lo)), MB.fmtNum(Math.pow(10, hi))]; }
    return { vals: vals, text: text };
  }
  // axis value of a trial (log10 for log axes, the choice's index for categorical ones), or null
  function axisValue(ax, t) {
    if (ax.id === METRIC) return t.value;
    var v = t.params[ax.param.name];
    if (v === undefined || v === null) return null;
    if (ax.param.kind === "categorical") {
      var i = ax.param.choices.indexOf(typeof v === "string" ? v : JSON.stringify(v));
      return i < 0 ? null : i;
    }
    if (typeof v !== "number") return null;
    if (ax.param.log) return v > 0 ? Math.log10(v) : null;
    return v;
  }
  function axesOf(d) {
    var axes = d.parameters.filter(function (p) { return p.kind !== "constant"; }).map(function (p) {
      return { id: "p:" + p.name, label: p.name, param: p };
    });
    if (d.metric) axes.push({ id: METRIC, label: d.metric.name + " (" + (d.metric.goal === "maximize" ? "max" : "min") + ")" });
    return axes;
  }
  function inRange(v, cr) {
    if (v === null || v === undefined || !isFinite(v)) return false;
    var ranges = Array.isArray(cr[0]) ? cr : [cr];
    return ranges.some(function (r) { return v >= Math.min(r[0], r[1]) && v <= Math.max(r[0], r[1]); });
  }
  // what a filter compares: a trial's group, state, or a config value of its run ("config.<key>")
  function fieldValue(t, field) {
    if (field === "group") return t.group === null || t.group === undefined ? "(none)" : String(t.group);
    if (field === "state") return t.state;
    var v = (t.config || {})[field.slice(7)];
    return v === undefined ? "(unset)" : typeof v === "string" ? v : JSON.stringify(v);
  }
  // the brush of the URL, each range two finite numbers (anything else in a link is dropped)
  function cleanBrush(b, byId) {
    var out = {};
    if (!b || typeof b !== "object" || Array.isArray(b)) return out;
    var ok = function (r) { return Array.isArray(r) && r.length === 2 && r.every(function (x) { return typeof x === "number" && isFinite(x); }); };
    Object.keys(b).forEach(function (id) {
      var cr = b[id];
      if (!byId[id] || !Array.isArray(cr)) return;
      var list = (Array.isArray(cr[0]) ? cr : [cr]).filter(ok);
      if (list.length) out[id] = list.length === 1 ? list[0] : list;
    });
    return out;
  }
  // a brush range with 6 significant digits (a shorter URL)
  function rounded(cr) {
    var r4 = function (r) { return [+Number(r[0]).toPrecision(6), +Number(r[1]).toPrecision(6)].sort(function (a, b) { return a - b; }); };
    return Array.isArray(cr[0]) ? cr.map(r4) : r4(cr);
  }
  // about 5 round ticks over [lo, hi]
  function linTicks(lo, hi) {
    if (!(hi > lo)) return [[lo, MB.fmtNum(lo)]];
    var raw = (hi - lo) / 5, mag = Math.pow(10, Math.floor(Math.log10(raw))), norm = raw / mag;
    var step = (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * mag;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push([v, MB.fmtNum(+v.toPrecision(6))]);
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // The sweep page
  // ---------------------------------------------------------------------------------------------
  MB.registerView("sweep", function (app, crumbs, view) {
    var key = view.path[1] || "";
    var alive = true;
    var plots = []; // plotly elements to purge
    var section = h("section", { class: "sweep" }, h("p", { class: "loading", text: "Loading sweep…" }));
    app.appendChild(section);
    crumbs.appendChild(h("a", { href: "#/", text: "Runs" }));
    crumbs.appendChild(document.createTextNode(" / Sweep"));
    document.title = "Sweep — mediaboard";
    var last = null; // the data drawn, as JSON: a live change that leaves it alone draws nothing
    var parts = null;
    var pc = null; // the parallel coordinates drawn (MB.parcoords)

    function purge() {
      plots.forEach(function (p) { if (window.Plotly) window.Plotly.purge(p); });
      plots = [];
    }
    function show(d) {
      var json = JSON.stringify(d);
      if (json === last) return;
      last = json;
      d.key = key;
      if (!parts) {
        MB.clear(section);
        parts = { head: h("div"), filters: h("div", { class: "toolbar sweep-filters", role: "group", "aria-label": "Filters" }),
          par: h("div", { class: "sweep-par" }), table: h("div", { class: "sweep-table" }),
          side: h("div", { class: "sweep-importance" }), charts: h("div", { class: "sweep-charts" }) };
        section.appendChild(parts.head);
        section.appendChild(parts.filters);
        section.appendChild(h("h2", { text: "Parallel coordinates" }));
        section.appendChild(parts.par);
        section.appendChild(h("h2", { text: "Trials" }));
        section.appendChild(parts.table);
        section.appendChild(h("h2", { text: "Importance and correlation" }));
        section.appendChild(parts.side);
        section.appendChild(parts.charts);
      }
      page(d);
    }

    function page(d) {
      purge();
      document.title = MB.visible(d.name) + " — sweep — mediaboard";
      MB.clear(crumbs);
      crumbs.appendChild(h("a", { href: "#/", text: "Runs" }));
      crumbs.appendChild(h("span", null, " / ", h("span", { text: d.project }), " / sweep ", h("span", { text: d.name })));

      var axes = axesOf(d);
      var byId = {};
      axes.forEach(function (a) { byId[a.id] = a; });
      // ---- filters (group, any config value)
      var filters = jsonParam("f", []).filter(function (f) { return Array.isArray(f) && f.length === 2 && typeof f[0] === "string"; });
      var shown = d.trials.filter(function (t) {
        return filters.every(function (f) { return fieldValue(t, f[0]) === String(f[1]); });
      });

      // ---- brushing
      var brush = cleanBrush(jsonParam("br", {}), byId);
      var hidden = listParam("hide").filter(function (id) { return byId[id]; });
      var order = listParam("order").filter(function (id) { return byId[id]; });
      axes.forEach(function (a) { if (order.indexOf(a.id) < 0) order.push(a.id); });
      function brushed(t) {
        if (t.value === null || t.value === undefined) return false;
        return Object.keys(brush).every(function (id) { return inRange(axisValue(byId[id], t), brush[id]); });
      }
      var brushing = Object.keys(brush).length > 0;

      headPart(d);
      filterPart(d, filters);
      var table = tablePart(d, shown, brushing, brushed);
      var charts = chartsPart(d, shown, brushing, brushed);
      parPart(d, shown, axes, byId, order, hidden, brush, function (newBrush, newOrder) {
        brush = newBrush;
        if (newOrder) { order = newOrder; setList("order", order); }
        var keep = {};
        Object.keys(brush).forEach(function (id) {
          keep[id] = rounded(brush[id]);
        });
        MB.setParam("br", Object.keys(keep).length ? JSON.stringify(keep) : "");
        brushing = Object.keys(brush).length > 0;
        table.mark(brushing, brushed);
        charts.mark(brushing, brushed);
      });
      importancePart(d);
      document.body.setAttribute("data-ready", "sweep");
      section.setAttribute("data-trials", String(d.trials.length));
    }

    function headPart(d) {
      var c = d.counts || {};
      var states = ["finished", "running", "pruned", "failed", "no-metric"].filter(function (s) { return c[s]; })
        .map(function (s) { return c[s] + " " + STATE_TEXT[s]; }).join(" · ");
      var best = d.best;
      MB.clear(parts.head);
      parts.head.appendChild(h("header", { class: "run-head sweep-head" },
        h("h1", null, h("span", { class: "sweep-name", text: d.name }), " ", h("span", { class: "muted", text: "sweep " + d.id })),
        h("p", { class: "muted" }, "project ", h("b", { text: d.project }), " · method ", h("b", { text: d.method || "?" }),
          d.metric ? [" · ", d.metric.goal, " ", h("b", { text: d.metric.name })] : " · no metric",
          " · ", String(d.trials.length), " trials", d.run_cap ? " of at most " + d.run_cap : "", states ? " (" + states + ")" : ""),
        h("p", { class: "sweep-best", id: "sweep-best" }, best ? [
          "Best: ", best.run ? h("a", { href: MB.hashFor(["run", best.run]), text: best.name || best.run }) : h("span", { text: "trial " + best.number }),
          " · ", h("b", { text: d.metric.name + " = " + MB.fmtNum(best.value) }), h("span", { class: "muted", text: " (trial " + best.number + ")" })]
          : h("span", { class: "muted", text: d.metric ? "No trial has logged " + d.metric.name + " yet." : "The sweep has no metric, so no best run." })),
        d.problems && d.problems.length ? h("details", { class: "problem" }, h("summary", { text: "Problems reading this sweep (" + d.problems.length + ")" }),
          h("ul", null, d.problems.map(function (p) { return h("li", { text: p }); }))) : null));
    }

    function filterPart(d, filters) {
      var el = parts.filters;
      MB.clear(el);
      // fields: group, then each config key of the trials' runs
      var cfgKeys = {};
      d.trials.forEach(function (t) {
        Object.keys(t.config || {}).forEach(function (k) { cfgKeys["config." + k] = 1; });
      });
      var names = ["group", "state"].concat(Object.keys(cfgKeys).sort());
      var values = {};
      names.forEach(function (f) {
        var seen = {};
        d.trials.forEach(function (t) { seen[fieldValue(t, f)] = 1; });
        values[f] = Object.keys(seen).sort();
      });
      var fieldSel = h("select", { id: "sweep-filter-field", "aria-label": "Filter by" },
        names.map(function (f) { return h("option", { value: f, text: f }); }));
      var valueSel = h("select", { id: "sweep-filter-value", "aria-label": "Value" });
      function fillValues() {
        MB.clear(valueSel);
        (values[fieldSel.value] || []).forEach(function (v) { valueSel.appendChild(h("option", { value: v, text: v })); });
      }
      fieldSel.addEventListener("change", fillValues);
      var lastF = filters[filters.length - 1];
      if (lastF && names.indexOf(lastF[0]) >= 0) fieldSel.value = lastF[0];
      fillValues();
      if (lastF && fieldSel.value === lastF[0]) valueSel.value = String(lastF[1]);
      var add = h("button", { type: "button", id: "sweep-filter-add", text: "Add filter", onclick: function () {
        if (!valueSel.value && !valueSel.options.length) return;
        var next = filters.filter(function (f) { return f[0] !== fieldSel.value; }).concat([[fieldSel.value, valueSel.value]]);
        MB.setParam("f", JSON.stringify(next));
        redraw();
      } });
      el.appendChild(h("span", { class: "muted", text: "Filter" }));
      el.appendChild(fieldSel);
      el.appendChild(h("span", { class: "muted", text: "=" }));
      el.appendChild(valueSel);
      el.appendChild(add);
      filters.forEach(function (f, i) {
        el.appendChild(h("span", { class: "sweep-chip", "data-field": f[0] }, h("span", { text: f[0] + " = " + f[1] }),
          h("button", { type: "button", class: "sweep-chip-x", "aria-label": "Remove filter " + f[0], text: "×", onclick: function () {
            var next = filters.slice(); next.splice(i, 1);
            MB.setParam("f", next.length ? JSON.stringify(next) : "");
            redraw();
          } })));
      });
    }

    // ---- the trials table
    function tablePart(d, shown, brushing, brushed) {
      var el = parts.table;
      MB.clear(el);
      var params = d.parameters.filter(function (p) { return p.kind !== "constant"; });
      var cols = [["number", "#"], ["name", "Run"], ["state", "State"], ["status", "Run status"], ["group", "Group"]]
        .concat(params.map(function (p) { return ["p:" + p.name, p.name]; }))
        .concat([["value", metricLabel(d)], ["duration", "Duration"]]);
      var q = MB.view.q;
      var sortCol = q.get("sort") || "number", desc = q.get("desc") === "1";
      if (!cols.some(function (c) { return c[0] === sortCol; })) sortCol = "number";
      function cell(t, col) {
        if (col.indexOf("p:") === 0) return t.params[col.slice(2)];
        if (col === "name") return t.name || t.run_id;
        return t[col];
      }
      var rows = shown.slice().sort(function (a, b) {
        var x = cell(a, sortCol), y = cell(b, sortCol);
        if (x === y) return a.number - b.number;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        var c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
        return desc ? -c : c;
      });
      var info = h("span", { class: "muted", id: "sweep-brush-info" });
      var cmp = h("a", { id: "sweep-compare", class: "button", hidden: true, text: "Compare brushed", href: "#/compare" });
      var clearBrush = h("button", { type: "button", id: "sweep-brush-clear", hidden: true, text: "Clear brushing", onclick: function () {
        MB.setParam("br", ""); redraw();
      } });
      el.appendChild(h("div", { class: "toolbar" }, h("span", { class: "muted", text: shown.length + " of " + d.trials.length + " trials" }), info, cmp, clearBrush));
      var head = h("tr", null, cols.map(function (c) {
        var mark = c[0] === sortCol ? (desc ? " ▼" : " ▲") : "";
        return h("th", { scope: "col", "aria-sort": c[0] === sortCol ? (desc ? "descending" : "ascending") : null },
          h("button", { class: "sort", "data-col": c[0], text: c[1] + mark, onclick: function () {
            if (sortCol === c[0]) MB.setParam("desc", desc ? "" : "1"); else { MB.setParam("sort", c[0]); MB.setParam("desc", ""); }
            redraw();
          } }));
      }));
      // a table of thousands of rows takes seconds to lay out: the first ROWS in this order, and a
      // button for the rest (?rows=all); brushing counts and compares every trial either way
      var all = rows, cut = q.get("rows") === "all" ? all.length : Math.min(all.length, ROWS);
      rows = all.slice(0, cut);
      var trs = rows.map(function (t) {
        var best = d.best && d.best.number === t.number;
        var tr = h("tr", { "data-trial": t.number, "data-run": t.run || null, "data-state": t.state, class: best ? "best" : null });
        cols.forEach(function (c) {
          var v = cell(t, c[0]), td;
          if (c[0] === "name") {
            td = h("td", null, t.run ? h("a", { href: MB.hashFor(["run", t.run]), text: v || t.run }) : h("span", { class: "muted", text: v || "(no run)" }),
              best ? h("span", { class: "sweep-best-mark", title: "the best trial", text: " ★ best" }) : null);
          } else if (c[0] === "state") {
            var label = STATE_TEXT[t.state] || t.state;
            if (t.state === "pruned" && t.pruned_at !== null && t.pruned_at !== undefined) label += " at " + t.pruned_at;
            td = h("td", null, h("span", { class: "status trial-" + t.state, title: t.error || null, text: label }),
              t.error ? h("span", { class: "muted trial-error", text: " " + t.error }) : null);
          } else if (c[0] === "status") td = h("td", null, v ? h("span", { class: "status status-" + v, text: v }) : null);
          else if (c[0] === "duration") {
            // a trial still running: its duration ticks (app.js's tick(), data-tick-from)
            var ticking = (t.run ? t.status === "running" : t.state === "running") && typeof t.start_time === "number";
            td = h("td", { text: MB.fmtDuration(v), "data-tick-from": ticking ? t.start_time : null, class: ticking ? "ticking" : null });
          }
          else if (c[0] === "value") td = h("td", { class: "num metric", text: v === null || v === undefined ? "—" : MB.fmtNum(v) });
          else td = h("td", { class: typeof v === "number" ? "num" : null, text: fmt(v) });
          tr.appendChild(td);
        });
        return tr;
      });
      el.appendChild(h("div", { class: "table-wrap" }, h("table", { class: "runs sweep-trials", id: "sweep-trials" },
        h("thead", null, head), h("tbody", null, trs))));
      if (cut < all.length) {
        el.appendChild(h("p", { class: "muted sweep-more" }, "The first " + cut + " of " + all.length + " trials in this order. ",
          h("button", { type: "button", id: "sweep-all-rows", text: "Show all " + all.length, onclick: function () {
            MB.setParam("rows", "all"); redraw();
          } })));
      }
      function mark(on, pick) {
        var picked = [], count = 0;
        trs.forEach(function (tr, i) {
          var yes = on && pick(rows[i]);
          tr.classList.toggle("brushed", yes);
          tr.classList.toggle("dimmed", on && !yes);
        });
        all.forEach(function (t) {
          if (!on || !pick(t)) return;
          count++;
          if (t.run) picked.push(t.run);
        });
        info.textContent = on ? count + " brushed" : "";
        cmp.hidden = !(on && picked.length >= 1 && MB.views.compare);
        cmp.textContent = "Compare " + picked.length + " brushed";
        cmp.setAttribute("href", MB.hashFor(["compare"], new URLSearchParams({ runs: picked.join(",") })));
        clearBrush.hidden = !on;
        el.setAttribute("data-brushed", String(count));
      }
      mark(brushing, brushed);
      return { mark: mark };
    }

    // ---- parallel coordinates (static/parcoords.js: SVG, see there why not Plotly's WebGL parcoords)
    function parPart(d, shown, axes, byId, order, hidden, brush, changed) {
      var el = parts.par;
      MB.clear(el);
      pc = null;
      var scored = shown.filter(function (t) { return t.value !== null && t.value !== undefined; });
      el.appendChild(h("div", { class: "toolbar sweep-axes", role: "group", "aria-label": "Axes shown" },
        h("span", { class: "muted", text: "Axes" }),
        order.map(function (id) {
          var box = h("input", { type: "checkbox", checked: hidden.indexOf(id) < 0, "data-axis": id, onchange: function () {
            var next = listParam("hide").filter(function (x) { return x !== id && byId[x]; });
            if (!box.checked) next.push(id);
            setList("hide", next);
            redraw();
          } });
          return h("label", { class: "sweep-axis" }, box, " ", byId[id].label);
        }),
        h("span", { class: "muted", text: "drag along an axis to brush it (a click clears); drag an axis title sideways to move it" })));
      if (scored.length) el.appendChild(brushForm(axes, order, hidden, brush, changed));
      var plot = h("div", { class: "sweep-parcoords", id: "sweep-parcoords" });
      el.appendChild(plot);
      if (!scored.length) {
        MB.placeholder(plot, d.metric ? "No trial has a value of " + d.metric.name + " yet." : "The sweep has no metric: nothing to draw the lines by.");
        document.body.setAttribute("data-parcoords", "ready");
        return;
      }
      var visible = order.filter(function (id) { return hidden.indexOf(id) < 0; });
      var pcAxes = visible.map(function (id) {
        var ax = byId[id];
        var vals = scored.map(function (t) { return axisValue(ax, t); });
        var fin = vals.filter(function (v) { return v !== null && isFinite(v); });
        var lo = fin.length ? Math.min.apply(null, fin) : 0, hi = fin.length ? Math.max.apply(null, fin) : 1;
        var ticks;
        if (ax.param && ax.param.kind === "categorical") {
          lo = -0.5; hi = Math.max(0.5, ax.param.choices.length - 0.5);
          ticks = ax.param.choices.map(function (c, i) { return [i, c]; });
        } else if (ax.param && ax.param.log) {
          if (typeof ax.param.min === "number" && ax.param.min > 0) lo = Math.min(lo, Math.log10(ax.param.min));
          if (typeof ax.param.max === "number" && ax.param.max > 0) hi = Math.max(hi, Math.log10(ax.param.max));
          var lt = logTicks(lo, hi);
          ticks = lt.vals.map(function (v, i) { return [v, lt.text[i]]; });
        } else {
          if (ax.param && typeof ax.param.min === "number") lo = Math.min(lo, ax.param.min);
          if (ax.param && typeof ax.param.max === "number") hi = Math.max(hi, ax.param.max);
          ticks = linTicks(lo, hi);
        }
        if (hi === lo) { lo -= 0.5; hi += 0.5; }
        return { id: id, label: ax.label, values: vals, range: [lo, hi], ticks: ticks };
      });
      pc = MB.parcoords(plot, {
        axes: pcAxes, color: scored.map(function (t) { return t.value; }),
        colorTitle: metricLabel(d) + " (bright = better)", reverse: !d.metric || d.metric.goal !== "maximize",
        brush: brush, lineIds: scored.map(function (t) { return t.number; }),
        onBrush: function (b) { changed(b, null); },
        onOrder: function (vis) {
          // the hidden axes keep their place after the visible axis they followed
          var full = vis.slice();
          order.forEach(function (id, i) {
            if (full.indexOf(id) >= 0) return;
            var before = order.slice(0, i).reverse().filter(function (x) { return full.indexOf(x) >= 0; })[0];
            full.splice(before === undefined ? 0 : full.indexOf(before) + 1, 0, id);
          });
          order = full;
          changed(brush, full);
        },
      });
      plot.appendChild(h("p", { class: "muted sweep-par-note", text: scored.length + " trials with a value of " + metricLabel(d) +
        " (bright = better)" + (scored.length < shown.length ? "; " + (shown.length - scored.length) + " without one " +
        (shown.length - scored.length === 1 ? "is" : "are") + " in the table only" : "") }));
      document.body.setAttribute("data-parcoords", "ready");
    }

    // ---- the brush as a form (keyboard, exact values): from/to in the parameter's own units for a
    // numeric axis (a log axis converts), a box per value for a categorical one
    function brushForm(axes, order, hidden, brush, changed) {
      var byId = {};
      axes.forEach(function (a) { byId[a.id] = a; });
      var rows = order.filter(function (id) { return hidden.indexOf(id) < 0; }).map(function (id) {
        var ax = byId[id], cr = brush[id] ? (Array.isArray(brush[id][0]) ? brush[id] : [brush[id]]) : [];
        var set = function (ranges) {
          var next = {};
          Object.keys(brush).forEach(function (k) { if (k !== id) next[k] = brush[k]; });
          if (ranges.length) next[id] = ranges.length === 1 ? ranges[0] : ranges;
          changed(next, null);
          redraw();
        };
        if (ax.param && ax.param.kind === "categorical") {
          var picked = ax.param.choices.map(function (_, i) { return cr.some(function (r) { return i >= Math.min(r[0], r[1]) && i <= Math.max(r[0], r[1]); }); });
          return h("div", { class: "sweep-brush-row", "data-axis": id }, h("span", { class: "sweep-brush-name", text: ax.label }),
            ax.param.choices.map(function (c, i) {
              var box = h("input", { type: "checkbox", checked: picked[i], "data-choice": i, onchange: function () {
                picked[i] = box.checked;
                set(picked.map(function (yes, j) { return yes ? [j - 0.25, j + 0.25] : null; }).filter(Boolean));
              } });
              return h("label", null, box, " ", h("span", { text: c }));
            }));
        }
        var log = ax.param && ax.param.log;
        // an open end is kept as ±1e300 (JSON has no infinity) and shown empty
        var shownVal = function (v) { return v === undefined || Math.abs(v) >= 1e299 ? "" : String(+(log ? Math.pow(10, v) : v).toPrecision(6)); };
        var lo = h("input", { type: "number", step: "any", "aria-label": ax.label + " from", "data-end": "from", value: cr.length ? shownVal(Math.min(cr[0][0], cr[0][1])) : "" });
        var hi = h("input", { type: "number", step: "any", "aria-label": ax.label + " to", "data-end": "to", value: cr.length ? shownVal(Math.max(cr[0][0], cr[0][1])) : "" });
        var apply = function () {
          var a = lo.value === "" || Number(lo.value) <= -1e299 ? -Infinity : Number(lo.value);
          var b = hi.value === "" || Number(hi.value) >= 1e299 ? Infinity : Number(hi.value);
          if (isNaN(a) || isNaN(b) || (a === -Infinity && b === Infinity)) { set([]); return; }
          var conv = function (v) { return !isFinite(v) ? (v < 0 ? -1e300 : 1e300) : log ? (v > 0 ? Math.log10(v) : -1e300) : v; };
          set([[conv(Math.min(a, b)), conv(Math.max(a, b))]]);
        };
        lo.addEventListener("change", apply);
        hi.addEventListener("change", apply);
        return h("div", { class: "sweep-brush-row", "data-axis": id }, h("span", { class: "sweep-brush-name", text: ax.label }),
          h("label", null, "from ", lo), h("label", null, "to ", hi));
      });
      return h("details", { class: "sweep-brush-form", open: MB.view.q.get("bf") === "1",
        on: { toggle: function (e) { MB.setParam("bf", e.target.open ? "1" : ""); } } },
        h("summary", { text: "Brush by values" }), rows);
    }

    // ---- importance and correlation
    function importancePart(d) {
      var el = parts.side;
      MB.clear(el);
      var imp = d.importance || {}, corr = (d.correlation || {}).values || {}, methods = (d.correlation || {}).methods || {};
      var params = d.parameters.filter(function (p) { return p.kind !== "constant"; });
      var impVals = imp.values || {};
      var order = params.slice().sort(function (a, b) { return (impVals[b.name] || 0) - (impVals[a.name] || 0); });
      var note = imp.values ? h("p", { class: "muted", id: "sweep-importance-method" }, "Importance: ", h("b", { text: imp.method }),
        " over the trials with a value of ", metricLabel(d), " (shares add up to 1).")
        : h("p", { class: "placeholder", id: "sweep-importance-method" }, "Importance is unavailable: ", h("span", { text: imp.error || "not computed" }),
          imp.method ? [" (", h("span", { text: imp.method }), ")"] : null);
      var rows = order.map(function (p) {
        var share = impVals[p.name], c = corr[p.name] || {};
        var r = c.value;
        var impCell = typeof share === "number" ? h("div", { class: "bar-cell" },
          h("span", { class: "bar imp", style: { width: Math.max(1, Math.round(share * 100)) + "%" } }),
          h("span", { class: "bar-text", text: (share * 100).toFixed(1) + " %" })) : h("span", { class: "muted", text: "—" });
        var corrCell = typeof r === "number" ? h("div", { class: "bar-cell corr", title: methods[c.method] || "" },
          h("span", { class: "bar " + (c.method === "eta" ? "eta" : r >= 0 ? "pos" : "neg"),
            style: c.method === "eta" ? { left: "50%", width: Math.round(r * 50) + "%" }
              : r >= 0 ? { left: "50%", width: Math.round(r * 50) + "%" } : { left: (50 + r * 50) + "%", width: Math.round(-r * 50) + "%" } }),
          h("span", { class: "bar-text", text: (c.method === "eta" ? "η " : "r ") + (r >= 0 && c.method !== "eta" ? "+" : "") + r.toFixed(2) }))
          : h("span", { class: "muted", text: "—" });
        return h("tr", { "data-param": p.name }, h("th", { scope: "row", text: p.name }),
          h("td", { class: "muted", text: p.kind === "categorical" ? "categorical" : p.log ? "numeric, log" : "numeric" }),
          h("td", { class: "imp-cell" }, impCell), h("td", { class: "corr-cell" }, corrCell));
      });
      var fixed = d.parameters.filter(function (p) { return p.kind === "constant"; });
      el.appendChild(note);
      el.appendChild(h("table", { class: "kv sweep-imp", id: "sweep-importance" },
        h("thead", null, h("tr", null, h("th", { scope: "col", text: "parameter" }), h("th", { scope: "col", text: "kind" }),
          h("th", { scope: "col", text: "importance" }), h("th", { scope: "col", text: "correlation with " + metricLabel(d) }))),
        h("tbody", null, rows)));
      el.appendChild(h("p", { class: "muted", id: "sweep-corr-method" }, "Correlation: ", h("b", { text: methods.pearson || "Pearson's r" }),
        " for numeric parameters; ", h("b", { text: methods.eta || "η" }), " for categorical ones. Over all trials with a value, not only those filtered."));
      if (fixed.length) el.appendChild(h("p", { class: "muted" }, "Fixed: ", fixed.map(function (p, i) {
        return [i ? ", " : "", h("span", { text: p.name + " = " + fmt(p.value) })];
      })));
    }

    // ---- the metric against each parameter, and over trial numbers with the running best
    function chartsPart(d, shown, brushing, brushed) {
      var el = parts.charts;
      MB.clear(el);
      var figs = [];
      if (!d.metric) return { mark: function () {} };
      var scored = shown.filter(function (t) { return t.value !== null && t.value !== undefined; });
      var params = d.parameters.filter(function (p) { return p.kind !== "constant"; });
      el.appendChild(h("h2", { text: d.metric.name + " over trials" }));
      var over = h("div", { class: "chart sweep-over", id: "sweep-over" });
      el.appendChild(h("figure", { class: "chart-fig" }, over));
      el.appendChild(h("h2", { text: d.metric.name + " against each parameter" }));
      var grid = h("div", { class: "chart-grid sweep-scatter" });
      el.appendChild(grid);
      params.forEach(function (p) {
        var div = h("div", { class: "chart", "data-param": p.name });
        grid.appendChild(h("figure", { class: "chart-fig" }, div));
        figs.push({ el: div, p: p });
      });
      var font = { family: "system-ui, sans-serif", size: 11, color: "#1d2433" };
      // axis titles have room for about 30 characters (the whole name is in the section's heading)
      var short = function (s, n) { s = String(s); n = n || 30; return ptext(s.length > n ? s.slice(0, n - 1) + "…" : s); };
      function colors(pick) {
        return scored.map(function (t) { return !brushing ? "#2458d3" : pick(t) ? "#e4572e" : "rgba(120,130,150,0.35)"; });
      }
      function hover(t) { return ptext((t.name || t.run_id || "trial " + t.number) + " · trial " + t.number); }
      var seq = 0;
      // each chart is drawn in its own task (MB.heavy), so a sweep of thousands of trials keeps
      // the page answering; a later draw (a new brush) drops what an earlier one had left to do
      function draw(pick) {
        if (!alive || !window.Plotly) return;
        var mine = ++seq;
        var cs = colors(pick);
        var later = function (fn) { MB.heavy(function () { if (alive && mine === seq && fn.el.isConnected) fn(); }); };
        // over trials: every value shown, and the running best among them
        var rb = [], so = null, maximize = d.metric.goal === "maximize";
        scored.slice().sort(function (a, b) { return a.number - b.number; }).forEach(function (t) {
          if (so === null || (maximize ? t.value > so : t.value < so)) so = t.value;
          rb.push([t.number, t.value, so]);
        });
        var drawOver = function () { window.Plotly.react(over, [
          { x: scored.map(function (t) { return t.number; }), y: scored.map(function (t) { return t.value; }), mode: "markers",
            name: short(d.metric.name), marker: { color: cs, size: 7 }, text: scored.map(hover), hoverinfo: "x+y+text" },
          { x: rb.map(function (r) { return r[0]; }), y: rb.map(function (r) { return r[2]; }), mode: "lines", line: { shape: "hv", color: "#1a7f37", width: 2 },
            name: "running best", hoverinfo: "x+y" },
        ], { height: 260, margin: { l: 56, r: 12, t: 12, b: 40 }, font: font, showlegend: true,
          legend: { orientation: "h", x: 0, y: 1.12 }, xaxis: { title: { text: "trial" }, zeroline: false,
            dtick: Math.max(1, Math.ceil(d.trials.length / 12)), tick0: 0 }, yaxis: { title: { text: short(d.metric.name) } } },
        { responsive: true, displaylogo: false }); };
        drawOver.el = over;
        later(drawOver);
        figs.forEach(function (f) {
          var one = function () { drawFig(f); };
          one.el = f.el;
          later(one);
        });
        function drawFig(f) {
          var p = f.p;
          var xs = scored.map(function (t) { var v = t.params[p.name]; return v === undefined ? null : p.kind === "categorical" ? ptext(typeof v === "string" ? v : JSON.stringify(v)) : v; });
          window.Plotly.react(f.el, [{ x: xs, y: scored.map(function (t) { return t.value; }), mode: "markers", type: "scatter",
            marker: { color: cs, size: 7 }, text: scored.map(hover), hoverinfo: "x+y+text" }],
          { height: 220, margin: { l: 56, r: 12, t: 28, b: 40 }, font: font, title: { text: short(p.name), font: { size: 12 } },
            xaxis: { type: p.kind === "categorical" ? "category" : p.log ? "log" : "linear", title: { text: short(p.name) }, zeroline: false,
              automargin: true },
            yaxis: { title: { text: short(d.metric.name, 20) } } },
          { responsive: true, displaylogo: false });
          f.el.setAttribute("data-points", String(scored.length));
        }
      }
      var pending = null;
      MB.need("plotly").then(function () {
        if (!alive) return;
        plots.push(over);
        figs.forEach(function (f) { plots.push(f.el); });
        draw(brushed);
      }).catch(function (err) { MB.placeholder(el, "Charts unavailable: " + err.message); });
      return {
        mark: function (on, pick) {
          brushing = on;
          if (pending) cancelAnimationFrame(pending);
          pending = requestAnimationFrame(function () { pending = null; draw(pick); });
        },
      };
    }

    function redraw() {
      var d = MB.store.sweeps[key];
      if (!d) return;
      last = null;
      show(d);
    }

    loadSweep(key).then(show).catch(function (err) {
      MB.clear(section);
      MB.placeholder(section, "Could not load sweep " + key + ": " + err.message);
      document.body.setAttribute("data-ready", "error");
    });
    // live: new data is drawn once no axis is being dragged
    function follow(d) {
      if (!alive) return;
      if (pc && pc.busy()) { setTimeout(function () { follow(MB.store.sweeps[key] || d); }, 200); return; }
      show(d);
    }
    var stop = MB.onLive(function () {
      loadSweep(key).then(follow).catch(function () { /* the next change tries again */ });
    });
    // the parallel coordinates are laid out for the width they had: a new width draws the page again
    var width = window.innerWidth, resizing = 0;
    function resized() {
      clearTimeout(resizing);
      resizing = setTimeout(function () {
        if (!alive || window.innerWidth === width || (pc && pc.busy())) return;
        width = window.innerWidth;
        redraw();
      }, 250);
    }
    window.addEventListener("resize", resized);
    return {
      destroy: function () {
        alive = false;
        window.removeEventListener("resize", resized);
        clearTimeout(resizing);
        stop();
        purge();
      },
    };
  });
})();
