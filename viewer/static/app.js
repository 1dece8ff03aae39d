/* mediaboard app shell: data loading (script-tag shards), the URL-hash view state, the runs index,
   the run page and its ONE step cursor. Renderers (static/renderers/<kind>.js) register with
   MB.registerRenderer(kind, {render(el, stub, ctx), destroy(el)}). Every user string goes into the
   page as text (textContent / setAttribute), never as HTML. */
(function () {
  "use strict";

  var MB = (window.MB = window.MB || {});
  MB.renderers = {};
  MB.store = { index: null, runs: {}, scalars: {}, system: {}, console: {}, shards: {} };
  MB.registerRenderer = function (kind, renderer) { MB.renderers[kind] = renderer; };
  // Other views (e.g. "compare") register here: fn(appEl, crumbsEl, view) -> {destroy()} | null,
  // reached at #/<name>/...; view = {path: [...segments], q: URLSearchParams}.
  MB.views = {};
  // each kind's compare modes (static/compare/<kind>.js; the hook is described in compare.js)
  MB.compareModes = {};
  // kinds whose panels are slow to draw (plotly, BokehJS, WebGL): left for when a drag settles
  MB.HEAVY_KINDS = { plotly: 1, bokeh: 1, object3d: 1, html: 1 };
  MB.registerView = function (name, fn) { MB.views[name] = fn; };
  // parts of the runs index from other files (static/sweep.js: the sweeps): fn(indexEl) -> {destroy()} | null
  MB.indexParts = MB.indexParts || {};

  // Bidi controls (U+202A-U+202E, U+2066-U+2069, U+200E/F, U+061C) and other control characters
  // in a run's strings are shown as visible marks (⟦U+202E⟧), so a name such as
  // "evil\u202egnp.exe" reads as it is instead of as "evilexe.png". Every text helper applies it.
  var INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
  MB.visible = function (s) {
    return String(s).replace(INVISIBLE, function (c) {
      var hex = c.charCodeAt(0).toString(16).toUpperCase();
      return "\u27E6U+" + ("0000" + hex).slice(-4) + "\u27E7";
    });
  };

  // plotly.js reads its strings as pseudo-HTML (<b>, <a href>, &amp;): every user string given to it
  // goes through MB.ptext, so it shows as itself, as text.
  MB.ptext = function (s) {
    return MB.visible(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  };

  // ---------------------------------------------------------------------------------------------
  // DOM helpers
  // ---------------------------------------------------------------------------------------------
  // The one DOM helper: h(tag, attrs, ...children). attrs: text (set as text, made visible),
  // class, onclick: fn (a listener), on: {event: fn}, style: {prop: value} or a string,
  // props: {name: value},
  // value/checked/disabled (properties), anything else an attribute. Children: nodes, strings
  // (text), arrays of them; null/undefined/false are skipped. MB.hSvg: the same for SVG elements.
  function setAttrs(el, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") el.textContent = MB.visible(v);
      else if (k === "class") el.setAttribute("class", v);
      else if (k === "style" && typeof v === "object") Object.keys(v).forEach(function (s) { el.style[s] = v[s]; });
      else if (k === "on") Object.keys(v).forEach(function (ev) { el.addEventListener(ev, v[ev]); });
      else if (k === "props") Object.keys(v).forEach(function (p) { el[p] = v[p]; });
      else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
      else if (k === "value" || k === "checked" || k === "disabled") el[k] = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    });
  }
  function h(tag, attrs) {
    var el = document.createElement(tag);
    setAttrs(el, attrs);
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  function hSvg(tag, attrs) {
    var el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    setAttrs(el, attrs);
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  function append(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(el, c); }); return; }
    el.appendChild(child instanceof Node ? child : document.createTextNode(MB.visible(child)));
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }
  function placeholder(el, message) {
    append(el, h("div", { class: "placeholder", role: "note", text: message }));
  }
  function fmtNum(v) {
    if (typeof v !== "number") return v === null || v === undefined ? "" : String(v);
    if (!isFinite(v)) return String(v);
    if (Number.isInteger(v)) return String(v);
    var a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(+v.toPrecision(5));
  }
  function fmtValue(v) {
    if (v && typeof v === "object") {
      if (v._type) return "[" + v._type + "]";
      return JSON.stringify(v);
    }
    return fmtNum(v);
  }
  function fmtTime(t) {
    if (!t) return "";
    var d = new Date(t * 1000);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function fmtDuration(s) {
    if (s === null || s === undefined) return "";
    if (s < 60) return s.toFixed(1) + " s";
    if (s < 3600) return Math.floor(s / 60) + " min " + Math.round(s % 60) + " s";
    return Math.floor(s / 3600) + " h " + Math.round((s % 3600) / 60) + " min";
  }
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  // a run's colour, as a small square beside its name (compare page, reports, compare modes)
  MB.swatch = function (color) { return h("span", { class: "cmp-swatch", style: "background:" + color, "aria-hidden": "true" }); };
  MB.h = h; MB.hSvg = hSvg; MB.clear = clear; MB.placeholder = placeholder; MB.fmtNum = fmtNum;
  MB.fmtDuration = fmtDuration;
  // parts of the run page from other files (static/artifacts.js: what the run logged and used): fn(run) -> element | null
  MB.runParts = MB.runParts || {};

  // ---------------------------------------------------------------------------------------------
  // Script loading (fetch() is blocked under file://, script tags are not)
  // ---------------------------------------------------------------------------------------------
  var loading = {};
  MB.loadScript = function (src) {
    if (!loading[src]) {
      loading[src] = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        // single-file export (viewer/export.py): the script's text is inlined in the page and run
        // from a blob: URL (its Content-Security-Policy runs no inline script but its own hashed ones)
        var inlined = window.MB_INLINE ? window.MB_INLINE.script(src) : undefined;
        s.src = typeof inlined === "string"
          ? URL.createObjectURL(new Blob([inlined], { type: "text/javascript" }))
          // once the site changed under the page, data files are loaded afresh (not from the cache)
          : live.v && src.indexOf("data/") === 0 ? src + "?v=" + live.v : src;
        s.onload = function () { resolve(s); };
        s.onerror = function () { delete loading[src]; s.remove(); reject(new Error("could not load " + src)); };
        document.head.appendChild(s);
      });
    }
    return loading[src];
  };
  function forget(src) {
    var p = loading[src];
    delete loading[src];
    if (p) p.then(function (s) { s.remove(); }, function () {});
  }
  // Vendor code the page never runs itself (BokehJS, run only inside sandboxed frames) is shipped as
  // text: vendor/<name>.text.js calls MB.vendorText(group, file, text); MB.vendorTexts(group)
  // gives the texts in load order once MB.need(group) has loaded them.
  var texts = {};
  MB.vendorText = function (group, file, text) { (texts[group] = texts[group] || []).push(String(text)); };
  MB.vendorTexts = function (group) { return (texts[group] || []).slice(); };
  var vendor = {};
  try { vendor = JSON.parse(document.body.getAttribute("data-vendor") || "{}"); } catch (e) { vendor = {}; }
  MB.need = function (name) {
    var files = vendor[name] || [];
    if (!files.length) return Promise.reject(new Error(name + " is not in this site (install the " + name + " package and rebuild)"));
    return files.reduce(function (p, f) { return p.then(function () { return MB.loadScript(f); }); }, Promise.resolve());
  };

  function seg(s) { return encodeURIComponent(s); }
  MB.data = {
    index: function (runs) { MB.store.index = runs; },
    run: function (key, data) { MB.store.runs[key] = data; },
    scalars: function (key, data) { MB.store.scalars[key] = data; },
    system: function (key, data) { MB.store.system[key] = data; },
    console: function (key, data) { MB.store.console[key] = data; },
    // a shard file holds one call per key of its group: each is stored and counted in the cache
    shard: function (run, key, chunk, entries) {
      var id = run + "\u0000" + key + "\u0000" + chunk;
      MB.store.shards[id] = entries;
      touchShard(id);
    },
  };
  // ---------------------------------------------------------------------------------------------
  // Live pages: `mediaboard watch` (every build) rewrites data/live.js, {gen, runs: {key: sig}};
  // the page loads it again every LIVE_MS (a script tag: file:// allows no fetch). When gen
  // changes, what changed is forgotten (the index, each changed run's data and shards) and every
  // view that listens (MB.onLive) draws the new data; body[data-live] counts the changes.
  // ---------------------------------------------------------------------------------------------
  var LIVE_MS = 1000;
  var live = { gen: null, runs: null, v: 0, handlers: [] };
  MB.data.live = function (info) {
    if (!info || typeof info.gen !== "string") return;
    if (live.gen === null) { live.gen = info.gen; live.runs = info.runs || {}; return; }
    if (info.gen === live.gen) return;
    var before = live.runs || {}, now = info.runs || {};
    var changed = Object.keys(now).filter(function (k) { return before[k] !== now[k]; })
      .concat(Object.keys(before).filter(function (k) { return !(k in now); }));
    live.gen = info.gen; live.runs = now; live.v += 1;
    MB.store.index = null;
    forget("data/index.js");
    changed.forEach(forgetRun);
    live.handlers.slice().forEach(function (fn) {
      try { fn({ runs: changed }); } catch (e) { console.warn(e); }
    });
    document.body.setAttribute("data-live", String(live.v));
  };
  // fn({runs: [changed keys]}) after every change of the site; returns the function that stops it
  MB.onLive = function (fn) {
    live.handlers.push(fn);
    return function () { live.handlers = live.handlers.filter(function (f) { return f !== fn; }); };
  };
  function forgetRun(key) {
    delete MB.store.runs[key];
    delete MB.store.scalars[key];
    delete MB.store.system[key];
    delete MB.store.console[key];
    var prefix = "data/" + seg(key) + "/";
    Object.keys(loading).forEach(function (src) { if (src.indexOf(prefix) === 0) forget(src); });
    Object.keys(MB.store.shards).forEach(function (id) {
      if (id.split("\u0000")[0] === key) delete MB.store.shards[id];
    });
    shardOrder = shardOrder.filter(function (id) { return id.split("\u0000")[0] !== key; });
  }
  function pollLive() {
    if (window.MB_INLINE) return; // a single-file export does not change
    var s = document.createElement("script");
    s.src = "data/live.js?t=" + Date.now();
    var again = function () { s.remove(); setTimeout(pollLive, LIVE_MS); };
    s.onload = again;
    s.onerror = again;
    if (document.hidden) { setTimeout(pollLive, LIVE_MS); return; }
    document.head.appendChild(s);
  }
  MB.loadIndex = function () {
    if (MB.store.index) return Promise.resolve(MB.store.index);
    return MB.loadScript("data/index.js").then(function () { return MB.store.index || []; });
  };
  // durations of running runs tick: every element with data-tick-from (a start time, Unix s)
  function tick() {
    var now = Date.now() / 1000;
    Array.prototype.forEach.call(document.querySelectorAll("[data-tick-from]"), function (el) {
      var from = Number(el.getAttribute("data-tick-from"));
      if (isFinite(from)) el.textContent = fmtDuration(Math.max(0, now - from));
    });
  }
  function durationEl(tag, run) {
    var running = run.status === "running" && typeof run.start_time === "number";
    return h(tag, { text: fmtDuration(run.duration), "data-tick-from": running ? run.start_time : null,
      class: running ? "ticking" : null });
  }

  MB.loadRun = function (key) {
    if (MB.store.runs[key]) return Promise.resolve(MB.store.runs[key]);
    return MB.loadScript("data/" + seg(key) + "/run.js").then(function () {
      if (!MB.store.runs[key]) throw new Error("run data missing for " + key);
      return MB.store.runs[key];
    });
  };
  MB.loadConsole = function (key) {
    if (MB.store.console[key]) return Promise.resolve(MB.store.console[key]);
    return MB.loadScript("data/" + seg(key) + "/console.js").then(function () { return MB.store.console[key]; });
  };
  MB.loadSystem = function (key) {
    if (MB.store.system[key]) return Promise.resolve(MB.store.system[key]);
    return MB.loadScript("data/" + seg(key) + "/system.js").then(function () { return MB.store.system[key]; });
  };
  MB.loadScalars = function (key) {
    if (MB.store.scalars[key]) return Promise.resolve(MB.store.scalars[key]);
    return MB.loadScript("data/" + seg(key) + "/scalars.js").then(function () { return MB.store.scalars[key]; });
  };

  // Media shards: loaded on demand, at most SHARD_CACHE kept (memory follows what is on screen).
  // At least two shards per panel stay cached, so one cursor move never evicts what it loads.
  var SHARD_CACHE = 24;
  // room for the chunk on screen and the prefetched neighbour of every panel, twice over
  MB.setShardCache = function (panels) { SHARD_CACHE = Math.max(24, 4 * panels); };
  var shardOrder = [];
  // a key's chunk lives in its group's file (info.file, "s/<group>"); sites built before groups
  // have one file per key ("k/<slug>")
  function shardSrc(run, info, chunk) {
    var dir = info.file ? info.file.split("/").map(seg).join("/") : "k/" + seg(info.slug);
    return "data/" + seg(run) + "/" + dir + "/" + chunk + ".js";
  }
  function touchShard(id) {
    var i = shardOrder.indexOf(id);
    if (i >= 0) shardOrder.splice(i, 1);
    shardOrder.push(id);
    while (shardOrder.length > SHARD_CACHE) {
      var old = shardOrder.shift();
      var parts = old.split("\u0000");
      delete MB.store.shards[old];
      // the file can be loaded again later (its other keys may still be kept)
      var runData = MB.store.runs[parts[0]];
      if (runData && runData.media[parts[1]]) forget(shardSrc(parts[0], runData.media[parts[1]], parts[2]));
    }
  }
  // every logged entry of a key ([{step, stub}], in step order): a renderer's ctx.loadAll()
  MB.loadAll = function (run, key, info) {
    var n = Math.ceil(info.steps.length / info.chunk), loads = [];
    for (var c = 0; c < n; c++) loads.push(MB.loadShard(run, key, info, c));
    return Promise.all(loads).then(function (parts) { return [].concat.apply([], parts); });
  };
  // what a renderer drew in el goes (its plots purged, its players stopped); never throws
  // Heavy panels (MB.HEAVY_KINDS) are drawn one per task, a frame apart, so no frame holds several
  // Plotly, Bokeh, 3-D or Html draws; MB.heavy(fn) queues one draw and resolves with what fn returns
  var heavyQ = [], heavyBusy = false;
  MB.heavy = function (fn) {
    return new Promise(function (resolve) {
      heavyQ.push(function () { try { resolve(fn()); } catch (e) { console.warn(e); resolve(); } });
      if (!heavyBusy) pumpHeavy();
    });
  };
  function pumpHeavy() {
    heavyBusy = true;
    requestAnimationFrame(function () {
      setTimeout(function () {
        var job = heavyQ.shift();
        if (job) job();
        if (heavyQ.length) pumpHeavy(); else heavyBusy = false;
      }, 0);
    });
  }
  MB.unrender = function (el, kind) {
    var r = MB.renderers[kind];
    if (el && r && r.destroy) { try { r.destroy(el); } catch (e) { /* already gone */ } }
  };
  MB.loadShard = function (run, key, info, chunk) {
    var id = run + "\u0000" + key + "\u0000" + chunk;
    touchShard(id);
    if (MB.store.shards[id]) return Promise.resolve(MB.store.shards[id]);
    return MB.loadScript(shardSrc(run, info, chunk)).then(function () {
      var entries = MB.store.shards[id];
      if (!entries) throw new Error("shard " + chunk + " of " + key + " is empty or unreadable");
      return entries;
    });
  };

  // Load the neighbouring chunk of a key whose entry at `step` is near a chunk edge (call it when
  // the page is idle), so a cursor that crosses the edge does not wait for a script.
  MB.prefetchNear = function (run, key, info, step) {
    var n = info.chunk, i = nearestIndex(info.steps, step);
    if (i < 0) return;
    var c = Math.floor(i / n), near = Math.max(2, Math.floor(n / 5)), last = Math.floor((info.steps.length - 1) / n);
    var other = i - c * n >= n - near && c < last ? c + 1 : i - c * n < near && c > 0 ? c - 1 : -1;
    if (other >= 0) MB.loadShard(run, key, info, other).catch(function () { /* shown when reached */ });
  };

  // index of the last logged step <= step (binary search), or -1
  function nearestIndex(steps, step) {
    var lo = 0, hi = steps.length - 1, ans = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (steps[mid] <= step) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return ans;
  }
  MB.nearestIndex = nearestIndex;

  // ---------------------------------------------------------------------------------------------
  // URL hash state: #/ (index) or #/run/<key>, with query parameters for the rest of the view
  // ---------------------------------------------------------------------------------------------
  function parseHash() {
    var raw = location.hash.replace(/^#/, "") || "/";
    var qi = raw.indexOf("?");
    var path = (qi >= 0 ? raw.slice(0, qi) : raw).split("/").filter(Boolean).map(function (p) {
      try { return decodeURIComponent(p); } catch (e) { return p; }
    });
    return { path: path, q: new URLSearchParams(qi >= 0 ? raw.slice(qi + 1) : "") };
  }
  // ---------------------------------------------------------------------------------------------
  // The one step cursor (run page, compare page): ◀, a slider over `steps`, ▶, a step box and a
  // label. show(step) draws every panel at a step and returns a promise; the cursor keeps the step
  // in the URL (?step=), sets body[data-cursor] once a step is drawn (and removes it while one is
  // drawing), calls opts.moved(step) at once and opts.idle(step) when the page is idle after a
  // draw (prefetching), answers ←/→/Home/End outside text boxes, menus and sliders, and is
  // MB.cursor = {set(step), steps} while it lives. Returns {el, set(step), step(), start(), destroy()}.
  // ---------------------------------------------------------------------------------------------
  MB.stepCursor = function (steps, show, opts) {
    opts = opts || {};
    var idx = 0, seq = 0, alive = true;
    var slider = h("input", { type: "range", min: 0, max: Math.max(0, steps.length - 1), step: 1, value: 0, id: "cursor", "aria-label": "Step cursor" });
    var stepBox = h("input", { type: "number", id: "cursor-step", "aria-label": "Jump to step", min: steps[0], max: steps[steps.length - 1] });
    var stepLabel = h("output", { id: "cursor-label", "aria-live": "polite" });
    // follow: while the run is written, a cursor on the newest step moves to each new one
    var follow = h("input", { type: "checkbox", id: "cursor-follow", "aria-label": "Follow the newest step" });
    var el = h("div", { class: "cursor-bar", role: "group", "aria-label": "Step cursor" },
      h("button", { type: "button", "aria-label": "Previous step", text: "◀", onclick: function () { go(idx - 1); } }),
      slider,
      h("button", { type: "button", "aria-label": "Next step", text: "▶", onclick: function () { go(idx + 1); } }),
      h("label", null, "step ", stepBox),
      stepLabel,
      h("label", { class: "cursor-follow", title: "while the run is written, stay on its newest step" }, follow, " follow"));
    follow.addEventListener("change", function () { if (follow.checked) go(steps.length - 1); });
    // dragging: while the slider is dragged, only the latest position of each frame is drawn and
    // views may leave heavy panels (plotly, bokeh, 3-D) for when it settles; a drag settles on
    // release, or SETTLE_MS after its last move (keyboard, scripted input)
    var SETTLE_MS = 200, dragTo = null, dragFrame = 0, settleTimer = 0;
    function go(i, fromSlider, dragging) {
      if (!alive) return;
      clearTimeout(settleTimer);
      if (dragging) settleTimer = setTimeout(function () { go(idx, true, false); }, SETTLE_MS);
      idx = Math.max(0, Math.min(steps.length - 1, i));
      follow.checked = idx === steps.length - 1;
      var step = steps[idx];
      if (opts.moved) opts.moved(step);
      if (!fromSlider) slider.value = idx;
      stepBox.value = step;
      stepLabel.textContent = "step " + step + " (" + (idx + 1) + " of " + steps.length + ")";
      // a cursor following a run that is being written keeps "last" in the URL, so a reload or a
      // redrawn view follows on
      if (!dragging) MB.setParam("step", follow.checked && opts.live ? "last" : step); // the URL when it settles
      document.dispatchEvent(new CustomEvent("mb:cursor", { detail: { step: step, dragging: !!dragging } }));
      document.body.removeAttribute("data-cursor");
      var mine = ++seq;
      Promise.resolve(show(step, { dragging: !!dragging })).then(function () {
        if (!alive || mine !== seq || dragging) return;
        document.body.setAttribute("data-cursor", String(step));
        if (!opts.idle) return;
        var later = window.requestIdleCallback || function (f) { return setTimeout(f, 50); };
        later(function () { if (alive && mine === seq) opts.idle(step); });
      });
    }
    function set(step) { go(Math.max(0, nearestIndex(steps, step))); }
    function keydown(e) {
      var t = e.target && e.target.tagName;
      // inputs keep their keys (text boxes, sliders: this one, swipe, onion, audio; radios, dates),
      // but for a checkbox or a button, which do nothing with arrows
      var own = t === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/.test(e.target.type || "text");
      if (own || t === "TEXTAREA" || t === "SELECT" || (e.target && e.target.isContentEditable)) return;
      if (e.key === "ArrowRight") { go(idx + 1); e.preventDefault(); }
      else if (e.key === "ArrowLeft") { go(idx - 1); e.preventDefault(); }
      else if (e.key === "Home") { go(0); e.preventDefault(); }
      else if (e.key === "End") { go(steps.length - 1); e.preventDefault(); }
    }
    slider.addEventListener("input", function () {
      var first = dragTo === null;
      dragTo = Number(slider.value);
      if (first) dragFrame = requestAnimationFrame(function () {
        var to = dragTo;
        dragTo = null;
        if (to !== null) go(to, true, true);
      });
    });
    slider.addEventListener("change", function () {
      cancelAnimationFrame(dragFrame);
      dragTo = null;
      go(Number(slider.value), true, false);
    });
    stepBox.addEventListener("change", function () { set(Number(stepBox.value)); });
    document.addEventListener("keydown", keydown);
    var api = {
      el: el,
      set: set,
      step: function () { return steps[idx]; },
      // the first draw: at ?step= when the URL has one ("last": the newest), else at the newest
      // step (what the run has learnt so far; step 0 is usually the untrained predictions)
      start: function () {
        var wanted = MB.view && MB.view.q.get("step");
        go(wanted !== null && wanted !== undefined && wanted !== "" && wanted !== "last"
          ? Math.max(0, nearestIndex(steps, Number(wanted))) : steps.length - 1);
      },
      // new steps (a live update): a following cursor goes to the newest, any other stays put
      setSteps: function (next) {
        var keep = steps[idx], following = follow.checked;
        steps = next;
        api.steps = next;
        slider.max = Math.max(0, steps.length - 1);
        stepBox.min = steps[0];
        stepBox.max = steps[steps.length - 1];
        go(following ? steps.length - 1 : Math.max(0, nearestIndex(steps, keep)));
      },
      following: function () { return follow.checked; },
      destroy: function () {
        alive = false;
        clearTimeout(settleTimer);
        cancelAnimationFrame(dragFrame);
        document.removeEventListener("keydown", keydown);
        if (MB.cursor === api) MB.cursor = null;
      },
      steps: steps,
    };
    MB.cursor = api;
    return api;
  };

  function hashFor(path, q) {
    var qs = q ? q.toString() : "";
    return "#/" + path.map(seg).join("/") + (qs ? "?" + qs : "");
  }
  MB.view = { path: [], q: new URLSearchParams() };
  function saveState() {
    history.replaceState(null, "", hashFor(MB.view.path, MB.view.q));
  }
  MB.setParam = function (name, value) {
    if (value === null || value === undefined || value === "") MB.view.q.delete(name);
    else MB.view.q.set(name, String(value));
    saveState();
  };
  function panelStates() {
    try { return JSON.parse(MB.view.q.get("ps") || "{}") || {}; } catch (e) { return {}; }
  }
  MB.panelState = function (key, name, dflt) {
    var all = panelStates();
    return all[key] && Object.prototype.hasOwnProperty.call(all[key], name) ? all[key][name] : dflt;
  };
  // A collapsible section whose state is kept in the URL: ?fold= lists (comma-separated, each
  // URI-encoded) the ids of the sections the user turned from their default, so a shared link
  // opens the same ones. opts: open (default true), class, toggled(open) after a user toggle.
  function foldList() {
    return (MB.view.q.get("fold") || "").split(",").filter(Boolean).map(function (x) {
      try { return decodeURIComponent(x); } catch (e) { return x; }
    });
  }
  MB.fold = function (id, summary, body, opts) {
    opts = opts || {};
    var dflt = opts.open !== false;
    var box = h("details", { class: opts.class || "fold", open: dflt !== (foldList().indexOf(id) >= 0), "data-fold": id },
      h("summary", null, summary), body);
    var was = box.open;
    box.addEventListener("toggle", function () {
      if (box.open === was) return; // the event of the initial state
      was = box.open;
      var list = foldList().filter(function (x) { return x !== id; });
      if (box.open !== dflt) list.push(id);
      MB.setParam("fold", list.map(encodeURIComponent).join(","));
      if (opts.toggled) opts.toggled(box.open);
    });
    return box;
  };
  MB.setPanelState = function (key, name, value) {
    var all = panelStates();
    all[key] = all[key] || {};
    all[key][name] = value;
    MB.setParam("ps", JSON.stringify(all));
  };

  // ---------------------------------------------------------------------------------------------
  // Rendering a stub with its kind's renderer
  // ---------------------------------------------------------------------------------------------
  MB.fileUrl = function (run, path) {
    var inlinedUrl = window.MB_INLINE ? window.MB_INLINE.file(run, path) : undefined;
    if (typeof inlinedUrl === "string") return inlinedUrl;
    return "files/" + seg(run) + "/" + String(path).split("/").map(seg).join("/");
  };
  /* What the build inlined into a stub for one of its files (a table's rows, a figure, a page's
     text); path defaults to the stub's own file. undefined when it is not in the site. */
  MB.inlined = function (stub, path) {
    var inl = stub && stub.__inline;
    if (path === undefined) path = stub && stub.path;
    return inl && typeof path === "string" && Object.prototype.hasOwnProperty.call(inl, path) ? inl[path] : undefined;
  };
  function makeCtx(base, stub) {
    var ctx = Object.create(base);
    ctx.stub = stub;
    ctx.json = function (path) { return MB.inlined(stub, path); };
    ctx.missing = function (path) { return !!(stub && stub.__missing && stub.__missing.indexOf(path) >= 0); };
    return ctx;
  }
  MB.render = function (el, stub, baseCtx) {
    var ctx = makeCtx(baseCtx, stub);
    if (!stub || typeof stub !== "object") {
      placeholder(el, "nothing to show (value is " + String(stub) + ")");
      return;
    }
    var kind = stub._type;
    if (kind === "media-list") {
      var grid = h("div", { class: "media-grid kind-" + (stub.kind || "mixed") });
      (stub.items || []).forEach(function (item, i) {
        var cell = h("div", { class: "media-cell", "data-index": i });
        grid.appendChild(cell);
        MB.render(cell, item, baseCtx);
      });
      el.appendChild(grid);
      return;
    }
    if (kind === "error") {
      if (stub.lost) {
        placeholder(el, String(stub.message || "lost: the run stopped before this value was written"));
        el.setAttribute("data-lost", "true");
        return;
      }
      placeholder(el, "this value failed to serialize: " + (stub.message || "unknown error"));
      return;
    }
    if (stub.path && ctx.missing(stub.path)) {
      placeholder(el, (kind || "media") + " file missing: " + stub.path);
      return;
    }
    var r = MB.renderers[kind];
    if (!r) { placeholder(el, "no renderer for kind " + kind); return; }
    try {
      r.render(el, stub, ctx);
    } catch (err) {
      placeholder(el, "could not render " + kind + ": " + err.message);
      console.warn(err);
    }
  };

  // ---------------------------------------------------------------------------------------------
  // Router
  // ---------------------------------------------------------------------------------------------
  var app, crumbs;
  var current = null; // the active view's cleanup
  // draw the current view again (a live change it cannot draw in place), keeping the scroll
  function redrawView() {
    var y = window.scrollY, tries = 0;
    route();
    (function restore() {
      if (document.body.hasAttribute("data-ready") || ++tries > 40) { window.scrollTo(0, y); return; }
      setTimeout(restore, 50);
    })();
  }
  MB.redrawView = redrawView;

  function route() {
    var v = parseHash();
    MB.view = v;
    if (current && current.destroy) current.destroy();
    current = null;
    clear(app);
    clear(crumbs);
    document.body.removeAttribute("data-ready");
    var extra = MB.views[v.path[0]];
    if (v.path[0] === "run" && v.path[1]) current = runView(v.path[1]);
    else if (extra) current = extra(app, crumbs, v) || null;
    else current = indexView();
  }

  // ---------------------------------------------------------------------------------------------
  // Runs index
  // ---------------------------------------------------------------------------------------------
  var BASE_COLS = [
    ["name", "Name"], ["project", "Project"], ["group", "Group"], ["job_type", "Job type"],
    ["status", "Status"], ["start_time", "Started"], ["duration", "Duration"], ["alerts", "Alerts"], ["tags", "Tags"], ["notes", "Notes"],
  ];
  function cellValue(run, col) {
    if (col.indexOf("config.") === 0) return run.config[col.slice(7)];
    if (col.indexOf("summary.") === 0) return run.summary[col.slice(8)];
    if (col === "tags") return (run.tags || []).join(", ");
    if (col === "alerts") return run.alerts ? run.alerts.n : null;
    return run[col];
  }
  function indexView() {
    document.title = "Runs — mediaboard";
    var runs = MB.store.index || [];
    var q = MB.view.q;
    function columns() {
      var configCols = {}, summaryCols = {};
      runs.forEach(function (r) {
        Object.keys(r.config || {}).forEach(function (k) { configCols["config." + k] = 1; });
        Object.keys(r.summary || {}).forEach(function (k) { summaryCols["summary." + k] = 1; });
      });
      return BASE_COLS.concat(Object.keys(configCols).sort().map(function (c) { return [c, c]; }))
        .concat(Object.keys(summaryCols).sort().map(function (c) { return [c, c]; }));
    }
    var cols = columns();
    var selected = (q.get("sel") || "").split(",").filter(Boolean);

    var filter = h("input", { type: "search", placeholder: "Filter runs (name, tag, config value…)",
      "aria-label": "Filter runs", value: q.get("filter") || "", class: "filter" });
    var groupSel = h("select", { "aria-label": "Group runs by" },
      [["", "No grouping"], ["project", "Group by project"], ["group", "Group by group"]].map(function (o) {
        return h("option", { value: o[0], text: o[1] });
      }));
    groupSel.value = q.get("group") || "";
    var selInfo = h("span", { class: "muted", id: "selection-info" });
    var table = h("table", { class: "runs", id: "runs-table" });
    var empty = h("div", { class: "empty", id: "runs-empty" });
    app.appendChild(h("section", { class: "index" },
      h("h1", { text: "Runs" }),
      h("div", { class: "toolbar" }, filter, groupSel, selInfo),
      h("div", { class: "table-wrap" }, table), empty));

    function draw() {
      clear(table);
      var sortCol = q.get("sort") || "start_time", desc = q.get("desc") === "1";
      var head = h("tr", null, h("th", { scope: "col" }, h("span", { class: "sr-only", text: "Select" })));
      cols.forEach(function (c) {
        var mark = c[0] === sortCol ? (desc ? " ▼" : " ▲") : "";
        head.appendChild(h("th", { scope: "col", "aria-sort": c[0] === sortCol ? (desc ? "descending" : "ascending") : null },
          h("button", { class: "sort", "data-col": c[0], text: c[1] + mark, onclick: function () {
            if (sortCol === c[0]) MB.setParam("desc", desc ? "" : "1"); else { MB.setParam("sort", c[0]); MB.setParam("desc", ""); }
            draw();
          } })));
      });
      table.appendChild(h("thead", null, head));
      var needle = (filter.value || "").toLowerCase();
      var shown = runs.filter(function (r) {
        if (!needle) return true;
        var hay = [r.name, r.project, r.group, r.job_type, r.status, r.notes, (r.tags || []).join(" ")]
          .concat(Object.keys(r.config || {}).map(function (k) { return k + "=" + r.config[k]; })).join(" ").toLowerCase();
        return hay.indexOf(needle) >= 0;
      });
      shown.sort(function (a, b) {
        var x = cellValue(a, sortCol), y = cellValue(b, sortCol);
        if (x === y) return 0;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        var c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
        return desc ? -c : c;
      });
      var groupBy = groupSel.value;
      var body = h("tbody");
      var lastGroup = {};
      shown.forEach(function (r) {
        if (groupBy) {
          var g = r[groupBy] || "(none)";
          if (g !== lastGroup.v) {
            lastGroup.v = g;
            var members = shown.filter(function (o) { return (o[groupBy] || "(none)") === g; }).map(function (o) { return o.key; });
            var cmp = members.length >= 2 && MB.views.compare ? h("a", { class: "group-compare",
              href: hashFor(["compare"], new URLSearchParams(groupBy === "group" ? { runs: members.join(","), agg: "1" } : { runs: members.join(",") })),
              text: "compare these " + members.length + (groupBy === "group" ? " (mean and min–max)" : "") }) : null;
            body.appendChild(h("tr", { class: "group-row" }, h("th", { colspan: cols.length + 1, scope: "rowgroup" },
              h("span", { text: groupBy + ": " + g }), cmp ? " · " : null, cmp)));
          }
        }
        var box = h("input", { type: "checkbox", "aria-label": "select run " + r.name, checked: selected.indexOf(r.key) >= 0,
          onchange: function () {
            var i = selected.indexOf(r.key);
            if (box.checked && i < 0) selected.push(r.key);
            if (!box.checked && i >= 0) selected.splice(i, 1);
            MB.setParam("sel", selected.join(","));
            showSel();
          } });
        var tr = h("tr", { "data-run": r.key }, h("td", null, box));
        cols.forEach(function (c) {
          var v = cellValue(r, c[0]);
          var td;
          if (c[0] === "name") td = h("td", null, h("a", { href: hashFor(["run", r.key]), text: v || r.id }));
          else if (c[0] === "status") td = h("td", null, h("span", { class: "status status-" + v, text: v }));
          else if (c[0] === "start_time") td = h("td", { text: fmtTime(v) });
          else if (c[0] === "duration") td = durationEl("td", r);
          else if (c[0] === "alerts") td = h("td", null, r.alerts ? h("span", { class: "alert-count alert-" + r.alerts.level,
            title: "newest: " + MB.visible(r.alerts.title), text: r.alerts.level.toLowerCase() + " · " + r.alerts.n }) : null);
          else td = h("td", { text: fmtValue(v) });
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
      table.appendChild(body);
      clear(empty);
      if (!shown.length && runs.length) append(empty, h("p", { class: "muted", text: "No run matches the filter." }));
      else if (!runs.length) {
        append(empty, [h("p", { text: "No runs in this site yet." }),
          h("p", { class: "muted", text: "Log one from Python, then build the site again (or keep mediaboard watch " +
            "running: this page shows new runs by itself):" }),
          h("pre", { text: "import media\nmedia.init(project=\"demo\")\nmedia.log({\"loss\": 0.5})\nmedia.finish()\n\n" +
            "mediaboard watch mediaboard -o mediaboard-site" })]);
      }
      showSel();
    }
    function showSel() {
      clear(selInfo);
      if (!selected.length) return;
      append(selInfo, selected.length + " selected ");
      if (selected.length >= 2 && MB.views.compare) {
        append(selInfo, h("a", { id: "compare-link", class: "button",
          href: hashFor(["compare"], new URLSearchParams({ runs: selected.join(",") })), text: "Compare selected" }));
      }
    }
    filter.addEventListener("input", function () { MB.setParam("filter", filter.value); draw(); });
    groupSel.addEventListener("change", function () { MB.setParam("group", groupSel.value); draw(); });
    draw();
    var parts = Object.keys(MB.indexParts).map(function (k) { return MB.indexParts[k](app.lastChild); });
    document.body.setAttribute("data-ready", "index");
    // live: new runs, rows and statuses are drawn in place (filter, sort and selection kept)
    function refresh() {
      MB.loadIndex().then(function (fresh) {
        runs = fresh;
        cols = columns();
        draw();
      }).catch(function () { /* the next change tries again */ });
    }
    var stop = MB.onLive(refresh);
    if (!MB.store.index) refresh(); // the site changed while another view was open
    return { destroy: function () { stop(); parts.forEach(function (p) { if (p && p.destroy) p.destroy(); }); } };
  }

  // ---------------------------------------------------------------------------------------------
  // Run page
  // ---------------------------------------------------------------------------------------------
  function kvTable(obj, label) {
    var keys = Object.keys(obj || {});
    if (!keys.length) return h("p", { class: "muted", text: "No " + label + "." });
    var rows = keys.map(function (k) {
      var v = obj[k];
      var text = k === "_timestamp" && typeof v === "number" ? fmtTime(v)
        : k === "_runtime" && typeof v === "number" ? fmtDuration(v) : fmtValue(v);
      return h("tr", null, h("th", { scope: "row", text: k }), h("td", { text: text }));
    });
    return h("table", { class: "kv", "aria-label": label }, h("tbody", null, rows));
  }

  function headEl(run) {
    var m = run.meta;
    return h("header", { class: "run-head" },
      h("h1", null, h("span", { class: "run-name", text: m.name || m.id }), " ",
        h("span", { class: "status status-" + m.status, text: m.status })),
      h("p", { class: "muted" }, [
        "project ", h("b", { text: m.project }),
        m.group ? [" · group ", h("b", { text: m.group })] : null,
        m.job_type ? [" · job ", h("b", { text: m.job_type })] : null,
        " · id ", h("code", { text: m.id }),
        " · started ", fmtTime(m.start_time), " · ", durationEl("span", m),
        " · ", h("span", { class: "run-rows", text: String(run.rows) }), " rows",
      ]),
      (m.tags && m.tags.length) ? h("p", { class: "tags" }, m.tags.map(function (t) { return h("span", { class: "tag", text: t }); })) : null,
      m.notes ? h("p", { class: "notes", text: m.notes }) : null);
  }
  function problemsEl(run) {
    var problems = (run.problems || []).concat((run.meta.errors || []));
    if (!problems.length) return h("div", { hidden: true });
    return h("div", { class: "problem", role: "alert" },
      h("b", { text: "Problems reading this run:" }),
      h("ul", null, problems.map(function (p) { return h("li", { text: p }); })));
  }
  // media.alert() calls, newest first (level, title, text, step and time)
  function alertsEl(run) {
    var alerts = (run.alerts || []).slice().reverse();
    if (!alerts.length) return h("div", { hidden: true });
    return h("details", { class: "alerts", open: true },
      h("summary", { text: "Alerts (" + alerts.length + ")" }),
      h("ul", null, alerts.map(function (a) {
        return h("li", { class: "alert alert-" + a.level },
          h("span", { class: "alert-level", text: a.level }), " ", h("b", { text: a.title }),
          h("span", { class: "muted", text: " · step " + a.step + " · " + fmtTime(a.time) + (a.repeat ? " · repeated" : "") }),
          a.text ? h("div", { class: "alert-text", text: a.text }) : null);
      })));
  }
  // media.watch(model, log_graph=True): each model's module tree, indented by depth, with the
  // parameters each module holds itself (shapes) and under it (counts); folded until opened
  function modelEl(run) {
    var models = run.model || [];
    if (!models.length) return h("div", { hidden: true });
    var n = function (x) { return Number(x).toLocaleString("en-US"); };
    return MB.fold("model", ["Model ", h("span", { class: "muted", text: "(" + models.map(function (m) {
      return m.type + ": " + n(m.parameters) + " parameters"; }).join("; ") + ")" })],
      models.map(function (m) {
        return h("div", { class: "model-tree" },
          h("p", null, h("b", { text: m.type }), h("span", { class: "muted", text: " · " + n(m.parameters) + " parameters, " +
            n(m.trainable) + " trainable" })),
          h("table", { class: "kv model-modules", "aria-label": "modules of " + m.type },
            h("thead", null, h("tr", null, ["module", "type", "parameters", "its own"].map(function (t) { return h("th", { scope: "col", text: t }); }))),
            h("tbody", null, (m.modules || []).map(function (mod) {
              return h("tr", null,
                h("td", { style: "padding-left:" + (0.4 + 1.1 * (mod.depth || 0)) + "rem", text: mod.name }),
                h("td", { text: mod.type }), h("td", { text: n(mod.count) }),
                h("td", { text: (mod.params || []).map(function (p) {
                  return p.name + " " + (p.shape || []).join("×") + (p.trainable === false ? " (frozen)" : ""); }).join(", ") }));
            }))));
      }), { open: false, class: "model-section" });
  }
  // the run's console (console.jsonl): search, stderr marked, each line's step a link that moves
  // the cursor there; folded until opened, loaded when it opens, again on live updates while open
  var LOG_SHOWN = 2000;
  function logsEl(key, run) {
    if (!run.console) return { el: h("div", { hidden: true }), update: function () {} };
    var search = h("input", { type: "search", class: "filter", placeholder: "Search the logs", "aria-label": "Search the logs", value: MB.view.q.get("lq") || "" });
    var list = h("div", { class: "log-lines", role: "log" });
    var note = h("p", { class: "muted chart-note" });
    var box = MB.fold("logs", ["Logs ", h("span", { class: "muted", text: "(" + run.console + " lines)" })],
      h("section", { class: "logs", "aria-label": "Logs" }, h("div", { class: "toolbar" }, search), note, list),
      { open: false, class: "logs-section", toggled: function (open) { if (open) draw(); } });
    function draw() {
      if (!box.open) return;
      MB.loadConsole(key).then(function (d) {
        if (!d) return;
        var needle = search.value.toLowerCase();
        var hits = needle ? d.lines.filter(function (l) { return l[2].toLowerCase().indexOf(needle) >= 0; }) : d.lines;
        var shown = hits.slice(-LOG_SHOWN);
        clear(list);
        shown.forEach(function (l) {
          list.appendChild(h("div", { class: "log-line" + (l[1] ? " log-stderr" : ""), "data-step": l[0] },
            h("button", { type: "button", class: "log-step", title: "move the cursor to this step",
              text: String(l[0]), onclick: function () { if (MB.cursor) MB.cursor.set(l[0]); } }),
            h("span", { class: "log-text", text: l[2] })));
        });
        note.textContent = (needle ? hits.length + " of " + d.lines.length + " lines match" : d.lines.length + " lines") +
          (shown.length < hits.length ? "; the last " + shown.length + " shown" : "") +
          (d.dropped ? "; " + d.dropped + " earlier lines are in console.jsonl only" : "");
        box.setAttribute("data-drawn", String(shown.length));
      }).catch(function (err) { placeholder(list, "Logs unavailable: " + err.message); });
    }
    search.addEventListener("input", function () { MB.setParam("lq", search.value); draw(); });
    if (box.open) draw();
    return { el: box, update: function (fresh) { if (fresh.console !== run.console) { run = fresh; draw(); } } };
  }
  // the code and environment recorded at init (run.json environment; files/requirements.txt and
  // files/diff.patch), folded until opened
  function environmentEl(run) {
    var env = run.meta.environment;
    if (!env || typeof env !== "object") return h("div", { hidden: true });
    var files = run.files || [];
    var link = function (name, text) {
      var f = files.filter(function (x) { return x === "files/" + name || x === "files/" + name + ".txt"; })[0];
      return f ? h("a", { href: MB.fileUrl(run.key, f), text: text }) : null;
    };
    var py = env.python || {}, os = env.os || {}, mach = env.machine || {}, git = env.git;
    var rows = [
      ["command", (env.args || []).join(" ")], ["working directory", env.cwd],
      ["python", [py.implementation, py.version, py.executable].filter(Boolean).join(" ")],
      ["os", os.platform || os.system], ["machine", [mach.arch, mach.cpu_count ? mach.cpu_count + " CPUs" : null, mach.hostname].filter(Boolean).join(" · ")],
      ["GPUs", (env.gpus || []).length ? env.gpus.join(", ") : "none found"],
    ];
    if (git) rows.push(["git", [git.remote, git.branch, git.commit ? String(git.commit).slice(0, 12) : null,
      git.dirty ? "uncommitted changes" : "clean"].filter(Boolean).join(" · ")]);
    return MB.fold("environment", ["Overview: code and environment ", h("span", { class: "muted", text: "(" +
      [py.version ? "Python " + py.version : null, os.system, git && git.commit ? "git " + String(git.commit).slice(0, 7) : null]
        .filter(Boolean).join(" · ") + ")" })],
      h("div", { class: "environment" },
        h("table", { class: "kv", "aria-label": "environment" }, h("tbody", null, rows.map(function (r) {
          return h("tr", null, h("th", { scope: "row", text: r[0] }), h("td", { text: r[1] === undefined || r[1] === null ? "" : String(r[1]) }));
        }))),
        h("p", null, link("requirements.txt", "installed packages (requirements.txt)"), " ", link("diff.patch", "uncommitted changes (diff.patch)"))),
      { open: false, class: "environment-section" });
  }
  function overviewEl(run) {
    var files = (run.files || []).map(function (f) {
      return h("li", null, h("a", { href: MB.fileUrl(run.key, f), text: f.replace(/^files\//, "") }));
    });
    var counts = [Object.keys(run.config || {}).length + " config", Object.keys(run.summary || {}).length + " summary",
      files.length + " files"].join(" · ");
    // below the charts and media, folded until opened (?fold=overview keeps it open)
    return MB.fold("overview", ["Config, summary and files ", h("span", { class: "muted", text: "(" + counts + ")" })],
      h("div", { class: "overview-grid" },
        h("div", null, h("h2", { text: "Config" }), kvTable(run.config, "config")),
        h("div", null, h("h2", { text: "Summary" }), kvTable(run.summary, "summary")),
        h("div", null, h("h2", { text: "Files" }), files.length ? h("ul", { class: "files" }, files) : h("p", { class: "muted", text: "No saved files." }))),
      { open: false, class: "overview" });
  }
  // the section of a key: everything before its last "/" ("train/loss" -> "train"; "" for none)
  MB.keySection = function (key) {
    var i = key.lastIndexOf("/");
    return i > 0 ? key.slice(0, i) : "";
  };
  // keys by section, sections in order (the top level first)
  MB.bySection = function (keys) {
    var by = {};
    keys.forEach(function (k) { (by[MB.keySection(k)] = by[MB.keySection(k)] || []).push(k); });
    return Object.keys(by).sort().map(function (s) { return { name: s, keys: by[s] }; });
  };
  // the view's layout choices, kept in the URL: which room comes first (?first=media) and the
  // chart size (?cz=s|l); returns the toolbar that changes them
  MB.layoutBar = function (redraw) {
    var first = h("select", { id: "layout-first", "aria-label": "What comes first" },
      [["charts", "charts first"], ["media", "media first"]].map(function (o) { return h("option", { value: o[0], text: o[1] }); }));
    first.value = MB.view.q.get("first") === "media" ? "media" : "charts";
    var size = h("select", { id: "chart-size", "aria-label": "Chart size" },
      [["s", "small charts"], ["m", "medium charts"], ["l", "large charts"]].map(function (o) { return h("option", { value: o[0], text: o[1] }); }));
    size.value = MB.chartSize();
    first.addEventListener("change", function () { MB.setParam("first", first.value === "media" ? "media" : ""); redraw(); });
    size.addEventListener("change", function () { MB.setParam("cz", size.value === "m" ? "" : size.value); redraw(); });
    return h("div", { class: "toolbar layout-bar", role: "group", "aria-label": "Layout" }, h("span", { class: "muted", text: "layout" }), first, size);
  };
  MB.chartSize = function () { var z = MB.view.q.get("cz"); return z === "s" || z === "l" ? z : "m"; };
  // every step any media key logged, in order
  function mediaSteps(run) {
    var all = {};
    Object.keys(run.media).forEach(function (k) { run.media[k].steps.forEach(function (s) { all[s] = 1; }); });
    return Object.keys(all).map(Number).sort(function (a, b) { return a - b; });
  }
  // what a live update cannot draw in place: new media keys or new charts
  function layoutOf(run) {
    return JSON.stringify([Object.keys(run.media).sort(), (run.scalars || []).slice().sort()]);
  }

  function runView(key) {
    var alive = true;
    var section = h("section", { class: "run" }, h("p", { class: "loading", text: "Loading run…" }));
    app.appendChild(section);
    var panels = [];
    var charts = null;
    var destroyCursor = null;
    var redrawInfo = null, cursor = null, layout = null, systemBox = null, logsBox = null;
    var stopLive = MB.onLive(function (ev) {
      if (ev.runs.indexOf(key) < 0 || !layout) return;
      MB.loadRun(key).then(function (fresh) {
        if (!alive) return;
        fresh.key = key;
        if (layoutOf(fresh) !== layout) { redrawView(); return; }
        redrawInfo(fresh);
        panels.forEach(function (p) { p.info = fresh.media[p.key]; });
        if (cursor) cursor.setSteps(mediaSteps(fresh));
        if (charts && charts.update) charts.update();
        if (systemBox) systemBox.update(fresh);
        if (logsBox) logsBox.update(fresh);
      }).catch(function () { /* the next change tries again */ });
    });
    MB.loadRun(key).then(function (run) {
      if (!alive) return;
      run.key = key;
      layout = layoutOf(run);
      clear(section);
      var m = run.meta;
      document.title = MB.visible((m.name || m.id) + " — " + m.project) + " — mediaboard";
      append(crumbs, [h("a", { href: "#/", text: "Runs" }), " / ", h("span", { text: m.project }), " / ", h("span", { text: m.name })]);
      // the parts that live updates redraw in place
      var head = headEl(run), problemsBox = problemsEl(run), alertsBox = alertsEl(run), overview = overviewEl(run);
      section.appendChild(head);
      section.appendChild(problemsBox);
      section.appendChild(alertsBox);
      section.appendChild(MB.layoutBar(redrawView));
      redrawInfo = function (fresh) {
        var h2 = headEl(fresh), p2 = problemsEl(fresh), a2 = alertsEl(fresh), o2 = overviewEl(fresh);
        head.replaceWith(h2); problemsBox.replaceWith(p2); alertsBox.replaceWith(a2); overview.replaceWith(o2);
        head = h2; problemsBox = p2; alertsBox = a2; overview = o2;
      };

      // ---- the rooms: charts first (or media first: ?first=media), then config, summary and files
      var chartSection = h("section", { class: "charts cz-" + MB.chartSize(), "aria-label": "Charts" });
      var mediaSection = h("section", { class: "media", "aria-label": "Media" });
      if (MB.view.q.get("first") === "media") { section.appendChild(mediaSection); section.appendChild(chartSection); }
      else { section.appendChild(chartSection); section.appendChild(mediaSection); }
      // system metrics (system.jsonl), folded until opened; drawn when it opens
      systemBox = run.system && MB.charts ? MB.charts.system(key, run) : null;
      if (systemBox) section.appendChild(systemBox.el);
      logsBox = logsEl(key, run);
      section.appendChild(logsBox.el);
      section.appendChild(modelEl(run));
      section.appendChild(environmentEl(run));
      section.appendChild(overview);
      Object.keys(MB.runParts).forEach(function (k) { var el = MB.runParts[k](run); if (el) section.appendChild(el); });

      // ---- media panels, a section per key prefix, and the one cursor
      var mediaKeys = Object.keys(run.media);
      if (mediaKeys.length) {
        var steps = mediaSteps(run);
        var keyFilter = h("input", { type: "search", class: "filter", placeholder: "Filter media keys", "aria-label": "Filter media keys", value: MB.view.q.get("mk") || "" });
        var grid = h("div", { class: "media-sections" });
        mediaSection.appendChild(h("h2", { text: "Media" }));
        cursor = MB.stepCursor(steps, function (step, state) {
          return Promise.all(panels.map(function (p) {
            if (!p.fold.open) return null; // drawn when its section is opened
            if (state.dragging && MB.HEAVY_KINDS[p.info.kind] && p.shown !== null) {
              p.label.textContent = "step " + step + ": drawn when the cursor stops";
              return null;
            }
            return showPanel(p, step);
          }));
        }, {
          live: run.meta.status === "running",
          moved: function (step) { pointStepsLink(step); },
          // when the page is idle, load the next (or previous) chunk of every key whose cursor
          // entry is near a chunk edge, so scrubbing across the edge does not wait for a script
          idle: function (step) {
            panels.forEach(function (p) { if (!p.el.hidden && p.fold.open) MB.prefetchNear(key, p.key, p.info, step); });
          },
        });
        destroyCursor = cursor.destroy;
        mediaSection.appendChild(cursor.el);
        // compare this step with another step of the same run (a pinned column on the compare page)
        var stepsLink = MB.views.compare && steps.length > 1 ? h("a", { id: "compare-steps", class: "button",
          title: "open this run twice on the compare page: held at the cursor step, and with a cursor of its own",
          text: "compare with another step", href: "#/compare" }) : null;
        var pointStepsLink = function (step) {
          if (stepsLink) stepsLink.setAttribute("href", hashFor(["compare"], new URLSearchParams({ runs: key + "@" + step + "," + key, step: String(step) })));
        };
        mediaSection.appendChild(h("div", { class: "toolbar" }, keyFilter, stepsLink));
        mediaSection.appendChild(grid);
        MB.bySection(mediaKeys.sort()).forEach(function (sec) {
          var box = h("div", { class: "panels" });
          var mine = [];
          var fold = MB.fold("m:" + sec.name, [sec.name || "(top level)", h("span", { class: "muted", text: " · " + sec.keys.length + " media" })], box, {
            class: "media-section",
            toggled: function (open) { if (open && cursor) mine.forEach(function (p) { showPanel(p, cursor.step()); }); },
          });
          fold.setAttribute("data-section", sec.name);
          grid.appendChild(fold);
          sec.keys.forEach(function (k) {
            var info = run.media[k];
            var label = h("span", { class: "panel-step" });
            var body = h("div", { class: "panel-body" });
            var el = h("article", { class: "panel kind-" + info.kind, "data-key": k },
              h("header", null, h("h3", { text: k }), h("span", { class: "kind", text: info.kind }), label), body);
            box.appendChild(el);
            var p = { key: k, info: info, el: el, body: body, label: label, shown: null, fold: fold };
            mine.push(p);
            panels.push(p);
          });
        });
        MB.setShardCache(panels.length);
        var applyKeyFilter = function () {
          var needle = keyFilter.value.toLowerCase();
          panels.forEach(function (p) { p.el.hidden = !!needle && p.key.toLowerCase().indexOf(needle) < 0; });
        };
        keyFilter.addEventListener("input", function () { MB.setParam("mk", keyFilter.value); applyKeyFilter(); });
        applyKeyFilter();

        cursor.start();
      }

      // ---- scalar charts
      if (run.scalars.length && MB.charts) {
        charts = MB.charts.mount(chartSection, key, run);
      } else if (!run.scalars.length) {
        chartSection.appendChild(h("p", { class: "muted", text: "No numeric keys logged." }));
      }
      document.body.setAttribute("data-ready", "run");
    }).catch(function (err) {
      clear(section);
      placeholder(section, "Could not load run " + key + ": " + err.message);
      document.body.setAttribute("data-ready", "error");
    });

    function showPanel(p, step) {
      var steps = p.info.steps;
      var i = nearestIndex(steps, step);
      if (i < 0) {
        p.label.textContent = "not logged yet (first at step " + steps[0] + ")";
        if (p.shown !== "none") { destroyPanel(p); clear(p.body); placeholder(p.body, "first logged at step " + steps[0]); p.shown = "none"; }
        return Promise.resolve();
      }
      var logged = steps[i];
      p.label.textContent = (logged === step ? "step " + logged : "showing step " + logged + " (nearest earlier)") +
        " · " + (i + 1) + " of " + steps.length + " logged";
      p.el.setAttribute("data-step", String(logged));
      p.want = logged;
      if (p.shown === logged) return Promise.resolve();
      var chunk = Math.floor(i / p.info.chunk);
      return MB.loadShard(key, p.key, p.info, chunk).then(function (entries) {
        if (!alive || p.want !== logged) return; // a later cursor move got here first
        var entry = entries[i - chunk * p.info.chunk];
        var draw = function () {
          if (!alive || p.want !== logged) return;
          // a renderer with `reuse` gets its last plot back (ctx.reuse), not purged: Plotly.react
          // on it keeps the WebGL context and the camera; a new 3-D scene per step cost ~0.3 s
          var r = MB.renderers[p.info.kind];
          var keep = r && r.reuse && entry ? p.body.querySelector(".js-plotly-plot") : null;
          if (keep) keep.remove(); else destroyPanel(p);
          clear(p.body);
          p.shown = logged;
          if (!entry) { placeholder(p.body, "entry for step " + logged + " is missing from the site data"); return; }
          var ctx = panelCtx(p, step, logged);
          ctx.reuse = keep;
          MB.render(p.body, entry.stub, ctx);
          if (keep && !keep.isConnected && window.Plotly) window.Plotly.purge(keep); // not taken
        };
        // a heavy panel keeps its old drawing until its turn (one heavy draw per frame)
        if (MB.HEAVY_KINDS[p.info.kind] && entry) return MB.heavy(draw);
        draw();
      }).catch(function (err) {
        destroyPanel(p);
        clear(p.body);
        p.shown = null;
        placeholder(p.body, "could not load step " + logged + ": " + err.message);
      });
    }
    function panelCtx(p, step, logged) {
      return {
        run: key, key: p.key, kind: p.info.kind, step: step, loggedStep: logged, steps: p.info.steps,
        url: function (path) { return MB.fileUrl(key, path); },
        state: function (name, dflt) { return MB.panelState(p.key, name, dflt); },
        setState: function (name, value) { MB.setPanelState(p.key, name, value); },
        text: function (el, s) { el.textContent = s === null || s === undefined ? "" : MB.visible(s); },
        placeholder: placeholder,
        loadAll: function () { return MB.loadAll(key, p.key, p.info); },
      };
    }
    function destroyPanel(p) { if (p.info) MB.unrender(p.body, p.info.kind); }
    return {
      destroy: function () {
        alive = false;
        stopLive();
        if (destroyCursor) destroyCursor();
        panels.forEach(destroyPanel);
        if (charts && charts.destroy) charts.destroy();
        if (systemBox) systemBox.destroy();
      },
    };
  }

  function start() {
    setTimeout(pollLive, LIVE_MS);
    setInterval(tick, 1000);
    if (document.body.dataset.page === "report") return; // report pages draw themselves (report.js)
    app = document.getElementById("app");
    crumbs = document.getElementById("crumbs");
    // a new view opens at its top (the old scroll position belongs to the old view)
    window.addEventListener("hashchange", function () {
      var before = MB.view ? MB.view.path.join("/") : "";
      route();
      if (MB.view.path.join("/") !== before) window.scrollTo(0, 0);
    });
    route();
  }
  document.addEventListener("DOMContentLoaded", start);
  MB.hashFor = hashFor;
  MB.kvTable = kvTable;
  MB.fmtTime = fmtTime;
  MB.fmtValue = fmtValue;
})();
