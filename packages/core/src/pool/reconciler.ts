import type { Backend, SubmitRequest } from "../backend/backend.js";
import type { JobSpec } from "../job/job-spec.js";
import type { JobNaming } from "../job/job-naming.js";
import type { WorkerNaming } from "../job/worker-command.js";
import { isTerminal } from "../job/job-state.js";
import type { Logger } from "../logger.js";
import type { PoolOwnership } from "../ownership/pool-ownership.js";
import type { SchedulerConnection } from "../scheduler/scheduler-connection.js";
import type { WorkerInfo } from "../scheduler/worker-info.js";
import { workerLifetime } from "../job/worker-lifetime.js";
import { JobCanceller } from "./job-canceller.js";
import { JobSubmitter } from "./job-submitter.js";
import { JobTable } from "./job-table.js";
import type { ReconcilerEvents } from "./reconciler-events.js";
import { StartFailures } from "./start-failures.js";
import { snapshotJob, type TrackedJob } from "./tracked-job.js";
import { WalltimeRotation } from "./walltime-rotation.js";

/** What the reconciler needs from its cluster. */
export interface ReconcilerOptions {
  /** A backend whose `prepare()` has run. */
  readonly backend: Backend;
  readonly spec: JobSpec;
  readonly scheduler: SchedulerConnection;
  readonly naming: JobNaming;
  /** The request for one job or one array (`count` jobs named by `naming`). */
  readonly request: (naming: WorkerNaming, count: number) => SubmitRequest;
  /** The pool's part of the cluster's state file: job ids go there as they are submitted, and leave as the jobs end. */
  readonly ownership: PoolOwnership;
  readonly emit: <K extends keyof ReconcilerEvents>(event: K, ...args: ReconcilerEvents[K]) => void;
  readonly logger: Logger;
  /** The component its errors name (`[daskq:<component>]`). Default `cluster`; a pool of a cluster with several pools: `pool <name>`. */
  readonly component?: string;
  /** Time between status polls. */
  readonly pollIntervalMs: number;
  /** Never have more than this many jobs queued at once. */
  readonly maxPendingJobs: number | undefined;
  /** Jobs in a row that may end before their worker joins before the cluster gives up. */
  readonly maxStartFailures: number;
  /** First retry delay after a start failure; doubles with each failure in a row. */
  readonly retryBackoffMs: number;
}

/**
 * Drives the actual jobs toward the requested number. Each tick: ONE status query for every live
 * job, then submit (`JobSubmitter`: as an array when the backend can) or cancel (`JobCanceller`:
 * queued jobs first; running jobs retire their workers through the scheduler first, so data moves
 * to the survivors). The jobs and their states are in a `JobTable`; start failures are counted by
 * `StartFailures`; jobs near their walltime are replaced by `WalltimeRotation`.
 */
export class Reconciler {
  /** Jobs wanted. */
  private target = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** Status polls in a row that failed (the batch system is down or unreachable). */
  private failedPolls = 0;
  private readonly table: JobTable;
  private readonly failures: StartFailures;
  private readonly submitter: JobSubmitter;
  private readonly canceller: JobCanceller;
  /** Replaces jobs before their walltime; undefined when the jobs have none (or `lifetime-margin` is 0). */
  private readonly rotation: WalltimeRotation | undefined;

  constructor(private readonly options: ReconcilerOptions) {
    const { backend, spec, scheduler, logger, emit, ownership } = options;
    this.failures = new StartFailures({ ...options, component: options.component ?? "cluster" });
    this.table = new JobTable({ backend, spec, ownership, emit, onFailed: (job) => this.failures.failed(job) });
    this.submitter = new JobSubmitter({ ...options, table: this.table });
    this.canceller = new JobCanceller(backend, scheduler, logger);
    const lifetime = workerLifetime(spec);
    this.rotation = lifetime && new WalltimeRotation({
      lifetime,
      scheduler,
      logger,
      pollIntervalMs: options.pollIntervalMs,
      retire: (jobs) => {
        for (const job of jobs) job.cancelRequested = true;
        return this.canceller.retireThenCancel(jobs, " for rotated-out job(s)");
      },
      onPhase: (job, phase) => {
        const what = { replacing: "submitting its replacement", draining: "draining its workers", retiring: "retiring its workers" }[phase];
        logger.info(`job ${job.id} nears its walltime: ${what}`);
        emit("job-rotating", snapshotJob(job), phase);
      },
    });
  }

