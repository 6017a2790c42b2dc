// The idle timeout, seen coming, and typing that is never lost (puente/accounts/kept.py).
// Markup and texts: puente/_session.html (signed-in pages only). No inline scripts
// (strict CSP).
//
// - A countdown warns before the server ends an idle session; "Stay signed in" (a POST,
//   the person's click) renews it. Nothing here polls: only the person's click or their
//   real activity renews, so a page left open on an empty desk still signs itself out.
// - When the time is up the page says so and offers to sign in again, back to this page.
// - Back from signing in with "#kept=<id>", the page offers to put back what was typed
//   into a form sent after the session ended, by field name, once.
(function () {
  "use strict";
  var panel = document.getElementById("session-panel");
  if (!panel) { return; }
  var warning = document.getElementById("session-warning");
  var ended = document.getElementById("session-ended");
  var countdown = warning.querySelector("[data-countdown]");
  var STORE = "puente-session-deadline";

  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) { return headers["X-CSRFToken"]; }
    } catch (ignored) { /* fall back to the form's token */ }
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function post(url) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    });
  }

  // --- the countdown ------------------------------------------------------------------

  var leadMs = (parseInt(panel.getAttribute("data-warning-seconds"), 10) || 120) * 1000;
  var expiresIn = parseInt(panel.getAttribute("data-expires-in"), 10);
  if (isNaN(expiresIn)) {
    expiresIn = (parseInt(document.body.getAttribute("data-idle-minutes"), 10) || 15) * 60;
  }
  var deadline = Date.now() + expiresIn * 1000;
  var deadlineSetAt = Date.now();
  var lastActivity = 0;
  var checking = false;
  var over = false;
  var returnFocus = null;

  function share() {
    try { window.localStorage.setItem(STORE, String(deadline)); } catch (ignored) { /* private mode */ }
  }
  // Another tab of the same session may have renewed it: the later deadline holds.
  function adoptShared() {
    try {
      var shared = parseInt(window.localStorage.getItem(STORE), 10);
      if (shared > deadline) { deadline = shared; deadlineSetAt = Date.now(); }
    } catch (ignored) { /* private mode */ }
  }
  function setDeadline(seconds) {
    deadline = Date.now() + seconds * 1000;
    deadlineSetAt = Date.now();
    share();
  }
  share();

  function show(box) {
    if (!box.hidden) { return; }
    returnFocus = document.activeElement;
    box.hidden = false;
    var first = box.querySelector("button, a[href]");
    if (first) { first.focus(); }
  }
  function hide(box) {
    if (box.hidden) { return; }
    box.hidden = true;
    if (returnFocus && document.contains(returnFocus)) { returnFocus.focus(); }
    returnFocus = null;
  }

  function clock(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var seconds = total % 60;
    return Math.floor(total / 60) + ":" + (seconds < 10 ? "0" : "") + seconds;
  }

  function signInAddress() {
    var login = panel.getAttribute("data-login-url");
    return login + "?next=" + encodeURIComponent(window.location.pathname + window.location.search);
  }

  function sessionEnded() {
    over = true;
    hide(warning);
    ended.querySelector("[data-sign-in]").setAttribute("href", signInAddress());
    show(ended);
  }

  function renew() {
    checking = true;  // no countdown tick while the answer is on its way
    return post(panel.getAttribute("data-renew-url")).then(function (response) {
      if (response.status === 401) { sessionEnded(); return; }
      if (!response.ok) { return; }
      return response.json().then(function (body) {
        setDeadline(body.expires_in);
        hide(warning);
      });
    }).catch(function () { /* offline: the countdown goes on */ }).then(function () {
      checking = false;
    });
  }

  // At the deadline, ask (without renewing) whether the session really ended: another
  // tab, or a request this page did not see, may have kept it alive.
  function check() {
    checking = true;
    fetch(panel.getAttribute("data-status-url"), {
      credentials: "same-origin",
      headers: { "Accept": "application/json", "Puente-Background": "1" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.ok && body.signed_in && body.expires_in > 0) {
          setDeadline(body.expires_in);
          hide(warning);
        } else {
          sessionEnded();
        }
      });
    }).catch(function () {
      // Offline: the server ends the session on time anyway; ask again shortly.
      deadline = Date.now() + 5000;
    }).then(function () { checking = false; });
  }

  function tick() {
    if (over || checking) { return; }
    adoptShared();
    var left = deadline - Date.now();
    if (left <= 0) { check(); return; }
    if (left <= leadMs) {
      // Someone typing or clicking here is not away: their activity renews the session
      // instead of a warning interrupting them.
      if (lastActivity > deadlineSetAt) { lastActivity = 0; renew(); return; }
      countdown.textContent = clock(left);
      show(warning);
    } else {
      hide(warning);
    }
  }

  ["keydown", "pointerdown", "input"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (!warning.contains(event.target)) { lastActivity = Date.now(); }
    }, true);
  });
  warning.querySelector("[data-stay]").addEventListener("click", function () { renew(); });

  // Every answer to a signed-in request says how long the session has left.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    var header = xhr && xhr.getResponseHeader("Puente-Session-Expires-In");
    if (header !== null && header !== undefined && header !== "") {
      setDeadline(parseInt(header, 10));
    }
  });
  window.addEventListener("storage", function (event) {
    if (event.key === STORE) { adoptShared(); tick(); }
  });
  window.setInterval(tick, 1000);

  // --- putting back what was typed ----------------------------------------------------

  var offer = document.getElementById("kept-offer");
  var match = /^#kept=(\d+)$/.exec(window.location.hash);
  if (!offer || !match) { return; }
  var keptId = match[1];

  function keptAddress(attribute) {
    return panel.getAttribute(attribute).replace(/\/0\/(discard\/)?$/, "/" + keptId + "/$1");
  }

  function forgetHash() {
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  function formFor(action, fields) {
    var forms = Array.prototype.slice.call(document.querySelectorAll("main form"));
    var exact = forms.filter(function (form) {
      return new URL(form.action, window.location.href).pathname === action;
    });
    var candidates = exact.length ? exact : forms;
    var best = null;
    var bestScore = 0;
    candidates.forEach(function (form) {
      var score = Object.keys(fields).filter(function (name) {
        return form.elements.namedItem(name);
      }).length;
      if (score > bestScore) { best = form; bestScore = score; }
    });
    return best;
  }

  function putBack(form, fields) {
    var first = null;
    Object.keys(fields).forEach(function (name) {
      var values = fields[name];
      var found = form.querySelectorAll("[name]");
      Array.prototype.forEach.call(found, function (element) {
        if (element.name !== name || element.type === "file" || element.type === "password") { return; }
        if (element.type === "checkbox" || element.type === "radio") {
          element.checked = values.indexOf(element.value) !== -1;
        } else if (element.tagName === "SELECT" && element.multiple) {
          Array.prototype.forEach.call(element.options, function (option) {
            option.selected = values.indexOf(option.value) !== -1;
          });
        } else {
          element.value = values[0];
        }
        element.dispatchEvent(new Event("input", { bubbles: true }));
        element.dispatchEvent(new Event("change", { bubbles: true }));
        if (!first && element.type !== "hidden") { first = element; }
      });
    });
    return first;
  }

  function done(which) {
    offer.querySelector(".session-actions").hidden = true;
    offer.querySelector(which).hidden = false;
    forgetHash();
  }

  offer.querySelector("[data-put-back]").addEventListener("click", function () {
    post(keptAddress("data-kept-url")).then(function (response) {
      if (!response.ok) { done("[data-kept-gone]"); return; }
      return response.json().then(function (body) {
        var form = formFor(body.action, body.fields);
        if (!form) { done("[data-kept-gone]"); return; }
        var first = putBack(form, body.fields);
        done("[data-kept-done]");
        if (first) { first.focus(); }
      });
    });
  });
  offer.querySelector("[data-discard]").addEventListener("click", function () {
    post(keptAddress("data-kept-discard-url")).then(function () {
      forgetHash();
      hide(offer);
    });
  });
  show(offer);
})();
