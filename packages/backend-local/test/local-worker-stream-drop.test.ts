import { describe, expect, it } from "vitest";
import { JobQueueCluster, SchedulerConnection } from "@daskq/core";
import { eventually, hasDaskPython, PYTHON, requireService, runPython } from "@daskq/testing";
import { localBackend } from "../src/index.js";

const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");
const env = { PATH: process.env["PATH"] ?? "" };
const job = { cores: 1, memory: "1GiB", python: PYTHON };

/**
 * Runs on the scheduler itself (argv: address, action, plugin name). `drop` aborts the connection of
 * the cluster's worker status plugin and makes new subscriptions fail (the handler raises) until
 * `restore`, so the worker events of that time are really missed.
 */
const SCHEDULER_SIDE = [
  "import sys",
  "from distributed import Client",
  "def act(dask_scheduler, action, plugin):",
  "    if action == 'drop':",
  "        dask_scheduler._daskq_saved = dask_scheduler.handlers['daskq_subscribe_worker_status']",
  "        def refuse(comm, name=None):",
  "            raise RuntimeError('subscriptions refused by the test')",
  "        dask_scheduler.handlers['daskq_subscribe_worker_status'] = refuse",
  "        dask_scheduler.plugins[plugin].bcomm.comm.abort()",
  "    else:",
  "        dask_scheduler.handlers['daskq_subscribe_worker_status'] = dask_scheduler._daskq_saved",
  "with Client(sys.argv[1], timeout=30) as c:",
  "    c.run_on_scheduler(act, action=sys.argv[2], plugin=sys.argv[3])",
  "print('done')",
].join("\n");

describe.runIf(available)("a cluster whose worker status stream drops", () => {
  it("subscribes again and catches up with the worker that joined meanwhile: the job runs, nothing is marked failed", async () => {
    const cluster = await JobQueueCluster.create({ backend: localBackend, job, env, tls: false, pollIntervalMs: 500, workerCheckIntervalMs: 600_000, handleSignals: false, watchdog: false });
    const failed: string[] = [];
    cluster.on("job-failed", (j) => failed.push(j.id));
    try {
      const address = cluster.schedulerAddress;
      const plugin = `daskq-worker-status-${cluster.clusterId}`;
      const run = (action: "drop" | "restore") => runPython(SCHEDULER_SIDE, [address, action, plugin]);
      const dropped = await run("drop");
      expect(dropped.stdout, dropped.stderr).toBe("done");
      await cluster.scale({ jobs: 1 });
      // The worker joins while this cluster cannot hear it.
      const direct = new SchedulerConnection(address);
      expect(await eventually(async () => (await direct.identity()).workers.length === 1, 60_000)).toBe(true);
      direct.close();
      expect(cluster.status().counts.workers).toBe(0);
      const joined = new Promise<string>((resolve) => cluster.once("worker-joined", (_w, jobId) => resolve(jobId)));
      const restoring = Date.now();
      const restored = await run("restore");
      expect(restored.stdout, restored.stderr).toBe("done");
      expect(await joined).toBe(cluster.status().jobs[0]?.id);
      console.log(`stream drop: the cluster had its worker ${Date.now() - restoring} ms after the restore began (a Python client's start included)`);
      expect(cluster.status().counts).toMatchObject({ workers: 1, running: 1 });
      expect(failed).toEqual([]);
    } finally {
      await cluster.close();
    }
  }, 180_000);
});