  /** Jobs currently wanted. */
  get targetJobs(): number {
    return this.target;
  }

  /** All jobs ever submitted by this cluster, in submission order. */
  get trackedJobs(): readonly TrackedJob[] {
    return this.table.all;
  }

  /** Jobs that hold or will hold workers and count as capacity: not ended, not being cancelled, not being rotated out. */
  get liveJobs(): TrackedJob[] {
    return this.table.unended.filter((j) => !j.cancelRequested && !j.rotation);
  }

  /** Starts the periodic loop. */
  start(): void {
    this.schedule(0);
  }

  /** Sets the number of jobs wanted and reconciles soon. */
  setTarget(jobs: number): void {
    this.target = Math.max(0, Math.floor(jobs));
    if (jobs > 0) this.failures.askedAgain();
    this.wake();
  }

  /** Runs a tick as soon as the current one (if any) ends. */
  wake(): void {
    if (this.stopped) return;
    if (this.ticking) this.again = true;
    else this.schedule(0);
  }

  /** Runs one tick now and waits for it (used by tests and by close). */
  async tick(): Promise<void> {
    while (this.ticking) await this.ticking;
    this.ticking = this.runTick().finally(() => (this.ticking = undefined));
    await this.ticking;
  }

  /** Stops the loop; an ongoing tick finishes. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    while (this.ticking) await this.ticking;
  }

  /** A worker joined the scheduler: attach it to its job; resolves the job's id when it is one of ours. */
  workerAdded(worker: WorkerInfo): string | undefined {
    const attached = this.table.attachWorker(worker);
    if (!attached) return undefined;
    const { job, first } = attached;
    if (first) this.rotation?.observeStartup(Date.now() - job.submittedAt);
    this.failures.workerJoined();
    this.table.setState(job, "running", job.native, job.reason);
    return job.id;
  }

  /** A worker left the scheduler; resolves its job's id when it is one of ours. */
  workerRemoved(worker: WorkerInfo): string | undefined {
    return this.table.detachWorker(worker)?.id;
  }

