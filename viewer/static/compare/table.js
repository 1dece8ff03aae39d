/* Table rows on the compare page (MB.compareModes.table; the hook is described at the top of
   compare.js): two columns, two runs or two steps of one run (`<run>@<step>`), joined on a key
   column or on the row index, then the rows whose values changed, paged and filterable.
   - join on: "row index" or a column both tables have; default: the first of id, key, name,
     sample that both have, else the row index
   - compare: every shared column but the join column, or one of them; the other shared columns
     are still shown (dimmed) so a changed prediction is seen next to its label
   - a key that repeats joins on its first occurrence; the repeats are counted in a note and left out
   - plain cells are equal when their values are (NaN equals NaN, 1 is not "1"); media cells when
     their stubs are, leaving out what the build added (`__` keys) and file paths (a path names
     its step); the stub's `sha256` of the file (image, audio, video) tells changed pixels apart
     (runs written before it existed compare on size and caption only); JSON cells by value
     (whatever their keys' order), drawn collapsed as on the run page
   - an INCREMENTAL table (log_mode) is compared whole: every increment up to the entry shown
   - sort: a click on a column head sorts ascending, a second descending, a third restores the
     join order; "sort by" picks what a value column sorts on: the change B − A, its size
     |B − A|, the value in B, or the value in A. The change needs a number on both sides (a row
     without one sorts as empty); a column holding anything but numbers sorts on B's values.
     Empty values sort last both ways; ties keep the join order
   - media cells are drawn as in the run page's tables (thumbnails, players; a click opens the
     full view), A's then B's when they differ
   Per-row state (ctx.setState, in the URL's `ps`): join (null = row index), cmp (null = all),
   q (filter), all (1 = every row, not only changed), page, sort ({col, dir, by}; col "" = the
   join column).
   Test hooks: .cmp-tdiff[data-joined][data-changed][data-only-a][data-only-b][data-dup-a]
   [data-dup-b][data-shown]; thead button.cmp-tdiff-sort[data-col] (th[aria-sort]);
   tbody tr.changed / tr.same / tr.only-a / tr.only-b with data-key; td.changed. Every user string goes in as text. */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB) return;
  var PAGE = 50;
  var DEFAULT_KEYS = ["id", "key", "name", "sample"];
  var MAX_EXAMPLES = 5;
  var SORT_BY = [["delta", "change B − A"], ["abs", "size of change |B − A|"], ["b", "value in B"], ["a", "value in A"]];

  function isStub(v) { return MB.R.isStub(v); }
  function tableOf(stub) {
    var t = MB.inlined(stub);
    return t && Array.isArray(t.columns) && Array.isArray(t.data) ? t : null;
  }

  // a media stub as the user logged it: no build additions, no file paths; JSON data, keys sorted
  function bare(v, json) {
    if (Array.isArray(v)) return v.map(function (x) { return bare(x, json); });
    if (v === null || typeof v !== "object") return v;
    var out = {};
    Object.keys(v).sort().forEach(function (k) {
      if (!json && (k.slice(0, 2) === "__" || k === "path" || k === "preview")) return;
      out[k] = bare(v[k], json);
    });
    return out;
  }
  // one string per value, equal exactly when the values are
  function canon(v) {
    if (v === undefined) return "u";
    if (v === null) return "z";
    if (typeof v === "number") return isNaN(v) ? "n:NaN" : "n:" + String(v);
    if (typeof v === "string") return "s:" + v;
    if (typeof v === "boolean") return "b:" + v;
    return "j:" + JSON.stringify(bare(v, !isStub(v)), function (k, x) {
      return typeof x === "number" && !isFinite(x) ? "\u0000" + String(x) : x;
    });
  }
  function text(v) {
    if (v === undefined) return "—";
    if (v === null) return "null";
    if (isStub(v)) return v._type + (v.caption !== undefined && v.caption !== null ? " " + String(v.caption) : "");
    if (typeof v === "number") return MB.fmtNum(v);
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }
  function isNum(v) { return typeof v === "number" && !isNaN(v); }
  /* What a row sorts on in one column: see "sort" at the top. */
  function sortValue(va, vb, hasA, hasB, by, numeric) {
    if (by === "a") return hasA ? va : undefined;
    if (by === "b" || !numeric) return hasB ? vb : undefined;
    if (!(hasA && hasB && isNum(va) && isNum(vb))) return undefined; // no change without two numbers
    return by === "abs" ? Math.abs(vb - va) : vb - va;
  }
  // a column is numeric when every value it has in either table is a number (or empty)
  function numericColumn(ta, tb, ia, ib) {
    function ok(t, i) {
      return i >= 0 && t.data.every(function (r) { var v = Array.isArray(r) ? r[i] : undefined; return v === null || v === undefined || typeof v === "number"; });
    }
    return ok(ta, ia) && ok(tb, ib);
  }
  function defaultJoin(shared) {
    for (var i = 0; i < DEFAULT_KEYS.length; i++) {
      for (var j = 0; j < shared.length; j++) if (shared[j].toLowerCase() === DEFAULT_KEYS[i]) return shared[j];
    }
    return null;
  }

  /* Join two tables: `join` is a shared column name or null (row index); `compared` the column
     names whose values decide "changed". Rows in A's order, then the rows only B has. */
  function joinTables(ta, tb, join, compared) {
    var colsA = ta.columns.map(String), colsB = tb.columns.map(String);
    var ia = join === null ? -1 : colsA.indexOf(join), ib = join === null ? -1 : colsB.indexOf(join);
    var pairs = compared.map(function (c) { return [colsA.indexOf(c), colsB.indexOf(c)]; });
    function rowOf(r) { return Array.isArray(r) ? r : []; }
    function keyOf(r, i, at) { return at < 0 ? "i:" + i : canon(rowOf(r)[at]); }
    var res = { rows: [], joined: 0, changed: 0, onlyA: 0, onlyB: 0, dupA: 0, dupB: 0, dupKeys: [] };
    function dup(r, i, at) {
      if (res.dupKeys.length < MAX_EXAMPLES) {
        var t = text(rowOf(r)[at]);
        if (res.dupKeys.indexOf(t) < 0) res.dupKeys.push(t);
      }
    }
    var inB = new Map();
    tb.data.forEach(function (r, i) {
      var k = keyOf(r, i, ib);
      if (inB.has(k)) { res.dupB++; dup(r, i, ib); } else inB.set(k, i);
    });
    var inA = new Map();
    ta.data.forEach(function (r, i) {
      var k = keyOf(r, i, ia);
      if (inA.has(k)) { res.dupA++; dup(r, i, ia); return; }
      inA.set(k, i);
      var a = rowOf(r);
      var j = inB.has(k) ? inB.get(k) : -1;
      var row = { key: ia < 0 ? i : a[ia], a: a, b: j >= 0 ? rowOf(tb.data[j]) : null, state: "only-a" };
      if (row.b) {
        res.joined++;
        var b = row.b;
        var differs = pairs.some(function (p) { return canon(a[p[0]]) !== canon(b[p[1]]); });
        row.state = differs ? "changed" : "same";
        if (differs) res.changed++;
      } else res.onlyA++;
      res.rows.push(row);
    });
    inB.forEach(function (j, k) {
      if (inA.has(k)) return;
      var b = rowOf(tb.data[j]);
      res.rows.push({ key: ib < 0 ? j : b[ib], a: null, b: b, state: "only-b" });
      res.onlyB++;
    });
    return res;
  }

  function growing(s) { return !!s && s.log_mode === "INCREMENTAL" && s.increment > 0; }
  // an INCREMENTAL table up to this entry: every increment of its run's key (the run page's grow)
  function whole(cell, key) {
    if (!growing(cell.stub)) return Promise.resolve(tableOf(cell.stub));
    return MB.loadRun(cell.run.key).then(function (run) {
      return MB.loadAll(cell.run.key, key, (run.media || {})[key]);
    }).then(function (all) { return MB.R.growTable(cell.stub, all); });
  }
  function render(ctx) {
    var A = ctx.cells[0], B = ctx.cells[1];
    if (!growing(A.stub) && !growing(B.stub)) return draw(ctx, tableOf(A.stub), tableOf(B.stub));
    var wait = MB.h("p", { class: "muted", text: "loading the tables' increments…" }), stop = null;
    ctx.root.appendChild(wait);
    Promise.all([whole(A, ctx.key), whole(B, ctx.key)]).then(function (t) {
      if (!wait.parentNode || !ctx.alive()) return;
      wait.remove();
      stop = draw(ctx, t[0], t[1]);
    }, function (err) { wait.textContent = "could not load the tables' increments: " + err.message; });
    return function () { wait.remove(); if (stop) stop(); };
  }

  function draw(ctx, ta, tb) {
    var h = MB.h;
    var A = ctx.cells[0], B = ctx.cells[1];
    var root = ctx.root;
    if (!ta || !tb) { MB.placeholder(root, "table data is not in the site"); return null; }
    var colsA = ta.columns.map(String), colsB = tb.columns.map(String);
    var shared = colsA.filter(function (c, i) { return colsB.indexOf(c) >= 0 && colsA.indexOf(c) === i; });
    var onlyColsA = colsA.filter(function (c) { return colsB.indexOf(c) < 0; });
    var onlyColsB = colsB.filter(function (c) { return colsA.indexOf(c) < 0; });

    var savedJoin = ctx.state("join", undefined);
    var join = savedJoin === null ? null : typeof savedJoin === "string" && shared.indexOf(savedJoin) >= 0 ? savedJoin : defaultJoin(shared);
    var cmp = ctx.state("cmp", null);
    var st = { q: String(ctx.state("q", "") || ""), all: !!ctx.state("all", 0), page: Number(ctx.state("page", 0)) || 0 };

    var style = "--cmp-a:" + A.run.color + ";--cmp-b:" + B.run.color;
    var box = h("div", { class: "cmp-tdiff", style: style });
    var joinSel = h("select", { class: "cmp-tdiff-join", "aria-label": "join the two tables on" },
      h("option", { value: "", text: "row index" }),
      shared.map(function (c) { return h("option", { value: "c:" + c, text: c }); }));
    var cmpSel = h("select", { class: "cmp-tdiff-cmp", "aria-label": "columns to compare" });
    var filter = h("input", { type: "search", class: "filter cmp-tdiff-filter", placeholder: "filter rows",
      "aria-label": "filter rows (text of every shown cell)", value: st.q });
    var onlyChanged = h("input", { type: "checkbox", class: "cmp-tdiff-only", checked: !st.all });
    var savedSort = ctx.state("sort", null);
    st.sort = savedSort && typeof savedSort === "object" && typeof savedSort.col === "string" ?
      { col: savedSort.col, dir: savedSort.dir === -1 ? -1 : 1 } : null;
    st.by = savedSort && SORT_BY.some(function (o) { return o[0] === savedSort.by; }) ? savedSort.by : "delta";
    var bySel = h("select", { class: "cmp-tdiff-by", "aria-label": "sort a value column by" },
      SORT_BY.map(function (o) { return h("option", { value: o[0], text: o[1] }); }));
    bySel.value = st.by;
    var prev = h("button", { type: "button", class: "cmp-tdiff-prev", text: "‹ prev" });
    var next = h("button", { type: "button", class: "cmp-tdiff-next", text: "next ›" });
    var info = h("span", { class: "cmp-tdiff-info muted", "aria-live": "polite" });
    var counts = h("p", { class: "cmp-tdiff-counts" });
    var notes = h("div", { class: "cmp-tdiff-notes" });
    var wrap = h("div", { class: "table-wrap cmp-tdiff-wrap" });
    box.appendChild(h("div", { class: "toolbar cmp-tdiff-bar" },
      h("label", null, "join on ", joinSel), h("label", null, "compare ", cmpSel),
      h("label", null, onlyChanged, " only changed"), h("label", null, "sort by ", bySel), filter));
    box.appendChild(counts);
    box.appendChild(notes);
    box.appendChild(wrap);
    box.appendChild(h("div", { class: "toolbar cmp-tdiff-pager" }, prev, info, next));
    root.appendChild(box);

    var res = null, shown = [], compared = [];
    function recompute() {
      var others = shared.filter(function (c) { return c !== join; });
      if (cmp !== null && others.indexOf(cmp) < 0) cmp = null;
      compared = cmp === null ? others : [cmp];
      shown = others;
      joinSel.value = join === null ? "" : "c:" + join;
      MB.clear(cmpSel);
      cmpSel.appendChild(h("option", { value: "", text: "all columns (" + others.length + ")" }));
      others.forEach(function (c) { cmpSel.appendChild(h("option", { value: "c:" + c, text: c + " only" })); });
      cmpSel.value = cmp === null ? "" : "c:" + cmp;
      if (st.sort && st.sort.col !== "" && others.indexOf(st.sort.col) < 0) st.sort = null;
      res = joinTables(ta, tb, join, compared);
      res.rows.forEach(function (r, i) { r.hay = null; r.order = i; });
      box.setAttribute("data-joined", String(res.joined));
      box.setAttribute("data-changed", String(res.changed));
      box.setAttribute("data-only-a", String(res.onlyA));
      box.setAttribute("data-only-b", String(res.onlyB));
      box.setAttribute("data-dup-a", String(res.dupA));
      box.setAttribute("data-dup-b", String(res.dupB));
      MB.clear(counts);
      counts.appendChild(h("b", { text: res.joined + " rows joined" }));
      counts.appendChild(document.createTextNode(" · "));
      counts.appendChild(h("b", { class: res.changed ? "cmp-tdiff-nchanged" : null, text: res.changed + " changed" }));
      counts.appendChild(document.createTextNode(" (in " + (compared.length === 1 ? compared[0] : "any of " + compared.length + " columns") + ") · "));
      counts.appendChild(h("span", { text: res.onlyA + " only in A" }));
      counts.appendChild(document.createTextNode(" · "));
      counts.appendChild(h("span", { text: res.onlyB + " only in B" }));
      MB.clear(notes);
      if (res.dupA || res.dupB) {
        notes.appendChild(h("p", { class: "placeholder cmp-tdiff-dups", role: "note",
          text: "Duplicate keys in “" + join + "”: " + res.dupA + " row" + (res.dupA === 1 ? "" : "s") + " of A and " +
            res.dupB + " row" + (res.dupB === 1 ? "" : "s") + " of B repeat a key seen earlier (" + res.dupKeys.join(", ") +
            (res.dupA + res.dupB > res.dupKeys.length ? ", …" : "") + "). Each key is joined on its first row; the repeats are left out." }));
      }
      if (onlyColsA.length || onlyColsB.length) {
        notes.appendChild(h("p", { class: "muted cmp-tdiff-cols", role: "note",
          text: "Not compared: " + [onlyColsA.length ? "columns only in A: " + onlyColsA.join(", ") : "",
            onlyColsB.length ? "columns only in B: " + onlyColsB.join(", ") : ""].filter(Boolean).join("; ") + "." }));
      }
      if (!shared.length) notes.appendChild(h("p", { class: "placeholder", role: "note", text: "The two tables have no column in common." }));
    }

    function hay(r) {
      if (r.hay === null) {
        var parts = [keyText(r)];
        shown.forEach(function (c) {
          if (r.a) parts.push(text(r.a[colsA.indexOf(c)]));
          if (r.b) parts.push(text(r.b[colsB.indexOf(c)]));
        });
        r.hay = parts.join("\u0001").toLowerCase();
      }
      return r.hay;
    }
    function keyText(r) { return join === null ? String(r.key) : text(r.key); }

    function runHead(cell, tag) {
      var pinnedThere = cell.run.pin !== null && cell.run.pin !== undefined && Number(cell.run.pin) === cell.step;
      return h("span", { class: "cmp-tdiff-run" }, h("b", { text: tag }), " ",
        MB.swatch(cell.run.color), " ",
        h("span", { text: cell.run.label }), pinnedThere ? null : h("span", { class: "muted", text: " · step " + cell.step }));
    }

    // a media cell drawn by the table renderer (thumbnail, player; a click opens it), in a box
    // of its side's colour; other values are text
    function sideCtx(cell) {
      return { run: cell.run.key, url: cell.url, json: cell.json, placeholder: MB.placeholder,
        state: function (name, dflt) { return dflt; }, setState: function () {},
        text: function (el, s) { el.textContent = s === null || s === undefined ? "" : MB.visible(s); } };
    }
    var ctxA = sideCtx(A), ctxB = sideCtx(B);
    function side(cls, v, str, r, c, isA) {
      if (MB.R.isJson(v)) { var j = h("span", { class: cls }); MB.R.jsonCell(j, v); return j; }
      if (!isStub(v)) return h("span", { class: cls, text: str });
      var box = h("span", { class: cls + " cmp-tdiff-media", title: str });
      MB.R.mediaCell(box, v, isA ? ctxA : ctxB, (isA ? "A" : "B") + ", " + (join === null ? "row " : join + " ") + keyText(r) + ", " + c);
      return box;
    }
    function valueCell(r, c, isCompared) {
      var va = r.a ? r.a[colsA.indexOf(c)] : undefined, vb = r.b ? r.b[colsB.indexOf(c)] : undefined;
      var td = h("td", { "data-col": c });
      if (r.a && r.b && canon(va) === canon(vb)) {
        td.className = "same";
        td.appendChild(side("v", va, text(va), r, c, true));
        return td;
      }
      var sa = text(va), sb = text(vb);
      if (r.a && r.b && sa === sb && !isStub(va)) { sa = String(va); sb = String(vb); } // numbers equal to 5 digits
      if (!r.a || !r.b) { // a row of one table only: its value, in that table's colour
        td.className = "one-side";
        td.appendChild(r.a ? side("va", va, sa, r, c, true) : side("vb", vb, sb, r, c, false));
        return td;
      }
      td.className = isCompared ? "changed" : "differs";
      td.appendChild(side("va", va, sa, r, c, true));
      td.appendChild(h("span", { class: "arrow", "aria-label": "changed to", text: " → " }));
      td.appendChild(side("vb", vb, sb, r, c, false));
      return td;
    }
    function sortRows(view) {
      var col = st.sort.col, dir = st.sort.dir, ia = colsA.indexOf(col), ib = colsB.indexOf(col);
      var numeric = col !== "" && numericColumn(ta, tb, ia, ib);
      var keyed = view.map(function (r) {
        var v = col === "" ? r.key : sortValue(r.a ? r.a[ia] : undefined, r.b ? r.b[ib] : undefined, !!r.a, !!r.b, st.by, numeric);
        return { r: r, v: v };
      });
      keyed.sort(function (x, y) {
        var ex = x.v === null || x.v === undefined || (typeof x.v === "number" && isNaN(x.v));
        var ey = y.v === null || y.v === undefined || (typeof y.v === "number" && isNaN(y.v));
        if (ex || ey) return ex && ey ? x.r.order - y.r.order : ex ? 1 : -1; // empty last, both ways
        return dir * MB.R.compareCells(x.v, y.v) || x.r.order - y.r.order;
      });
      return keyed.map(function (k) { return k.r; });
    }
    function sortHead(col, label, extra) {
      var on = st.sort && st.sort.col === col;
      var mark = on ? (st.sort.dir === 1 ? " ▲" : " ▼") : "";
      var btn = h("button", { type: "button", class: "cmp-tdiff-sort", "data-col": col,
        title: col === "" && join === null ? "sort by row index" : "sort by " + label + (col === "" ? "" : " (" + bySel.options[bySel.selectedIndex].text + ")"),
        text: label + mark });
      btn.addEventListener("click", function () {
        if (!st.sort || st.sort.col !== col) st.sort = { col: col, dir: 1 };
        else if (st.sort.dir === 1) st.sort = { col: col, dir: -1 };
        else st.sort = null;
        saveSort();
        st.page = 0;
        ctx.setState("page", 0);
        draw();
      });
      return [btn, extra];
    }
    function saveSort() { ctx.setState("sort", st.sort ? { col: st.sort.col, dir: st.sort.dir, by: st.by } : (st.by !== "delta" ? { by: st.by } : null)); }

    function draw() {
      var q = st.q.trim().toLowerCase();
      var view = res.rows.filter(function (r) {
        if (!st.all && r.state === "same") return false;
        return !q || hay(r).indexOf(q) >= 0;
      });
      if (st.sort) view = sortRows(view);
      var pages = Math.max(1, Math.ceil(view.length / PAGE));
      st.page = Math.max(0, Math.min(st.page, pages - 1));
      var start = st.page * PAGE, rows = view.slice(start, start + PAGE);
      box.setAttribute("data-shown", String(view.length));
      box.setAttribute("data-page", String(st.page));
      var isCmp = {};
      compared.forEach(function (c) { isCmp[c] = 1; });
      var head = h("thead", null,
        h("tr", { class: "cmp-tdiff-runs" }, h("th", { scope: "col" }),
          h("th", { scope: "colgroup", colspan: Math.max(1, shown.length) }, runHead(A, "A"), h("span", { class: "arrow", text: " → " }), runHead(B, "B"))),
        h("tr", null, h("th", { scope: "col", class: "cmp-tdiff-key", "aria-sort": ariaSort("") }, sortHead("", join === null ? "row" : join, null)),
          shown.map(function (c) {
            return h("th", { scope: "col", class: isCmp[c] ? null : "not-compared", "aria-sort": ariaSort(c) },
              sortHead(c, c, isCmp[c] ? null : h("span", { class: "muted", title: "shown, not compared", text: " (not compared)" })));
          })));
      var body = h("tbody", null, rows.map(function (r) {
        var tag = r.state === "only-a" ? "only in A" : r.state === "only-b" ? "only in B" : null;
        return h("tr", { class: r.state, "data-key": keyText(r) },
          h("th", { scope: "row" }, h("span", { text: keyText(r) }), tag ? " " : null,
            tag ? h("span", { class: "cmp-tdiff-tag " + r.state, text: tag }) : null),
          shown.map(function (c) { return valueCell(r, c, isCmp[c]); }));
      }));
      MB.clear(wrap);
      wrap.appendChild(h("table", { class: "cmp-tdiff-table", "aria-label": "rows of the two tables, A → B" }, head, body));
      if (!view.length) {
        wrap.appendChild(h("p", { class: "muted cmp-tdiff-empty", text: q ? "No rows match the filter." : st.all ? "Both tables are empty." : "No row changed." }));
      }
      info.textContent = view.length
        ? "rows " + (start + 1) + "–" + (start + rows.length) + " of " + view.length + " · page " + (st.page + 1) + "/" + pages
        : "no rows";
      prev.disabled = st.page <= 0;
      next.disabled = st.page >= pages - 1;
    }

    function ariaSort(col) { return st.sort && st.sort.col === col ? (st.sort.dir === 1 ? "ascending" : "descending") : "none"; }
    bySel.addEventListener("change", function () { st.by = bySel.value; saveSort(); st.page = 0; ctx.setState("page", 0); draw(); });
    function restart() { st.page = 0; ctx.setState("page", 0); recompute(); draw(); }
    joinSel.addEventListener("change", function () {
      join = joinSel.value === "" ? null : joinSel.value.slice(2);
      ctx.setState("join", join);
      restart();
    });
    cmpSel.addEventListener("change", function () {
      cmp = cmpSel.value === "" ? null : cmpSel.value.slice(2);
      ctx.setState("cmp", cmp);
      restart();
    });
    onlyChanged.addEventListener("change", function () {
      st.all = !onlyChanged.checked;
      st.page = 0;
      ctx.setState("all", st.all ? 1 : 0);
      ctx.setState("page", 0);
      draw();
    });
    var timer = 0;
    filter.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        st.q = filter.value;
        st.page = 0;
        ctx.setState("q", st.q);
        ctx.setState("page", 0);
        draw();
      }, 120);
    });
    prev.addEventListener("click", function () { st.page -= 1; ctx.setState("page", st.page); draw(); });
    next.addEventListener("click", function () { st.page += 1; ctx.setState("page", st.page); draw(); });

    recompute();
    draw();
    return function () { clearTimeout(timer); };
  }

  MB.compareModes.table = {
    modes: [["changes", "Changed rows"], ["side", "Side by side"]],
    minCols: 2,
    maxCols: 2,
    note: "shown side by side: changed rows need a table from each column at this step, with its data in the site",
    ready: function (mode, stubs) {
      return stubs.length === 2 && stubs.every(function (s) { return tableOf(s) !== null; });
    },
    render: render,
  };
  MB.compareTable = { join: joinTables, canon: canon }; // for the console and tests
})();
