/*
 * Draws the charts of the council's dashboards with the vendored Chart.js. Each chart's data is
 * the JSON that the page embeds with Django's json_script (no inline scripts): labels, and per
 * dataset the figures of one column of the table beside it, null where the table shows a hidden
 * count ("<5", ".."), which is then simply not drawn. The charts are decoration: the table
 * carries every figure, and without this script (or Chart.js) the page shows the tables only.
 */
(function () {
  "use strict";

  // Okabe-Ito: distinguishable with the common colour-vision deficiencies.
  var COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"];

  function height(spec) {
    if (!spec.horizontal) return 320;
    // One bar per label and dataset, each about 14 px, and room for the axis and legend.
    return Math.max(240, spec.labels.length * Math.max(1, spec.datasets.length) * 14 + 90);
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    var figure = canvas.closest("[data-chart-figure]");
    if (!source || !figure) return;
    var spec = JSON.parse(source.textContent);
    figure.hidden = false;
    canvas.parentNode.style.height = height(spec) + "px";
    var valueAxis = spec.horizontal ? "x" : "y";
    var scales = { x: { stacked: spec.stacked }, y: { stacked: spec.stacked } };
    scales[valueAxis].beginAtZero = true;
    new window.Chart(canvas, {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (dataset, index) {
          var colour = COLOURS[index % COLOURS.length];
          return {
            label: dataset.label,
            data: dataset.data,
            backgroundColor: colour,
            borderColor: colour,
          };
        }),
      },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  function start() {
    if (!window.Chart) return;
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i += 1) draw(canvases[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
