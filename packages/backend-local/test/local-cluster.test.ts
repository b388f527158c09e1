import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DaskComm, JobQueueCluster } from "@daskq/core";
import { computeArraySum, eventually, findProcesses, findProcessesInSessions, hasDaskPython, PYTHON, requireService, runPython } from "@daskq/testing";
import { localBackend } from "../src/index.js";

const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");

describe.runIf(available)("a local cluster end to end, with a real Python client", () => {
  let cluster: JobQueueCluster;
  const env = { PATH: process.env["PATH"] ?? "" };

  beforeAll(async () => {
    cluster = await JobQueueCluster.create({
      backend: localBackend,
      job: { cores: 1, memory: "1GiB", python: PYTHON },
      env,
      pollIntervalMs: 500,
      handleSignals: false,
    });
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it("scale({workers: 4}) leads to 4 workers, one job each", async () => {
    await cluster.scale({ workers: 4 });
    await cluster.waitForWorkers(4, 90_000);
    const status = cluster.status();
    expect(status.counts.workers).toBe(4);
    expect(status.jobs.filter((j) => j.state === "running")).toHaveLength(4);
    // Every worker maps back to its job.
    for (const w of status.workers) expect(status.jobs.find((j) => j.id === w.jobId)?.workers).toContain(w.name);
  });

  it("computes a dask.array reduction from a real client", async () => {
    expect(await computeArraySum(cluster, 2000)).toBe(4_000_000);
  });

  it("scale({workers: 1}) retires 3 workers and keeps the data scattered to them", async () => {
    const scatter = await runPython(
      [
        "import sys; from distributed import Client",
        "c = Client(sys.argv[1], timeout=30)",
        "workers = list(c.scheduler_info()['workers'])",
        "futures = [c.scatter(i * 10, workers=[w]) for i, w in enumerate(workers)]",
        "for i, f in enumerate(futures): c.publish_dataset(f, name=f'value{i}')",
        "print('placed', len(workers))",
      ].join("\n"),
      [cluster.schedulerAddress],
      120_000,
      cluster.clientEnv,
    );
    expect(scatter.stdout).toContain("placed 4");

    await cluster.scale({ workers: 1 });
    expect(await eventually(() => cluster.status().counts.workers === 1, 60_000)).toBe(true);
    expect(await eventually(() => cluster.status().jobs.filter((j) => j.state === "running").length === 1, 30_000)).toBe(true);

    const read = await runPython(
      [
        "import sys; from distributed import Client",
        "c = Client(sys.argv[1], timeout=30)",
        "print('sum', sum(c.get_dataset(f'value{i}').result() for i in range(4)))",
        "print('workers', len(c.scheduler_info()['workers']))",
      ].join("\n"),
      [cluster.schedulerAddress],
      120_000,
      cluster.clientEnv,
    );
    expect(read.stdout).toContain("sum 60");
    expect(read.stdout).toContain("workers 1");
    const ended = cluster.status().jobs.filter((j) => j.state === "cancelled" || j.state === "finished");
    expect(ended).toHaveLength(3);
  });

  it("close() leaves no scheduler, worker or job process behind (checked with ps)", async () => {
    const sessions = cluster.status().jobs.map((j) => Number(j.id));
    expect((await findProcessesInSessions(sessions)).length).toBeGreaterThan(0);
    const address = cluster.schedulerAddress;
    const schedulerFile = (await findProcesses("daskq-scheduler-")).length;
    await cluster.close();
    expect(await findProcessesInSessions(sessions)).toEqual([]);
    expect(await findProcesses(address)).toEqual([]);
    expect((await findProcesses("daskq-scheduler-")).length).toBe(schedulerFile - 1);
    await expect(DaskComm.connect(address, { timeoutMs: 2000 })).rejects.toThrow(/connect|closed|ECONNREFUSED/);
  });
});
