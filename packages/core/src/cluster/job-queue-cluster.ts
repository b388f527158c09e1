import { EventEmitter } from "node:events";
import { container as globalContainer, type DependencyContainer } from "tsyringe";
import type { Backend, BackendDescriptor } from "../backend/backend.js";
import { loadBackendConfig, type BackendConfigSources } from "../config/load-backend-config.js";
import type { ResolvedConfig } from "../config/load-config.js";
import { resolveJobSpec } from "../config/job-spec-from-config.js";
import { DaskqError, TimeoutError } from "../errors.js";
import type { JobSpec } from "../job/job-spec.js";
import { JobNaming } from "../job/job-naming.js";
import { renderJobScript } from "../job/job-script.js";
import { silentLogger, type Logger } from "../logger.js";
import { findBackend } from "../registry/backend-registry.js";
import { COMMAND_RUNNER } from "../registry/tokens.js";
import type { CommandRunner } from "../runner/command-runner.js";
import { LocalRunner } from "../runner/local-runner.js";
import { findPython, type PythonWithDask } from "../scheduler/find-python.js";
import { SchedulerConnection } from "../scheduler/scheduler-connection.js";
import { SchedulerProcess, type SchedulerProcessOptions } from "../scheduler/scheduler-process.js";
import type { WorkerInfo } from "../scheduler/worker-info.js";
import type { WorkerStatusStream } from "../scheduler/worker-status-stream.js";
import { jobBounds, type AdaptOptions } from "../adaptive/adapt-options.js";
import { adaptiveTargetUnit } from "../adaptive/adaptive-target.js";
import { JobAdaptive } from "../adaptive/job-adaptive.js";
import type { ClusterEvents } from "./cluster-events.js";
import { Reconciler } from "./reconciler.js";
import { jobsForRequest, type ScaleRequest } from "./scale-request.js";
import { onShutdown } from "./shutdown-hooks.js";
import { snapshotJob, type JobSnapshot } from "./tracked-job.js";

/**
 * Where the scheduler comes from: started by daskq (default; the launch options of
 * `SchedulerProcess`, with the Python found automatically unless given) or an existing one.
 */
export interface SchedulerOptions extends Partial<Omit<SchedulerProcessOptions, "env" | "startTimeoutMs" | "logger">> {
  /** Attach to this running scheduler instead of starting one (it is not shut down on close). */
  readonly address?: string;
}

/** Options of `JobQueueCluster.create`; `job`, `configName`, `env` and `homeDir` feed the config loader. */
export interface JobQueueClusterOptions extends BackendConfigSources {
  /** Backend name (e.g. `slurm`) or descriptor. */
  readonly backend: string | BackendDescriptor;
  readonly scheduler?: SchedulerOptions;
  /** Container to find backends and the command runner in; default: tsyringe's global one. */
  readonly container?: DependencyContainer;
  /** Where backend commands run; default: the container's COMMAND_RUNNER, else a LocalRunner. */
  readonly runner?: CommandRunner;
  /** Time between batch status polls, ms. Default 2000. */
  readonly pollIntervalMs?: number;
  /** Jobs in a row that may fail before their worker joins before the cluster stops resubmitting. Default 3. */
  readonly maxStartFailures?: number;
  /** Delay before the first resubmission after a start failure (doubles each time). Default 2000 ms. */
  readonly retryBackoffMs?: number;
  /** Clean up on SIGINT/SIGTERM/SIGHUP, then let the signal end the process. Default true. */
  readonly handleSignals?: boolean;
  /** How long close() waits for the batch system to confirm cancellations. Default 60 000 ms. */
  readonly closeTimeoutMs?: number;
  readonly logger?: Logger;
}

/** A point-in-time view of the cluster. */
export interface ClusterStatus {
  readonly schedulerAddress: string;
  readonly dashboardLink: string | undefined;
  readonly targetJobs: number;
  readonly jobs: readonly JobSnapshot[];
  readonly workers: ReadonlyArray<{ readonly name: string; readonly address: string; readonly jobId: string | undefined }>;
  readonly counts: { readonly queued: number; readonly running: number; readonly workers: number };
}

