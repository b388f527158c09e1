import type { DependencyContainer } from "tsyringe";
import type { BackendDescriptor } from "../backend/backend.js";
import type { BackendConfigSources } from "../config/load-backend-config.js";
import type { Logger } from "../logger.js";
import type { PoolOptions } from "../pool/pool-options.js";
import type { PoolStatus } from "../pool/worker-pool.js";
import type { JobSnapshot } from "../pool/tracked-job.js";
import type { CommandRunner } from "../runner/command-runner.js";
import type { SchedulerProcessOptions } from "../scheduler/scheduler-process.js";
import type { TlsSetting } from "../security/cluster-tls.js";
import type { SshRunnerOptions } from "../ssh/ssh-runner.js";
import type { ScaleRequest } from "./scale-request.js";

/**
 * Where the scheduler comes from: started by daskq (default; the launch options of
 * `SchedulerProcess`, with the Python found automatically unless given) or an existing one.
 */
export interface SchedulerOptions extends Partial<Omit<SchedulerProcessOptions, "env" | "startTimeoutMs" | "logger">> {
  /** Attach to this running scheduler instead of starting one (it is not shut down on close). */
  readonly address?: string;
  /**
   * Where daskq starts the scheduler: `local` (this machine), `remote` (the runner's machine, e.g.
   * the SSH login node, reached through an SSH forward) or `job` (a job of the batch system, for
   * backends with `launchScheduler`, e.g. UNICORE). Default: config `scheduler-placement`, else
   * `remote` when the runner reaches another machine, else `local`.
   */
  readonly placement?: SchedulerPlacement;
  /** Remote placement: the scheduler stops by itself after this many seconds without word from daskq. Default 300. */
  readonly leaseSeconds?: number;
}

/** Where the scheduler runs. */
export type SchedulerPlacement = "local" | "remote" | "job";

/** Options of `JobQueueCluster.create`; `job`, `configName`, `env` and `homeDir` feed the config loader. */
export interface JobQueueClusterOptions extends BackendConfigSources {
  /** Backend name (e.g. `slurm`) or descriptor; required unless `pools` is given. */
  readonly backend?: string | BackendDescriptor;
  /**
   * Several pools behind the one scheduler, in order of preference (cheapest first; the first is the
   * default pool). Each has its own backend, job spec, resources and bounds. Excludes `backend`,
   * `job` and `configName`.
   */
  readonly pools?: readonly PoolOptions[];
  readonly scheduler?: SchedulerOptions;
  /** Container to find backends and the command runner in; default: tsyringe's global one. */
  readonly container?: DependencyContainer;
  /**
   * Where backend commands run; default: an `SshRunner` when config `ssh` is set (owned by the
   * cluster), else the container's COMMAND_RUNNER, else a LocalRunner.
   */
  readonly runner?: CommandRunner;
  /** How to connect when config `ssh` is set (OpenSSH files, passphrase prompt, ...). */
  readonly ssh?: SshRunnerOptions;
  /** Time between batch status polls, ms. Default 2000. */
  readonly pollIntervalMs?: number;
  /** Jobs in a row that may fail before their worker joins before the cluster stops resubmitting. Default 3. */
  readonly maxStartFailures?: number;
  /** Delay before the first resubmission after a start failure (doubles each time). Default 2000 ms. */
  readonly retryBackoffMs?: number;
  /**
   * How often the cluster compares its workers with the scheduler's, to catch what the worker status
   * stream missed (see `WorkerWatch`). Default 3000 ms on a scheduler without daskq's preload
   * (another process attached to it may take the shared subscription over), else 30 000 ms.
   */
  readonly workerCheckIntervalMs?: number;
  /** Clean up on SIGINT/SIGTERM/SIGHUP, then let the signal end the process. Default true. */
  readonly handleSignals?: boolean;
  /** How long close() waits for the batch system to confirm cancellations. Default 60 000 ms. */
  readonly closeTimeoutMs?: number;
  /**
   * Where the cluster's state file goes (every job id is recorded there before submit() returns);
   * default `$DASKQ_HOME/state`, else `~/.daskq/state`.
   */
  readonly stateDirectory?: string;
  /** Start a watchdog process that cancels the jobs if this process dies without close(). Default true. */
  readonly watchdog?: boolean;
  /**
   * TLS between scheduler, workers and clients. Default true: a private CA and certificate for this
   * cluster (in `$DASKQ_HOME/tls/<clusterId>`, removed on close); false: plain TCP; or your own
   * files (needed to attach to a `tls://` scheduler).
   */
  readonly tls?: TlsSetting;
  readonly logger?: Logger;
}

/** A point-in-time view of the cluster. */
export interface ClusterStatus {
  readonly schedulerAddress: string;
  readonly dashboardLink: string | undefined;
  readonly targetJobs: number;
  readonly jobs: readonly JobSnapshot[];
  /** This cluster's workers (those of its jobs); another process's workers on a shared scheduler are not listed. */
  readonly workers: ReadonlyArray<{ readonly name: string; readonly address: string; readonly host: string | undefined; readonly jobId: string; readonly pool: string }>;
  /** `otherWorkers`: workers of the scheduler that are not this cluster's (another daskq process's, or started by hand). */
  readonly counts: { readonly queued: number; readonly running: number; readonly workers: number; readonly otherWorkers: number };
  /** Each pool on its own, in order of preference. */
  readonly pools: readonly PoolStatus[];
}

/** A `ScaleRequest` for one pool (the default pool when `pool` is not given). */
export type PoolScaleRequest = ScaleRequest & { readonly pool?: string };
