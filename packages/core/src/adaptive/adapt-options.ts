import { DaskqError } from "../errors.js";
import type { JobSpec } from "../job/job-spec.js";
import type { AdaptiveOptions } from "./adaptive.js";

/**
 * Options of `JobQueueCluster.adapt()`. Bounds may be given in workers, jobs, cores or memory
 * (bytes), one kind per side; they are turned into whole jobs.
 */
export interface AdaptOptions extends Omit<AdaptiveOptions, "minimum" | "maximum" | "targetUnit" | "threadsPerWorker"> {
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minimumJobs?: number;
  readonly maximumJobs?: number;
  readonly minimumCores?: number;
  readonly maximumCores?: number;
  readonly minimumMemory?: number;
  readonly maximumMemory?: number;
}

/** Bounds in whole jobs. */
export interface JobBounds {
  readonly minJobs: number;
  readonly maxJobs: number;
}

/**
 * Converts worker/job/core/memory bounds to jobs: minimums round UP, maximums round DOWN, so the
 * cluster stays within what was asked. Contradictory bounds are an error.
 */
export function jobBounds(options: AdaptOptions, spec: JobSpec): JobBounds {
  const pick = (side: "minimum" | "maximum") => {
    const given = (
      [
        [options[side], spec.processes, "workers"],
        [options[`${side}Jobs`], 1, "jobs"],
        [options[`${side}Cores`], spec.cores, "cores"],
        [options[`${side}Memory`], spec.memory, "memory"],
      ] as const
    ).filter(([value]) => value !== undefined);
    if (given.length > 1) throw new DaskqError("adaptive", `give one ${side} (workers, jobs, cores or memory), got ${given.map((g) => g[2]).join(" and ")}`);
    const [entry] = given;
    if (!entry) return undefined;
    const [value, per, kind] = entry as [number, number, string];
    if (!Number.isFinite(value) || value < 0) throw new DaskqError("adaptive", `${side} ${kind} must be a number >= 0, got ${value}`);
    return side === "minimum" ? Math.ceil(value / per) : Math.floor(value / per);
  };
  const minJobs = pick("minimum") ?? 0;
  const maxJobs = pick("maximum") ?? Infinity;
  if (minJobs > maxJobs) {
    throw new DaskqError(
      "adaptive",
      `the bounds leave no whole number of jobs: at least ${minJobs} and at most ${maxJobs} job(s) ` +
        `(each job has ${spec.processes} worker(s), ${spec.cores} cores). Widen the bounds.`,
    );
  }
  return { minJobs, maxJobs };
}