  /**
   * Cancels every job that may still run, queued ones first, in ONE backend call, then polls until
   * the batch system reports them all ended (or `timeoutMs` passes). Resolves the ids still alive.
   */
  async cancelAll(timeoutMs: number): Promise<string[]> {
    await this.stop();
    const live = this.table.unended;
    const ordered = [...live.filter((j) => j.state === "queued"), ...live.filter((j) => j.state !== "queued")];
    if (ordered.length === 0) return [];
    for (const job of ordered) job.cancelRequested = true;
    await this.options.backend.cancel(ordered.map((j) => j.id));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.pollStatus();
      const left = ordered.filter((j) => !isTerminal(j.state));
      if (left.length === 0 || Date.now() > deadline) return left.map((j) => j.id);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /**
   * Removes these jobs and lowers the target accordingly. Jobs without workers (queued first) are
   * cancelled at once in one call, so none of them starts meanwhile; then the workers of the others
   * are retired through the scheduler (their data moves to the survivors), and those jobs are
   * cancelled in a second call. A job with several processes goes as a whole.
   */
  async removeJobs(jobs: readonly TrackedJob[]): Promise<void> {
    if (jobs.length === 0) return;
    this.target = Math.max(0, Math.min(this.target, this.liveJobs.length - jobs.length));
    for (const job of jobs) job.cancelRequested = true;
    const idle = jobs.filter((j) => j.workers.size === 0);
    const busy = jobs.filter((j) => j.workers.size > 0);
    const ordered = [...idle.filter((j) => j.state === "queued"), ...idle.filter((j) => j.state !== "queued")];
    if (ordered.length > 0) await this.canceller.cancel(ordered);
    if (busy.length === 0) return;
    this.options.logger.info(`retiring ${busy.reduce((n, j) => n + j.workers.size, 0)} worker(s) of ${busy.length} job(s) before cancelling them`);
    await this.canceller.retireThenCancel(busy);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => {
        if (this.stopped) return;
        const delay = this.again ? 0 : this.options.pollIntervalMs;
        this.again = false;
        this.schedule(delay);
      });
    }, delayMs);
  }

  /**
   * One poll, then converge. While the batch system does not answer, nothing is submitted or
   * cancelled (what the jobs do is unknown); the first failed poll is a warning, the next ones
   * are debug lines, and the poll that works again says how long the jobs went untracked.
   */
  private async runTick(): Promise<void> {
    const { logger } = this.options;
    try {
      await this.pollStatus();
    } catch (error) {
      this.failedPolls++;
      const message = `status poll failed (${this.failedPolls} in a row); not submitting or cancelling until the batch system answers: ${(error as Error).message}`;
      if (this.failedPolls === 1) logger.warn(message);
      else logger.debug(message);
      return;
    }
    if (this.failedPolls > 0) {
      logger.warn(`the batch system answers again after ${this.failedPolls} failed poll(s); tracking ${this.table.unended.length} job(s)`);
      this.failedPolls = 0;
    }
    try {
      await this.canceller.retryFailed();
      await this.rotation?.step(this.trackedJobs, this.target, this.options.spec.processes);
      await this.converge();
    } catch (error) {
      logger.warn(`reconcile step failed, will retry: ${(error as Error).message}`);
    }
  }

  /** ONE status query for every job that has not ended. */
  private async pollStatus(): Promise<void> {
    const live = this.table.unended;
    if (live.length === 0) return;
    const report = await this.options.backend.status(live.map((j) => j.id));
    const failedButListed: TrackedJob[] = [];
    for (const job of live) {
      const status = report.get(job.id);
      if (status) this.table.setState(job, status.state, status.native, status.reason);
      else this.table.setState(job, job.cancelRequested ? "cancelled" : "lost", undefined, "no longer known to the batch system");
      if (status && job.state === "failed") failedButListed.push(job);
    }
    // A failed job the batch system still lists (SGE's Eqw, a held job) would stay in the queue forever.
    if (failedButListed.length > 0) {
      for (const job of failedButListed) job.cancelRequested = true;
      await this.canceller.cancel(failedButListed);
    }
  }

  private async converge(): Promise<void> {
    const live = this.liveJobs;
    if (live.length < this.target) await this.grow(this.target - live.length, live);
    else if (live.length > this.target) await this.shrink(live.length - this.target, live);
  }

  private async grow(missing: number, live: readonly TrackedJob[]): Promise<void> {
    if (!this.failures.maySubmit) return;
    const queued = live.filter((j) => j.state === "queued").length;
    const room = this.options.maxPendingJobs === undefined ? missing : Math.max(0, this.options.maxPendingJobs - queued);
    const count = Math.min(missing, room);
    if (count === 0) return;
    if (this.submitter.hasUnresolved) {
      // Whatever was found changes what is missing: decide again on the next tick.
      if (await this.submitter.findUnresolved()) this.wake();
      return;
    }
    await this.submitter.submit(count);
  }

  private async shrink(excess: number, live: readonly TrackedJob[]): Promise<void> {
    const newestFirst = [...live].reverse();
    const idle = newestFirst.filter((j) => j.workers.size === 0);
    const chosen = [...idle.filter((j) => j.state === "queued"), ...idle.filter((j) => j.state !== "queued")].slice(0, excess);
    if (chosen.length < excess) {
      chosen.push(...(await this.pickJobsToRetire(newestFirst.filter((j) => j.workers.size > 0), excess - chosen.length)));
    }
    await this.removeJobs(chosen);
  }

  /** Running jobs to retire: those whose workers the scheduler would close first, then the newest. */
  private async pickJobsToRetire(candidates: readonly TrackedJob[], n: number): Promise<TrackedJob[]> {
    let closable = new Set<string>();
    try {
      const keepWorkers = this.liveJobs.reduce((sum, j) => sum + j.workers.size, 0) - candidates.slice(0, n).reduce((s, j) => s + j.workers.size, 0);
      closable = new Set(await this.options.scheduler.workersToClose({ target: Math.max(0, keepWorkers) }));
    } catch (error) {
      this.options.logger.debug(`workers_to_close failed, choosing the newest jobs: ${(error as Error).message}`);
    }
    const allClosable = (j: TrackedJob) => [...j.workers.values()].every((w) => closable.has(w.name));
    return [...candidates.filter(allClosable), ...candidates.filter((j) => !allClosable(j))].slice(0, n);
  }
}
