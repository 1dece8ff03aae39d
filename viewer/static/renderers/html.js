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
    // The build inlines the page's text, handed to a sandboxed frame of static/frame.html (a file
    // of its own, so the viewer's Content-Security-Policy does not stop the page's scripts).
    var text = R.json(ctx, stub.path);
    var frame;
    if (typeof text === "string") {
      // the frame's own document (static/frame.html) takes the page's text once it is listening
      frame = R.sandboxFrame("HTML " + stub.path, function (m) {
        if (m.type === "boot") { frame.contentWindow.postMessage({ type: "html", html: text }, "*"); R.forgetFrame(frame); }
      });
    } else {
      frame = R.el("iframe", { sandbox: "allow-scripts", referrerpolicy: "no-referrer", title: "HTML " + stub.path });
      frame.src = ctx.url(stub.path); // too large to inline: the file itself, still sandboxed
    }
    box.appendChild(R.el("div", { class: "mb-html-frame" }, [frame]));
    box.appendChild(R.meta([stub.size !== undefined ? ["size", stub.size + " bytes"] : null,
      stub.wrapped ? "fragment wrapped in a page" : null,
      stub.charset_added ? "charset added" : null, "sandboxed: scripts run in an opaque origin"]));
    el.appendChild(box);
  }

  R.register("html", { render: render });
})();
