// Order Desk: dialogs that ask for something before a form is sent (no inline scripts: CSP).
//
// <button data-reason-dialog="#dialog" data-reason-field="#reason-input"
//         [data-reason-when="#select" data-reason-value="CANCELLED"]>
// opens <dialog class="reason-dialog"> (a form with method="dialog" and one required text box) instead of
// sending the button's form; the reason typed there goes into the form's reason field, then the form is sent
// with that button. Escape or "Keep" sends nothing. Without <dialog> support the form is sent as is and the
// server refuses a cancellation without a reason. With data-reason-when, only while that select has that value.
(function () {
  "use strict";
  var pending = null;  // {form, button, field} waiting for the dialog

  function reasonInput(dialog) { return dialog.querySelector("textarea, input[type='text']"); }
  function checkBlank(input) {
    input.setCustomValidity(input.value.trim() ? "" : (input.getAttribute("data-blank-message") || "Say why."));
  }

  // On window, capturing: runs before app.js's data-confirm on the document, and stops it (the dialog confirms).
  window.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-reason-dialog]");
    if (!button || !button.form) return;
    var when = button.getAttribute("data-reason-when");
    if (when) {
      var select = document.querySelector(when);
      if (!select || select.value !== button.getAttribute("data-reason-value")) return;
    }
    var dialog = document.querySelector(button.getAttribute("data-reason-dialog"));
    if (!dialog || typeof dialog.showModal !== "function") return;
    e.preventDefault();
    e.stopImmediatePropagation();
    var field = document.querySelector(button.getAttribute("data-reason-field"));
    var input = reasonInput(dialog);
    input.value = field ? field.value.trim() : "";
    checkBlank(input);
    pending = {form: button.form, button: button, field: field};
    dialog.showModal();
    input.focus();
  }, true);

  document.addEventListener("input", function (e) {
    if (e.target.closest && e.target.closest("dialog.reason-dialog")) checkBlank(e.target);
  });

  document.addEventListener("submit", function (e) {
    var dialog = e.target.closest && e.target.closest("dialog.reason-dialog");
    if (!dialog) return;
    e.preventDefault();
    var input = reasonInput(dialog);
    checkBlank(input);
    if (!input.reportValidity()) return;
    var go = pending;
    pending = null;
    dialog.close();
    if (!go) return;
    if (go.field) go.field.value = input.value.trim();
    go.form.requestSubmit(go.button);
  });

  document.addEventListener("click", function (e) {
    var close = e.target.closest && e.target.closest("dialog.reason-dialog [data-dialog-close]");
    if (close) { pending = null; close.closest("dialog").close(); }
  });
  document.addEventListener("close", function (e) {
    if (e.target.matches && e.target.matches("dialog.reason-dialog")) pending = null;
  }, true);
})();
