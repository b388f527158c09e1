import type { WorkerLifetime } from "../job/worker-lifetime.js";
import type { Logger } from "../logger.js";
import type { SchedulerConnection } from "../scheduler/scheduler-connection.js";
import type { WorkerLoad } from "../scheduler/worker-load.js";
import { isTerminal } from "../job/job-state.js";
import type { RotationPhase, TrackedJob } from "./tracked-job.js";

/** When a rotation step is due for one job, in ms since the epoch. */
export interface RotationTimes {
  /** Submit the replacement: `lead` before `drainAt`. */
  readonly replaceAt: number;
  /** Start draining, once the replacement's workers joined: half the margin before `goneBy`. */
  readonly drainAt: number;
  /** Start draining even without the replacement: a quarter of the margin before `goneBy`. */
  readonly latestDrainAt: number;
  /** The workers' own `--lifetime` ends here (walltime - margin after the start): retire whatever runs. */
  readonly goneBy: number;
}

/** What the rotation needs from its reconciler. */
export interface WalltimeRotationOptions {
  readonly lifetime: WorkerLifetime;
  readonly scheduler: SchedulerConnection;
  readonly logger: Logger;
  /** The reconciler's poll interval: a job is seen running up to this long after it started. */
  readonly pollIntervalMs: number;
  /** Retires the (idle) workers of drained jobs, moving their data, then cancels the jobs. */
  readonly retire: (jobs: readonly TrackedJob[]) => Promise<void>;
  /** Reports each phase a job enters. */
  readonly onPhase: (job: TrackedJob, phase: RotationPhase) => void;
}

/** Heartbeats sooner than this after a drain began are not trusted to show its effect. */
const DRAIN_SETTLE_MS = 1000;

/**
 * Walltime-aware rotation (dask-jobqueue #122, #416): a job is replaced BEFORE its walltime, and
 * its workers leave gracefully, so the batch system never kills a worker mid-task and the worker
 * count does not dip. Per running job, from when daskq saw it start (minus one poll interval):
 * 1. at `replaceAt` it stops counting as capacity, so the reconciler submits its replacement; the
 *    lead is twice the longest submit-to-worker time seen in the pool (queue wait included), at
 *    least two poll intervals;
 * 2. at `drainAt`, once `target` other jobs have all their workers (its replacement joined), or at
 *    `latestDrainAt` regardless, its workers are drained: no new task, data moved, running tasks finish, so no
 *    task is interrupted and run again (a plain `--lifetime` closes a worker in the middle of its
 *    tasks, dask/distributed #3141);
 * 3. once they report no task running ({@link IDLE_CHECKS} checks in a row), or at `goneBy`, they
 *    are retired and the job is cancelled. It ends as `cancelled` (or `finished`), never as a failure.
 * The workers' `--lifetime` closes them gracefully at `goneBy` even when daskq is gone.
 */
export class WalltimeRotation {
  private longestStartupMs = 0;
  /** Per draining job: when its drain began, and per worker the heartbeat (`last_seen`) that first showed it idle. */
  private readonly drains = new Map<TrackedJob, { readonly since: number; readonly idleSince: Map<string, number> }>();

  constructor(private readonly options: WalltimeRotationOptions) {}

  /** A job's first worker joined `ms` after the job was submitted (queue wait and start-up). */
  observeStartup(ms: number): void {
    this.longestStartupMs = Math.max(this.longestStartupMs, ms);
  }

  /** How long before `drainAt` a replacement is submitted. */
  get leadMs(): number {
    return Math.max(2 * this.longestStartupMs, 2 * this.options.pollIntervalMs);
  }

  /** The rotation times of a job seen running at `startedAt`. */
  times(startedAt: number): RotationTimes {
    const { walltime, margin } = this.options.lifetime;
    const goneBy = startedAt - this.options.pollIntervalMs + (walltime - margin) * 1000;
    const drainAt = goneBy - (margin * 1000) / 2;
    return { replaceAt: drainAt - this.leadMs, drainAt, latestDrainAt: goneBy - (margin * 1000) / 4, goneBy };
  }

