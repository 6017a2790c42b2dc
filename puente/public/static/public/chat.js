// The public web chat. What the visitor types is kept in this tab's sessionStorage until
// the server has it: a dropped connection or a reload loses nothing, and each message
// carries an id made here, so a retry is stored once. Ending the chat clears the storage
// and the screen. News (an advocate's answer) arrives by server-sent events; the page
// then fetches the new messages.
(function () {
  "use strict";
  var root = document.querySelector("[data-chat]");
  if (!root || !window.fetch || !window.EventSource) return;
  root.hidden = false;
  var DRAFT = "puente-chat-draft", OUTBOX = "puente-chat-outbox";
  var store = window.sessionStorage;
  var log = root.querySelector("[data-chat-log]");
  var form = root.querySelector("[data-chat-form]");
  var box = root.querySelector("#chat-body");
  var state = root.querySelector("[data-chat-state]");
  var startButton = root.querySelector("[data-chat-start]");
  var lastId = 0, source = null, flushing = false;

  function text(name) {
    var t = root.querySelector("[data-text-" + name + "]");
    return t ? t.innerHTML.trim() : "";
  }
  function say(name) { state.textContent = text(name); }
  function outbox() {
    try { return JSON.parse(store.getItem(OUTBOX) || "[]"); } catch (e) { return []; }
  }
  function saveOutbox(items) { store.setItem(OUTBOX, JSON.stringify(items)); }
  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function post(url, data) {
    var body = new URLSearchParams(data || {});
    return fetch(url, { method: "POST", credentials: "same-origin", body: body }).then(function (r) {
      return r.json().then(function (json) { if (!r.ok) throw json; return json; });
    });
  }
  function show(message) {
    var li = document.createElement("li");
    if (message.mine) li.className = "mine";
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = message.mine ? text("you") : text("advocate");
    li.appendChild(who);
    li.appendChild(document.createTextNode(message.body));
    li.setAttribute("data-testid", message.mine ? "chat-mine" : "chat-theirs");
    if (message.pending) li.setAttribute("data-pending", "");
    log.appendChild(li);
    return li;
  }
  function load() {
    return fetch(root.getAttribute("data-messages") + "?after=" + lastId, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.state === "closed") { ended(text("ended")); return data; }
        if (data.state === "none") return data;
        log.querySelectorAll("[data-pending]").forEach(function (li) { li.remove(); });
        // Two loads can be in flight at once (a message, then its "delivered"): each
        // message is shown once.
        data.messages.forEach(function (m) {
          if (m.id <= lastId) return;
          show(m);
          lastId = m.id;
        });
        outbox().forEach(function (item) { show({ mine: true, body: item.body, pending: true }); });
        if (data.joined) say("joined"); else say("waiting");
        return data;
      });
  }
  function flush() {
    var items = outbox();
    if (!items.length || flushing) return Promise.resolve();
    flushing = true;
    var item = items[0];
    return post(root.getAttribute("data-send"), { client_id: item.id, body: item.body })
      .then(function () {
        saveOutbox(outbox().filter(function (i) { return i.id !== item.id; }));
        flushing = false;
        return load().then(flush);
      })
      .catch(function (error) {
        flushing = false;
        if (error && error.error) { state.textContent = error.error; }
        else { say("offline"); setTimeout(flush, 3000); }
      });
  }
  function connect() {
    if (source) source.close();
    source = new EventSource(root.getAttribute("data-stream"));
    source.onopen = function () { load().then(flush); };
    source.onmessage = function (event) {
      var data = {};
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.kind === "ended") { load(); return; }
      if (data.kind === "joined") say("joined");
      if (data.kind === "waiting") say("waiting");
      load();
    };
  }
  function started() {
    startButton.hidden = true;
    form.hidden = false;
    box.value = store.getItem(DRAFT) || "";
    connect();
  }
  function clearAll() {
    store.removeItem(DRAFT);
    store.removeItem(OUTBOX);
    log.replaceChildren();
    box.value = "";
    lastId = 0;
  }
  function ended(message) {
    if (source) { source.close(); source = null; }
    clearAll();
    form.hidden = true;
    startButton.hidden = true;
    state.textContent = message || "";
    root.querySelector("[data-chat-ended]").hidden = false;
  }

  box.addEventListener("input", function () { store.setItem(DRAFT, box.value); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = box.value.trim();
    if (!body) return;
    var items = outbox();
    items.push({ id: newId(), body: body });
    saveOutbox(items);
    show({ mine: true, body: body, pending: true });
    box.value = "";
    store.removeItem(DRAFT);
    flush();
  });
  startButton.addEventListener("click", function () {
    post(root.getAttribute("data-start")).then(started).catch(function (error) {
      state.textContent = (error && error.error) || text("offline");
    });
  });
  root.querySelector("[data-chat-end]").addEventListener("click", function () {
    post(root.getAttribute("data-end")).finally(function () { ended(""); });
  });
  window.addEventListener("online", flush);
  if (root.hasAttribute("data-chatting") || outbox().length || store.getItem(DRAFT)) started();
})();
