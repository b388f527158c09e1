import type { Backend, SubmitRequest } from "../backend/backend.js";
import { DaskqError } from "../errors.js";
import type { JobSpec } from "../job/job-spec.js";
import { JobNaming } from "../job/job-naming.js";
import type { WorkerNaming } from "../job/worker-command.js";
import { isTerminal, nextJobState, type JobState } from "../job/job-state.js";
import type { Logger } from "../logger.js";
import type { SchedulerConnection } from "../scheduler/scheduler-connection.js";
import type { WorkerInfo } from "../scheduler/worker-info.js";
import { workerLifetime } from "../job/worker-lifetime.js";
import type { ReconcilerEvents } from "./cluster-events.js";
import { snapshotJob, type TrackedJob } from "./tracked-job.js";
import { WalltimeRotation } from "./walltime-rotation.js";

/** Lines of a failed job's output shown in `job-failed` and `cluster-error`. */
const LOG_TAIL_LINES = 20;

/** What the reconciler needs from its cluster. */
export interface ReconcilerOptions {
  /** A backend whose `prepare()` has run. */
  readonly backend: Backend;
  readonly spec: JobSpec;
  readonly scheduler: SchedulerConnection;
  readonly naming: JobNaming;
  /** The request for one job or one array (`count` jobs named by `naming`). */
  readonly request: (naming: WorkerNaming, count: number) => SubmitRequest;
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
 * job, then submit (as an array when the backend can) or cancel (queued jobs first; running jobs
 * retire their workers through the scheduler first, so data moves to the survivors).
 */
export class Reconciler {
  /** Jobs wanted. */
  private target = 0;
  private readonly jobs = new Map<string, TrackedJob>();
  private readonly byName = new Map<string, TrackedJob>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private startFailures = 0;
  private retryAt = 0;
  private gaveUp = false;
  /** A submission that failed without a clear answer: its jobs may exist. Looked for before any other submit. */
  private unresolved: { readonly name: string; readonly array: boolean } | undefined;
  /** Jobs whose cancel failed (the batch system did not answer): cancelled again once it answers. */
  private readonly cancelAgain = new Set<TrackedJob>();
  /** Status polls in a row that failed (the batch system is down or unreachable). */
  private failedPolls = 0;
  /** Replaces jobs before their walltime; undefined when the jobs have none (or `lifetime-margin` is 0). */
  private readonly rotation: WalltimeRotation | undefined;

  constructor(private readonly options: ReconcilerOptions) {
    const lifetime = workerLifetime(options.spec);
    this.rotation = lifetime && new WalltimeRotation({
      lifetime,
      scheduler: options.scheduler,
      logger: options.logger,
      pollIntervalMs: options.pollIntervalMs,
      retire: (jobs) => this.retireRotated(jobs),
      onPhase: (job, phase) => {
        const what = { replacing: "submitting its replacement", draining: "draining its workers", retiring: "retiring its workers" }[phase];
        options.logger.info(`job ${job.id} nears its walltime: ${what}`);
        options.emit("job-rotating", snapshotJob(job), phase);
      },
    });
  }

  /** Jobs currently wanted. */
  get targetJobs(): number {
    return this.target;
  }

  /** All jobs ever submitted by this cluster, in submission order. */
  get trackedJobs(): readonly TrackedJob[] {
    return [...this.jobs.values()];
  }

  /** Jobs that hold or will hold workers and count as capacity: not ended, not being cancelled, not being rotated out. */
  get liveJobs(): TrackedJob[] {
    return this.trackedJobs.filter((j) => !isTerminal(j.state) && !j.cancelRequested && !j.rotation);
  }

  /** Starts the periodic loop. */
  start(): void {
    this.schedule(0);
  }

