/* Quality over time: one line per advocate and one for the whole team, drawn with the
   vendored Apache ECharts (insights/vendor) from the numbers the page carries in a
   json_script block (no inline script, strict CSP). The table under the chart holds the
   same numbers, so nothing is lost without JavaScript. */
(function () {
  "use strict";

  var PALETTE = ["#000000", "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
    "#F0E442", "#7f7f7f"];

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-quality-chart"));
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var lang = document.documentElement.lang || "en";
    var numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
    element.style.height = "22rem";
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      aria: { enabled: true, label: { description: data.title } },
      color: PALETTE,
      animation: false,
      textStyle: { fontFamily: window.getComputedStyle(document.body).fontFamily },
      legend: { type: "scroll", top: 0 },
      tooltip: { trigger: "axis", confine: true,
        valueFormatter: function (v) { return v === null || v === undefined ? "–" : numbers.format(v) + " %"; } },
      grid: { left: 8, right: 16, top: 44, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" } },
      series: data.series.map(function (s, i) {
        return { name: s.name, type: "line", data: s.data, connectNulls: false,
          lineStyle: { width: i === 0 ? 4 : 2 }, symbolSize: i === 0 ? 8 : 5 };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-quality-chart]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
