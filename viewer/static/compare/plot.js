/* Charts of tables on the compare page (MB.compareModes.plot; the hook is at the top of
   compare.js): "Overlaid" draws the same chart of every column on one set of axes (each column's
   traces in its colour, a column's classes or lines told apart by dash), e.g. two runs' PR
   curves; confusion matrices side by side, or "Difference": the second column minus the first,
   per cell. Figures come from MB.R.plotFigure (renderers/plot.js); user text is already escaped
   there. Test hooks: .cmp-plot[data-mode][data-traces] .cmp-plot-plot (the plot div). */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB) return;
  var h = MB.h;
  var DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"];
  function isPlot(e) { return e && e.stub && e.stub._type === "plot"; }
  function overlaid(e) { return isPlot(e) && e.stub.chart !== "confusion_matrix" && e.stub.chart !== "vega"; }
  function colName(c) { return c.run.label + (c.run.pin !== null && c.run.pin !== undefined ? "" : " (step " + c.step + ")"); }

  function overlay(ctx) {
    var data = [], first = null;
    ctx.cells.forEach(function (c, i) {
      var fig = isPlot(c) ? MB.R.plotFigure(c.stub) : null;
      if (!fig) return;
      first = first || fig;
      fig.data.forEach(function (t, k) {
        if (t.meta && t.meta.chance) { if (fig === first) data.push(t); return; }
        t.name = MB.ptext(colName(c)) + " · " + t.name;
        t.legendgroup = "col" + i;
        t.showlegend = true;
        if (t.type === "scatter") {
          t.line = Object.assign({}, t.line, { color: c.run.color, dash: DASHES[k % DASHES.length] });
          t.marker = { color: c.run.color };
        } else { t.marker = { color: c.run.color }; t.opacity = 0.65; }
        data.push(t);
      });
    });
    var layout = first.layout;
    layout.showlegend = true;
    layout.legend = {};  // the compare row is wide: the legend at the right
    layout.barmode = data.some(function (t) { return t.type === "histogram"; }) ? "overlay" : "group";
    return { data: data, layout: layout };
  }

  function difference(ctx) {
    var figs = ctx.cells.filter(isPlot).map(function (c) { return MB.R.plotFigure(c.stub); });
    var a = figs[0].data[0], b = figs[1].data[0];
    var names = b.x.concat(a.x).filter(function (v, i, l) { return l.indexOf(v) === i; });
    function at(t, r, k) { var i = t.y.indexOf(r), j = t.x.indexOf(k); return i < 0 || j < 0 ? 0 : t.z[i][j]; }
    var z = names.map(function (r) { return names.map(function (k) { return at(b, r, k) - at(a, r, k); }); });
    var top = Math.max(1, Math.max.apply(null, z.map(function (row) { return Math.max.apply(null, row.map(Math.abs)); })));
    var layout = figs[1].layout;
    layout.title = { text: MB.ptext(colName(ctx.cells[1]) + " − " + colName(ctx.cells[0])) };
    layout.margin.t = 40;
    return { data: [{ type: "heatmap", x: names, y: names, z: z, zmin: -top, zmax: top, colorscale: "RdBu", reversescale: true,
      texttemplate: "%{z}", hovertemplate: "actual %{y}<br>predicted %{x}<br>change %{z}<extra></extra>", colorbar: { thickness: 12 } }],
      layout: layout };
  }

  MB.compareModes.plot = {
    modes: [["overlay", "Overlaid"], ["side", "Side by side"], ["diff", "Difference"]],
    note: "Overlaid: line-like charts (not confusion matrices or custom Vega specs); Difference: two confusion matrices",
    usable: function (mode, entries) {
      var got = entries.filter(isPlot);
      if (mode === "diff") return got.length === 2 && entries.length === 2 && got.every(function (e) { return e.stub.chart === "confusion_matrix" && MB.R.plotFigure(e.stub); });
      return got.length > 0 && got.every(function (e) { return overlaid(e) && e.stub.chart === got[0].stub.chart && MB.R.plotFigure(e.stub); });
    },
    render: function (ctx) {
      var fig = ctx.mode === "diff" ? difference(ctx) : overlay(ctx);
      var box = h("div", { class: "cmp-plot", "data-mode": ctx.mode, "data-traces": fig.data.length });
      var plot = h("div", { class: "cmp-plot-plot", role: "img", "aria-label": ctx.key + " of every column, " + (ctx.mode === "diff" ? "their difference" : "overlaid") });
      box.appendChild(plot);
      ctx.root.appendChild(box);
      MB.R.need("plotly", "Plotly").then(function () {
        if (ctx.alive()) return Plotly.newPlot(plot, fig.data, fig.layout, { responsive: true, displaylogo: false });
      });
      return function () { if (typeof Plotly !== "undefined") Plotly.purge(plot); };
    },
  };
})();
