// Order Desk: the "Export…" link on the order list follows the list's current filters. The list updates its
// URL with htmx (hx-push-url) without reloading the page, so the link's server-rendered query can be stale;
// on click it takes the address bar's query instead. No inline scripts (CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-export-link]");
    if (link) { link.href = link.getAttribute("data-export-link") + window.location.search; }
  }, true);
})();
