/* Video: a native player and what the file is (fps, frames, size, duration, codec, tiling). */
(function () {
  "use strict";
  var MB = window.MB;
  var R = MB.R;
  var PLAYABLE = { h264: 1, vp8: 1, vp9: 1, av1: 1, gif: 1, theora: 1 };

  function render(el, stub, ctx) {
    if (!stub || !stub.path) { R.placeholder(el, "video: the stub names no file", ctx); return; }
    var fig = R.el("figure", { class: "mb-video" });
    var media;
    if (stub.format === "gif") {
      media = R.el("img", { class: "mb-gif", src: ctx.url(stub.path), alt: stub.caption || stub.path });
    } else {
      media = R.el("video", { controls: true, preload: "metadata", loop: true, muted: true, playsinline: true,
        src: ctx.url(stub.path) });
      media.muted = true;
    }
    // Small clips (thumbnails, 32x32 rollouts) are drawn larger, pixelated, so they can be seen.
    if (stub.width && stub.width < 320) {
      media.style.width = Math.min(320, stub.width * Math.max(1, Math.floor(320 / stub.width))) + "px";
      media.style.imageRendering = "pixelated";
    }
    media.addEventListener("error", function () {
      if (fig.querySelector(".mb-video-missing")) return;
      var why = stub.codec && !PLAYABLE[stub.codec]
        ? "this browser may not play " + stub.codec + (stub.pixel_format ? "/" + stub.pixel_format : "") + ": "
        : "video file missing or unplayable: ";
      fig.insertBefore(R.el("div", { class: "mb-placeholder mb-video-missing", text: why + stub.path }), fig.firstChild);
    });
    fig.appendChild(media);
    var cap = R.caption(stub.caption);
    if (cap) fig.appendChild(R.el("figcaption", null, [cap]));
    var g = stub.grid;
    fig.appendChild(R.meta([
      stub.width && stub.height ? stub.width + "\u00d7" + stub.height : null,
      stub.fps ? R.num(stub.fps) + " fps" : null,
      stub.fps_requested ? "(asked " + R.num(stub.fps_requested) + " fps)" : null,
      stub.frames ? stub.frames + " frames" : null,
      stub.duration ? R.duration(stub.duration) : null,
      stub.format || null,
      stub.codec ? [ "codec", stub.codec + (stub.pixel_format ? " " + stub.pixel_format : "") ] : null,
      g ? g.clips + " clips in a " + g.rows + "\u00d7" + g.cols + " grid" : null,
      stub.padded ? "padded from " + stub.source_width + "\u00d7" + stub.source_height : null,
      stub.value_range && R.describeRange ? R.describeRange(stub.value_range) : null,
      stub.alpha_dropped ? "alpha dropped" : null]));
    el.appendChild(fig);
  }

  function destroy(el) {
    Array.prototype.forEach.call(el.querySelectorAll("video"), function (v) { v.pause(); v.removeAttribute("src"); v.load(); });
  }

  R.register("video", { render: render, destroy: destroy });
})();
