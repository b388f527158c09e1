import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger, submitRequest, type Backend, type BackendDescriptor, type JobSpec, type JobStatus } from "@daskq/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CountingRunner } from "./counting-runner.js";
import { eventually } from "./processes.js";

/** What a batch backend's integration test hands to `batchJobsSuite`: the facts of its batch system. */
export interface BatchJobsTarget {
  readonly descriptor: BackendDescriptor;
  /** Whether the real batch system is up (from `requireService`: under CI=true a missing one fails). */
  readonly enabled: boolean;
  /** The backend's commands, as the CommandRunner sees them. */
  readonly commands: { readonly status: string; readonly cancel: string };
  /** One-CPU jobs that start at once, their output in `logDirectory` (not made yet: submit must make it). */
  readonly spec: (logDirectory: string) => JobSpec;
  /** The native state of a running job, once it settled (`RUNNING`, `r`). */
  readonly runningNative: string;
  /** The ids of the tasks of an array of `count` whose first task id is `first`, in index order. */
  readonly arrayIds: (first: string, count: number) => readonly string[];
  /** A task id of the array with `first` that it does not have (`123_9`). */
  readonly missingTask: (first: string) => string;
  /** Ids the batch system does not know: a job and a task (`999999`, `999998_3`). */
  readonly unknownIds: readonly string[];
  /** How a cancelled job leaves the status: gone, or still listed as `cancelled` with this native state (Slurm's `CANCELLED`, for MinJobAge). */
  readonly cancelledJobs: "gone" | { readonly native: string };
}

/**
 * What a script backend's submit, status and cancel do on a REAL batch system, the same for every
 * one: one job and an array of 4 reported with ONE status command; one array task cancelled by
 * its id with ONE cancel command, the others still running; unknown ids absent from the status and
 * harmless to cancel, even among real ones. Each backend's file calls it with its fixture and keeps
 * its own cases (its states and reasons, its limits, its output files).
 */
export function batchJobsSuite(target: BatchJobsTarget): void {
  const { status: statusCommand, cancel: cancelCommand } = target.commands;

  describe.skipIf(!target.enabled)(`${target.descriptor.name} jobs on the real batch system (shared batch-backend cases)`, () => {
    const runner = new CountingRunner();
    let backend: Backend;
    let logDir = "";
    const submitted: string[] = [];
    let single = "";
    let array: readonly string[] = [];

    /** `count` jobs of core's own request, whose prologue sleeps 60 s and ends the job before the worker. */
    const submit = async (count: number) => {
      const spec: JobSpec = { ...target.spec(join(logDir, "logs")), prologue: ["sleep 60", "exit 0"] };
      const naming = count > 1 ? ({ kind: "array", base: "daskq-it" } as const) : ({ kind: "fixed", name: "daskq-it" } as const);
      const request = submitRequest(backend, spec, { schedulerAddress: "tcp://127.0.0.1:9", outputDirectory: spec.logDirectory as string, naming, count });
      const ids = await backend.submit(request);
      submitted.push(...ids);
      return ids;
    };

    /** Polls status until `done` holds for the report; resolves the last report. */
    const waitUntil = async (ids: readonly string[], done: (report: Map<string, JobStatus>) => boolean, timeoutMs = 20_000) => {
      let report = new Map<string, JobStatus>();
      const ok = await eventually(async () => {
        report = await backend.status(ids);
        return done(report);
      }, timeoutMs, 300);
      expect(ok, `status of ${ids.join(" ")}: ${JSON.stringify(Object.fromEntries(report))}`).toBe(true);
      return report;
    };
    const cancelled = (ids: readonly string[]) =>
      waitUntil(ids, (r) => ids.every((id) => (target.cancelledJobs === "gone" ? !r.has(id) : r.get(id)?.state === "cancelled")));
    const { cancelledJobs } = target;

    beforeAll(async () => {
      logDir = await mkdtemp(join(tmpdir(), `daskq-${target.descriptor.name}-jobs-`));
      backend = target.descriptor.create({ runner, logger: silentLogger, clusterId: "daskq-test" });
    });

    afterAll(async () => {
      await backend?.cancel(submitted);
      await backend?.close?.();
      if (logDir) await rm(logDir, { recursive: true, force: true });
    });

    it(`submits one job and an array of 4, and reports all 5 with ONE ${statusCommand} call`, async () => {
      [single = ""] = await submit(1);
      array = await submit(4);
      expect(single).toMatch(/^\d+$/);
      expect(array).toEqual(target.arrayIds(array[0] as string, 4));
      const all = [single, ...array];
      // Wait until every job shows the settled running state (SGE shows `t`, transferring, first).
      await waitUntil(all, (r) => all.every((id) => r.get(id)?.native === target.runningNative));
      const before = runner.count(statusCommand);
      const report = await backend.status(all);
      expect(runner.count(statusCommand) - before).toBe(1);
      expect([...report.keys()].sort()).toEqual([...all].sort());
      for (const id of all) expect(report.get(id)).toEqual({ state: "running", native: target.runningNative });
    });

    it(`cancels one array task by its task id with ONE ${cancelCommand}; the others keep running`, async () => {
      const task = array[2] as string;
      const before = runner.count(cancelCommand);
      await backend.cancel([task]);
      expect(runner.count(cancelCommand) - before).toBe(1);
      const report = await cancelled([task]);
      if (cancelledJobs !== "gone") expect(report.get(task)?.native).toBe(cancelledJobs.native);
      const rest = await backend.status([single, ...array.filter((id) => id !== task)]);
      expect(rest.size).toBe(4);
      for (const status of rest.values()) expect(status.state).toBe("running");
    });

    it("treats unknown ids as absent and cancels them harmlessly, alone or among known ones", async () => {
      const unknown = [...target.unknownIds, target.missingTask(array[0] as string)];
      expect((await backend.status([target.unknownIds[0] as string])).size).toBe(0);
      const report = await backend.status([single, ...unknown]);
      expect([...report.keys()]).toEqual([single]);
      await expect(backend.cancel(unknown)).resolves.toBeUndefined();
      // A real job among unknown ones is still cancelled.
      await expect(backend.cancel([target.unknownIds[0] as string, single])).resolves.toBeUndefined();
      await cancelled([single]);
    });
  });
}
