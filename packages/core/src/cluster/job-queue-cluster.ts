import { EventEmitter } from "node:events";
import { join } from "node:path";
import { container as globalContainer } from "tsyringe";
import type { AdaptOptions } from "../adaptive/adapt-options.js";
import type { JobAdaptive } from "../adaptive/job-adaptive.js";
import type { PoolsAdaptive } from "../adaptive/pools-adaptive.js";
import { dashboardLinkTemplate, formatDashboardLink, type DashboardLinkTemplate, type LinkTarget } from "../config/dashboard-link.js";
import type { ResolvedConfig } from "../config/load-config.js";
import { DaskqError } from "../errors.js";
import type { JobSpec } from "../job/job-spec.js";
import { silentLogger, type Logger } from "../logger.js";
import { daskqHome } from "../ownership/state-directory.js";
import type { WorkerPool } from "../pool/worker-pool.js";
import type { CommandRunner } from "../runner/command-runner.js";
import { pythonWithDask } from "../scheduler/find-python.js";
import { SchedulerConnection } from "../scheduler/scheduler-connection.js";
import { SchedulerProcess } from "../scheduler/scheduler-process.js";
import { WorkerWatch } from "../scheduler/worker-watch.js";
import { clientTlsEnv, type ClusterTls } from "../security/cluster-tls.js";
import { resolveClusterTls, writeClientEnvFile } from "../security/cluster-tls-setup.js";
import { abandonSetup, closeCluster } from "./close-cluster.js";
import type { ClusterEvents } from "./cluster-events.js";
import { newClusterId } from "./cluster-id.js";
import type { ClusterStatus, JobQueueClusterOptions, PoolScaleRequest } from "./cluster-options.js";
import { ClusterScaling } from "./cluster-scaling.js";
import { makePools, openOwnership, resolvePools, workerSpecs, type ClusterParts, type PartialCluster, type PoolSetup } from "./cluster-setup.js";
import { OwnWorkers } from "./own-workers.js";
import type { ScaleRequest } from "./scale-request.js";
import { launchScheduler, schedulerOptionsOf, schedulerPlacement } from "./scheduler-launch.js";
import { onShutdown } from "./shutdown-hooks.js";

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
 *
 * A heterogeneous cluster has several named pools behind its one scheduler, each with its own
 * backend, job spec and worker resources (`pools: [{ name: "cpu", backend: "slurm" }, { name: "gpu",
 * backend: "slurm", configName: "slurm-gpu", resources: { GPU: 1 } }]`); `scale({ pool: "gpu", workers: 2 })`.
 * All pools follow the scheduler's workers through ONE worker-status subscription, named after the
 * cluster id, and each cluster counts only the workers of its own jobs: several clusters (several
 * daskq processes) can share one scheduler (`scheduler: { address }`) without seeing, counting or
 * retiring each other's workers.
 */
export class JobQueueCluster extends EventEmitter<ClusterEvents> {
  /** This cluster's workers (those of its jobs); workers of no job of ours are not among them. */
  private readonly ownWorkers: OwnWorkers;
  private readonly scaling: ClusterScaling;
  private readonly removeShutdownHook: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  /** When the cluster was created (ms since the epoch). */
  readonly startedAt = Date.now();

  private constructor(
    private readonly parts: ClusterParts,
    private readonly options: JobQueueClusterOptions,
    private readonly logger: Logger,
  ) {
    super();
    this.ownWorkers = new OwnWorkers(parts.watch, parts.pools, this);
    this.ownWorkers.follow();
    this.scaling = new ClusterScaling(parts.pools, parts.connection, logger, (decision) => this.emit("scale-decision", decision));
    parts.scheduler?.on("exit", ({ code, signal, expected }) => {
      if (expected || this.closing) return;
      this.emit("cluster-error", new DaskqError("cluster", `the scheduler exited unexpectedly (code ${code ?? "-"}, signal ${signal ?? "-"}); closing the cluster.\n${parts.scheduler?.logTail() ?? ""}`), undefined);
      void this.close();
    });
    if (options.handleSignals ?? true) this.removeShutdownHook = onShutdown(() => this.close());
    for (const pool of parts.pools) pool.start();
  }

