// Quick exit: the button (and the Escape key, anywhere on a public page) leaves at once
// for a neutral site. location.replace swaps this page out of the history, so the Back
// button does not bring it back. Without JavaScript the button is an ordinary link.
(function () {
  "use strict";
  function leave(url) {
    try { window.sessionStorage.clear(); } catch (e) { /* storage refused: nothing kept */ }
    document.body.hidden = true;
    window.location.replace(url);
  }
  function exitUrl() {
    var link = document.querySelector("[data-quick-exit]");
    return link ? link.href : "about:blank";
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-quick-exit]");
    if (!link) return;
    event.preventDefault();
    leave(link.href);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") leave(exitUrl());
  });
})();
