#!/usr/bin/env node
/**
 * SSH benchmark on the real Slurm of the testbed: what going through ONE SSH connection costs
 * (packages/testing/testbed/sshd.sh: an sshd on 127.0.0.1 and an unprivileged login user).
 *
 *   npx turbo run build                       # the benchmark imports the BUILT packages
 *   node bench/ssh.mjs [--jobs 200] [--polls 20] [--workers 8] [--restarts 3] [--json]
 *
 * 1. poll:     --jobs pending jobs (one array in the DOWN partition, so they never start), submitted
 *              locally and over SSH; then `backend.status(ids)` timed --polls times on each side.
 * 2. workers:  time from create() to a ready cluster and from scale({ jobs: --workers }) until all
 *              workers registered: locally (scheduler here) and over SSH (scheduler on the login
 *              side, reached through the forward); TCP connections to sshd counted from its log.
 * 3. restarts: a cluster of --workers jobs over a private sshd that is killed and restarted
 *              --restarts times; each time: seconds until the cluster polls Slurm again, and whether
 *              every job is still tracked exactly once (the longer version of the suite's test).
 *
 * Progress goes to stderr, the report to stdout. No asserts: it measures.
 */
import { performance } from "node:perf_hooks";
import { cpus, release } from "node:os";
import { parseArgs } from "node:util";
import { execa } from "execa";
import { JobQueueCluster, LocalRunner, SshRunner, loadBackendConfig, renderJobScript, resolveJobSpec, silentLogger } from "@daskq/core";
import { slurmBackend } from "@daskq/backend-slurm";
import { CountingRunner, SSH_TESTBED, sshTestbedRunner, startPrivateSshd } from "@daskq/testing";

