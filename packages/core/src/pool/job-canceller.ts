import type { Backend } from "../backend/backend.js";
import { isTerminal } from "../job/job-state.js";
import type { Logger } from "../logger.js";
import type { SchedulerConnection } from "../scheduler/scheduler-connection.js";
import type { TrackedJob } from "./tracked-job.js";

/**
 * Cancels jobs of one pool, in ONE backend call each time. A cancel the batch system does not
 * answer is kept and sent again (`retryFailed`) once it answers: a job given up on is never left
 * running untracked. Jobs with workers have them retired first (their data moves to the others).
 */
export class JobCanceller {
  /** Jobs whose cancel failed: cancelled again once the batch system answers. */
  private readonly again = new Set<TrackedJob>();

  constructor(
    private readonly backend: Backend,
    private readonly scheduler: SchedulerConnection,
    private readonly logger: Logger,
  ) {}

  /** Cancels these jobs in one backend call; when that fails they are cancelled again by `retryFailed`. */
  async cancel(jobs: readonly TrackedJob[]): Promise<void> {
    const ids = jobs.map((j) => j.id).join(" ");
    try {
      await this.backend.cancel(jobs.map((j) => j.id));
    } catch (error) {
      for (const job of jobs) this.again.add(job);
      this.logger.warn(`could not cancel job(s) ${ids}, will retry once the batch system answers: ${(error as Error).message}`);
      return;
    }
    this.logger.info(`cancelled ${jobs.length} job(s): ${ids}`);
  }

  /** Cancels again, in one call, the jobs whose cancel failed and that have not ended since. */
  async retryFailed(): Promise<void> {
    const jobs = [...this.again].filter((j) => !isTerminal(j.state));
    this.again.clear();
    if (jobs.length > 0) await this.cancel(jobs);
  }

  /**
   * Retires the workers of these jobs through the scheduler in ONE `retire_workers` call (their
   * data moves), then cancels the jobs; a failed retirement is logged (`which` names the jobs in it)
   * and the jobs are cancelled anyway.
   */
  async retireThenCancel(jobs: readonly TrackedJob[], which = ""): Promise<void> {
    const names = jobs.flatMap((job) => [...job.workers.values()].map((w) => w.name));
    if (names.length > 0) {
      try {
        await this.scheduler.retireWorkers({ names });
      } catch (error) {
        this.logger.warn(`retire_workers failed${which}; cancelling anyway: ${(error as Error).message}`);
      }
    }
    await this.cancel(jobs);
  }
}
