/* Artifacts page (#/artifacts/<project>?name=<name>&v=<version>&a=<version>&b=<version>), from
   data/artifacts.js (viewer/artifacts.py: the stores' manifests joined with the site's runs).
   - the project's artifact names (type, versions, aliases), one selected (?name=)
   - its versions: aliases, when, files, size, the run that logged it and the runs that used it
   - the lineage graph (SVG laid out here): runs that logged a version -> the versions -> runs
     that used them; a run opens its page, a version is selected (?v=)
   - the selected version: description, metadata, its files with sizes and digests
   - the diff of two versions' manifests (?a= ?b=): files added, removed and changed
   The index links to each project's page (MB.indexParts.artifacts) and each run page lists what
   the run logged and used (MB.runParts.artifacts). Every state is in the URL; the page follows
   new versions while runs log them (MB.onLive). Every user string goes in as text (MB.h "text"). */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB || !MB.registerView) return;
  var h = MB.h, hSvg = MB.hSvg;

  MB.store.artifacts = null;
  MB.data.artifacts = function (data) { MB.store.artifacts = data; };
  var pending = null;
  // a data script loaded afresh after each change of the site (the old one is stale)
  function load() {
    if (window.MB_INLINE) return Promise.resolve({ projects: [] }); // a single-file export holds none
    if (!pending) {
      pending = new Promise(function (resolve) {
        var s = document.createElement("script");
        s.src = "data/artifacts.js?t=" + Date.now();
        s.onload = function () { s.remove(); resolve(MB.store.artifacts || { projects: [] }); };
        s.onerror = function () { s.remove(); pending = null; resolve({ projects: [] }); };
        document.head.appendChild(s);
      });
    }
    return pending;
  }
  MB.onLive(function () { pending = null; });

  function fmtBytes(n) {
    if (n === null || n === undefined) return "—";
    if (n < 1024) return n + " B";
    var units = ["KiB", "MiB", "GiB", "TiB"], v = n / 1024, i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
    return (v < 10 ? v.toFixed(1) : Math.round(v)) + " " + units[i];
  }
  function files(n) { return n + (n === 1 ? " file" : " files"); }
  function short(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + "…" : s; }
  function artHref(project, name, version) {
    var q = { name: name };
    if (version !== undefined && version !== null) q.v = String(version);
    return MB.hashFor(["artifacts", project], new URLSearchParams(q));
  }
  function runLabel(r) { return r.name || r.run; }
  function runLink(r) {
    if (!r) return h("span", { class: "muted", text: "no run" });
    if (r.key) return h("a", { href: MB.hashFor(["run", r.key]), class: "art-run", text: runLabel(r) });
    return h("span", { class: "muted", title: "this run is not in the site", text: r.project + "/" + r.run });
  }
  function aliasChips(aliases) {
    return (aliases || []).map(function (a) { return h("span", { class: "art-alias", text: a }); });
  }
  function findProject(data, project) {
    return (data.projects || []).filter(function (p) { return p.project === project; })[0] || null;
  }

  // ---------------------------------------------------------------------------------------------
  // the page
  // ---------------------------------------------------------------------------------------------
  MB.registerView("artifacts", function (app, crumbs, view) {
    var alive = true;
    var project = view.path[1] || null;
    var section = h("section", { class: "artifacts" }, h("p", { class: "loading", text: "Loading artifacts…" }));
    app.appendChild(section);
    crumbs.appendChild(h("a", { href: "#/", text: "Runs" }));
    crumbs.appendChild(document.createTextNode(" / "));
    if (project) {
      crumbs.appendChild(h("a", { href: "#/artifacts", text: "Artifacts" }));
      crumbs.appendChild(document.createTextNode(" / "));
      crumbs.appendChild(h("span", { text: project }));
    } else crumbs.appendChild(document.createTextNode("Artifacts"));
    document.title = (project ? MB.visible(project) + " artifacts" : "Artifacts") + " — mediaboard";
    var stopLive = MB.onLive(function () { if (alive) MB.redrawView(); });

    load().then(function (data) {
      if (!alive) return;
      MB.clear(section);
      if (!project) { projectList(data); document.body.setAttribute("data-ready", "artifacts"); return; }
      var p = findProject(data, project);
      if (!p) {
        section.appendChild(h("h1", { text: "Artifacts" }));
        MB.placeholder(section, "No artifacts in project “" + MB.visible(project) + "” in this site.");
        document.body.setAttribute("data-ready", "artifacts");
        return;
      }
      projectPage(p);
      document.body.setAttribute("data-ready", "artifacts");
    });

    function projectList(data) {
      section.appendChild(h("h1", { text: "Artifacts" }));
      if (!(data.projects || []).length) { MB.placeholder(section, "No artifacts in this site: log one with run.log_artifact(...)."); return; }
      section.appendChild(h("ul", { class: "art-projects" }, data.projects.map(function (p) {
        return h("li", null, h("a", { href: MB.hashFor(["artifacts", p.project]), text: p.project }),
          h("span", { class: "muted", text: " · " + p.collections.map(function (c) { return c.name; }).join(", ") }));
      })));
    }

    function projectPage(p) {
      var q = view.q;
      var colls = p.collections;
      var coll = colls.filter(function (c) { return c.name === q.get("name"); })[0] || colls[0];
      section.appendChild(h("h1", null, "Artifacts ", h("span", { class: "muted", text: "· " + p.project })));
      var layout = h("div", { class: "art-layout" });
      section.appendChild(layout);
      // the names
      layout.appendChild(h("nav", { class: "art-names", "aria-label": "Artifact names" }, h("ul", null, colls.map(function (c) {
        var current = c === coll;
        return h("li", { class: current ? "current" : null },
          h("a", { href: artHref(p.project, c.name), "aria-current": current ? "page" : null, "data-name": c.name },
            h("b", { text: c.name }), h("span", { class: "muted", text: " " + c.type + " · " + c.versions.length + " version" + (c.versions.length === 1 ? "" : "s") })),
          h("div", { class: "art-aliases" }, Object.keys(c.aliases).sort().map(function (a) {
            return h("span", { class: "art-alias", text: a + " → v" + c.aliases[a] });
          })));
      }))));
      var main = h("div", { class: "art-main" });
      layout.appendChild(main);
      var versions = coll.versions;
      var byVersion = {};
      versions.forEach(function (v) { byVersion[v.version] = v; });
      var want = Number(q.get("v"));
      var sel = q.get("v") !== null && byVersion[want] ? byVersion[want] : versions[versions.length - 1];

      main.appendChild(h("h2", { id: "art-title" }, h("span", { text: coll.name }), " ", h("span", { class: "muted", text: "(" + coll.type + ")" })));
      main.appendChild(versionsTable(p.project, coll, sel));
      main.appendChild(h("h2", { text: "Lineage" }));
      main.appendChild(lineage(p.project, coll, sel));
      main.appendChild(details(coll, sel));
      main.appendChild(diffBox(coll, sel));
    }

    function versionsTable(project, coll, sel) {
      var head = h("tr", null, ["version", "aliases", "logged", "files", "size", "logged by", "used by"].map(function (t) {
        return h("th", { scope: "col", text: t });
      }));
      var rows = coll.versions.slice().reverse().map(function (v) {
        return h("tr", { class: v === sel ? "selected" : null, "data-version": String(v.version) },
          h("td", null, h("a", { href: artHref(project, coll.name, v.version), text: "v" + v.version })),
          h("td", null, aliasChips(v.aliases)),
          h("td", { text: v.created_at ? MB.fmtTime(v.created_at) : "—" }),
          h("td", { text: String(v.file_count) }),
          h("td", { text: fmtBytes(v.size) }),
          h("td", null, runLink(v.logged_by)),
          h("td", null, v.used_by.length ? v.used_by.map(function (r, i) { return [i ? ", " : null, runLink(r)]; }) : h("span", { class: "muted", text: "—" })));
      });
      return h("div", { class: "table-wrap" }, h("table", { class: "runs art-versions", "aria-label": "Versions of " + coll.name },
        h("thead", null, head), h("tbody", null, rows)));
    }

    // run -> version -> run, three columns; every node a link (a run: its page; a version: selected)
    function lineage(project, coll, sel) {
      var producers = [], consumers = [], seenP = {}, seenC = {};
      function id(r) { return r.project + "/" + r.run; }
      coll.versions.forEach(function (v) {
        if (v.logged_by && !seenP[id(v.logged_by)]) { seenP[id(v.logged_by)] = producers.length + 1; producers.push(v.logged_by); }
        v.used_by.forEach(function (r) { if (!seenC[id(r)]) { seenC[id(r)] = consumers.length + 1; consumers.push(r); } });
      });
      var ROW = 44, NODE_H = 30, W = 900, COLW = 220, TOP = 28;
      var xs = [20, (W - COLW) / 2, W - COLW - 20];
      var n = Math.max(producers.length, coll.versions.length, consumers.length, 1);
      var height = TOP + n * ROW + 8;
      function y(i, count) { return TOP + (n - count) * ROW / 2 + i * ROW; }
      var svg = hSvg("svg", { class: "art-lineage", id: "art-lineage", viewBox: "0 0 " + W + " " + height, role: "img",
        "aria-label": "Lineage of " + coll.name + ": runs that logged each version, and runs that used it", width: W, height: height });
      ["logged by", "versions", "used by"].forEach(function (t, i) {
        svg.appendChild(hSvg("text", { x: xs[i] + COLW / 2, y: 16, class: "art-col", "text-anchor": "middle", text: t }));
      });
      var edges = hSvg("g", { class: "art-edges" });
      svg.appendChild(edges);
      function edge(x1, y1, x2, y2, hot) {
        var mx = (x1 + x2) / 2;
        edges.appendChild(hSvg("path", { d: "M" + x1 + "," + y1 + " C" + mx + "," + y1 + " " + mx + "," + y2 + " " + x2 + "," + y2,
          class: "art-edge" + (hot ? " hot" : "") }));
      }
      function node(x, yy, label, sub, href, kind, extra) {
        var a = hSvg("a", { href: href, class: "art-node art-node-" + kind + (extra || ""), tabindex: "0", "data-label": label },
          hSvg("title", { text: label + (sub ? " · " + sub : "") }),
          hSvg("rect", { x: x, y: yy, width: COLW, height: NODE_H, rx: 6 }),
          hSvg("text", { x: x + 10, y: yy + 19, text: short(label, sub ? 18 : 30) }));
        if (sub) a.appendChild(hSvg("text", { x: x + COLW - 8, y: yy + 19, "text-anchor": "end", class: "art-sub", text: short(sub, 14) }));
        svg.appendChild(a);
        return a;
      }
      var vy = {};
      coll.versions.forEach(function (v, i) { vy[v.version] = y(i, coll.versions.length) + NODE_H / 2; });
      coll.versions.forEach(function (v) {
        var hot = v === sel;
        if (v.logged_by) edge(xs[0] + COLW, y(seenP[id(v.logged_by)] - 1, producers.length) + NODE_H / 2, xs[1], vy[v.version], hot);
        v.used_by.forEach(function (r) { edge(xs[1] + COLW, vy[v.version], xs[2], y(seenC[id(r)] - 1, consumers.length) + NODE_H / 2, hot); });
      });
      function runNode(r, i, count, col) {
        var href = r.key ? MB.hashFor(["run", r.key]) : null;
        var a = node(xs[col], y(i, count), runLabel(r), r.key ? null : "not in site", href || "#", "run", r.key ? "" : " missing");
        a.setAttribute("data-run", r.key || "");
        if (!r.key) a.addEventListener("click", function (e) { e.preventDefault(); });
      }
      producers.forEach(function (r, i) { runNode(r, i, producers.length, 0); });
      consumers.forEach(function (r, i) { runNode(r, i, consumers.length, 2); });
      coll.versions.forEach(function (v, i) {
        var a = node(xs[1], y(i, coll.versions.length), coll.name + ":v" + v.version, (v.aliases || []).join(", "),
          artHref(project, coll.name, v.version), "version", v === sel ? " selected" : "");
        a.setAttribute("data-version", String(v.version));
      });
      if (!producers.length && !consumers.length) {
        svg.appendChild(hSvg("text", { x: W / 2, y: height - 4, "text-anchor": "middle", class: "art-col", text: "no run logged or used these versions" }));
      }
      return h("div", { class: "art-graph" }, svg);
    }

    function details(coll, v) {
      var box = h("section", { class: "art-details", id: "art-details", "aria-label": "Version v" + v.version });
      box.appendChild(h("h2", null, h("span", { text: coll.name + ":v" + v.version }), " ", aliasChips(v.aliases)));
      box.appendChild(h("p", { class: "muted" }, [
        "logged ", v.created_at ? MB.fmtTime(v.created_at) : "—", " by ", runLink(v.logged_by),
        " · " + files(v.file_count) + " · " + fmtBytes(v.size),
        v.digest ? [" · digest ", h("code", { title: v.digest, text: v.digest.slice(0, 12) })] : null,
        v.linked_from ? " · linked from " + v.linked_from.project + "/" + v.linked_from.name + ":v" + v.linked_from.version : null,
      ]));
      if (v.description) box.appendChild(h("p", { class: "art-description", text: v.description }));
      box.appendChild(h("h3", { text: "Metadata" }));
      box.appendChild(MB.kvTable(v.metadata, "metadata"));
      box.appendChild(h("h3", { text: "Files" }));
      box.appendChild(filesTable(v.files, "Files of v" + v.version));
      return box;
    }

    function filesTable(files, label, change) {
      return h("div", { class: "table-wrap art-files-wrap" }, h("table", { class: "runs art-files", "aria-label": label },
        h("thead", null, h("tr", null, (change ? ["change"] : []).concat(["path", "size", "sha256"]).map(function (t) { return h("th", { scope: "col", text: t }); }))),
        h("tbody", null, files.map(function (f) {
          return h("tr", { "data-change": f.change || null },
            change ? h("td", null, h("span", { class: "art-change art-change-" + f.change, text: f.change })) : null,
            h("td", { class: "art-path", title: f.path, text: f.path }),
            h("td", { text: f.before ? fmtBytes(f.before.size) + " → " + fmtBytes(f.size) : fmtBytes(f.size) }),
            h("td", null, f.ref ? h("span", { title: f.ref, text: "ref " + short(f.ref, 40) })
              : h("code", { title: f.digest || "", text: f.digest ? f.digest.slice(0, 12) : "—" })));
        }))));
    }

    function diffBox(coll, sel) {
      var box = h("section", { class: "art-diff", id: "art-diff", "aria-label": "Compare two versions" });
      box.appendChild(h("h2", { text: "Compare versions" }));
      if (coll.versions.length < 2) { box.appendChild(h("p", { class: "muted", text: "One version only: nothing to compare." })); return box; }
      var byVersion = {};
      coll.versions.forEach(function (v) { byVersion[v.version] = v; });
      var q = view.q;
      var i = coll.versions.indexOf(sel);
      var dflt = coll.versions[i > 0 ? i - 1 : 1];
      var a = byVersion[Number(q.get("a"))] && q.get("a") !== null ? byVersion[Number(q.get("a"))] : (sel === dflt ? coll.versions[0] : dflt);
      var b = byVersion[Number(q.get("b"))] && q.get("b") !== null ? byVersion[Number(q.get("b"))] : sel;
      function select(name, cur) {
        var s = h("select", { "aria-label": name === "a" ? "from version" : "to version", id: "art-diff-" + name },
          coll.versions.map(function (v) { return h("option", { value: String(v.version), text: "v" + v.version + (v.aliases.length ? " (" + v.aliases.join(", ") + ")" : "") }); }));
        s.value = String(cur.version);
        s.addEventListener("change", function () { MB.setParam(name, s.value); draw(); });
        return s;
      }
      var sa = select("a", a), sb = select("b", b);
      box.appendChild(h("div", { class: "toolbar" }, "from ", sa, " to ", sb));
      var out = h("div", { class: "art-diff-out" });
      box.appendChild(out);
      function draw() {
        MB.clear(out);
        var A = byVersion[Number(sa.value)], B = byVersion[Number(sb.value)];
        var d = diff(A.files, B.files);
        out.appendChild(h("p", { class: "art-diff-counts" }, [
          h("span", { class: "art-change art-change-added", text: d.added + " added" }), " ",
          h("span", { class: "art-change art-change-removed", text: d.removed + " removed" }), " ",
          h("span", { class: "art-change art-change-changed", text: d.changed + " changed" }),
          h("span", { class: "muted", text: " · " + d.same + " unchanged" })]));
        if (d.rows.length) out.appendChild(filesTable(d.rows, "Changes from v" + A.version + " to v" + B.version, true));
        else out.appendChild(h("p", { class: "muted", text: "The two versions hold the same files." }));
      }
      draw();
      return box;
    }
    return { destroy: function () { alive = false; stopLive(); } };
  });

  // files of A against files of B, by path: added, removed, changed (digest, reference or size)
  function diff(fa, fb) {
    var ia = {}, ib = {}, rows = [], out = { added: 0, removed: 0, changed: 0, same: 0 };
    fa.forEach(function (f) { ia[f.path] = f; });
    fb.forEach(function (f) { ib[f.path] = f; });
    var paths = Object.keys(ia).concat(Object.keys(ib).filter(function (p) { return !(p in ia); })).sort();
    paths.forEach(function (p) {
      var x = ia[p], y = ib[p];
      if (!x) { out.added += 1; rows.push(Object.assign({ change: "added" }, y)); }
      else if (!y) { out.removed += 1; rows.push(Object.assign({ change: "removed" }, x)); }
      else if (x.digest !== y.digest || x.ref !== y.ref || x.size !== y.size) {
        out.changed += 1; rows.push(Object.assign({ change: "changed", before: x }, y));
      } else out.same += 1;
    });
    out.rows = rows;
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // the index: a link to each project's artifacts
  // ---------------------------------------------------------------------------------------------
  MB.indexParts = MB.indexParts || {};
  MB.indexParts.artifacts = function (indexEl) {
    if (window.MB_INLINE) return null;
    var box = h("nav", { class: "art-index", id: "artifacts-links", hidden: true, "aria-label": "Artifacts" });
    var table = indexEl.querySelector(".table-wrap");
    indexEl.insertBefore(box, table || null);
    var alive = true;
    function draw(data) {
      if (!alive) return;
      MB.clear(box);
      var ps = data.projects || [];
      box.hidden = !ps.length;
      if (!ps.length) return;
      box.appendChild(h("b", { text: "Artifacts: " }));
      ps.forEach(function (p, i) {
        var n = p.collections.length;
        box.appendChild(h("span", null, i ? " · " : null, h("a", { href: MB.hashFor(["artifacts", p.project]), text: p.project }),
          h("span", { class: "muted", text: " (" + n + " name" + (n === 1 ? "" : "s") + ")" })));
      });
    }
    load().then(draw);
    var stop = MB.onLive(function () { load().then(draw); });
    return { destroy: function () { alive = false; stop(); } };
  };

  // ---------------------------------------------------------------------------------------------
  // the run page: what this run logged and used
  // ---------------------------------------------------------------------------------------------
  MB.runParts = MB.runParts || {};
  MB.runParts.artifacts = function (run) {
    if (window.MB_INLINE) return null;
    var holder = h("div", { class: "art-run-part", hidden: true });
    function draw(data) {
      if (!holder.isConnected && holder.dataset.drawn) return;
      holder.dataset.drawn = "1";
      MB.clear(holder);
      var logged = [], used = [];
      (data.projects || []).forEach(function (p) {
        p.collections.forEach(function (c) {
          c.versions.forEach(function (v) {
            var item = { project: p.project, name: c.name, type: c.type, v: v };
            if (v.logged_by && v.logged_by.key === run.key) logged.push(item);
            if (v.used_by.some(function (r) { return r.key === run.key; })) used.push(item);
          });
        });
      });
      holder.hidden = !logged.length && !used.length;
      if (holder.hidden) return;
      function list(items, id) {
        if (!items.length) return h("p", { class: "muted", text: "none" });
        return h("ul", { class: "art-run-list", id: id }, items.map(function (it) {
          return h("li", null, h("a", { href: artHref(it.project, it.name, it.v.version), text: it.name + ":v" + it.v.version }),
            " ", aliasChips(it.v.aliases),
            h("span", { class: "muted", text: " " + it.type + " · " + files(it.v.file_count) + " · " + fmtBytes(it.v.size) }));
        }));
      }
      holder.appendChild(MB.fold("artifacts", ["Artifacts ", h("span", { class: "muted", text: "(" + logged.length + " logged, " + used.length + " used)" })],
        h("div", { class: "art-run-body" }, h("h3", { text: "Logged" }), list(logged, "art-logged"),
          h("h3", { text: "Used" }), list(used, "art-used")), { class: "art-run-section" }));
    }
    load().then(draw);
    var stop = MB.onLive(function () {
      if (!holder.isConnected) { stop(); return; }
      load().then(draw);
    });
    return holder;
  };
})();
