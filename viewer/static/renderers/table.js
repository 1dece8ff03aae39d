/* Table: paged (20 rows a page), sortable (click a header: ascending, descending, off),
 * filterable (one text box over every cell), media cells drawn small (image thumbnails, audio
 * players, video) that open full size in a dialog with their kind's renderer. JSON cells (a dict,
 * or a list holding a dict or list) show a one-line preview that a click expands into indented
 * text; they sort and filter by their JSON text. An INCREMENTAL table (log_mode) is drawn whole:
 * every increment of its table_id up to this one (ctx.loadAll), each row with its step. */
(function () {
  "use strict";
  var MB = window.MB;
  var R = MB.R;
  var PAGE = 20;

  // a media stub: a JSON cell never has a "_type" naming a kind (the writer refuses it)
  function isStub(v) {
    return !!v && typeof v === "object" && !Array.isArray(v) && (!!MB.renderers[v._type] || v._type === "error");
  }
  function isJson(v) {
    return !!v && typeof v === "object" && !isStub(v) &&
      (!Array.isArray(v) || v.some(function (x) { return x !== null && typeof x === "object"; }));
  }
  // JSON text, NaN and ±Infinity written as the run folder writes them
  function json(v) {
    return JSON.stringify(v, function (k, x) { return typeof x === "number" && !isFinite(x) ? "\u0000" + x : x; })
      .replace(/"\\u0000([^"]*)"/g, "$1");
  }
  // indented, but a part that fits in 60 characters stays on one line
  function pretty(v, pad) {
    var one = json(v), arr = Array.isArray(v), inner = pad + "  ";
    if (v === null || typeof v !== "object" || one.length <= 60) return one;
    return (arr ? "[" : "{") + "\n" + (arr ? v : Object.keys(v)).map(function (k) {
      return inner + (arr ? pretty(k, inner) : json(k) + ": " + pretty(v[k], inner));
    }).join(",\n") + "\n" + pad + (arr ? "]" : "}");
  }
  // one line: {"boxes": […3], "score": 0.9}
  function preview(v) {
    function short(x) {
      return x === null || typeof x !== "object" ? json(x) : Array.isArray(x) ? "[\u2026" + x.length + "]" : "{\u2026" + Object.keys(x).length + "}";
    }
    var arr = Array.isArray(v), parts = (arr ? v : Object.keys(v)).map(function (k) {
      return arr ? short(k) : json(k) + ": " + short(v[k]);
    }), out = "";
    for (var i = 0; i < parts.length; i++) {
      if (out.length + parts[i].length > 80) { out += (i ? ", " : "") + "\u2026"; break; }
      out += (i ? ", " : "") + parts[i];
    }
    return (arr ? "[" : "{") + out + (arr ? "]" : "}");
  }
  /* A JSON cell: a button with the preview that shows or hides the indented text below it. */
  function jsonCell(td, v) {
    var btn = R.el("button", { type: "button", class: "mb-json", "aria-expanded": "false", title: "show the whole value",
      text: preview(v), style: { font: "inherit", textAlign: "left", cursor: "pointer" } });
    var full = null;
    btn.addEventListener("click", function () {
      var open = !full;
      if (open) {
        full = R.el("pre", { class: "mb-json-full", text: pretty(v, ""),
          style: { margin: "4px 0 0", whiteSpace: "pre-wrap", maxHeight: "24em", overflow: "auto" } });
        btn.parentNode.insertBefore(full, btn.nextSibling);
      } else { full.remove(); full = null; }
      btn.setAttribute("aria-expanded", String(open));
    });
    td.appendChild(btn);
  }

  function cellText(v) {
    if (v === null || v === undefined) return "";
    if (isStub(v)) return v._type + (v.caption ? " " + v.caption : "");
    if (typeof v === "object") return json(v);
    if (typeof v === "number") return R.num(v, 6);
    return String(v);
  }

  function compare(a, b) {
    var an = a === null || a === undefined || (typeof a === "number" && isNaN(a));
    var bn = b === null || b === undefined || (typeof b === "number" && isNaN(b));
    if (an || bn) return an && bn ? 0 : an ? 1 : -1;  // empty cells last, both ways
    if (typeof a === "number" && typeof b === "number") return a - b;
    if (typeof a === "boolean" && typeof b === "boolean") return (a ? 1 : 0) - (b ? 1 : 0);
    return cellText(a).localeCompare(cellText(b), undefined, { numeric: true });
  }

  function childCtx(ctx) {
    var child = Object.create(ctx);
    child.state = function (name, dflt) { return dflt; };
    child.setState = function () {};
    child.loadAll = undefined;  // a cell has no history of its own
    return child;
  }

  /* A dialog holding one stub drawn by its kind's renderer. */
  function openCell(stub, ctx, title) {
    var previous = document.activeElement;
    var body = R.el("div", { class: "mb-modal-body" });
    var overlay = R.el("div", { class: "mb-lightbox mb-modal", role: "dialog", "aria-modal": "true", tabindex: "-1" }, [
      R.el("div", { class: "mb-lb-bar" }, [
        R.el("span", { class: "mb-lb-title", text: title }),
        R.el("button", { type: "button", class: "mb-lb-close", title: "close (Esc)", text: "\u00d7",
          on: { click: close } })]),
      R.el("div", { class: "mb-lb-scroll" }, [body])]);
    var renderer = null;
    function onKey(e) {
      // A lightbox opened from inside this dialog closes first.
      if (e.key === "Escape" && document.body.lastElementChild === overlay) { e.preventDefault(); close(); }
    }
    function close() {
      document.removeEventListener("keydown", onKey, true);
      if (renderer && renderer.destroy) renderer.destroy(body);
      if (overlay.parentNode) overlay.parentNode.removeChild(overlay);
      if (previous && previous.focus) previous.focus();
    }
    overlay.addEventListener("click", function (e) { if (e.target === overlay) close(); });
    document.addEventListener("keydown", onKey, true);
    document.body.appendChild(overlay);
    renderer = R.renderStub(body, stub, childCtx(ctx));
    overlay.focus();
  }

  function mediaCell(td, v, ctx, title) {
    var open = function () { openCell(v, ctx, title); };
    if (v._type === "image" && v.path) {
      var img = R.el("img", { class: "mb-thumb", src: ctx.url(v.path), alt: v.caption || v.path,
        title: "click to enlarge" });
      img.addEventListener("click", open);
      img.addEventListener("error", function () {
        td.replaceChild(R.el("span", { class: "mb-placeholder", text: "image file missing: " + v.path }), img);
      });
      td.appendChild(img);
      var n = (v.boxes ? Object.keys(v.boxes).length : 0) + (v.masks ? Object.keys(v.masks).length : 0);
      if (n) td.appendChild(R.el("span", { class: "mb-cell-note", text: "+" + n + " layer" + (n > 1 ? "s" : "") }));
    } else if (v._type === "audio" && v.path) {
      var a = R.el("audio", { controls: true, preload: "none", class: "mb-cell-audio", src: ctx.url(v.path) });
      td.appendChild(a);
      if (v.duration) td.appendChild(R.el("span", { class: "mb-cell-note", text: R.duration(v.duration) }));
    } else if (v._type === "video" && v.path && v.format !== "gif") {
      var vid = R.el("video", { class: "mb-thumb", preload: "metadata", muted: true, src: ctx.url(v.path),
        title: "click to enlarge" });
      vid.addEventListener("click", open);
      td.appendChild(vid);
    } else {
      td.appendChild(R.el("button", { type: "button", class: "mb-cell-open", text: v._type + " \u25b8",
        title: "show this " + v._type, on: { click: open } }));
    }
    if (v.caption) td.appendChild(R.el("div", { class: "mb-cell-caption", text: String(v.caption) }));
  }

  /* An INCREMENTAL table up to `stub`: its increments among `all` ([{step, stub}]), in order. */
  function grow(stub, all) {
    var seen = {}, parts = [], data = [], steps = [];
    (all || []).forEach(function (e) {
      var s = e && e.stub;
      if (s && s.log_mode === "INCREMENTAL" && s.table_id === stub.table_id && s.increment <= stub.increment && !seen[s.increment]) {
        seen[s.increment] = 1;
        parts.push({ step: e.step, stub: s });
      }
    });
    parts.sort(function (a, b) { return a.stub.increment - b.stub.increment; });
    parts.forEach(function (p) {
      var t = MB.inlined(p.stub, p.stub.path);
      (t && Array.isArray(t.data) ? t.data : []).forEach(function (r) { data.push(r); steps.push(p.step); });
    });
    var own = MB.inlined(stub, stub.path);
    return { columns: own ? own.columns : stub.columns, data: data, steps: steps, parts: parts.length };
  }

  function render(el, stub, ctx) {
    if (!stub || stub.log_mode !== "INCREMENTAL" || !ctx || typeof ctx.loadAll !== "function") {
      return draw(el, stub, ctx, R.json(ctx, stub && stub.path));
    }
    var wait = R.el("div", { class: "mb-note", text: "loading the table's increments\u2026" });
    el.appendChild(wait);
    ctx.loadAll().then(function (all) {
      if (wait.parentNode !== el) return;  // drawn again or gone meanwhile
      el.removeChild(wait);
      draw(el, stub, ctx, grow(stub, all));
    }, function (err) { wait.textContent = "could not load the table's increments: " + err.message; });
  }

  function draw(el, stub, ctx, t) {
    if (!t || !Array.isArray(t.columns) || !Array.isArray(t.data)) {
      R.placeholder(el, "table file missing or not inlined: " + (stub && stub.path), ctx);
      return;
    }
    var kinds = stub.column_kinds || {};
    var steps = t.steps, cols = steps ? ["logged at step"].concat(t.columns) : t.columns;
    var rows = t.data.map(function (r, i) { return { i: i, r: steps ? [steps[i]].concat(r) : r }; });
    var st = {
      page: Number(R.state(ctx, "tablePage", 0)) || 0,
      sort: R.state(ctx, "tableSort", null),
      filter: String(R.state(ctx, "tableFilter", "") || "")
    };

    var box = R.el("div", { class: "mb-table" });
    var filter = R.el("input", { type: "search", class: "mb-table-filter", placeholder: "filter rows",
      "aria-label": "filter rows" });
    filter.value = st.filter;
    var info = R.el("span", { class: "mb-table-info" });
    var prev = R.el("button", { type: "button", class: "mb-page-prev", text: "\u2039 prev" });
    var next = R.el("button", { type: "button", class: "mb-page-next", text: "next \u203a" });
    box.appendChild(R.el("div", { class: "mb-table-bar" }, [filter, prev, info, next]));
    var table = R.el("table", { class: "mb-table-grid" });
    var thead = R.el("thead");
    var htr = R.el("tr", null, [R.el("th", { class: "mb-rownum", text: "#" })]);
    cols.forEach(function (name, c) {
      var th = R.el("th", { "data-col": String(c), title: "sort by " + name + " (" + (steps && !c ? "the step each row was logged at" : kinds[name] || "?") + ")" },
        [R.el("span", { text: String(name) }), R.el("span", { class: "mb-sort-mark" })]);
      th.addEventListener("click", function () {
        if (!st.sort || st.sort.col !== c) st.sort = { col: c, dir: 1 };
        else if (st.sort.dir === 1) st.sort = { col: c, dir: -1 };
        else st.sort = null;
        st.page = 0;
        R.setState(ctx, "tableSort", st.sort);
        R.setState(ctx, "tablePage", 0);
        draw();
      });
      htr.appendChild(th);
    });
    thead.appendChild(htr);
    var tbody = R.el("tbody");
    table.appendChild(thead);
    table.appendChild(tbody);
    box.appendChild(R.el("div", { class: "mb-table-scroll" }, [table]));
    box.appendChild(R.meta(steps ? [["rows", t.data.length], ["new at this step", stub.nrows], ["increments", t.parts],
      ["columns", t.columns.length]] : [["rows", stub.nrows !== undefined ? stub.nrows : t.data.length],
      ["columns", t.columns.length]]));
    el.appendChild(box);

    var timer = 0;
    filter.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        st.filter = filter.value;
        st.page = 0;
        R.setState(ctx, "tableFilter", st.filter);
        R.setState(ctx, "tablePage", 0);
        draw();
      }, 120);
    });
    prev.addEventListener("click", function () { st.page -= 1; R.setState(ctx, "tablePage", st.page); draw(); });
    next.addEventListener("click", function () { st.page += 1; R.setState(ctx, "tablePage", st.page); draw(); });

    function draw() {
      var view = rows;
      var q = st.filter.trim().toLowerCase();
      if (q) {
        view = view.filter(function (row) {
          return row.r.some(function (v) { return cellText(v).toLowerCase().indexOf(q) >= 0; });
        });
      }
      if (st.sort && st.sort.col < cols.length) {
        var c = st.sort.col, d = st.sort.dir;
        view = view.slice().sort(function (a, b) {
          var x = compare(a.r[c], b.r[c]);
          var nullish = a.r[c] === null || a.r[c] === undefined || b.r[c] === null || b.r[c] === undefined;
          return (nullish ? x : d * x) || a.i - b.i;
        });
      }
      var pages = Math.max(1, Math.ceil(view.length / PAGE));
      st.page = Math.max(0, Math.min(st.page, pages - 1));
      var start = st.page * PAGE, shown = view.slice(start, start + PAGE);
      R.clear(tbody);
      shown.forEach(function (row) {
        var tr = R.el("tr", { "data-row": String(row.i) }, [R.el("td", { class: "mb-rownum", text: String(row.i) })]);
        row.r.forEach(function (v, c) {
          var td = R.el("td");
          if (isStub(v)) mediaCell(td, v, ctx, "row " + row.i + ", " + cols[c]);
          else if (isJson(v)) jsonCell(td, v);
          else {
            td.textContent = MB.visible(cellText(v));
            if (typeof v === "number") td.className = "mb-num";
            if (v === null || v === undefined) td.className = "mb-null";
          }
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
      Array.prototype.forEach.call(htr.querySelectorAll("th[data-col]"), function (th) {
        var c = Number(th.getAttribute("data-col"));
        var on = st.sort && st.sort.col === c;
        th.setAttribute("aria-sort", on ? (st.sort.dir === 1 ? "ascending" : "descending") : "none");
        th.querySelector(".mb-sort-mark").textContent = on ? (st.sort.dir === 1 ? " \u25b2" : " \u25bc") : "";
      });
      info.textContent = view.length
        ? "rows " + (start + 1) + "\u2013" + (start + shown.length) + " of " + view.length +
          (view.length !== rows.length ? " (filtered from " + rows.length + ")" : "") +
          " \u00b7 page " + (st.page + 1) + "/" + pages
        : "no rows" + (q ? " match the filter" : "");
      prev.disabled = st.page <= 0;
      next.disabled = st.page >= pages - 1;
    }
    draw();
  }

  function destroy(el) {
    Array.prototype.forEach.call(el.querySelectorAll("audio,video"), function (a) { a.pause(); });
  }

  R.register("table", { render: render, destroy: destroy });
  R.openStub = openCell;
  // for the compare page's changed rows: the same cell drawing and the same sort order
  R.mediaCell = mediaCell;
  R.compareCells = compare;
  R.isStub = isStub;
  R.isJson = isJson;
  R.jsonCell = jsonCell;
  R.growTable = grow;
})();
