// Dashboard charts with the vendored Apache ECharts (static/vendor/echarts). No inline script (strict CSP):
// each <figure data-chart="ID"> names a json_script element whose JSON payload says what to draw
// (see sws/dashboards/charts.py): {kind: "line"|"bar"|"pie", title, unit, categories, series: [{name, data, axis}]}.
// The figure also holds a table with the same numbers: shown when charts cannot be drawn, hidden on screen
// while the chart is awaited or drawn (a button shows it), always printed.
//
// The charts sit below the dashboards' figures, screens down on a phone. The library (180 KiB compressed,
// a long task to evaluate) is fetched only when the first chart comes within a screen of the view: this
// script's data-echarts names it. Each chart is drawn when it comes that near, one per task. Printing
// draws them all first: the 打印 button waits for the library (sws.js's sws:print event); Ctrl+P draws
// those it can at once (the library already here) and prints the others' tables.
(function () {
  "use strict";
  var LIBRARY = document.currentScript && document.currentScript.getAttribute("data-echarts");
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
    figure.classList.remove("chart-pending");
    var data = payload(figure);
    var holder = figure.querySelector(".chart");
    // sws.css keeps the table aside while the chart is awaited: give it back when there is no chart.
    if (!data || !holder || !window.echarts) {
      figure.classList.add("chart-failed");
      var toggle = figure.querySelector(".chart-toggle");
      if (toggle) toggle.hidden = true; // the table is there already
      return;
    }
    // Crisp enough for paper: draw at twice the screen resolution at least.
    var chart = window.echarts.init(holder, null, { renderer: "canvas", devicePixelRatio: Math.max(window.devicePixelRatio || 1, 2) });
    chart.setOption(optionFor(data));
    charts.push(chart);
    figure.classList.add("chart-ready");
    chart.resize(); // the holder was hidden (display: none) until now: take its real width
  }

  function setUpToggle(figure) {
    var toggle = figure.querySelector(".chart-toggle");
    if (!toggle) return;
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = figure.classList.toggle("chart-data-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.textContent = open ? "隐藏数据" : "查看数据";
    });
  }

  function resizeAll() {
    charts.forEach(function (chart) { chart.resize(); });
  }

  // The library, fetched once; withLibrary(callback) calls back when it has arrived (or failed to).
  var library = { state: window.echarts ? "ready" : "idle", waiting: [] };
  function withLibrary(callback) {
    if (library.state === "ready" || library.state === "failed") return callback();
    library.waiting.push(callback);
    if (library.state === "loading") return;
    library.state = "loading";
    var script = document.createElement("script");
    script.src = LIBRARY;
    script.async = true;
    script.onload = script.onerror = function () {
      library.state = window.echarts ? "ready" : "failed";
      library.waiting.splice(0).forEach(function (waiting) { waiting(); });
    };
    document.head.appendChild(script);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var pending = Array.prototype.slice.call(document.querySelectorAll("figure[data-chart]"));
    if (!pending.length) return;
    // Awaited, not failed (sws.js gives the tables back at the page's load to figures not marked so).
    pending.forEach(function (figure) {
      figure.classList.add("chart-pending");
      setUpToggle(figure);
    });
    var queue = [];
    var drawing = false;
    function draw(figure) {
      var at = pending.indexOf(figure);
      if (at === -1) return;
      pending.splice(at, 1);
      setUp(figure);
    }
    // One chart per task, not all in one: a phone answers a tap between two charts (Lighthouse's total
    // blocking time).
    function drawNext() {
      if (!queue.length) {
        drawing = false;
        return;
      }
      draw(queue.shift());
      window.setTimeout(drawNext, 0);
    }
    function drawSoon(figure) {
      queue.push(figure);
      if (drawing) return;
      drawing = true;
      withLibrary(function () { window.setTimeout(drawNext, 0); });
    }
    if ("IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) return;
          observer.unobserve(entry.target);
          drawSoon(entry.target);
        });
      }, { rootMargin: "100% 0px" }); // a screen ahead: drawn before it is scrolled to
      pending.forEach(function (figure) { observer.observe(figure); });
    } else {
      pending.forEach(drawSoon);
    }

    function drawAll() {
      pending.slice().forEach(draw);
      resizeAll(); // the printed page is narrower than the screen
    }
    // The 打印 button: the library first, every chart drawn, then the print dialog.
    document.addEventListener("sws:print", function (event) {
      if (!pending.length) return;
      event.preventDefault();
      withLibrary(function () {
        drawAll();
        window.print();
      });
    });
    // Ctrl+P gives no time to fetch anything: draw what can be drawn now, the others print their tables.
    window.addEventListener("beforeprint", function () {
      if (library.state === "ready") drawAll(); else resizeAll();
    });
    window.addEventListener("afterprint", resizeAll);
    var resizing;
    window.addEventListener("resize", function () {
      window.clearTimeout(resizing);
      resizing = window.setTimeout(resizeAll, 150);
    });
  });
})();
