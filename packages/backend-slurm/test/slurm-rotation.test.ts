/**
 * Walltime rotation against a REAL walltime: Slurm (partition debug of
 * packages/testing/testbed/slurm.sh, KillWait=5, MinJobAge=300 so ended jobs stay listed by
 * `squeue -t all`). Jobs of a 1-minute walltime with a 20 s margin, two workers, one minute of
 * steady load from a real Python client: each job is replaced before Slurm would end it, no task
 * runs twice, no result is lost, and Slurm ends no job with TIMEOUT. The long version with
 * numbers is `node bench/rotation.mjs`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JobQueueCluster, LocalRunner, type JobSnapshot } from "@daskq/core";
import { PYTHON, eventually, requireService, runSteadyLoad } from "@daskq/testing";
import { describe, expect, it } from "vitest";
import { slurmBackend } from "../src/index.js";
import { START_SLURM, slurmIsUp } from "./slurm-available.js";

const enabled = requireService("Slurm", await slurmIsUp(), START_SLURM);
const env = { PATH: process.env["PATH"] ?? "" };

/** Slurm's own state of each job (`squeue -t all` lists ended jobs for MinJobAge). */
async function slurmStates(ids: readonly string[]): Promise<Map<string, string>> {
  const out = await new LocalRunner().run("squeue", ["-h", "-t", "all", "-j", ids.join(","), "-o", "%i %T"]);
  return new Map(out.stdout.split("\n").map((l) => l.trim().split(/\s+/) as [string, string]).filter(([id]) => id));
}

describe.skipIf(!enabled)("walltime rotation on a real Slurm", () => {
  it("keeps the workers through a 1-minute walltime: replaced first, no task run twice, no TIMEOUT", { timeout: 300_000 }, async () => {
    const directory = await mkdtemp(join(tmpdir(), "daskq-slurm-rotation-"));
    const cluster = await JobQueueCluster.create({
      backend: slurmBackend,
      job: { cores: 1, memory: "500MB", queue: "debug", walltime: "00:01:00", "lifetime-margin": "20s", python: PYTHON },
      env,
      pollIntervalMs: 1000,
      handleSignals: false,
    });
    const retired: JobSnapshot[] = [];
    const failed: JobSnapshot[] = [];
    cluster.on("job-rotating", (job, phase) => phase === "retiring" && retired.push(job));
    cluster.on("job-failed", (job) => failed.push(job));
    let ids: string[] = [];
    try {
      await cluster.scale({ workers: 2 });
      await cluster.waitForWorkers(2, 120_000);
      const first = cluster.status().jobs.map((j) => j.id);
      const load = await runSteadyLoad(cluster, { seconds: 60, inFlight: 4, taskSeconds: 0.5, directory });
      ids = cluster.status().jobs.map((j) => j.id);
      const report = () => JSON.stringify({ load, first, retired: retired.map((j) => j.id), failed: failed.map((j) => [j.id, j.native, j.reason]), jobs: cluster.status().jobs.map((j) => [j.id, j.state, j.native]) });
      expect(first.every((id) => retired.some((j) => j.id === id)), report()).toBe(true);
      expect([load.recomputed, load.errors, load.sumCorrect], report()).toEqual([0, 0, true]);
      expect(load.executions, report()).toBe(load.tasks);
      expect(load.fewestRunningWorkers, report()).toBeGreaterThanOrEqual(1);
      expect(failed, report()).toEqual([]);
      // Slurm's word on the rotated-out jobs, once it has them all ended: never TIMEOUT.
      let states = new Map<string, string>();
      expect(await eventually(async () => {
        states = await slurmStates(first);
        return first.every((id) => ["CANCELLED", "COMPLETED"].includes(states.get(id) ?? ""));
      }, 60_000, 2000), `${report()} ${JSON.stringify([...states])}`).toBe(true);
    } finally {
      await cluster.close();
      await rm(directory, { recursive: true, force: true });
    }
    const after = await slurmStates(ids);
    expect([...after.values()].filter((state) => state === "TIMEOUT"), JSON.stringify([...after])).toEqual([]);
  });
});
