/* Bokeh documents on the compare page (MB.compareModes.bokeh; the hook is described at the top of
   compare.js): "Linked zoom and pan" keeps every column's plot drawn by its renderer and gives
   them one view: a pan, a zoom or a reset in any plot sets the same x and y range on the plot at
   the same position in every other column (plots are paired in document order; a document with
   a grid of plots links each of them to its twin). The ranges are kept in the URL (ps[key].xr,
   .yr: [start, end] of the first plot), so a reload or a cursor move keeps the view; "Reset
   view" gives every column the view the first column drew with and clears them.
   Each document lives in its own sandboxed frame (renderers/bokeh.js): views are read and set
   through the frames' handles, by messages; a frame does not report ranges it was given, so
   nothing loops.
   Test hooks: .cmp-bk-bar[data-linked] (plots linked in the first column), .cmp-bk-reset. */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB) return;
  var h = MB.h;

  // Each column's document is drawn in its own sandboxed frame (renderers/bokeh.js); its page-side
  // handle (root._mbBokeh) gives the plots' ranges and takes new ones, by messages.
  function docOf(root) {
    var d = root && root._mbBokeh;
    return d && d.ready && d.plots ? d : null;
  }
  function finite2(v) { return Array.isArray(v) && v.length === 2 && v.every(function (x) { return typeof x === "number" && isFinite(x); }); }
  function finite4(v) { return Array.isArray(v) && v.length === 4 && v.every(function (x) { return typeof x === "number" && isFinite(x); }); }

  function linkedRanges(ctx) {
    var bar = h("div", { class: "toolbar cmp-bk-bar", "data-linked": 0 });
    var reset = h("button", { type: "button", class: "cmp-bk-reset", text: "Reset view" });
    var status = h("span", { class: "muted cmp-bk-status" });
    bar.appendChild(h("span", { class: "muted", text: "linked zoom and pan: move any plot to move them all" }));
    bar.appendChild(reset);
    bar.appendChild(status);
    ctx.row.insertBefore(bar, ctx.root);
    var docs = []; // per linked cell: its handle
    var natural = {}; // cell index -> the ranges its plots drew with, before any linking
    var stopped = false;
    var saved = { xr: ctx.state("xr", null), yr: ctx.state("yr", null) };
    var hooks = [];

    function spread(from, ranges) {
      // a pan or zoom in one frame: the same view for the twin plots of every other frame (the
      // frames do not echo ranges they were given, so this cannot loop)
      if (stopped) return;
      docs.forEach(function (d, j) { if (j !== from) d.set(ranges); });
      var first = ranges[0];
      if (finite4(first)) {
        ctx.setState("xr", [first[0], first[1]].map(function (x) { return Number(x.toPrecision(6)); }));
        ctx.setState("yr", [first[2], first[3]].map(function (x) { return Number(x.toPrecision(6)); }));
      }
    }
    var order = []; // cell index of each entry of docs
    function attach(d, cellIndex) {
      var i = docs.length;
      docs.push(d);
      order.push(cellIndex);
      natural[cellIndex] = d.ranges.map(function (v) { return v.slice(); });
      hooks.push(d.on(function (ranges) { spread(i, ranges); }));
      // The view is the URL's, else the first column's: frames become ready in any order, so a
      // first column that arrives late gives its view to those already linked.
      var url = finite2(saved.xr) && finite2(saved.yr) ? [saved.xr.concat(saved.yr)] : null;
      var firstCell = Math.min.apply(null, order);
      var view = url || natural[firstCell];
      docs.forEach(function (other, j) { if (url || order[j] !== firstCell) other.set(view); });
      bar.setAttribute("data-linked", String(docs[0].plots));
      status.textContent = docs.length + " of " + ctx.cells.length + " documents linked";
    }
    var pending = ctx.cells.slice();
    function look() {
      pending = pending.filter(function (c) {
        var root = c.body.querySelector(".mb-bokeh-root");
        if (!root) return !c.body.querySelector(".mb-bokeh"); // no document in this cell
        var d = docOf(root);
        if (!d) return true;
        attach(d, ctx.cells.indexOf(c));
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
      docs.forEach(function (d) { d.set(view); });
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
