/**
 * slurmctld down for 30 s while a cluster adapts, on the REAL Slurm of the testbed: status polls
 * fail with a logged warning, nothing is submitted or cancelled meanwhile, nothing crashes, and
 * when the controller is back every job is tracked again, with no duplicate and no untracked job.
 *
 * EXCLUSIVE (see vitest.config.ts): every other Slurm test would fail while the controller is down,
 * so scripts/test.sh runs this file alone, after the others.
 */
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { JobQueueCluster, isTerminal, type Logger } from "@daskq/core";
import { CountingRunner, PYTHON, eventually, requireService, runPython } from "@daskq/testing";
import { slurmBackend } from "../src/index.js";
import { START_SLURM, slurmIsUp } from "./slurm-available.js";
import { startSlurmController, stopSlurmController } from "./slurm-controller.js";

const enabled = requireService("Slurm", await slurmIsUp(), START_SLURM);
const OUTAGE_MS = 30_000;

/** `tasks` one-second tasks, through the cluster's TLS; prints their sum. */
const BURST = `
import sys, time
from distributed import Client
client = Client(sys.argv[1], timeout=30)
futures = client.map(lambda i: time.sleep(1) or i, range(int(sys.argv[2])), pure=False)
print("sum", sum(client.gather(futures)))
`;

/** The unfinished jobs Slurm lists under a job name. */
async function listedNamed(name: string): Promise<string[]> {
  return (await execa("squeue", ["-h", "-r", "-n", name, "-o", "%i"])).stdout.split("\n").map((l) => l.trim()).filter(Boolean).sort();
}

describe.skipIf(!enabled)("slurmctld down for 30 s during adapt", () => {
  it("no crash, nothing submitted or cancelled while it is down, every job tracked afterwards, no duplicate", { timeout: 300_000 }, async () => {
    const warnings: string[] = [];
    const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (m) => warnings.push(m), error: (m) => warnings.push(`error: ${m}`) };
    const runner = new CountingRunner();
    const cluster = await JobQueueCluster.create({
      backend: slurmBackend,
      job: { cores: 1, memory: "500MB", queue: "debug", walltime: "00:10:00", python: PYTHON },
      env: { PATH: process.env["PATH"] ?? "" },
      runner,
      pollIntervalMs: 1_000,
      handleSignals: false,
      logger,
    });
    const crashes: unknown[] = [];
    const onCrash = (error: unknown) => crashes.push(error);
    process.on("unhandledRejection", onCrash);
    const errors: Error[] = [];
    cluster.on("cluster-error", (e) => errors.push(e));
    let burst: ReturnType<typeof runPython> | undefined;
    try {
      await cluster.adapt({ minimumJobs: 1, maximumJobs: 3, interval: 500 });
      await cluster.waitForWorkers(1, 120_000);
      const name = cluster.spec.jobName + "-" + cluster.clusterId;
      const before = cluster.status().jobs.filter((j) => !isTerminal(j.state));
      expect(await listedNamed(name)).toEqual(before.map((j) => j.id).sort());

      await stopSlurmController();
      let restarted = false;
      try {
        const submitted = runner.count("sbatch");
        const cancels = runner.count("scancel");
        // Load arrives during the outage: adapt wants 3 jobs, but nothing may be submitted before Slurm answers.
        burst = runPython(BURST, [cluster.schedulerAddress, "90"], 240_000, cluster.clientEnv);
        await new Promise((r) => setTimeout(r, OUTAGE_MS));
        // A poll that Slurm answered just before it went down may let one sbatch try (and fail): it then
        // counts as a submission whose answer was lost, looked for by name before anything is submitted again.
        expect(runner.count("sbatch") - submitted, warnings.join("\n")).toBeLessThanOrEqual(1);
        expect(runner.count("scancel")).toBe(cancels);
        expect(cluster.status().targetJobs).toBe(3);
        expect(warnings.some((w) => /status poll failed .*not submitting or cancelling/.test(w))).toBe(true);
        // The jobs are what they were: none given up on as lost.
        expect(cluster.status().jobs.map((j) => [j.id, j.state])).toEqual(before.map((j) => [j.id, "running"]));
        await startSlurmController();
        restarted = true;
      } finally {
        if (!restarted) await startSlurmController();
      }

      // Back: the poll works again and the cluster grows to the 3 jobs adapt asked for.
      expect(await eventually(() => warnings.some((w) => /answers again after \d+ failed poll/.test(w)), 60_000)).toBe(true);
      expect(await eventually(() => cluster.status().counts.workers === 3, 120_000, 500)).toBe(true);
      const live = cluster.status().jobs.filter((j) => !isTerminal(j.state));
      expect(live.map((j) => j.state)).toEqual(["running", "running", "running"]);
      for (const job of before) expect(live.map((j) => j.id)).toContain(job.id);
      // No duplicate and no untracked job: Slurm lists exactly the jobs the cluster tracks.
      expect(await listedNamed(name)).toEqual(live.map((j) => j.id).sort());
      expect(new Set(cluster.status().jobs.map((j) => j.id)).size).toBe(cluster.status().jobs.length);
      const result = await burst;
      expect(result.stdout, result.stderr).toContain(`sum ${(89 * 90) / 2}`);
      expect(errors).toEqual([]);
      expect(crashes).toEqual([]);
    } finally {
      process.off("unhandledRejection", onCrash);
      await cluster.close();
      await burst?.catch(() => undefined);
    }
  });
});
