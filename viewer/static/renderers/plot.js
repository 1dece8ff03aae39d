/* Charts of a table (media.plot.*, media.plot_table; docs/kinds/plot.md), drawn with plotly.js
 * from the stub's chart, fields and table (inlined by the build): lines, points, bars, a
 * histogram, several lines; PR/ROC curves one trace per class with its AUC in the legend; the
 * confusion matrix as an annotated heat map. A custom Vega spec shows its table and a note.
 * R.plotFigure(stub) -> {data, layout} is also the compare page's overlay. User text reaches
 * plotly only through MB.ptext. Test hook: figure.mb-plot-chart[data-chart] .mb-plot. */
(function () {
  "use strict";
  var MB = window.MB, R = MB.R, T = MB.ptext;
  var CONFIG = { responsive: true, displaylogo: false };

  function tableOf(stub) {
    var t = stub && stub.table && MB.inlined(stub.table);
    return t && Array.isArray(t.columns) && Array.isArray(t.data) ? t : null;
  }
  function text(v) { return typeof v === "string" ? T(v) : v; }
  // a long class name as an axis tick (the hover keeps it whole)
  function short(s) { return T(s.length > 20 ? s.slice(0, 19) + "\u2026" : s); }
  // rows grouped by a key column, in first-seen order: [{key, x: [], y: []}]
  function groups(keys, xs, ys) {
    var out = [], at = {};
    keys.forEach(function (k, i) {
      k = String(k);
      if (!Object.prototype.hasOwnProperty.call(at, k)) { at[k] = out.length; out.push({ key: k, x: [], y: [] }); }
      out[at[k]].x.push(xs[i]); out[at[k]].y.push(ys[i]);
    });
    return out;
  }
  function trapezoid(g) {
    var p = g.x.map(function (x, i) { return [x, g.y[i]]; }).sort(function (a, b) { return a[0] - b[0]; }), s = 0;
    for (var i = 1; i < p.length; i++) s += (p[i][0] - p[i - 1][0]) * (p[i][1] + p[i - 1][1]) / 2;
    return s;
  }

  R.plotFigure = function (stub) {
    var t = tableOf(stub);
    if (!t) return null;
    var f = stub.fields || {}, sf = stub.string_fields || {}, chart = stub.chart, data = [];
    function c(name) { var j = t.columns.indexOf(f[name]); return j < 0 ? null : t.data.map(function (r) { return r[j]; }); }
    var need = { line: ["x", "y"], scatter: ["x", "y"], bar: ["label", "value"], histogram: ["value"],
      line_series: ["step", "lineKey", "lineVal"], curve: ["x", "y", "class"], pr_curve: ["x", "y", "class"],
      roc_curve: ["x", "y", "class"], confusion_matrix: ["Actual", "Predicted", "nPredictions"] }[chart];
    if (!need || need.some(function (n) { return !c(n); })) return null;
    var xt = f.x || "", yt = f.y || "", layout = {};
    if (chart === "line" || chart === "scatter") {
      var gs = f.stroke && c("stroke") ? groups(c("stroke"), c("x"), c("y")) : [{ key: f.y, x: c("x"), y: c("y") }];
      gs.forEach(function (g) {
        data.push({ type: "scatter", mode: chart === "line" ? "lines" : "markers", name: T(g.key), x: g.x.map(text), y: g.y });
      });
    } else if (chart === "bar") {
      data.push({ type: "bar", name: T(f.value), x: c("label").map(text), y: c("value") });
      xt = f.label; yt = f.value;
    } else if (chart === "histogram") {
      data.push({ type: "histogram", name: T(f.value), x: c("value") });
      xt = f.value; yt = "count";
    } else if (chart === "line_series") {
      groups(c("lineKey"), c("step"), c("lineVal")).forEach(function (g) {
        data.push({ type: "scatter", mode: "lines", name: T(g.key), x: g.x, y: g.y });
      });
      xt = sf.xname || "x"; yt = "";
    } else if (chart === "confusion_matrix") {
      var act = c("Actual").map(String), pred = c("Predicted").map(String), n = c("nPredictions");
      var names = Array.isArray(stub.class_names) ? stub.class_names.map(String) : act.concat(pred).filter(function (v, i, a) { return a.indexOf(v) === i; });
      var z = names.map(function () { return names.map(function () { return 0; }); });
      act.forEach(function (a, i) {
        var r = names.indexOf(a), k = names.indexOf(pred[i]);
        if (r >= 0 && k >= 0) z[r][k] += Number(n[i]) || 0;
      });
      var full = names.map(T), ticks = { type: "category", tickvals: full, ticktext: names.map(short) };
      data.push({ type: "heatmap", x: full, y: full, z: z, colorscale: "Blues", reversescale: true, texttemplate: "%{z}",
        hovertemplate: "actual %{y}<br>predicted %{x}<br>%{z}<extra></extra>", colorbar: { thickness: 12 } });
      xt = "Predicted"; yt = "Actual";
      layout.yaxis = Object.assign({ autorange: "reversed" }, ticks);
      layout.xaxis = ticks;
    } else {
      var auc = stub.auc || {};
      groups(c("class"), c("x"), c("y")).forEach(function (g) {
        var v = typeof auc[g.key] === "number" ? auc[g.key] : trapezoid(g);
        data.push({ type: "scatter", mode: "lines", name: T(g.key) + " (AUC " + R.num(v, 3) + ")", x: g.x, y: g.y,
          meta: { cls: g.key, auc: v } });
      });
      if (chart === "roc_curve") data.push({ type: "scatter", mode: "lines", name: "chance", x: [0, 1], y: [0, 1],
        meta: { chance: true }, hoverinfo: "skip", line: { dash: "dot", color: "#999", width: 1 } });
      xt = sf["x-axis-title"] || xt; yt = sf["y-axis-title"] || yt;
      if (chart !== "curve") { layout.xaxis = { range: [-0.02, 1.02] }; layout.yaxis = { range: [-0.02, 1.05] }; }
    }
    layout.xaxis = Object.assign({ title: { text: T(xt) }, automargin: true }, layout.xaxis);
    layout.yaxis = Object.assign({ title: { text: T(yt) }, automargin: true }, layout.yaxis);
    Object.assign(layout, { title: { text: T(stub.title || "") }, autosize: true, height: 400,
      margin: { l: 60, r: 20, t: stub.title ? 40 : 16, b: 50 }, legend: { orientation: "h", x: 0, y: -0.18, yanchor: "top" }, showlegend: data.length > 1 || chart !== "histogram" && chart !== "bar" && chart !== "confusion_matrix",
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)" });
    if (chart === "confusion_matrix") layout.height = Math.max(380, 120 + 28 * data[0].y.length);
    else if (layout.showlegend) layout.height += 22 * Math.min(6, data.length);
    return { data: data, layout: layout };
  };

  function render(el, stub, ctx) {
    var t = tableOf(stub);
    if (!t) { R.placeholder(el, "chart: its table file is missing or not inlined", ctx); return; }
    var box = R.el("figure", { class: "mb-plot-chart", "data-chart": String(stub.chart) });
    el.appendChild(box);
    if (stub.chart === "vega") {
      box.appendChild(R.el("p", { class: "mb-note", text: "custom Vega spec " + String(stub.spec) + " is not drawn; its table:" }));
      var sub = R.el("div");
      box.appendChild(sub);
      MB.render(sub, stub.table, ctx);
      return;
    }
    var fig = R.plotFigure(stub);
    if (!fig) { R.placeholder(box, "chart " + String(stub.chart) + ": the table lacks the columns its fields name", ctx); return; }
    var plot = R.el("div", { class: "mb-plot" });
    box.appendChild(plot);
    box.appendChild(R.meta([["chart", stub.chart], ["rows", t.data.length], stub.spec ? ["spec", stub.spec] : null]));
    R.need("plotly", "Plotly").then(function () { return Plotly.newPlot(plot, fig.data, fig.layout, CONFIG); }).catch(function (e) {
      R.clear(plot);
      R.placeholder(plot, "plotly could not draw this chart: " + (e && e.message || e), ctx);
    });
  }

  function destroy(el) {
    var p = el.querySelector(".mb-plot");
    if (p && typeof Plotly !== "undefined") Plotly.purge(p);
  }

  R.register("plot", { render: render, destroy: destroy });
})();
