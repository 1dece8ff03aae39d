/* HTML pages on the compare page (MB.compareModes.html; the hook is described at the top of
   compare.js): "Text changes" shows what changed between two columns' pages, A (the first) and
   B (the second), word by word, as one text: words only in A struck through in A's colour, words
   only in B underlined in B's colour, the rest plain. "Source" compares the HTML source line by
   line instead. The pages are parsed with DOMParser, which runs no script and loads nothing;
   the visible text is the body's text without <script>, <style>, <template> and <noscript>.
   The diff is Myers' O(ND) shortest edit script over tokens; past MAX_TOKENS tokens a side, the
   words are diffed line by line instead. Counts: words (or lines) removed, added, unchanged and
   the share unchanged.
   Test hooks: .cmp-hdiff[data-removed][data-added][data-same][data-unit], del.cmp-hdiff-a,
   ins.cmp-hdiff-b, select.cmp-hdiff-view (text | source). Every string goes in as text. */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB) return;
  var h = MB.h;
  var MAX_TOKENS = 20000;
  var MAX_EDITS = 4000; // a diff with more edits than this is shown as "mostly different"

  function pageOf(stub) {
    var t = MB.inlined(stub);
    return typeof t === "string" ? t : null;
  }
  function visibleText(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    Array.prototype.forEach.call(doc.querySelectorAll("script,style,template,noscript"), function (n) { n.remove(); });
    // block elements end a line, so words of two paragraphs do not run together
    Array.prototype.forEach.call(doc.querySelectorAll("p,div,li,tr,h1,h2,h3,h4,h5,h6,br,pre,table,section,article,header,footer,blockquote"),
      function (n) { n.appendChild(doc.createTextNode("\n")); });
    var body = doc.body || doc.documentElement;
    return (body ? body.textContent : "").replace(/[ \t\r\f\v]+/g, " ").replace(/ *\n[\n ]*/g, "\n").trim();
  }
  // {words: what is compared, seps: the whitespace after each word, as it is shown}
  function tokens(text, unit) {
    if (unit === "line") {
      var lines = text.split("\n");
      return { words: lines, seps: lines.map(function () { return "\n"; }) };
    }
    var words = [], seps = [], re = /(\S+)(\s*)/g, m;
    while ((m = re.exec(text))) { words.push(m[1]); seps.push(m[2]); }
    return { words: words, seps: seps };
  }

  /* Myers' diff of two arrays: [[op, index in a or b], ...] with op " " (both; the index in b),
     "-" (only in a) or "+" (only in b); null when more than maxEdits edits are needed. */
  function diff(a, b, maxEdits) {
    var n = a.length, m = b.length, max = Math.min(n + m, maxEdits), off = max + 1;
    var v = new Int32Array(2 * max + 3), trace = [];
    for (var d = 0; d <= max; d++) {
      trace.push(v.slice());
      for (var k = -d; k <= d; k += 2) {
        var x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
        var y = x - k;
        while (x < n && y < m && a[x] === b[y]) { x++; y++; }
        v[off + k] = x;
        if (x >= n && y >= m) return backtrack(trace, a, b, off, d);
      }
    }
    return null;
  }
  function backtrack(trace, a, b, off, d) {
    var out = [], x = a.length, y = b.length;
    for (; d > 0; d--) {
      var v = trace[d], k = x - y;
      var prevK = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? k + 1 : k - 1;
      var px = v[off + prevK], py = px - prevK;
      while (x > px && y > py) { x--; out.push([" ", --y]); }
      if (x === px) out.push(["+", --y]); else out.push(["-", --x]);
    }
    while (x > 0 && y > 0) { x--; out.push([" ", --y]); }
    return out.reverse();
  }

  function render(ctx) {
    var A = ctx.cells[0], B = ctx.cells[1];
    var pa = pageOf(A.stub), pb = pageOf(B.stub);
    var view = ctx.state("view", "text") === "source" ? "source" : "text";
    var box = h("div", { class: "cmp-hdiff", style: "--cmp-a:" + A.run.color + ";--cmp-b:" + B.run.color });
    var sel = h("select", { class: "cmp-hdiff-view", "aria-label": "compare the pages' visible text or their HTML source" },
      h("option", { value: "text", text: "visible text, word by word" }), h("option", { value: "source", text: "HTML source, line by line" }));
    sel.value = view;
    var counts = h("p", { class: "cmp-hdiff-counts" });
    var body = h("div", { class: "cmp-hdiff-body", role: "document", "aria-label": "changes from A to B" });
    box.appendChild(h("div", { class: "toolbar" }, h("label", null, "compare ", sel),
      h("span", { class: "muted" }, "struck: only in ", h("b", { class: "cmp-hdiff-ka", text: "A " + A.run.label }),
        " · underlined: only in ", h("b", { class: "cmp-hdiff-kb", text: "B " + B.run.label }))));
    box.appendChild(counts);
    box.appendChild(body);
    ctx.root.appendChild(box);

    function draw() {
      var ta = view === "source" ? pa : visibleText(pa), tb = view === "source" ? pb : visibleText(pb);
      var unit = view === "source" ? "line" : "word";
      var xa = tokens(ta, unit), xb = tokens(tb, unit);
      if (unit === "word" && (xa.words.length > MAX_TOKENS || xb.words.length > MAX_TOKENS)) { unit = "line"; xa = tokens(ta, unit); xb = tokens(tb, unit); }
      var ops = xa.words.length > MAX_TOKENS * 4 || xb.words.length > MAX_TOKENS * 4 ? null : diff(xa.words, xb.words, MAX_EDITS);
      MB.clear(body);
      MB.clear(counts);
      box.setAttribute("data-unit", unit);
      if (!ops) {
        box.setAttribute("data-removed", ""); box.setAttribute("data-added", ""); box.setAttribute("data-same", "");
        counts.textContent = "The pages differ in more than " + MAX_EDITS + " places (or are too long to compare " + unit + " by " + unit + "); see them side by side.";
        return;
      }
      var removed = 0, added = 0, same = 0;
      var frag = document.createDocumentFragment();
      ops.forEach(function (o, j) {
        var i = o[1];
        if (o[0] === " ") { same++; frag.appendChild(document.createTextNode(xb.words[i] + xb.seps[i])); return; }
        // a word's own whitespace is shown outside its mark, so struck runs read as words
        var side = o[0] === "-" ? xa : xb, next = ops[j + 1];
        var sepText = side.seps[i] || (next && next[0] !== o[0] ? " " : "");
        if (o[0] === "-") { removed++; frag.appendChild(h("del", { class: "cmp-hdiff-a", text: side.words[i] })); }
        else { added++; frag.appendChild(h("ins", { class: "cmp-hdiff-b", text: side.words[i] })); }
        if (sepText) frag.appendChild(document.createTextNode(unit === "line" ? "\n" : sepText));
      });
      body.appendChild(frag);
      box.setAttribute("data-removed", String(removed));
      box.setAttribute("data-added", String(added));
      box.setAttribute("data-same", String(same));
      var total = Math.max(xa.words.length, xb.words.length);
      var units = unit + "s";
      counts.textContent = removed || added
        ? removed + " " + (removed === 1 ? unit : units) + " removed · " + added + " added · " + same + " unchanged (" +
          Math.round(100 * same / Math.max(1, total)) + "% of the longer page)"
        : "The " + (view === "source" ? "sources are" : "visible texts are") + " the same" + (pa === pb ? "." : "; the HTML differs (compare the source).");
    }
    sel.addEventListener("change", function () { view = sel.value; ctx.setState("view", view === "text" ? null : view); draw(); });
    draw();
  }

  MB.compareModes.html = {
    modes: [["text", "Text changes"], ["side", "Side by side"]],
    minCols: 2,
    maxCols: 2,
    note: "shown side by side: text changes need a page from each of the two columns at this step, with its text in the site",
    ready: function (mode, stubs) { return stubs.length === 2 && stubs.every(function (s) { return pageOf(s) !== null; }); },
    render: render,
  };
  MB.compareHtml = { diff: diff, visibleText: visibleText }; // for the console and tests
})();
