import type { ScaleDecision } from "../adaptive/scale-decision.js";
import type { WorkerInfo } from "../scheduler/worker-info.js";
import type { JobSnapshot } from "./tracked-job.js";

/** Typed events of a `JobQueueCluster`. */
export interface ClusterEvents {
  /** A job was accepted by the batch system. */
  "job-submitted": [job: JobSnapshot];
  /** The batch system (or a joining worker) says the job runs. */
  "job-running": [job: JobSnapshot];
  /** The job ended normally, was cancelled, or vanished (`state` says which). */
  "job-ended": [job: JobSnapshot];
  /** The job failed; `logTail` is the end of its output file when known. */
  "job-failed": [job: JobSnapshot, details: { readonly startFailure: boolean; readonly logTail: string | undefined }];
  /** A worker registered with the scheduler; `jobId` is its job when it is one of ours. */
  "worker-joined": [worker: WorkerInfo, jobId: string | undefined];
  /** A worker left the scheduler. */
  "worker-left": [worker: WorkerInfo, jobId: string | undefined];
  /** The adaptive policy decided (up, down or same), with its numbers and reason. */
  "scale-decision": [decision: ScaleDecision];
  /** Something the cluster cannot fix by itself (e.g. repeated start failures, scheduler death). */
  "cluster-error": [error: Error];
  /** `close()` finished: no job and no process of this cluster is left. */
  closed: [];
}
