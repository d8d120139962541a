// Dashboard charts with the vendored Apache ECharts (static/vendor/echarts). No inline script (strict CSP):
// each <figure data-chart="ID"> names a json_script element whose JSON payload says what to draw
// (see sws/dashboards/charts.py): {kind: "line"|"bar"|"pie", title, unit, categories, series: [{name, data, axis}]}.
// The figure also holds a table with the same numbers: shown when charts cannot be drawn, hidden on screen
// once the chart is drawn (a button shows it again), always printed.
(function () {
  "use strict";
  var COLORS = ["#b3261e", "#0a58a8", "#1b6e32", "#a84c00", "#566271", "#7b3fa0", "#0d7a72", "#c2185b"];
  var charts = [];

  function payload(figure) {
    var node = document.getElementById(figure.getAttribute("data-chart"));
    if (!node) return null;
    try {
      return JSON.parse(node.textContent);
    } catch (error) {
      return null;
    }
  }

  function optionFor(data) {
    // Canvas tooltips in rich text: no HTML with style attributes is injected into the page.
    var base = {
      color: data.colors || COLORS,
      animation: false,
      textStyle: { fontFamily: "inherit" },
      tooltip: { trigger: data.kind === "pie" ? "item" : "axis", renderMode: "richText", confine: true },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true }
    };
    if (data.kind === "pie") {
      base.legend = { top: 0, type: "scroll" };
      base.series = [{
        type: "pie",
        radius: ["35%", "65%"],
        top: 24,
        label: { formatter: "{b}: {c} ({d}%)" },
        data: data.categories.map(function (name, index) {
          return { name: name, value: data.series[0].data[index] };
        })
      }];
      return base;
    }
    var twoAxes = data.series.some(function (s) { return s.axis === 1; });
    base.legend = { top: 0 };
    // Category names (诉求分类) are long: show every one, slanted, rather than dropping some.
    var slant = data.kind === "bar" && data.id !== "activities" && data.categories.length > 4;
    base.xAxis = {
      type: "category",
      data: data.categories,
      axisLabel: slant ? { interval: 0, rotate: 30 } : { hideOverlap: true }
    };
    base.yAxis = twoAxes
      ? [{ type: "value", name: data.series[0].name, minInterval: 1 }, { type: "value", name: data.series[1].name, minInterval: 1 }]
      : { type: "value", name: data.unit || "", minInterval: 1 };
    base.series = data.series.map(function (s) {
      return {
        name: s.name,
        type: data.kind,
        data: s.data,
        yAxisIndex: twoAxes ? (s.axis || 0) : 0,
        smooth: false,
        symbolSize: 6,
        label: { show: data.kind === "bar" && data.categories.length <= 8, position: "top" }
      };
    });
    return base;
  }

  function setUp(figure) {
    var data = payload(figure);
    var holder = figure.querySelector(".chart");
    // sws.css keeps the table aside while the chart is awaited: give it back when there is no chart.
    if (!data || !holder || !window.echarts) {
      figure.classList.add("chart-failed");
      return;
    }
    // Crisp enough for paper: draw at twice the screen resolution at least.
    var chart = window.echarts.init(holder, null, { renderer: "canvas", devicePixelRatio: Math.max(window.devicePixelRatio || 1, 2) });
    chart.setOption(optionFor(data));
    charts.push(chart);
    figure.classList.add("chart-ready");
    chart.resize(); // the holder was hidden (display: none) until now: take its real width
    var toggle = figure.querySelector(".chart-toggle");
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var open = figure.classList.toggle("chart-data-open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        toggle.textContent = open ? "隐藏数据" : "查看数据";
      });
    }
  }

  function resizeAll() {
    charts.forEach(function (chart) { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // One chart per task, not all in one: a phone answers a tap between two charts, and a dashboard with
    // many charts does not block the page for their sum (Lighthouse's total blocking time).
    var figures = Array.prototype.slice.call(document.querySelectorAll("figure[data-chart]"));
    // Awaited, not failed (sws.js gives the tables back at the page's load to figures not marked so).
    figures.forEach(function (figure) { figure.classList.add("chart-pending"); });
    (function drawNext() {
      if (!figures.length) return;
      var figure = figures.shift();
      setUp(figure);
      figure.classList.remove("chart-pending");
      window.setTimeout(drawNext, 0);
    })();
    var pending;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(resizeAll, 150);
    });
    // The printed page is narrower than the screen: redraw to fit before printing and after.
    window.addEventListener("beforeprint", resizeAll);
    window.addEventListener("afterprint", resizeAll);
  });
})();
