// mqtt2s3 dashboard page: reads the URL (or the form), POSTs a Grafana-style /query to the
// server that served this page, and draws one uPlot line per returned series.
//
// For tests and curious users the loaded data is also published:
//   window.mqtt2s3Dashboard = {status: "ready" | "error", error, series: [{target, color,
//                              datapoints: [[value, epoch_ms], ...]}],
//                              plot: {left, top, width, height, xMin, xMax, yMin, yMax}}
//   <pre id="series-data"> holds the same object as JSON; #status has data-status.
"use strict";

// Line colours, in series order (the browser test looks for these pixels).
const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4",
                 "#42d4f4", "#f032e6", "#9a6324", "#800000", "#000075"];
const DEFAULT_FROM = "2018-10-01T17:00:00.000Z";  // the demo's simulated hour
const DEFAULT_TO = "2018-10-01T18:00:00.000Z";

const dashboard = { status: "loading", error: null, series: [], plot: null };
window.mqtt2s3Dashboard = dashboard;

function setStatus(status, text) {
  const el = document.getElementById("status");
  el.dataset.status = status;
  el.textContent = text;
  dashboard.status = status;
}

function publish() {
  document.getElementById("series-data").textContent = JSON.stringify(dashboard);
}

function readRequest() {
  const params = new URLSearchParams(window.location.search);
  const form = document.getElementById("controls");
  let targets = params.getAll("target");
  if (targets.length === 0) {
    targets = [`plant/${form.plant.value}/device/${form.device.value}/${form.field.value}`];
  } else {
    const m = /^plant\/([^/]+)\/device\/([^/]+)\/([^/]+)$/.exec(targets[0]);
    if (m) { form.plant.value = m[1]; form.device.value = m[2]; form.field.value = m[3]; }
  }
  form.from.value = params.get("from") || form.from.value || DEFAULT_FROM;
  form.to.value = params.get("to") || form.to.value || DEFAULT_TO;
  const maxDataPoints = Number(params.get("maxDataPoints")) ||
                        Math.max(100, Math.floor(window.innerWidth));
  return {
    range: { from: form.from.value, to: form.to.value },
    intervalMs: 1000,
    maxDataPoints,
    targets: targets.map((t, i) => ({ target: t, refId: String.fromCharCode(65 + (i % 26)) })),
  };
}

// uPlot wants one shared x array (seconds) and one y array per series, null where a series
// has no point at that time.
function toColumns(series) {
  const times = new Set();
  for (const s of series) for (const [, t] of s.datapoints) times.add(t);
  const xs = Array.from(times).sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const columns = [xs.map((t) => t / 1000)];
  for (const s of series) {
    const ys = new Array(xs.length).fill(null);
    for (const [v, t] of s.datapoints) ys[index.get(t)] = v;
    columns.push(ys);
  }
  return columns;
}

let chart = null;

function draw(series, field) {
  if (chart) { chart.destroy(); chart = null; }
  const el = document.getElementById("chart");
  const unit = { Voltage: "V", Current: "A", MainPowerSwitch: "" }[field] ?? "";
  const opts = {
    title: `${field}${unit ? " (" + unit + ")" : ""}`,
    width: Math.max(400, window.innerWidth - 40),
    height: Math.max(300, window.innerHeight - 220),
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
    scales: { x: { time: true } },
    axes: [{ label: "time (UTC)" }, { label: unit || field }],
    series: [{}].concat(series.map((s) => ({
      label: s.target.replace(/^plant\/[^/]+\/device\//, "").replace(/\/[^/]+$/, ""),
      stroke: s.color, width: 2, spanGaps: true, points: { show: false },
    }))),
  };
  chart = new uPlot(opts, toColumns(series), el);
}

// Where the plot area is on the page and what its axes span, so a screenshot can be checked
// against the data (tests/serve/test_dashboard_browser.py). uPlot lays out asynchronously,
// so this runs after the next frame.
function measure() {
  if (!chart) return;
  const r = chart.over.getBoundingClientRect();
  dashboard.plot = {
    left: r.left + window.scrollX, top: r.top + window.scrollY, width: r.width, height: r.height,
    xMin: chart.scales.x.min * 1000, xMax: chart.scales.x.max * 1000,
    yMin: chart.scales.y.min, yMax: chart.scales.y.max,
  };
}

async function load() {
  const request = readRequest();
  const field = request.targets[0].target.split("/").pop();
  setStatus("loading", "Loading…");
  try {
    const response = await fetch("../query", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(request),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
    dashboard.series = body.map((s, i) => ({
      target: s.target, color: PALETTE[i % PALETTE.length], datapoints: s.datapoints,
    }));
    dashboard.error = null;
    draw(dashboard.series, field);
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    measure();
    const points = dashboard.series.reduce((n, s) => n + s.datapoints.length, 0);
    setStatus("ready", `${dashboard.series.length} series, ${points} points, ` +
                       `${request.range.from} – ${request.range.to}`);
  } catch (e) {
    dashboard.series = [];
    dashboard.error = String(e.message || e);
    setStatus("error", "Error: " + dashboard.error);
  }
  publish();
}

document.getElementById("controls").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const form = ev.target;
  const params = new URLSearchParams({
    target: `plant/${form.plant.value}/device/${form.device.value}/${form.field.value}`,
    from: form.from.value, to: form.to.value,
  });
  history.replaceState(null, "", "?" + params.toString());
  load();
});

load();
