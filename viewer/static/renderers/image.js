/* Image: the picture, its value mapping, mask layers (coloured per class by an SVG filter, with
 * per-class toggles and an opacity slider) and box layers (class toggles, captions, a score
 * threshold). Click opens a lightbox fitted to the window, with zoom (1:1 a click away) and pan.
 *
 * Defaults (docs/kinds/image.md): mask classes that are background by name or unlabelled start
 * hidden (a tick shows them; kept in the view state as maskOn, the other way round from maskOff);
 * box captions never overlap (laid out per stage, hidden where there is no room).
 *
 * Masks are coloured with an SVG filter and not by reading pixels: under file:// Chrome taints a
 * canvas that drew a local image, so getImageData is refused. The filter maps the grey class id
 * of each mask pixel to a palette colour (discrete transfer tables) and to an alpha that is the
 * opacity for shown classes and 0 for hidden ones. */
(function () {
  "use strict";
  var MB = window.MB;
  var R = MB.R;

  function describeRange(vr) {
    if (!vr || !vr.rule) return null;
    var lo = R.num(vr.lo), hi = R.num(vr.hi);
    var text;
    switch (vr.rule) {
      case "file": text = "file stored unchanged"; break;
      case "uint8": text = "uint8, unchanged"; break;
      case "int": text = "integers in 0..255, unchanged"; break;
      case "bool": text = "bool \u2192 0/255"; break;
      case "unit": text = "mapped [" + lo + ", " + hi + "] \u00d7 255 \u2192 0..255"; break;
      case "minmax": text = "mapped [" + lo + ", " + hi + "] \u2192 0..255"; break;
      case "explicit": text = "value_range [" + lo + ", " + hi + "] \u2192 0..255"; break;
      case "constant": text = "constant " + lo + " \u2192 128"; break;
      default: text = vr.rule + (vr.lo !== undefined ? " [" + lo + ", " + hi + "]" : "");
    }
    if (vr.clipped) text += ", " + vr.clipped + " values clipped";
    if (vr.nonfinite) text += ", " + vr.nonfinite + " NaN/inf replaced";
    return text;
  }

  function table(fn) {
    var out = [];
    for (var i = 0; i < 256; i++) out.push(fn(i));
    return out.join(" ");
  }
  var PALETTE_TABLES = [0, 1, 2].map(function (ch) {
    return table(function (id) { return (R.rgb(id)[ch] / 255).toFixed(4); });
  });

  /* Why a mask class starts hidden, or null: its label names a background (BACKGROUND, compared
   * lower case without anything but letters, so "_background_" and "Don't care" count), or it has
   * no label of its own (none, or the writer's default class_<id>) while the layer names other
   * classes; in a layer that names none, id 0 (the usual background). */
  var BACKGROUND = /^(background|bg|unlabeled|unlabelled|void|ignore|ignored|none|dontcare|nolabel)$/;
  function named(labels, id) {
    var n = labels[String(id)];
    return n === undefined || n === null || String(n) === "class_" + id ? null : String(n);
  }
  function offByDefault(labels, id) {
    var n = named(labels, id);
    if (n !== null) return BACKGROUND.test(n.toLowerCase().replace(/[^a-z]/g, "")) ? "background" : null;
    var any = Object.keys(labels).some(function (k) { return named(labels, k) !== null; });
    return any || Number(id) === 0 ? "unlabelled" : null;
  }
  function offReason(st, layer, id) { return offByDefault(st.names[layer.name] || layer.labels || {}, id); }
  function has(map, layer, id) { return (map[layer] || []).indexOf(id) >= 0; }
  // a class hidden by default is shown only when ticked (maskOn), any other unless unticked (maskOff)
  function maskShown(st, layer, id) {
    return offReason(st, layer, id) ? has(st.maskOn, layer.name, id) : !has(st.maskOff, layer.name, id);
  }

  function maskLayers(stub) {
    var masks = stub.masks && typeof stub.masks === "object" ? stub.masks : {};
    return Object.keys(masks).sort().map(function (name) {
      var m = masks[name] || {};
      var ids = Array.isArray(m.ids) ? m.ids.slice() : Object.keys(m.class_labels || {}).map(Number);
      ids.sort(function (a, b) { return a - b; });
      return { name: name, path: m.path, labels: m.class_labels || stub.classes || {}, ids: ids };
    });
  }

  function boxLayers(stub, ctx) {
    var boxes = stub.boxes && typeof stub.boxes === "object" ? stub.boxes : {};
    return Object.keys(boxes).sort().map(function (name) {
      var b = boxes[name] || {};
      var data = R.json(ctx, b.path);
      var list = data && Array.isArray(data.box_data) ? data.box_data : null;
      var labels = (data && data.class_labels) || b.class_labels || stub.classes || {};
      var ids = [], scoreNames = [], maxScore = 1;
      (list || []).forEach(function (box) {
        if (ids.indexOf(box.class_id) < 0) ids.push(box.class_id);
        Object.keys(box.scores || {}).forEach(function (s) {
          if (scoreNames.indexOf(s) < 0) scoreNames.push(s);
          if (isFinite(box.scores[s])) maxScore = Math.max(maxScore, box.scores[s]);
        });
      });
      ids.sort(function (a, b) { return a - b; });
      return { name: name, path: b.path, list: list, labels: labels, ids: ids,
        width: (data && data.width) || stub.width, height: (data && data.height) || stub.height,
        scoreNames: scoreNames, maxScore: maxScore };
    });
  }

  function loadState(ctx) {
    return {
      opacity: Number(R.state(ctx, "maskOpacity", 0.5)),
      maskOff: R.state(ctx, "maskOff", {}) || {},
      maskOn: R.state(ctx, "maskOn", {}) || {},
      names: {}, // mask layer -> the labels its controls show (merged over images), for the defaults
      boxOff: R.state(ctx, "boxOff", {}) || {},
      score: R.state(ctx, "scoreMin", {}) || {},
      labels: R.state(ctx, "boxLabels", true) !== false
    };
  }

  function toggleIn(map, layer, id, on) {
    var off = (map[layer] || []).filter(function (x) { return x !== id; });
    if (!on) off.push(id);
    map[layer] = off;
  }

  /* Mask toggles + opacity, box toggles + score threshold + captions, for the given layers. */
  function buildControls(st, ctx, masks, boxes, apply) {
    var controls = R.el("div", { class: "mb-controls" });
    masks.forEach(function (layer) {
      st.names[layer.name] = layer.labels;
      controls.appendChild(R.el("div", { class: "mb-layer mb-mask-layer", "data-layer": layer.name }, [
        R.el("span", { class: "mb-layer-name", text: "mask " + layer.name }),
        R.classToggles(layer.labels, layer.ids,
          function (id) { return maskShown(st, layer, id); },
          function (id, on) {
            var name = offReason(st, layer, id) ? "maskOn" : "maskOff", map = st[name];
            toggleIn(map, layer.name, id, name === "maskOn" ? !on : on);
            R.setState(ctx, name, map);
            apply();
          },
          function (id) { var why = offReason(st, layer, id); return why ? "off by default: " + why : null; })]));
    });
    if (masks.length) {
      controls.appendChild(R.slider("mask opacity", 0, 1, 0.05, st.opacity, function (v) {
        st.opacity = v;
        R.setState(ctx, "maskOpacity", v);
        apply();
      }, function (v) { return Math.round(v * 100) + "%"; }));
    }
    boxes.forEach(function (layer) {
      var row = R.el("div", { class: "mb-layer mb-box-layer", "data-layer": layer.name }, [
        R.el("span", { class: "mb-layer-name", text: "boxes " + layer.name })]);
      if (!layer.list) {
        row.appendChild(R.el("span", { class: "mb-placeholder", text: "box file missing: " + layer.path }));
        controls.appendChild(row);
        return;
      }
      row.appendChild(R.classToggles(layer.labels, layer.ids,
        function (id) { return (st.boxOff[layer.name] || []).indexOf(id) < 0; },
        function (id, on) {
          toggleIn(st.boxOff, layer.name, id, on);
          R.setState(ctx, "boxOff", st.boxOff);
          apply();
        }));
      if (layer.scoreNames.length) {
        var max = layer.maxScore;
        row.appendChild(R.slider(layer.scoreNames[0] + " \u2265", 0, max, max / 100,
          Number(st.score[layer.name] || 0), function (v) {
            st.score[layer.name] = v;
            R.setState(ctx, "scoreMin", st.score);
            apply();
          }, function (v) { return R.num(v, 3); }));
      }
      controls.appendChild(row);
    });
    if (boxes.length) {
      var lab = R.el("input", { type: "checkbox", class: "mb-box-labels-toggle" });
      lab.checked = st.labels;
      lab.addEventListener("change", function () {
        st.labels = lab.checked;
        R.setState(ctx, "boxLabels", st.labels);
        apply();
      });
      controls.appendChild(R.el("label", { class: "mb-toggle" }, [lab, R.el("span", { text: "box captions" })]));
    }
    return controls;
  }

  /* Layers of several images under one set of controls: a layer of a name gathers every image's
   * class ids, labels and score names (into: {name: merged layer}). */
  function mergeLayer(into, layer) {
    var m = into[layer.name] || (into[layer.name] = { name: layer.name, path: layer.path, labels: {}, ids: [],
      list: [], scoreNames: [], maxScore: 1 });
    // a name given by the user wins over the writer's class_<id> from another image
    Object.keys(layer.labels || {}).forEach(function (k) {
      if (m.labels[k] === undefined || named(layer.labels, k) !== null) m.labels[k] = layer.labels[k];
    });
    layer.ids.forEach(function (id) { if (m.ids.indexOf(id) < 0) m.ids.push(id); });
    m.ids.sort(function (a, b) { return a - b; });
    (layer.scoreNames || []).forEach(function (n) { if (m.scoreNames.indexOf(n) < 0) m.scoreNames.push(n); });
    if (layer.maxScore) m.maxScore = Math.max(m.maxScore, layer.maxScore);
    if (layer.list === null) { m.list = null; m.path = layer.path; }
  }
  function sortedLayers(into) { return Object.keys(into).sort().map(function (k) { return into[k]; }); }

  /* The shared controls of the images of one media-list grid: layers merged over the items. */
  function groupFor(grid, ctx) {
    if (grid._mbImages) return grid._mbImages;
    var holder = R.el("div", { class: "mb-list-controls", style: { gridColumn: "1 / -1" } });
    grid.insertBefore(holder, grid.firstChild);
    var g = { st: loadState(ctx), applies: [], masks: {}, boxes: {} };
    function applyAll() { g.applies.forEach(function (f) { f(); }); }
    g.add = function (masks, boxes, apply) {
      masks.forEach(function (l) { mergeLayer(g.masks, l); });
      boxes.forEach(function (l) { mergeLayer(g.boxes, l); });
      g.applies.push(apply);
      R.clear(holder);
      holder.appendChild(buildControls(g.st, ctx, sortedLayers(g.masks), sortedLayers(g.boxes), applyAll));
      applyAll(); // the defaults follow the merged labels
    };
    grid._mbImages = g;
    return g;
  }

  /* The mask and box layers of one image stub, drawn over any number of stages (an element with
   * position: relative that the image fills: the panel, the lightbox, the compare page's stacked
   * views). st is the shared state (loadState); apply() redraws every stage after st changed. */
  function overlays(stub, ctx, st, masks, boxes) {
    var W = stub.width, H = stub.height;
    masks = masks || maskLayers(stub);
    boxes = boxes || boxLayers(stub, ctx);
    var stages = [];
    function isBoxOn(layer, id) { return (st.boxOff[layer] || []).indexOf(id) < 0; }

    function alphaTable(layer) {
      return table(function (id) { return maskShown(st, layer, id) ? String(st.opacity) : "0"; });
    }

    function buildMask(layer) {
      var fid = R.uid("mbmask");
      var svg = R.svg("svg", { class: "mb-mask", viewBox: "0 0 " + W + " " + H, preserveAspectRatio: "none",
        "data-layer": layer.name });
      var filter = R.svg("filter", { id: fid, x: 0, y: 0, width: 1, height: 1,
        "color-interpolation-filters": "sRGB" }, [
        R.svg("feComponentTransfer", { in: "SourceGraphic", result: "colour" }, [
          R.svg("feFuncR", { type: "discrete", tableValues: PALETTE_TABLES[0] }),
          R.svg("feFuncG", { type: "discrete", tableValues: PALETTE_TABLES[1] }),
          R.svg("feFuncB", { type: "discrete", tableValues: PALETTE_TABLES[2] })]),
        R.svg("feColorMatrix", { in: "SourceGraphic", type: "matrix", result: "ids",
          values: "0 0 0 0 0  0 0 0 0 0  0 0 0 0 0  1 0 0 0 0" }),
        R.svg("feComponentTransfer", { in: "ids", result: "alpha" }, [
          R.svg("feFuncA", { type: "discrete", tableValues: alphaTable(layer), class: "mb-mask-alpha" })]),
        R.svg("feComposite", { in: "colour", in2: "alpha", operator: "in" })]);
      // The build inlines small mask PNGs as data: URIs; larger ones load from the file.
      var inlined = R.json(ctx, layer.path);
      var href = typeof inlined === "string" && inlined.indexOf("data:image/") === 0 ? inlined : ctx.url(layer.path);
      var image = R.svg("image", { href: href, x: 0, y: 0, width: W, height: H,
        preserveAspectRatio: "none", filter: "url(#" + fid + ")" });
      image.addEventListener("error", function () {
        svg.classList.add("mb-broken");
        if (!svg.parentNode || svg.parentNode.querySelector(".mb-mask-missing")) return;
        svg.parentNode.appendChild(R.el("div", { class: "mb-placeholder mb-mask-missing",
          text: "mask file missing: " + layer.path }));
      });
      svg.appendChild(R.svg("defs", null, [filter]));
      svg.appendChild(image);
      return svg;
    }

    function boxLabel(layer, box) {
      if (box.box_caption !== undefined && box.box_caption !== null) return String(box.box_caption);
      var name = layer.labels[String(box.class_id)];
      var text = name !== undefined ? String(name) : "class_" + box.class_id;
      var sn = layer.scoreNames[0];
      if (sn && box.scores && box.scores[sn] !== undefined) text += " " + R.num(box.scores[sn], 3);
      return text;
    }

    function buildBoxes(layer) {
      var wrap = R.el("div", { class: "mb-boxes", "data-layer": layer.name });
      (layer.list || []).forEach(function (box, i) {
        var p = box.position || {};
        var bw = layer.width || W, bh = layer.height || H;
        var div = R.el("div", { class: "mb-box", "data-index": String(i), "data-class-id": String(box.class_id),
          style: { left: (100 * p.minX / bw) + "%", top: (100 * p.minY / bh) + "%",
            width: (100 * (p.maxX - p.minX) / bw) + "%", height: (100 * (p.maxY - p.minY) / bh) + "%",
            borderColor: R.color(box.class_id) } },
          [R.el("span", { class: "mb-box-label", text: boxLabel(layer, box),
            style: { background: R.color(box.class_id) } })]);
        wrap.appendChild(div);
      });
      return wrap;
    }

    function apply() {
      stages.forEach(function (stage) {
        masks.forEach(function (layer) {
          var f = stage.querySelector('.mb-mask[data-layer="' + cssEscape(layer.name) + '"] .mb-mask-alpha');
          if (f) f.setAttribute("tableValues", alphaTable(layer));
        });
        boxes.forEach(function (layer) {
          var wrap = stage.querySelector('.mb-boxes[data-layer="' + cssEscape(layer.name) + '"]');
          if (!wrap) return;
          var sn = layer.scoreNames[0];
          var min = Number(st.score[layer.name] || 0);
          wrap.classList.toggle("mb-nolabels", !st.labels);
          Array.prototype.forEach.call(wrap.children, function (div) {
            var box = layer.list[Number(div.getAttribute("data-index"))];
            var show = isBoxOn(layer.name, box.class_id);
            if (show && sn && box.scores && isFinite(box.scores[sn]) && box.scores[sn] < min) show = false;
            div.hidden = !show;
          });
        });
        layoutCaptions(stage);
      });
    }
    // captions are laid out again whenever a stage's drawn size changes
    var resized = typeof ResizeObserver === "function" && boxes.length ? new ResizeObserver(function (es) {
      es.forEach(function (e) { layoutCaptions(e.target); });
    }) : null;

    return {
      masks: masks,
      boxes: boxes,
      /* draw the layers into el (after what it holds) and keep it for apply(); el holds no
         other image's layers */
      addTo: function (el) {
        masks.forEach(function (layer) { if (layer.path) el.appendChild(buildMask(layer)); });
        boxes.forEach(function (layer) { if (layer.list) el.appendChild(buildBoxes(layer)); });
        stages.push(el);
        if (resized) resized.observe(el);
        apply();
      },
      remove: function (stage) {
        var i = stages.indexOf(stage);
        if (i >= 0) stages.splice(i, 1);
        if (resized) resized.unobserve(stage);
      },
      apply: apply
    };
  }

  /* Box captions never overlap: each shown caption, in list order, goes above its box, inside its
   * top edge or below it, the first place inside the image that is clear of the captions placed
   * before it; with none, it is hidden (the lightbox, larger, has room for more). On an image drawn
   * narrower than CAPTION_MIN_WIDTH px no caption is shown. */
  var CAPTION_MIN_WIDTH = 160, PLACES = ["", "mb-label-in", "mb-label-below"];
  function layoutCaptions(stage) {
    var labels = stage.querySelectorAll(".mb-box-label");
    if (!labels.length) return;
    var room = stage.getBoundingClientRect(), placed = [], small = room.width < CAPTION_MIN_WIDTH;
    Array.prototype.forEach.call(labels, function (l) {
      l.classList.remove("mb-label-in", "mb-label-below", "mb-label-hidden");
      // on a thumbnail, hidden without measuring (a grid of them would measure every caption)
      if (small) { l.classList.add("mb-label-hidden"); return; }
      if (l.parentNode.hidden || !l.offsetWidth) return; // box or captions switched off
      var ok = PLACES.some(function (place) {
        l.classList.remove("mb-label-in", "mb-label-below");
        if (place) l.classList.add(place);
        var r = l.getBoundingClientRect();
        if (r.left < room.left - 3 || r.top < room.top - 1 || r.right > room.right + 3 || r.bottom > room.bottom + 1) return false;
        if (placed.some(function (q) { return r.left < q.right && q.left < r.right && r.top < q.bottom && q.top < r.bottom; })) return false;
        placed.push(r);
        return true;
      });
      if (!ok) l.classList.add("mb-label-hidden");
    });
  }

  function render(el, stub, ctx) {
    if (!stub || !stub.path) { R.placeholder(el, "image: the stub names no file", ctx); return; }
    var W = stub.width, H = stub.height;
    var masks = maskLayers(stub);
    var boxes = boxLayers(stub, ctx);

    // In a media-list grid every image shares one set of controls, shown once above the grid.
    var cell = el.closest ? el.closest(".media-cell") : null;
    var grid = cell && cell.parentNode && cell.parentNode.classList &&
      cell.parentNode.classList.contains("media-grid") ? cell.parentNode : null;
    var group = grid && (masks.length || boxes.length) ? groupFor(grid, ctx) : null;
    var st = group ? group.st : loadState(ctx);
    var layers = overlays(stub, ctx, st, masks, boxes);  // on the panel's stage and the lightbox's
    var apply = layers.apply;

    function buildStage(scale) {
      var stage = R.el("div", { class: "mb-img-stage" });
      var img = R.el("img", { class: "mb-img", src: ctx.url(stub.path), alt: stub.caption || stub.path,
        draggable: "false" });
      img.addEventListener("error", function () {
        stage.classList.add("mb-broken");
        R.clear(stage);
        R.placeholder(stage, "image file missing: " + stub.path, ctx);
      });
      stage.appendChild(img);
      if (scale) {
        stage.style.width = (W * scale) + "px";
        if (scale > 1) stage.classList.add("mb-pixelated");
      }
      layers.addTo(stage);
      return stage;
    }

    // ---- panel ----
    var fig = R.el("figure", { class: "mb-image" });
    var side = Math.max(W || 1, H || 1);
    var scale = side < 160 ? Math.max(1, Math.floor(160 / side)) : null;
    var stage = buildStage(scale);
    stage.classList.add("mb-zoomable");
    stage.setAttribute("title", "click to enlarge");
    stage.addEventListener("click", openLightbox);
    fig.appendChild(stage);
    var cap = R.caption(stub.caption);
    if (cap) fig.appendChild(R.el("figcaption", null, [cap]));
    fig.appendChild(R.meta([
      W && H ? W + "\u00d7" + H : null,
      stub.format || null,
      stub.channels ? ["channels", stub.channels] : null,
      describeRange(stub.value_range),
      stub.alpha_dropped ? "alpha dropped" : null]));
    if (group) group.add(masks, boxes, apply);
    else if (masks.length || boxes.length) fig.appendChild(buildControls(st, ctx, masks, boxes, apply));
    el.appendChild(fig);

    function siblings() {
      var grid = stage.closest(".media-grid");
      return grid ? Array.prototype.slice.call(grid.querySelectorAll(".mb-img-stage.mb-zoomable")) : [];
    }
    function openLightbox() {
      if (stage.classList.contains("mb-broken")) return;
      var list = siblings();
      var lbStage = null;
      // fitted to the window: a large image scaled down, a small one up by a whole factor (crisp
      // pixels) of at most LIGHTBOX_MAX_UP
      function fit() {
        var f = Math.min((window.innerWidth - 40) / W, (window.innerHeight - 90) / H);
        return f >= 1 ? Math.min(LIGHTBOX_MAX_UP, Math.floor(f)) : f;
      }
      var start = fit();
      var lb = R.lightbox({
        title: (stub.caption ? stub.caption + " \u2014 " : "") + W + "\u00d7" + H +
          (list.length > 1 ? " \u2014 " + (list.indexOf(stage) + 1) + " of " + list.length + " (\u2190 \u2192)" : ""),
        onNav: list.length > 1 ? function (d) {
          var next = list[(list.indexOf(stage) + d + list.length) % list.length];
          lb.close();
          next.click();
        } : null,
        zoom: start, fit: fit,
        build: function (zoom) {
          if (lbStage) layers.remove(lbStage);
          lbStage = buildStage(zoom);
          lbStage.classList.toggle("mb-pixelated", zoom > 1);
          return lbStage;
        },
        onClose: function () { if (lbStage) layers.remove(lbStage); lbStage = null; }
      });
    }
  }

  var LIGHTBOX_MAX_UP = 16;

  function cssEscape(s) {
    return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, "\\$&");
  }

  R.register("image", { render: render });
  R.describeRange = describeRange;
  /* For the compare page's two-image views: the same layers, state and controls as the panel. */
  R.imageLayers = { overlays: overlays, loadState: loadState, controls: buildControls, merge: mergeLayer, sorted: sortedLayers };
})();
