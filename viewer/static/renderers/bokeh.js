/* Bokeh: the json_item embedded with the BokehJS the build copied from the installed bokeh. */
(function () {
  "use strict";
  var MB = window.MB;
  var R = MB.R;

  function render(el, stub, ctx) {
    var item = R.json(ctx, stub && stub.path);
    if (!item || !item.doc) { R.placeholder(el, "bokeh file missing or not inlined: " + (stub && stub.path), ctx); return; }
    var box = R.el("figure", { class: "mb-bokeh" });
    var target = R.el("div", { class: "mb-bokeh-root" });
    box.appendChild(target);
    var want = stub.bokeh_version || item.version;
    var meta = R.meta([want ? "bokeh " + want : null]);
    box.appendChild(meta);
    el.appendChild(box);
    // embed_item renders the item's root into the element; the item is copied because BokehJS
    // keeps references into it.
    var copy = JSON.parse(JSON.stringify(item));
    copy.target_id = null;
    R.need("bokeh", "Bokeh").then(function (B) {
      if (want && B.version && want !== B.version) {
        meta.appendChild(R.el("span", { class: "mb-fact", text: "BokehJS here is " + B.version + ": it may not draw this document" }));
      }
      return B.embed.embed_item(copy, target);
    }).then(function (views) {
      target._mbViews = views;
    }).catch(function (e) {
      R.clear(target);
      R.placeholder(target, "BokehJS could not draw this document: " + (e && e.message || e), ctx);
    });
  }

  function destroy(el) {
    var t = el.querySelector(".mb-bokeh-root");
    var views = t && t._mbViews;
    (Array.isArray(views) ? views : []).forEach(function (v) { try { v.remove(); } catch (e) { /* already gone */ } });
  }

  R.register("bokeh", { render: render, destroy: destroy });
})();
