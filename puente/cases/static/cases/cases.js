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

  // The case page's parts as tabs. Without this script every part is on the page, one
  // under the other, and the tab strip is a list of links to them; with it, one part
  // shows at a time (WAI-ARIA tabs: arrow keys, Home and End move between tabs), and
  // the address's #fragment names the open part, so a link or a reload opens it again.
  function initTabs(nav) {
    var links = Array.prototype.slice.call(nav.querySelectorAll("a[data-tab]"));
    var panels = links.map(function (link) { return document.getElementById(link.getAttribute("data-tab")); });
    if (!links.length || panels.indexOf(null) !== -1) { return; }
    var list = nav.querySelector("ul");
    list.setAttribute("role", "tablist");
    links.forEach(function (link, i) {
      link.parentNode.setAttribute("role", "presentation");
      link.setAttribute("role", "tab");
      link.setAttribute("aria-controls", panels[i].id);
      panels[i].setAttribute("role", "tabpanel");
      panels[i].setAttribute("tabindex", "0");
    });
    document.documentElement.classList.add("case-tabs-ready");

    function select(index, focus) {
      links.forEach(function (link, i) {
        var on = i === index;
        link.setAttribute("aria-selected", on ? "true" : "false");
        link.setAttribute("tabindex", on ? "0" : "-1");
        panels[i].hidden = !on;
      });
      if (focus) { links[index].focus(); }
    }

    // The part holding the element a fragment names (#notes is in "Tasks and notes").
    function panelIndexFor(id) {
      var target = id && document.getElementById(id);
      if (!target) { return -1; }
      for (var i = 0; i < panels.length; i++) {
        if (panels[i].contains(target)) { return i; }
      }
      return -1;
    }

    function openFragment(id, scroll) {
      var index = panelIndexFor(id);
      if (index === -1) { return false; }
      select(index, false);
      var target = document.getElementById(id);
      if (target.tagName === "DETAILS") { target.open = true; }
      if (scroll) {
        // A part's own name opens it at the top of the page; anything inside a part is
        // scrolled to.
        if (target === panels[index]) { window.scrollTo(0, 0); } else { target.scrollIntoView({ block: "start" }); }
      }
      return true;
    }

    links.forEach(function (link, i) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        select(i, false);
        // Remember the part in the address without jumping the page down to it.
        history.replaceState(null, "", "#" + panels[i].id);
      });
    });
    list.addEventListener("keydown", function (event) {
      var current = links.indexOf(document.activeElement);
      if (current === -1) { return; }
      var next = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: links.length - 1 }[event.key];
      if (next === undefined) { return; }
      event.preventDefault();
      select((next + links.length) % links.length, true);
      history.replaceState(null, "", "#" + panels[(next + links.length) % links.length].id);
    });
    // Links inside the page (the timeline's "#notes", the summary's next task) open
    // their part first, so the browser can then scroll to what they name.
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href^='#']");
      if (!link || link.hasAttribute("data-tab")) { return; }
      openFragment(link.getAttribute("href").slice(1), false);
    });
    window.addEventListener("hashchange", function () {
      openFragment(location.hash.slice(1), true);
    });
    // On arrival: the part the address names, else the one the server opened (a form
    // sent back with its errors), else the overview.
    if (!openFragment(location.hash.slice(1), true)) {
      var start = panelIndexFor(nav.getAttribute("data-active-tab"));
      select(start === -1 ? 0 : start, false);
    }
  }

  function init(root) {
    root.querySelectorAll("select[data-status-select]").forEach(function (select) {
      syncClosing(select);
      select.addEventListener("change", function () { syncClosing(select); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    document.querySelectorAll("[data-case-tabs]").forEach(initTabs);
  });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