const { values: args } = parseArgs({
  options: {
    jobs: { type: "string", default: "200" },
    polls: { type: "string", default: "20" },
    workers: { type: "string", default: "8" },
    restarts: { type: "string", default: "3" },
    json: { type: "boolean", default: false },
  },
});
const JOBS = Number(args.jobs);
const POLLS = Number(args.polls);
const WORKERS = Number(args.workers);
const RESTARTS = Number(args.restarts);
const PYTHON = "/usr/bin/python3";
// Output directories of their own: the login user cannot write into one that root created.
const job = { cores: 1, memory: "1GiB", walltime: "00:10:00", nanny: false };
const logs = (runner) => ({ "log-directory": runner instanceof LocalRunner ? "/tmp/daskq-bench-ssh/local" : "/tmp/daskq-over-ssh/bench" });
const env = { PATH: process.env.PATH ?? "" };
const log = (m) => process.stderr.write(`${m}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sshdConnections = async () => (((await execa("cat", [SSH_TESTBED.logFile])).stdout.match(/^Connection from /gm)) ?? []).length;

async function pollCost(runner, label) {
  const spec = resolveJobSpec(loadBackendConfig(slurmBackend, { job: { ...job, ...logs(runner), queue: "down" }, env }), { python: PYTHON });
  const backend = slurmBackend.create({ runner, logger: silentLogger, options: spec.backendOptions });
  const script = renderJobScript(backend, spec, "tcp://127.0.0.1:1", { arrayBase: "bench-ssh" });
  const ids = await backend.submit({ script, count: JOBS });
  const times = [];
  try {
    for (let i = 0; i < POLLS; i++) {
      const t = performance.now();
      const report = await backend.status(ids);
      times.push(performance.now() - t);
      if (report.size !== JOBS) log(`${label}: poll saw ${report.size}/${JOBS} jobs`);
    }
  } finally {
    await backend.cancel(ids);
    await backend.close();
  }
  log(`${label}: poll of ${JOBS} jobs, median ${median(times).toFixed(1)} ms`);
  return { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times) };
}

async function timeToWorkers(runner, label) {
  const before = await sshdConnections();
  const t0 = performance.now();
  const cluster = await JobQueueCluster.create({ backend: slurmBackend, job: { ...job, ...logs(runner), queue: "debug" }, env, runner, pollIntervalMs: 500, handleSignals: false });
  const ready = performance.now();
  try {
    await cluster.scale({ jobs: WORKERS });
    await cluster.waitForWorkers(WORKERS, 300_000);
  } finally {
    var joined = performance.now();
    await cluster.close();
  }
  const closed = performance.now();
  const result = { createS: (ready - t0) / 1000, scaleToWorkersS: (joined - ready) / 1000, closeS: (closed - joined) / 1000, sshdConnections: (await sshdConnections()) - before };
  log(`${label}: create ${result.createS.toFixed(2)} s, ${WORKERS} workers after ${result.scaleToWorkersS.toFixed(2)} s, close ${result.closeS.toFixed(2)} s`);
  return result;
}

async function restarts() {
  const sshd = await startPrivateSshd();
  const ssh = SshRunner.to(sshd.alias, { configFile: sshd.configFile, env: {}, reconnectDelayMs: 500 });
  const runner = new CountingRunner(ssh);
  const cluster = await JobQueueCluster.create({ backend: slurmBackend, job: { ...job, ...logs(ssh), queue: "debug" }, env, runner, pollIntervalMs: 500, handleSignals: false });
  const rounds = [];
  try {
    await cluster.scale({ jobs: WORKERS });
    await cluster.waitForWorkers(WORKERS, 300_000);
    const ids = cluster.status().jobs.map((j) => j.id).sort().join(" ");
    for (let i = 0; i < RESTARTS; i++) {
      const opened = ssh.connectionsOpened;
      const t = performance.now();
      await sshd.restart();
      while (ssh.connectionsOpened === opened || runner.calls.at(-1)?.command !== "squeue") {
        runner.reset();
        await new Promise((r) => setTimeout(r, 50));
      }
      const recovered = (performance.now() - t) / 1000;
      const same = cluster.status().jobs.map((j) => j.id).sort().join(" ") === ids;
      const workers = cluster.status().counts.workers;
      rounds.push({ recoveredS: recovered, sameJobs: same, workers });
      log(`restart ${i + 1}: polling again after ${recovered.toFixed(2)} s, same jobs: ${same}, workers ${workers}`);
      await new Promise((r) => setTimeout(r, 2_000));
    }
  } finally {
    await cluster.close();
    await runner.close();
    await sshd.stop();
  }
  return rounds;
}

const local = new LocalRunner();
const report = {
  machine: { cpus: cpus().length, kernel: release(), node: process.version },
  poll: { local: await pollCost(local, "local"), ssh: await (async () => { const r = sshTestbedRunner(); try { return await pollCost(r, "ssh"); } finally { await r.close(); } })() },
  workers: { local: await timeToWorkers(local, "local"), ssh: await (async () => { const r = sshTestbedRunner(); try { return await timeToWorkers(r, "ssh"); } finally { await r.close(); } })() },
  restarts: RESTARTS > 0 ? await restarts() : [],
};

if (args.json) console.log(JSON.stringify(report, null, 2));
else {
  console.log(`| ${JOBS} pending jobs, one status poll (${POLLS} polls) | local | over SSH |`);
  console.log("|---|---|---|");
  console.log(`| median | ${report.poll.local.medianMs.toFixed(1)} ms | ${report.poll.ssh.medianMs.toFixed(1)} ms |`);
  console.log(`| min / max | ${report.poll.local.minMs.toFixed(1)} / ${report.poll.local.maxMs.toFixed(1)} ms | ${report.poll.ssh.minMs.toFixed(1)} / ${report.poll.ssh.maxMs.toFixed(1)} ms |`);
  console.log("");
  console.log(`| ${WORKERS} one-core jobs on Slurm | local (scheduler here) | over SSH (scheduler on the login side) |`);
  console.log("|---|---|---|");
  console.log(`| create() | ${report.workers.local.createS.toFixed(2)} s | ${report.workers.ssh.createS.toFixed(2)} s |`);
  console.log(`| scale() to ${WORKERS} workers | ${report.workers.local.scaleToWorkersS.toFixed(2)} s | ${report.workers.ssh.scaleToWorkersS.toFixed(2)} s |`);
  console.log(`| close() | ${report.workers.local.closeS.toFixed(2)} s | ${report.workers.ssh.closeS.toFixed(2)} s |`);
  console.log(`| TCP connections to sshd | - | ${report.workers.ssh.sshdConnections} |`);
  if (report.restarts.length) {
    console.log("");
    console.log(`| sshd killed and restarted (${WORKERS} jobs) | polling again after | same jobs | workers |`);
    console.log("|---|---|---|---|");
    report.restarts.forEach((r, i) => console.log(`| ${i + 1} | ${r.recoveredS.toFixed(2)} s | ${r.sameJobs} | ${r.workers} |`));
  }
}
