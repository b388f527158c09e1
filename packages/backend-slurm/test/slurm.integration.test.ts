/**
 * Against the REAL Slurm of packages/testing/testbed/slurm.sh (one node, 8 CPUs, partitions `debug`
 * and `down`). Under CI=true a missing Slurm fails this file; elsewhere it is skipped. The cases
 * every batch backend shares are @daskq/testing's batchJobsSuite; Slurm's own states are here.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderHeader, submitRequest, silentLogger, type JobSpec, type JobStatus } from "@daskq/core";
import { CountingRunner, batchJobsSuite, eventually, requireService, scriptRequest } from "@daskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlurmBackend } from "../src/slurm-backend.js";
import { createSlurmBackend, slurmBackend } from "../src/slurm-descriptor.js";
import { makeSpec } from "./helpers.js";
import { START_SLURM, slurmIsUp } from "./slurm-available.js";

const enabled = requireService("Slurm", await slurmIsUp(), START_SLURM);

batchJobsSuite({
  descriptor: slurmBackend,
  enabled,
  commands: { status: "squeue", cancel: "scancel" },
  spec: (logDirectory) => makeSpec({ jobName: "daskq-it", cores: 1, processes: 1, memory: 100e6, walltime: 300, queue: "debug", account: undefined, logDirectory }),
  runningNative: "RUNNING",
  arrayIds: (first, count) => Array.from({ length: count }, (_, i) => `${first.split("_")[0]}_${i}`),
  missingTask: (first) => `${first.split("_")[0]}_9`,
  // squeue exits 1 "Invalid job id specified" for an unknown job.
  unknownIds: ["999999", "999998_3"],
  cancelledJobs: { native: "CANCELLED" },
});

describe.skipIf(!enabled)("Slurm backend against a real Slurm", () => {
  const runner = new CountingRunner();
  let backend: SlurmBackend;
  let logDir: string;
  const submitted: string[] = [];

  /** One-CPU worker jobs in `debug`, output in a fresh directory (not created yet: submit must). */
  const spec = (overrides: Partial<JobSpec> = {}): JobSpec =>
    makeSpec({ jobName: "daskq-it", cores: 1, processes: 1, memory: 100e6, walltime: 300, queue: "debug", account: undefined, logDirectory: join(logDir, "logs"), ...overrides });

  /** A script with the real generated header and `body` as its commands. */
  const script = (body: string, overrides: Partial<JobSpec> = {}) =>
    ["#!/bin/bash", ...renderHeader(backend, spec(overrides), { jobName: "daskq-it", outputDirectory: spec(overrides).logDirectory }), body, ""].join("\n");

  const submit = async (body: string, count: number, overrides: Partial<JobSpec> = {}, maxRunning?: number) => {
    const jobSpec = spec(overrides);
    const request = { script: script(body, overrides), count, spec: jobSpec, outputDirectory: jobSpec.logDirectory as string };
    const ids = await backend.submit(scriptRequest({ ...request, ...(maxRunning === undefined ? {} : { maxRunning }) }));
    submitted.push(...ids);
    return ids;
  };

  /** Polls status until every id is in the wanted state; resolves the last report. */
  const waitFor = async (ids: readonly string[], state: JobStatus["state"], timeoutMs = 20_000) => {
    let report = new Map<string, JobStatus>();
    await eventually(async () => {
      report = await backend.status(ids);
      return ids.every((id) => report.get(id)?.state === state);
    }, timeoutMs, 300);
    return report;
  };

  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), "daskq-slurm-it-"));
    backend = createSlurmBackend({ runner, logger: silentLogger, clusterId: "daskq-test" });
  });

  afterAll(async () => {
    await backend?.cancel(submitted);
    await backend?.close();
    if (logDir) await rm(logDir, { recursive: true, force: true });
  });

  it("reports a job that exits 3 as failed with reason NonZeroExitCode", async () => {
    const [id = ""] = await submit("exit 3", 1);
    const report = await waitFor([id], "failed");
    expect(report.get(id)).toEqual({ state: "failed", native: "FAILED", reason: "NonZeroExitCode" });
  });

  it("keeps a job in a DOWN partition queued (PartitionDown), and cancels it", async () => {
    const [id = ""] = await submit("sleep 30", 1, { queue: "down" });
    await waitFor([id], "queued");
    await new Promise((r) => setTimeout(r, 2000));
    expect((await backend.status([id])).get(id)).toEqual({ state: "queued", native: "PENDING", reason: "PartitionDown" });
    await backend.cancel([id]);
    expect((await waitFor([id], "cancelled")).get(id)?.native).toBe("CANCELLED");
  });

  it("cancelling a task of a pending array removes only that task (it vanishes, no CANCELLED line)", async () => {
    const ids = await submit("sleep 30", 3, { queue: "down" });
    await waitFor(ids, "queued");
    await backend.cancel([ids[1] as string]);
    await eventually(async () => !(await backend.status(ids)).has(ids[1] as string), 10_000, 200);
    const report = await backend.status(ids);
    expect(report.has(ids[1] as string)).toBe(false);
    expect(report.get(ids[0] as string)?.state).toBe("queued");
    expect(report.get(ids[2] as string)?.state).toBe("queued");
  });

  it("limits running array tasks with maxRunning (%limit)", async () => {
    const ids = await submit("sleep 30", 3, {}, 1);
    await waitFor([ids[0] as string], "running");
    const now = await backend.status(ids);
    expect(now.get(ids[1] as string)).toEqual({ state: "queued", native: "PENDING", reason: "JobArrayTaskLimit" });
    expect(now.get(ids[2] as string)).toEqual({ state: "queued", native: "PENDING", reason: "JobArrayTaskLimit" });
    await backend.cancel(ids);
  });

  it("runs a script rendered by core, finishes, and serves its output through logTail", async () => {
    // /bin/echo as "python": the job prints its worker command line and exits 0.
    const jobSpec = spec({ python: "/bin/echo", logDirectory: join(logDir, "rendered logs", "100%") });
    const parts = { schedulerAddress: "tcp://127.0.0.1:8786", outputDirectory: jobSpec.logDirectory as string };
    const one = await backend.submit(submitRequest(backend, jobSpec, { ...parts, naming: { kind: "fixed", name: "daskq-it-0" }, count: 1 }));
    const two = await backend.submit(submitRequest(backend, jobSpec, { ...parts, naming: { kind: "array", base: "daskq-it-1" }, count: 2 }));
    submitted.push(...one, ...two);
    const report = await waitFor([...one, ...two], "finished");
    for (const status of report.values()) expect(status).toEqual({ state: "finished", native: "COMPLETED" });

    const names = ["daskq-it-0", "daskq-it-1-0", "daskq-it-1-1"];
    for (const [i, id] of [...one, ...two].entries()) {
      const text = await backend.logTail(id, 5);
      expect(text).toContain(`-m distributed.cli.dask_worker tcp://127.0.0.1:8786 --name ${names[i]} --nthreads 1`);
    }
  });
});