  /**
   * Moves each job's rotation on (called by the reconciler after each status poll, before it
   * converges). `target`: the jobs the pool wants; `processes`: workers per job.
   */
  async step(jobs: readonly TrackedJob[], target: number, processes: number, now = Date.now()): Promise<void> {
    const active = jobs.filter((job) => !isTerminal(job.state) && job.startedAt !== undefined);
    for (const job of active) {
      if (job.rotation || job.cancelRequested || job.workers.size === 0) continue;
      if (now >= this.times(job.startedAt as number).replaceAt) this.enter(job, "replacing");
    }
    // Jobs whose workers all serve (not draining): a job is drained at `drainAt` only while at
    // least `target` others serve (its replacement joined), at `latestDrainAt` regardless.
    const serving = new Set(active.filter((j) => !j.cancelRequested && (j.rotation === undefined || j.rotation === "replacing") && j.workers.size >= processes));
    let spare = serving.size - target;
    const due: TrackedJob[] = [];
    const candidates = active.filter((j) => j.rotation === "replacing" && now >= this.times(j.startedAt as number).drainAt);
    for (const job of candidates.sort((a, b) => (a.startedAt as number) - (b.startedAt as number))) {
      const counted = serving.has(job);
      if (now < this.times(job.startedAt as number).latestDrainAt && counted && spare <= 0) continue;
      due.push(job);
      if (counted) spare--;
    }
    if (due.length > 0) await this.drain(due);
    const draining = active.filter((j) => j.rotation === "draining" && !due.includes(j));
    if (draining.length === 0) return;
    let loads: WorkerLoad[] | undefined;
    try {
      loads = await this.options.scheduler.workerLoads();
    } catch (error) {
      this.options.logger.debug(`could not ask the scheduler what the draining workers run: ${(error as Error).message}`);
    }
    const retiring = draining.filter((job) => {
      const overdue = now >= this.times(job.startedAt as number).goneBy;
      const idle = loads !== undefined && this.idle(job, loads, now);
      if (!idle && overdue) this.options.logger.warn(`job ${job.id}: its workers still run tasks at the end of their lifetime; retiring them now (those tasks run again elsewhere)`);
      return idle || overdue;
    });
    if (retiring.length === 0) return;
    for (const job of retiring) {
      this.drains.delete(job);
      this.enter(job, "retiring");
    }
    await this.options.retire(retiring);
  }

  private enter(job: TrackedJob, phase: RotationPhase): void {
    job.rotation = phase;
    this.options.onPhase(job, phase);
  }

  /** Stops new tasks going to the jobs' workers and moves their data away (ONE scheduler call); they stay connected. */
  private async drain(jobs: readonly TrackedJob[]): Promise<void> {
    for (const job of jobs) this.enter(job, "draining");
    const names = jobs.flatMap((job) => [...job.workers.values()].map((w) => w.name));
    try {
      if (names.length > 0) await this.options.scheduler.retireWorkers({ names }, undefined, { closeWorkers: false, remove: false });
    } catch (error) {
      this.options.logger.warn(`job(s) ${jobs.map((j) => j.id).join(" ")}: could not drain their workers (${(error as Error).message}); retiring them at the end of their lifetime`);
    }
    for (const job of jobs) this.drains.set(job, { since: Date.now(), idleSince: new Map() });
  }

  /**
   * Every connected worker of the job is draining and runs no task, in TWO of its heartbeats, the
   * first at least {@link DRAIN_SETTLE_MS} after the drain began: a heartbeat sent before the
   * worker heard of the drain may miss a task it started just then.
   */
  private idle(job: TrackedJob, loads: readonly WorkerLoad[], now: number): boolean {
    const drain = this.drains.get(job);
    if (!drain || now - drain.since < DRAIN_SETTLE_MS) return false;
    let idle = true;
    for (const load of loads.filter((l) => job.workers.has(l.address))) {
      const first = drain.idleSince.get(load.address);
      if (load.executing > 0 || load.status !== "closing_gracefully" || load.lastSeen === undefined) {
        drain.idleSince.delete(load.address);
        idle = false;
      } else if (first === undefined) {
        drain.idleSince.set(load.address, load.lastSeen);
        idle = false;
      } else if (load.lastSeen <= first) {
        idle = false;
      }
    }
    return idle;
  }
}
