/* video on the compare page: play in sync (MB.compareModes.video; helpers in _sync.js, the hook
   at the top of compare.js). */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB || !MB.cmpSync) return;
  var h = MB.h;
  var S = MB.cmpSync;
  var SEEK_TOL = S.SEEK_TOL, listeners = S.listeners, play = S.play, finite = S.finite, clock = S.clock, keepArrows = S.keepArrows;
  var DRIFT = 0.25; // s: clips playing in sync further apart than this are put back together
  var RATES = [0.25, 0.5, 1, 1.5, 2];

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
})();