interface Parts {
  readonly descriptor: BackendDescriptor;
  readonly config: ResolvedConfig;
  readonly spec: JobSpec;
  readonly backend: Backend;
  readonly runner: CommandRunner;
  readonly ownsRunner: boolean;
  readonly scheduler: SchedulerProcess | undefined;
  readonly connection: SchedulerConnection;
  readonly stream: WorkerStatusStream;
}

/**
 * A Dask cluster whose workers are batch jobs. It starts (or attaches to) a real Dask scheduler,
 * submits worker jobs through a backend, tracks them in the batch system, and cleans up on close
 * or on SIGINT/SIGTERM.
 *
 * ```ts
 * const cluster = await JobQueueCluster.create({ backend: "slurm", job: { cores: 8, memory: "16GB" } });
 * await cluster.scale({ jobs: 10 });
 * console.log(cluster.schedulerAddress);   // give this to Client() in Python
 * await cluster.close();
 * ```
 */
export class JobQueueCluster extends EventEmitter<ClusterEvents> {
  private readonly reconciler: Reconciler;
  private readonly workerJobs = new Map<string, string | undefined>();
  private readonly removeShutdownHook: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  private adaptive: JobAdaptive | undefined;

  private constructor(
    private readonly parts: Parts,
    private readonly options: JobQueueClusterOptions,
    private readonly logger: Logger,
  ) {
    super();
    const naming = new JobNaming();
    this.reconciler = new Reconciler({
      backend: parts.backend,
      runner: parts.runner,
      spec: parts.spec,
      scheduler: parts.connection,
      naming,
      renderScript: (target) => renderJobScript(parts.backend, parts.spec, this.schedulerAddress, target),
      emit: (event, ...args) => (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
      logger,
      pollIntervalMs: options.pollIntervalMs ?? 2_000,
      maxPendingJobs: parts.config.values["max-pending-jobs"] as number | undefined,
      maxStartFailures: options.maxStartFailures ?? 3,
      retryBackoffMs: options.retryBackoffMs ?? 2_000,
    });
    for (const worker of parts.stream.workers.values()) this.onWorkerAdded(worker);
    parts.stream.on("add", (w) => this.onWorkerAdded(w));
    parts.stream.on("remove", (address, w) => this.onWorkerRemoved(address, w));
    parts.stream.on("close", (error) => {
      if (error && !this.closing) logger.warn(`lost the worker status stream: ${error.message}`);
    });
    parts.scheduler?.on("exit", ({ code, signal, expected }) => {
      if (expected || this.closing) return;
      this.emit("cluster-error", new DaskqError("cluster", `the scheduler exited unexpectedly (code ${code ?? "-"}, signal ${signal ?? "-"}); closing the cluster.\n${parts.scheduler?.logTail() ?? ""}`));
      void this.close();
    });
    if (options.handleSignals ?? true) this.removeShutdownHook = onShutdown(() => this.close());
    this.reconciler.start();
  }

  /** Starts (or attaches to) a scheduler and gets ready to submit jobs. Submits nothing yet. */
  static async create(options: JobQueueClusterOptions): Promise<JobQueueCluster> {
    const logger = options.logger ?? silentLogger;
    const container = options.container ?? globalContainer;
    const descriptor = typeof options.backend === "string" ? findBackend(container, options.backend) : options.backend;
    const config = loadBackendConfig(descriptor, options);
    for (const warning of config.warnings) logger.warn(warning);
    const schedulerOptions = mergeSchedulerOptions(config.values["scheduler-options"], options.scheduler);
    const python = await schedulerPython(schedulerOptions.python, config.values["python"] as string | undefined, options.env ?? process.env);
    const spec = resolveJobSpec(config, { python: python.path });

    const ownsRunner = !options.runner && !container.isRegistered(COMMAND_RUNNER, true);
    const runner = options.runner ?? (ownsRunner ? new LocalRunner() : container.resolve(COMMAND_RUNNER));
    let scheduler: SchedulerProcess | undefined;
    let connection: SchedulerConnection | undefined;
    try {
      if (!schedulerOptions.address) {
        scheduler = await SchedulerProcess.start({
          python: python.path,
          host: schedulerOptions.host ?? descriptor.defaultSchedulerHost,
          port: schedulerOptions.port,
          dashboardAddress: schedulerOptions.dashboardAddress,
          interface: schedulerOptions.interface,
          protocol: schedulerOptions.protocol,
          extraArgs: schedulerOptions.extraArgs,
          logger,
        });
      }
      connection = new SchedulerConnection(scheduler?.address ?? (schedulerOptions.address as string));
      const stream = await connection.subscribeWorkerStatus();
      const backend = descriptor.create({ runner, logger, options: spec.backendOptions });
      return new JobQueueCluster({ descriptor, config, spec, backend, runner, ownsRunner, scheduler, connection, stream }, options, logger);
    } catch (error) {
      connection?.close();
      await scheduler?.stop();
      if (ownsRunner) await runner.close();
      throw error;
    }
  }

  /** The scheduler's address, for `Client(address)`. */
  get schedulerAddress(): string {
    return this.parts.scheduler?.address ?? this.parts.connection.address;
  }

  /** Process id of the scheduler daskq started; undefined when attached to an existing one. */
  get schedulerPid(): number | undefined {
    return this.parts.scheduler?.pid;
  }

  /** The dashboard URL when the scheduler serves one (it needs bokeh). */
  get dashboardLink(): string | undefined {
    return this.parts.scheduler?.dashboardLink;
  }

  /** The resolved job spec every job is rendered from. */
  get spec(): JobSpec {
    return this.parts.spec;
  }

  /** The resolved configuration with the source of every value. */
  get config(): ResolvedConfig {
    return this.parts.config;
  }

  /** The backend name. */
  get backendName(): string {
    return this.parts.descriptor.name;
  }

  /** Connection to the scheduler, for callers that need more RPCs. */
  get scheduler(): SchedulerConnection {
    return this.parts.connection;
  }

  /**
   * Asks for a cluster of this size; rounded up to whole jobs. Resolves once the request is
   * recorded. Like in Dask, a manual scale() stops adaptivity.
   */
  async scale(request: ScaleRequest): Promise<void> {
    if (this.closing) throw new DaskqError("cluster", "scale() called on a closed cluster");
    if (this.adaptive) {
      this.logger.info("scale() called by hand: adaptivity stopped");
      await this.stopAdapting();
    }
    const jobs = jobsForRequest(request, this.parts.spec);
    this.logger.info(`scale to ${jobs} job(s) (${jobs * this.parts.spec.processes} workers)`);
    this.reconciler.setTarget(jobs);
  }

  /**
   * Lets the load decide the size, at job granularity, between the given bounds (workers, jobs,
   * cores or memory). Replaces an earlier adapt(); scale() or close() stops it. Every decision is
   * logged and emitted as `scale-decision`.
   */
  async adapt(options: AdaptOptions = {}): Promise<JobAdaptive> {
    if (this.closing) throw new DaskqError("cluster", "adapt() called on a closed cluster");
    const bounds = jobBounds(options, this.parts.spec);
    await this.stopAdapting();
    const version = await this.parts.connection.distributedVersion().catch(() => undefined);
    const adaptive = new JobAdaptive(this.parts.connection, this.reconciler, this.parts.spec, bounds, {
      ...options,
      targetUnit: adaptiveTargetUnit(version),
      logger: options.logger ?? this.logger,
      onDecision: (decision) => {
        options.onDecision?.(decision);
        this.emit("scale-decision", decision);
      },
    });
    this.adaptive = adaptive;
    this.logger.info(`adapting between ${bounds.minJobs} and ${bounds.maxJobs} job(s) (distributed ${version ?? "unknown"})`);
    return adaptive.start();
  }

  /** Stops adaptivity, if on; the cluster keeps its current size. */
  async stopAdapting(): Promise<void> {
    const adaptive = this.adaptive;
    this.adaptive = undefined;
    await adaptive?.stop();
  }

  /** The script one worker job would be submitted with. */
  jobScript(): string {
    return renderJobScript(this.parts.backend, this.parts.spec, this.schedulerAddress, { jobName: "dask-worker-example" });
  }

  /** Jobs, their states and workers, right now. */
  status(): ClusterStatus {
    const jobs = this.reconciler.trackedJobs.map(snapshotJob);
    const workers = [...this.parts.stream.workers.values()].map((w) => ({ name: w.name, address: w.address, jobId: this.workerJobs.get(w.address) }));
    return {
      schedulerAddress: this.schedulerAddress,
      dashboardLink: this.dashboardLink,
      targetJobs: this.reconciler.targetJobs,
      jobs,
      workers,
      counts: {
        queued: jobs.filter((j) => j.state === "queued").length,
        running: jobs.filter((j) => j.state === "running").length,
        workers: workers.length,
      },
    };
  }

  /** Resolves when at least `n` workers are connected; rejects on timeout or cluster error. */
  waitForWorkers(n: number, timeoutMs = 120_000): Promise<void> {
    if (this.parts.stream.workers.size >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.off("worker-joined", check);
        this.off("cluster-error", done);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (this.parts.stream.workers.size >= n) done();
      };
      const timer = setTimeout(() => done(new TimeoutError("cluster", `waiting for ${n} workers (have ${this.parts.stream.workers.size})`, timeoutMs)), timeoutMs);
      this.on("worker-joined", check);
      this.on("cluster-error", done);
    });
  }

  /**
   * Cancels every job (queued first, one backend call), waits until the batch system confirms,
   * stops the scheduler if daskq started it, and releases everything. Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const { backend, connection, stream, scheduler, runner, ownsRunner } = this.parts;
    await this.stopAdapting();
    try {
      const left = await this.reconciler.cancelAll(this.options.closeTimeoutMs ?? 60_000);
      if (left.length > 0) this.logger.warn(`jobs still alive after close: ${left.join(" ")}; check them with your batch system`);
    } catch (error) {
      this.logger.error(`cancelling jobs failed: ${(error as Error).message}`);
    }
    stream.close();
    connection.close();
    await scheduler?.stop();
    await backend.close?.();
    if (ownsRunner) await runner.close();
    this.removeShutdownHook?.();
    this.emit("closed");
  }

  private onWorkerAdded(worker: WorkerInfo): void {
    const jobId = this.reconciler.workerAdded(worker);
    this.workerJobs.set(worker.address, jobId);
    this.emit("worker-joined", worker, jobId);
  }

  private onWorkerRemoved(address: string, worker: WorkerInfo | undefined): void {
    const info = worker ?? { address, name: address, nthreads: 0, memoryLimit: 0, host: undefined, status: undefined };
    const jobId = this.reconciler.workerRemoved(info);
    this.workerJobs.delete(address);
    this.emit("worker-left", info, jobId);
  }
}

/** `scheduler-options` from config (dask-jobqueue's names), overridden by explicit options. */
function mergeSchedulerOptions(fromConfig: unknown, explicit: SchedulerOptions | undefined): SchedulerOptions {
  const c = (fromConfig ?? {}) as Record<string, unknown>;
  const pick = (...names: string[]) => names.map((n) => c[n]).find((v) => v !== undefined && v !== null);
  const fromFile: SchedulerOptions = {
    host: pick("host") as string | undefined,
    port: pick("port") as number | undefined,
    dashboardAddress: pick("dashboard-address", "dashboard_address") as string | undefined,
    interface: pick("interface") as string | undefined,
    protocol: pick("protocol") as string | undefined,
  };
  const merged: Record<string, unknown> = { ...fromFile };
  for (const [k, v] of Object.entries(explicit ?? {})) if (v !== undefined) merged[k] = v;
  return merged as SchedulerOptions;
}

/**
 * The scheduler's Python: the scheduler option if given; else the workers' `python` when it has
 * distributed here too (same environment on a shared file system); else the first one found.
 */
async function schedulerPython(explicit: string | undefined, workers: string | undefined, env: NodeJS.ProcessEnv): Promise<PythonWithDask> {
  if (explicit) return findPython(explicit, env);
  if (workers) {
    try {
      return await findPython(workers, env);
    } catch {
      // The workers' python lives on the compute nodes only; start the scheduler with ours.
    }
  }
  return findPython(undefined, env);
}