  /** Sets the number of jobs wanted and reconciles soon. */
  setTarget(jobs: number): void {
    this.target = Math.max(0, Math.floor(jobs));
    if (this.gaveUp && jobs > 0) this.resetFailures();
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

  /** A worker joined the scheduler: attach it to its job. */
  workerAdded(worker: WorkerInfo): string | undefined {
    const job = this.jobOf(worker.name);
    if (!job) return undefined;
    job.workers.set(worker.address, worker);
    if (!job.everJoined) this.rotation?.observeStartup(Date.now() - job.submittedAt);
    job.everJoined = true;
    this.startFailures = 0;
    this.setState(job, "running", job.native, job.reason);
    return job.id;
  }

  /** A worker left the scheduler. */
  workerRemoved(worker: WorkerInfo): string | undefined {
    const job = this.jobOf(worker.name);
    if (!job) return undefined;
    job.workers.delete(worker.address);
    return job.id;
  }

  /**
   * Cancels every job that may still run, queued ones first, in ONE backend call, then polls until
   * the batch system reports them all ended (or `timeoutMs` passes). Resolves the ids still alive.
   */
  async cancelAll(timeoutMs: number): Promise<string[]> {
    await this.stop();
    const live = this.trackedJobs.filter((j) => !isTerminal(j.state));
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
      logger.warn(`the batch system answers again after ${this.failedPolls} failed poll(s); tracking ${this.trackedJobs.filter((j) => !isTerminal(j.state)).length} job(s)`);
      this.failedPolls = 0;
    }
    try {
      await this.retryCancels();
      await this.rotation?.step(this.trackedJobs, this.target, this.options.spec.processes);
      await this.converge();
    } catch (error) {
      logger.warn(`reconcile step failed, will retry: ${(error as Error).message}`);
    }
  }

  /** Cancels again, in one call, the jobs whose cancel failed and that have not ended since. */
  private async retryCancels(): Promise<void> {
    const jobs = [...this.cancelAgain].filter((j) => !isTerminal(j.state));
    this.cancelAgain.clear();
    if (jobs.length > 0) await this.cancel(jobs);
  }

  /** ONE status query for every job that has not ended. */
  private async pollStatus(): Promise<void> {
    const live = this.trackedJobs.filter((j) => !isTerminal(j.state));
    if (live.length === 0) return;
    const report = await this.options.backend.status(live.map((j) => j.id));
    const failedButListed: TrackedJob[] = [];
    for (const job of live) {
      const status = report.get(job.id);
      if (status) this.setState(job, status.state, status.native, status.reason);
      else this.setState(job, job.cancelRequested ? "cancelled" : "lost", undefined, "no longer known to the batch system");
      if (status && job.state === "failed") failedButListed.push(job);
    }
    // A failed job the batch system still lists (SGE's Eqw, a held job) would stay in the queue forever.
    if (failedButListed.length > 0) {
      for (const job of failedButListed) job.cancelRequested = true;
      await this.cancel(failedButListed);
    }
  }

  /** Walltime rotation: retires the drained workers of rotated-out jobs (data moves), then cancels the jobs (one call each). */
  private async retireRotated(jobs: readonly TrackedJob[]): Promise<void> {
    for (const job of jobs) job.cancelRequested = true;
    const names = jobs.flatMap((job) => [...job.workers.values()].map((w) => w.name));
    if (names.length > 0) {
      try {
        await this.options.scheduler.retireWorkers({ names });
      } catch (error) {
        this.options.logger.warn(`retire_workers failed for rotated-out job(s); cancelling anyway: ${(error as Error).message}`);
      }
    }
    await this.cancel(jobs);
  }

  private async converge(): Promise<void> {
    const live = this.liveJobs;
    if (live.length < this.target) await this.grow(this.target - live.length, live);
    else if (live.length > this.target) await this.shrink(live.length - this.target, live);
  }