  /**
   * Starts (or attaches to) a scheduler and gets ready to submit jobs: creates each pool's backend,
   * runs its `prepare()` and decides where job output goes. Submits nothing yet. The steps, in
   * order: pools (`cluster-setup.ts`), Python, job specs, state file, TLS, scheduler
   * (`scheduler-launch.ts`), connection and worker watch, pools' backends.
   */
  static async create(options: JobQueueClusterOptions): Promise<JobQueueCluster> {
    const logger = options.logger ?? silentLogger;
    const env = options.env ?? process.env;
    const clusterId = newClusterId();
    const made: PartialCluster = { setups: [], pools: [] };
    try {
      resolvePools(options, clusterId, options.container ?? globalContainer, logger, made.setups);
      const first = made.setups[0] as PoolSetup;
      const schedulerOptions = schedulerOptionsOf(first.config.values["scheduler-options"], options.scheduler);
      const linkTemplate = dashboardLinkTemplate({ env: options.env, homeDir: options.homeDir });
      formatDashboardLink(linkTemplate, { host: "localhost", port: 8787 }, options.env); // a bad template fails here, not later
      const placementKey = `jobqueue.${first.config.section}.scheduler-placement`;
      const placement = schedulerPlacement(schedulerOptions.placement ?? first.config.values["scheduler-placement"], first.runner, placementKey);
      // Over SSH the scheduler (remote placement) and the workers default to the login node's python.
      const python = await pythonWithDask(first.runner, { explicit: schedulerOptions.python, fallback: first.config.values["python"] as string | undefined }, env);
      const specs = await workerSpecs(made.setups, python, env);
      const ownership = (made.ownership = await openOwnership(clusterId, made.setups, specs, options, logger));
      const firstOwned = ownership.pool(first.options.name);
      const tls = (made.tls = await resolveClusterTls(options.tls, schedulerOptions.address, join(daskqHome(env), "tls", clusterId), clusterId));
      if (tls?.directory) await ownership.recordLocalTempDir(tls.directory);
      const launched = await launchScheduler({ options: schedulerOptions, placement, placementKey, python, setups: made.setups, spec: specs[0] as JobSpec, ownership: firstOwned, tls, env, logger });
      const { scheduler, address } = launched;
      made.scheduler = scheduler;
      made.schedulerBackend = launched.backend;
      await ownership.recordScheduler(address, scheduler instanceof SchedulerProcess ? scheduler.workDirectory : undefined);
      const connection = (made.connection = new SchedulerConnection(address, tls ? { tls: tls.files } : {}));
      const clientEnvFile = tls ? await writeClientEnvFile(tls, address) : undefined;
      const watch = (made.watch = await WorkerWatch.open(connection, { name: `daskq-worker-status-${clusterId}`, checkIntervalMs: options.workerCheckIntervalMs, logger }));
      let cluster: JobQueueCluster | undefined;
      const context = {
        scheduler: connection,
        workerSchedulerAddress: () => (cluster as JobQueueCluster).workerSchedulerAddress,
        tls: tls?.pem,
        emit: (event: string, ...args: unknown[]) => (cluster as JobQueueCluster).emitEvent(event, args),
        logger,
        several: made.setups.length > 1,
        pollIntervalMs: options.pollIntervalMs ?? 2_000,
        maxStartFailures: options.maxStartFailures ?? 3,
        retryBackoffMs: options.retryBackoffMs ?? 2_000,
      };
      await makePools(made.setups, specs, ownership, launched.backend, context, made.pools);
      cluster = new JobQueueCluster({ pools: made.pools, scheduler, connection, watch, clusterId, linkTemplate, tls, clientEnvFile, ownership }, options, logger);
      return cluster;
    } catch (error) {
      await abandonSetup(made);
      throw error;
    }
  }

  /** The scheduler's address, for `Client(address)`. */
  get schedulerAddress(): string {
    return this.parts.scheduler?.address ?? this.parts.connection.address;
  }

