/* Plotly figures (matplotlib figures arrive here converted): Plotly.newPlot with the figure's
 * data, layout and frames, sized to the panel. */
(function () {
  "use strict";
  var MB = window.MB;
  var R = MB.R;

  function render(el, stub, ctx) {
    var figure = R.json(ctx, stub && stub.path);
    if (!figure || !Array.isArray(figure.data)) {
      R.placeholder(el, "plotly figure file missing or not inlined: " + (stub && stub.path), ctx);
      return;
    }
    var box = R.el("figure", { class: "mb-plotly" });
    var plot = R.el("div", { class: "mb-plot" });
    box.appendChild(plot);
    box.appendChild(R.meta([
      ["traces", figure.data.length],
      stub.source ? "from " + stub.source : null,
      stub.plotly_version ? "plotly.py " + stub.plotly_version : null]));
    el.appendChild(box);
    // Copy: plotly.js mutates what it is given, and the shard keeps the figure for other steps.
    var layout = JSON.parse(JSON.stringify(figure.layout || {}));
    var data = JSON.parse(JSON.stringify(figure.data));
    // a matplotlib figure's legends are placed and sized (px) for the figure's own width: drawn
    // narrower, their text is scaled with it, so a legend covers what it covered in matplotlib
    // and not more of the data
    var own = Number(layout.width), drawn = plot.clientWidth || el.clientWidth;
    if (stub.source === "matplotlib" && own > 0 && drawn > 0 && drawn < own) {
      var k = Math.max(0.6, drawn / own);
      Object.keys(layout).forEach(function (name) {
        var lg = layout[name];
        if (/^legend\d*$/.test(name) && lg && lg.font && lg.font.size) lg.font.size = Math.round(lg.font.size * k * 100) / 100;
      });
    }
    delete layout.width;  // the panel decides the width
    layout.autosize = true;
    if (!layout.height) layout.height = 420;
    R.need("plotly", "Plotly").then(function () { return Plotly.newPlot(plot, { data: data, layout: layout, frames: figure.frames ? JSON.parse(JSON.stringify(figure.frames)) : undefined,
      config: { responsive: true, displaylogo: false } }); }).catch(function (e) {
      R.clear(plot);
      R.placeholder(plot, "plotly could not draw this figure: " + (e && e.message || e), ctx);
    });
  }

  function destroy(el) {
    var p = el.querySelector(".mb-plot");
    if (p && typeof Plotly !== "undefined") Plotly.purge(p);
  }

  R.register("plotly", { render: render, destroy: destroy });
})();
