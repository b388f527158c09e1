import type { Backend } from "../backend/backend.js";
import { DaskqError } from "../errors.js";
import type { JobSpec } from "../job/job-spec.js";
import type { Logger } from "../logger.js";
import type { ReconcilerEvents } from "./reconciler-events.js";
import { snapshotJob, type TrackedJob } from "./tracked-job.js";

/** Lines of a failed job's output shown in `job-failed` and `cluster-error`. */
const LOG_TAIL_LINES = 20;

/** What the start-failure policy needs. */
export interface StartFailuresOptions {
  /** Gives a failed job's output (`logTail`). */
  readonly backend: Backend;
  readonly spec: JobSpec;
  readonly emit: <K extends keyof ReconcilerEvents>(event: K, ...args: ReconcilerEvents[K]) => void;
  readonly logger: Logger;
  /** The component its errors name (`[daskq:<component>]`). */
  readonly component: string;
  /** Jobs in a row that may end before their worker joins before the pool gives up. */
  readonly maxStartFailures: number;
  /** First retry delay after a start failure; doubles with each failure in a row. */
  readonly retryBackoffMs: number;
}

/**
 * Failed jobs of one pool. A job that ends before any worker of it joined is a START failure:
 * counted at once (so the same tick cannot resubmit past the limit), retried with backoff, and
 * at `maxStartFailures` in a row the pool stops submitting and emits `cluster-error`. Every
 * failed job is announced (`job-failed`) with the end of its output.
 */
export class StartFailures {
  private inARow = 0;
  private retryAt = 0;
  private gaveUp = false;

  constructor(private readonly options: StartFailuresOptions) {}

  /** False while backing off after a start failure, or after giving up. */
  get maySubmit(): boolean {
    return !this.gaveUp && Date.now() >= this.retryAt;
  }

  /** A worker joined: the failures in a row are over. */
  workerJoined(): void {
    this.inARow = 0;
  }

  /** Jobs are asked for again: after giving up, start counting anew. */
  askedAgain(): void {
    if (!this.gaveUp) return;
    this.gaveUp = false;
    this.inARow = 0;
    this.retryAt = 0;
  }

  /** A job failed (see `JobTable.setState`). */
  failed(job: TrackedJob): void {
    const startFailure = !job.everJoined && !job.cancelRequested;
    let giveUp = false;
    if (startFailure) {
      this.inARow++;
      giveUp = this.inARow >= this.options.maxStartFailures;
      if (giveUp) this.gaveUp = true;
      else this.retryAt = Date.now() + this.options.retryBackoffMs * 2 ** (this.inARow - 1);
    }
    const failures = this.inARow;
    const { emit, backend, spec } = this.options;
    void this.readLogTail(job).then((logTail) => {
      emit("job-failed", snapshotJob(job), { startFailure, logTail });
      if (!giveUp) return;
      emit(
        "cluster-error",
        new DaskqError(
          this.options.component,
          `${failures} jobs in a row ended before their worker joined the scheduler; not submitting more. ` +
            `Last: job ${job.id} ${job.state}${job.reason ? ` (${job.reason})` : ""}.` +
            (logTail ? ` End of its output:\n${logTail}` : ` ${backend.name} kept no output for it.`) +
            `\nCheck python (${spec.python}), the prologue and the queue; scale() again to retry.`,
        ),
      );
    });
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
