// Intake form (residents/request_intake.html). The form works without this file; it only
//  - pre-fills 轻重 and 缓急 from the chosen category's defaults (data-severity / data-urgency on each option),
//  - shows only the section for the chosen 诉求人 mode, and picks "已登记居民" when a resident is chosen.
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

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
