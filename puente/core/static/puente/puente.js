// Puente's shared behaviour. No inline scripts anywhere (strict CSP): pages opt in with
// data- attributes.
(function () {
  "use strict";
  // Elements with data-confirm ask before submitting (e.g. closing a case).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });

  // Menus are <details> (they work without JavaScript). Here: Escape or a click elsewhere
  // closes an open one, and opening one closes the others.
  function dropdowns() { return document.querySelectorAll("details[data-dropdown], details[data-navmenu]"); }
  document.addEventListener("click", function (event) {
    dropdowns().forEach(function (menu) {
      if (menu.open && !menu.contains(event.target) && !wideNav(menu)) { menu.open = false; }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    dropdowns().forEach(function (menu) {
      if (menu.open && !wideNav(menu)) {
        menu.open = false;
        if (menu.contains(document.activeElement)) { menu.querySelector("summary").focus(); }
      }
    });
  });
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!menu.open || !menu.matches || !menu.matches("details[data-dropdown], details[data-navmenu]")) { return; }
    dropdowns().forEach(function (other) {
      if (other !== menu && other.open && !other.contains(menu) && !wideNav(other)) { other.open = false; }
    });
  }, true);

  // On a wide screen the main navigation is always shown (puente.css shows the content of
  // its <details>); a browser without ::details-content gets it opened here instead.
  var WIDE = window.matchMedia("(min-width: 1100px)");
  var styledDetails = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  function wideNav(menu) { return menu.hasAttribute("data-navmenu") && WIDE.matches; }
  function placeNav() {
    var nav = document.querySelector("details[data-navmenu]");
    if (nav && !styledDetails) { nav.open = WIDE.matches; }
    if (nav && styledDetails && WIDE.matches) { nav.open = false; }
  }
  placeNav();
  if (WIDE.addEventListener) { WIDE.addEventListener("change", placeNav); }

  // Keyboard shortcuts (accesskey) are pressed with a different modifier on each system:
  // Control+Option on a Mac, Alt+Shift elsewhere (it works in Chromium, Edge and Firefox).
  var platform = (navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || navigator.userAgent || "";
  var isMac = /mac|iphone|ipad|ipod/i.test(platform);
  var shortcuts = document.querySelector("[data-shortcuts]");
  if (shortcuts) {
    var modifier = shortcuts.getAttribute(isMac ? "data-mac" : "data-other");
    document.querySelectorAll("[data-accesskey-modifier]").forEach(function (el) { el.textContent = modifier; });
    document.querySelectorAll("[data-accesskey-hint]").forEach(function (el) {
      el.textContent = modifier + "+" + el.getAttribute("data-accesskey-hint");
    });
    document.querySelectorAll("[accesskey]").forEach(function (el) {
      el.setAttribute("aria-keyshortcuts", (isMac ? "Control+Alt+" : "Alt+Shift+") + el.getAttribute("accesskey").toUpperCase());
    });
  }
})();