  private async grow(missing: number, live: readonly TrackedJob[]): Promise<void> {
    if (this.gaveUp || Date.now() < this.retryAt) return;
    const queued = live.filter((j) => j.state === "queued").length;
    const room = this.options.maxPendingJobs === undefined ? missing : Math.max(0, this.options.maxPendingJobs - queued);
    const count = Math.min(missing, room);
    if (count === 0) return;
    if (this.unresolved) {
      // Whatever was found changes what is missing: decide again on the next tick.
      if (await this.findUnresolved()) this.wake();
      return;
    }
    const { backend } = this.options;
    if (count > 1 && backend.capabilities.arrays) {
      const base = this.options.naming.next();
      const ids = await this.submitting({ name: base, array: true }, () => backend.submit(this.options.request({ kind: "array", base }, count)));
      ids.forEach((id, i) => this.track(id, JobNaming.arrayTask(base, (backend.arrayIndex?.first ?? 0) + i)));
      this.options.logger.info(`submitted an array of ${count} jobs (${ids[0]} ...)`);
      return;
    }
    for (let i = 0; i < count; i++) {
      const name = this.options.naming.next();
      const [id] = await this.submitting({ name, array: false }, () => backend.submit(this.options.request({ kind: "fixed", name }, 1)));
      if (id === undefined) throw new DaskqError(backend.name, "submission returned no job id");
      this.track(id, name);
    }
    this.options.logger.info(`submitted ${count} job(s)`);
  }

  /**
   * Runs a submission. If it fails and the backend can list jobs by name, the submission is marked
   * unresolved: it may have reached the batch system with only its answer lost (a dropped SSH
   * connection), so its jobs are looked for before anything else is submitted.
   */
  private async submitting<T>(what: { name: string; array: boolean }, submit: () => Promise<T>): Promise<T> {
    try {
      return await submit();
    } catch (error) {
      if (this.options.backend.jobsNamed) this.unresolved = what;
      throw error;
    }
  }

  /**
   * Looks for the jobs of the unresolved submission under the cluster's batch job name (ONE query):
   * jobs listed there that this cluster does not track are that submission's, and are tracked from
   * now on. Resolves false (submit nothing this tick) when the batch system cannot be asked yet.
   */
  private async findUnresolved(): Promise<boolean> {
    const unresolved = this.unresolved as { name: string; array: boolean };
    const { backend, spec, logger } = this.options;
    let listed;
    try {
      listed = await (backend.jobsNamed as NonNullable<Backend["jobsNamed"]>).call(backend, spec.jobName);
    } catch (error) {
      logger.warn(`cannot look for the jobs of a submission whose answer was lost yet (${(error as Error).message}); not submitting until it is known`);
      return false;
    }
    this.unresolved = undefined;
    const found = listed.filter((job) => !this.jobs.has(job.id));
    for (const job of found) {
      const name = unresolved.array ? JobNaming.arrayTask(unresolved.name, job.arrayIndex ?? 0) : unresolved.name;
      this.track(job.id, name);
    }
    if (found.length > 0) logger.warn(`found ${found.length} job(s) of a submission whose answer was lost: ${found.map((j) => j.id).join(" ")}; tracking them instead of submitting again`);
    else logger.info("the submission whose answer was lost did not reach the batch system; submitting again");
    return true;
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
    if (ordered.length > 0) await this.cancel(ordered);
    if (busy.length === 0) return;
    const names = busy.flatMap((j) => [...j.workers.values()].map((w) => w.name));
    this.options.logger.info(`retiring ${names.length} worker(s) of ${busy.length} job(s) before cancelling them`);
    try {
      await this.options.scheduler.retireWorkers({ names });
    } catch (error) {
      this.options.logger.warn(`retire_workers failed; cancelling anyway: ${(error as Error).message}`);
    }
    await this.cancel(busy);
  }

