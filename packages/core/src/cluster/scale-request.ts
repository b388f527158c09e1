import { DaskqError } from "../errors.js";
import type { JobSpec } from "../job/job-spec.js";

/** How big the cluster should be: exactly one of the four. */
export type ScaleRequest =
  | { readonly workers: number }
  | { readonly jobs: number }
  | { readonly cores: number }
  /** Bytes. */
  | { readonly memory: number };

/**
 * The number of jobs that satisfies a request, rounding UP to whole jobs (a job with several
 * processes brings all its workers).
 */
export function jobsForRequest(request: ScaleRequest, spec: JobSpec): number {
  const entries = Object.entries(request).filter(([, v]) => v !== undefined);
  if (entries.length !== 1) {
    throw new DaskqError("cluster", `scale() takes exactly one of workers, jobs, cores or memory; got ${JSON.stringify(request)}`);
  }
  const [kind, value] = entries[0] as [string, number];
  if (!Number.isFinite(value) || value < 0) {
    throw new DaskqError("cluster", `scale(): ${kind} must be a number >= 0, got ${String(value)}`);
  }
  switch (kind) {
    case "jobs":
      return Math.ceil(value);
    case "workers":
      return Math.ceil(value / spec.processes);
    case "cores":
      return Math.ceil(value / spec.cores);
    case "memory":
      return Math.ceil(value / spec.memory);
    default:
      throw new DaskqError("cluster", `scale(): unknown kind '${kind}'; use workers, jobs, cores or memory`);
  }
}
