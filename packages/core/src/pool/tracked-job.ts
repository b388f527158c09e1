import type { JobState } from "../job/job-state.js";
import type { WorkerInfo } from "../scheduler/worker-info.js";

/**
 * Where a job is in its rotation:
 * - `replacing`: its replacement is submitted (the job no longer counts as capacity);
 * - `draining`: its workers take no new task and their data moves to the others
 *   (`retire_workers` without closing them); the tasks they run finish;
 * - `retiring`: its idle workers are retired (data left moves) and the job is cancelled.
 */
export type RotationPhase = "replacing" | "draining" | "retiring";

/** A job daskq submitted and follows until it ends. Mutable: owned by the Reconciler. */
export interface TrackedJob {
  /** The batch system's id, e.g. `1234` or `1234_5`. */
  readonly id: string;
  /** daskq's name for it; worker names derive from it. */
  readonly name: string;
  state: JobState;
  /** The batch system's own word for the state. */
  native: string | undefined;
  reason: string | undefined;
  readonly submittedAt: number;
  /** When daskq first saw it running (ms since the epoch). */
  startedAt: number | undefined;
  /** Walltime rotation: daskq is replacing it before its walltime (it no longer counts as capacity). */
  rotation: RotationPhase | undefined;
  /** Connected workers of this job, by address. */
  readonly workers: Map<string, WorkerInfo>;
  /** A worker of this job joined the scheduler at least once. */
  everJoined: boolean;
  /** daskq asked for it to be cancelled. */
  cancelRequested: boolean;
}

/** An immutable view of a tracked job, for status snapshots and events. */
export interface JobSnapshot {
  readonly id: string;
  readonly name: string;
  readonly state: JobState;
  readonly native: string | undefined;
  readonly reason: string | undefined;
  readonly submittedAt: number;
  /** Walltime rotation: where daskq is in replacing it before its walltime. */
  readonly rotation: RotationPhase | undefined;
  /** Names of its connected workers. */
  readonly workers: readonly string[];
}

/** Freezes a tracked job into a snapshot. */
export function snapshotJob(job: TrackedJob): JobSnapshot {
  return {
    id: job.id,
    name: job.name,
    state: job.state,
    native: job.native,
    reason: job.reason,
    submittedAt: job.submittedAt,
    rotation: job.rotation,
    workers: [...job.workers.values()].map((w) => w.name).sort(),
  };
}