  /**
   * Cancels jobs in one backend call. When that fails (the batch system does not answer), the jobs
   * stay marked as being cancelled and are cancelled again after the next poll that works: a job
   * given up on is never left running untracked.
   */
  private async cancel(jobs: readonly TrackedJob[]): Promise<void> {
    const ids = jobs.map((j) => j.id).join(" ");
    try {
      await this.options.backend.cancel(jobs.map((j) => j.id));
    } catch (error) {
      for (const job of jobs) this.cancelAgain.add(job);
      this.options.logger.warn(`could not cancel job(s) ${ids}, will retry once the batch system answers: ${(error as Error).message}`);
      return;
    }
    this.options.logger.info(`cancelled ${jobs.length} job(s): ${ids}`);
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

  private track(id: string, name: string): void {
    const job: TrackedJob = {
      id,
      name,
      state: "queued",
      native: undefined,
      reason: undefined,
      submittedAt: Date.now(),
      startedAt: undefined,
      rotation: undefined,
      workers: new Map(),
      everJoined: false,
      cancelRequested: false,
    };
    this.jobs.set(id, job);
    this.byName.set(name, job);
    this.options.emit("job-submitted", snapshotJob(job));
  }

  private jobOf(workerName: string): TrackedJob | undefined {
    const { backend } = this.options;
    if (backend.jobOfWorker) {
      const id = backend.jobOfWorker(workerName);
      return id === undefined ? undefined : this.jobs.get(id);
    }
    const name = JobNaming.jobOfWorker(workerName, this.options.spec.processes, new Set(this.byName.keys()));
    return name === undefined ? undefined : this.byName.get(name);
  }

  private setState(job: TrackedJob, reported: JobState, native: string | undefined, reason: string | undefined): void {
    const next = nextJobState(job.state, job.cancelRequested && reported === "failed" ? "cancelled" : reported);
    job.native = native ?? job.native;
    job.reason = reason ?? job.reason;
    if (next === job.state) return;
    job.state = next;
    if (next === "running") job.startedAt = Date.now();
    if (next === "running") this.options.emit("job-running", snapshotJob(job));
    else if (next === "failed" || (isTerminal(next) && !job.everJoined && !job.cancelRequested)) this.onFailure(job);
    else if (isTerminal(next)) this.options.emit("job-ended", snapshotJob(job));
  }

  /**
   * A job failed. If it never had a worker it is a start failure: counted at once (so the same tick
   * cannot resubmit past the limit), retried with backoff, and the cluster gives up at the limit.
   */
  private onFailure(job: TrackedJob): void {
    const startFailure = !job.everJoined && !job.cancelRequested;
    let giveUp = false;
    if (startFailure) {
      this.startFailures++;
      giveUp = this.startFailures >= this.options.maxStartFailures;
      if (giveUp) this.gaveUp = true;
      else this.retryAt = Date.now() + this.options.retryBackoffMs * 2 ** (this.startFailures - 1);
    }
    const failures = this.startFailures;
    void this.readLogTail(job).then((logTail) => {
      this.options.emit("job-failed", snapshotJob(job), { startFailure, logTail });
      if (!giveUp) return;
      this.options.emit(
        "cluster-error",
        new DaskqError(
          this.options.component ?? "cluster",
          `${failures} jobs in a row ended before their worker joined the scheduler; not submitting more. ` +
            `Last: job ${job.id} ${job.state}${job.reason ? ` (${job.reason})` : ""}.` +
            (logTail ? ` End of its output:\n${logTail}` : ` ${this.options.backend.name} kept no output for it.`) +
            `\nCheck python (${this.options.spec.python}), the prologue and the queue; scale() again to retry.`,
        ),
      );
    });
  }

  private resetFailures(): void {
    this.gaveUp = false;
    this.startFailures = 0;
    this.retryAt = 0;
  }

  /** The end of a failed job's output, from its backend; undefined when there is none or it cannot be read. */
  private async readLogTail(job: TrackedJob): Promise<string | undefined> {
    try {
      const text = await this.options.backend.logTail(job.id, LOG_TAIL_LINES);
      return text?.trimEnd() || undefined;
    } catch (error) {
      this.options.logger.debug(`could not read the output of job ${job.id}: ${(error as Error).message}`);
      return undefined;
    }
  }
}
