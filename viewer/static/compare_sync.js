/* Linked playback and views on the compare page (MB.compareModes.audio / .video / .object3d; the
   hook is described at the top of compare.js). Columns are runs or `<run>@<step>`.
   - audio "A/B toggle": one transport for the row (a button per column, lettered A, B, C… in the
     column's colour; one waveform lane per column on one time axis, click a lane to hear that
     column from there; play/pause, position, time). One <audio> element per column; only the
     selected one is unmuted and playing. Switching pauses and mutes the old one, seeks the new one
     to the same time (clamped to its length), unmutes it and plays it if the old one was playing.
     Keys while focus is in the row: 1..9 pick a column, x swaps with the one picked before, space
     (on the transport) plays or pauses. State: ps[key].ab = the selected column.
   - video "Play in sync": every cell keeps its native player; play, pause, seek and rate on any
     of them apply to all (a clip shorter than the time is held at its last frame), plus a bar with
     play all / pause all / a scrubber / the time / a rate menu. While playing, a clip that drifts
     more than DRIFT from the first playing one is put back. GIF clips are <img>: they are left
     alone and a note says so.
   - object3d "Linked camera": rotating or zooming one cell's 3-D scene gives every other cell the
     same camera (live while dragging); "Reset view" sets the default camera on all. State:
     ps[key].cam = the linked camera (eye, center, up), so a reload or a new step keeps it.
   Loops are guarded by idempotence (a cell already in the wanted state is not touched) and by
   expectations (the event a cell fires because we changed it is recognised and not passed on).
   Test hooks: .cmp-ab[data-selected][data-playing], .cmp-ab-pick[data-col][aria-pressed],
   audio.cmp-ab-audio[data-col]; .cmp-sync-bar[data-videos][data-gifs], .cmp-sync-note;
   .cmp-cam-bar[data-linked] (the number of linked scenes). Every user string goes in as text. */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB) return;
  MB.compareModes = MB.compareModes || {};
  var h = MB.h;
  var LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  var SEEK_TOL = 0.05; // s: a seek closer than this to where a clip already is does nothing
  var DRIFT = 0.25; // s: clips playing in sync further apart than this are put back together
  var RATES = [0.25, 0.5, 1, 1.5, 2];
  var LANE_PX = 30; // height of one column's waveform lane in the A/B view
  var DEFAULT_CAMERA = { eye: { x: 1.25, y: 1.25, z: 1.25 }, center: { x: 0, y: 0, z: 0 }, up: { x: 0, y: 0, z: 1 } };

  // every listener a mode adds goes through one of these, so cleanup removes them all
  function listeners() {
    var list = [];
    return {
      on: function (target, type, fn, opts) { target.addEventListener(type, fn, opts); list.push([target, type, fn, opts]); },
      off: function () { list.forEach(function (l) { l[0].removeEventListener(l[1], l[2], l[3]); }); list = []; },
    };
  }
  // play() rejects when a pause or a new source interrupts it: expected here, not an error
  function play(el) {
    var p = el.play();
    if (p && p.catch) p.catch(function () {});
  }
  function finite(d) { return typeof d === "number" && isFinite(d) && d > 0 ? d : null; }
  function clock(t) {
    if (!isFinite(t) || t < 0) t = 0;
    var m = Math.floor(t / 60), s = t - m * 60;
    return m + ":" + (s < 10 ? "0" : "") + s.toFixed(1);
  }
  function swatch(color) { return h("span", { class: "cmp-swatch", style: "background:" + color, "aria-hidden": "true" }); }
  function typing(e) {
    var t = e.target && e.target.tagName;
    return t === "SELECT" || t === "TEXTAREA" || (t === "INPUT" && e.target.type !== "range") || (e.target && e.target.isContentEditable);
  }
  // the compare page moves its step cursor on arrow keys anywhere; a slider of ours keeps them
  function keepArrows(ls, input) {
    ls.on(input, "keydown", function (e) {
      if (e.key === "ArrowLeft" || e.key === "ArrowRight" || e.key === "Home" || e.key === "End" ||
          e.key === "ArrowUp" || e.key === "ArrowDown" || e.key === "PageUp" || e.key === "PageDown") e.stopPropagation();
    });
  }

  // the build's min/max envelope of an audio file ({min, max} or [[min, max], ...]), or null
  function envelope(stub) {
    var w = stub.__waveform || stub.peaks || stub.waveform;
    if (w && Array.isArray(w.min) && Array.isArray(w.max)) return { min: w.min, max: w.max };
    if (Array.isArray(w) && w.length && Array.isArray(w[0])) {
      return { min: w.map(function (p) { return p[0]; }), max: w.map(function (p) { return p[1]; }) };
    }
    return null;
  }
  /* One lane per column, one time axis (the longest clip): each envelope in its column's
     colour, the selected lane solid and the others faint, and the playhead across them all. */
  function drawLanes(canvas, lanes, sel, t, total) {
    var dpr = window.devicePixelRatio || 1;
    var w = canvas.clientWidth || 480, lh = LANE_PX, hgt = lh * lanes.length;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(hgt * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(hgt * dpr);
    }
    var g = canvas.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, hgt);
    lanes.forEach(function (lane, i) {
      var top = i * lh, mid = top + lh / 2, half = lh / 2 - 2;
      g.globalAlpha = i === sel ? 1 : 0.3;
      g.fillStyle = lane.color;
      var span = total > 0 && lane.duration ? Math.min(1, lane.duration / total) * w : w;
      var env = lane.env, n = env ? env.min.length : 0;
      if (!n) { g.fillRect(0, mid, span, 1); return; }
      for (var x = 0; x < span; x++) {
        var a = Math.floor(x * n / span), b = Math.max(a + 1, Math.floor((x + 1) * n / span));
        var lo = 0, hi = 0;
        for (var k = a; k < b && k < n; k++) { lo = Math.min(lo, env.min[k]); hi = Math.max(hi, env.max[k]); }
        var y0 = mid - Math.min(1, hi) * half, y1 = mid - Math.max(-1, lo) * half;
        g.fillRect(x, y0, 1, Math.max(1, y1 - y0));
      }
    });
    g.globalAlpha = 1;
    g.fillStyle = "rgba(0,0,0,0.12)";
    g.fillRect(0, sel * lh, w, 1);
    g.fillRect(0, (sel + 1) * lh - 1, w, 1);
    if (total > 0) {
      g.fillStyle = "#000";
      g.fillRect(Math.min(w - 1, Math.round(t / total * w)), 0, 1, hgt);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // audio: A/B toggle
  // ---------------------------------------------------------------------------------------------
  function audioAB(ctx) {
    var ls = listeners();
    // cells drawn in "side" mode stay in the (hidden) cells: they must not keep playing
    ctx.cells.forEach(function (c) {
      Array.prototype.forEach.call(c.body.querySelectorAll("audio"), function (a) { a.pause(); });
    });
    var n = ctx.cells.length;
    var want = ctx.state("ab", null);
    var sel = Math.max(0, ctx.cells.findIndex(function (c) { return c.run.col === want; }));
    var prev = sel === 0 ? 1 : 0;
    var els = ctx.cells.map(function (c, i) {
      var a = h("audio", { class: "cmp-ab-audio", preload: "auto", src: c.url(c.stub.path), "data-col": c.run.col, "data-index": i });
      a.muted = i !== sel;
      return a;
    });
    var picks = ctx.cells.map(function (c, i) {
      return h("button", { type: "button", class: "cmp-ab-pick", "data-col": c.run.col, "data-index": i,
        style: "border-color:" + c.run.color, title: "listen to " + c.run.label + (i < 9 ? " (key " + (i + 1) + ")" : "") },
        h("b", { class: "cmp-ab-letter", text: LETTERS[i % LETTERS.length] }), " ", swatch(c.run.color), " ",
        h("span", { class: "cmp-ab-label", text: c.run.label }));
    });
    var playBtn = h("button", { type: "button", class: "cmp-ab-play", text: "▶ Play" });
    var pos = h("input", { type: "range", class: "cmp-ab-pos", min: 0, max: 1, step: 0.01, value: 0, "aria-label": "position in " + ctx.key });
    var time = h("output", { class: "cmp-ab-time", "aria-live": "off" });
    var note = h("span", { class: "cmp-ab-note muted", role: "note" });
    var lanes = ctx.cells.map(function (c) { return { color: c.run.color, env: envelope(c.stub), duration: finite(c.stub.duration) }; });
    var canvas = h("canvas", { class: "cmp-ab-lanes", style: "height:" + LANE_PX * n + "px", role: "img",
      "aria-label": "waveforms of every column on one time axis; click a lane to hear that column from there" });
    var box = h("div", { class: "cmp-ab", role: "group", tabindex: "0", "aria-label": "A/B player for " + ctx.key },
      h("div", { class: "cmp-ab-picks", role: "group", "aria-label": "which column to hear" }, picks),
      canvas,
      h("div", { class: "cmp-ab-transport" }, playBtn, pos, time),
      h("div", { class: "cmp-ab-help muted", text: "keys: 1–" + Math.min(9, n) + " pick · x swap with the last · space play/pause" }),
      note, els);
    ctx.root.appendChild(box);

    function cur() { return els[sel]; }
    function playing() { var a = cur(); return !a.paused && !a.ended; }
    function show() {
      var a = cur();
      var d = finite(a.duration) || finite(ctx.cells[sel].stub.duration) || 0;
      picks.forEach(function (b, i) {
        b.setAttribute("aria-pressed", i === sel ? "true" : "false");
        b.classList.toggle("playing", i === sel && playing());
      });
      box.setAttribute("data-selected", String(sel));
      box.setAttribute("data-playing", playing() ? "1" : "0");
      playBtn.textContent = playing() ? "❚❚ Pause" : "▶ Play";
      playBtn.setAttribute("aria-label", (playing() ? "Pause " : "Play ") + ctx.cells[sel].run.label);
      pos.max = String(d || 1);
      if (!scrubbing) pos.value = String(a.currentTime || 0);
      time.textContent = clock(a.currentTime || 0) + " / " + clock(d);
      draw();
    }
    function total() {
      return els.reduce(function (m, e, i) { return Math.max(m, finite(e.duration) || lanes[i].duration || 0); }, 0);
    }
    function draw() {
      els.forEach(function (e, i) { if (finite(e.duration)) lanes[i].duration = e.duration; });
      drawLanes(canvas, lanes, sel, cur().currentTime || 0, total());
    }
    // the playhead moves smoothly while playing (timeupdate comes only a few times a second)
    var raf = 0;
    function tick() { raf = 0; draw(); if (playing()) raf = requestAnimationFrame(tick); }
    function pick(i) {
      if (i < 0 || i >= n || i === sel) return;
      var from = cur(), to = els[i];
      var t = from.currentTime || 0, was = playing();
      from.pause();
      from.muted = true;
      var d = finite(to.duration);
      // seek first, then unmute: the new column is heard from the same moment, never from 0
      var end = d !== null && t >= d - SEEK_TOL;
      to.currentTime = d !== null ? Math.min(t, d) : t;
      to.muted = false;
      prev = sel;
      sel = i;
      note.textContent = end ? ctx.cells[i].run.label + " is only " + clock(d) + " long: held at its end" : "";
      if (was && !end) play(to);
      ctx.setState("ab", ctx.cells[i].run.col);
      show();
    }
    function toggle() {
      var a = cur();
      if (playing()) a.pause();
      else { note.textContent = ""; play(a); }
    }
    var scrubbing = false;
    picks.forEach(function (b, i) { ls.on(b, "click", function () { pick(i); }); });
    ls.on(playBtn, "click", toggle);
    ls.on(canvas, "click", function (e) {
      var r = canvas.getBoundingClientRect();
      var i = Math.max(0, Math.min(n - 1, Math.floor((e.clientY - r.top) / LANE_PX)));
      var t = Math.max(0, Math.min(1, (e.clientX - r.left) / (r.width || 1))) * total();
      if (i !== sel) pick(i);
      var a = cur(), d = finite(a.duration);
      a.currentTime = d !== null ? Math.min(t, d) : t;
      show();
    });
    var ro = window.ResizeObserver ? new ResizeObserver(function () { draw(); }) : null;
    if (ro) ro.observe(canvas);
    ls.on(pos, "pointerdown", function () { scrubbing = true; });
    ["pointerup", "pointercancel", "change"].forEach(function (t) { ls.on(pos, t, function () { scrubbing = false; }); });
    ls.on(pos, "input", function () { cur().currentTime = Number(pos.value); show(); });
    keepArrows(ls, pos);
    els.forEach(function (a) {
      ["play", "pause", "ended", "timeupdate", "seeked", "loadedmetadata"].forEach(function (t) {
        ls.on(a, t, function () {
          if (a !== cur()) return;
          show();
          if (t === "play" && !raf) raf = requestAnimationFrame(tick);
        });
      });
      ls.on(a, "error", function () {
        var c = ctx.cells[els.indexOf(a)];
        note.textContent = "audio file missing or unplayable: " + c.run.label + " " + c.stub.path;
      });
    });
    ls.on(ctx.row, "keydown", function (e) {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key >= "1" && e.key <= "9") {
        var i = Number(e.key) - 1;
        if (i < n) { pick(i); e.preventDefault(); }
      } else if (e.key === "x" || e.key === "X") {
        pick(prev < n ? prev : 0);
        e.preventDefault();
      } else if (e.key === " " && e.target === box) {
        toggle();
        e.preventDefault();
      }
    });
    show();
    return function () {
      ls.off();
      if (raf) cancelAnimationFrame(raf);
      if (ro) ro.disconnect();
      els.forEach(function (a) { a.pause(); a.removeAttribute("src"); a.load(); });
    };
  }

  MB.compareModes.audio = {
    modes: [["side", "Side by side"], ["ab", "A/B toggle"]],
    minCols: 2,
    note: "shown side by side: the A/B toggle needs an audio file from each column at this step",
    ready: function (mode, stubs) { return stubs.every(function (s) { return !!s.path; }); },
    render: audioAB,
  };

  // ---------------------------------------------------------------------------------------------
  // video: play in sync
  // ---------------------------------------------------------------------------------------------
  function videoSync(ctx) {
    var ls = listeners();
    var vids = [], gifs = [];
    ctx.cells.forEach(function (c) {
      var v = c.body.querySelector("video");
      if (v) vids.push({ el: v, cell: c, loop: v.loop, expect: null });
      else if (c.body.querySelector("img.mb-gif")) gifs.push(c);
    });
    var bar = h("div", { class: "toolbar cmp-sync-bar", "data-videos": vids.length, "data-gifs": gifs.length });
    ctx.row.insertBefore(bar, ctx.root);
    var playAll = h("button", { type: "button", class: "cmp-sync-play", text: "▶ Play all" });
    var pauseAll = h("button", { type: "button", class: "cmp-sync-pause", text: "❚❚ Pause all" });
    var scrub = h("input", { type: "range", class: "cmp-sync-pos", min: 0, max: 1, step: 0.01, value: 0, "aria-label": "position of every clip in " + ctx.key });
    var rate = h("select", { class: "cmp-sync-rate", "aria-label": "playback rate" },
      RATES.map(function (r) { return h("option", { value: r, text: r + "×" }); }));
    rate.value = "1";
    var time = h("output", { class: "cmp-sync-time" });
    bar.appendChild(h("span", { class: "muted", text: "in sync:" }));
    [playAll, pauseAll, scrub, time, h("label", null, "rate ", rate)].forEach(function (e) { bar.appendChild(e); });
    if (gifs.length) {
      bar.appendChild(h("span", { class: "cmp-sync-note muted", role: "note",
        text: "GIF clips play on their own (they cannot be paused or seeked): " + gifs.map(function (c) { return c.run.label; }).join(", ") }));
    }
    // a native loop would pull every longer clip back to 0 each time the shortest one wraps
    vids.forEach(function (v) { v.el.loop = false; });

    function longest() {
      return vids.reduce(function (m, v) { return Math.max(m, length(v) || 0); }, 0);
    }
    function length(v) { return finite(v.el.duration) || finite(v.cell.stub.duration); }
    function target(v, t) { var d = length(v); return d !== null ? Math.min(t, d) : t; }
    function seekAll(src, t, thenPlay) {
      vids.forEach(function (v) {
        if (v === src) return;
        var at = target(v, t);
        if (Math.abs(v.el.currentTime - at) > SEEK_TOL) {
          v.expect = at;
          v.el.currentTime = at;
        }
        var d = length(v);
        if (thenPlay && v.el.paused && (d === null || at < d - SEEK_TOL)) play(v.el);
      });
    }
    // players drift apart over a long clip: the first one playing leads, a clip more than
    // DRIFT behind or ahead of it is put back (its seek is expected, so it is not passed on)
    function leader() {
      for (var i = 0; i < vids.length; i++) if (!vids[i].el.paused && !vids[i].el.ended && !vids[i].el.seeking) return vids[i];
      return null;
    }
    function nudge(lead) {
      var t = lead.el.currentTime;
      vids.forEach(function (o) {
        if (o === lead || o.el.paused || o.el.ended || o.el.seeking) return;
        var at = target(o, t);
        if (Math.abs(o.el.currentTime - at) > DRIFT) { o.expect = at; o.el.currentTime = at; }
      });
    }
    function show() {
      var d = longest();
      var t = vids.reduce(function (m, v) { return Math.max(m, v.el.currentTime || 0); }, 0);
      var any = vids.some(function (v) { return !v.el.paused; });
      scrub.max = String(d || 1);
      if (!scrubbing) scrub.value = String(t);
      time.textContent = clock(t) + " / " + clock(d);
      bar.setAttribute("data-playing", any ? "1" : "0");
    }
    vids.forEach(function (v) {
      var el = v.el;
      ls.on(el, "play", function () {
        // a clip held at its end starts again from 0: the others follow it there
        vids.forEach(function (o) { if (o !== v && o.el.paused && !(o.el.ended && el.currentTime > SEEK_TOL)) play(o.el); });
        show();
      });
      ls.on(el, "pause", function () {
        if (el.ended) { show(); return; } // a shorter clip reaching its end is not a pause of all
        vids.forEach(function (o) { if (o !== v && !o.el.paused) o.el.pause(); });
        show();
      });
      ls.on(el, "seeking", function () {
        if (v.expect !== null && Math.abs(el.currentTime - v.expect) <= SEEK_TOL) { v.expect = null; return; }
        v.expect = null;
        seekAll(v, el.currentTime, !el.paused);
        show();
      });
      ls.on(el, "ratechange", function () {
        vids.forEach(function (o) { if (o !== v && o.el.playbackRate !== el.playbackRate) o.el.playbackRate = el.playbackRate; });
        if (rate.querySelector("option[value='" + el.playbackRate + "']")) rate.value = String(el.playbackRate);
      });
      ls.on(el, "timeupdate", function () { if (v === leader()) nudge(v); show(); });
      ["loadedmetadata", "ended", "seeked"].forEach(function (t) { ls.on(el, t, show); });
    });
    var scrubbing = false;
    ls.on(playAll, "click", function () {
      var t = vids.reduce(function (m, v) { return Math.max(m, v.el.currentTime || 0); }, 0);
      if (t >= longest() - SEEK_TOL) t = 0; // all at their ends: from the start
      vids.forEach(function (v) {
        var at = target(v, t), d = length(v);
        if (Math.abs(v.el.currentTime - at) > SEEK_TOL) { v.expect = at; v.el.currentTime = at; }
        if (v.el.paused && (d === null || at < d - SEEK_TOL)) play(v.el);
      });
    });
    ls.on(pauseAll, "click", function () { vids.forEach(function (v) { if (!v.el.paused) v.el.pause(); }); });
    ls.on(scrub, "pointerdown", function () { scrubbing = true; });
    ["pointerup", "pointercancel", "change"].forEach(function (t) { ls.on(scrub, t, function () { scrubbing = false; }); });
    ls.on(scrub, "input", function () {
      var any = vids.some(function (v) { return !v.el.paused; });
      seekAll(null, Number(scrub.value), any);
      show();
    });
    keepArrows(ls, scrub);
    ls.on(rate, "change", function () { vids.forEach(function (v) { v.el.playbackRate = Number(rate.value); }); });
    show();
    return function () {
      ls.off();
      vids.forEach(function (v) { v.el.loop = v.loop; });
      bar.remove();
    };
  }

  function playable(s) { return s.path && s.format !== "gif"; }
  MB.compareModes.video = {
    modes: [["sync", "Play in sync"], ["side", "Independent"]],
    linked: ["sync"],
    minCols: 2,
    note: "shown independently: play in sync needs a video (not a GIF) from at least two columns at this step",
    ready: function (mode, stubs) { return stubs.filter(playable).length >= 2; },
    render: videoSync,
  };

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
