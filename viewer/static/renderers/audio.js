/* Audio: a native player, the waveform envelope on a canvas (click to seek, a playhead while
 * playing), and sample rate, channels, duration.
 *
 * The browser cannot decode the file itself under file:// (fetch is refused and a
 * MediaElementSource of a file:// element yields silence), so the envelope must come with the
 * stub: `peaks`, a list of [min, max] pairs over time (all channels), values in -1..1. */
(function () {
  "use strict";
  var MB = window.MB;
  var R = MB.R;

  function peaksOf(stub) {
    var p = stub.__waveform || stub.peaks || stub.waveform;
    if (!p) return null;
    if (Array.isArray(p) && p.length && Array.isArray(p[0])) return p;
    if (p && Array.isArray(p.min) && Array.isArray(p.max)) {
      return p.min.map(function (lo, i) { return [lo, p.max[i]]; });
    }
    return null;
  }

  function drawWave(canvas, peaks, progress) {
    var dpr = window.devicePixelRatio || 1;
    var w = canvas.clientWidth || 480, h = canvas.clientHeight || 64;
    if (canvas.width !== Math.round(w * dpr)) { canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr); }
    var g = canvas.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    var mid = h / 2, n = peaks.length, cut = progress * w;
    for (var x = 0; x < w; x++) {
      var i0 = Math.floor(x * n / w), i1 = Math.max(i0 + 1, Math.floor((x + 1) * n / w));
      var lo = 1, hi = -1;
      for (var i = i0; i < i1 && i < n; i++) { lo = Math.min(lo, peaks[i][0]); hi = Math.max(hi, peaks[i][1]); }
      if (hi < lo) continue;
      g.fillStyle = x < cut ? "rgb(214,39,40)" : "rgb(31,119,180)";
      var top = mid - Math.max(hi, 0) * mid, bottom = mid - Math.min(lo, 0) * mid;
      g.fillRect(x, top, 1, Math.max(1, bottom - top));
    }
    g.fillStyle = "rgba(0,0,0,0.25)";
    g.fillRect(0, mid, w, 0.5);
  }

  function render(el, stub, ctx) {
    if (!stub || !stub.path) { R.placeholder(el, "audio: the stub names no file", ctx); return; }
    var fig = R.el("figure", { class: "mb-audio" });
    var audio = R.el("audio", { controls: true, preload: "metadata", src: ctx.url(stub.path) });
    audio.addEventListener("error", function () {
      if (fig.querySelector(".mb-audio-missing")) return;
      fig.insertBefore(R.el("div", { class: "mb-placeholder mb-audio-missing",
        text: "audio file missing or unplayable (" + (stub.format || "?") + "): " + stub.path }), fig.firstChild);
    });
    var peaks = peaksOf(stub);
    if (peaks) {
      var canvas = R.el("canvas", { class: "mb-wave", title: "click to seek" });
      fig.appendChild(canvas);
      var redraw = function () {
        var d = audio.duration || stub.duration || 0;
        drawWave(canvas, peaks, d ? audio.currentTime / d : 0);
      };
      canvas.addEventListener("click", function (e) {
        var d = audio.duration || stub.duration;
        if (!d) return;
        var r = canvas.getBoundingClientRect();
        audio.currentTime = Math.max(0, Math.min(1, (e.clientX - r.left) / r.width)) * d;
        redraw();
      });
      var raf = 0;
      var loop = function () { redraw(); raf = audio.paused ? 0 : requestAnimationFrame(loop); };
      audio.addEventListener("play", function () { if (!raf) raf = requestAnimationFrame(loop); });
      audio.addEventListener("seeked", redraw);
      audio.addEventListener("pause", redraw);
      requestAnimationFrame(redraw);
      if (window.ResizeObserver) new ResizeObserver(redraw).observe(canvas);
    }
    fig.appendChild(audio);
    var cap = R.caption(stub.caption);
    if (cap) fig.appendChild(R.el("figcaption", null, [cap]));
    var ch = stub.channels === 1 ? "mono" : stub.channels === 2 ? "stereo" : stub.channels ? stub.channels + " channels" : null;
    fig.appendChild(R.meta([
      stub.duration !== undefined && stub.duration !== null ? R.duration(stub.duration) : null,
      stub.sample_rate ? stub.sample_rate + " Hz" : null,
      ch, stub.format || null,
      stub.frames ? ["frames", stub.frames] : null,
      stub.normalized_by ? "divided by peak " + R.num(stub.normalized_by) : null,
      stub.nonfinite ? stub.nonfinite + " NaN/inf samples set to 0" : null]));
    el.appendChild(fig);
  }

  function destroy(el) {
    Array.prototype.forEach.call(el.querySelectorAll("audio"), function (a) { a.pause(); a.removeAttribute("src"); a.load(); });
  }

  R.register("audio", { render: render, destroy: destroy });
})();
