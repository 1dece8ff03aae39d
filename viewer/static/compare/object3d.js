/* object3d on the compare page: the linked camera (MB.compareModes.object3d; helpers in _sync.js,
   the hook at the top of compare.js). */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB || !MB.cmpSync) return;
  var h = MB.h;
  var S = MB.cmpSync;
  var listeners = S.listeners;
  var DEFAULT_CAMERA = { eye: { x: 1.25, y: 1.25, z: 1.25 }, center: { x: 0, y: 0, z: 0 }, up: { x: 0, y: 0, z: 1 } };

  // ---------------------------------------------------------------------------------------------
  // object3d: linked camera
  // ---------------------------------------------------------------------------------------------
  // a camera as plain numbers (plotly may hand back its own objects, with more keys)
  function norm(c) {
    if (!c || !c.eye) return null;
    var out = {};
    ["eye", "center", "up"].forEach(function (k) { if (c[k]) out[k] = { x: Number(c[k].x), y: Number(c[k].y), z: Number(c[k].z) }; });
    if (c.projection && c.projection.type) out.projection = { type: String(c.projection.type) };
    var ok = ["eye", "center", "up"].every(function (k) { return !out[k] || (isFinite(out[k].x) && isFinite(out[k].y) && isFinite(out[k].z)); });
    return ok ? out : null; // a hand-edited URL may hold anything
  }
  // a camera for the URL: 4 decimals are far below what the eye can tell apart
  function brief(c) {
    var out = {};
    Object.keys(c).forEach(function (k) {
      out[k] = k === "projection" ? c[k] : { x: +c[k].x.toFixed(4), y: +c[k].y.toFixed(4), z: +c[k].z.toFixed(4) };
    });
    return out;
  }
  function camOf(plot) { var s = plot._fullLayout && plot._fullLayout.scene; return norm(s && s.camera); }
  function sameCam(a, b) {
    if (!a || !b) return false;
    return ["eye", "center", "up"].every(function (k) {
      var p = a[k] || DEFAULT_CAMERA[k], q = b[k] || DEFAULT_CAMERA[k];
      return Math.abs(p.x - q.x) < 1e-4 && Math.abs(p.y - q.y) < 1e-4 && Math.abs(p.z - q.z) < 1e-4;
    });
  }
  function ready3d(plot) { return plot && plot._fullLayout && plot._fullLayout.scene && typeof plot.on === "function" && camOf(plot); }

  function linkedCamera(ctx) {
    var ls = listeners();
    var plots = []; // {el, cell, expects, onRelayout, onRelayouting, frame, live}
    // the camera the user last gave any scene, kept in the URL: a reload or a new step shows it
    var camera = norm(ctx.state("cam", null));
    var stopped = false;
    var bar = h("div", { class: "toolbar cmp-cam-bar", "data-linked": 0 });
    var reset = h("button", { type: "button", class: "cmp-cam-reset", text: "Reset view" });
    var status = h("span", { class: "muted cmp-cam-status" });
    bar.appendChild(h("span", { class: "muted", text: "linked camera: drag or scroll any view to move them all" }));
    bar.appendChild(reset);
    bar.appendChild(status);
    ctx.row.insertBefore(bar, ctx.root);

    // the cameras we gave a scene and whose relayout events have not come back yet
    function give(p, cam) {
      if (sameCam(camOf(p.el), cam)) return;
      p.expects.push(cam);
      if (p.expects.length > 32) p.expects.shift();
      var r = window.Plotly.relayout(p.el, { "scene.camera": cam });
      if (r && r.catch) r.catch(function () {});
    }
    function spread(from, cam, keep) {
      camera = cam;
      plots.forEach(function (p) { if (p !== from) give(p, cam); });
      if (keep) ctx.setState("cam", brief(cam));
    }
    function attach(cell, el) {
      var p = { el: el, cell: cell, expects: [], frame: 0, live: null };
      p.onRelayout = function (ev) {
        if (!ev || !Object.keys(ev).some(function (k) { return k === "scene" || k.indexOf("scene.camera") === 0; })) return;
        // the camera this event carries (a whole camera), else the one the scene now has
        var cam = norm(ev["scene.camera"]) || camOf(el);
        if (!cam) return;
        var mine = p.expects.findIndex(function (e) { return sameCam(e, cam); });
        if (mine >= 0) { p.expects.splice(0, mine + 1); return; } // the echo of our own relayout
        spread(p, cam, true);
      };
      // while dragging: at most one update of the others per frame
      p.onRelayouting = function (ev) {
        var cam = ev && norm(ev["scene.camera"]);
        if (!cam) return;
        p.live = cam;
        if (p.frame) return;
        p.frame = requestAnimationFrame(function () {
          p.frame = 0;
          if (!stopped && p.live) spread(p, p.live, false);
        });
      };
      el.on("plotly_relayout", p.onRelayout);
      el.on("plotly_relayouting", p.onRelayouting);
      plots.push(p);
      bar.setAttribute("data-linked", String(plots.length));
      status.textContent = plots.length + " of " + ctx.cells.length + " scenes linked";
      if (camera) give(p, camera);
    }
    // plotly draws after R.need loads it: each cell's scene is linked when it is ready
    var pending = ctx.cells.slice();
    function look() {
      pending = pending.filter(function (c) {
        var el = c.body.querySelector(".mb-plot3d");
        if (!el) return !c.body.querySelector(".mb-object3d"); // no scene in this cell (no preview)
        if (!ready3d(el)) return true;
        attach(c, el);
        return false;
      });
      if (!pending.length) { obs.disconnect(); clearInterval(poll); }
    }
    var obs = new MutationObserver(look);
    ctx.cells.forEach(function (c) { obs.observe(c.body, { childList: true, subtree: true }); });
    // plotly may finish its layout after its last DOM change; a scene that never draws (no
    // WebGL) is given up after a minute
    var tries = 0;
    var poll = setInterval(function () { if (++tries > 240) { obs.disconnect(); clearInterval(poll); } else look(); }, 250);
    look();
    ls.on(reset, "click", function () {
      camera = null;
      ctx.setState("cam", null);
      plots.forEach(function (p) { give(p, DEFAULT_CAMERA); });
    });
    return function () {
      stopped = true;
      ls.off();
      obs.disconnect();
      clearInterval(poll);
      plots.forEach(function (p) {
        if (p.frame) cancelAnimationFrame(p.frame);
        if (p.el.removeListener) {
          p.el.removeListener("plotly_relayout", p.onRelayout);
          p.el.removeListener("plotly_relayouting", p.onRelayouting);
        }
      });
      bar.remove();
    };
  }

  MB.compareModes.object3d = {
    modes: [["linked", "Linked camera"], ["side", "Independent cameras"]],
    linked: ["linked"],
    minCols: 2,
    note: "independent cameras: a linked camera needs a 3-D preview from at least two columns at this step",
    ready: function (mode, stubs) { return stubs.filter(function (s) { return !!s.preview; }).length >= 2; },
    render: linkedCamera,
  };
})();
