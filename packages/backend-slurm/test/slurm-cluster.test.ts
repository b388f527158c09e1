/**
 * JobQueueCluster on the REAL Slurm of packages/testing/testbed/slurm.sh: what the cluster costs in
 * sbatch/squeue/scancel calls. Jobs go to the `down` partition (State=DOWN) so they stay queued:
 * the point is the bookkeeping, not the workers (the conformance suite runs real workers). The
 * cases every batch backend shares are @daskq/testing's queuedClusterSuite; Slurm's header is here.
 */
import { homedir } from "node:os";
import { JobQueueCluster, LocalRunner } from "@daskq/core";
import { CountingRunner, PYTHON, queuedClusterSuite, requireService } from "@daskq/testing";
import { describe, expect, it } from "vitest";
import { slurmBackend } from "../src/index.js";
import { START_SLURM, slurmIsUp } from "./slurm-available.js";

const enabled = requireService("Slurm", await slurmIsUp(), START_SLURM);
const env = { PATH: process.env["PATH"] ?? "" };
const job = { cores: 1, memory: "100MB", queue: "down", walltime: "00:10:00", python: PYTHON };

/** Which of `ids` Slurm still lists as not cancelled (read with squeue directly, not through the backend). */
async function activeInSlurm(ids: readonly string[]): Promise<string[]> {
  const out = await new LocalRunner().run("squeue", ["-h", "-r", "-o", "%i %T"]);
  const wanted = new Set(ids);
  return out.stdout.split("\n").map((l) => l.trim().split(/\s+/)).filter(([id, state]) => id && wanted.has(id) && state !== "CANCELLED").map(([id]) => id as string);
}

queuedClusterSuite({
  descriptor: slurmBackend,
  enabled,
  commands: { submit: "sbatch", status: "squeue", cancel: "scancel" },
  job: () => job,
  listed: activeInSlurm,
});

describe.skipIf(!enabled)("JobQueueCluster on a real Slurm", () => {
  it("renders the header Slurm users know in the job script", async () => {
    const runner = new CountingRunner();
    const cluster = await JobQueueCluster.create({
      backend: slurmBackend,
      job: { ...job, cores: 8, memory: "16GB", walltime: "01:00:00", queue: "q", account: "p" },
      env,
      runner,
      pollIntervalMs: 500,
      handleSignals: false,
    });
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
