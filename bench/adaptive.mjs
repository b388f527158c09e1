#!/usr/bin/env node
// bench/adaptive: how fast and how calmly JobQueueCluster.adapt() follows the load.
// Real Dask scheduler and workers (local backend: jobs are local processes), real Python client.
// Prints: reaction to a burst, time back to the minimum, and submit/cancel counts under a steady
// load with processes=2. Build first: npx turbo run build. Usage: node bench/adaptive.mjs [--json]
import "reflect-metadata";
import { spawn } from "node:child_process";
import { JobQueueCluster } from "@daskq/core";
import { localBackend } from "@daskq/backend-local";

const PYTHON = "/usr/bin/python3";
const json = process.argv.includes("--json");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs a Python client script against the scheduler; resolves when it ends. */
/** Runs a Python client of `cluster` (its address, and its TLS material through `clientEnv`). */
function python(code, cluster) {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ["-c", code, cluster.schedulerAddress], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...cluster.clientEnv } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`python exited ${code}: ${err.slice(-500)}`))));
  });
}

async function waitUntil(check, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) return false;
    await sleep(50);
  }
  return true;
}

async function burst() {
  const cluster = await JobQueueCluster.create({
    backend: localBackend,
    job: { cores: 1, memory: "1GiB", python: PYTHON },
    pollIntervalMs: 500,
    handleSignals: false,
  });
  try {
    let firstUp;
    let firstSubmitAfterBurst;
    let burstStart = Infinity;
    let most = 0;
    cluster.on("scale-decision", (d) => {
      if (d.action === "up" && Date.now() >= burstStart && firstUp === undefined) firstUp = { at: Date.now(), target: d.target };
    });
    cluster.on("job-submitted", () => {
      if (Date.now() >= burstStart && firstSubmitAfterBurst === undefined) firstSubmitAfterBurst = Date.now();
    });
    cluster.on("worker-joined", () => (most = Math.max(most, cluster.status().counts.workers)));
    await cluster.adapt({ minimum: 1, maximum: 10, interval: 1000 });
    await cluster.waitForWorkers(1, 60_000);
    await sleep(2000);
    burstStart = Date.now();
    const load = python(
      [
        "import sys, time; from distributed import Client",
        "c = Client(sys.argv[1], timeout=30)",
        "futures = c.map(lambda i: time.sleep(1) or i, range(200), pure=False)",
        "c.gather(futures); print('done')",
      ].join("\n"),
      cluster,
    );
    await waitUntil(() => firstUp !== undefined, 60_000);
    const target = firstUp?.target ?? 0;
    await waitUntil(() => cluster.status().counts.workers >= target, 120_000);
    const targetJoined = Date.now();
    await load;
    const loadEnded = Date.now();
    await waitUntil(() => cluster.status().counts.workers === 1 && cluster.status().jobs.filter((j) => j.state === "running").length === 1, 180_000);
    const backAtMinimum = Date.now();
    return {
      burstTasks: 200,
      firstScaleUpDecisionSeconds: ((firstUp?.at ?? NaN) - burstStart) / 1000,
      firstSubmissionSeconds: ((firstSubmitAfterBurst ?? NaN) - burstStart) / 1000,
      firstTargetWorkers: target,
      targetWorkersJoinedSeconds: (targetJoined - burstStart) / 1000,
      mostWorkers: most,
      loadSeconds: (loadEnded - burstStart) / 1000,
      backToMinimumSeconds: (backAtMinimum - loadEnded) / 1000,
    };
  } finally {
    await cluster.close();
  }
}

async function steady() {
  const cluster = await JobQueueCluster.create({
    backend: localBackend,
    job: { cores: 2, processes: 2, memory: "2GiB", python: PYTHON },
    pollIntervalMs: 1000,
    handleSignals: false,
  });
  try {
    const submitted = [];
    const cancelled = [];
    const targets = new Set();
    cluster.on("job-submitted", () => submitted.push(Date.now()));
    cluster.on("job-ended", (j) => j.state === "cancelled" && cancelled.push(Date.now()));
    cluster.on("scale-decision", (d) => targets.add(d.rawTarget));
    await cluster.adapt({ minimum: 0, maximum: 8, interval: 1000 });
    const load = python(
      [
        "import sys, time; from distributed import Client, wait",
        "c = Client(sys.argv[1], timeout=30)",
        "end = time.time() + 80; inflight = []",
        "while time.time() < end:",
        "    inflight = [f for f in inflight if not f.done()]",
        "    while len(inflight) < 30: inflight.append(c.submit(time.sleep, 0.5, pure=False))",
        "    time.sleep(0.1)",
        "wait(inflight); print('done')",
      ].join("\n"),
      cluster,
    );
    await sleep(20_000);
    const start = Date.now();
    await sleep(60_000);
    await load;
    return {
      windowSeconds: 60,
      processesPerJob: 2,
      submitsInWindow: submitted.filter((t) => t >= start).length,
      cancelsInWindow: cancelled.filter((t) => t >= start).length,
      submitsTotal: submitted.length,
      rawAdaptiveTargetsSeen: [...targets].sort((a, b) => a - b),
    };
  } finally {
    await cluster.close();
  }
}

const results = { burst: await burst(), steady: await steady() };
if (json) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else {
  const b = results.burst;
  const s = results.steady;
  console.log("adaptive: burst of 200 one-second tasks, from 1 worker (local backend, min 1, max 10 jobs)");
  console.log(`  first scale-up decision     ${b.firstScaleUpDecisionSeconds.toFixed(2)} s`);
  console.log(`  first job submitted         ${b.firstSubmissionSeconds.toFixed(2)} s`);
  console.log(`  target (${b.firstTargetWorkers} workers) joined    ${b.targetWorkersJoinedSeconds.toFixed(2)} s`);
  console.log(`  most workers                ${b.mostWorkers}`);
  console.log(`  load finished after         ${b.loadSeconds.toFixed(2)} s`);
  console.log(`  back to the minimum after   ${b.backToMinimumSeconds.toFixed(2)} s (after the load ended)`);
  console.log("adaptive: steady load (~30 half-second tasks in flight), processes=2, 60 s window after 20 s ramp-up");
  console.log(`  submits in window           ${s.submitsInWindow}`);
  console.log(`  cancels in window           ${s.cancelsInWindow}`);
  console.log(`  submits in total            ${s.submitsTotal}`);
  console.log(`  raw adaptive_target values  ${s.rawAdaptiveTargetsSeen.join(", ")}`);
}
process.exit(0);
