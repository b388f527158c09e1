/**
 * JobQueueCluster on the REAL Slurm of packages/testing/testbed/slurm.sh: what the cluster costs in
 * sbatch/squeue/scancel calls. Jobs go to the `down` partition (State=DOWN) so they stay queued:
 * the point is the bookkeeping, not the workers (the conformance suite runs real workers).
 */
import { homedir } from "node:os";
import { JobQueueCluster, LocalRunner } from "@daskq/core";
import { AnswerLosingRunner, CountingRunner, PYTHON, eventually, requireService } from "@daskq/testing";
import { describe, expect, it } from "vitest";
import { slurmBackend } from "../src/index.js";
import { START_SLURM, slurmIsUp } from "./slurm-available.js";

const enabled = requireService("Slurm", await slurmIsUp(), START_SLURM);
const env = { PATH: process.env["PATH"] ?? "" };
const job = { cores: 1, memory: "100MB", queue: "down", walltime: "00:10:00", python: PYTHON };

async function activeInSlurm(ids: readonly string[]): Promise<string[]> {
  const out = await new LocalRunner().run("squeue", ["-h", "-r", "-o", "%i %T"]);
  const wanted = new Set(ids);
  return out.stdout.split("\n").map((l) => l.trim().split(/\s+/)).filter(([id, state]) => id && wanted.has(id) && state !== "CANCELLED").map(([id]) => id as string);
}

describe.skipIf(!enabled)("JobQueueCluster on a real Slurm", () => {
  const create = (runner: CountingRunner, extra: Record<string, unknown> = {}) =>
    JobQueueCluster.create({ backend: slurmBackend, job: { ...job, ...extra }, env, runner, pollIntervalMs: 500, handleSignals: false });

  it("scale({jobs: 32}) makes exactly one sbatch call and close() exactly one scancel call", async () => {
    const runner = new CountingRunner();
    const cluster = await create(runner);
    await cluster.scale({ jobs: 32 });
    expect(await eventually(() => cluster.status().jobs.length === 32, 20_000)).toBe(true);
    const ids = cluster.status().jobs.map((j) => j.id);
    expect(new Set(ids).size).toBe(32);
    expect(await activeInSlurm(ids)).toHaveLength(32);
    await new Promise((r) => setTimeout(r, 1500)); // a few polls: still no resubmission
    expect(runner.count("sbatch")).toBe(1);
    await cluster.close();
    expect(runner.count("scancel")).toBe(1);
    expect(await activeInSlurm(ids)).toEqual([]);
  });

  it("polls 200 tracked jobs with exactly one squeue call per poll", async () => {
    const runner = new CountingRunner();
    const cluster = await create(runner);
    try {
      await cluster.scale({ jobs: 200 });
      expect(await eventually(() => cluster.status().jobs.length === 200, 20_000)).toBe(true);
      runner.reset();
      await new Promise((r) => setTimeout(r, 3000));
      const squeues = runner.calls.filter((c) => c.command === "squeue");
      // 500 ms polls over 3 s: about 6 polls, each ONE squeue covering all 200 jobs, and nothing else.
      expect(squeues.length).toBeGreaterThanOrEqual(4);
      expect(squeues.length).toBeLessThanOrEqual(7);
      expect(runner.calls.length).toBe(squeues.length);
      expect(cluster.status().jobs.every((j) => j.state === "queued")).toBe(true);
    } finally {
      await cluster.close();
    }
    expect(runner.count("scancel")).toBe(1);
  });

  it("never has more than max-pending-jobs queued, and does not resubmit while they wait", async () => {
    const runner = new CountingRunner();
    const cluster = await create(runner, { "max-pending-jobs": 4 });
    try {
      await cluster.scale({ jobs: 10 });
      expect(await eventually(() => cluster.status().jobs.length === 4, 10_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 2000));
      expect(cluster.status().jobs).toHaveLength(4);
      expect(runner.count("sbatch")).toBe(1);
    } finally {
      await cluster.close();
    }
  });

  it("adapt() respects max-pending-jobs and does not resubmit while jobs wait in the queue", async () => {
    const runner = new CountingRunner();
    const cluster = await create(runner, { "max-pending-jobs": 2 });
    try {
      await cluster.adapt({ minimumJobs: 5, maximumJobs: 8, interval: 300 });
      expect(await eventually(() => cluster.status().jobs.length === 2, 10_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 3000));
      expect(cluster.status().jobs).toHaveLength(2);
      expect(cluster.status().jobs.every((j) => j.state === "queued")).toBe(true);
      expect(runner.count("sbatch")).toBe(1);
      expect(runner.count("scancel")).toBe(0);
    } finally {
      await cluster.close();
    }
  });

  it("an sbatch that timed out after Slurm accepted it: its jobs are found by the cluster's job name, not submitted again", async () => {
    const runner = new AnswerLosingRunner("sbatch", 1_500);
    const cluster = await JobQueueCluster.create({ backend: slurmBackend, job, env, runner, pollIntervalMs: 500, handleSignals: false });
    const name = `${cluster.spec.jobName}-${cluster.clusterId}`;
    try {
      await cluster.scale({ jobs: 3 });
      expect(await eventually(() => cluster.status().jobs.length === 3, 30_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 2000)); // more polls: still nothing submitted again
      expect(runner.answerLost).toBe(true);
      expect(runner.count("sbatch")).toBe(1);
      const tracked = cluster.status().jobs.map((j) => j.id).sort();
      const listed = (await new LocalRunner().run("squeue", ["-h", "-r", "-n", name, "-o", "%i"])).stdout.split("\n").map((l) => l.trim()).filter(Boolean).sort();
      expect(listed).toEqual(tracked);
    } finally {
      await cluster.close();
    }
    expect(await activeInSlurm(cluster.status().jobs.map((j) => j.id))).toEqual([]);
  });

  it("renders the header Slurm users know in the job script", async () => {
    const runner = new CountingRunner();
    const cluster = await create(runner, { cores: 8, memory: "16GB", walltime: "01:00:00", queue: "q", account: "p" });
    try {
      const header = cluster.jobScript().split("\n").filter((l) => l.startsWith("#SBATCH"));
      expect(header).toEqual([
        "#SBATCH -J dask-worker",
        "#SBATCH -p q",
        "#SBATCH -A p",
        "#SBATCH -n 1",
        "#SBATCH -N 1",
        "#SBATCH --cpus-per-task=8",
        "#SBATCH --mem=15G",
        "#SBATCH -t 01:00:00",
        // Output goes to the directory daskq owns for this cluster, decided once, removed on close.
        `#SBATCH -o ${cluster.outputDirectory}/%x-%A_%a.out`,
      ]);
      expect(cluster.outputDirectory.startsWith(`${homedir()}/.daskq/clusters/`)).toBe(true);
      expect(cluster.outputDirectory).toMatch(/\/\.daskq\/clusters\/daskq-[0-9a-f]{8}\/logs$/);
      expect(runner.count("sbatch")).toBe(0);
    } finally {
      await cluster.close();
    }
  });
});
