/* Images on the compare page (MB.compareModes.image; the hook is described at the top of
   compare.js): two runs' images side by side, side by side with one linked zoom, swiped (clip the
   top one), as an onion skin (its opacity), or as their difference (CSS mix-blend-mode, then an SVG
   filter on the stage for the heat map and the gain; no pixel is read in JavaScript: canvas reads
   of file:// images are blocked). Each image's masks and boxes over it, but in the difference.
   Lists of images: one item of each is compared (ps.<key>.item), within the shorter list.
   Every user string goes in as text. */
(function () {
  "use strict";
  var MB = window.MB;
  if (!MB) return;
  var h = MB.h;
  var MODES = [["side", "Side by side"], ["pair", "Side by side, linked zoom"], ["swipe", "Swipe"], ["onion", "Onion skin"],
    ["diff", "Difference"]];
  var MIN_WIDTH = 384; // px: a two-image view draws smaller images larger than this
  var swatch = MB.swatch;

  // difference view: gains, and the heat map's colour stops (inferno-like, 0 = black) for
  // |A - B| averaged over R, G, B. The filter runs in the compositor (SVG filter on the stage),
  // because a canvas may not read the pixels of file:// images.
  var GAINS = [1, 4, 16, 64];
  var HEAT = [[0, 0, 4], [31, 12, 72], [85, 15, 109], [136, 34, 106], [186, 54, 85], [227, 89, 51],
    [249, 140, 10], [249, 201, 50], [252, 255, 164]];
  function diffFilter(view, gain) {
    var id = "mb-diff-" + view + "-" + gain;
    if (document.getElementById(id)) return id;
    var NS = "http://www.w3.org/2000/svg";
    var svg = document.getElementById("mb-diff-filters");
    if (!svg) {
      svg = document.createElementNS(NS, "svg");
      svg.setAttribute("id", "mb-diff-filters");
      svg.setAttribute("width", "0");
      svg.setAttribute("height", "0");
      svg.setAttribute("aria-hidden", "true");
      svg.setAttribute("style", "position:absolute;width:0;height:0;overflow:hidden");
      document.body.appendChild(svg);
    }
    var f = document.createElementNS(NS, "filter");
    f.setAttribute("id", id);
    f.setAttribute("color-interpolation-filters", "sRGB");
    var m = document.createElementNS(NS, "feColorMatrix");
    m.setAttribute("type", "matrix");
    var t = gain / 3, g = gain;
    m.setAttribute("values", (view === "heat"
      ? [t, t, t, 0, 0, t, t, t, 0, 0, t, t, t, 0, 0, 0, 0, 0, 1, 0]
      : [g, 0, 0, 0, 0, 0, g, 0, 0, 0, 0, 0, g, 0, 0, 0, 0, 0, 1, 0]).join(" "));
    f.appendChild(m);
    if (view === "heat") {
      var ct = document.createElementNS(NS, "feComponentTransfer");
      ["R", "G", "B"].forEach(function (ch, j) {
        var fn = document.createElementNS(NS, "feFunc" + ch);
        fn.setAttribute("type", "table");
        fn.setAttribute("tableValues", HEAT.map(function (c) { return (c[j] / 255).toFixed(4); }).join(" "));
        ct.appendChild(fn);
      });
      f.appendChild(ct);
    }
    svg.appendChild(f);
    return id;
  }
  function heatGradient() {
    return "linear-gradient(to right," + HEAT.map(function (c, i) {
      return "rgb(" + c.join(",") + ") " + Math.round(i * 100 / (HEAT.length - 1)) + "%";
    }).join(",") + ")";
  }

  // the image a two-image mode compares: the stub itself, or item `item` of a list of images;
  // null when there is none (another kind, an empty list, a file missing from the site)
  function imageItem(stub, item) {
    if (!stub) return null;
    var s = stub;
    if (stub._type === "media-list") {
      var items = Array.isArray(stub.items) ? stub.items : [];
      s = items[Math.min(item || 0, items.length - 1)];
    }
    if (!s || s._type !== "image" || typeof s.path !== "string") return null;
    if (s.__missing && s.__missing.indexOf(s.path) >= 0) return null;
    return s;
  }
  function imageCount(stub) {
    if (!stub) return 0;
    if (stub._type === "media-list") {
      return (Array.isArray(stub.items) ? stub.items : []).filter(function (x) { return x && x._type === "image"; }).length;
    }
    return stub._type === "image" ? 1 : 0;
  }

  // the list item compared: ps.<key>.item, within the shorter list
  function itemOf(ctx) {
    var n = Math.min.apply(null, ctx.cells.map(function (c) { return c.stub ? imageCount(c.stub) : 0; }));
    return Math.max(0, Math.min(Number(ctx.state("item", 0)) || 0, n - 1));
  }

  // two images, stacked: swipe (clip the top one), onion skin (its opacity), difference (blend)
  function imageModes(ctx, row, mode, item) {
    var a = row.cells[0], b = row.cells[1];
    var sa = imageItem(a.stub, item), sb = imageItem(b.stub, item);
    var nA = imageCount(a.stub), nB = imageCount(b.stub), lists = nA > 1 || nB > 1;
    var wA = sa.width || 0, hA = sa.height || 0;
    function what(c, st) {
      return "run " + c.run.label + ", step " + c.step + (lists ? ", image " + (item + 1) : "") +
        (st.caption ? ": " + st.caption : "");
    }
    var zoom = Number(ctx.state("zoom", 1)) || 1;
    var amount = Number(ctx.state(mode, mode === "onion" ? 0.5 : 0.5));
    var base = h("img", { class: "cmp-img cmp-img-a", src: a.url(sa.path), alt: what(a, sa), draggable: "false" });
    var top = h("img", { class: "cmp-img cmp-img-b", src: b.url(sb.path), alt: what(b, sb), draggable: "false" });
    // "pair": the two images side by side, each in its own viewport, one zoom, panned together;
    // every other mode stacks them on one stage
    var pair = mode === "pair";
    var stage = h("div", { class: "cmp-stage mode-" + mode }, base, pair ? null : top);
    var stages = pair ? [stage, h("div", { class: "cmp-stage mode-pair" }, top)] : [stage];
    // masks and boxes: each image's own layers over it (A's clipped and faded with A, B's with
    // B), one set of controls for both; none in the difference, where they would be differenced
    var layers = imageLayers(ctx, a, b, sa, sb, mode);
    if (layers) {
      stage.appendChild(layers.wrapA);
      stages[stages.length - 1].appendChild(layers.wrapB);
      layers.a.addTo(layers.wrapA);
      layers.b.addTo(layers.wrapB);
    }
    var line = null;
    if (mode === "swipe") { line = h("div", { class: "cmp-swipe-line", style: "border-color:" + b.run.color }); stage.appendChild(line); }
    var viewports = stages.map(function (st) { return h("div", { class: "cmp-viewport" }, st); });
    var viewport = viewports[0];
    function sizeStage() {
      // small images are drawn larger by a whole factor (pixelated), large ones fit the width
      var w = (wA || base.naturalWidth || 256);
      var room = viewport.clientWidth || 600;
      var fit = w < MIN_WIDTH ? Math.max(1, Math.min(Math.floor(MIN_WIDTH / w), Math.floor(room / w))) : Math.min(1, room / w);
      var px = Math.max(1, Math.round(w * fit * zoom));
      stages.forEach(function (st) {
        st.style.width = px + "px";
        st.classList.toggle("mb-pixelated", px > w);
      });
    }
    function apply(v) {
      if (mode === "swipe") {
        top.style.clipPath = "inset(0 0 0 " + (v * 100) + "%)";
        line.style.left = (v * 100) + "%";
        if (layers) {
          layers.wrapA.style.clipPath = "inset(0 " + (100 - v * 100) + "% 0 0)";
          layers.wrapB.style.clipPath = top.style.clipPath;
        }
      } else if (mode === "onion") {
        top.style.opacity = String(v);
        if (layers) {
          layers.wrapA.style.opacity = String(1 - v);
          layers.wrapB.style.opacity = String(v);
        }
      }
    }
    var controls = h("div", { class: "toolbar cmp-mode-controls" });
    if (lists) {
      var n = Math.min(nA, nB);
      var go = function (k) {
        k = Math.max(0, Math.min(n - 1, k));
        if (k === item) return;
        ctx.setState("item", k);
        ctx.redraw();
      };
      var itemBox = h("input", { type: "number", class: "cmp-item", min: 1, max: n, value: item + 1, "aria-label": "image number" });
      itemBox.addEventListener("change", function () { go(Math.round(Number(itemBox.value)) - 1 || 0); });
      var prev = h("button", { type: "button", class: "cmp-item-prev", "aria-label": "previous image", text: "◀", disabled: item === 0 });
      var next = h("button", { type: "button", class: "cmp-item-next", "aria-label": "next image", text: "▶", disabled: item >= n - 1 });
      prev.addEventListener("click", function () { go(item - 1); });
      next.addEventListener("click", function () { go(item + 1); });
      controls.appendChild(h("span", { class: "cmp-item-pick" }, "image ", prev, itemBox, next,
        h("span", { class: "cmp-item-of", text: " of " + n + (nA !== nB ? " (" + a.run.label + " has " + nA + ", " +
          b.run.label + " " + nB + ")" : "") })));
    }
    var legend = mode === "diff"
      ? h("span", { class: "muted cmp-diff-legend" })
      : pair
      ? h("span", { class: "muted", text: "one zoom for both; drag either image to pan both" + (sb.width && wA &&
        (sb.width !== wA || sb.height !== hA) ? " (the right image is stretched to the left one's size)" : "") })
      : h("span", { class: "muted" }, mode === "swipe" ? "left " : "", swatch(a.run.color), " ", h("span", { text: a.run.label }),
        mode === "swipe" ? " · right " : ", under ", swatch(b.run.color), " ", h("span", { text: b.run.label }));
    if (mode === "swipe" || mode === "onion") {
      var range = h("input", { type: "range", class: "cmp-amount", min: 0, max: 1, step: 0.01, value: amount,
        "aria-label": mode === "swipe" ? "swipe position" : "opacity of " + b.run.label });
      range.addEventListener("input", function () { apply(Number(range.value)); ctx.setState(mode, range.value); });
      if (mode === "swipe") {
        // drag on the image to move the line
        var dragging = false;
        var drag = function (e) {
          if (!dragging) return;
          var r = stage.getBoundingClientRect();
          var v = Math.max(0, Math.min(1, (e.clientX - r.left) / (r.width || 1)));
          range.value = String(Math.round(v * 100) / 100);
          apply(Number(range.value));
        };
        stage.addEventListener("pointerdown", function (e) { dragging = true; if (stage.setPointerCapture) stage.setPointerCapture(e.pointerId); drag(e); });
        stage.addEventListener("pointermove", drag);
        stage.addEventListener("pointerup", function () { if (dragging) { dragging = false; ctx.setState(mode, range.value); } });
        stage.classList.add("cmp-draggable");
      }
      controls.appendChild(h("label", null, mode === "swipe" ? "swipe " : "opacity ", range));
    }
    if (mode === "diff") {
      var view = String(ctx.state("diffview", "heat"));
      if (view !== "rgb") view = "heat";
      var gain = Number(ctx.state("gain", 1));
      if (GAINS.indexOf(gain) < 0) gain = 1;
      var viewSel = h("select", { class: "cmp-diffview", "aria-label": "difference shown as" },
        h("option", { value: "heat", text: "heat map" }), h("option", { value: "rgb", text: "per channel" }));
      var gainSel = h("select", { class: "cmp-gain", "aria-label": "gain" },
        GAINS.map(function (g) { return h("option", { value: g, text: g + "×" }); }));
      var applyDiff = function () {
        viewSel.value = view;
        gainSel.value = String(gain);
        stage.style.filter = view === "rgb" && gain === 1 ? "" : "url(#" + diffFilter(view, gain) + ")";
        stage.setAttribute("data-diffview", view);
        stage.setAttribute("data-gain", String(gain));
        var la = a.run.label, lb = b.run.label;
        var top255 = Math.round(255 / gain);
        legend.textContent = "";
        if (view === "heat") {
          legend.appendChild(document.createTextNode("mean |" + la + " − " + lb + "| over R, G, B: 0 "));
          legend.appendChild(h("span", { class: "cmp-heat-scale", style: "background:" + heatGradient(), "aria-hidden": "true" }));
          legend.appendChild(document.createTextNode(" " + (gain > 1 ? "≥ " : "") + top255 + (gain > 1 ? " (gain " + gain + "×)" : "")));
        } else {
          legend.appendChild(document.createTextNode("|" + la + " − " + lb + "| per channel" +
            (gain > 1 ? " × " + gain + " (≥ " + top255 + " shows as full)" : "") + ": black = identical"));
        }
      };
      viewSel.addEventListener("change", function () { view = viewSel.value; ctx.setState("diffview", view); applyDiff(); });
      gainSel.addEventListener("change", function () { gain = Number(gainSel.value); ctx.setState("gain", gain); applyDiff(); });
      controls.appendChild(h("label", null, "show ", viewSel));
      controls.appendChild(h("label", null, "gain ", gainSel));
      applyDiff();
    }
    var zoomSel = h("select", { class: "cmp-zoom", "aria-label": "zoom" }, [1, 2, 4, 8].map(function (z) { return h("option", { value: z, text: z + "×" }); }));
    zoomSel.value = String(zoom);
    zoomSel.addEventListener("change", function () { zoom = Number(zoomSel.value); ctx.setState("zoom", zoom); sizeStage(); });
    controls.appendChild(h("label", null, "zoom ", zoomSel));
    if (mode !== "swipe") {
      // drag to pan a zoomed view: stacked images move together (one stage); in a pair, each
      // viewport's scroll is copied to the other
      stages.forEach(function (st, j) {
        var vp = viewports[j], pan = null;
        st.addEventListener("pointerdown", function (e) {
          pan = { x: e.clientX, y: e.clientY, left: vp.scrollLeft, top: vp.scrollTop };
          if (st.setPointerCapture) st.setPointerCapture(e.pointerId);
        });
        st.addEventListener("pointermove", function (e) {
          if (!pan) return;
          vp.scrollLeft = pan.left - (e.clientX - pan.x);
          vp.scrollTop = pan.top - (e.clientY - pan.y);
        });
        st.addEventListener("pointerup", function () { pan = null; });
        st.classList.add("cmp-pannable");
      });
    }
    if (pair) {
      // scroll events arrive a frame late: the event a copy causes is recognised (the viewport is
      // where the copy put it) and not copied back, so it never undoes a newer pan
      var echo = [null, null];
      viewports.forEach(function (vp, j) {
        var other = viewports[1 - j];
        vp.addEventListener("scroll", function () {
          var e = echo[j];
          echo[j] = null;
          if (e && Math.abs(e.left - vp.scrollLeft) < 1 && Math.abs(e.top - vp.scrollTop) < 1) return;
          if (Math.abs(other.scrollLeft - vp.scrollLeft) < 1 && Math.abs(other.scrollTop - vp.scrollTop) < 1) return;
          other.scrollLeft = vp.scrollLeft;
          other.scrollTop = vp.scrollTop;
          echo[1 - j] = { left: other.scrollLeft, top: other.scrollTop };
        });
      });
    }
    controls.appendChild(legend);
    row.merged.appendChild(controls);
    if (layers) row.merged.appendChild(layers.controls);
    else if (mode === "diff" && (hasLayers(sa) || hasLayers(sb))) {
      row.merged.appendChild(h("p", { class: "muted cmp-layers-note", role: "note",
        text: "Masks and boxes are not drawn in the difference; the other modes show them." }));
    }
    if (pair) {
      row.merged.appendChild(h("div", { class: "cmp-pair" }, [a, b].map(function (c, j) {
        return h("div", { class: "cmp-pair-side" },
          h("div", { class: "cmp-pair-head" }, swatch(c.run.color), " ", h("span", { text: c.run.label + " · step " + c.step +
            ((j ? sb : sa).caption ? " · " + (j ? sb : sa).caption : "") })),
          viewports[j]);
      })));
    } else {
      row.merged.appendChild(viewport);
    }
    if (!wA || !hA) base.addEventListener("load", sizeStage);
    sizeStage();
    apply(amount);
    if (wA && hA) stages.forEach(function (st) { st.style.aspectRatio = wA + " / " + hA; });
    [base, top].forEach(function (img, j) {
      img.addEventListener("error", function () {
        MB.placeholder(row.merged, "image file missing: " + row.cells[j].stub.path);
      });
    });
  }

  function hasLayers(st) {
    return !!(st && ((st.masks && typeof st.masks === "object" && Object.keys(st.masks).length) ||
      (st.boxes && typeof st.boxes === "object" && Object.keys(st.boxes).length)));
  }
  /* The mask and box layers of two images (the image renderer's MB.R.imageLayers): one state
     for both, kept in the row's ps under the run page's names (maskOpacity, maskOff, boxOff,
     scoreMin, boxLabels); controls merged over both images' layers. Null when neither has any,
     or in the difference. */
  function imageLayers(ctx, a, b, sa, sb, mode) {
    var IL = MB.R && MB.R.imageLayers;
    if (!IL || mode === "diff" || !(hasLayers(sa) || hasLayers(sb))) return null;
    var lctx = { state: ctx.state, setState: ctx.setState };
    var st = IL.loadState(lctx);
    function sideCtx(c, stub) {
      return { url: c.url, placeholder: MB.placeholder,
        json: function (path) { return MB.inlined(stub, path); } };
    }
    var la = IL.overlays(sa, sideCtx(a, sa), st), lb = IL.overlays(sb, sideCtx(b, sb), st);
    var masks = {}, boxes = {};
    la.masks.concat(lb.masks).forEach(function (l) { IL.merge(masks, l); });
    la.boxes.concat(lb.boxes).forEach(function (l) { IL.merge(boxes, l); });
    var controls = IL.controls(st, lctx, IL.sorted(masks), IL.sorted(boxes), function () { la.apply(); lb.apply(); });
    controls.classList.add("cmp-layer-controls");
    return { a: la, b: lb, controls: controls,
      wrapA: h("div", { class: "cmp-layers cmp-layers-a", "data-col": a.run.col }),
      wrapB: h("div", { class: "cmp-layers cmp-layers-b", "data-col": b.run.col }) };
  }

  MB.compareModes.image = {
    modes: MODES,
    minCols: 2,
    maxCols: 2,
    note: "shown side by side: this mode needs an image (or a list of images) from each run at this step",
    usable: function (mode, entries, ctx) {
      var item = itemOf(ctx);
      return entries.every(function (e) { return e && imageItem(e.stub, item); });
    },
    key: function (mode, entries, ctx) { return String(itemOf(ctx)); },
    render: function (ctx) { imageModes(ctx, { key: ctx.key, merged: ctx.root, cells: ctx.cells }, ctx.mode, itemOf(ctx)); },
  };
})();
