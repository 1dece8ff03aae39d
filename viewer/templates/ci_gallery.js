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
