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

  // ---- Keyboard shortcuts (listui) ----------------------------------------------------------------------
  // "/" focuses the search box (the list's own, else the one in the top bar), "?" shows the shortcuts,
  // j/k move through the rows of a table marked data-rows, Enter opens the highlighted row, Esc leaves
  // the search box. Nothing fires while a person types in a field.
  function isTyping(el) {
    var tag = (el && el.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || (el && el.isContentEditable);
  }
  function focusSearch() {
    var box = document.querySelector('[data-hotkey="/"]');
    if (box) { box.focus(); if (box.select) box.select(); }
    return !!box;
  }
  function toggleShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (!dialog) return false;
    if (dialog.open) dialog.close(); else dialog.showModal();
    return true;
  }
  function moveRow(step) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("table[data-rows] tbody tr[data-href]"));
    if (!rows.length) return false;
    var current = rows.indexOf(document.activeElement && document.activeElement.closest("tr[data-href]"));
    var next = current < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, current + step));
    rows[next].focus({ preventScroll: true });
    rows[next].scrollIntoView({ block: "nearest" });
    return true;
  }
  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    if (isTyping(e.target)) {
      if (e.key === "Escape" && e.target.hasAttribute("data-hotkey")) e.target.blur();
      return;
    }
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open && e.key !== "?") return;  // the dialog has the keyboard (Esc closes it)
    var handled = false;
    if (e.key === "/") handled = focusSearch();
    else if (e.key === "?") handled = toggleShortcuts();
    else if (e.key === "j" || e.key === "k") handled = moveRow(e.key === "j" ? 1 : -1);
    else if (e.key === "Enter" && e.target.matches && e.target.matches("tr[data-href]")) {
      window.location.href = e.target.getAttribute("data-href");
      handled = true;
    }
    if (handled) e.preventDefault();
  });
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-shortcuts]")) toggleShortcuts();
  });

  // ---- Filter panel: checkbox dropdowns and collapse (listui) ----------------------------------------------
  // <details data-dropdown> holds checkboxes; its summary says what is ticked. One open at a time; a click
  // outside or Esc closes it. The panel below the search row can be hidden; the choice is remembered
  // (localStorage), the URL stays the truth for the filters themselves.
  function summarise(dropdown) {
    var ticked = dropdown.querySelectorAll('input[type="checkbox"]:checked');
    var out = dropdown.querySelector("[data-summary]");
    if (!out) return;
    var first = ticked.length ? ticked[0].parentNode.textContent.trim() : "Any";
    out.textContent = ticked.length > 1 ? first + " +" + (ticked.length - 1) : first;
  }
  function closeDropdowns(except) {
    document.querySelectorAll("details[data-dropdown][open]").forEach(function (d) {
      if (d !== except) d.open = false;
    });
  }
  document.addEventListener("change", function (e) {
    var dropdown = e.target.closest && e.target.closest("details[data-dropdown]");
    if (dropdown) summarise(dropdown);
  });
  document.addEventListener("toggle", function (e) {
    if (e.target.matches && e.target.matches("details[data-dropdown]") && e.target.open) closeDropdowns(e.target);
  }, true);
  document.addEventListener("click", function (e) {
    if (!(e.target.closest && e.target.closest("details[data-dropdown]"))) closeDropdowns(null);
  });
  document.addEventListener("keydown", function (e) {
    var dropdown = e.key === "Escape" && e.target.closest && e.target.closest("details[data-dropdown][open]");
    if (dropdown) { dropdown.open = false; dropdown.querySelector("summary").focus(); e.preventDefault(); }
  });

  var PANEL_KEY = "orderDesk.filterPanel";
  function setFilterPanel(button, open) {
    var panel = document.getElementById(button.getAttribute("aria-controls"));
    if (!panel) return;
    panel.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.textContent = open ? "Hide filters" : "Show filters";
  }
  function initFilterPanel() {
    var button = document.querySelector("[data-filter-toggle]");
    if (!button) return;
    var stored = null;
    try { stored = window.localStorage.getItem(PANEL_KEY); } catch (_) {}
    // No choice remembered yet: open on a wide screen, closed on a small one so the results start near the top.
    setFilterPanel(button, stored ? stored === "open" : window.innerWidth > 1000);
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      setFilterPanel(button, open);
      try { window.localStorage.setItem(PANEL_KEY, open ? "open" : "closed"); } catch (_) {}
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initFilterPanel);
  else initFilterPanel();
})();
