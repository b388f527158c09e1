/**
 * Real Dask workers (Debian's python3-distributed) submitted through the HTCONDOR EMULATOR, the way
 * dask-jobqueue's HTCondorJob submits them (/bin/sh -c through the new argument syntax, MY.JobId,
 * $F(MY.JobId) in the worker name): they register with a real scheduler, compute, and condor_rm
 * of their cluster ends them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SchedulerProcess } from "@daskq/core";
import { computeArraySum, eventually, PYTHON, runPython, startHtcondorEmulator, type HtcondorEmulator } from "@daskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The names of the workers the scheduler knows, sorted. */
async function workerNames(address: string): Promise<string[]> {
  const out = await runPython(
    ["import sys", "from distributed import Client", "c = Client(sys.argv[1], timeout=20)", "print(sorted(w['name'] for w in c.scheduler_info()['workers'].values()))", "c.close()"].join("\n"),
    [address],
    60_000,
  );
  const m = /^\[(.*)\]$/m.exec(out.stdout);
  if (!m) throw new Error(`client failed (exit ${out.exitCode}): ${out.stderr.slice(-1500)}`);
  return (m[1] ?? "").split(",").map((s) => s.trim().replace(/^'|'$/g, "")).filter(Boolean);
}

describe("HTCondor emulator: real Dask workers", () => {
  let emulator: HtcondorEmulator;
  let scheduler: SchedulerProcess;

  beforeAll(async () => {
    emulator = await startHtcondorEmulator({ slots: 4, killTimeoutSeconds: 10 });
    scheduler = await SchedulerProcess.start({ python: PYTHON, host: "127.0.0.1" });
  });

  afterAll(async () => {
    await emulator?.dispose();
    await scheduler?.stop();
  });

  it("a cluster of 2 procs registers 2 workers named after their job ids; they compute; condor_rm of the cluster ends them", async () => {
    const worker = `exec ${PYTHON} -m distributed.cli.dask_worker ${scheduler.address} --name htcondor--$F(MY.JobId)-- --nthreads 1 --memory-limit 1GB --no-dashboard --host 127.0.0.1 --death-timeout 60`;
    writeFileSync(
      join(emulator.workDir, "workers.sub"),
      [
        'MY.JobId = "$(ClusterId).$(ProcId)"',
        "RequestCpus = MY.DaskWorkerCores",
        "RequestMemory = floor(MY.DaskWorkerMemory / 1048576)",
        "MY.DaskWorkerCores = 1",
        "MY.DaskWorkerMemory = 1000000000",
        "request_disk = 1 GB",
        "Output = worker-$F(MY.JobId).out",
        "Error = worker-$F(MY.JobId).err",
        "Log = worker-$(ClusterId).log",
        `Arguments = "-c '${worker}'"`,
        "Executable = /bin/sh",
        "Queue 2",
        "",
      ].join("\n"),
    );
    const submitted = await emulator.runner.run("condor_submit", ["workers.sub"], { cwd: emulator.workDir });
    const cluster = /(\d+) job\(s\) submitted to cluster (\d+)\./.exec(submitted.stdout);
    expect(cluster?.[1]).toBe("2");
    const id = cluster?.[2];
    let names: string[] = [];
    const registered = await eventually(async () => {
      names = await workerNames(scheduler.address);
      return names.length === 2;
    }, 90_000, 1000);
    expect(registered, `workers: ${names.join(", ")}`).toBe(true);
    expect(names).toEqual([`htcondor--${id}.0--`, `htcondor--${id}.1--`]);
    expect((await emulator.runner.run("condor_q", [String(id), "-af", "JobStatus"])).stdout).toBe("2\n2");
    expect(await computeArraySum(scheduler.address, 400)).toBe(160_000);

    const removed = await emulator.runner.run("condor_rm", [String(id)]);
    expect(removed.stdout).toBe(`All jobs in cluster ${id} have been marked for removal`);
    expect(await eventually(async () => (await workerNames(scheduler.address)).length === 0, 60_000, 1000)).toBe(true);
    expect(await eventually(async () => (await emulator.runner.run("condor_history", [String(id), "-af", "JobStatus"])).stdout === "3\n3", 30_000)).toBe(true);
    expect((await emulator.runner.run("condor_q", [String(id), "-af", "JobStatus"])).stdout).toBe("");
  });
});
