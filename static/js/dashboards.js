// Sorting of the dashboards' side-by-side tables in place. Without this file the header links reload the
// page sorted on the server (?sort=key or ?sort=-key); with it, a click sorts the rows at once and the
// address bar keeps the same ?sort= so a reload, a bookmark or an export gets the same order.
(function () {
  "use strict";

  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    var raw = cell ? cell.getAttribute("data-sort") : "";
    if (raw === null || raw === "") return null;
    if (!numeric) return raw;
    var number = parseFloat(raw);
    return isNaN(number) ? null : number;
  }

  function sortTable(table, header, descending) {
    var headers = Array.prototype.slice.call(header.parentNode.children);
    var index = headers.indexOf(header);
    var numeric = header.getAttribute("data-kind") !== "text";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index, numeric);
      var y = cellValue(b, index, numeric);
      if (x === null && y === null) return 0;
      if (x === null) return 1; // blanks last, whatever the direction
      if (y === null) return -1;
      var order = numeric ? x - y : String(x).localeCompare(String(y), "zh-Hans-CN");
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    headers.forEach(function (th) { th.setAttribute("aria-sort", "none"); });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("table[data-sortable] thead th a");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var header = link.closest("th");
    var table = link.closest("table");
    var state = header.getAttribute("aria-sort");
    var numeric = header.getAttribute("data-kind") !== "text";
    // First click: figures largest first, names A→Z; a second click reverses.
    var descending = state === "none" ? numeric : state === "ascending";
    event.preventDefault();
    sortTable(table, header, descending);
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("sort", (descending ? "-" : "") + url.searchParams.get("sort").replace(/^-/, ""));
    window.history.replaceState(null, "", url.pathname + url.search);
    // Export links follow the order on screen.
    document.querySelectorAll("a[data-keeps-sort]").forEach(function (exportLink) {
      var target = new URL(exportLink.href, window.location.href);
      target.searchParams.set("sort", url.searchParams.get("sort"));
      exportLink.href = target.pathname + target.search;
    });
  });
})();
