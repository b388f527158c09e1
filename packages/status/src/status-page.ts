/**
 * The status page: one HTML document with its style and script inline; the chart library comes
 * from `status/assets/` (served from its npm package). All data is put in with `textContent`, never
 * as HTML, since it holds job output. Links are relative, so a proxy prefix works.
 */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>daskq status</title>
<link rel="stylesheet" href="status/assets/uPlot.min.css">
<style>
  :root { --fg:#1d2330; --muted:#667085; --line:#e4e7ec; --bg:#f7f8fa; --queued:#d08a00; --running:#1f7a3e; --failed:#c0362c; --workers:#2f5fd0; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--fg); background:var(--bg); }
  header { background:#fff; border-bottom:1px solid var(--line); padding:12px 20px; display:flex; flex-wrap:wrap; gap:6px 24px; align-items:baseline; }
  header h1 { font-size:18px; margin:0 12px 0 0; }
  header .item { color:var(--muted); } header .item b { color:var(--fg); font-weight:600; }
  #live { margin-left:auto; color:var(--muted); } #live.stale { color:var(--failed); }
  main { padding:16px 20px; display:grid; gap:16px; grid-template-columns: minmax(0,1fr) minmax(0,1fr); }
  section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 14px; min-width:0; }
  section.wide { grid-column: 1 / -1; }
  h2 { font-size:15px; margin:0 0 8px; }
  h3 { font-size:13px; margin:12px 0 4px; text-transform:capitalize; }
  .tiles { display:flex; flex-wrap:wrap; gap:10px; }
  .tile { border:1px solid var(--line); border-radius:6px; padding:6px 12px; min-width:110px; }
  .tile .n { font-size:22px; font-weight:600; } .tile .l { color:var(--muted); font-size:12px; }
  table { border-collapse:collapse; width:100%; font-size:13px; }
  th, td { text-align:left; padding:4px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
  th { color:var(--muted); font-weight:500; }
  td.num { text-align:right; font-variant-numeric: tabular-nums; }
  .state { font-weight:600; } .state-queued { color:var(--queued); } .state-running { color:var(--running); } .state-failed, .state-lost { color:var(--failed); } .state-cancelled, .state-finished { color:var(--muted); }
  pre.log { margin:4px 0 8px; padding:8px; background:#1d2330; color:#e9edf5; border-radius:6px; font-size:12px; max-height:240px; overflow:auto; white-space:pre-wrap; word-break:break-all; }
  .empty { color:var(--muted); font-style:italic; }
  .warn { color:var(--failed); }
  a { color:var(--workers); }
  @media (max-width: 900px) { main { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<header>
  <h1>daskq</h1>
  <span class="item">scheduler <b id="scheduler">…</b></span>
  <span class="item">backend <b id="backends">…</b></span>
  <span class="item">TLS <b id="tls">…</b></span>
  <span class="item">up <b id="uptime">…</b></span>
  <span class="item" id="dashboard">…</span>
  <span id="live">connecting…</span>
</header>
<main>
  <section class="wide">
    <div class="tiles" id="tiles"></div>
    <div id="warnings" class="warn"></div>
  </section>
  <section class="wide">
    <h2>Jobs and workers over time</h2>
    <div id="chart"></div>
  </section>
  <section>
    <h2>Jobs</h2>
    <div id="jobs"></div>
  </section>
  <section>
    <h2>Workers</h2>
    <div id="workers"></div>
  </section>
  <section class="wide">
    <h2>Adaptive decisions</h2>
    <div id="decisions"></div>
  </section>
</main>
<script src="status/assets/uPlot.iife.min.js"></script>
<script>
"use strict";
(function () {
  var token = new URLSearchParams(location.search).get("token") || "";
  var query = "?token=" + encodeURIComponent(token);
  var STATES = ["queued", "running", "failed", "cancelled", "lost", "finished"];
  var chart = null;
  var lastUpdate = 0;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    for (var key in attrs || {}) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    }
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  function replace(id, node) { var box = document.getElementById(id); box.replaceChildren(node); }
  function duration(seconds) {
    var s = Math.max(0, Math.round(seconds)), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    return d ? d + "d " + h + "h" : h ? h + "h " + m + "m" : m ? m + "m " + (s % 60) + "s" : s + "s";
  }
  function bytes(n) {
    if (n === null || n === undefined) return "–";
    var units = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + " " + units[i];
  }
  function table(headers, rows, testid) {
    var head = el("tr", {}, headers.map(function (h) { return el("th", { text: h }); }));
    return el("table", { "data-testid": testid }, [el("thead", {}, [head]), el("tbody", {}, rows)]);
  }
  function cell(text, cls) { return el("td", cls ? { text: String(text), class: cls } : { text: String(text) }); }

  function renderHeader(r) {
    var c = r.cluster;
    document.getElementById("scheduler").textContent = c.schedulerAddress;
    document.getElementById("backends").textContent = c.backends.join(", ");
    document.getElementById("tls").textContent = c.tls ? "on" : "off";
    document.getElementById("uptime").textContent = duration(c.uptimeSeconds);
    var dash = c.dashboardLink
      ? el("a", { href: c.dashboardLink, target: "_blank", rel: "noreferrer", text: "Dask dashboard" })
      : el("span", { text: "Dask dashboard: not served (the scheduler needs bokeh)" });
    replace("dashboard", dash);
  }

  function renderTiles(r) {
    var k = r.counts, c = r.cluster;
    var tiles = [
      [k.workers + "/" + c.wantedWorkers, "workers", "tile-workers"],
      [k.queued, "jobs queued", "tile-queued"],
      [k.running, "jobs running", "tile-running"],
      [k.failed, "failed", "tile-failed"],
      [k.cancelled, "cancelled", "tile-cancelled"],
      [c.targetJobs, "jobs wanted", "tile-target"]
    ];
    replace("tiles", el("div", { class: "tiles" }, tiles.map(function (t) {
      return el("div", { class: "tile", "data-testid": t[2] }, [el("div", { class: "n", text: String(t[0]) }), el("div", { class: "l", text: t[1] })]);
    })));
    replace("warnings", el("div", {}, r.warnings.map(function (w) { return el("div", { text: w }); })));
  }

  function renderJobs(r) {
    var box = el("div");
    var groups = r.groups.length > 1;
    STATES.forEach(function (state) {
      var jobs = r.jobs.filter(function (j) { return j.state === state; });
      if (!jobs.length) return;
      box.appendChild(el("h3", { text: state + " (" + jobs.length + ")" }));
      var headers = ["id"].concat(groups ? ["group"] : [], ["state", "age", "host", "workers"]);
      var rows = [];
      jobs.forEach(function (j) {
        var native = j.native ? " (" + j.native + (j.reason ? ": " + j.reason : "") + ")" : j.reason ? " (" + j.reason + ")" : "";
        rows.push(el("tr", { "data-job-id": j.id, "data-state": j.state }, [cell(j.id)].concat(groups ? [cell(j.group)] : [], [
          cell(j.state + native, "state state-" + j.state), cell(duration(j.ageSeconds), "num"), cell(j.host || "–"), cell(j.workers.join(", ") || "–")
        ])));
        if (state === "failed") {
          var tail = j.logTail ? el("pre", { class: "log", "data-testid": "log-tail", text: j.logTail }) : el("div", { class: "empty", text: "no output known for this job" });
          rows.push(el("tr", {}, [el("td", { colspan: String(headers.length) }, [tail])]));
        }
      });
      box.appendChild(table(headers, rows, "jobs-" + state));
    });
    if (!r.jobs.length) box.appendChild(el("div", { class: "empty", text: "no jobs yet" }));
    replace("jobs", box);
  }

  function renderWorkers(r) {
    if (!r.workers.length) return replace("workers", el("div", { class: "empty", text: "no workers connected" }));
    var rows = r.workers.map(function (w) {
      return el("tr", { "data-worker": w.name }, [
        cell(w.name), cell(w.jobId || "–"), cell(w.host || "–"), cell(w.nthreads, "num"),
        cell(bytes(w.memory) + " / " + bytes(w.memoryLimit), "num"),
        cell(w.executing === null ? "–" : w.executing + (w.ready ? " (+" + w.ready + " ready)" : ""), "num")
      ]);
    });
    replace("workers", table(["name", "job", "host", "threads", "memory", "tasks"], rows, "workers"));
  }

  function renderDecisions(r) {
    if (!r.decisions.length) return replace("decisions", el("div", { class: "empty", text: "no adaptive decisions (the size is fixed, or adapt() has not decided yet)" }));
    var rows = r.decisions.map(function (d) {
      return el("tr", {}, [cell(new Date(d.at).toLocaleTimeString()), cell(d.action), cell(d.current + " → " + d.target, "num"), cell(d.pending, "num"), cell(d.reason)]);
    });
    replace("decisions", table(["time", "action", "size", "pending", "reason"], rows, "decisions"));
  }

  function renderChart(r) {
    var h = r.history;
    var data = [h.map(function (p) { return p.at / 1000; }), h.map(function (p) { return p.queued; }), h.map(function (p) { return p.running; }), h.map(function (p) { return p.workers; })];
    var box = document.getElementById("chart");
    if (typeof uPlot === "undefined") { box.textContent = "chart library not loaded"; return; }
    var width = Math.max(300, box.clientWidth);
    if (!chart) {
      chart = new uPlot({
        width: width, height: 180,
        scales: { y: { range: function (u, min, max) { return [0, Math.max(1, max + 1)]; } } },
        axes: [{}, { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }],
        series: [{}, { label: "jobs queued", stroke: "#d08a00", width: 2, points: { show: false } }, { label: "jobs running", stroke: "#1f7a3e", width: 2, points: { show: false } }, { label: "workers", stroke: "#2f5fd0", width: 2, dash: [6, 3], points: { show: false } }]
      }, data, box);
    } else {
      if (chart.width !== width) chart.setSize({ width: width, height: 180 });
      chart.setData(data);
    }
  }

  function render(r) {
    lastUpdate = Date.now();
    var live = document.getElementById("live");
    live.textContent = "updated " + new Date(r.generatedAt).toLocaleTimeString();
    live.className = "";
    renderHeader(r); renderTiles(r); renderJobs(r); renderWorkers(r); renderDecisions(r); renderChart(r);
  }

  function poll() {
    fetch("status.json" + query, { cache: "no-store" }).then(function (res) { return res.ok ? res.json() : null; }).then(function (r) { if (r) render(r); }).catch(function () {});
  }
  if (typeof EventSource !== "undefined") {
    var events = new EventSource("status/events" + query);
    events.onmessage = function (e) { render(JSON.parse(e.data)); };
  }
  // A proxy that buffers server-sent events would leave the page still: fall back to polling.
  setInterval(function () {
    if (Date.now() - lastUpdate < 5000) return;
    document.getElementById("live").className = "stale";
    poll();
  }, 2000);
  poll();
})();
</script>
</body>
</html>
`;
