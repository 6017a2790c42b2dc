// The new-contact screen: keyboard first. Loaded by intake/new.html (no inline scripts
// under the strict CSP).
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) { return; }

  // Enter already saves from single-line fields; in the narrative it makes a new line,
  // so Ctrl+Enter (Cmd+Enter) saves from there.
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
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

// Once the contact is being saved, a late autosave must not bring back the draft that
// saving deletes.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) { return; }
  var submitting = false;
  form.addEventListener("submit", function () { submitting = true; });
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (submitting && event.detail.elt === form) { event.preventDefault(); }
  });
})();
