import { describe, expect, it } from "vitest";
import { JobQueueCluster, type ScaleDecision } from "@daskq/core";
import { eventually, hasDaskPython, PYTHON, requireService, runPython } from "@daskq/testing";
import { localBackend } from "../src/index.js";

const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");
const env = { PATH: process.env["PATH"] ?? "" };

/** Counts jobs submitted and cancelled, and the most live jobs ever seen. */
function watch(cluster: JobQueueCluster) {
  const log = { submitted: [] as number[], cancelled: [] as number[], most: 0, decisions: [] as ScaleDecision[] };
  const live = () => cluster.status().jobs.filter((j) => j.state === "queued" || j.state === "running").length;
  cluster.on("job-submitted", () => {
    log.submitted.push(Date.now());
    log.most = Math.max(log.most, live());
  });
  cluster.on("job-ended", (j) => j.state === "cancelled" && log.cancelled.push(Date.now()));
  cluster.on("scale-decision", (d) => log.decisions.push(d));
  return log;
}

describe.runIf(available)("adaptive scaling at job granularity on the local backend", () => {
  it("a burst scales up within [min, max], idle scales back to the minimum, persisted data survives", { timeout: 240_000 }, async () => {
    const cluster = await JobQueueCluster.create({ backend: localBackend, job: { cores: 1, memory: "1GiB", python: PYTHON }, env, pollIntervalMs: 500, handleSignals: false });
    const log = watch(cluster);
    try {
      await cluster.adapt({ minimum: 1, maximum: 4, interval: 500, waitCount: 3 });
      await cluster.waitForWorkers(1, 60_000);
      const persisted = await runPython(
        [
          "import sys; from distributed import Client; import dask.array as da",
          "c = Client(sys.argv[1], timeout=30)",
          "x = da.arange(1_000_000, chunks=100_000).persist()",
          "c.publish_dataset(x=x)",
          "print('persisted', int(x.sum().compute()))",
        ].join("\n"),
        [cluster.schedulerAddress],
        120_000,
        cluster.clientEnv,
      );
      expect(persisted.stdout).toContain("persisted 499999500000");
      const burst = await runPython(
        [
          "import sys, time; from distributed import Client",
          "c = Client(sys.argv[1], timeout=30)",
          "futures = c.map(lambda i: time.sleep(1) or i, range(60), pure=False)",
          "print('sum', sum(c.gather(futures)))",
          "print('workers', len(c.scheduler_info()['workers']))",
        ].join("\n"),
        [cluster.schedulerAddress],
        120_000,
        cluster.clientEnv,
      );
      expect(burst.stdout).toContain("sum 1770");
      expect(log.decisions.some((d) => d.action === "up")).toBe(true);
      expect(log.most).toBeGreaterThan(1);
      expect(log.most).toBeLessThanOrEqual(4);
      // Idle: back to the minimum of one job. A down decision is reported before the workers it removes leave.
      expect(await eventually(() => cluster.status().counts.workers === 1 && cluster.status().counts.running === 1, 60_000)).toBe(true);
      expect(log.decisions.some((d) => d.action === "down")).toBe(true);
      const after = await runPython(
        [
          "import sys; from distributed import Client",
          "c = Client(sys.argv[1], timeout=30)",
          "print('recomputed', int(c.get_dataset('x').sum().compute()))",
        ].join("\n"),
        [cluster.schedulerAddress],
        120_000,
        cluster.clientEnv,
      );
      expect(after.stdout).toContain("recomputed 499999500000");
      // A manual scale() stops adaptivity.
      await cluster.scale({ jobs: 2 });
      await cluster.waitForWorkers(2, 60_000);
      const decisions = log.decisions.length;
      await new Promise((r) => setTimeout(r, 1500));
      expect(log.decisions.length).toBe(decisions);
      expect(cluster.status().counts.running).toBe(2);
    } finally {
      await cluster.close();
    }
  });

  it("processes=2 under a steady load: no submit/cancel oscillation over 60 s (dask-jobqueue #498)", async () => {
    const cluster = await JobQueueCluster.create({
      backend: localBackend,
      job: { cores: 2, processes: 2, memory: "2GiB", python: PYTHON },
      env,
      pollIntervalMs: 1000,
      handleSignals: false,
    });
    const log = watch(cluster);
    try {
      await cluster.adapt({ minimum: 0, maximum: 8, interval: 1000 });
      // Keep about 30 half-second tasks in flight for 80 s: a load of about 3 workers, an odd
      // number for jobs of 2 workers, the case that made dask-jobqueue submit and cancel forever.
      const load = runPython(
        [
          "import sys, time; from distributed import Client, wait",
          "c = Client(sys.argv[1], timeout=30)",
          "end = time.time() + 80; n = 0; inflight = []",
          "while time.time() < end:",
          "    inflight = [f for f in inflight if not f.done()]",
          "    while len(inflight) < 30:",
          "        inflight.append(c.submit(time.sleep, 0.5, pure=False)); n += 1",
          "    time.sleep(0.1)",
          "wait(inflight)",
          "print('tasks', n)",
        ].join("\n"),
        [cluster.schedulerAddress],
        150_000,
        cluster.clientEnv,
      );
      await new Promise((r) => setTimeout(r, 20_000)); // ramp-up
      const start = Date.now();
      const jobsAtStart = cluster.status().jobs.length;
      await new Promise((r) => setTimeout(r, 60_000));
      const inWindow = (times: number[]) => times.filter((t) => t >= start).length;
      const result = await load;
      expect(result.stdout).toMatch(/tasks \d+/);
      const submits = inWindow(log.submitted);
      const cancels = inWindow(log.cancelled);
      console.log(`steady window: ${submits} submits, ${cancels} cancels, ${jobsAtStart} jobs before it; decisions: ${log.decisions.map((d) => `${d.action}:${d.target}`).join(" ")}`);
      expect(jobsAtStart).toBeGreaterThan(0);
      expect(cancels).toBe(0);
      expect(submits).toBeLessThanOrEqual(1);
    } finally {
      await cluster.close();
    }
  }, 180_000);
});
