/* The portfolio page's chart: planned against realised savings, cumulative (DKK).
 * The figures come from the page's JSON block; the table below the chart holds the same
 * figures, so the chart is an addition and nothing is lost without JavaScript. */
(function () {
  "use strict";

  function draw() {
    var canvas = document.getElementById("portfolio-chart");
    var source = document.getElementById("portfolio-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var locale = document.documentElement.lang || "da";
    var format = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.planned_label, data: data.planned, backgroundColor: "#0059b3" },
          { label: data.realised_label, data: data.realised, backgroundColor: "#358000" }
        ]
      },
      options: {
        responsive: true,
        animation: false,
        scales: {
          y: { beginAtZero: true, ticks: { callback: function (value) { return format.format(value); } } }
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: function (item) { return item.dataset.label + ": " + format.format(item.raw); }
            }
          }
        }
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
