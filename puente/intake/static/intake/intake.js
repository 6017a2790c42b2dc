// The new-contact screen: keyboard first. Loaded by intake/new.html (no inline scripts
// under the strict CSP).
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) { return; }

  // Ctrl+Enter (Cmd+Enter) saves from anywhere in the form. A plain Enter in a
  // single-line field does not: pressed after typing the number or the city, it would
  // save a contact without its narrative. In the narrative it makes a new line; on a
  // button it presses the button.
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) { return; }
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    var target = event.target;
    if (target.tagName === "INPUT" && target.type !== "submit" && target.type !== "button") {
      event.preventDefault();
    }
  });

  // The number field has the focus when the page opens, so an advocate with the phone
  // ringing may type before htmx is ready (a slow phone, a busy machine): those keys set
  // off no lookup, and the earlier cases would not show until the number changed. Once
  // htmx has set up the page (its own DOMContentLoaded listener was added before this
  // one), a number typed meanwhile is looked up. A number the page came with
  // (defaultValue) has its lookup on the page already.
  var phone = document.getElementById("id_phone");
  document.addEventListener("DOMContentLoaded", function () {
    if (phone && window.htmx && phone.value.trim() && phone.value !== phone.defaultValue) {
      window.htmx.trigger(phone, "change");
    }
  });

  // The interpreter's language only matters once an interpreter is used.
  var used = document.getElementById("id_interpreter_used");
  var language = document.getElementById("id_interpreter_language");
  function syncInterpreter() {
    if (!used || !language) { return; }
    language.disabled = !used.checked;
    if (!used.checked) { language.value = ""; }
  }
  if (used) { used.addEventListener("change", syncInterpreter); syncInterpreter(); }
})();

// The autosave. Once the contact is being saved, a late autosave must not bring back
// the draft that saving deletes. And a number typed only to look the caller up is not
// yet a contact: the draft starts once something else is typed or picked (the server
// holds to the same rule, intake.domain.save_draft).
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) { return; }
  var submitting = false;
  // A draft being continued, or a form sent back with errors, has been typed in already.
  var typed = form.hasAttribute("data-typed");
  function notTheNumber(event) {
    var target = event.target;
    if (target && target.name && target.name !== "phone" && target.name !== "draft_key") {
      typed = true;
    }
  }
  form.addEventListener("input", notTheNumber);
  form.addEventListener("change", notTheNumber);
  form.addEventListener("submit", function () { submitting = true; });
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt !== form) { return; }
    if (submitting || !typed) { event.preventDefault(); }
  });
})();
