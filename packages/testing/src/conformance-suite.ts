import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  JobQueueCluster,
  LocalRunner,
  isTerminal,
  loadBackendConfig,
  resolveJobSpec,
  silentLogger,
  type Backend,
  type BackendDescriptor,
  type CommandRunner,
  type JobSpec,
  submitRequest,
  type SubmitRequest,
} from "@daskq/core";
import { CountingBackend } from "./counting-backend.js";
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
  /**
   * Only these cases (default: all). For a second target of one backend whose other cases run the
   * same code as the first target's (a PBS flavour, a UNICORE scheduler placement): say in the
   * test file why the others are left out.
   */
  readonly cases?: readonly ConformanceCase[];
}

/**
 * The suite's cases: `worker-joins` (a cluster's worker joins, computes, is retired),
 * `operation-counts` (one status per poll, one submit per batch, one cancel on close),
 * `status-of-many`, `harmless-cancel`, `array` (for backends with arrays), `failed-start` (the
 * system's error line reaches the user; resubmission stops at the limit).
 */
export const CONFORMANCE_CASES = ["worker-joins", "operation-counts", "status-of-many", "harmless-cancel", "array", "failed-start"] as const;

/** One case of the conformance suite, see `CONFORMANCE_CASES`. */
export type ConformanceCase = (typeof CONFORMANCE_CASES)[number];

/** The python that does not exist, for the failed-start check; its error line must reach the user. */
const MISSING_PYTHON = "/nonexistent/bin/python3";

/**
 * The contract every backend must meet, run against the real (or emulated) batch system with real
 * Dask workers and a real Python client. Call it from a backend's test file. It counts BACKEND
 * operations (through `CountingBackend`), never commands or requests: one status per poll, one
 * submit per batch, one cancel on close.
 */
