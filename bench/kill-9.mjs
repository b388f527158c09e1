#!/usr/bin/env node
/**
 * Crash benchmark: `kill -9` of a `daskq up` that holds running and queued Slurm jobs.
 *
 *   npx turbo run build
 *   node bench/kill-9.mjs [--trials 20] [--running 8] [--queued 12] [--json]
 *
 * Each trial starts `daskq up --backend slurm` with one array of running+queued jobs whose
 * running-task limit is --running (so a queued task starts as soon as a running one ends), waits
 * for --running workers, kills it with SIGKILL and measures: queued jobs that started after the
 * kill (they wrote an output file), time until squeue lists none of its jobs, time until the
 * watchdog's single cancel call returned, the cluster's condition in `daskq ls`, and temporary
 * directories left. No asserts: it measures. Progress on stderr, the report on stdout.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { slurmKillTrial } from "@daskq/testing";

const { values: args } = parseArgs({
  options: {
    trials: { type: "string", default: "20" },
    running: { type: "string", default: "8" },
    queued: { type: "string", default: "12" },
    json: { type: "boolean", default: false },
  },
});
const root = fileURLToPath(new URL("..", import.meta.url));
const bin = `${root}packages/cli/dist/bin.js`;
const trials = Number(args.trials);
const running = Number(args.running);
const queued = Number(args.queued);

const results = [];
for (let i = 1; i <= trials; i++) {
  const r = await slurmKillTrial({ bin, running, queued, cwd: root });
  results.push(r);
  process.stderr.write(
    `trial ${i}/${trials}: ${r.runningAtKill.length} running + ${r.queuedAtKill.length} queued at the kill; ` +
      `started after: ${r.startedAfterKill.length}; cancel done ${r.cancelledMs ?? "-"} ms; queue empty ${r.queueEmptyMs ?? "never"} ms; ` +
      `${r.condition}; temp dirs left ${r.tempDirsLeft.length}\n`,
  );
}

const empty = results.map((r) => r.queueEmptyMs).filter((v) => v !== undefined).sort((a, b) => a - b);
const cancelled = results.map((r) => r.cancelledMs).filter((v) => v !== undefined).sort((a, b) => a - b);
const pct = (xs, p) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : undefined);
const summary = {
  trials,
  runningAtKill: results.map((r) => r.runningAtKill.length),
  queuedAtKill: results.map((r) => r.queuedAtKill.length),
  queuedStartedAfterKill: results.reduce((n, r) => n + r.startedAfterKill.length, 0),
  trialsQueueNeverEmptied: results.filter((r) => r.queueEmptyMs === undefined).length,
  trialsOver10s: results.filter((r) => r.queueEmptyMs === undefined || r.queueEmptyMs > 10_000).length,
  queueEmptyMs: { min: empty[0], median: pct(empty, 50), max: empty.at(-1) },
  cancelDoneMs: { min: cancelled[0], median: pct(cancelled, 50), max: cancelled.at(-1) },
  notCleaned: results.filter((r) => r.condition !== "dead-cleaned").length,
  tempDirsLeft: results.reduce((n, r) => n + r.tempDirsLeft.length, 0),
};
if (args.json) process.stdout.write(`${JSON.stringify({ summary, results }, null, 2)}\n`);
else {
  process.stdout.write(`kill -9 of daskq up on Slurm, ${trials} trials, ${running} running + ${queued} queued jobs each\n`);
  for (const [k, v] of Object.entries(summary)) process.stdout.write(`  ${k.padEnd(26)} ${typeof v === "object" ? JSON.stringify(v) : v}\n`);
}
