import type { Reconciler } from "../pool/reconciler.js";
import type { TrackedJob } from "../pool/tracked-job.js";
import type { JobSpec } from "../job/job-spec.js";
import type { SchedulerConnection } from "../scheduler/scheduler-connection.js";
import { Adaptive, type AdaptiveOptions } from "./adaptive.js";
import type { JobBounds } from "./adapt-options.js";
import type { ScaleDecision } from "./scale-decision.js";

/**
 * Dask's adaptive policy at JOB granularity, used by `JobQueueCluster.adapt()`:
 * - the target is rounded up to whole jobs and clamped to the job bounds;
 * - queued jobs count as capacity, so nothing is resubmitted while they wait;
 * - on the way down, jobs without workers (queued first) go before running ones;
 * - a running job goes only when ALL its workers are closable, after `waitCount` ticks in a row,
 *   and its workers are retired (data moved) before the job is cancelled.
 * So a job with several processes never flaps between submit and cancel (dask-jobqueue #498).
 */
export class JobAdaptive extends Adaptive {
  constructor(
    scheduler: SchedulerConnection,
    private readonly reconciler: Reconciler,
    private readonly spec: JobSpec,
    private readonly bounds: JobBounds,
    options: Omit<AdaptiveOptions, "minimum" | "maximum"> = {},
  ) {
    super(scheduler, { ...options, minimum: undefined, maximum: undefined, threadsPerWorker: threadsPerWorker(spec) });
  }

  /** Grows to enough jobs for `n` workers. */
  async scaleUp(n: number): Promise<void> {
    this.setTarget(Math.ceil(n / this.spec.processes));
  }

  /** Removes the jobs these workers belong to (whole jobs). */
  async scaleDown(workers: readonly string[]): Promise<void> {
    const names = new Set(workers);
    await this.reconciler.removeJobs(this.reconciler.liveJobs.filter((j) => [...j.workers.values()].some((w) => names.has(w.name))));
  }

  /** Sets the reconciler's target only when it changes (setting it wakes the reconciler). */
  private setTarget(jobs: number): void {
    if (this.reconciler.targetJobs !== jobs) this.reconciler.setTarget(jobs);
  }

  protected planned(): number {
    return this.reconciler.liveJobs.length * this.spec.processes;
  }

  protected override async decide(): Promise<ScaleDecision> {
    const { raw, workers } = await this.targetInWorkers();
    const target = Math.min(Math.max(Math.ceil(workers / this.spec.processes), this.bounds.minJobs), this.bounds.maxJobs);
    const live = this.reconciler.liveJobs;
    const waiting = live.filter((j) => j.workers.size === 0);
    const base = { rawTarget: raw, target, current: live.length, pending: waiting.length };
    const numbers = `target ${target} job(s) (adaptive_target ${raw} -> ${workers} workers), have ${live.length} job(s), ${waiting.length} without workers yet`;
    if (target > live.length) {
      this.closeCounts.clear();
      this.setTarget(target);
      return { ...base, action: "up", removing: [], reason: `${numbers}: scale up to ${target} job(s)` };
    }
    if (target === live.length) {
      this.closeCounts.clear();
      this.setTarget(target);
      return { ...base, action: "same", removing: [], reason: numbers };
    }
    const excess = live.length - target;
    const newestFirst = [...waiting].reverse();
    const suggested: TrackedJob[] = [...newestFirst.filter((j) => j.state === "queued"), ...newestFirst.filter((j) => j.state !== "queued")].slice(0, excess);
    if (suggested.length < excess) {
      const closable = new Set(await this.scheduler.workersToClose({ target: target * this.spec.processes }));
      const whole = live.filter((j) => j.workers.size > 0 && [...j.workers.values()].every((w) => closable.has(w.name)));
      suggested.push(...whole.reverse().slice(0, excess - suggested.length));
    }
    const firm = new Set(this.confirmed(suggested.map((j) => j.id)));
    if (firm.size === 0) {
      return { ...base, action: "same", removing: [], reason: `${numbers}: ${suggested.length} job(s) closable, waiting for ${this.options.waitCount ?? 3} ticks in a row` };
    }
    const removing = live.filter((j) => firm.has(j.id));
    const decision = this.report({ ...base, action: "down", removing: [...firm], reason: `${numbers}: removing job(s) ${[...firm].join(" ")}` });
    await this.reconciler.removeJobs(removing);
    for (const id of firm) this.closeCounts.delete(id);
    return decision;
  }
}

function threadsPerWorker(spec: JobSpec): number {
  return Math.max(1, Math.floor(spec.cores / spec.processes));
}
