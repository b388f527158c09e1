#!/usr/bin/env node
/**
 * Slurm through slurmrestd vs. Slurm through its command line, side by side, on the real testbed:
 * for each size N, the backend alone submits N jobs as ONE array (partition `down`, so they stay
 * queued), polls their status --polls times, and cancels them all.
 *
 *   npx turbo run build                 # the benchmark imports the BUILT packages
 *   bash packages/testing/testbed/slurm.sh && bash packages/testing/testbed/slurmrest.sh
 *   node bench/slurmrest.mjs [--sizes 200] [--polls 20] [--repeat 3] [--json]
 *
 * HTTP requests are counted at the transport, commands at the runner: measured, not assumed.
 * The token comes from `scontrol token` (the bench runs where slurmctld runs). No asserts.
 */
import { execFileSync } from "node:child_process";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { mkdirSync, rmSync } from "node:fs";
import { slurmBackend } from "@daskq/backend-slurm";
import { createSlurmRestBackend, slurmRestBackend } from "@daskq/backend-slurmrest";
import { LocalRunner, loadBackendConfig, renderJobScript, resolveJobSpec, silentLogger, workerLaunch } from "@daskq/core";
import { CountingRunner } from "@daskq/testing";

const { values: args } = parseArgs({
  options: {
    sizes: { type: "string", default: "200" },
    polls: { type: "string", default: "20" },
    repeat: { type: "string", default: "3" },
    url: { type: "string", default: "http://127.0.0.1:6820" },
    json: { type: "boolean", default: false },
  },
});
const sizes = args.sizes.split(",").map(Number);
const polls = Number(args.polls);
const repeat = Number(args.repeat);
const python = "/usr/bin/python3";
const outputs = join(tmpdir(), "daskq-bench-slurmrest");
mkdirSync(outputs, { recursive: true });
const token = /SLURM_JWT=(\S+)/.exec(execFileSync("scontrol", ["token", "lifespan=3600"], { encoding: "utf8" }))?.[1];
if (!token) throw new Error("scontrol token printed no token: is JWT on (packages/testing/testbed/slurm.sh)?");

const env = { PATH: process.env.PATH ?? "" };
const jobOptions = { python, cores: 1, memory: "100MB", queue: "down", walltime: "00:10:00", "log-directory": outputs };

/** A backend of `descriptor` whose operations are counted: HTTP requests (REST) or commands (CLI). */
function makeBackend(kind) {
  const descriptor = kind === "rest" ? slurmRestBackend : slurmBackend;
  const job = kind === "rest" ? { ...jobOptions, url: args.url, token } : jobOptions;
  const spec = resolveJobSpec(loadBackendConfig(descriptor, { job, env }), { python });
  const runner = new CountingRunner(new LocalRunner());
  const requests = [];
  const context = { runner, logger: silentLogger, options: spec.backendOptions, clusterId: `daskq-bench-${process.pid}` };
  const backend =
    kind === "rest"
      ? createSlurmRestBackend(context, (t) => ({
          endpoint: t.endpoint,
          send: (r) => (requests.push(`${r.method} ${r.path}`), t.send(r)),
        }))
      : descriptor.create(context);
  // What one operation cost on the wire: HTTP requests for REST, Slurm commands for the CLI.
  const mark = () => (kind === "rest" ? requests.length : runner.calls.filter((c) => ["sbatch", "squeue", "scancel"].includes(c.command)).length);
  return { backend, spec, mark };
}

function request(backend, spec, n) {
  // The jobs stay queued in partition `down`: the scheduler address is never dialled.
  const worker = workerLaunch(spec, "tcp://127.0.0.1:1", n > 1 ? { kind: "array", base: "bench" } : { kind: "fixed", name: "bench" });
  return { spec, worker, count: n, outputDirectory: outputs, script: renderJobScript(backend, spec, worker, outputs) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function run(kind, n) {
  const { backend, spec, mark } = makeBackend(kind);
  await backend.prepare?.();
  const req = request(backend, spec, n);
  let m = mark();
  let t = performance.now();
  const ids = await backend.submit(req);
  const submitMs = performance.now() - t;
  const submitOps = mark() - m;
  await backend.status(ids); // warm-up
  const times = [];
  m = mark();
  for (let i = 0; i < polls; i++) {
    t = performance.now();
    const report = await backend.status(ids);
    times.push(performance.now() - t);
    if (report.size !== n) throw new Error(`${kind}: a poll saw ${report.size} of ${n} jobs`);
  }
  const pollOps = (mark() - m) / polls;
  m = mark();
  t = performance.now();
  await backend.cancel(ids);
  const cancelMs = performance.now() - t;
  const cancelOps = mark() - m;
  await backend.close?.();
  return { kind, n, submitMs, submitOps, pollMedianMs: median(times), pollMinMs: Math.min(...times), pollMaxMs: Math.max(...times), pollOps, cancelMs, cancelOps };
}

const results = [];
for (const n of sizes) {
  for (let r = 0; r < repeat; r++) {
    for (const kind of ["rest", "cli"]) {
      process.stderr.write(`${kind} n=${n} run ${r + 1}/${repeat}\n`);
      results.push(await run(kind, n));
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
rmSync(outputs, { recursive: true, force: true });

if (args.json) {
  console.log(JSON.stringify({ machine: { cpus: cpus().length, memoryGiB: totalmem() / 2 ** 30 }, polls, repeat, results }, null, 2));
} else {
  const f = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  console.log(`median of ${repeat} runs; poll: median (min-max) of ${polls} polls each; ops = HTTP requests (REST) or sbatch/squeue/scancel (CLI)`);
  console.log("| jobs | transport | submit | ops | one poll | ops/poll | cancel all | ops |");
  console.log("|---:|---|---:|---:|---:|---:|---:|---:|");
  for (const n of sizes) {
    for (const kind of ["rest", "cli"]) {
      const rs = results.filter((x) => x.n === n && x.kind === kind);
      const med = (key) => median(rs.map((x) => x[key]));
      console.log(
        `| ${n} | ${kind === "rest" ? "slurmrestd" : "command line"} | ${f(med("submitMs"))} ms | ${med("submitOps")} | ${f(med("pollMedianMs"))} ms (${f(med("pollMinMs"))}-${f(med("pollMaxMs"))}) | ${med("pollOps")} | ${f(med("cancelMs"))} ms | ${med("cancelOps")} |`,
      );
    }
  }
}
