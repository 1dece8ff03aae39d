// Filtering and sorting only; the page is complete without it.
(function () {
  "use strict";
  var body = document.querySelector("#rows tbody");
  var rows = Array.prototype.slice.call(body.rows);
  var kind = document.getElementById("f-kind"), key = document.getElementById("f-key");
  var changed = document.getElementById("f-changed"), count = document.getElementById("f-count");
  document.getElementById("controls").hidden = false;
  function apply() {
    var shown = 0, k = kind.value, q = key.value.toLowerCase();
    rows.forEach(function (tr) {
      var ok = (!k || tr.dataset.kind === k) && tr.dataset.key.toLowerCase().indexOf(q) >= 0 &&
               (!changed.checked || parseFloat(tr.dataset.score) > 0);
      tr.hidden = !ok; if (ok) shown++;
    });
    count.textContent = shown + " of " + rows.length + " shown";
  }
  [kind, key, changed].forEach(function (el) { el.addEventListener("input", apply); });
  var ths = document.querySelectorAll("#rows th");
  Array.prototype.forEach.call(ths, function (th, col) {
    if (!th.dataset.sort) return;
    th.addEventListener("click", function () {
      var asc = th.dataset.dir !== "asc"; th.dataset.dir = asc ? "asc" : "desc";
      rows.sort(function (a, b) {
        var x = a.cells[col].textContent, y = b.cells[col].textContent;
        var c = th.dataset.sort === "num" ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
        return asc ? c : -c;
      });
      rows.forEach(function (tr) { body.appendChild(tr); });
    });
  });
  apply();
})();

// Html values: each page's text comes in a script file (files/<side>/<path>.js) and is handed to
// a sandboxed frame of frame.html (scripts run in an opaque origin, nothing loads from outside),
// never opened as a page of the gallery's origin.
(function () {
  "use strict";
  var waiting = new Map();
  window.addEventListener("message", function (e) {
    var html = waiting.get(e.source);
    if (!e.data || e.data.mb !== "frame" || e.data.type !== "boot" || html === undefined) return;
    waiting.delete(e.source);
    e.source.postMessage({ type: "html", html: html }, "*");
  });
  Array.prototype.forEach.call(document.querySelectorAll(".html-frame[data-src]"), function (box) {
    var src = box.getAttribute("data-src"), s = document.createElement("script");
    s.src = src;
    s.onload = function () {
      var html = window.MBG_HTML && window.MBG_HTML[src];
      if (typeof html !== "string") return;
      var f = document.createElement("iframe");
      f.setAttribute("sandbox", "allow-scripts");
      f.setAttribute("referrerpolicy", "no-referrer");
      f.title = "Html (sandboxed)";
      box.appendChild(f);
      waiting.set(f.contentWindow, html);
      f.src = "frame.html";
    };
    document.head.appendChild(s);
  });
})();

// Plotly figures and Bokeh documents, drawn as on the site: each document's JSON comes in a script
// file (frames/NNNN-<side>.js), plotly.js or BokehJS as text (vendor/*, MB.vendorText: never run
// here), and both are handed to a sandboxed frame of frame.html that runs the library from blob:
// URLs of its own opaque origin. A frame is made when its row nears the screen.
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".doc-frame[data-src]");
  if (!boxes.length) return;
  var table = document.getElementById("rows"), texts = {}, loading = {}, frames = new Map();
  var W = 340, H = 230;
  window.MB = window.MB || {};
  window.MB.vendorText = function (group, rel, text) { (texts[group] = texts[group] || {})[rel] = text; };
  function script(src) {
    return new Promise(function (res, rej) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = res;
      s.onerror = function () { rej(new Error(src + " did not load")); };
      document.head.appendChild(s);
    });
  }
  function vendor(group) {
    if (!loading[group]) {
      var files = (table.getAttribute("data-vendor-" + group) || "").split(" ").filter(Boolean);
      loading[group] = !files.length
        ? Promise.reject(new Error(group + " was not installed where this gallery was built"))
        : Promise.all(files.map(script)).then(function () {
          return files.map(function (f) { return texts[group] && texts[group][f]; });
        });
    }
    return loading[group];
  }
  function fail(box, message) {
    box.textContent = "could not draw: " + String(message).slice(0, 300);
    box.setAttribute("data-error", "1");
  }
  window.addEventListener("message", function (e) {
    var f = frames.get(e.source), m = e.data;
    if (!f || !m || m.mb !== "frame") return;
    if (m.type === "boot") {
      e.source.postMessage(f.kind === "bokeh"
        ? { type: "init", sources: f.sources, item: f.doc }
        : { type: "plotly", sources: f.sources, figure: f.doc, width: W, height: H }, "*");
    } else if (m.type === "ready") {
      f.box.setAttribute("data-ready", "1");
    } else if (m.type === "size" && f.kind === "bokeh") {
      var h = Number(m.h);
      if (isFinite(h)) f.frame.style.height = Math.max(40, Math.min(480, Math.round(h) + 4)) + "px";
    } else if (m.type === "error") {
      frames.delete(e.source);
      fail(f.box, m.message || "error");
    }
  });
  function start(box) {
    var src = box.getAttribute("data-src"), kind = box.getAttribute("data-kind");
    Promise.all([script(src), vendor(kind)]).then(function (got) {
      var text = window.MBG_DOC && window.MBG_DOC[src];
      if (typeof text !== "string") throw new Error(src + " holds no document");
      var f = document.createElement("iframe");
      f.setAttribute("sandbox", "allow-scripts");
      f.setAttribute("referrerpolicy", "no-referrer");
      f.title = kind + " (sandboxed)";
      box.textContent = "";
      box.appendChild(f);
      frames.set(f.contentWindow, { box: box, frame: f, kind: kind, doc: JSON.parse(text), sources: got[1] });
      f.src = "frame.html";
    }).catch(function (err) { fail(box, err && err.message || err); });
  }
  if (!window.IntersectionObserver) { Array.prototype.forEach.call(boxes, start); return; }
  var seen = new IntersectionObserver(function (entries) {
    entries.forEach(function (en) {
      if (!en.isIntersecting) return;
      seen.unobserve(en.target);
      start(en.target);
    });
  }, { rootMargin: "300px" });
  Array.prototype.forEach.call(boxes, function (b) { seen.observe(b); });
})();
