/* audio on the compare page: the A/B toggle (MB.compareModes.audio; helpers in _sync.js, the hook
   at the top of compare.js). */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB || !MB.cmpSync) return;
  var h = MB.h;
  var S = MB.cmpSync;
  var SEEK_TOL = S.SEEK_TOL, listeners = S.listeners, play = S.play, finite = S.finite, clock = S.clock, swatch = S.swatch, typing = S.typing, keepArrows = S.keepArrows;
  var LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  var LANE_PX = 30; // height of one column's waveform lane in the A/B view

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
})();
