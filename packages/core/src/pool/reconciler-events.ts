import type { JobSnapshot, RotationPhase } from "./tracked-job.js";

/** The events a pool's reconciler emits; the cluster passes them on with the pool's name appended. */
export interface ReconcilerEvents {
  "job-submitted": [job: JobSnapshot];
  "job-running": [job: JobSnapshot];
  "job-ended": [job: JobSnapshot];
  "job-failed": [job: JobSnapshot, details: { readonly startFailure: boolean; readonly logTail: string | undefined }];
  "job-rotating": [job: JobSnapshot, phase: RotationPhase];
  "cluster-error": [error: Error];
}
