/**
 * Walltime rotation through core, on the local backend (which enforces no walltime: this checks
 * daskq's side quickly; packages/backend-slurm/test/slurm-rotation.test.ts checks it against a
 * real walltime). A 40 s walltime with a 16 s margin: each job is replaced, drained and retired
 * about 16-24 s after it started, under a steady load from a real Python client (a shorter
 * walltime leaves too little after the workers' start-up on a loaded machine).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JobQueueCluster, type JobSnapshot } from "@daskq/core";
import { hasDaskPython, PYTHON, requireService, runSteadyLoad } from "@daskq/testing";
import { localBackend } from "../src/index.js";

const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");
const env = { PATH: process.env["PATH"] ?? "" };

describe.runIf(available)("walltime rotation on the local backend", () => {
  it("replaces each job before its walltime with no task run twice, no lost result, no failure and never fewer than N-1 workers", { timeout: 240_000 }, async () => {
    const directory = await mkdtemp(join(tmpdir(), "daskq-rotation-"));
    const cluster = await JobQueueCluster.create({
      backend: localBackend,
      job: { cores: 1, memory: "1GiB", python: PYTHON, walltime: "40s", "lifetime-margin": "16s" },
      env,
      pollIntervalMs: 500,
      handleSignals: false,
    });
    const retired: JobSnapshot[] = [];
    const ended: JobSnapshot[] = [];
    const failed: JobSnapshot[] = [];
    cluster.on("job-rotating", (job, phase) => phase === "retiring" && retired.push(job));
    cluster.on("job-ended", (job) => ended.push(job));
    cluster.on("job-failed", (job) => failed.push(job));
    try {
      await cluster.scale({ workers: 2 });
      await cluster.waitForWorkers(2, 90_000);
      const first = cluster.status().jobs.map((j) => j.id);
      const load = await runSteadyLoad(cluster, { seconds: 30, inFlight: 4, taskSeconds: 0.5, directory });
      const rotatedOut = retired.map((j) => j.id);
      const report = JSON.stringify({ load, rotatedOut, ended: ended.map((j) => [j.id, j.state]), failed: failed.map((j) => j.id) });
      expect(first.every((id) => rotatedOut.includes(id)), report).toBe(true);
      expect(load.tasks, report).toBeGreaterThan(50);
      expect([load.recomputed, load.errors, load.sumCorrect], report).toEqual([0, 0, true]);
      expect(load.executions, report).toBe(load.tasks);
      expect(load.fewestRunningWorkers, report).toBeGreaterThanOrEqual(1);
      expect(failed, report).toEqual([]);
      expect(ended.filter((j) => first.includes(j.id)).every((j) => j.state === "cancelled" || j.state === "finished"), report).toBe(true);
    } finally {
      await cluster.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
