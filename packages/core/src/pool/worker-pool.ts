import type { Backend, BackendDescriptor } from "../backend/backend.js";
import type { ResolvedConfig } from "../config/load-config.js";
import type { JobSpec } from "../job/job-spec.js";
import { JobNaming } from "../job/job-naming.js";
import { isTerminal } from "../job/job-state.js";
import { renderJobScript } from "../job/job-script.js";
import { submitRequest } from "../job/submit-request.js";
import { workerLaunch } from "../job/worker-command.js";
import { prefixedLogger, type Logger } from "../logger.js";
import type { CommandRunner } from "../runner/command-runner.js";
import type { SchedulerConnection } from "../scheduler/scheduler-connection.js";
import type { WorkerInfo } from "../scheduler/worker-info.js";
import type { TlsPem } from "../security/cluster-certificates.js";
import type { PoolOwnership } from "../ownership/pool-ownership.js";
import type { OutputLocation } from "./output-directory.js";
import type { ReconcilerEvents } from "./reconciler-events.js";
import { Reconciler } from "./reconciler.js";
import { snapshotJob, type JobSnapshot } from "./tracked-job.js";

/** What a pool is made of, resolved and prepared by `setUpPools` when the cluster is created. */
export interface WorkerPoolParts {
  readonly name: string;
  /** The id its backend, job names and output directory use: the cluster id for the first pool, `<clusterId>-<name>` for the others. */
  readonly poolId: string;
  readonly descriptor: BackendDescriptor;
  readonly config: ResolvedConfig;
  /** The job spec as configured, with the pool's `--resources` in `workerExtraArgs`. */
  readonly spec: JobSpec;
  /** Prepared; made with a `RecordingRunner`, so the directories it makes are in the state file. */
  readonly backend: Backend;
  readonly output: OutputLocation;
  readonly runner: CommandRunner;
  readonly ownsRunner: boolean;
  /** Its part of the cluster's state file (its reconciler records the jobs there). */
  readonly ownership: PoolOwnership;
  readonly resources: Readonly<Record<string, number>>;
  readonly minimumJobs: number;
  readonly maximumJobs: number;
}

/** What a pool needs from its cluster. */
export interface WorkerPoolContext {
  readonly scheduler: SchedulerConnection;
  /** The address workers connect to (read at each submission). */
  readonly workerSchedulerAddress: () => string;
  readonly tls: TlsPem | undefined;
  /** Emits a cluster event; the pool appends its name. */
  readonly emit: (event: keyof ReconcilerEvents, ...args: unknown[]) => void;
  readonly logger: Logger;
  /** True when the cluster has several pools: the pool's errors and log lines then name it. */
  readonly several: boolean;
  readonly pollIntervalMs: number;
  readonly maxStartFailures: number;
  readonly retryBackoffMs: number;
}

/** A point-in-time view of one pool. */
export interface PoolStatus {
  readonly name: string;
  readonly backend: string;
  readonly resources: Readonly<Record<string, number>>;
  readonly targetJobs: number;
  readonly minimumJobs: number;
  readonly maximumJobs: number;
  readonly jobs: readonly JobSnapshot[];
  readonly counts: { readonly queued: number; readonly running: number; readonly workers: number };
}

/**
 * One pool of a cluster: one backend, one job spec, one reconciler. Its jobs and workers are named
 * after its pool id, so a worker of the shared scheduler maps back to exactly one pool.
 */
export class WorkerPool {
  readonly reconciler: Reconciler;
  /** The spec jobs are submitted with (the batch job name carries the pool id where the backend lists jobs by name). */
  readonly jobSpec: JobSpec;

