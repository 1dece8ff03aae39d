/* Histograms on the compare page (MB.compareModes.histogram; the hook is described at the top of
   compare.js): every column's histogram at the cursor overlaid on one canvas, or side by side.
   Every user string goes in as text. */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB) return;
  var h = MB.h;
  var swatch = MB.swatch;

  // every column's histogram at the cursor on one canvas (MB.R.histCanvas, the run page's
  // histogram drawing); the legend's buttons hide or show a column (kept while the row lives)
  function histOverlay(ctx) {
    var hidden = ctx.memo.hidden || (ctx.memo.hidden = {});
    var series = [];
    ctx.cells.forEach(function (c) {
      var s = c.stub;
      if (!s || s._type !== "histogram" || !Array.isArray(s.bins) || !Array.isArray(s.values) || s.bins.length !== s.values.length + 1) return;
      series.push({ bins: s.bins, values: s.values, color: c.run.color, col: c.run.col, hidden: !!hidden[c.run.col],
        name: c.run.label + " (step " + c.step + ")" });
    });
    var plot = h("div", { class: "cmp-hist" });
    var legend = h("div", { class: "cmp-hist-legend", role: "group", "aria-label": "columns in the overlay (click to hide or show)" });
    ctx.root.appendChild(plot);
    ctx.root.appendChild(legend);
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
      canvas.setAttribute("aria-label", "histograms of " + ctx.key + " overlaid: " +
        (series.filter(function (s) { return !s.hidden; }).map(function (s) { return s.name; }).join(", ") || "none shown"));
      buttons.forEach(function (b, i) { b.setAttribute("aria-pressed", String(!series[i].hidden)); });
    }
    draw();
  }

  MB.compareModes.histogram = {
    modes: [["overlay", "Overlaid"], ["side", "Side by side"]],
    minCols: 1,
    note: "no histogram to overlay at this step",
    // overlaid as soon as one column has a histogram at this step
    usable: function (mode, entries) {
      return entries.some(function (e) { return e && e.stub && e.stub._type === "histogram"; });
    },
    render: histOverlay,
  };
})();
