/* Object3D: the JSON preview as an interactive plotly.js 3-D scene: points (coloured by
 * category, by rgb, or by height), mesh triangles, boxes as 12-edge wireframes with labels,
 * vectors as lines. The full file (PLY or the model) is offered as a download link. */
(function () {
  "use strict";
  var MB = window.MB;
  var R = MB.R;
  var MAX_CATEGORY_TRACES = 24;

  function sub(a, b) { return [a[0] - b[0], a[1] - b[1], a[2] - b[2]]; }
  function add(a, b) { return [a[0] + b[0], a[1] + b[1], a[2] + b[2]]; }
  function near(a, b, tol) {
    return Math.abs(a[0] - b[0]) <= tol && Math.abs(a[1] - b[1]) <= tol && Math.abs(a[2] - b[2]) <= tol;
  }

  /* The 12 edges of 8 corners given in any order: find three edge vectors from corner 0 whose
   * subset sums reach every corner; an edge joins corners that differ by one of them. */
  function boxEdges(c) {
    var span = 0;
    c.forEach(function (p) { span = Math.max(span, Math.abs(p[0]), Math.abs(p[1]), Math.abs(p[2])); });
    var tol = 1e-6 * Math.max(1, span);
    var d = c.map(function (p) { return sub(p, c[0]); });
    function indexOf(v) { for (var i = 0; i < 8; i++) if (near(d[i], v, tol)) return i; return -1; }
    for (var a = 1; a < 8; a++) for (var b = a + 1; b < 8; b++) for (var e = b + 1; e < 8; e++) {
      var vs = [d[a], d[b], d[e]];
      var code = {}, ok = true;
      for (var m = 0; m < 8 && ok; m++) {
        var v = [0, 0, 0];
        for (var k = 0; k < 3; k++) if (m & (1 << k)) v = add(v, vs[k]);
        var i = indexOf(v);
        if (i < 0 || code[i] !== undefined) ok = false; else code[i] = m;
      }
      if (!ok) continue;
      var edges = [];
      for (var p = 0; p < 8; p++) for (var q = p + 1; q < 8; q++) {
        var x = code[p] ^ code[q];
        if (x === 1 || x === 2 || x === 4) edges.push([p, q]);
      }
      return edges;
    }
    // Not a parallelepiped: wandb's corner order (bottom face 0-3, top face 4-7).
    return [[0, 1], [1, 2], [2, 3], [3, 0], [4, 5], [5, 6], [6, 7], [7, 4], [0, 4], [1, 5], [2, 6], [3, 7]];
  }

  function rgbStr(c) { return "rgb(" + Math.round(c[0]) + "," + Math.round(c[1]) + "," + Math.round(c[2]) + ")"; }

  function pointTraces(pv) {
    var pts = Array.isArray(pv.points) ? pv.points : [];
    var fmt = pv.point_format || (pts[0] && pts[0].length === 6 ? "xyzrgb" : pts[0] && pts[0].length === 4 ? "xyzc" : "xyz");
    var col = function (k) { return pts.map(function (p) { return p[k]; }); };
    var marker = { size: pts.length > 20000 ? 1.2 : pts.length > 2000 ? 2 : 3 };
    if (fmt === "xyzc") {
      var cats = {};
      pts.forEach(function (p) { var c = p[3]; (cats[c] = cats[c] || []).push(p); });
      var keys = Object.keys(cats).sort(function (a, b) { return Number(a) - Number(b); });
      if (keys.length <= MAX_CATEGORY_TRACES) {
        return keys.map(function (k) {
          var ps = cats[k];
          return { type: "scatter3d", mode: "markers", name: "category " + k,
            x: ps.map(function (p) { return p[0]; }), y: ps.map(function (p) { return p[1]; }),
            z: ps.map(function (p) { return p[2]; }),
            marker: Object.assign({ color: R.color(Number(k)) }, marker), hoverinfo: "x+y+z+name" };
        });
      }
      return [{ type: "scatter3d", mode: "markers", name: "points", x: col(0), y: col(1), z: col(2),
        marker: Object.assign({ color: pts.map(function (p) { return R.color(p[3]); }) }, marker) }];
    }
    if (fmt === "xyzrgb") {
      return [{ type: "scatter3d", mode: "markers", name: "points", x: col(0), y: col(1), z: col(2),
        marker: Object.assign({ color: pts.map(function (p) { return rgbStr([p[3], p[4], p[5]]); }) }, marker) }];
    }
    return [{ type: "scatter3d", mode: "markers", name: "points", x: col(0), y: col(1), z: col(2),
      marker: Object.assign({ color: col(2), colorscale: "Viridis" }, marker) }];
  }

  function boxTraces(boxes) {
    var traces = [];
    (boxes || []).forEach(function (b, n) {
      var c = b.corners;
      if (!Array.isArray(c) || c.length !== 8) return;
      var x = [], y = [], z = [];
      boxEdges(c).forEach(function (e) {
        x.push(c[e[0]][0], c[e[1]][0], null);
        y.push(c[e[0]][1], c[e[1]][1], null);
        z.push(c[e[0]][2], c[e[1]][2], null);
      });
      var colour = Array.isArray(b.color) ? rgbStr(b.color) : R.color(n);
      var label = (b.label !== undefined && b.label !== null ? String(b.label) : "box " + n) +
        (b.score !== undefined && b.score !== null ? " " + R.num(b.score, 3) : "");
      label = R.ptext(label);
      traces.push({ type: "scatter3d", mode: "lines", name: label, x: x, y: y, z: z,
        line: { color: colour, width: 4 }, hoverinfo: "name", showlegend: false, meta: "box" });
      var top = c.reduce(function (m, p) { return p[2] > m[2] ? p : m; }, c[0]);
      traces.push({ type: "scatter3d", mode: "text", x: [top[0]], y: [top[1]], z: [top[2]], text: [label],
        textfont: { color: colour, size: 12 }, textposition: "top center", hoverinfo: "skip", showlegend: false,
        meta: "box-label" });
    });
    return traces;
  }

  function vectorTraces(vectors) {
    if (!vectors || !vectors.length) return [];
    var x = [], y = [], z = [];
    vectors.forEach(function (v) {
      var s = v.start || [0, 0, 0], e = v.end;
      if (!e) return;
      x.push(s[0], e[0], null); y.push(s[1], e[1], null); z.push(s[2], e[2], null);
    });
    var ends = vectors.filter(function (v) { return v.end; });
    return [
      { type: "scatter3d", mode: "lines", name: "vectors", x: x, y: y, z: z,
        line: { color: "rgb(214,39,40)", width: 5 }, showlegend: false, meta: "vectors" },
      { type: "scatter3d", mode: "markers", name: "vector ends", showlegend: false, meta: "vectors",
        x: ends.map(function (v) { return v.end[0]; }), y: ends.map(function (v) { return v.end[1]; }),
        z: ends.map(function (v) { return v.end[2]; }),
        marker: { size: 4, symbol: "diamond", color: "rgb(214,39,40)" } }];
  }

  function meshTrace(pv) {
    var pts = pv.points, f = pv.faces;
    var colours = pts.length && pts[0].length === 6 ? pts.map(function (p) { return rgbStr([p[3], p[4], p[5]]); }) : null;
    var t = { type: "mesh3d", name: "mesh", x: pts.map(function (p) { return p[0]; }),
      y: pts.map(function (p) { return p[1]; }), z: pts.map(function (p) { return p[2]; }),
      i: f.map(function (t3) { return t3[0]; }), j: f.map(function (t3) { return t3[1]; }),
      k: f.map(function (t3) { return t3[2]; }), flatshading: true,
      lighting: { ambient: 0.5, diffuse: 0.8 } };
    if (colours) t.vertexcolor = colours; else t.color = "rgb(170,180,200)";
    return t;
  }

  function render(el, stub, ctx) {
    var fig = R.el("figure", { class: "mb-object3d" });
    var pv = stub.preview ? R.json(ctx, stub.preview) : undefined;
    if (!pv) {
      R.placeholder(fig, stub.preview_skipped
        ? "no 3-D preview: " + stub.preview_skipped
        : "3-D preview missing or not inlined: " + (stub.preview || "(none in stub)"), ctx);
    } else {
      // the panel's last scene when the shell hands it back (ctx.reuse): Plotly.react redraws it
      // in the same WebGL context and, with a fixed uirevision, keeps the user's camera
      var plot = ctx.reuse && ctx.reuse.classList.contains("mb-plot3d") ? ctx.reuse : R.el("div", { class: "mb-plot mb-plot3d" });
      fig.appendChild(plot);
      var traces = Array.isArray(pv.faces) && pv.faces.length ? [meshTrace(pv)] : pointTraces(pv);
      traces = traces.concat(boxTraces(pv.boxes), vectorTraces(pv.vectors));
      var axis = { title: { text: "" }, showspikes: false };
      var legend = traces.filter(function (t) { return t.showlegend !== false; }).length > 1;
      // a reused scene keeps the camera it has (turned by the user or by a linked view)
      var old = plot._fullLayout && plot._fullLayout.scene && plot._fullLayout.scene.camera;
      var camera = old ? JSON.parse(JSON.stringify(old)) : undefined;
      R.need("plotly", "Plotly").then(function () { return Plotly.react(plot, traces, {
        height: 440, uirevision: "panel", margin: { l: 0, r: 0, t: 0, b: 0 }, showlegend: legend,
        legend: { x: 0, y: 1, bgcolor: "rgba(255,255,255,0.6)" }, paper_bgcolor: "rgba(0,0,0,0)",
        scene: { aspectmode: "data", camera: camera, xaxis: Object.assign({}, axis, { title: { text: "x" } }),
          yaxis: Object.assign({}, axis, { title: { text: "y" } }), zaxis: Object.assign({}, axis, { title: { text: "z" } }) }
      }, { responsive: true, displaylogo: false }); }).catch(function (e) {
        R.clear(plot);
        R.placeholder(plot, "3-D view failed (WebGL?): " + (e && e.message || e), ctx);
      });
    }
    var cap = R.caption(stub.caption);
    if (cap) fig.appendChild(R.el("figcaption", null, [cap]));
    var shownPts = stub.preview_points !== undefined ? stub.preview_points : null;
    fig.appendChild(R.meta([
      stub.points !== undefined ? ["points", stub.points] : null,
      shownPts !== null && shownPts !== stub.points ? "preview shows " + shownPts + " (seeded sample)" : null,
      stub.point_format ? stub.point_format : null,
      stub.faces ? ["triangles", stub.faces] : null,
      stub.boxes ? ["boxes", stub.boxes] : null,
      stub.vectors ? ["vectors", stub.vectors] : null,
      stub.nonfinite ? stub.nonfinite + " NaN/inf points left out" : null,
      stub.format ? stub.format : null]));
    if (stub.path) {
      fig.appendChild(R.el("a", { class: "mb-download", href: ctx.url(stub.path), download: "",
        text: "download " + stub.path.split("/").pop() }));
    }
    el.appendChild(fig);
  }

  function destroy(el) {
    var p = el.querySelector(".mb-plot3d");
    if (p && typeof Plotly !== "undefined") Plotly.purge(p);
  }

  R.register("object3d", { render: render, destroy: destroy, reuse: true });
  R.boxEdges = boxEdges;
})();