  /** The scheduler's own address, which the worker jobs connect to (differs from `schedulerAddress` over an SSH forward). */
  get workerSchedulerAddress(): string {
    return this.parts.scheduler?.workerAddress ?? this.parts.connection.address;
  }

  /** Where the default pool's commands run: this machine or a login node over SSH. */
  get runner(): CommandRunner {
    return this.defaultPool.parts.runner;
  }

  /** What carries `schedulerAddress` to `workerSchedulerAddress` when they differ (an SSH connection, UNICORE port forwarding). */
  get schedulerForwardedThrough(): string | undefined {
    return this.parts.scheduler?.forwardedThrough;
  }

  /** Process id of the scheduler daskq started on this machine; undefined when attached or remote. */
  get schedulerPid(): number | undefined {
    return this.parts.scheduler?.pid;
  }

  /**
   * The dashboard URL when the scheduler serves one (it needs bokeh), written with Dask's
   * `distributed.dashboard.link` template (e.g. `{JUPYTERHUB_SERVICE_PREFIX}proxy/{port}/status`).
   */
  get dashboardLink(): string | undefined {
    const own = this.parts.scheduler?.dashboardLink;
    if (!own) return undefined;
    const url = URL.canParse(own) ? new URL(own) : undefined;
    if (!url?.port) return own;
    return this.formatLink({ host: url.hostname, port: Number(url.port) });
  }

  /** The `distributed.dashboard.link` template in force, and where it came from. */
  get linkTemplate(): DashboardLinkTemplate {
    return this.parts.linkTemplate;
  }

  /** A link to a web page of this cluster (`host:port`) through the dashboard link template. */
  formatLink(target: LinkTarget): string {
    return formatDashboardLink(this.parts.linkTemplate, target, this.options.env ?? process.env);
  }

  /** True when the scheduler speaks TLS (`tls://`). */
  get tls(): boolean {
    return this.schedulerAddress.startsWith("tls://");
  }

  /** The cluster's TLS material (files and PEM texts); undefined when TLS is off. */
  get security(): ClusterTls | undefined {
    return this.parts.tls;
  }

  /** A shell file that sets `clientEnv` (`. client.env`), when daskq made the TLS files. */
  get clientEnvFile(): string | undefined {
    return this.parts.clientEnvFile;
  }

  /**
   * Environment with which a Python `Client()` reaches this cluster without arguments:
   * `DASK_SCHEDULER_ADDRESS`, and with TLS the `DASK_DISTRIBUTED__COMM__TLS__*` variables.
   */
  get clientEnv(): Record<string, string> {
    return { DASK_SCHEDULER_ADDRESS: this.schedulerAddress, ...(this.parts.tls ? clientTlsEnv(this.parts.tls) : {}) };
  }

  /** The resolved job spec every job of the default (first) pool is rendered from. */
  get spec(): JobSpec {
    return this.defaultPool.spec;
  }

  /** The default (first) pool's resolved configuration with the source of every value. */
  get config(): ResolvedConfig {
    return this.defaultPool.parts.config;
  }

  /** Unique id of this cluster: names its ONE state file (`daskq ls`), which records the jobs of every pool. */
  get clusterId(): string {
    return this.parts.clusterId;
  }

  /** The default (first) pool's backend name. */
  get backendName(): string {
    return this.defaultPool.parts.descriptor.name;
  }

  /** The pools, in order of preference; a cluster made without `pools` has one, named `default`. */
  get pools(): readonly WorkerPool[] {
    return this.parts.pools;
  }

  /**
   * The pool called `name`.
   *
   * @throws DaskqError naming the pools there are.
   */
  pool(name: string): WorkerPool {
    const pool = this.parts.pools.find((p) => p.name === name);
    if (!pool) throw new DaskqError("cluster", `no pool named ${JSON.stringify(name)}; this cluster has ${this.parts.pools.map((p) => p.name).join(", ")}`);
    return pool;
  }

  /** Connection to the scheduler, for callers that need more RPCs. */
  get scheduler(): SchedulerConnection {
    return this.parts.connection;
  }

