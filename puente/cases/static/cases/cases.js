// Case pages. No inline scripts (strict CSP): behaviour hangs on data- attributes.
(function () {
  "use strict";
  // The closing reason and note only matter when "closed" is chosen.
  function syncClosing(select) {
    var form = select.form;
    var show = select.value === "closed";
    form.querySelectorAll("[data-closing-field]").forEach(function (el) {
      el.hidden = !show;
      el.querySelectorAll("select, textarea").forEach(function (input) {
        input.required = show && input.tagName === "SELECT";
      });
    });
  }
  function init(root) {
    root.querySelectorAll("select[data-status-select]").forEach(function (select) {
      syncClosing(select);
      select.addEventListener("change", function () { syncClosing(select); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
