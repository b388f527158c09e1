import { JobQueueCluster, LocalRunner, silentLogger, type BackendDescriptor, type CommandRunner } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { AnswerLosingRunner } from "./answer-losing-runner.js";
import { CountingRunner } from "./counting-runner.js";
import { eventually } from "./processes.js";

/** What a batch backend's cluster test hands to `queuedClusterSuite`. */
export interface QueuedClusterTarget {
  readonly descriptor: BackendDescriptor;
  /** Whether the real batch system is up (from `requireService`: under CI=true a missing one fails). */
  readonly enabled: boolean;
  /** The backend's commands, as the CommandRunner sees them. */
  readonly commands: { readonly submit: string; readonly status: string; readonly cancel: string };
  /**
   * Job options whose jobs stay queued (a DOWN partition, a hold): the point is the bookkeeping,
   * not the workers. A function, so that it can name a directory made in the file's `beforeAll`.
   */
  readonly job: () => Readonly<Record<string, unknown>>;
  /** Which of `ids` the batch system still lists, read with its own command (not through the backend). */
  readonly listed: (ids: readonly string[]) => Promise<string[]>;
  /** What the ONE cancel command of a close of 32 array jobs must be given, when the backend promises that. */
  readonly cancelArgsOf32?: (ids: readonly string[]) => readonly string[];
}

/**
 * What a JobQueueCluster costs in batch commands on a REAL batch system, the same for every batch
 * backend: one submit for 32 jobs and one cancel for all of them, one status command per poll for
 * 200 jobs, `max-pending-jobs` kept by scale() and adapt(), one submit per job without arrays, and a
 * submit whose answer was lost found by the cluster's job name instead of being sent again. Each
 * backend's file calls it with its fixture and keeps its own cases (its header, its ids).
 */
export function queuedClusterSuite(target: QueuedClusterTarget): void {
  const { submit, status, cancel } = target.commands;
  const env = { PATH: process.env["PATH"] ?? "" };
  const create = (runner: CommandRunner, extra: Record<string, unknown> = {}) =>
    JobQueueCluster.create({ backend: target.descriptor, job: { ...target.job(), ...extra }, env, runner, pollIntervalMs: 500, handleSignals: false });

  describe.skipIf(!target.enabled)(`JobQueueCluster's batch commands on a real ${target.descriptor.name}`, () => {
    it(`scale({jobs: 32}) makes exactly one ${submit} call and close() exactly one ${cancel} call`, async () => {
      const runner = new CountingRunner();
      const cluster = await create(runner);
      await cluster.scale({ jobs: 32 });
      expect(await eventually(() => cluster.status().jobs.length === 32, 20_000)).toBe(true);
      const ids = cluster.status().jobs.map((j) => j.id);
      expect(new Set(ids).size).toBe(32);
      expect(await target.listed(ids)).toHaveLength(32);
      await new Promise((r) => setTimeout(r, 1500)); // a few polls: still no resubmission
      expect(runner.count(submit)).toBe(1);
      await cluster.close();
      expect(runner.count(cancel)).toBe(1);
      if (target.cancelArgsOf32) expect(runner.calls.find((c) => c.command === cancel)?.args).toEqual(target.cancelArgsOf32(ids));
      expect(await target.listed(ids)).toEqual([]);
    });

    it(`a ${submit} that timed out after the batch system accepted it: its jobs are found by the cluster's job name, not submitted again`, async () => {
      const runner = new AnswerLosingRunner(submit, 1_500);
      const cluster = await create(runner);
      let ids: string[] = [];
      try {
        await cluster.scale({ jobs: 3 });
        expect(await eventually(() => cluster.status().jobs.length === 3, 30_000)).toBe(true);
        await new Promise((r) => setTimeout(r, 2000)); // more polls: still nothing submitted again
        expect(runner.answerLost).toBe(true);
        expect(runner.count(submit)).toBe(1);
        ids = cluster.status().jobs.map((j) => j.id);
        expect(new Set(ids).size).toBe(3);
        expect(await target.listed(ids)).toHaveLength(3);
        // The batch system lists nothing else under the cluster's job name.
        const fresh = target.descriptor.create({ runner: new LocalRunner(), logger: silentLogger, clusterId: cluster.clusterId });
        const named = (await fresh.jobsNamed?.(`${cluster.spec.jobName}-${cluster.clusterId}`)) ?? [];
        expect(named.map((j) => j.id).sort()).toEqual([...ids].sort());
      } finally {
        await cluster.close();
      }
      expect(await target.listed(ids)).toEqual([]);
    });

    it(`polls 200 tracked jobs with exactly one ${status} call per poll`, async () => {
      const runner = new CountingRunner();
      const cluster = await create(runner);
      try {
        await cluster.scale({ jobs: 200 });
        expect(await eventually(() => cluster.status().jobs.length === 200, 20_000)).toBe(true);
        runner.reset();
        // Wait for 4 polls (however long they take on a loaded machine): each is ONE status command
        // covering all 200 jobs and nothing else runs; per-job queries would show hundreds of calls by then.
        expect(await eventually(() => runner.count(status) >= 4, 60_000, 50)).toBe(true);
        const polls = runner.calls.filter((c) => c.command === status);
        expect(polls.length).toBeLessThanOrEqual(5);
        expect(runner.calls.length).toBe(polls.length);
        expect(cluster.status().jobs.every((j) => j.state === "queued")).toBe(true);
      } finally {
        await cluster.close();
      }
      expect(runner.count(cancel)).toBe(1);
    });

    it("never has more than max-pending-jobs queued, and does not resubmit while they wait", async () => {
      const runner = new CountingRunner();
      const cluster = await create(runner, { "max-pending-jobs": 4 });
      try {
        await cluster.scale({ jobs: 10 });
        expect(await eventually(() => cluster.status().jobs.length === 4, 10_000)).toBe(true);
        await new Promise((r) => setTimeout(r, 2000));
        expect(cluster.status().jobs).toHaveLength(4);
        expect(runner.count(submit)).toBe(1);
      } finally {
        await cluster.close();
      }
    });

    it("adapt() respects max-pending-jobs and does not resubmit while jobs wait in the queue", async () => {
      const runner = new CountingRunner();
      const cluster = await create(runner, { "max-pending-jobs": 2 });
      try {
        await cluster.adapt({ minimumJobs: 5, maximumJobs: 8, interval: 300 });
        expect(await eventually(() => cluster.status().jobs.length === 2, 10_000)).toBe(true);
        await new Promise((r) => setTimeout(r, 3000));
        expect(cluster.status().jobs).toHaveLength(2);
        expect(cluster.status().jobs.every((j) => j.state === "queued")).toBe(true);
        expect(runner.count(submit)).toBe(1);
        expect(runner.count(cancel)).toBe(0);
      } finally {
        await cluster.close();
      }
    });

    it(`submits one job per ${submit} with arrays: false`, async () => {
      const runner = new CountingRunner();
      const cluster = await create(runner, { arrays: false });
      try {
        await cluster.scale({ jobs: 3 });
        expect(await eventually(() => cluster.status().jobs.length === 3, 10_000)).toBe(true);
        expect(runner.count(submit)).toBe(3);
        expect(cluster.status().jobs.every((j) => /^\d+$/.test(j.id))).toBe(true);
      } finally {
        await cluster.close();
      }
    });
  });
}
