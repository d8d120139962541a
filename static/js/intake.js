// Intake form (residents/request_intake.html). The form works without this file; it only
//  - pre-fills 轻重 and 缓急 from the chosen category's defaults (data-severity / data-urgency on each option),
//  - shows only the section for the chosen 诉求人 mode, and picks "已登记居民" when a resident is chosen,
//  - keeps ID numbers out of the live search's URL.
(function () {
  "use strict";

  function checkRadio(form, name, value) {
    if (!value) return;
    var input = form.querySelector('input[type="radio"][name="' + name + '"][value="' + value + '"]');
    if (input) input.checked = true;
  }

  function showMode(form) {
    var checked = form.querySelector('input[name="mode"]:checked');
    var mode = checked ? checked.value : "existing";
    form.setAttribute("data-mode", mode); // sws.css hides the other sections by it before this file runs
    form.querySelectorAll("[data-mode-section]").forEach(function (section) {
      section.hidden = section.getAttribute("data-mode-section") !== mode;
    });
  }

  function setUp() {
    var form = document.querySelector("form.intake");
    if (!form) return;
    var category = form.querySelector("select[data-prefill-priority]");
    if (category) {
      category.addEventListener("change", function () {
        var option = category.options[category.selectedIndex];
        if (!option) return;
        checkRadio(form, "severity", option.getAttribute("data-severity"));
        checkRadio(form, "urgency", option.getAttribute("data-urgency"));
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "mode") showMode(form);
      if (event.target.name === "resident") {
        checkRadio(form, "mode", "existing");
        showMode(form);
      }
    });
    showMode(form);
  }

  // The live search travels in a URL (GET): only names, 4-character tails and mobile numbers go out. A
  // longer run of digits (an ID number being typed) waits for the 搜索 button, which posts the form.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || elt.id !== "intake-q") return;
    var params = event.detail.parameters;
    var q = String((params && (typeof params.get === "function" ? params.get("q") : params.q)) || "").trim();
    if (/[0-9Xx]{5,}/.test(q.replace(/\s+/g, "")) && !/^1[3-9][0-9]{9}$/.test(q)) {
      event.preventDefault();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
