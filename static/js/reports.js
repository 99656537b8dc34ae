// Order Desk exports.
// 1. The "Export…" link on the order list follows the list's current filters. The list updates its URL with htmx
//    (hx-push-url) without reloading the page, so the link's server-rendered query can be stale; on click it
//    takes the address bar's query instead.
// 2. The export form's summary ("The file: CSV, one row per order, 3 columns: ...") follows the format, the
//    ticked columns and their positions as they are changed (the server renders the same text first).
// No inline scripts (CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-export-link]");
    if (link) { link.href = link.getAttribute("data-export-link") + window.location.search; }
  }, true);

  function position(form, box, i) {
    var pos = form.querySelector('input[name="pos-' + box.value + '"]');
    var n = pos ? parseInt(pos.value, 10) : NaN;
    return [isNaN(n) ? 10000 : n, i];  // as the server sorts: position, then the page's order
  }

  function summarise(form) {
    var summary = document.getElementById("export-summary");
    if (!summary) { return; }
    var format = form.querySelector('input[name="format"]:checked');
    var what = summary.querySelector('[data-summary="what"]');
    if (format && what) {
      what.textContent = format.getAttribute("data-label") + what.textContent.slice(what.textContent.indexOf(","));
    }
    var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name="columns"]'));
    var picked = boxes.map(function (box, i) { return { box: box, key: position(form, box, i) }; })
      .filter(function (p) { return p.box.checked; })
      .sort(function (a, b) { return a.key[0] - b.key[0] || a.key[1] - b.key[1]; })
      .map(function (p) { return p.box.getAttribute("data-label"); });
    summary.querySelector('[data-summary="count"]').textContent =
      picked.length + (picked.length === 1 ? " column" : " columns");
    summary.querySelector('[data-summary="columns"]').textContent = picked.join(", ") || "none chosen yet";
  }

  ["change", "input"].forEach(function (type) {
    document.addEventListener(type, function (e) {
      var form = e.target.closest && e.target.closest("#export-form");
      if (form) { summarise(form); }
    });
  });
})();
