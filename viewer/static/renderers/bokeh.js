/* Bokeh: the json_item drawn by BokehJS inside a sandboxed frame, as untrusted content.
 *
 * A Bokeh document can carry HTML (Div, Paragraph, tooltips) and JavaScript (CustomJS), so it is
 * drawn like Html media: in <iframe sandbox="allow-scripts"> without allow-same-origin, whose
 * scripts run in an opaque origin that cannot reach the viewer's page, its data or its files
 * (no alert, no popups, no navigation of the page). The viewer never runs BokehJS itself: the
 * build ships BokehJS as text (vendor/*.text.js, MB.vendorText), the page hands that text and the
 * document to the frame by postMessage, and the frame loads it from blob: URLs of its own origin.
 *
 * The frame talks back only by messages the page checks (their source is this frame; numbers
 * only): "ready" (how many plots, their x/y ranges), "ranges" (a plot was panned or zoomed),
 * "size" (its height). root._mbBokeh is the page-side handle other views use (compare_bokeh.js):
 * {ready, plots, ranges: [[x0, x1, y0, y1], ...], on(fn(ranges)), set(ranges)}. */
(function () {
  "use strict";
  var MB = window.MB;
  var R = MB.R;

  // The frame's own page (inline: srcdoc documents have no file to load). It waits for "init".
  var FRAME = "<!doctype html><html><head><meta charset=\"utf-8\"><style>html,body{margin:0;background:#fff}" +
    "#root{display:inline-block}</style></head><body><div id=\"root\"></div><script>(" + String(function () {
      var plots = [], applying = false;
      function post(m) { m.mb = "bokeh"; parent.postMessage(m, "*"); }
      function load(srcs, i) {
        if (i >= srcs.length) return Promise.resolve();
        return new Promise(function (res, rej) {
          var s = document.createElement("script");
          s.src = URL.createObjectURL(new Blob([srcs[i]], { type: "text/javascript" }));
          s.onload = res;
          s.onerror = function () { rej(new Error("BokehJS part " + i + " did not load")); };
          document.head.appendChild(s);
        }).then(function () { return load(srcs, i + 1); });
      }
      function findPlots(views) {
        var out = [], seen = new Set();
        var roots = views && views.roots ? Array.from(views.roots) : Array.isArray(views) ? views : [];
        roots.forEach(function (v) {
          var doc = v.model && v.model.document;
          var models = doc && doc.all_models ? Array.from(doc.all_models) : [v.model];
          models.forEach(function (m) {
            if (m && m.x_range && m.y_range && m.x_range.properties && m.x_range.properties.start && !seen.has(m)) {
              seen.add(m); out.push(m);
            }
          });
        });
        return out;
      }
      function ranges() { return plots.map(function (p) { return [p.x_range.start, p.x_range.end, p.y_range.start, p.y_range.end]; }); }
      function setRange(r, a, b) {
        if (typeof a !== "number" || typeof b !== "number" || !isFinite(a) || !isFinite(b)) return;
        if (r.start === a && r.end === b) return;
        if ("have_updated_interactively" in r) r.have_updated_interactively = true;
        r.setv({ start: a, end: b });
      }
      function size() {
        var el = document.getElementById("root");
        post({ type: "size", h: Math.ceil(el.getBoundingClientRect().height) });
      }
      window.addEventListener("message", function (e) {
        if (e.source !== parent) return;
        var m = e.data || {};
        if (m.type === "init") {
          load(m.sources || [], 0).then(function () {
            return window.Bokeh.embed.embed_item(m.item, document.getElementById("root"));
          }).then(function (views) {
            plots = findPlots(views);
            plots.forEach(function (p) {
              ["x_range", "y_range"].forEach(function (axis) {
                var r = p[axis];
                r.connect(r.change, function () { if (!applying) post({ type: "ranges", ranges: ranges() }); });
              });
            });
            post({ type: "ready", version: String(window.Bokeh.version), ranges: ranges() });
            size();
            if (window.ResizeObserver) new ResizeObserver(size).observe(document.getElementById("root"));
          }).catch(function (err) { post({ type: "error", message: String(err && err.message || err) }); });
        } else if (m.type === "set") {
          applying = true;
          try {
            (m.ranges || []).forEach(function (v, k) {
              var p = plots[k];
              if (!p || !v) return;
              setRange(p.x_range, v[0], v[1]);
              setRange(p.y_range, v[2], v[3]);
            });
          } finally { applying = false; }
          post({ type: "applied", ranges: ranges() });
        }
      });
      post({ type: "boot" });
    }) + ")();<\/script></body></html>";

  var frames = new Map(); // contentWindow -> handler(message)
  var pending = []; // [frame, handler] of frames whose window was not known yet
  window.addEventListener("message", function (e) {
    if (!e.data || e.data.mb !== "bokeh" || !e.source) return;
    var fn = frames.get(e.source);
    if (!fn) {
      pending = pending.filter(function (p) {
        if (p[0].contentWindow === e.source) { frames.set(e.source, p[1]); fn = p[1]; return false; }
        return p[0].isConnected;
      });
    }
    if (fn) fn(e.data);
  });

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
    var frame = R.el("iframe", { sandbox: "allow-scripts", referrerpolicy: "no-referrer", class: "mb-bokeh-frame",
      title: "Bokeh " + (stub.path || "") });
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
      frames.delete(frame.contentWindow);
      R.clear(target);
      R.placeholder(target, message, ctx);
    }
    pending.push([frame, onMessage]); // its window is found by its first message
    frame.srcdoc = FRAME;
    target._mbForget = function () { frames.delete(frame.contentWindow); };
  }

  function destroy(el) {
    var t = el.querySelector(".mb-bokeh-root");
    if (t && t._mbForget) t._mbForget();
  }

  R.register("bokeh", { render: render, destroy: destroy });
})();
