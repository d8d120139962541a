// SWS page behaviour. No inline scripts (strict CSP): everything hooks in from here through data- attributes.
// Every page works without this file; it only makes things quicker or tidier.
//   [data-confirm="…"]   on a link, button or form: ask before going ahead
//   [data-print]         a button that prints the page (reports, QR posters); sws:print is cancellable
//   form[data-autosubmit] submit a filter form as soon as a select or checkbox changes
//   .nav-toggle          folds the top navigation into a menu on a phone
//   form.filters         folds into one button on a phone (aria-label names it)
//   a form with errors   its first error is scrolled into view and its field focused
//   [data-formset-add="prefix"] a button that adds a row to a Django formset from template#prefix-empty-row
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  // sws.css keeps a dashboard's tables aside while charts.js draws their charts (no layout shift); should
  // the chart scripts not arrive (no figure drawn nor awaited), the page's load gives the tables back.
  window.addEventListener("load", function () {
    document.querySelectorAll("figure[data-chart]:not(.chart-ready):not(.chart-pending)").forEach(function (figure) {
      figure.classList.add("chart-failed");
    });
  });

  function closeMenu(bar, toggle) {
    bar.classList.remove("nav-open");
    toggle.setAttribute("aria-expanded", "false");
  }

  function setUpMenu() {
    var bar = document.getElementById("topbar");
    var toggle = bar && bar.querySelector(".nav-toggle");
    if (!toggle) return;
    toggle.addEventListener("click", function () {
      var open = !bar.classList.contains("nav-open");
      bar.classList.toggle("nav-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && bar.classList.contains("nav-open")) {
        closeMenu(bar, toggle);
        toggle.focus();
      }
    });
  }

  // Per-unit rows folded away on screen (a phone would scroll through a card per station) print in full:
  // open them for printing, fold them again after.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.print-open:not([open])").forEach(function (details) {
      details.setAttribute("open", "");
      details.dataset.printOpened = "1";
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-print-opened]").forEach(function (details) {
      details.removeAttribute("open");
      delete details.dataset.printOpened;
    });
  });

  // The "更多" drop-down (a native <details>) closes on a click elsewhere or Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.nav-more[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.nav-more[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });

  // Ask before destructive actions.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && target.tagName !== "FORM" && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
    var printer = event.target.closest("[data-print]");
    if (printer) {
      event.preventDefault();
      // This is the one print handler: stop here so a page script listening too cannot print twice. A page
      // script that must prepare first cancels sws:print and prints when ready (charts.js).
      event.stopImmediatePropagation();
      if (document.dispatchEvent(new CustomEvent("sws:print", { cancelable: true }))) window.print();
    }
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    // A second click on a slow connection must not send the form twice (htmx forms manage themselves).
    // The attribute, not form.method: a field named "method" (the activity form's 服务方法) shadows it.
    if ((form.getAttribute("method") || "get").toLowerCase() === "post" && !form.hasAttribute("hx-post")) {
      if (form.dataset.submitting === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.submitting = "1";
      // A form that answers with a download leaves the page in place: allow another try after a while.
      window.setTimeout(function () { delete form.dataset.submitting; }, 5000);
    }
  });

  // Coming back with the Back button restores the page from cache: let its forms be sent again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-submitting]").forEach(function (form) {
        delete form.dataset.submitting;
      });
    }
  });

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosubmit") && event.target.matches("select, input[type=checkbox], input[type=radio]")) {
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  });

  // After an htmx swap, move keyboard focus to the swapped region when it asks for it (data-focus-after-swap).
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.hasAttribute && target.hasAttribute("data-focus-after-swap")) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  });

  // A table wider than its box scrolls sideways: make that box reachable with the keyboard (arrow keys
  // scroll it) and give it a name, as WCAG asks of scrollable regions.
  function labelScrollers() {
    document.querySelectorAll(".table-wrap").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var caption = box.querySelector("caption");
        var section = box.closest("section, figure, .card");
        var heading = section && section.querySelector("h2, h3, figcaption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", ((caption || heading) ? (caption || heading).textContent.trim() : "表格") + "（可左右滚动）");
        box.setAttribute("data-scroll-label", "");
      } else if (!scrolls && box.hasAttribute("data-scroll-label")) {
        ["tabindex", "role", "aria-label", "data-scroll-label"].forEach(function (name) { box.removeAttribute(name); });
      }
    });
  }

  // On a phone a filter bar would fill the first screen: fold it behind one button that says how many
  // filters are set. Without JavaScript (or on a desktop) the whole bar shows.
  function foldFilters() {
    document.querySelectorAll("form.filters").forEach(function (form, index) {
      if (form.querySelector(".filters-toggle")) return;
      var active = 0;
      form.querySelectorAll("input, select").forEach(function (field) {
        if (field.type === "hidden" || field.type === "submit" || field.type === "button") return;
        if (field.type === "checkbox" || field.type === "radio") { if (field.checked) active += 1; return; }
        if (field.tagName === "SELECT") { if (field.selectedIndex > 0) active += 1; return; }
        if (field.value.trim()) active += 1;
      });
      var label = form.getAttribute("aria-label") || "筛选";
      var toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "btn btn-sm filters-toggle";
      toggle.setAttribute("aria-expanded", "false");
      if (!form.id) form.id = "filters-" + index;
      toggle.setAttribute("aria-controls", form.id);
      toggle.textContent = label + (active ? "（已设 " + active + " 项）" : "");
      toggle.addEventListener("click", function () {
        var open = form.classList.toggle("filters-open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
      form.insertBefore(toggle, form.firstChild);
      form.classList.add("filters-collapsible");
      // A form the server sent back with errors stays open.
      if (form.querySelector(".errorlist, .form-errors")) toggle.click();
    });
  }

  // A form sent back with errors: bring the first error into view and put the cursor in its field, so a
  // refusal low on a long page (the fund ledger's entry form on a phone) is not missed. A filter bar's
  // errors are left alone (foldFilters opens it).
  function showFirstError() {
    var error = document.querySelector("form:not(.filters) .form-errors, form:not(.filters) .errorlist");
    if (!error) return;
    var field = error.closest(".field");
    var target = (field && field.querySelector("input:not([type=hidden]), select, textarea")) || null;
    var box = field || error;
    box.scrollIntoView({ block: "center" });
    if (target) target.focus({ preventScroll: true });
  }

  function addFormsetRow(event) {
    var button = event.target.closest("[data-formset-add]");
    if (!button) return;
    var prefix = button.getAttribute("data-formset-add");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty-row");
    var rows = document.getElementById(prefix + "-rows");
    if (!total || !template || !rows) return;
    var index = parseInt(total.value, 10) || 0;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var first = rows.lastElementChild && rows.lastElementChild.querySelector("select, input");
    if (first) first.focus();
  }

  function setUp() {
    setUpMenu();
    document.addEventListener("click", addFormsetRow);
    foldFilters();
    showFirstError();
    labelScrollers();
    var pending;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(labelScrollers, 200);
    });
    document.addEventListener("htmx:afterSettle", labelScrollers);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
