/* The dashboards' charts, drawn with the vendored Apache ECharts from the numbers each
   chart's page carries (a json_script block: no inline script, strict CSP). Every label
   arrives translated from the server; numbers are formatted here in the page's language.
   Without JavaScript nothing is lost: the table under each chart holds the same numbers. */
(function () {
  "use strict";

  var lang = document.documentElement.lang || "en";
  var numbers = new Intl.NumberFormat(lang);
  // Distinct for the common kinds of colour blindness (Okabe–Ito, then two greys).
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
    "#000000", "#7f7f7f", "#b3b3b3"];
  var registeredMaps = {};

  function format(value) {
    return numbers.format(value || 0);
  }

  function fontFamily() {
    return window.getComputedStyle(document.body).fontFamily;
  }

  // What a screen reader hears for the chart: its title, each category or series with its
  // count (the tops of the bars, the coloured states), and where the full table is.
  // ECharts' own generated description reads a stacked bar's inner values wrongly.
  function description(data) {
    var pairs;
    if (data.kind === "map") {
      pairs = data.regions.filter(function (r) { return r.value; })
        .map(function (r) { return r.label + ": " + format(r.value); });
    } else if (data.kind === "time") {
      pairs = data.series.map(function (s) {
        return s.name + ": " + format(s.data.reduce(function (a, b) { return a + b; }, 0));
      });
    } else if (data.series.length === 1) {
      pairs = data.categories.map(function (label, i) {
        return label + ": " + format(data.series[0].data[i]);
      });
    } else {
      pairs = data.categories.map(function (label, i) {
        return label + ": " + data.series.map(function (s) {
          return s.name + " " + format(s.data[i]);
        }).join(", ");
      });
    }
    return data.title + ". " + (pairs.length ? pairs.join("; ") + ". " : "") + data.more;
  }

  function common(data) {
    return {
      aria: { enabled: true, label: { description: description(data) } },
      color: PALETTE,
      textStyle: { fontFamily: fontFamily() },
      animation: false,
    };
  }

  function timeOption(data) {
    var option = common(data);
    option.legend = { type: "scroll", top: 0 };
    option.tooltip = { trigger: "axis", axisPointer: { type: "shadow" }, confine: true,
      valueFormatter: format };
    option.grid = { left: 8, right: 16, top: 44, bottom: 8, containLabel: true };
    option.xAxis = { type: "category", data: data.categories };
    option.yAxis = { type: "value", name: data.unit, minInterval: 1,
      axisLabel: { formatter: format } };
    option.series = data.series.map(function (series) {
      return { name: series.name, type: "bar", stack: "total", data: series.data,
        barMaxWidth: 48, emphasis: { focus: "series" } };
    });
    return option;
  }

  function barOption(data, element) {
    var option = common(data);
    var several = data.series.length > 1;
    if (several) option.legend = { type: "scroll", top: 0 };
    option.tooltip = { trigger: "axis", axisPointer: { type: "shadow" }, confine: true,
      valueFormatter: format };
    option.grid = { left: 8, right: 48, top: several ? 36 : 8, bottom: 8, containLabel: true };
    option.xAxis = { type: "value", name: data.unit, nameLocation: "middle", nameGap: 28,
      minInterval: 1, axisLabel: { formatter: format } };
    // Long labels (a Ley General form, a Polaris venue) are cut to fit; the tooltip and
    // the table give them whole.
    option.yAxis = { type: "category", inverse: true, data: data.categories,
      axisLabel: { width: Math.max(96, element.clientWidth * 0.4), overflow: "truncate" } };
    option.series = data.series.map(function (series) {
      return { name: series.name, type: "bar", data: series.data, barMaxWidth: 28,
        label: { show: true, position: "right", formatter: function (p) { return format(p.value); } } };
    });
    return option;
  }

  function mapOption(data) {
    var option = common(data);
    var highest = data.regions.reduce(function (most, region) {
      return Math.max(most, region.value);
    }, 0);
    option.tooltip = { trigger: "item", confine: true, formatter: function (p) {
      var region = p.data || { label: p.name, value: 0 };
      return region.label + ": " + format(region.value);
    } };
    option.visualMap = { type: "continuous", min: 0, max: Math.max(highest, 1), left: 0,
      bottom: 0, calculable: false, text: [format(Math.max(highest, 1)), format(0)],
      inRange: { color: ["#eef3fb", "#6f9fd8", "#0a3f7a"] } };
    option.series = [{ type: "map", map: data.map, name: data.unit, roam: false,
      data: data.regions, selectedMode: false,
      itemStyle: { borderColor: "#ffffff", borderWidth: 0.5 },
      emphasis: { label: { show: false }, itemStyle: { areaColor: "#E69F00" } } }];
    return option;
  }

  function loadMap(name, url) {
    if (!registeredMaps[name]) {
      registeredMaps[name] = fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (svg) { window.echarts.registerMap(name, { svg: svg }); });
    }
    return registeredMaps[name];
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source) return null;
    var data = JSON.parse(source.textContent);
    if (data.kind === "bar") {
      // One bar a line: the chart grows with the number of categories and series.
      var rows = data.categories.length * data.series.length;
      element.style.height = Math.max(160, rows * 26 + (data.series.length > 1 ? 80 : 56)) + "px";
    }
    var chart = window.echarts.init(element, null, {
      renderer: "svg", locale: lang.indexOf("es") === 0 ? "ES" : "EN",
    });
    if (data.kind === "map") {
      loadMap(data.map, element.dataset.mapUrl).then(function () {
        chart.setOption(mapOption(data));
        element.dataset.drawn = "true";
      });
    } else {
      chart.setOption(data.kind === "time" ? timeOption(data) : barOption(data, element));
      element.dataset.drawn = "true";
    }
    return chart;
  }

  function start() {
    if (!window.echarts) return;
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var chart = draw(element);
      if (chart) charts.push(chart);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        charts.forEach(function (chart) { chart.resize(); });
      }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
