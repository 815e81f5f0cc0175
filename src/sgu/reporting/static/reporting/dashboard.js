/* Statistics charts: reads the JSON data island (#chart-data) and draws one bar chart per
 * breakdown with the vendored Chart.js. The tables next to them carry the same numbers. */
(function () {
  "use strict";
  // Numbers as on the rest of the page: decimal comma, a narrow space between thousands.
  function numero(value) {
    var parts = String(Math.round(value * 100) / 100).split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
    return parts.join(",");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var island = document.getElementById("chart-data");
    if (!island || !window.Chart) {
      return;
    }
    var data = JSON.parse(island.textContent);
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i++) {
      var key = canvases[i].getAttribute("data-chart");
      var series = data[key];
      if (!series || !series.labels.length) {
        continue;
      }
      var line = key === "mes";
      // Counts: whole numbers on the axis (never 0,1 … 1,0 or 2,85 … 3,15), from zero.
      var counts = {
        beginAtZero: true,
        ticks: { precision: 0, callback: numero },
        title: { display: true, text: "Casos" }
      };
      new window.Chart(canvases[i], {
        type: line ? "line" : "bar",
        data: {
          labels: series.labels,
          datasets: [{ label: "Casos", data: series.values, backgroundColor: "#0b3d91", borderColor: "#0b3d91" }]
        },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          indexAxis: line ? "x" : "y",
          scales: line ? { y: counts } : { x: counts },
          plugins: {
            legend: { display: false },
            tooltip: {
              callbacks: {
                label: function (context) {
                  var v = line ? context.parsed.y : context.parsed.x;
                  return numero(v) + (v === 1 ? " caso" : " casos");
                }
              }
            }
          }
        }
      });
    }
  });
})();
