/* Bokeh: the json_item drawn by BokehJS inside a sandboxed frame, as untrusted content.
 *
 * A Bokeh document can carry HTML (Div, Paragraph, tooltips) and JavaScript (CustomJS), so it is
 * drawn like Html media: in <iframe sandbox="allow-scripts" src="static/frame.html"> (see
 * R.sandboxFrame) without allow-same-origin, whose
 * scripts run in an opaque origin that cannot reach the viewer's page, its data or its files
 * (no alert, no popups, no navigation of the page). The viewer never runs BokehJS itself: the
 * build ships BokehJS as text (vendor/*.text.js, MB.vendorText), the page hands that text and the
 * document to the frame by postMessage, and the frame loads it from blob: URLs of its own origin.
 *
 * The frame talks back only by messages the page checks (their source is this frame; numbers
 * only): "ready" (how many plots, their x/y ranges), "ranges" (a plot was panned or zoomed),
 * "size" (its height). root._mbBokeh is the page-side handle other views use (compare/bokeh.js):
 * {ready, plots, ranges: [[x0, x1, y0, y1], ...], on(fn(ranges)), set(ranges)}. */
(function () {
  "use strict";
  var MB = window.MB;
  var R = MB.R;

  function numbers(list) {
    // ranges from the frame: a list of four finite numbers per plot, nothing else
    if (!Array.isArray(list)) return [];
    return list.slice(0, 64).map(function (v) {
      return Array.isArray(v) && v.length === 4 ? v.map(function (x) { return typeof x === "number" && isFinite(x) ? x : NaN; }) : [NaN, NaN, NaN, NaN];
    });
  }

  function render(el, stub, ctx) {
    var item = R.json(ctx, stub && stub.path);
    if (!item || !item.doc) { R.placeholder(el, "bokeh file missing or not inlined: " + (stub && stub.path), ctx); return; }
    var box = R.el("figure", { class: "mb-bokeh" });
    var target = R.el("div", { class: "mb-bokeh-root" });
    var frame = R.sandboxFrame("Bokeh " + (stub.path || ""), function (m) { onMessage(m); });
    frame.classList.add("mb-bokeh-frame");
    frame.style.width = "100%";
    frame.style.height = "320px";
    frame.style.border = "0";
    target.appendChild(frame);
    box.appendChild(target);
    var want = stub.bokeh_version || item.version;
    var meta = R.meta([want ? "bokeh " + want : null, "sandboxed: scripts run in an opaque origin"]);
    box.appendChild(meta);
    el.appendChild(box);

    var listeners = [];
    var handle = { ready: false, plots: 0, ranges: [], version: null,
      on: function (fn) { listeners.push(fn); return function () { listeners = listeners.filter(function (f) { return f !== fn; }); }; },
      set: function (ranges) { if (frame.contentWindow) frame.contentWindow.postMessage({ type: "set", ranges: numbers(ranges) }, "*"); } };
    target._mbBokeh = handle;
    var sources = MB.need("bokeh").then(function () { return MB.vendorTexts("bokeh"); });

    function onMessage(m) {
      if (m.type === "boot") {
        sources.then(function (srcs) {
          frame.contentWindow.postMessage({ type: "init", sources: srcs, item: JSON.parse(JSON.stringify(item)) }, "*");
        }).catch(function (e) { fail("BokehJS is not available: " + (e && e.message || e)); });
      } else if (m.type === "ready") {
        handle.ranges = numbers(m.ranges);
        handle.plots = handle.ranges.length;
        handle.version = String(m.version || "").slice(0, 32);
        handle.ready = true;
        if (want && handle.version && want !== handle.version) {
          meta.appendChild(R.el("span", { class: "mb-fact", text: "BokehJS here is " + handle.version + ": it may not draw this document" }));
        }
        target.setAttribute("data-ready", "1");
      } else if (m.type === "ranges" || m.type === "applied") {
        handle.ranges = numbers(m.ranges);
        if (m.type === "ranges") listeners.forEach(function (fn) { fn(handle.ranges); });
      } else if (m.type === "size") {
        var h = Number(m.h);
        if (isFinite(h)) frame.style.height = Math.max(40, Math.min(4000, Math.round(h) + 4)) + "px";
      } else if (m.type === "error") {
        fail("BokehJS could not draw this document: " + String(m.message || "").slice(0, 300));
      }
    }
    function fail(message) {
      R.forgetFrame(frame);
      R.clear(target);
      R.placeholder(target, message, ctx);
    }
    target._mbForget = function () { R.forgetFrame(frame); };
  }

  function destroy(el) {
    var t = el.querySelector(".mb-bokeh-root");
    if (t && t._mbForget) t._mbForget();
  }

  R.register("bokeh", { render: render, destroy: destroy });
})();
