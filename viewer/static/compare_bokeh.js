/* Bokeh documents on the compare page (MB.compareModes.bokeh; the hook is described at the top of
   compare.js): "Linked zoom and pan" keeps every column's plot drawn by its renderer and gives
   them one view: a pan, a zoom or a reset in any plot sets the same x and y range on the plot at
   the same position in every other column (plots are paired in document order; a document with
   a grid of plots links each of them to its twin). The ranges are kept in the URL (ps[key].xr,
   .yr: [start, end] of the first plot), so a reload or a cursor move keeps the view; "Reset
   view" gives every column the view the first column drew with and clears them.
   Loops are guarded by a flag: the changes we make are not passed on again.
   Test hooks: .cmp-bk-bar[data-linked] (plots linked in the first column), .cmp-bk-reset. */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB) return;
  MB.compareModes = MB.compareModes || {};
  var h = MB.h;

  // the plots of one rendered document, in document order
  function plotsOf(root) {
    var views = root && root._mbViews;
    if (!views) return null;
    var out = [], seen = new Set();
    var roots = views.roots ? Array.from(views.roots) : Array.isArray(views) ? views : [];
    roots.forEach(function (v) {
      var doc = v.model && v.model.document;
      var models = doc && doc.all_models ? Array.from(doc.all_models) : [v.model];
      models.forEach(function (m) {
        if (m && m.x_range && m.y_range && m.x_range.properties && m.x_range.properties.start && !seen.has(m)) {
          seen.add(m);
          out.push(m);
        }
      });
    });
    return out;
  }
  function rangeOf(r) { return [r.start, r.end]; }
  function finite2(v) { return Array.isArray(v) && v.length === 2 && v.every(function (x) { return typeof x === "number" && isFinite(x); }); }

  function linkedRanges(ctx) {
    var bar = h("div", { class: "toolbar cmp-bk-bar", "data-linked": 0 });
    var reset = h("button", { type: "button", class: "cmp-bk-reset", text: "Reset view" });
    var status = h("span", { class: "muted cmp-bk-status" });
    bar.appendChild(h("span", { class: "muted", text: "linked zoom and pan: move any plot to move them all" }));
    bar.appendChild(reset);
    bar.appendChild(status);
    ctx.row.insertBefore(bar, ctx.root);
    var docs = []; // per linked cell: its plots
    var natural = {}; // cell index -> the ranges its plots drew with, before any linking
    var applying = false, stopped = false;
    var saved = { xr: ctx.state("xr", null), yr: ctx.state("yr", null) };
    var hooks = [];

    function set(range, v) {
      if (!finite2(v) || (range.start === v[0] && range.end === v[1])) return;
      // as BokehJS's own tools do: a DataRange1d given a view stops fitting itself to the data
      if ("have_updated_interactively" in range) range.have_updated_interactively = true;
      range.setv({ start: v[0], end: v[1] });
    }
    function spread(from, k, axis) {
      if (applying || stopped) return;
      var src = docs[from][k][axis];
      var v = rangeOf(src);
      if (!finite2(v)) return;
      applying = true;
      try {
        docs.forEach(function (plots, j) { if (j !== from && plots[k]) set(plots[k][axis], v); });
      } finally { applying = false; }
      if (k === 0) ctx.setState(axis === "x_range" ? "xr" : "yr", v.map(function (x) { return Number(x.toPrecision(6)); }));
    }
    function attach(plots, cellIndex) {
      var i = docs.length;
      docs.push(plots);
      natural[cellIndex] = plots.map(function (p) { return [rangeOf(p.x_range), rangeOf(p.y_range)]; });
      plots.forEach(function (p, k) {
        ["x_range", "y_range"].forEach(function (axis) {
          var r = p[axis];
          var fn = function () { spread(i, k, axis); };
          r.connect(r.change, fn);
          hooks.push(function () { try { r.disconnect(r.change, fn); } catch (e) { /* gone */ } });
        });
      });
      // a new cell takes the view the others have (or the one in the URL)
      applying = true;
      try {
        var twin = docs.length > 1 ? docs[0] : null;
        plots.forEach(function (p, k) {
          if (twin && twin[k] && twin !== plots) { set(p.x_range, rangeOf(twin[k].x_range)); set(p.y_range, rangeOf(twin[k].y_range)); }
          else if (k === 0) { set(p.x_range, saved.xr); set(p.y_range, saved.yr); }
        });
      } finally { applying = false; }
      bar.setAttribute("data-linked", String(docs[0].length));
      status.textContent = docs.length + " of " + ctx.cells.length + " documents linked";
    }
    var pending = ctx.cells.slice();
    function look() {
      pending = pending.filter(function (c) {
        var root = c.body.querySelector(".mb-bokeh-root");
        if (!root) return !c.body.querySelector(".mb-bokeh"); // no document in this cell
        var plots = plotsOf(root);
        if (!plots) return true;
        attach(plots, ctx.cells.indexOf(c));
        return false;
      });
      if (!pending.length) clearInterval(poll);
    }
    var tries = 0;
    var poll = setInterval(function () { if (++tries > 240) clearInterval(poll); else look(); }, 100);
    look();
    reset.addEventListener("click", function () {
      // every column gets the view the first linked column drew with; the URL then holds none
      var first = Object.keys(natural).map(Number).sort(function (a, b) { return a - b; })[0];
      var view = first === undefined ? null : natural[first];
      if (!view) return;
      applying = true;
      try {
        docs.forEach(function (plots) {
          plots.forEach(function (p, k) { if (view[k]) { set(p.x_range, view[k][0]); set(p.y_range, view[k][1]); } });
        });
      } finally { applying = false; }
      ctx.setState("xr", null);
      ctx.setState("yr", null);
    });
    return function () {
      stopped = true;
      clearInterval(poll);
      hooks.forEach(function (f) { f(); });
      bar.remove();
    };
  }

  MB.compareModes.bokeh = {
    modes: [["linked", "Linked zoom and pan"], ["side", "Independent views"]],
    linked: ["linked"],
    minCols: 2,
    note: "independent views: linked zoom needs a Bokeh document from at least two columns at this step",
    render: linkedRanges,
  };
})();
