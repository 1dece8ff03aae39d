/* error stubs (a value that failed to store) and classes stubs (a class set logged alone). */
(function () {
  "use strict";
  var MB = window.MB;
  var R = MB.R;

  function renderError(el, stub, ctx) {
    var kind = stub && stub.kind ? stub.kind : "value";
    var msg = stub && stub.message ? String(stub.message) : "no message";
    R.placeholder(el, "this " + kind + " could not be stored: " + msg, ctx);
  }

  function renderClasses(el, stub) {
    var set = stub && Array.isArray(stub.class_set) ? stub.class_set : [];
    var labels = {}, ids = [];
    set.forEach(function (c) { labels[String(c.id)] = c.name; ids.push(c.id); });
    var list = R.el("div", { class: "mb-classes" });
    ids.forEach(function (id) {
      list.appendChild(R.el("span", { class: "mb-toggle" }, [
        R.el("span", { class: "mb-swatch", style: { background: R.color(id) } }),
        R.el("span", { text: id + " " + labels[String(id)] })]));
    });
    el.appendChild(list);
  }

  R.register("error", { render: renderError });
  R.register("classes", { render: renderClasses });
})();
