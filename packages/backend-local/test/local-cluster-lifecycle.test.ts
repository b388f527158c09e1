import { describe, expect, it } from "vitest";
import { JobQueueCluster, SchedulerConnection, SchedulerProcess } from "@daskq/core";
import { computeArraySum, eventually, findProcessesInSessions, hasDaskPython, PYTHON, requireService } from "@daskq/testing";
import { localBackend } from "../src/index.js";

const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");
const env = { PATH: process.env["PATH"] ?? "" };
const job = { cores: 1, memory: "1GiB", python: PYTHON };

describe.runIf(available)("cluster lifecycle on the local backend", () => {
  it("attaches to a running scheduler, computes on it, and leaves it running on close", async () => {
    const external = await SchedulerProcess.start({ python: PYTHON, host: "127.0.0.1" });
    try {
      const cluster = await JobQueueCluster.create({ backend: localBackend, job, env, scheduler: { address: external.address }, pollIntervalMs: 500, handleSignals: false });
      expect(cluster.schedulerAddress).toBe(external.address);
      expect(cluster.schedulerPid).toBeUndefined();
      await cluster.scale({ jobs: 1 });
      await cluster.waitForWorkers(1, 60_000);
      expect(await computeArraySum(cluster.schedulerAddress, 1000)).toBe(1_000_000);
      const sessions = cluster.status().jobs.map((j) => Number(j.id));
      await cluster.close();
      expect(await findProcessesInSessions(sessions)).toEqual([]);
      expect(external.exited).toBe(false);
      const connection = new SchedulerConnection(external.address);
      expect((await connection.identity()).workers).toEqual([]);
      connection.close();
    } finally {
      await external.stop();
    }
  });

  it("reports a dying scheduler and closes, cancelling its jobs", async () => {
    const cluster = await JobQueueCluster.create({ backend: localBackend, job, env, pollIntervalMs: 500, handleSignals: false });
    const errors: Error[] = [];
    cluster.on("cluster-error", (e) => errors.push(e));
    const closed = new Promise<void>((resolve) => cluster.once("closed", resolve));
    await cluster.scale({ jobs: 2 });
    await cluster.waitForWorkers(2, 60_000);
    const sessions = cluster.status().jobs.map((j) => Number(j.id));
    process.kill(cluster.schedulerPid as number, "SIGKILL");
    await closed;
    expect(errors.map((e) => e.message).join("\n")).toMatch(/\[daskq:cluster\] the scheduler exited unexpectedly \(code -, signal SIGKILL\); closing the cluster/);
    expect(cluster.status().jobs.every((j) => j.state === "cancelled")).toBe(true);
    expect(await eventually(async () => (await findProcessesInSessions(sessions)).length === 0, 15_000)).toBe(true);
  });
});
