import type { RecordedJob } from "./cluster-record.js";

/** What a pool owns in its cluster's state file: its jobs and the directories made on its runner host. */
export interface PoolHoldings {
  readonly jobs: readonly RecordedJob[];
  readonly runnerTempDirs: readonly string[];
}

/**
 * One pool's part of a cluster's state file (see `ClusterOwnership.pool`). Its callers write
 * where things happen: the reconciler records every job id right after `submit()` answers, before
 * it tracks the jobs; `RecordingRunner` records every directory the pool's runner makes.
 */
export class PoolOwnership {
  /** @param save applies a change to this pool's holdings and resolves once it is on disk (a failed write is logged). */
  constructor(private readonly save: (change: (holdings: PoolHoldings) => PoolHoldings) => Promise<void>) {}

  /** Records a directory on the runner's host that daskq made for the pool (job output, scripts), to remove after a crash. */
  recordRunnerDirectory(directory: string): Promise<void> {
    return this.save((h) => ({ ...h, runnerTempDirs: [...h.runnerTempDirs, directory] }));
  }

  /** Records submitted jobs (queued) so that a watchdog cancels them after a crash. */
  recordJobs(ids: readonly string[]): Promise<void> {
    return this.save((h) => ({ ...h, jobs: [...h.jobs, ...ids.map((id): RecordedJob => ({ id, state: "queued" }))] }));
  }

  /** A job runs: it is cancelled after the queued ones. */
  jobRunning(id: string): void {
    void this.save((h) => ({ ...h, jobs: h.jobs.map((j) => (j.id === id ? { id, state: "running" } : j)) }));
  }

  /** A job ended: nothing is left to cancel for it. */
  jobEnded(id: string): void {
    void this.save((h) => ({ ...h, jobs: h.jobs.filter((j) => j.id !== id) }));
  }
}
