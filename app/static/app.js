// Small additions to htmx, and a warning before leaving unsaved changes. Every page works without this file (and without htmx).
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

  // A wide table says when columns are hidden to its right (is-cut draws a shadow there),
  // and its line of text shows only while it does not fit.
  function markCut(box) {
    var overflowing = box.scrollWidth > box.clientWidth + 1;
    box.classList.toggle("is-cut", overflowing && box.scrollLeft + box.clientWidth < box.scrollWidth - 1);
    var hint = document.querySelector('[data-scroll-hint="' + box.id + '"]');
    if (hint) { hint.hidden = !overflowing; }
  }
  function markAllCut() {
    var boxes = document.querySelectorAll(".table-scroll--wide");
    for (var i = 0; i < boxes.length; i += 1) { markCut(boxes[i]); }
  }
  document.addEventListener("scroll", function (event) {
    if (event.target.classList && event.target.classList.contains("table-scroll--wide")) {
      markCut(event.target);
    }
  }, true);
  window.addEventListener("resize", markAllCut);
  document.addEventListener("DOMContentLoaded", markAllCut);
  document.addEventListener("htmx:afterSettle", markAllCut);

  // A warning before leaving a page with a form whose changes are not saved. A field is
  // changed when it differs from what the server rendered (its default); a form the server
  // sent back with errors or a conflict holds unsaved input too. Submitting clears the warning.
  var submitting = false;
  document.addEventListener("submit", function () { submitting = true; }, true);
  window.addEventListener("pageshow", function () { submitting = false; });

  function fieldChanged(field) {
    if (!/^(INPUT|TEXTAREA|SELECT)$/.test(field.tagName)) { return false; }
    if (field.type === "hidden" || field.disabled || field.name === "") { return false; }
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field.tagName === "SELECT") {
      for (var i = 0; i < field.options.length; i += 1) {
        if (field.options[i].selected !== field.options[i].defaultSelected) { return true; }
      }
      return false;
    }
    return field.value !== field.defaultValue;
  }

  function formUnsaved(form) {
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") { return false; }
    if (form.hasAttribute("data-no-unsaved-warning")) { return false; }
    if (form.querySelector(".error-summary, .conflict")) { return true; }
    for (var i = 0; i < form.elements.length; i += 1) {
      if (fieldChanged(form.elements[i])) { return true; }
    }
    return false;
  }

  window.addEventListener("beforeunload", function (event) {
    if (submitting) { return; }
    var forms = document.forms;
    for (var i = 0; i < forms.length; i += 1) {
      if (formUnsaved(forms[i])) {
        event.preventDefault();
        event.returnValue = "";
        return;
      }
    }
  });
  // An htmx form submit does not leave the page: once it is answered, warn again.
  document.addEventListener("htmx:afterRequest", function () { submitting = false; });

  // The confirmation after a redirect to what changed (`flash_at`): browsers do not autofocus
  // when the address has a fragment, so move focus to it here; the fragment has already
  // scrolled it into view. Without this file the fragment makes it the starting point of Tab.
  function focusConfirmation() {
    var note = document.getElementById("bekreftelse");
    if (note && note.classList.contains("flash-near")) { note.focus({ preventScroll: true }); }
  }
  // After the load, when the browser has scrolled to the fragment (which resets focus).
  if (document.readyState === "complete") {
    focusConfirmation();
  } else {
    window.addEventListener("load", function () { window.setTimeout(focusConfirmation, 0); });
  }
})();
