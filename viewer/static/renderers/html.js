/* Html: the stored page in a sandboxed iframe. sandbox="allow-scripts" and never
 * allow-same-origin: the page's scripts run, but in an opaque origin, so they cannot reach the
 * viewer, its data or other files. */
(function () {
  "use strict";
  var MB = window.MB;
  var R = MB.R;

  function render(el, stub, ctx) {
    if (!stub || !stub.path) { R.placeholder(el, "html: the stub names no file", ctx); return; }
    var box = R.el("figure", { class: "mb-html" });
    // The build inlines the page's text: srcdoc works in every browser, while some refuse a
    // file:// src inside a sandboxed (opaque-origin) frame. The file is the fallback.
    var text = R.json(ctx, stub.path);
    var frame = R.el("iframe", { sandbox: "allow-scripts", referrerpolicy: "no-referrer",
      title: "HTML " + stub.path });
    if (typeof text === "string") frame.srcdoc = text;
    else frame.src = ctx.url(stub.path);
    box.appendChild(R.el("div", { class: "mb-html-frame" }, [frame]));
    box.appendChild(R.meta([stub.size !== undefined ? ["size", stub.size + " bytes"] : null,
      stub.wrapped ? "fragment wrapped in a page" : null,
      stub.charset_added ? "charset added" : null, "sandboxed: scripts run in an opaque origin"]));
    el.appendChild(box);
  }

  R.register("html", { render: render });
})();
