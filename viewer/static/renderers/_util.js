/* Shared helpers for the renderers (loaded first: the shell loads static/renderers/*.js in
 * alphabetical order). Everything here builds DOM with createElement/textContent/setAttribute;
 * no user string ever goes through innerHTML. */
(function () {
  "use strict";
  var MB = (window.MB = window.MB || {});
  var R = (MB.R = MB.R || {});

  /* el("div", {class: "x", text: "hi", style: {...}, on: {click: f}}, [children]): the shell's
   * one DOM helper (MB.h, app.js) with the children as one array. */
  R.el = function (tag, attrs, children) { return MB.h(tag, attrs, children); };
  R.svg = function (tag, attrs, children) { return MB.hSvg(tag, attrs, children); };
  R.clear = MB.clear;

  /* A visible "what is wrong" box; uses the shell's ctx.placeholder when there is one. */
  R.placeholder = function (el, message, ctx) {
    if (ctx && typeof ctx.placeholder === "function") { ctx.placeholder(el, message); return; }
    el.appendChild(R.el("div", { class: "mb-placeholder", role: "note", text: message }));
  };

  /* ctx.json(path) that never throws: undefined when the build did not inline the file. */
  R.json = function (ctx, path) {
    if (!path) return undefined;
    try { return ctx.json(path); } catch (e) { return undefined; }
  };

  R.state = function (ctx, name, dflt) {
    if (ctx && typeof ctx.state === "function") {
      var v = ctx.state(name, dflt);
      return v === undefined ? dflt : v;
    }
    return dflt;
  };
  R.setState = function (ctx, name, value) {
    if (ctx && typeof ctx.setState === "function") ctx.setState(name, value);
  };

  /* Number for display: short, but never hides the magnitude. */
  R.num = function (x, digits) {
    if (x === null || x === undefined) return "?";
    if (typeof x !== "number") return String(x);
    if (!isFinite(x)) return String(x);
    if (Number.isInteger(x)) return String(x);
    var a = Math.abs(x);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(2);
    return String(Number(x.toPrecision(digits || 4)));
  };

  R.duration = function (s) {
    if (s === null || s === undefined || !isFinite(s)) return "?";
    if (s < 60) return R.num(s, 4) + " s";
    var m = Math.floor(s / 60);
    var rest = s - 60 * m;
    return m + ":" + (rest < 10 ? "0" : "") + rest.toFixed(2) + " min";
  };

  /* A line of "label value" facts under a medium; skips null values. */
  R.meta = function (pairs) {
    var line = R.el("div", { class: "mb-meta" });
    pairs.forEach(function (p) {
      if (p === null || p === undefined) return;
      if (typeof p === "string") { line.appendChild(R.el("span", { class: "mb-fact", text: p })); return; }
      if (p[1] === null || p[1] === undefined) return;
      line.appendChild(R.el("span", { class: "mb-fact" }, [
        R.el("span", { class: "mb-fact-name", text: p[0] }), " " + String(p[1])]));
    });
    return line;
  };

  /* plotly.js reads strings as pseudo-HTML (<b>, <a href>, entities): user text goes in escaped. */
  R.ptext = MB.ptext;

  R.caption = function (text) {
    if (text === undefined || text === null || text === "") return null;
    return R.el("div", { class: "mb-caption", text: String(text) });
  };

  /* Fixed class palette (id -> colour), the same in every panel and run. Id 0 is usually the
   * background; it still gets a colour so that a mask with only 0/1 shows both. */
  var PALETTE = [
    [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
    [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
    [174, 199, 232], [255, 187, 120], [152, 223, 138], [255, 152, 150], [197, 176, 213],
    [196, 156, 148], [247, 182, 210], [199, 199, 199], [219, 219, 141], [158, 218, 229]];
  R.rgb = function (id) {
    var n = Number(id);
    if (!isFinite(n) || n < 0) n = 0;
    return PALETTE[Math.floor(n) % PALETTE.length];
  };
  R.color = function (id) {
    var c = R.rgb(id);
    return "rgb(" + c[0] + "," + c[1] + "," + c[2] + ")";
  };

  var uid = 0;
  R.uid = function (prefix) { uid += 1; return (prefix || "mb") + "-" + uid; };

  /* A row of toggle chips, one per class: onChange(id, on); note(id), if given, a remark shown
   * after the name (why it starts unticked). */
  R.classToggles = function (labels, ids, isOn, onChange, note) {
    var box = R.el("div", { class: "mb-toggles" });
    ids.forEach(function (id) {
      var name = labels && labels[String(id)] !== undefined ? labels[String(id)] : "class_" + id;
      var input = R.el("input", { type: "checkbox", "data-class-id": String(id) });
      input.checked = isOn(id);
      input.addEventListener("change", function () { onChange(id, input.checked); });
      box.appendChild(R.el("label", { class: "mb-toggle", title: "class " + id }, [
        input,
        R.el("span", { class: "mb-swatch", style: { background: R.color(id) } }),
        R.el("span", { class: "mb-toggle-name", text: String(name) }),
        note && note(id) ? R.el("span", { class: "mb-toggle-note", text: note(id) }) : null]));
    });
    return box;
  };

  R.slider = function (label, min, max, step, value, onInput, format) {
    var out = R.el("span", { class: "mb-slider-value", text: (format || String)(value) });
    var input = R.el("input", { type: "range", min: min, max: max, step: step, value: value });
    input.addEventListener("input", function () {
      var v = Number(input.value);
      out.textContent = (format || String)(v);
      onInput(v);
    });
    return R.el("label", { class: "mb-slider" }, [R.el("span", { text: label }), input, out]);
  };

  /* Full-window overlay with zoom and pan. build(zoom) returns the content element drawn at
   * that zoom (1 = one image pixel per CSS pixel). Escape, the close button or a click on the
   * backdrop closes it. */
  R.lightbox = function (opts) {
    var zoom = opts.zoom || 1;
    var previous = document.activeElement;
    var stageHolder = R.el("div", { class: "mb-lb-stage" });
    var zoomOut = R.el("span", { class: "mb-lb-zoom" });
    var scroller = R.el("div", { class: "mb-lb-scroll" }, [stageHolder]);
    var content = null;
    function draw() {
      R.clear(stageHolder);
      content = opts.build(zoom);
      stageHolder.appendChild(content);
      zoomOut.textContent = Math.round(zoom * 100) + "%";
    }
    function setZoom(z) { zoom = Math.max(0.05, Math.min(64, z)); draw(); }
    var bar = R.el("div", { class: "mb-lb-bar" }, [
      R.el("span", { class: "mb-lb-title", text: opts.title || "" }),
      R.el("button", { type: "button", class: "mb-lb-out", title: "zoom out (-)", text: "\u2212",
        on: { click: function () { setZoom(zoom / 2); } } }),
      zoomOut,
      R.el("button", { type: "button", class: "mb-lb-in", title: "zoom in (+)", text: "+",
        on: { click: function () { setZoom(zoom * 2); } } }),
      R.el("button", { type: "button", class: "mb-lb-1to1", title: "actual size (1)", text: "1:1",
        on: { click: function () { setZoom(1); } } }),
      opts.fit ? R.el("button", { type: "button", class: "mb-lb-fit", title: "fit (0)", text: "fit",
        on: { click: function () { setZoom(opts.fit()); } } }) : null,
      R.el("button", { type: "button", class: "mb-lb-close", title: "close (Esc)", text: "\u00d7",
        on: { click: close } })]);
    var overlay = R.el("div", { class: "mb-lightbox", role: "dialog", "aria-modal": "true", tabindex: "-1" },
      [bar, scroller]);
    if (opts.footer) overlay.appendChild(opts.footer);

    function onKey(e) {
      if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(); }
      else if (e.key === "+" || e.key === "=") setZoom(zoom * 2);
      else if (e.key === "-") setZoom(zoom / 2);
      else if (e.key === "1") setZoom(1);
      else if (e.key === "0" && opts.fit) setZoom(opts.fit());
      else if ((e.key === "ArrowLeft" || e.key === "ArrowRight") && opts.onNav) {
        // inside the lightbox the arrows browse the list, not the step cursor
        e.preventDefault(); e.stopPropagation();
        opts.onNav(e.key === "ArrowLeft" ? -1 : 1);
      }
    }
    function close() {
      document.removeEventListener("keydown", onKey, true);
      window.removeEventListener("mousemove", onMove);
      window.removeEventListener("mouseup", onUp);
      if (overlay.parentNode) overlay.parentNode.removeChild(overlay);
      if (opts.onClose) opts.onClose();
      if (previous && previous.focus) previous.focus();
    }
    // Drag to pan (the scroller scrolls); wheel with ctrl/meta zooms.
    var drag = null;
    scroller.addEventListener("mousedown", function (e) {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, l: scroller.scrollLeft, t: scroller.scrollTop };
      scroller.classList.add("mb-dragging");
      e.preventDefault();
    });
    function onMove(e) {
      if (!drag) return;
      scroller.scrollLeft = drag.l - (e.clientX - drag.x);
      scroller.scrollTop = drag.t - (e.clientY - drag.y);
    }
    function onUp() { drag = null; scroller.classList.remove("mb-dragging"); }
    window.addEventListener("mousemove", onMove);
    window.addEventListener("mouseup", onUp);
    scroller.addEventListener("wheel", function (e) {
      if (!(e.ctrlKey || e.metaKey)) return;
      e.preventDefault();
      setZoom(zoom * (e.deltaY < 0 ? 1.25 : 0.8));
    }, { passive: false });
    overlay.addEventListener("click", function (e) { if (e.target === overlay) close(); });
    document.addEventListener("keydown", onKey, true);
    document.body.appendChild(overlay);
    draw();
    overlay.focus();
    return { close: close, setZoom: setZoom, overlay: overlay, zoom: function () { return zoom; } };
  };

  /* A sandboxed frame for untrusted content (Html media, Bokeh documents): <iframe
   * sandbox="allow-scripts"> (never allow-same-origin) showing static/frame.html, a document of its
   * own, so the page's Content-Security-Policy does not reach into it (a srcdoc, data: or blob:
   * frame would inherit it). onMessage(m) gets the messages the frame posts ({mb: "frame", type}),
   * matched by their source window; the first is {type: "boot"}, after which the caller posts the
   * content. In a single-file export the frame document is inlined (srcdoc). */
  var frameHandlers = new Map(), framePending = [];
  window.addEventListener("message", function (e) {
    if (!e.data || e.data.mb !== "frame" || !e.source) return;
    var fn = frameHandlers.get(e.source);
    if (!fn) {
      framePending = framePending.filter(function (p) {
        if (p[0].contentWindow === e.source) { frameHandlers.set(e.source, p[1]); fn = p[1]; return false; }
        return p[0].isConnected || !p[0].contentWindow;
      });
    }
    if (fn) fn(e.data);
  });
  R.sandboxFrame = function (title, onMessage) {
    var frame = R.el("iframe", { sandbox: "allow-scripts", referrerpolicy: "no-referrer", title: title });
    framePending.push([frame, onMessage]);
    var inlined = window.MB_INLINE ? window.MB_INLINE.script("static/frame.html") : undefined;
    if (typeof inlined === "string") frame.srcdoc = inlined;
    else frame.src = "static/frame.html";
    return frame;
  };
  R.forgetFrame = function (frame) {
    if (frame.contentWindow) frameHandlers.delete(frame.contentWindow);
    framePending = framePending.filter(function (p) { return p[0] !== frame; });
  };

  /* plotly.js / BokehJS are loaded by the shell on demand (MB.need); resolves once the global exists. */
  R.need = function (name, global) {
    if (typeof window[global] !== "undefined") return Promise.resolve(window[global]);
    if (typeof MB.need !== "function") return Promise.reject(new Error(name + " is not loaded"));
    return MB.need(name).then(function () {
      if (typeof window[global] === "undefined") throw new Error(name + " did not load");
      return window[global];
    });
  };

  /* Every renderer file registers in the one registry, the shell's (MB.renderers, app.js). */
  R.register = function (kind, impl) { MB.registerRenderer(kind, impl); };

  /* Renders a stub of any kind with its registered renderer (table cells, lightboxes): the
   * shell's MB.render, which knows each stub's inlined files, missing files and media lists. */
  R.renderStub = function (el, stub, ctx) {
    MB.render(el, stub, ctx);
    return MB.renderers[stub && typeof stub === "object" ? stub._type : "text"];
  };
})();
