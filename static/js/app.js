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
    if (!row || e.target.closest("a, button, input, label, select, textarea, td.check")) return;
    window.location.href = row.getAttribute("data-href");
  });
  // htmx: back/forward reload the page from the server, so the filter panel always matches the URL
  // (the panel is not part of the swapped partial, so a cached snapshot could show stale inputs).
  if (window.htmx) {
    window.htmx.config.historyCacheSize = 0;
    window.htmx.config.refreshOnHistoryMiss = true;
    window.htmx.config.includeIndicatorStyles = false;  // an inline <style>, refused by the CSP (app.css has them)
  }

  // A bad filter answers 400 with the message in the results partial: show it instead of dropping it.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var target = e.detail.target;
    if (e.detail.xhr && e.detail.xhr.status === 400 && target && target.id === "order-results") {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  // Bulk selection on the order list: "select all on this page", a live count, and bulk buttons that
  // stay disabled until something is ticked.
  function syncSelection(form) {
    if (!form) return;
    var boxes = form.querySelectorAll('input[type="checkbox"][name="ids"]');
    var ticked = form.querySelectorAll('input[type="checkbox"][name="ids"]:checked').length;
    var all = form.querySelector("[data-select-all]");
    if (all) { all.checked = ticked > 0 && ticked === boxes.length; all.indeterminate = ticked > 0 && ticked < boxes.length; }
    var label = form.querySelector("[data-selected-count]");
    if (label) { label.textContent = ticked ? ticked + " selected" : "No orders selected"; }
    form.querySelectorAll("[data-needs-selection]").forEach(function (b) { b.disabled = ticked === 0; });
  }
  document.addEventListener("change", function (e) {
    var form = e.target.closest && e.target.closest("form.bulk");
    if (!form) return;
    if (e.target.hasAttribute("data-select-all")) {
      form.querySelectorAll('input[type="checkbox"][name="ids"]').forEach(function (b) { b.checked = e.target.checked; });
    }
    syncSelection(form);
  });
  function syncAll() { document.querySelectorAll("form.bulk").forEach(syncSelection); }
  document.addEventListener("DOMContentLoaded", syncAll);
  document.addEventListener("htmx:afterSwap", syncAll);
})();
