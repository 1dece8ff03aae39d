/* Text: a logged string, as plain text (textContent, line breaks kept). */
(function () {
  "use strict";
  var MB = window.MB;
  var R = MB.R;

  function textOf(stub) {
    if (typeof stub === "string") return stub;
    if (stub && typeof stub === "object") {
      if (typeof stub.value === "string") return stub.value;
      if (typeof stub.text === "string") return stub.text;
      if (stub.value !== undefined) return JSON.stringify(stub.value);
    }
    return stub === undefined ? "" : JSON.stringify(stub);
  }

  function render(el, stub) {
    el.appendChild(R.el("pre", { class: "mb-text", text: textOf(stub) }));
  }

  R.register("text", { render: render });
})();
