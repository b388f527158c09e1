import type { Backend } from "../backend/backend.js";
import type { JobSpec } from "../job/job-spec.js";
import { JobNaming } from "../job/job-naming.js";
import { isTerminal, nextJobState, type JobState } from "../job/job-state.js";
import type { PoolOwnership } from "../ownership/pool-ownership.js";
import type { WorkerInfo } from "../scheduler/worker-info.js";
import type { ReconcilerEvents } from "./reconciler-events.js";
import { snapshotJob, type TrackedJob } from "./tracked-job.js";

/** What a pool's job table needs. */
export interface JobTableOptions {
  /** Maps worker names to job ids when it has `jobOfWorker`. */
  readonly backend: Backend;
  readonly spec: JobSpec;
  /** The pool's part of the state file: running and ended jobs are written there as they change. */
  readonly ownership: PoolOwnership;
  readonly emit: <K extends keyof ReconcilerEvents>(event: K, ...args: ReconcilerEvents[K]) => void;
  /** A job failed, or ended before a worker of it joined (see `StartFailures`). */
  readonly onFailed: (job: TrackedJob) => void;
}

/**
 * The jobs of one pool, by id and by name, and their state changes: each change is emitted
 * (`job-running`, `job-ended`; failures go to `onFailed`) and written to the state file.
 */
export class JobTable {
  private readonly byId = new Map<string, TrackedJob>();
  private readonly byName = new Map<string, TrackedJob>();

  constructor(private readonly options: JobTableOptions) {}

  /** All jobs ever submitted by this pool, in submission order. */
  get all(): readonly TrackedJob[] {
    return [...this.byId.values()];
  }

  /** Jobs that have not ended. */
  get unended(): TrackedJob[] {
    return this.all.filter((j) => !isTerminal(j.state));
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Starts following a job the batch system accepted (queued); emits `job-submitted`. */
  track(id: string, name: string): void {
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
    this.byId.set(id, job);
    this.byName.set(name, job);
    this.options.emit("job-submitted", snapshotJob(job));
  }

  /** The job a worker belongs to: the backend's mapping when it has one, else by the worker's name. */
  jobOf(workerName: string): TrackedJob | undefined {
    const { backend } = this.options;
    if (backend.jobOfWorker) {
      const id = backend.jobOfWorker(workerName);
      return id === undefined ? undefined : this.byId.get(id);
    }
    const name = JobNaming.jobOfWorker(workerName, this.options.spec.processes, new Set(this.byName.keys()));
    return name === undefined ? undefined : this.byName.get(name);
  }

  /**
   * Applies a reported state (the job state machine decides what it becomes). A failure of a job
   * being cancelled counts as cancelled; a job that ends before any worker of it joined is a failure.
   */
  setState(job: TrackedJob, reported: JobState, native: string | undefined, reason: string | undefined): void {
    const next = nextJobState(job.state, job.cancelRequested && reported === "failed" ? "cancelled" : reported);
    job.native = native ?? job.native;
    job.reason = reason ?? job.reason;
    if (next === job.state) return;
    job.state = next;
    const { ownership, emit } = this.options;
    if (next === "running") {
      job.startedAt = Date.now();
      ownership.jobRunning(job.id);
      emit("job-running", snapshotJob(job));
    } else if (next === "failed" || (isTerminal(next) && !job.everJoined && !job.cancelRequested)) {
      ownership.jobEnded(job.id);
      this.options.onFailed(job);
    } else if (isTerminal(next)) {
      ownership.jobEnded(job.id);
      emit("job-ended", snapshotJob(job));
    }
  }

  /** A worker joined the scheduler: attaches it to its job; resolves the job and whether it is the job's first worker ever. */
  attachWorker(worker: WorkerInfo): { readonly job: TrackedJob; readonly first: boolean } | undefined {
    const job = this.jobOf(worker.name);
    if (!job) return undefined;
    job.workers.set(worker.address, worker);
    const first = !job.everJoined;
    job.everJoined = true;
    return { job, first };
  }

  /** A worker left the scheduler: detaches it from its job; resolves the job. */
  detachWorker(worker: WorkerInfo): TrackedJob | undefined {
    const job = this.jobOf(worker.name);
    job?.workers.delete(worker.address);
    return job;
  }
}
