// Small additions to htmx. Every page works without this file (and without htmx).
(function () {
  "use strict";

  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function showError(text) {
    var box = document.getElementById("htmx-error");
    if (box) {
      box.textContent = text;
      box.hidden = false;
      box.setAttribute("tabindex", "-1");
      box.focus();
    } else {
      announce(text);
    }
  }

  // A request that failed (403, 404, 500 …) is not swapped in; say so instead of doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : "";
    showError(document.body.getAttribute("data-error-text") + (status ? " (" + status + ")" : ""));
  });
  document.addEventListener("htmx:sendError", function () {
    showError(document.body.getAttribute("data-offline-text"));
  });
  // A successful swap clears an earlier error message.
  document.addEventListener("htmx:afterSwap", function () {
    var box = document.getElementById("htmx-error");
    if (box && !box.hidden) { box.hidden = true; box.textContent = ""; }
  });
})();
