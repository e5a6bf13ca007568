/* The management dashboard's charts, drawn by Chart.js (global `Chart`) from the JSON the
   page embeds with json_script (id "dashboard-data"). The table under each chart holds the
   same figures and is the accessible source; a hidden (suppressed) cell is a gap here. */
(function () {
  "use strict";

  // Colours with enough contrast against white, told apart by the line style too.
  var COLOURS = ["#004993", "#b0460c", "#358000", "#7a2a8c", "#a6093d", "#006b6b", "#5c5c00", "#333333"];
  var DASHES = [[], [6, 3], [2, 2], [10, 4, 2, 4], [1, 3], [8, 2], [4, 4], [12, 3]];

  function suffix(spec) {
    if (spec.percent) { return " %"; }
    if (spec.minutes) { return " min"; }
    return "";
  }

  function numberText(value, spec) {
    if (value === null || value === undefined) { return "<5 / x"; }
    var lang = document.documentElement.lang || "da";
    return Number(value).toLocaleString(lang, { maximumFractionDigits: 1 }) + suffix(spec);
  }

  function datasets(spec) {
    var line = spec.type === "line";
    return spec.datasets.map(function (set, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        label: set.label,
        data: set.data,
        borderColor: colour,
        backgroundColor: line ? colour : colour + "cc",
        borderDash: line ? DASHES[index % DASHES.length] : [],
        borderWidth: 2,
        pointRadius: line && spec.labels.length > 60 ? 0 : 3,
        spanGaps: false,
        tension: 0
      };
    });
  }

  function draw(canvas, spec) {
    var horizontal = spec.horizontal && spec.type === "bar";
    var valueAxis = {
      beginAtZero: true,
      stacked: spec.stacked,
      ticks: { callback: function (value) { return numberText(value, spec); } }
    };
    if (spec.percent) { valueAxis.suggestedMax = 100; }
    var categoryAxis = { stacked: spec.stacked, ticks: { autoSkip: true, maxRotation: 60 } };
    var options = {
      responsive: true,
      maintainAspectRatio: true,
      aspectRatio: horizontal ? 1.4 : 2.4,
      animation: false,
      indexAxis: horizontal ? "y" : "x",
      plugins: {
        legend: { display: spec.datasets.length > 1, position: "bottom" },
        title: { display: false },
        tooltip: {
          callbacks: {
            label: function (context) {
              var raw = horizontal ? context.parsed.x : context.parsed.y;
              return context.dataset.label + ": " + numberText(raw, spec);
            }
          }
        }
      },
      scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis }
    };
    return new Chart(canvas, {
      type: spec.type === "line" ? "line" : "bar",
      data: { labels: spec.labels, datasets: datasets(spec) },
      options: options
    });
  }

  function start() {
    var source = document.getElementById("dashboard-data");
    window.borgerserviceCharts = {};
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    (data.charts || []).forEach(function (spec) {
      var canvas = document.getElementById("chart-" + spec.id);
      if (!canvas) { return; }
      try {
        window.borgerserviceCharts[spec.id] = draw(canvas, spec);
      } catch (error) {
        // The table below stays the source of the figures; never break the page.
        if (window.console) { window.console.error(error); }
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