  /**
   * Asks for a pool of this size (the default pool unless `pool` is given); rounded up to whole
   * jobs. Resolves once the request is recorded. Like in Dask, a manual scale() stops adaptivity.
   */
  async scale(request: PoolScaleRequest): Promise<void> {
    if (this.closing) throw new DaskqError("cluster", "scale() called on a closed cluster");
    const { pool: poolName, ...size } = request as ScaleRequest & { readonly pool?: string };
    await this.scaling.scale(poolName === undefined ? this.defaultPool : this.pool(poolName), size as ScaleRequest);
  }

  /**
   * Lets the load decide the size, at job granularity, between the given bounds (workers, jobs,
   * cores or memory). Replaces an earlier adapt(); scale() or close() stops it. Every decision is
   * logged and emitted as `scale-decision`. A cluster with several pools adapts each pool between
   * its own `minimumJobs` and `maximumJobs` (see `PoolsAdaptive`; bounds given here are then an
   * error). A single-pool cluster takes the bounds given here over its pool's.
   */
  async adapt(options: AdaptOptions = {}): Promise<JobAdaptive | PoolsAdaptive> {
    if (this.closing) throw new DaskqError("cluster", "adapt() called on a closed cluster");
    return this.scaling.adapt(options);
  }

  /** Stops adaptivity, if on; the cluster keeps its current size. */
  stopAdapting(): Promise<void> {
    return this.scaling.stop();
  }

  /** The script one worker job of the default pool (or of `pool`) would be submitted with (for a backend without scripts: what it runs). */
  jobScript(pool?: string): string {
    return (pool === undefined ? this.defaultPool : this.pool(pool)).jobScript();
  }

  /** Where the default pool's job output goes: `log-directory`, else a directory daskq owns for this cluster (removed on close). */
  get outputDirectory(): string {
    return this.defaultPool.parts.output.directory;
  }

  /** Jobs, their states and workers, right now; per pool in `pools`. */
  status(): ClusterStatus {
    const pools = this.parts.pools.map((p) => p.status());
    const jobs = pools.flatMap((p) => p.jobs);
    const workers = this.ownWorkers.all.map(({ worker: w, jobId, pool }) => ({ name: w.name, address: w.address, host: w.host, jobId, pool }));
    return {
      schedulerAddress: this.schedulerAddress,
      dashboardLink: this.dashboardLink,
      targetJobs: pools.reduce((sum, p) => sum + p.targetJobs, 0),
      jobs,
      workers,
      counts: {
        queued: jobs.filter((j) => j.state === "queued").length,
        running: jobs.filter((j) => j.state === "running").length,
        workers: workers.length,
        otherWorkers: this.ownWorkers.others,
      },
      pools,
    };
  }

  /** The last `lines` lines of a job's output, from its pool's backend (`logTail`); undefined when it has none. */
  jobLogTail(jobId: string, lines = 20): Promise<string | undefined> {
    const pool = this.parts.pools.find((p) => p.reconciler.trackedJobs.some((j) => j.id === jobId)) ?? this.defaultPool;
    return pool.parts.backend.logTail(jobId, lines);
  }

  /** Resolves when at least `n` of this cluster's workers are connected; rejects on timeout or cluster error. */
  waitForWorkers(n: number, timeoutMs = 120_000): Promise<void> {
    return this.ownWorkers.waitFor(n, timeoutMs);
  }

  /**
   * Cancels every job (queued first, one backend call per pool), waits until the batch systems
   * confirm, stops the scheduler if daskq started it, and releases everything. Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= closeCluster(this.parts, this.ownWorkers, this.scaling, this.options.closeTimeoutMs ?? 60_000, this.logger).then(() => {
      this.removeShutdownHook?.();
      this.emit("closed");
    });
    return this.closing;
  }

  private get defaultPool(): WorkerPool {
    return this.parts.pools[0] as WorkerPool;
  }

  /** Emits an event of a pool (its name last). */
  private emitEvent(event: string, args: unknown[]): void {
    (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
  }
}
