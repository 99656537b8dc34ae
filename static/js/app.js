// Order Desk: the little JavaScript the pages need beyond htmx. No inline scripts (CSP).
(function () {
  "use strict";

  // Confirmation before anything destructive or state-changing: <button data-confirm="...">.
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-confirm]");
    if (el && (el.tagName === "BUTTON" || el.tagName === "A" || el.tagName === "INPUT")) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); e.stopImmediatePropagation(); }
    }
  }, true);

  // Copy to clipboard: <button data-copy="#selector">.
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-copy]");
    if (!el) return;
    var src = document.querySelector(el.getAttribute("data-copy"));
    if (!src) return;
    var text = src.textContent.trim();
    var done = function () { var t = el.textContent; el.textContent = "Copied"; setTimeout(function () { el.textContent = t; }, 1200); };
    if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text).then(done, function () {}); }
    else { var ta = document.createElement("textarea"); ta.value = text; document.body.appendChild(ta); ta.select();
      try { document.execCommand("copy"); done(); } catch (_) {} document.body.removeChild(ta); }
  });

  // Keyboard: "/" focuses the element marked data-hotkey="/"; Enter on a table row opens it.
  document.addEventListener("keydown", function (e) {
    var tag = (e.target.tagName || "").toLowerCase();
    var typing = tag === "input" || tag === "textarea" || tag === "select" || e.target.isContentEditable;
    if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      var box = document.querySelector('[data-hotkey="/"]');
      if (box) { e.preventDefault(); box.focus(); box.select && box.select(); }
    }
    if (e.key === "Enter" && !typing) {
      var row = e.target.closest && e.target.closest("tr[data-href]");
      if (row) { window.location.href = row.getAttribute("data-href"); }
    }
  });

  // Clicking anywhere on a row opens it (links and inputs inside keep their own behaviour).
  document.addEventListener("click", function (e) {
    var row = e.target.closest("tr[data-href]");
    if (!row || e.target.closest("a, button, input, label, select, textarea")) return;
    window.location.href = row.getAttribute("data-href");
  });
})();
