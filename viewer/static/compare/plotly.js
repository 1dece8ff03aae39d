/* Plotly figures on the compare page (MB.compareModes.plotly; the hook is described at the top of
   compare.js): "Overlaid traces" draws the traces of every column's figure on one set of axes,
   so a precision-recall curve, a calibration plot or a bar chart of per-class scores of two runs
   (or two steps of one run) can be read against each other. Matplotlib figures arrive converted
   to Plotly and are overlaid the same way.
   - every trace takes its column's colour; the traces of one figure are told apart by dash
     (lines) and marker symbol; a filled area keeps its transparency (at most 0.35); legend entries are "<column> · <trace name>", grouped by column
     (a click on one hides it, a double click shows that one alone: plotly's legend)
   - the axes, titles and axis types are the first column's figure's; the overlay says so
   - only 2-D cartesian traces overlay (scatter, scattergl, bar, histogram, box, violin); a figure
     with any other trace (heatmap, pie, 3-D, …) keeps the row side by side with the note
   Test hooks: .cmp-plotly-overlay[data-traces][data-columns], .cmp-plotly-plot (the plot div).
   Every user string goes to plotly through MB.ptext (plotly renders names as HTML). */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB) return;
  var h = MB.h;
  var OVERLAY = { scatter: 1, scattergl: 1, bar: 1, histogram: 1, box: 1, violin: 1 };
  var DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"];
  var SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "cross"];

  function figureOf(stub) {
    var f = MB.inlined(stub);
    return f && Array.isArray(f.data) && f.data.length ? f : null;
  }
  function overlayable(stub) {
    var f = figureOf(stub);
    return !!f && f.data.every(function (t) { return t && typeof t === "object" && OVERLAY[t.type || "scatter"] === 1; });
  }
  function copy(v) { return JSON.parse(JSON.stringify(v)); }
  // a filled area keeps its own transparency (at most FILL_ALPHA) in the column's colour
  var FILL_ALPHA = 0.35;
  function fillOf(color, original) {
    var m = /rgba\(\s*[\d.]+\s*,\s*[\d.]+\s*,\s*[\d.]+\s*,\s*([\d.]+)\s*\)/.exec(String(original || ""));
    var a = Math.min(FILL_ALPHA, m ? Number(m[1]) : 0.25);
    var n = parseInt(String(color).slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + a + ")";
  }

  function render(ctx) {
    var root = ctx.root;
    var data = [], columns = 0;
    ctx.cells.forEach(function (c, i) {
      var f = figureOf(c.stub);
      if (!f) return;
      columns++;
      var col = c.run.label + (c.run.pin !== null && c.run.pin !== undefined ? "" : " (step " + c.step + ")");
      f.data.forEach(function (t0, k) {
        var t = copy(t0);
        var type = t.type || "scatter";
        t.name = MB.ptext(col + " · " + (t0.name !== undefined && t0.name !== null && t0.name !== "" ? String(t0.name) : "trace " + (k + 1)));
        t.legendgroup = "col" + i;
        t.showlegend = true;
        if (type === "scatter" || type === "scattergl") {
          t.line = Object.assign({}, t.line || {}, { color: c.run.color, dash: DASHES[k % DASHES.length] });
          t.marker = Object.assign({}, t.marker || {}, { color: c.run.color, symbol: SYMBOLS[k % SYMBOLS.length] });
          delete t.marker.colorscale; delete t.marker.showscale;
          if (t.fill && t.fill !== "none") t.fillcolor = fillOf(c.run.color, t0.fillcolor);
        } else {
          t.marker = Object.assign({}, t.marker || {}, { color: c.run.color });
          delete t.marker.colorscale; delete t.marker.showscale;
          if (type === "bar" || type === "histogram") t.opacity = t.opacity === undefined ? 0.65 : t.opacity;
          if (type === "box" || type === "violin") t.line = Object.assign({}, t.line || {}, { color: c.run.color });
        }
        data.push(t);
      });
    });
    var first = figureOf(ctx.cells[0].stub) || { layout: {} };
    var layout = copy(first.layout || {});
    delete layout.width;
    layout.autosize = true;
    layout.height = layout.height || 440;
    layout.showlegend = true;
    layout.legend = Object.assign({}, layout.legend || {}, { groupclick: "toggleitem" });
    if (data.some(function (t) { return t.type === "bar" || t.type === "histogram"; }) && !layout.barmode) layout.barmode = "group";
    var box = h("div", { class: "cmp-plotly-overlay", "data-traces": data.length, "data-columns": columns });
    var plot = h("div", { class: "cmp-plotly-plot", role: "img", "aria-label": "traces of " + ctx.key + " of every column, overlaid" });
    box.appendChild(plot);
    box.appendChild(h("p", { class: "muted cmp-plotly-note", text: "Each column's traces in its colour (a figure's own traces told apart by dash and marker); axes and titles from " +
      ctx.cells[0].run.label + "'s figure. Click a legend entry to hide it, double-click to show it alone." }));
    root.appendChild(box);
    var alive = true;
    MB.need("plotly").then(function () {
      if (!alive || !ctx.alive()) return;
      return window.Plotly.newPlot(plot, data, layout, { responsive: true, displaylogo: false });
    }).catch(function (e) {
      MB.clear(plot);
      MB.placeholder(plot, "plotly could not draw the overlay: " + (e && e.message || e));
    });
    return function () {
      alive = false;
      if (window.Plotly) window.Plotly.purge(plot);
    };
  }

  MB.compareModes.plotly = {
    modes: [["overlay", "Overlaid traces"], ["side", "Side by side"]],
    minCols: 2,
    maxCols: 10,
    note: "shown side by side: overlaid traces need a figure of 2-D traces (scatter, bar, histogram, box, violin) from each column at this step, with its data in the site",
    ready: function (mode, stubs) { return stubs.every(overlayable); },
    render: render,
  };
})();
