import type { ScaleDecision } from "../adaptive/scale-decision.js";
import type { WorkerInfo } from "../scheduler/worker-info.js";
import type { JobSnapshot, RotationPhase } from "../pool/tracked-job.js";

/**
 * Typed events of a `JobQueueCluster`. Job and worker events end with the name of the pool they
 * belong to (`default` for a cluster made without pools).
 */
export interface ClusterEvents {
  /** A job was accepted by the batch system. */
  "job-submitted": [job: JobSnapshot, pool: string];
  /** The batch system (or a joining worker) says the job runs. */
  "job-running": [job: JobSnapshot, pool: string];
  /** The job ended normally, was cancelled, or vanished (`state` says which). */
  "job-ended": [job: JobSnapshot, pool: string];
  /** The job failed; `logTail` is the end of its output file when known. */
  "job-failed": [job: JobSnapshot, details: { readonly startFailure: boolean; readonly logTail: string | undefined }, pool: string];
  /** Walltime rotation: the job entered a phase of its replacement (see `WalltimeRotation`). */
  "job-rotating": [job: JobSnapshot, phase: RotationPhase, pool: string];
  /** A worker of one of this cluster's jobs registered with the scheduler (other workers of the scheduler are not announced). */
  "worker-joined": [worker: WorkerInfo, jobId: string, pool: string];
  /** A worker of one of this cluster's jobs left the scheduler. */
  "worker-left": [worker: WorkerInfo, jobId: string, pool: string];
  /** The adaptive policy decided (up, down or same), with its numbers and reason. */
  "scale-decision": [decision: ScaleDecision];
  /**
   * Something the cluster cannot fix by itself (e.g. repeated start failures, scheduler death);
   * `pool` is the pool it concerns (its name is in the message when the cluster has several), undefined for the whole cluster.
   */
  "cluster-error": [error: Error, pool: string | undefined];
  /** `close()` finished: no job and no process of this cluster is left. */
  closed: [];
}
