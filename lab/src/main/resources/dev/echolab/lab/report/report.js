// report.html's charts: draws every chart of the JSON in #chart-data with uPlot (inlined above this
// script), into the figure with id "chart-" + its name. Hover a chart for its values (in the legend),
// click a legend entry to hide or show that series, drag across a line chart to zoom (double-click:
// back). For each chart it records what it drew in window.echolabCharts[name] = {series, points},
// which ReportInBrowserTest reads. Written by dev.echolab.lab.report.HtmlReport; the data model is Charts.
(function () {
  'use strict';
  const charts = JSON.parse(document.getElementById('chart-data').textContent);
  const drawn = {};
  window.echolabCharts = drawn;

  // Axis ticks as people write numbers (1, 10, 100, 1,000), never 1e+3.
  function num(v, decimals) {
    return v == null ? '-' : v.toLocaleString('en-US', {maximumFractionDigits: decimals});
  }
  // As many decimals as the step between ticks has: 2.5 -> 1, 0.05 -> 2, 1,000 -> 0.
  function tickDecimals(step) {
    let d = 0;
    while (d < 6 && Math.abs(step * Math.pow(10, d) - Math.round(step * Math.pow(10, d))) > 1e-6) {
      d++;
    }
    return d;
  }
  function valueDecimals(v) {
    const a = Math.abs(v);
    return a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  }
  // The percentile axis holds 1/(1-p): 1 -> 0%, 10 -> 90%, 100 -> 99%, 1,000 -> 99.9%.
  function percentile(x, extraDecimals) {
    const d = Math.max(0, Math.ceil(Math.log10(x) - 2 - 1e-9)) + extraDecimals;
    return num(100 * (1 - 1 / x), d) + '%';
  }
  function decades(max) {
    const out = [];
    for (let x = 1; x <= max * 1.0001; x *= 10) {
      out.push(x);
    }
    return out;
  }

  function xScale(c, xs) {
    switch (c.axis) {
      case 'CATEGORY': return {time: false, range: () => [-0.5, c.categories.length - 0.5]};
      case 'PERCENTILE': return {time: false, distr: 3, log: 10,
        range: (u, min, max) => [1, Math.pow(10, Math.ceil(Math.log10(Math.max(max, 10)) - 1e-9))]};
      case 'LOG': return {time: false, distr: 3, log: 10,
        range: (u, min, max) => min === max ? [min / 2, max * 2] : [min / 1.5, max * 1.5]};
      default: return {time: false};
    }
  }

  function xAxis(c, xs) {
    const axis = {label: c.xTitle, labelSize: 20};
    switch (c.axis) {
      case 'CATEGORY':
        axis.splits = () => c.categories.map((_, i) => i);
        axis.values = (u, splits) => splits.map(i => c.categories[i] ?? '');
        axis.grid = {show: false};
        break;
      case 'PERCENTILE':
        axis.splits = (u, i, min, max) => decades(max);
        axis.filter = (u, splits) => splits; // uPlot's log axes label only 1, 2, 5 x 10^n by default
        axis.values = (u, splits) => splits.map(x => percentile(x, 0));
        break;
      case 'LOG':
        axis.splits = () => xs;
        axis.filter = (u, splits) => splits;
        axis.values = (u, splits) => splits.map(x => num(x, 0));
        break;
      default:
        if (c.small) {
          axis.incrs = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600]; // whole seconds
        }
        axis.values = (u, splits, i, space, step) => splits.map(x => num(x, tickDecimals(step)));
    }
    return axis;
  }

  function xValue(c) {
    switch (c.axis) {
      case 'CATEGORY': return (u, x) => x == null ? '-' : c.categories[x];
      case 'PERCENTILE': return (u, x) => x == null ? '-' : percentile(x, 2);
      default: return (u, x) => x == null ? '-' : num(x, valueDecimals(x)) + (c.small ? ' s' : '');
    }
  }

  // Grouped bars: series s of n takes the s-th slice of the middle 80% of its category.
  function groupedBars(s, n) {
    const w = 0.8 / n;
    return uPlot.paths.bars({align: 1, disp: {
      x0: {unit: 1, values: u => u.data[0].map(x => x - 0.4 + s * w)},
      size: {unit: 1, values: u => u.data[0].map(() => w)}}});
  }

  // Seconds below 0 are the warm-up: shaded, so that its ramp is not read as the measurement.
  function shadeWarmup(u) {
    const zero = u.valToPos(0, 'x', true);
    const left = u.bbox.left;
    if (zero <= left) {
      return;
    }
    const ctx = u.ctx;
    ctx.save();
    ctx.fillStyle = 'rgba(0, 0, 0, 0.06)';
    ctx.fillRect(left, u.bbox.top, Math.min(zero, left + u.bbox.width) - left, u.bbox.height);
    ctx.fillStyle = '#777';
    ctx.font = (11 * devicePixelRatio) + 'px system-ui, sans-serif';
    ctx.fillText('warm-up', left + 4 * devicePixelRatio, u.bbox.top + u.bbox.height - 4 * devicePixelRatio);
    ctx.restore();
  }

  function record(c, u) {
    let series = 0;
    let points = 0;
    for (let i = 1; i < u.series.length; i++) {
      if (u.series[i].show) {
        series++;
        points += u.data[i].filter(v => v != null).length;
      }
    }
    drawn[c.name] = {series: series, points: points};
  }

  function draw(c) {
    const figure = document.getElementById('chart-' + c.name);
    const plot = figure.querySelector('.plot');
    const bars = c.axis === 'CATEGORY';
    const data = bars
      ? [c.categories.map((_, i) => i), ...c.lines.map(l => l.y)]
      : uPlot.join(c.lines.map(l => [l.x, l.y]));
    const xs = data[0];
    const unit = c.yTitle.startsWith('%') ? '%' : ' ' + c.yTitle;
    const series = [{label: c.small ? 'second' : c.xTitle, value: xValue(c)}].concat(c.lines.map((l, i) => ({
      label: l.name,
      stroke: l.colour,
      fill: bars ? l.colour : undefined,
      width: bars ? 0 : (c.small ? 1.5 : 2),
      dash: l.reference ? [8, 5] : undefined,
      spanGaps: true,
      paths: bars ? groupedBars(i, c.lines.length) : undefined,
      points: {show: !bars && (c.axis !== 'PERCENTILE'), size: 5},
      value: (u, v) => v == null ? '-' : num(v, valueDecimals(v)) + unit,
    })));
    const width = Math.max(320, plot.clientWidth || 900);
    const u = new uPlot({
      title: c.title,
      padding: [12, c.axis === 'PERCENTILE' ? 36 : 12, 0, 0], // room for the last percentile label
      width: width,
      height: c.small ? 220 : 360,
      series: series,
      scales: {x: xScale(c, xs), y: c.logY ? {distr: 3, log: 10}
        : {range: (u, min, max) => uPlot.rangeNum(0, max > 0 ? max : 1, 0.1, true)}},
      axes: [xAxis(c, xs), {label: c.yTitle, labelSize: 20, size: 70,
        values: (u, splits, i, space, step) => splits.map(v => c.logY ? (v == null ? '' : num(v, valueDecimals(v))) : num(v, tickDecimals(step)))}],
      cursor: {drag: {x: !bars, y: false}, sync: c.small ? {key: c.name.replace(/^[a-z]+-/, '')} : undefined},
      legend: {live: true},
      hooks: {drawAxes: c.small ? [shadeWarmup] : [], draw: [u => record(c, u)]},
    }, data, plot);
    figure.uplot = u;
  }

  for (const c of charts) {
    draw(c);
  }
})();
