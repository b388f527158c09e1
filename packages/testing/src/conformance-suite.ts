import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  JobQueueCluster,
  isTerminal,
  loadBackendConfig,
  renderHeader,
  resolveJobSpec,
  silentLogger,
  type Backend,
  type BackendDescriptor,
  type CommandRunner,
  type JobSpec,
} from "@daskq/core";
import { CountingRunner } from "./counting-runner.js";
import { computeArraySum } from "./dask-client.js";
import { eventually } from "./processes.js";
import { PYTHON } from "./python.js";
import { hasDaskPython, requireService } from "./require-service.js";

/** What a backend test hands to the conformance suite. */
export interface ConformanceTarget {
  readonly descriptor: BackendDescriptor;
  /** Whether the batch system is up (checked once; under CI=true a missing one fails). */
  readonly available: () => boolean;
  /** How to start it, for the error message. */
  readonly howToStart: string;
  /** Job options that fit the test system (cores, memory, queue, ...). */
  readonly job?: Readonly<Record<string, unknown>>;
  /** Environment for config loading (e.g. to isolate from the machine's ~/.config/dask). */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the backend's commands run (e.g. a runner that puts an emulator first on PATH). Default: local. */
  readonly runner?: CommandRunner;
  /** Seconds a job may take from submission to a registered worker. Default 60. */
  readonly startTimeoutSeconds?: number;
}

/**
 * The contract every backend must meet, run against the real (or emulated) batch system with real
 * Dask workers and a real Python client. Call it from a backend's test file.
 */
export function backendConformanceSuite(target: ConformanceTarget): void {
  const name = target.descriptor.name;
  const present =
    requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.") &&
    requireService(`the ${name} batch system`, target.available(), target.howToStart);
  const startMs = (target.startTimeoutSeconds ?? 60) * 1000;
  const env = target.env ?? { PATH: process.env["PATH"] ?? "" };
  const job = { python: PYTHON, ...target.job };

  describe.runIf(present)(`backend conformance: ${name}`, () => {
    const runner = new CountingRunner(target.runner);
    let backend: Backend;
    let spec: JobSpec;

    beforeAll(() => {
      spec = resolveJobSpec(loadBackendConfig(target.descriptor, { job, env }), { python: PYTHON });
      backend = target.descriptor.create({ runner, logger: silentLogger, options: spec.backendOptions });
    });

    afterAll(async () => {
      await backend?.close?.();
      await runner.close();
    });

    const sleepScript = (seconds: number, exitCode = 0) =>
      [spec.shebang, ...renderHeader(backend, spec, spec.jobName), `sleep ${seconds}`, `exit ${exitCode}`, ""].join("\n");

    const waitTerminal = (ids: string[], timeoutMs = 60_000) =>
      eventually(async () => {
        const report = await backend.status(ids);
        return ids.every((id) => !report.has(id) || isTerminal(report.get(id)?.state ?? "lost"));
      }, timeoutMs, 500);

    it("submits a job whose worker joins and computes; scaling down retires it and the job is gone", async () => {
      const cluster = await JobQueueCluster.create({ backend: target.descriptor, job, env, runner, pollIntervalMs: 500, handleSignals: false });
      try {
        await cluster.scale({ jobs: 1 });
        await cluster.waitForWorkers(1, startMs);
        expect(await computeArraySum(cluster.schedulerAddress, 1000)).toBe(1_000_000);
        const [submitted] = cluster.status().jobs;
        expect(submitted?.workers.length).toBe(spec.processes);
        await cluster.scale({ jobs: 0 });
        expect(await eventually(() => cluster.status().counts.workers === 0, 60_000)).toBe(true);
        expect(await waitTerminal([submitted?.id as string])).toBe(true);
      } finally {
        await cluster.close();
      }
    });

    it("reports the status of many jobs in ONE command", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push(...(await backend.submit({ script: sleepScript(120), count: 1 })));
      try {
        runner.reset();
        const report = await backend.status(ids);
        expect(runner.calls.length).toBe(1);
        for (const id of ids) expect(["queued", "running"]).toContain(report.get(id)?.state);
      } finally {
        await backend.cancel(ids);
      }
      expect(await waitTerminal(ids)).toBe(true);
    });

    it("treats cancelling an unknown or finished job as harmless", async () => {
      const [id] = await backend.submit({ script: sleepScript(0), count: 1 });
      expect(await waitTerminal([id as string])).toBe(true);
      await expect(backend.cancel([id as string])).resolves.toBeUndefined();
      await expect(backend.cancel(["999999999"])).resolves.toBeUndefined();
      await expect(backend.cancel([])).resolves.toBeUndefined();
    });

    // Registered only for backends with arrays, so that no test is reported as skipped.
    if (target.descriptor.create({ runner, logger: silentLogger }).capabilities.arrays) it(
      "submits n jobs as ONE array and tracks every task",
      async () => {
        runner.reset();
        const ids = await backend.submit({ script: sleepScript(120), count: 4 });
        expect(runner.calls.filter((c) => !["mkdir", "rm"].includes(c.command)).length).toBe(1);
        try {
          expect(new Set(ids).size).toBe(4);
          const report = await backend.status(ids);
          for (const id of ids) expect(["queued", "running"]).toContain(report.get(id)?.state);
        } finally {
          await backend.cancel(ids);
        }
        expect(await waitTerminal(ids)).toBe(true);
      },
    );

    it("reports a job that cannot start as failed, and stops resubmitting after the limit", async () => {
      const cluster = await JobQueueCluster.create({
        backend: target.descriptor,
        job: { ...job, python: "/nonexistent/bin/python3" },
        env,
        runner,
        pollIntervalMs: 300,
        maxStartFailures: 2,
        retryBackoffMs: 200,
        handleSignals: false,
      });
      const failures: string[] = [];
      let submitted = 0;
      cluster.on("job-failed", (j, d) => d.startFailure && failures.push(j.id));
      cluster.on("job-submitted", () => submitted++);
      const gaveUp = new Promise<Error>((resolve) => cluster.once("cluster-error", resolve));
      try {
        await cluster.scale({ jobs: 1 });
        const error = await Promise.race([gaveUp, new Promise<undefined>((r) => setTimeout(() => r(undefined), startMs))]);
        expect(error?.message).toMatch(/2 jobs in a row ended before their worker joined/);
        expect(failures.length).toBe(2);
        await new Promise((r) => setTimeout(r, 1500));
        expect(submitted).toBe(2);
      } finally {
        await cluster.close();
      }
    });
  });
}
