#!/usr/bin/env node
// bench/rotation: walltime rotation on the REAL Slurm testbed (partition debug). A pool of N
// one-core jobs with a short walltime keeps N workers under a steady load from a real Python
// client for longer than several walltimes. Prints: fewest workers (sampled every second by the
// client, from the scheduler), rotations, task executions and recomputations, and Slurm's final
// state of every job (TIMEOUT = killed by the batch system for its walltime).
// Build first: npx turbo run build.
// Usage: node bench/rotation.mjs [--workers 3] [--walltime 00:02:00] [--margin 24s] [--seconds 360] [--json]
import "reflect-metadata";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JobQueueCluster, LocalRunner } from "@daskq/core";
import { slurmBackend } from "@daskq/backend-slurm";
import { runSteadyLoad } from "@daskq/testing";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const workers = Number(arg("workers", "3"));
const walltime = arg("walltime", "00:02:00");
const margin = arg("margin", undefined); // unset: daskq's default (a fifth of the walltime, at most 5m)
const seconds = Number(arg("seconds", "360"));
const json = process.argv.includes("--json");
const log = (...parts) => console.error(new Date().toISOString().slice(11, 19), ...parts);

/** Slurm's state of these jobs; ended jobs stay listed for MinJobAge (300 s on the testbed), so poll during the run. */
async function slurmStates(ids) {
  if (ids.length === 0) return new Map();
  const out = await new LocalRunner().run("squeue", ["-h", "-t", "all", "-j", ids.join(","), "-o", "%i %T"]);
  return new Map(out.stdout.split("\n").map((l) => l.trim().split(/\s+/)).filter(([id]) => id));
}

const directory = await mkdtemp(join(tmpdir(), "daskq-bench-rotation-"));
const job = { cores: 1, memory: "500MB", queue: "debug", walltime, python: "/usr/bin/python3", ...(margin ? { "lifetime-margin": margin } : {}) };
const cluster = await JobQueueCluster.create({ backend: slurmBackend, job, pollIntervalMs: 1000, handleSignals: false });
const phases = { replacing: 0, draining: 0, retiring: 0 };
const failed = [];
const lastState = new Map();
let submitted = 0;
cluster.on("job-submitted", () => submitted++);
cluster.on("job-rotating", (j, phase) => {
  phases[phase]++;
  log(`job ${j.id}: ${phase}`);
});
cluster.on("job-failed", (j) => failed.push(`${j.id} ${j.native ?? ""} ${j.reason ?? ""}`));
const watch = setInterval(async () => {
  try {
    for (const [id, state] of await slurmStates(cluster.status().jobs.map((j) => j.id))) lastState.set(id, state);
  } catch {
    // the next poll will tell
  }
}, 10_000);

let load;
const started = Date.now();
try {
  await cluster.scale({ workers });
  await cluster.waitForWorkers(workers, 180_000);
  log(`${workers} workers up after ${((Date.now() - started) / 1000).toFixed(1)} s; load for ${seconds} s`);
  load = await runSteadyLoad(cluster, { seconds, inFlight: 2 * workers, taskSeconds: 0.5, directory });
  // Let every ended job reach its final state in Slurm.
  await new Promise((r) => setTimeout(r, 15_000));
  for (const [id, state] of await slurmStates(cluster.status().jobs.map((j) => j.id))) lastState.set(id, state);
} finally {
  clearInterval(watch);
  await cluster.close();
  await rm(directory, { recursive: true, force: true });
}

const states = {};
for (const state of lastState.values()) states[state] = (states[state] ?? 0) + 1;
const report = {
  walltime,
  margin: margin ?? "default",
  workers,
  loadSeconds: seconds,
  fewestWorkers: load.fewestWorkers,
  fewestRunningWorkers: load.fewestRunningWorkers,
  samples: load.samples,
  rotations: phases.retiring,
  jobsSubmitted: submitted,
  tasks: load.tasks,
  executions: load.executions,
  recomputed: load.recomputed,
  errors: load.errors,
  resultsCorrect: load.sumCorrect,
  jobFailedEvents: failed.length,
  slurmStatesBeforeClose: states,
  timeout: states["TIMEOUT"] ?? 0,
};
if (json) console.log(JSON.stringify(report, null, 2));
else {
  console.log(`walltime rotation on Slurm: ${workers} workers, walltime ${walltime}, margin ${report.margin}, ${seconds} s of steady load`);
  console.log(`  fewest workers (sampled every second, ${load.samples} samples): ${load.fewestWorkers} connected, ${load.fewestRunningWorkers} running (not draining)`);
  console.log(`  rotations (jobs retired before their walltime): ${phases.retiring}; jobs submitted: ${submitted}`);
  console.log(`  tasks: ${load.tasks}, executions: ${load.executions}, recomputed: ${load.recomputed}, lost (errors): ${load.errors}, results correct: ${load.sumCorrect}`);
  console.log(`  job-failed events: ${failed.length}${failed.length ? ` (${failed.join("; ")})` : ""}`);
  console.log(`  Slurm's last state of each job before close: ${JSON.stringify(states)}; TIMEOUT: ${report.timeout}`);
}
