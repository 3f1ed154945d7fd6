(function () {
  "use strict";
  var palette = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"];
  // the first three lines solid, then dashes, so that no line is told
  // from another by colour alone
  var dashes = [null, null, null, [10, 4], [2, 3], [10, 3, 2, 3], [5, 5], [14, 4, 2, 4, 2, 4]];
  var charts = [];
  window.depinsimCharts = charts;

  function fmt(v) {
    if (v == null || !isFinite(v)) return "–";
    var a = Math.abs(v);
    if (a !== 0 && (a >= 1e7 || a < 1e-3)) return v.toExponential(3);
    return String(+v.toPrecision(5));
  }
  function fmtAxis(u, vals) { return vals.map(function (v) { return v == null ? "" : fmt(v); }); }
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function fmtDate(t) {
    if (t == null) return "–";
    var d = new Date(t * 1000);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }
  function width(el) { return Math.max(300, Math.floor(el.clientWidth || 900)); }

  function draw(el) {
    var d = JSON.parse(el.textContent);
    var id = el.getAttribute("data-chart");
    var host = document.getElementById(id + "-plot");
    var data = [d.x];
    var numX = !!d.xlabel;
    var series = [numX ? { label: d.xlabel, value: function (u, v) { return fmt(v); } } : { label: "date (UTC)", value: function (u, v) { return fmtDate(v); } }];
    var bands = [];
    var bandOf = {}; // series index of a line -> the indexes of its band
    var hidden = [];
    d.series.forEach(function (s, k) {
      var st = s.style ? s.style - 1 : k; // a thing's own colour and dashes in every chart
      var col = palette[st % palette.length];
      var dash = dashes[st % dashes.length];
      data.push(s.values);
      var line = { label: s.name, stroke: col, width: 1.75, points: { show: numX, size: 6, fill: col }, value: function (u, v) { return fmt(v); } };
      if (s.dots) { line.paths = function () { return null; }; line.points = { show: true, size: 7, fill: col }; }
      if (numX || d.span) line.spanGaps = true;
      if (dash) line.dash = dash;
      series.push(line);
      var li = series.length - 1;
      if (s.lo && s.hi) {
        data.push(s.hi, s.lo);
        series.push({ label: s.name + " (CI high)", stroke: col, width: 0, points: { show: false }, value: function (u, v) { return fmt(v); } });
        series.push({ label: s.name + " (CI low)", stroke: col, width: 0, points: { show: false }, value: function (u, v) { return fmt(v); } });
        bands.push({ series: [li + 1, li + 2], fill: col + "30" });
        bandOf[li] = [li + 1, li + 2];
        hidden.push(li + 1, li + 2);
      }
    });
    var opts = {
      width: width(host),
      height: 320,
      series: series,
      bands: bands,
      scales: { x: numX ? { time: false, distr: d.xlog ? 3 : 1 } : { time: true } },
      axes: [numX ? { label: d.xlabel, values: fmtAxis } : {}, { label: d.ylabel, values: fmtAxis, size: 70 }],
      cursor: { drag: { x: true, y: false, setScale: true } },
      legend: { live: true },
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
      hooks: {
        setSeries: [function (u, i, o) {
          if (i == null || !bandOf[i] || !o || o.show == null) return;
          bandOf[i].forEach(function (j) { if (u.series[j].show !== o.show) u.setSeries(j, { show: o.show }); });
        }]
      }
    };
    if (d.ylog) opts.scales.y = { distr: 3 };
    var u = new uPlot(opts, data, host);
    var rows = u.root.querySelectorAll(".u-legend .u-series");
    hidden.forEach(function (j) { if (rows[j]) rows[j].style.display = "none"; });
    charts.push(u);
  }

  function resize() {
    charts.forEach(function (u) {
      var host = u.root.parentNode;
      u.setSize({ width: width(host), height: 320 });
    });
  }

  var els = document.querySelectorAll('script[type="application/json"][data-chart]');
  for (var i = 0; i < els.length; i++) draw(els[i]);
  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) clearTimeout(pending);
    pending = setTimeout(resize, 150);
  });
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
  document.body.dataset.reportReady = "1";
})();
