/* Statistics charts: reads the JSON data island (#chart-data) and draws one bar chart per
 * breakdown with the vendored Chart.js. The tables next to them carry the same numbers. */
(function () {
  "use strict";
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
      new window.Chart(canvases[i], {
        type: key === "mes" ? "line" : "bar",
        data: {
          labels: series.labels,
          datasets: [{ label: "Casos", data: series.values, backgroundColor: "#0b3d91", borderColor: "#0b3d91" }]
        },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          indexAxis: key === "mes" ? "x" : "y",
          plugins: { legend: { display: false } }
        }
      });
    }
  });
})();