  constructor(
    readonly parts: WorkerPoolParts,
    private readonly context: WorkerPoolContext,
  ) {
    const { backend, spec, output } = parts;
    // A backend that can list jobs by name gets a batch job name unique to this pool
    // (`dask-worker-daskq-3f9a0c1e`), so that a submission whose answer was lost can be found again.
    this.jobSpec = backend.jobsNamed ? { ...spec, jobName: `${spec.jobName}-${parts.poolId}` } : spec;
    const jobSpec = this.jobSpec;
    const named = context.several ? `pool ${parts.name}` : undefined;
    this.reconciler = new Reconciler({
      backend,
      spec: jobSpec,
      scheduler: context.scheduler,
      naming: new JobNaming(parts.poolId),
      ownership: parts.ownership,
      request: (workers, count) =>
        submitRequest(backend, jobSpec, { schedulerAddress: context.workerSchedulerAddress(), outputDirectory: output.directory, naming: workers, count, tls: context.tls }),
      emit: (event, ...args) => context.emit(event, ...args, parts.name),
      logger: named ? prefixedLogger(context.logger, `${named}: `) : context.logger,
      component: named,
      pollIntervalMs: context.pollIntervalMs,
      maxPendingJobs: parts.config.values["max-pending-jobs"] as number | undefined,
      maxStartFailures: context.maxStartFailures,
      retryBackoffMs: context.retryBackoffMs,
    });
  }

  get name(): string {
    return this.parts.name;
  }

  /** The configured job spec (what `jobScript` renders). */
  get spec(): JobSpec {
    return this.parts.spec;
  }

  get resources(): Readonly<Record<string, number>> {
    return this.parts.resources;
  }

  /** Workers of this pool connected now (those of jobs being rotated out too). */
  get workerCount(): number {
    return this.reconciler.trackedJobs.reduce((sum, job) => sum + (isTerminal(job.state) ? 0 : job.workers.size), 0);
  }

  /** Starts its reconcile loop. */
  start(): void {
    this.reconciler.start();
  }

  /** A worker joined the scheduler: resolves its job id when it is one of this pool's. */
  workerAdded(worker: WorkerInfo): string | undefined {
    return this.reconciler.workerAdded(worker);
  }

  /** A worker left the scheduler: resolves its job id when it was one of this pool's. */
  workerRemoved(worker: WorkerInfo): string | undefined {
    return this.reconciler.workerRemoved(worker);
  }

  /** The script one worker job of this pool would be submitted with. */
  jobScript(): string {
    const { backend, spec, output } = this.parts;
    return renderJobScript(backend, spec, workerLaunch(spec, this.context.workerSchedulerAddress(), { kind: "fixed", name: "dask-worker-example" }, this.context.tls), output.directory);
  }

  status(): PoolStatus {
    const jobs = this.reconciler.trackedJobs.map(snapshotJob);
    return {
      name: this.name,
      backend: this.parts.descriptor.name,
      resources: this.resources,
      targetJobs: this.reconciler.targetJobs,
      minimumJobs: this.parts.minimumJobs,
      maximumJobs: this.parts.maximumJobs,
      jobs,
      counts: {
        queued: jobs.filter((j) => j.state === "queued").length,
        running: jobs.filter((j) => j.state === "running").length,
        workers: this.workerCount,
      },
    };
  }

  /** Cancels every job of the pool and waits for the batch system (see `Reconciler.cancelAll`); resolves the ids left alive. */
  cancelAll(timeoutMs: number): Promise<string[]> {
    return this.reconciler.cancelAll(timeoutMs);
  }

  /** Releases the backend, the output directory daskq made, and the runner when the pool owns it. */
  async release(): Promise<void> {
    const { backend, output, runner, ownsRunner } = this.parts;
    await backend.close?.();
    if (output.owned) {
      try {
        const result = await runner.run("rm", ["-rf", "--", output.owned]);
        if (result.exitCode !== 0) this.context.logger.debug(`could not remove ${output.owned}: ${result.stderr.trim()}`);
      } catch (error) {
        this.context.logger.debug(`could not remove ${output.owned}: ${(error as Error).message}`);
      }
    }
    if (ownsRunner) await runner.close();
  }
}
