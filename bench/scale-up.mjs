#!/usr/bin/env node
/**
 * Scale-up benchmark: what `cluster.scale({ jobs: N })` costs on a real batch system, with job
 * arrays (daskq's default) and one job at a time (what dask-jobqueue does).
 *
 *   npx turbo run build                                   # the benchmark imports the BUILT packages
 *   node bench/scale-up.mjs --backend slurm [--sizes 8,32,200] [--json]
 *
 * Runs (each `--repeat` times; tables show the median; executed in the order 2, 3, 1):
 * 1. workers:  N <= --workers-up-to jobs in the backend's run queue: time from scale() until the
 *              batch system accepted all N (the cluster tracks N job ids) and until all N workers
 *              registered with the scheduler; then close() and its cancel calls.
 * 2. queued:   N jobs in the backend's hold queue (they never start), arrays on and arrays off:
 *              time until all N are accepted, submit calls, close(); while the N jobs are tracked,
 *              the cost of ONE status poll, `backend.status(ids)`, timed --polls times.
 * 3. direct:   the backend alone, hold queue: N x `submit({ script, count: 1 })` (the one-by-one
 *              baseline) and 1 x `submit({ script, count: N })`, then one cancel call for each set.
 *
 * Everything goes through CountingRunner, so the numbers of submit/status/cancel commands are
 * counted, not assumed. Progress goes to stderr, the report to stdout. No asserts: it measures.
 */
