#!/usr/bin/env node
/**
 * DRMAA benchmark: Grid Engine through its DRMAA library (daskq's DRMAA helper process) next to
 * Grid Engine's own command line (what the sge backend runs), on the real testbed.
 *
 *   npx turbo run build                    # imports the BUILT packages
 *   node bench/drmaa.mjs [--jobs 200] [--polls 10] [--repeat 3] [--json]
 *
 * For each repeat, N held jobs (they never start, `-h`), first through DRMAA, then through qsub:
 * 1. submit: ONE `drmaa_run_bulk_jobs(1, N)` vs ONE `qsub -h -t 1-N`;
 * 2. poll:   the status of all N ids, timed --polls times after one warm-up:
 *            `drmaa_job_ps` x N in one helper request (what DrmaaBackend.status does), and split
 *            over K helper processes at once (--helpers, each its own DRMAA session) vs ONE
 *            `qstat -xml` parsed (SgeBackend.status);
 * 3. cancel: `drmaa_control(TERMINATE)` x N in one helper request vs ONE `qdel <job>`.
 * Times are wall-clock from daskq's side (helper round trip included). No asserts: it measures.
 */
import { performance } from "node:perf_hooks";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { LocalRunner, silentLogger } from "@daskq/core";
import { DrmaaHelper, DrmaaAction, resolveLibraryPath } from "@daskq/backend-drmaa";
import { SgeBackend } from "@daskq/backend-sge";

const { values: args } = parseArgs({
  options: {
    jobs: { type: "string", default: "200" },
    polls: { type: "string", default: "10" },
    repeat: { type: "string", default: "3" },
    helpers: { type: "string", default: "1,4" },
    json: { type: "boolean", default: false },
  },
});
const N = Number(args.jobs);
const POLLS = Number(args.polls);
const REPEAT = Number(args.repeat);
const HELPERS = args.helpers.split(",").map(Number);
const runner = new LocalRunner();
const dir = await mkdtemp(join(tmpdir(), "daskq-bench-drmaa-"));
const library = resolveLibraryPath(undefined);
const progress = (m) => process.stderr.write(`${m}\n`);

const time = async (fn) => {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
};
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), min: s[0], p90: at(0.9), max: s[s.length - 1] };
};

async function drmaaRun() {
  const helper = await DrmaaHelper.start({ library, logger: silentLogger });
  try {
    const template = {
      remoteCommand: "/bin/sleep",
      args: ["600"],
      env: {},
      jobName: "daskq-bench-drmaa",
      outputPath: `:${dir}/drmaa.$drmaa_incr_ph$`,
      nativeSpecification: "-h",
    };
    const submit = await time(() => helper.request({ op: "runBulkJobs", template, count: N }));
    const ids = submit.value;
    const pollsBy = {};
    for (const k of HELPERS) {
      const pool = [helper];
      while (pool.length < k) pool.push(await DrmaaHelper.start({ library, logger: silentLogger }));
      const chunks = pool.map((_, c) => ids.filter((_, i) => i % k === c));
      const poll = () => Promise.all(pool.map((h, c) => h.request({ op: "jobPs", ids: chunks[c] })));
      await poll();
      const polls = [];
      for (let i = 0; i < POLLS; i++) polls.push((await time(poll)).ms);
      pollsBy[k] = stats(polls);
      for (const h of pool.slice(1)) await h.close();
    }
    const cancel = await time(() => helper.request({ op: "control", ids, action: DrmaaAction.TERMINATE }));
    return { submitMs: submit.ms, ids: ids.length, poll: pollsBy[HELPERS[0]], pollsBy, cancelMs: cancel.ms };
  } finally {
    await helper.close();
  }
}

async function sgeRun() {
  const script = join(dir, "held.sh");
  await writeFile(script, "#!/bin/sh\nsleep 600\n");
  const submit = await time(() => runner.run("qsub", ["-terse", "-h", "-N", "daskq-bench-sge", "-o", "/dev/null", "-j", "y", "-t", `1-${N}`, script]));
  const jobId = submit.value.stdout.trim().split(".")[0];
  const ids = Array.from({ length: N }, (_, i) => `${jobId}.${i + 1}`);
  const backend = new SgeBackend(runner);
  await backend.status(ids);
  const polls = [];
  for (let i = 0; i < POLLS; i++) polls.push((await time(() => backend.status(ids))).ms);
  const cancel = await time(() => runner.run("qdel", [jobId]));
  return { submitMs: submit.ms, ids: ids.length, poll: stats(polls), cancelMs: cancel.ms };
}

const runs = [];
try {
  for (let r = 0; r < REPEAT; r++) {
    progress(`run ${r + 1}/${REPEAT}: drmaa`);
    const drmaa = await drmaaRun();
    await new Promise((res) => setTimeout(res, 2000));
    progress(`run ${r + 1}/${REPEAT}: qsub`);
    const sge = await sgeRun();
    await new Promise((res) => setTimeout(res, 2000));
    runs.push({ drmaa, sge });
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const med = (xs) => stats(xs).median;
const summary = (key) => ({
  submitMs: med(runs.map((r) => r[key].submitMs)),
  pollMedianMs: med(runs.map((r) => r[key].poll.median)),
  pollMinMs: Math.min(...runs.map((r) => r[key].poll.min)),
  pollP90Ms: med(runs.map((r) => r[key].poll.p90)),
  pollMaxMs: Math.max(...runs.map((r) => r[key].poll.max)),
  cancelMs: med(runs.map((r) => r[key].cancelMs)),
});
const report = { jobs: N, polls: POLLS, repeat: REPEAT, cpus: cpus().length, library, drmaa: summary("drmaa"), sge: summary("sge"), runs };
if (args.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  const f = (x) => x.toFixed(1);
  console.log(`${N} held jobs, ${POLLS} polls x ${REPEAT} runs (median of runs; poll min/max over all), ${report.cpus} CPUs`);
  console.log("| | submit ms | poll median ms | poll p90 ms | poll min..max ms | per job ms (median) | cancel ms |");
  console.log("|---|---|---|---|---|---|---|");
  for (const [label, key] of [["DRMAA (drmaa_run_bulk_jobs, drmaa_job_ps x N, drmaa_control x N)", "drmaa"], ["SGE CLI (qsub -t, qstat -xml, qdel)", "sge"]]) {
    const s = report[key];
    console.log(`| ${label} | ${f(s.submitMs)} | ${f(s.pollMedianMs)} | ${f(s.pollP90Ms)} | ${f(s.pollMinMs)}..${f(s.pollMaxMs)} | ${(s.pollMedianMs / N).toFixed(2)} | ${f(s.cancelMs)} |`);
  }
  console.log("");
  console.log("| drmaa_job_ps x N split over | poll median ms | poll p90 ms | poll min..max ms |");
  console.log("|---|---|---|---|");
  for (const k of HELPERS) {
    const by = runs.map((r) => r.drmaa.pollsBy[k]);
    console.log(`| ${k} helper process${k > 1 ? "es" : ""} | ${f(med(by.map((b) => b.median)))} | ${f(med(by.map((b) => b.p90)))} | ${f(Math.min(...by.map((b) => b.min)))}..${f(Math.max(...by.map((b) => b.max)))} |`);
  }
}
