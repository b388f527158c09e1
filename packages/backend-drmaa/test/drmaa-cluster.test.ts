/**
 * A JobQueueCluster on the REAL Grid Engine through DRMAA (testbed sge.sh + drmaa.sh): bulk
 * submission, worker names that map back to DRMAA job ids, and a clean close. Under CI=true a
 * missing SGE or libdrmaa fails this file.
 */
import { JobQueueCluster, LocalRunner, isTerminal } from "@daskq/core";
import { eventually, hasDaskPython, requireService, PYTHON } from "@daskq/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DrmaaHelper } from "../src/drmaa-helper.js";
import { drmaaBackend } from "../src/index.js";
import { START_DRMAA, drmaaIsUp } from "./drmaa-available.js";

const enabled =
  requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.") &&
  requireService("Grid Engine DRMAA (libdrmaa)", await drmaaIsUp(), START_DRMAA);

const env = { PATH: process.env["PATH"] ?? "" };
const job = { cores: 1, memory: "1GiB", queue: "all.q", walltime: "00:10:00", python: PYTHON, name: "daskq-drmaa-it" };

/** Grid Engine job numbers still in the queue (qstat -xml), among `numbers`. */
async function stillQueued(numbers: readonly string[]): Promise<string[]> {
  const { stdout } = await new LocalRunner().run("qstat", ["-xml"]);
  return numbers.filter((n) => stdout.includes(`<JB_job_number>${n}</JB_job_number>`));
}

describe.skipIf(!enabled)("DRMAA cluster on Grid Engine", () => {
  afterEach(() => vi.restoreAllMocks());

  it("scale({ jobs: 8 }) is ONE drmaa_run_bulk_jobs call, and close() leaves nothing in Grid Engine's queue", async () => {
    const request = vi.spyOn(DrmaaHelper.prototype, "request");
    // Held (-h): the 8 jobs stay queued, so this measures submission and close, not 8 Python starts.
    const cluster = await JobQueueCluster.create({
      backend: drmaaBackend,
      job: { ...job, "native-specification": "-h" },
      env,
      pollIntervalMs: 500,
      handleSignals: false,
    });
    let numbers: string[] = [];
    try {
      await cluster.scale({ jobs: 8 });
      expect(await eventually(() => cluster.status().jobs.length === 8, 30_000)).toBe(true);
      const bulk = request.mock.calls.filter(([r]) => r.op === "runBulkJobs");
      expect(bulk.map(([r]) => (r as { count: number }).count)).toEqual([8]);
      const ids = cluster.status().jobs.map((j) => j.id);
      numbers = [...new Set(ids.map((id) => id.split(".")[0] as string))];
      expect(numbers).toHaveLength(1);
      expect(ids.sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]))).toEqual(Array.from({ length: 8 }, (_, i) => `${numbers[0]}.${i + 1}`));
      expect(await stillQueued(numbers)).toEqual(numbers);
    } finally {
      await cluster.close();
    }
    expect(await eventually(async () => (await stillQueued(numbers)).length === 0, 30_000, 500)).toBe(true);
  });

  it("names each worker after its bulk task, so scaling down retires and terminates exactly the chosen job", async () => {
    const cluster = await JobQueueCluster.create({ backend: drmaaBackend, job, env, pollIntervalMs: 500, handleSignals: false });
    try {
      await cluster.scale({ jobs: 2 });
      await cluster.waitForWorkers(2, 90_000);
      for (const j of cluster.status().jobs) {
        // DRMAA job <n>.<task> runs the worker daskq named <base>-<task> (one process per job).
        expect(j.name.endsWith(`-${j.id.split(".")[1]}`), `${j.id} ${j.name}`).toBe(true);
        expect(j.workers).toEqual([j.name]);
      }
      await cluster.scale({ jobs: 1 });
      // The job whose worker was retired is terminated; the other keeps its own worker (were the
      // mapping wrong, the surviving job would be the one whose worker left).
      const live = () => cluster.status().jobs.filter((j) => !isTerminal(j.state));
      expect(await eventually(() => live().length === 1 && cluster.status().counts.workers === 1, 60_000)).toBe(true);
      const [survivor] = live();
      expect(survivor?.workers).toEqual([survivor?.name]);
    } finally {
      await cluster.close();
    }
  });
});
