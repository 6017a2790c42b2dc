// Puente's shared behaviour. No inline scripts anywhere (strict CSP): pages opt in with
// data- attributes.
(function () {
  "use strict";
  // Elements with data-confirm ask before submitting (e.g. closing a case).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
