/**
 * `daskq config --pools` and `daskq up --pools`: heterogeneous clusters from a pools file.
 * - a local `cpu` pool and a `gpu` pool on the REAL Slurm whose workers advertise GPU=1: a real
 *   Python client computes one graph across both pools and checks where each task ran;
 * - a `cpu` pool on Slurm partition `debug` and a `gpu` pool on partition `gpu` (testbed slurm.sh),
 *   adapting: a GPU task grows only the gpu pool, plain tasks run on the cpu pool, both shrink back
 *   to their minimum; the client reads each task's Slurm job and partition in the task itself.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import type { ClusterRecord } from "@daskq/core";
import { eventually, findProcessesInSessions, hasDaskPython, PYTHON, requireService, runPython } from "@daskq/testing";
import { slurmIsUp, START_SLURM } from "../../backend-slurm/test/slurm-available.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const bin = `${root}packages/cli/dist/bin.js`;
const dir = mkdtempSync(join(tmpdir(), "daskq-cli-pools-"));
const env = { PATH: process.env["PATH"] ?? "", HOME: "/nonexistent-daskq-home", DASKQ_HOME: join(dir, "home") };
const daskq = (args: string[]) => execa("node", [bin, ...args], { cwd: root, env, extendEnv: false, reject: false, timeout: 120_000 });

const dask = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");
const slurm = requireService("Slurm", await slurmIsUp(), START_SLURM);

function poolsFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A `jobqueue.<name>` section for one-core local workers. */
const localSection = (name: string) => [`  ${name}:`, "    cores: 1", "    memory: 1GiB", `    python: ${PYTHON}`];
/** A `jobqueue.<name>` section for one-core Slurm workers on `partition`. */
const slurmSection = (name: string, partition: string) => [`  ${name}:`, "    cores: 1", "    memory: 500MB", `    queue: ${partition}`, "    walltime: '00:10:00'", `    python: ${PYTHON}`, `    log-directory: ${join(dir, "logs")}`];
/** A pools file's text: the jobqueue sections, then `jobqueue.pools` with one line per pool. */
const poolsYaml = (sections: string[][], pools: string[]) => ["jobqueue:", ...sections.flat(), "  pools:", ...pools.map((p) => `    ${p}`), ""].join("\n");

const POOLS = poolsFile(
  "pools.yaml",
  poolsYaml([localSection("local"), slurmSection("slurm-gpu", "debug")], ["cpu: {backend: local, maximum-jobs: 1}", "gpu: {backend: slurm, config-name: slurm-gpu, resources: {GPU: 1}, maximum-jobs: 1}"]),
);

/** A cpu pool on partition debug (at least 1 job) and a gpu pool on partition gpu whose workers advertise GPU=1. */
const PARTITIONS = poolsFile(
  "partitions.yaml",
  poolsYaml([slurmSection("slurm", "debug"), slurmSection("slurm-gpu", "gpu")], ["cpu: {backend: slurm, minimum-jobs: 1, maximum-jobs: 3}", "gpu: {backend: slurm, config-name: slurm-gpu, resources: {GPU: 1}, maximum-jobs: 1}"]),
);

/** A local cpu pool and a Slurm gpu pool, one job each from the start (for the crash test). */
const ONE_EACH = poolsFile(
  "one-each.yaml",
  poolsYaml(
    [localSection("local"), slurmSection("slurm-gpu", "gpu")],
    ["cpu: {backend: local, minimum-jobs: 1, maximum-jobs: 1}", "gpu: {backend: slurm, config-name: slurm-gpu, resources: {GPU: 1}, minimum-jobs: 1, maximum-jobs: 1}"],
  ),
);

/** Python: where a task runs (worker, Slurm job, Slurm partition), printed as `<label> <worker> <job> <partition>`. */
const WHERE = [
  "import os, sys, time; from distributed import Client, get_worker",
  "c = Client(sys.argv[1], timeout=30)",
  "def where(i=0):",
  "    time.sleep(0.2)",
  "    return ' '.join([get_worker().name, os.environ.get('SLURM_JOB_ID', '-'), os.environ.get('SLURM_JOB_PARTITION', '-')])",
].join("\n");

/** What `daskq up --json` prints once the cluster is up. */
interface UpInfo {
  readonly schedulerAddress: string;
  readonly clusterId: string;
  readonly clientEnv: Record<string, string>;
}