import { performance } from "node:perf_hooks";
import { cpus, hostname, release, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { JobQueueCluster, LocalRunner, loadBackendConfig, renderJobScript, resolveJobSpec, silentLogger } from "@daskq/core";
import { CountingRunner } from "@daskq/testing";
import { BACKENDS } from "./backends.mjs";

const USAGE = `usage: node bench/scale-up.mjs --backend <${Object.keys(BACKENDS).join("|")}> [options]
  --sizes 8,32,200      job counts to measure (default 8,32,200)
  --workers-up-to 32    run real workers for sizes up to this (default 32; 0: submission only)
  --polls 20            status polls timed per queued run (default 20)
  --repeat 1            runs per configuration; tables show the median (default 1)
  --poll-ms 2000        the cluster's status poll interval (default 2000, daskq's default)
  --worker-timeout 300  seconds to wait for all workers of a run (default 300)
  --skip-direct         skip the direct backend runs
  --json                print JSON instead of tables`;

// ---- arguments -----------------------------------------------------------------------------------
const { values: args } = parseArgs({
  options: {
    backend: { type: "string" },
    sizes: { type: "string", default: "8,32,200" },
    "workers-up-to": { type: "string", default: "32" },
    polls: { type: "string", default: "20" },
    repeat: { type: "string", default: "1" },
    "poll-ms": { type: "string", default: "2000" },
    "worker-timeout": { type: "string", default: "300" },
    "skip-direct": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const entry = args.backend && Object.hasOwn(BACKENDS, args.backend) ? BACKENDS[args.backend] : undefined;
if (!entry) fail(`${args.backend ? `unknown backend '${args.backend}'` : "--backend is required"}\n${USAGE}`);

const count = (name, min = 0) => {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}, got '${args[name]}'`);
  return n;
};
const sizes = args.sizes.split(",").map((s) => Number(s.trim()));
if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) fail(`--sizes must be positive integers, got '${args.sizes}'`);
const opts = {
  sizes,
  workersUpTo: count("workers-up-to"),
  polls: count("polls"),
  repeat: count("repeat", 1),
  pollMs: count("poll-ms", 1),
  workerTimeoutMs: count("worker-timeout", 1) * 1000,
  direct: !args["skip-direct"],
};

// Config comes from the job options only: no ~/.config/dask, no DASK_* variables of the caller.
const env = { PATH: process.env.PATH ?? "" };
const logDirectory = join(tmpdir(), `daskq-bench-${args.backend}`);
const baseJob = { ...entry.job, "log-directory": logDirectory };
const C = entry.commands;

// ---- setup -----------------------------------------------------------------------------------------
const local = new LocalRunner();
const probe = await local.run(entry.probe.command, entry.probe.args, { timeoutMs: 10_000 }).catch((e) => ({ exitCode: -1, stdout: String(e) }));
if (probe.exitCode !== 0 || (entry.probe.expect && !entry.probe.expect.test(probe.stdout))) {
  fail(`the ${args.backend} batch system does not answer (${entry.probe.command} ${entry.probe.args.join(" ")}). ${entry.howToStart}`);
}
let descriptor;
try {
  descriptor = (await import(entry.package))[entry.descriptor];
} catch (error) {
  fail(`cannot import ${entry.package} (run 'npx turbo run build' first): ${error.message}`);
}
if (!descriptor?.create) fail(`${entry.package} exports no backend descriptor named '${entry.descriptor}'`);

const machine = {
  date: new Date().toISOString(),
  host: hostname(),
  cpus: cpus().length,
  memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  kernel: release(),
  os: await firstLine("sh", ["-c", ". /etc/os-release && echo \"$PRETTY_NAME\""]),
  node: process.version,
  batchSystem: await firstLine(entry.version.command, entry.version.args),
  distributed: await firstLine(entry.job.python, ["-c", "import distributed; print(distributed.__version__)"]),
};
progress(`${args.backend}: ${machine.batchSystem}; distributed ${machine.distributed}; ${machine.cpus} CPUs`);

// ---- runs ------------------------------------------------------------------------------------------
const results = { backend: args.backend, machine, options: { ...opts, job: baseJob, runQueue: entry.runQueue, hold: entry.hold }, cluster: [], direct: [] };

// The cheap submission-only runs first: the worker runs leave the 2-core test machine busy for a
// while (dozens of exiting Python processes), which would blur millisecond timings.
for (const n of sizes) {
  results.cluster.push(await repeated(`queued n=${n} arrays on`, () => clusterRun({ n, mode: "queued", arrays: true })));
  results.cluster.push(await repeated(`queued n=${n} arrays off`, () => clusterRun({ n, mode: "queued", arrays: false })));
}
if (opts.direct) {
  for (const n of sizes) results.direct.push(await repeated(`direct n=${n}`, () => directRun(n)));
}
for (const n of sizes.filter((s) => s <= opts.workersUpTo)) {
  results.cluster.push(await repeated(`workers n=${n}`, () => clusterRun({ n, mode: "workers", arrays: true }), 5000));
}
await local.close();

if (args.json) console.log(JSON.stringify(results, null, 2));
else printReport(results);

// ---- one cluster run -------------------------------------------------------------------------------
/**
 * Creates a cluster, scales it to n jobs, waits until the batch system accepted all of them (and,
 * in "workers" mode, until all workers registered), times status polls in "queued" mode, closes.
 */
async function clusterRun({ n, mode, arrays }) {
  const place = mode === "workers" ? { queue: entry.runQueue } : entry.hold;
  const queue = place.queue;
  const job = { ...baseJob, ...place, ...(arrays ? {} : entry.arraysOff) };
  const runner = new CountingRunner();
  const warnings = [];
  const logger = { ...silentLogger, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
  const row = { n, mode, arrays, queue };

  let t = performance.now();
  let cluster;
  try {
    cluster = await JobQueueCluster.create({ backend: descriptor, job, env, runner, logger, pollIntervalMs: opts.pollMs });
  } catch (error) {
    return { ...row, error: `create: ${error.message}` };
  }
  row.createMs = performance.now() - t;
  try {
    let submitted = 0;
    let firstWorker;
    let failedJobs = 0;
    const accepted = new Promise((resolve) => cluster.on("job-submitted", () => ++submitted === n && resolve(performance.now())));
    cluster.on("worker-joined", () => (firstWorker ??= performance.now()));
    cluster.on("job-failed", () => failedJobs++);
    const clusterError = new Promise((_, reject) => cluster.once("cluster-error", reject));
    clusterError.catch(() => {});

    const t0 = performance.now();
    await cluster.scale({ jobs: n });
    const acceptedAt = await Promise.race([accepted, clusterError, timeout(60_000 + 500 * n, `${n} jobs accepted (have ${submitted})`)]);
    row.acceptedMs = acceptedAt - t0;
    row.submitCallsToAccept = runner.count(C.submit);
    row.trackedJobs = cluster.status().jobs.length;

    if (mode === "workers") {
      await Promise.race([cluster.waitForWorkers(n, opts.workerTimeoutMs), clusterError]);
      row.allWorkersMs = performance.now() - t0;
      row.firstWorkerMs = firstWorker - t0;
    } else if (opts.polls > 0) {
      row.poll = await pollBench(cluster.spec, cluster.status().jobs.map((j) => j.id));
    }
    row.failedJobs = failedJobs;
  } catch (error) {
    row.error = error.message;
  } finally {
    row.submitCalls = runner.count(C.submit);
    row.statusCallsBeforeClose = runner.count(C.status);
    t = performance.now();
    await cluster.close();
    row.closeMs = performance.now() - t;
    row.cancelCalls = runner.count(C.cancel);
    row.statusCalls = runner.count(C.status);
    if (warnings.length) row.warnings = warnings;
  }
  return row;
}

/** `backend.status(ids)` timed `opts.polls` times (after one untimed warm-up), on a fresh backend. */
async function pollBench(spec, ids) {
  const runner = new CountingRunner();
  const backend = descriptor.create({ runner, logger: silentLogger, options: spec.backendOptions });
  try {
    await backend.status(ids);
    runner.reset();
    const times = [];
    let report;
    for (let i = 0; i < opts.polls; i++) {
      const t = performance.now();
      report = await backend.status(ids);
      times.push(performance.now() - t);
    }
    return {
      ids: ids.length,
      polls: opts.polls,
      medianMs: median(times),
      minMs: Math.min(...times),
      maxMs: Math.max(...times),
      statusCallsPerPoll: runner.count(C.status) / opts.polls,
      commandsPerPoll: runner.calls.length / opts.polls,
      known: ids.filter((id) => report.has(id)).length,
      queued: ids.filter((id) => report.get(id)?.state === "queued").length,
    };
  } finally {
    await backend.close?.();
  }
}

// ---- one direct backend run ------------------------------------------------------------------------
/** N x submit(count 1), then 1 x submit(count N) when the backend has arrays; one cancel per set. */
async function directRun(n) {
  const job = { ...baseJob, ...entry.hold };
  const spec = resolveJobSpec(loadBackendConfig(descriptor, { job, env }), { python: entry.job.python });
  const runner = new CountingRunner();
  const backend = descriptor.create({ runner, logger: silentLogger, options: spec.backendOptions });
  // The jobs never start (hold queue), so the scheduler address in the script is never used.
  const address = "tcp://127.0.0.1:8786";
  const singles = [];
  const array = [];
  const cleanUp = () => backend.cancel([...singles, ...array]).finally(() => process.exit(130));
  process.once("SIGINT", cleanUp);
  const row = { n, queue: entry.hold.queue };
  try {
    const script = renderJobScript(backend, spec, address, { jobName: "bench-single" });
    let t = performance.now();
    for (let i = 0; i < n; i++) singles.push(...(await backend.submit({ script, count: 1 })));
    row.oneByOneMs = performance.now() - t;
    row.oneByOneSubmitCalls = runner.count(C.submit);

    if (backend.capabilities.arrays) {
      const arrayScript = renderJobScript(backend, spec, address, { arrayBase: "bench-array" });
      runner.reset();
      t = performance.now();
      array.push(...(await backend.submit({ script: arrayScript, count: n })));
      row.arrayMs = performance.now() - t;
      row.arraySubmitCalls = runner.count(C.submit);
    }
  } catch (error) {
    row.error = error.message;
  } finally {
    runner.reset();
    let t = performance.now();
    await backend.cancel(singles).catch((e) => (row.error ??= e.message));
    row.cancelOneByOneMs = performance.now() - t;
    if (array.length) {
      t = performance.now();
      await backend.cancel(array).catch((e) => (row.error ??= e.message));
      row.cancelArrayMs = performance.now() - t;
    }
    row.cancelCalls = runner.count(C.cancel);
    await backend.close?.();
    process.off("SIGINT", cleanUp);
  }
  return row;
}

// ---- repeats and statistics -------------------------------------------------------------------------
/** Runs `fn` opts.repeat times; returns the per-field median (numbers) with every run attached. */
async function repeated(label, fn, settleMs = 1000) {
  const runs = [];
  for (let i = 0; i < opts.repeat; i++) {
    progress(`${label}${opts.repeat > 1 ? ` (run ${i + 1}/${opts.repeat})` : ""} ...`);
    const run = await fn();
    runs.push(run);
    progress(`  ${summaryLine(run)}`);
    await sleep(settleMs); // let the batch system and the machine settle (cancelled workers exit)
  }
  return { ...medianOf(runs), runs: opts.repeat > 1 ? runs : undefined };
}

function medianOf(rows) {
  if (rows.length === 1) return rows[0];
  const out = {};
  for (const key of new Set(rows.flatMap(Object.keys))) {
    const values = rows.map((r) => r[key]).filter((v) => v !== undefined);
    if (values.length === 0) continue;
    if (values.every((v) => typeof v === "number")) out[key] = median(values);
    else if (values.every((v) => v && typeof v === "object" && !Array.isArray(v))) out[key] = medianOf(values);
    else if (key === "error" || key === "warnings") out[key] = values.flat().join(" | ");
    else out[key] = values[0];
  }
  return out;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// ---- report ----------------------------------------------------------------------------------------
function printReport(r) {
  const m = r.machine;
  const rep = opts.repeat > 1 ? `median of ${opts.repeat} runs` : "1 run each";
  console.log(`daskq scale-up benchmark, backend ${r.backend} (${m.batchSystem}), ${m.date}`);
  console.log(`${m.os}, ${m.cpus} CPUs, ${m.memoryGiB} GiB, node ${m.node}, distributed ${m.distributed}; ${rep}; cluster poll interval ${opts.pollMs} ms`);
  console.log(`job: ${JSON.stringify(r.options.job)}`);

  const workers = r.cluster.filter((x) => x.mode === "workers");
  if (workers.length) {
    console.log(`\n1. Workers: scale({jobs: N}) in queue '${entry.runQueue}' -> accepted by the batch system -> all N workers registered -> close()`);
    table(
      ["jobs", "create ms", "accepted ms", C.submit, "1st worker ms", "all workers ms", "close ms", C.cancel, `${C.status} (total)`, "error"],
      workers.map((x) => [x.n, ms(x.createMs), ms(x.acceptedMs), x.submitCalls, ms(x.firstWorkerMs), ms(x.allWorkersMs), ms(x.closeMs), x.cancelCalls, x.statusCalls, x.error ?? ""]),
    );
  }

  const queued = r.cluster.filter((x) => x.mode === "queued");
  console.log(`\n2. Submission: scale({jobs: N}) with ${JSON.stringify(entry.hold)} (jobs stay queued) -> all N accepted -> close()`);
  table(
    ["jobs", "arrays", "accepted ms", C.submit, "close ms", C.cancel, "error"],
    queued.map((x) => [x.n, x.arrays ? "on" : "off", ms(x.acceptedMs), x.submitCalls, ms(x.closeMs), x.cancelCalls, x.error ?? ""]),
  );

  const polls = queued.filter((x) => x.poll);
  if (polls.length) {
    console.log(`\n3. One status poll while the cluster tracks N queued jobs: backend.status(ids), ${opts.polls} polls after a warm-up`);
    table(
      ["jobs", "arrays", "median ms", "min ms", "max ms", `${C.status}/poll`, "commands/poll", "ids reported"],
      polls.map((x) => [x.n, x.arrays ? "on" : "off", ms(x.poll.medianMs, 1), ms(x.poll.minMs, 1), ms(x.poll.maxMs, 1), x.poll.statusCallsPerPoll, x.poll.commandsPerPoll, `${x.poll.known}/${x.poll.ids}`]),
    );
  }

  if (r.direct.length) {
    console.log(`\n4. The backend alone, with ${JSON.stringify(entry.hold)}: N x submit(count 1) (one by one, like dask-jobqueue) vs 1 x submit(count N)`);
    table(
      ["jobs", "one by one ms", "per job ms", C.submit, "array ms", C.submit, `${C.cancel} N singles ms`, `${C.cancel} array ms`, C.cancel, "error"],
      r.direct.map((x) => [x.n, ms(x.oneByOneMs), ms(x.oneByOneMs / x.n, 1), x.oneByOneSubmitCalls, ms(x.arrayMs), x.arraySubmitCalls ?? "", ms(x.cancelOneByOneMs), ms(x.cancelArrayMs), x.cancelCalls, x.error ?? ""]),
    );
  }

  const warnings = [...r.cluster, ...r.direct].filter((x) => x.warnings || x.failedJobs);
  for (const x of warnings) console.log(`\nnote (${x.mode ?? "direct"} n=${x.n}): ${x.failedJobs ? `${x.failedJobs} job(s) failed; ` : ""}${x.warnings ?? ""}`);
}

function table(head, rows) {
  const cells = [head, ...rows].map((row) => row.map((c) => (c === undefined || c === null ? "-" : String(c))));
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  for (const [i, row] of cells.entries()) {
    console.log(row.map((c, j) => (j === 0 || /^[\d.,-]+$/.test(c) ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join("  ").trimEnd());
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
}

function ms(value, digits = 0) {
  return value === undefined || Number.isNaN(value) ? "-" : value.toFixed(digits);
}

function summaryLine(x) {
  const parts = [];
  if (x.acceptedMs !== undefined) parts.push(`accepted ${ms(x.acceptedMs)} ms, ${x.submitCalls} ${C.submit}`);
  if (x.allWorkersMs !== undefined) parts.push(`workers ${ms(x.allWorkersMs)} ms`);
  if (x.poll) parts.push(`poll ${ms(x.poll.medianMs, 1)} ms`);
  if (x.closeMs !== undefined) parts.push(`close ${ms(x.closeMs)} ms, ${x.cancelCalls} ${C.cancel}`);
  if (x.oneByOneMs !== undefined) parts.push(`one by one ${ms(x.oneByOneMs)} ms`);
  if (x.arrayMs !== undefined) parts.push(`array ${ms(x.arrayMs)} ms`);
  if (x.error) parts.push(`ERROR ${x.error}`);
  return parts.join("; ");
}

// ---- helpers -----------------------------------------------------------------------------------------
async function firstLine(command, argv) {
  try {
    const r = await local.run(command, argv, { timeoutMs: 20_000 });
    return (r.stdout.trim() || r.stderr.trim()).split("\n")[0] ?? "";
  } catch {
    return "unknown";
  }
}

function timeout(msLimit, what) {
  return new Promise((_, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout after ${msLimit} ms waiting for ${what}`)), msLimit);
    timer.unref();
  });
}

function sleep(msDelay) {
  return new Promise((r) => setTimeout(r, msDelay));
}

function progress(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

function fail(message) {
  process.stderr.write(`scale-up: ${message}\n`);
  process.exit(2);
}