export function backendConformanceSuite(target: ConformanceTarget): void {
  const name = target.descriptor.name;
  const present =
    requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.") &&
    requireService(`the ${name} batch system`, target.available(), target.howToStart);
  const startMs = (target.startTimeoutSeconds ?? 60) * 1000;
  const env = target.env ?? { PATH: process.env["PATH"] ?? "" };
  const job = { python: PYTHON, ...target.job };

  /** Registers a case unless the target leaves it out (so that no test is reported as skipped). */
  const test = (which: ConformanceCase, title: string, body: () => Promise<void>) => {
    if (!target.cases || target.cases.includes(which)) it(title, body);
  };

  describe.runIf(present)(`backend conformance: ${name}`, () => {
    const runner = target.runner ?? new LocalRunner();
    let backend: Backend;
    let spec: JobSpec;
    let outputDirectory: string;

    beforeAll(async () => {
      spec = resolveJobSpec(loadBackendConfig(target.descriptor, { job, env }), { python: PYTHON });
      backend = target.descriptor.create({ runner, logger: silentLogger, options: spec.backendOptions, clusterId: `daskq-conformance-${process.pid}` });
      await backend.prepare?.();
      outputDirectory = await runner.makeTempDir(`daskq-conformance-${name}-`);
    });

    afterAll(async () => {
      await backend?.close?.();
      if (outputDirectory) await runner.run("rm", ["-rf", "--", outputDirectory]);
      await runner.close();
    });

    /**
     * `count` jobs that sleep, then exit with `exitCode`: core's own request for them, with the
     * sleep as the job's prologue (it ends the job before the scheduler check and the worker).
     */
    const sleepRequest = (seconds: number, count = 1, exitCode = 0): SubmitRequest => {
      const sleeping: JobSpec = { ...spec, prologue: [`sleep ${seconds}`, `exit ${exitCode}`] };
      const naming = count > 1 ? ({ kind: "array", base: "conformance" } as const) : ({ kind: "fixed", name: "conformance" } as const);
      return submitRequest(backend, sleeping, { schedulerAddress: "tcp://127.0.0.1:9", outputDirectory, naming, count });
    };

    const waitTerminal = (ids: string[], timeoutMs = 60_000) =>
      eventually(async () => {
        const report = await backend.status(ids);
        return ids.every((id) => !report.has(id) || isTerminal(report.get(id)?.state ?? "lost"));
      }, timeoutMs, 500);

    test("worker-joins", "submits a job whose worker joins and computes; scaling down retires it and the job is gone", async () => {
      const cluster = await JobQueueCluster.create({ backend: target.descriptor, job, env, runner, pollIntervalMs: 500, handleSignals: false });
      try {
        await cluster.scale({ jobs: 1 });
        await cluster.waitForWorkers(1, startMs);
        expect(await computeArraySum(cluster, 1000)).toBe(1_000_000);
        const [submitted] = cluster.status().jobs;
        expect(submitted?.workers.length).toBe(spec.processes);
        await cluster.scale({ jobs: 0 });
        expect(await eventually(() => cluster.status().counts.workers === 0, 60_000)).toBe(true);
        expect(await waitTerminal([submitted?.id as string])).toBe(true);
      } finally {
        await cluster.close();
      }
    });

    test("operation-counts", "is driven with one status per poll, one submit per batch and one cancel on close", async () => {
      let counted: CountingBackend | undefined;
      const descriptor = CountingBackend.wrap(target.descriptor, (b) => (counted = b));
      // Jobs that wait in their prologue: they run, never fail and never need a worker slot.
      const waiting = { ...job, "job-script-prologue": ["sleep 300", "exit 0"] };
      const cluster = await JobQueueCluster.create({ backend: descriptor, job: waiting, env, runner, pollIntervalMs: 300, handleSignals: false });
      const ids: string[] = [];
      cluster.on("job-submitted", (j) => ids.push(j.id));
      try {
        await cluster.scale({ jobs: 2 });
        expect(await eventually(() => (counted?.of("status") ?? []).filter((s) => s.ids.length === 2).length >= 2, 30_000)).toBe(true);
      } finally {
        await cluster.close();
      }
      const ops = (counted as CountingBackend).operations;
      expect(ops.filter((o) => o.op === "prepare").length).toBe(1);
      const submits = ops.filter((o) => o.op === "submit");
      expect(submits.map((o) => o.count)).toEqual(backend.capabilities.arrays ? [2] : [1, 1]);
      expect(ids.length).toBe(2);
      // Every poll is ONE status operation covering every job that has not ended.
      const afterSubmits = ops.slice(ops.lastIndexOf(submits.at(-1) as (typeof ops)[number]) + 1);
      const cancelAt = afterSubmits.findIndex((o) => o.op === "cancel");
      const polls = afterSubmits.slice(0, cancelAt).filter((o) => o.op === "status");
      expect(polls.length).toBeGreaterThanOrEqual(2);
      for (const poll of polls) expect([...poll.ids].sort()).toEqual([...ids].sort());
      // Close cancels every job in ONE operation.
      const cancels = afterSubmits.filter((o) => o.op === "cancel");
      expect(cancels.length).toBe(1);
      expect([...(cancels[0]?.ids ?? [])].sort()).toEqual([...ids].sort());
    });

    test("status-of-many", "reports the status of many jobs in one operation", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push(...(await backend.submit(sleepRequest(120))));
      try {
        const report = await backend.status(ids);
        for (const id of ids) expect(["queued", "running"]).toContain(report.get(id)?.state);
      } finally {
        await backend.cancel(ids);
      }
      expect(await waitTerminal(ids)).toBe(true);
    });

    test("harmless-cancel", "treats cancelling an unknown or finished job as harmless", async () => {
      const [id] = await backend.submit(sleepRequest(0));
      expect(await waitTerminal([id as string])).toBe(true);
      await expect(backend.cancel([id as string])).resolves.toBeUndefined();
      await expect(backend.cancel(["999999999"])).resolves.toBeUndefined();
      await expect(backend.cancel([])).resolves.toBeUndefined();
    });

    // Registered only for backends with arrays, so that no test is reported as skipped.
    if (target.descriptor.create({ runner, logger: silentLogger, clusterId: "daskq-probe" }).capabilities.arrays) test(
      "array",
      "submits n jobs as ONE array and tracks every task",
      async () => {
        const ids = await backend.submit(sleepRequest(120, 4));
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

    test("failed-start", "reports a job that cannot start as failed with the system's error line, and stops resubmitting after the limit", async () => {
      const cluster = await JobQueueCluster.create({
        backend: target.descriptor,
        job: { ...job, python: MISSING_PYTHON },
        env,
        runner,
        pollIntervalMs: 300,
        maxStartFailures: 2,
        retryBackoffMs: 200,
        handleSignals: false,
      });
      const failures: Array<string | undefined> = [];
      let submitted = 0;
      cluster.on("job-failed", (_j, d) => d.startFailure && failures.push(d.logTail));
      cluster.on("job-submitted", () => submitted++);
      const gaveUp = new Promise<Error>((resolve) => cluster.once("cluster-error", resolve));
      try {
        await cluster.scale({ jobs: 1 });
        const error = await Promise.race([gaveUp, new Promise<undefined>((r) => setTimeout(() => r(undefined), startMs))]);
        expect(error?.message).toMatch(/2 jobs in a row ended before their worker joined/);
        expect(failures.length).toBe(2);
        // The batch system's own error line reaches the user, in the event and in the error.
        const errorLine = new RegExp(`${MISSING_PYTHON.replaceAll("/", "\\/")}.*(No such file or directory|not found)`);
        for (const logTail of failures) expect(logTail).toMatch(errorLine);
        expect(error?.message).toMatch(errorLine);
        await new Promise((r) => setTimeout(r, 1500));
        expect(submitted).toBe(2);
      } finally {
        await cluster.close();
      }
    });
  });
}