/** Starts `daskq up --pools FILE --adapt` (with `daskqHome` as DASKQ_HOME if given) and resolves with the child and its JSON line. */
async function upWithPools(file: string, daskqHome?: string) {
  const childEnv = daskqHome ? { ...env, DASKQ_HOME: daskqHome } : env;
  const child = execa("node", [bin, "up", "--pools", file, "--adapt", "--json", "--no-status", "--poll-interval", "0.5"], { cwd: root, env: childEnv, extendEnv: false, reject: false });
  let out = "";
  let err = "";
  child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const info = await new Promise<UpInfo>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no JSON from daskq up: ${out}\n${err}`)), 90_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.startsWith("{\"schedulerAddress\""));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as UpInfo);
      }
    });
  });
  return { child, info, stderr: () => err };
}

/** Jobs of one batch job name in Slurm (finished ones too: MinJobAge keeps them 5 minutes), as `id partition state`. */
async function slurmJobsNamed(name: string, states = "all"): Promise<string[]> {
  const { stdout } = await execa("squeue", ["-h", "-t", states, "-n", name, "-o", "%i %P %T"]);
  return stdout.split("\n").filter((l) => l.trim() !== "");
}

describe.runIf(dask)("daskq with a pools file", () => {
  it("daskq config --pools shows each pool's values and where they came from", async () => {
    const result = await daskq(["config", "--pools", POOLS]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("pool cpu: backend local, jobqueue.local, jobs 0..1");
    expect(result.stdout).toContain("pool gpu: backend slurm, jobqueue.slurm-gpu, jobs 0..1, resources GPU=1");
    expect(result.stdout).toMatch(new RegExp(`queue\\s+debug\\s+.*${POOLS.replaceAll(".", "\\.")}`));
    const json = JSON.parse((await daskq(["config", "--pools", POOLS, "--json"])).stdout) as Array<{ pool: string; resources: object }>;
    expect(json.map((p) => [p.pool, p.resources])).toEqual([
      ["cpu", {}],
      ["gpu", { GPU: 1 }],
    ]);
  });

  it("names the file and key of a bad pools file, and refuses job options next to --pools", async () => {
    const bad = poolsFile("bad.yaml", "jobqueue:\n  pools:\n    gpu: {backend: slurm, resources: {GPU: -1}}\n");
    const result = await daskq(["config", "--pools", bad]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`${bad}: jobqueue.pools.gpu.resources.GPU: expected a number > 0, got -1`);
    const unknown = poolsFile("unknown.yaml", "jobqueue:\n  pools:\n    cpu: {backend: local, cores: 4}\n");
    expect((await daskq(["config", "--pools", unknown])).stderr).toContain(`${unknown}: jobqueue.pools.cpu.cores: unknown key`);
    const mixed = await daskq(["up", "--pools", POOLS, "--cores", "2"]);
    expect(mixed.exitCode).toBe(1);
    expect(mixed.stderr).toContain("with --pools, job settings go in the pools file (jobqueue.<config-name>); got --cores");
  });

  it.runIf(slurm)("daskq up --pools --adapt: a local cpu pool and a Slurm gpu pool compute one graph; the GPU task grows only the gpu pool", async () => {
    const { child, info } = await upWithPools(POOLS);
    try {
      const result = await runPython(
        [
          "import os, sys; from distributed import Client, get_worker",
          "c = Client(sys.argv[1], timeout=30)",
          "x = c.submit(lambda: (20, get_worker().name, os.environ.get('SLURM_JOB_ID', 'no-slurm-job')), pure=False)",
          "y = c.submit(lambda a: (a[0] + 1, get_worker().name, os.environ.get('SLURM_JOB_ID', 'no-slurm-job')), x, resources={'GPU': 1}, pure=False)",
          "print('plain', *x.result(timeout=180)[1:])",
          "print('gpu', *y.result(timeout=180))",
        ].join("\n"),
        [info.schedulerAddress],
        200_000,
        info.clientEnv,
      );
      expect(result.stderr).not.toMatch(/Traceback/);
      // The plain task ran on a local worker (no Slurm job), the GPU task on the gpu pool's Slurm job.
      expect(result.stdout).toMatch(new RegExp(`plain ${info.clusterId}-\\d+ no-slurm-job\\n`));
      const gpuJob = new RegExp(`gpu 21 ${info.clusterId}-gpu-\\d+ (\\d+)`).exec(result.stdout)?.[1];
      expect(gpuJob, result.stdout).toBeDefined();
      expect(await slurmJobsNamed(`dask-worker-${info.clusterId}-gpu`)).toEqual([expect.stringMatching(new RegExp(`^${gpuJob} debug `))]);
    } finally {
      child.kill("SIGINT");
    }
    const done = await child;
    expect(done.exitCode).toBe(0);
    expect(await eventually(async () => !(await execa("squeue", ["-h", "-o", "%j"])).stdout.includes(info.clusterId), 30_000)).toBe(true);
  }, 300_000);

  it.runIf(slurm)("daskq up --pools --adapt on two Slurm partitions: a GPU task grows only the gpu pool and runs on partition gpu, plain tasks run on the cpu pool (debug), both shrink back to their minimum", async () => {
    const { child, info, stderr } = await upWithPools(PARTITIONS);
    const cpuName = `dask-worker-${info.clusterId}`;
    const gpuName = `dask-worker-${info.clusterId}-gpu`;
    const python = (code: string) => runPython(`${WHERE}\n${code}`, [info.schedulerAddress], 200_000, info.clientEnv);
    try {
      // The cpu pool's minimum (1 job) comes up by itself.
      const first = await python("c.wait_for_workers(1, timeout=120); print('workers', *sorted(w['name'] for w in c.scheduler_info()['workers'].values()))");
      expect(first.stdout).toMatch(new RegExp(`^workers ${info.clusterId}-\\d+$`, "m"));
      const gpuAsked = Date.now();
      const gpu = await python("print('gpu', c.submit(where, resources={'GPU': 1}, pure=False).result(timeout=150))");
      const gpuGrown = Date.now() - gpuAsked;
      expect(gpu.stderr).not.toMatch(/Traceback/);
      const [, gpuWorker, gpuJob, gpuPartition] = /^gpu (\S+) (\S+) (\S+)$/m.exec(gpu.stdout) ?? [];
      expect(gpuWorker, gpu.stdout).toMatch(new RegExp(`^${info.clusterId}-gpu-\\d+$`));
      expect(gpuPartition).toBe("gpu");
      // Only the gpu pool grew: one gpu job (partition gpu, as squeue says too), the cpu pool still at its one job.
      expect(await slurmJobsNamed(gpuName)).toEqual([expect.stringMatching(new RegExp(`^${gpuJob} gpu `))]);
      expect(await slurmJobsNamed(cpuName)).toEqual([expect.stringMatching(/ debug RUNNING$/)]);
      // Idle: the gpu pool goes back to its minimum (0 jobs).
      const idleFrom = Date.now();
      expect(await eventually(async () => (await slurmJobsNamed(gpuName, "PENDING,RUNNING,CONFIGURING,COMPLETING")).length === 0, 90_000, 1_000)).toBe(true);
      const gpuShrunk = Date.now() - idleFrom;
      const plain = await python("for w in sorted(set(c.gather(c.map(where, range(6), pure=False)))): print('plain', w)");
      expect(plain.stderr).not.toMatch(/Traceback/);
      const ran = [...plain.stdout.matchAll(/^plain (\S+) (\S+) (\S+)$/gm)];
      expect(ran.length, plain.stdout).toBeGreaterThan(0);
      for (const [, worker, , partition] of ran) {
        expect(worker).toMatch(new RegExp(`^${info.clusterId}-\\d+$`));
        expect(partition).toBe("debug");
      }
      // Plain load never touched the gpu pool; when idle, both pools are at their minimum (cpu 1, gpu 0).
      expect(await slurmJobsNamed(gpuName)).toHaveLength(1);
      expect(
        await eventually(async () => (await slurmJobsNamed(cpuName, "PENDING,RUNNING,CONFIGURING,COMPLETING")).length === 1 && (await slurmJobsNamed(gpuName, "PENDING,RUNNING,CONFIGURING,COMPLETING")).length === 0, 60_000, 1_000),
      ).toBe(true);
      console.log(`partitions: gpu pool grew and ran the GPU task in ${(gpuGrown / 1000).toFixed(1)} s, shrank to 0 in ${(gpuShrunk / 1000).toFixed(1)} s; GPU task on ${gpuWorker} (job ${gpuJob}, ${gpuPartition}); plain tasks on ${ran.map((r) => `${r[1]} (job ${r[2]}, ${r[3]})`).join(", ")}`);
    } finally {
      child.kill("SIGINT");
    }
    const done = await child;
    expect(done.exitCode, stderr()).toBe(0);
    expect(stderr()).toMatch(/daskq adapt: jobs cpu 1->1, gpu 0->1 \(1 for resources\)/);
    expect(await eventually(async () => (await slurmJobsNamed(cpuName, "PENDING,RUNNING,CONFIGURING,COMPLETING")).length === 0, 30_000, 1_000)).toBe(true);
    // Closed cleanly: the cluster's one state file is gone.
    expect(readdirSync(join(env.DASKQ_HOME, "state")).filter((f) => f.startsWith(info.clusterId))).toEqual([]);
  }, 300_000);

  it.runIf(slurm)("kill -9 of daskq up --pools: ONE state file records both pools' jobs; the watchdog cancels each pool's jobs through its own backend", async () => {
    const home = join(dir, "crash-home");
    const state = join(home, "state");
    const { child, info } = await upWithPools(ONE_EACH, home);
    const statePath = join(state, `${info.clusterId}.json`);
    const record = () => JSON.parse(readFileSync(statePath, "utf8")) as ClusterRecord;
    const ls = async () => JSON.parse((await execa("node", [bin, "ls", "--json"], { cwd: root, env: { ...env, DASKQ_HOME: home }, extendEnv: false })).stdout) as Array<Record<string, unknown>>;
    let live: ClusterRecord | undefined;
    try {
      expect(await eventually(() => record().jobs.length === 1 && record().pools?.[0]?.jobs.length === 1, 90_000, 500)).toBe(true);
      live = record();
      expect(readdirSync(state).filter((f) => f.endsWith(".json"))).toEqual([`${info.clusterId}.json`]);
      expect([live.pool, live.backend, live.submitsVia]).toEqual(["cpu", "local", "local"]);
      expect(live.pools?.map((p) => [p.name, p.poolId, p.backend, p.submitsVia])).toEqual([["gpu", `${info.clusterId}-gpu`, "slurm", "local"]]);
      const gpuJob = live.pools?.[0]?.jobs[0]?.id as string;
      const cpuJob = live.jobs[0]?.id as string;
      expect(await slurmJobsNamed(`dask-worker-${info.clusterId}-gpu`)).toEqual([expect.stringMatching(new RegExp(`^${gpuJob} gpu `))]);
      const listed = await ls();
      expect(listed.map((c) => [c["clusterId"], c["condition"], c["jobs"], c["pools"]])).toEqual([
        [
          info.clusterId,
          "live",
          [cpuJob, gpuJob],
          [
            { name: "cpu", backend: "local", submitsVia: "local", jobs: [cpuJob] },
            { name: "gpu", backend: "slurm", submitsVia: "local", jobs: [gpuJob] },
          ],
        ],
      ]);
      const table = (await execa("node", [bin, "ls"], { cwd: root, env: { ...env, DASKQ_HOME: home }, extendEnv: false })).stdout;
      expect(table).toMatch(new RegExp(`^${info.clusterId}\\s+live\\s+cpu=local,gpu=slurm\\s+local\\s+.*\\s2\\s`, "m"));
      expect(await eventually(async () => (await findProcessesInSessions([Number(cpuJob)])).length > 0, 30_000)).toBe(true);
    } finally {
      child.kill("SIGKILL");
    }
    await child;
    const cpuJob = live?.jobs[0]?.id as string;
    const gpuJob = live?.pools?.[0]?.jobs[0]?.id as string;
    // The watchdog: the local job through the local backend, the Slurm job through scancel.
    expect(await eventually(async () => (await findProcessesInSessions([Number(cpuJob)])).length === 0, 60_000, 500)).toBe(true);
    expect(await eventually(async () => (await slurmJobsNamed(`dask-worker-${info.clusterId}-gpu`, "PENDING,RUNNING,CONFIGURING,COMPLETING")).length === 0, 60_000, 1_000)).toBe(true);
    expect(await eventually(async () => (await ls())[0]?.["condition"] === "dead-cleaned", 60_000, 500)).toBe(true);
    const cleaned = record();
    expect([...(cleaned.cleanup?.cancelled ?? [])].sort()).toEqual([cpuJob, gpuJob].sort());
    expect(cleaned.cleanup?.error).toBeUndefined();
    expect(cleaned.pools?.[0]?.runnerTempDirs).toEqual([]);
    const forgotten = JSON.parse((await execa("node", [bin, "cleanup", "--json"], { cwd: root, env: { ...env, DASKQ_HOME: home }, extendEnv: false })).stdout) as Array<Record<string, unknown>>;
    expect(forgotten.map((c) => [c["clusterId"], c["removed"]])).toEqual([[info.clusterId, true]]);
    expect(existsSync(statePath)).toBe(false);
  }, 240_000);
});
