// Live pages for staff: one server-sent-events stream per page (EventSource reconnects by
// itself; `retry:` from the server sets the pause). Events carry ids only: each one makes
// the page fetch the part it changes (the queue on home, a thread, the screen-pop of a
// ringing call) from ordinary permission-checked views. Every fetch says it is a
// background request (Puente-Background), so a page left open never keeps a session alive.
(function () {
  "use strict";
  var body = document.body;
  var pops = document.getElementById("screen-pops");
  var streamUrl = pops && pops.getAttribute("data-live-stream");
  if (!streamUrl || !window.EventSource || !window.fetch) return;

  function get(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { "Puente-Background": "1", "HX-Request": "true" },
    }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.text();
    });
  }

  function html(text) {
    var template = document.createElement("template");
    template.innerHTML = text;
    return template.content;
  }

  var pending = {};
  // Several events at once (a burst of texts) refresh a part once.
  function refresh(element) {
    var src = element.getAttribute("data-src");
    if (!src || pending[src]) return;
    pending[src] = setTimeout(function () {
      delete pending[src];
      var active = document.activeElement;
      if (active && element.contains(active) && active.tagName === "TEXTAREA") return;
      get(src).then(function (text) {
        element.replaceChildren(html(text));
        if (window.htmx) window.htmx.process(element);
      }).catch(function () {});
    }, 150);
  }

  function refreshAll(selector) {
    document.querySelectorAll(selector).forEach(refresh);
  }

  function showPop(contactId) {
    if (document.getElementById("pop-" + contactId)) return;
    get(pops.getAttribute("data-src").replace("/0/", "/" + contactId + "/")).then(function (text) {
      var holder = document.createElement("div");
      holder.id = "pop-" + contactId;
      holder.appendChild(html(text));
      pops.appendChild(holder);
    }).catch(function () {});
  }
  function dropPop(contactId) {
    var pop = document.getElementById("pop-" + contactId);
    if (pop) pop.remove();
  }
  {
    pops.addEventListener("click", function (event) {
      var dismiss = event.target.closest("[data-pop-dismiss]");
      if (dismiss) dismiss.closest("[id^=pop-]").remove();
    });
  }

  var source = new EventSource(streamUrl);
  source.onopen = function () {
    // Whatever happened while disconnected is shown by refreshing what is on screen.
    refreshAll("[data-live-queue]");
    refreshAll("[data-live-thread]");
  };
  source.onmessage = function (message) {
    var data;
    try { data = JSON.parse(message.data); } catch (e) { return; }
    refreshAll("[data-live-queue]");
    if (data.thread_id) refreshAll('[data-live-thread="' + data.thread_id + '"]');
    if (data.kind === "call_waiting" && data.pop) showPop(data.contact_id);
    if (data.kind === "contact_closed") dropPop(data.contact_id);
  };
  source.onerror = function () {
    // A refused stream (signed out) is closed for good by the browser; a dropped one
    // reconnects after the server's retry pause.
    if (source.readyState === EventSource.CLOSED) body.removeAttribute("data-live-connected");
  };
  body.setAttribute("data-live-connected", "");
  // How long each has waited: the queue's times, every half minute.
  setInterval(function () { refreshAll("[data-live-queue]"); }, 30000);
})();
