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
