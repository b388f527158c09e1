/**
 * A heterogeneous cluster: two pools of real local workers behind one real Dask scheduler, one of
 * them advertising `GPU=1`. A real Python client checks where its tasks ran.
 */
import { describe, expect, it } from "vitest";
import { JobQueueCluster, type ScaleDecision } from "@daskq/core";
import { eventually, hasDaskPython, PYTHON, requireService, runPython } from "@daskq/testing";
import { localBackend } from "../src/index.js";

const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");
const env = { PATH: process.env["PATH"] ?? "" };
const job = { cores: 1, memory: "1GiB", python: PYTHON };

/** Python: runs one task restricted to GPU=1 and one plain task, prints the workers they ran on. */
const WHERE_TASKS_RUN = [
  "import sys; from distributed import Client, get_worker",
  "c = Client(sys.argv[1], timeout=30)",
  "name = lambda: get_worker().name",
  "print('gpu-task', c.submit(name, resources={'GPU': 1}, pure=False).result(timeout=120))",
  "print('sum', sum(c.gather(c.map(lambda i: i, range(10)))))",
].join("\n");

function createPools(extra: { cpu?: object; gpu?: object; retryBackoffMs?: number } = {}) {
  return JobQueueCluster.create({
    pools: [
      { name: "cpu", backend: localBackend, job, ...extra.cpu },
      { name: "gpu", backend: localBackend, job, resources: { GPU: 1 }, ...extra.gpu },
    ],
    env,
    pollIntervalMs: 500,
    retryBackoffMs: extra.retryBackoffMs,
    handleSignals: false,
  });
}

describe.runIf(available)("a cluster with two pools on the local backend", () => {
  it("scale({pool}) sizes each pool; GPU tasks run on the gpu pool; events and status name the pool", async () => {
    const cluster = await createPools();
    const joined: Array<[string, string | undefined]> = [];
    const submitted: string[] = [];
    cluster.on("worker-joined", (w, _job, pool) => joined.push([w.name, pool]));
    cluster.on("job-submitted", (_job, pool) => submitted.push(pool));
    try {
      expect(cluster.pools.map((p) => p.name)).toEqual(["cpu", "gpu"]);
      expect(cluster.jobScript("gpu")).toContain("--resources GPU=1");
      expect(cluster.jobScript()).not.toContain("--resources");
      await cluster.scale({ pool: "gpu", workers: 1 });
      await cluster.scale({ pool: "cpu", jobs: 2 });
      await cluster.waitForWorkers(3, 90_000);
      const status = cluster.status();
      expect(status.pools.map((p) => [p.name, p.targetJobs, p.counts.workers])).toEqual([
        ["cpu", 2, 2],
        ["gpu", 1, 1],
      ]);
      expect(submitted.sort()).toEqual(["cpu", "cpu", "gpu"]);
      expect(joined.filter(([, pool]) => pool === "gpu")).toHaveLength(1);
      const gpuWorker = status.workers.find((w) => w.pool === "gpu");
      expect(gpuWorker?.name).toMatch(/-gpu-\d+$/);
      const result = await runPython(WHERE_TASKS_RUN, [cluster.schedulerAddress], 120_000, cluster.clientEnv);
      expect(result.stderr).not.toMatch(/Traceback/);
      expect(result.stdout).toContain(`gpu-task ${gpuWorker?.name}`);
      expect(result.stdout).toContain("sum 45");
      expect(() => cluster.pool("tpu")).toThrow(/no pool named "tpu"; this cluster has cpu, gpu/);
      await cluster.scale({ pool: "cpu", jobs: 0 });
      expect(await eventually(() => cluster.status().pools[0]?.counts.workers === 0, 60_000)).toBe(true);
      expect(cluster.status().pools[1]?.counts.workers).toBe(1);
    } finally {
      await cluster.close();
    }
  }, 240_000);

  it("adapt(): a GPU task grows only the gpu pool, plain load grows the cpu pool first, idle pools shrink to their minimum", async () => {
    const cluster = await createPools({ cpu: { maximumJobs: 2 }, gpu: { maximumJobs: 1 } });
    const submitted: string[] = [];
    const decisions: ScaleDecision[] = [];
    cluster.on("job-submitted", (_job, pool) => submitted.push(pool));
    // A decision to remove jobs is reported before it is acted on: its jobs are still live then.
    const goneBeforeReported: string[] = [];
    cluster.on("scale-decision", (d) => {
      decisions.push(d);
      const live = new Set(cluster.pools.flatMap((p) => p.reconciler.liveJobs.map((j) => j.id)));
      goneBeforeReported.push(...d.removing.filter((id) => !live.has(id)));
    });
    try {
      await cluster.adapt({ interval: 500, waitCount: 3 });
      const gpuOnly = await runPython(
        [
          "import sys; from distributed import Client, get_worker",
          "c = Client(sys.argv[1], timeout=30)",
          "print('gpu-task', c.submit(lambda: get_worker().name, resources={'GPU': 1}, pure=False).result(timeout=120))",
        ].join("\n"),
        [cluster.schedulerAddress],
        150_000,
        cluster.clientEnv,
      );
      expect(gpuOnly.stdout).toMatch(/gpu-task \S+-gpu-\d+/);
      expect(submitted, decisions.map((d) => d.reason).join("\n")).toEqual(["gpu"]);
      expect(decisions.some((d) => /GPU=1: 1 unrunnable/.test(d.reason))).toBe(true);
      // Idle: the gpu pool goes back to its minimum (0).
      expect(await eventually(() => cluster.status().pools[1]?.counts.workers === 0 && cluster.status().counts.workers === 0, 60_000)).toBe(true);
      const plain = await runPython(
        [
          "import sys, time; from distributed import Client",
          "c = Client(sys.argv[1], timeout=30)",
          "print('sum', sum(c.gather(c.map(lambda i: time.sleep(0.5) or i, range(8), pure=False))))",
        ].join("\n"),
        [cluster.schedulerAddress],
        150_000,
        cluster.clientEnv,
      );
      expect(plain.stdout).toContain("sum 28");
      expect(submitted.filter((p) => p === "cpu").length).toBeGreaterThan(0);
      expect(await eventually(() => cluster.status().counts.workers === 0 && cluster.status().pools.every((p) => p.counts.queued + p.counts.running === 0), 60_000)).toBe(true);
      expect(decisions.filter((d) => d.action === "down").length).toBeGreaterThan(0);
      expect(goneBeforeReported).toEqual([]);
    } finally {
      await cluster.close();
    }
  }, 240_000);

  it("a pool whose jobs keep failing to start raises a cluster error that names the pool; the other pool works on", async () => {
    const cluster = await createPools({ gpu: { job: { ...job, python: "/nonexistent/bin/python3" } }, retryBackoffMs: 100 });
    try {
      const failed = new Promise<[Error, string | undefined]>((resolve) => cluster.once("cluster-error", (error, pool) => resolve([error, pool])));
      await cluster.scale({ pool: "gpu", jobs: 1 });
      await cluster.scale({ pool: "cpu", jobs: 1 });
      const [error, pool] = await failed;
      expect(pool).toBe("gpu");
      expect(error.message).toMatch(/^\[daskq:pool gpu\] 3 jobs in a row ended before their worker joined the scheduler/);
      expect(error.message).toContain("/nonexistent/bin/python3");
      await cluster.waitForWorkers(1, 90_000);
      expect(cluster.status().workers.map((w) => w.pool)).toEqual(["cpu"]);
    } finally {
      await cluster.close();
    }
  }, 150_000);
});
