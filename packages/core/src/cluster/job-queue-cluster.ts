import { EventEmitter } from "node:events";
import { container as globalContainer, type DependencyContainer } from "tsyringe";
import type { Backend, BackendDescriptor } from "../backend/backend.js";
import { dashboardLinkTemplate, formatDashboardLink, type DashboardLinkTemplate, type LinkTarget } from "../config/dashboard-link.js";
import { loadBackendConfig, type BackendConfigSources } from "../config/load-backend-config.js";
import type { ResolvedConfig } from "../config/load-config.js";
import { resolveJobSpec } from "../config/job-spec-from-config.js";
import { ConfigError, DaskqError, TimeoutError } from "../errors.js";
import type { JobSpec } from "../job/job-spec.js";
import { silentLogger, type Logger } from "../logger.js";
import { findBackend } from "../registry/backend-registry.js";
import type { CommandRunner } from "../runner/command-runner.js";
import { findPython, type PythonWithDask } from "../scheduler/find-python.js";
import { SchedulerConnection } from "../scheduler/scheduler-connection.js";
import { SchedulerProcess, type SchedulerProcessOptions } from "../scheduler/scheduler-process.js";
import type { LaunchedScheduler } from "../scheduler/launched-scheduler.js";
import { findRemotePython, RemoteScheduler } from "../scheduler/remote-scheduler.js";
import type { SshRunnerOptions } from "../ssh/ssh-runner.js";
import { runnerFromConfig } from "./runner-from-config.js";
import type { WorkerInfo } from "../scheduler/worker-info.js";
import { WorkerWatch } from "../scheduler/worker-watch.js";
import { jobBounds, type AdaptOptions } from "../adaptive/adapt-options.js";
import { adaptiveTargetUnit } from "../adaptive/adaptive-target.js";
import { JobAdaptive } from "../adaptive/job-adaptive.js";
import type { ClusterEvents } from "./cluster-events.js";
import { clusterOutputLocation, type OutputLocation } from "./output-directory.js";
import { checkPools, resourceArguments, type PoolOptions } from "./pool-options.js";
import { WorkerPool, type PoolStatus } from "./worker-pool.js";
import { PoolsAdaptive } from "../adaptive/pools-adaptive.js";
import type { ScaleDecision } from "../adaptive/scale-decision.js";
import { SCHEDULER_PRELOAD } from "../scheduler/scheduler-preload.js";
import { jobsForRequest, type ScaleRequest } from "./scale-request.js";
import { onShutdown } from "./shutdown-hooks.js";
import { newClusterId } from "./cluster-id.js";
import { ClusterOwnership } from "../ownership/cluster-ownership.js";
import { recordedBackendOptions } from "../ownership/recorded-options.js";
import { daskqHome, stateDirectory } from "../ownership/state-directory.js";
import { clientTlsEnv, type ClusterTls, type TlsSetting } from "../security/cluster-tls.js";
import { removeClusterTls, resolveClusterTls, schedulerTlsArguments, writeClientEnvFile } from "../security/cluster-tls-setup.js";
import { join } from "node:path";
import type { JobSnapshot } from "./tracked-job.js";

/** How long close() looks for the cluster's workers to leave the scheduler after its jobs ended. */
const CLOSE_WORKER_CHECK_MS = 3_000;

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

interface Parts {
  /** The pools, in order of preference (the first is the default pool: `spec`, `config`, `jobScript()` speak of it). */
  readonly pools: readonly WorkerPool[];
  readonly scheduler: LaunchedScheduler | undefined;
  readonly connection: SchedulerConnection;
  readonly watch: WorkerWatch;
  readonly clusterId: string;
  readonly linkTemplate: DashboardLinkTemplate;
  readonly tls: ClusterTls | undefined;
  /** `client.env` beside daskq's own TLS files, when daskq made them. */
  readonly clientEnvFile: string | undefined;
  /** The cluster's state file and watchdog (each pool records its jobs through `ownership.pool(name)`). */
  readonly ownership: ClusterOwnership;
}

/** A pool's backend and configuration, before anything is started. */
interface PoolSetup {
  readonly options: PoolOptions;
  readonly descriptor: BackendDescriptor;
  readonly config: ResolvedConfig;
  readonly runner: CommandRunner;
  readonly ownsRunner: boolean;
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
  /** This cluster's workers by address, with their job and pool; workers of no job of ours are not here. */
  private readonly ownWorkers = new Map<string, { readonly worker: WorkerInfo; readonly jobId: string; readonly pool: string }>();
  private readonly removeShutdownHook: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  private adaptive: JobAdaptive | PoolsAdaptive | undefined;
  /** When the cluster was created (ms since the epoch). */
  readonly startedAt = Date.now();

  private constructor(
    private readonly parts: Parts,
    private readonly options: JobQueueClusterOptions,
    private readonly logger: Logger,
  ) {
    super();
    for (const pool of parts.pools) {
      this.on("job-running", (job, name) => name === pool.name && pool.parts.ownership.jobRunning(job.id));
      this.on("job-ended", (job, name) => name === pool.name && pool.parts.ownership.jobEnded(job.id));
      this.on("job-failed", (job, _details, name) => name === pool.name && pool.parts.ownership.jobEnded(job.id));
    }
    for (const worker of parts.watch.workers.values()) this.onWorkerAdded(worker);
    parts.watch.on("add", (worker) => this.onWorkerAdded(worker));
    parts.watch.on("remove", (address, worker) => this.onWorkerRemoved(address, worker));
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
   * runs its `prepare()` and decides where job output goes. Submits nothing yet.
   */
  static async create(options: JobQueueClusterOptions): Promise<JobQueueCluster> {
    const logger = options.logger ?? silentLogger;
    const container = options.container ?? globalContainer;
    const poolOptions = poolsOf(options);
    const setups: PoolSetup[] = [];
    const pools: WorkerPool[] = [];
    let ownership: ClusterOwnership | undefined;
    let scheduler: LaunchedScheduler | undefined;
    let tls: ClusterTls | undefined;
    let connection: SchedulerConnection | undefined;
    let watch: WorkerWatch | undefined;
    /** With "job" placement: the default pool's backend, made early because it launches the scheduler. */
    let schedulerBackend: Backend | undefined;
    try {
      for (const pool of poolOptions) setups.push(resolvePoolSetup(pool, options, container, logger));
      const first = setups[0] as PoolSetup;
      const { config, runner } = first;
      const schedulerOptions = mergeSchedulerOptions(config.values["scheduler-options"], options.scheduler);
      const linkTemplate = dashboardLinkTemplate({ env: options.env, homeDir: options.homeDir });
      formatDashboardLink(linkTemplate, { host: "localhost", port: 8787 }, options.env); // a bad template fails here, not later
      const placementKey = `jobqueue.${config.section}.scheduler-placement`;
      const placement = schedulerPlacement(schedulerOptions.placement ?? config.values["scheduler-placement"], runner, placementKey);
      const workersPython = config.values["python"] as string | undefined;
      // Over SSH the scheduler (remote placement) and the workers default to the login node's python.
      const python = runner.forwardLocalPort
        ? await findRemotePython(runner, [schedulerOptions.python, workersPython])
        : (await schedulerPython(schedulerOptions.python, workersPython, options.env ?? process.env)).path;
      const localPython = placement === "local" && runner.forwardLocalPort ? (await schedulerPython(schedulerOptions.python, undefined, options.env ?? process.env)).path : python;
      const clusterId = newClusterId();
      const specs: JobSpec[] = [];
      for (const [i, setup] of setups.entries()) {
        const fallback = i === 0 ? python : setup.runner.forwardLocalPort ? await findRemotePython(setup.runner, [setup.config.values["python"] as string | undefined]) : python;
        const spec = resolveJobSpec(setup.config, { python: fallback });
        const resourceArgs = resourceArguments(setup.options.resources);
        specs.push(resourceArgs.length > 0 ? { ...spec, workerExtraArgs: [...spec.workerExtraArgs, ...resourceArgs] } : spec);
      }
      const stateDir = options.stateDirectory ?? stateDirectory(options.env ?? process.env);
      // ONE state file for the cluster, recording each pool's backend, runner and jobs.
      const owned = setups.map((setup, i) => ({
        name: setup.options.name,
        poolId: poolId(clusterId, setups, i),
        backend: setup.descriptor.name,
        backendOptions: recordedBackendOptions((specs[i] as JobSpec).backendOptions, setup.config.keys, setup.config.section),
        runner: setup.runner,
        ssh: sshOfRunner(setup.config, setup.options.runner ?? options.runner),
      }));
      ownership = await ClusterOwnership.open({ clusterId, pools: owned }, { stateDirectory: stateDir, watchdog: options.watchdog }, logger);
      const firstOwned = ownership.pool(first.options.name);
      tls = await resolveClusterTls(options.tls, schedulerOptions.address, join(daskqHome(options.env ?? process.env), "tls", clusterId), clusterId);
      if (tls?.directory) await ownership.recordLocalTempDir(tls.directory);
      if (!schedulerOptions.address) {
        const launch = {
          // A local-only host (127.0.0.1 of the local backend) only when every pool's workers can use it.
          host: schedulerOptions.host ?? (placement === "local" && setups.every((s) => s.descriptor.defaultSchedulerHost === first.descriptor.defaultSchedulerHost) ? first.descriptor.defaultSchedulerHost : undefined),
          port: schedulerOptions.port,
          dashboardAddress: schedulerOptions.dashboardAddress,
          interface: schedulerOptions.interface,
          protocol: tls ? "tls" : schedulerOptions.protocol,
          extraArgs: [
            ...(tls ? await schedulerTlsArguments(tls, placement === "remote" ? firstOwned.wrapRunner(runner) : undefined) : []),
            // Adaptivity across pools asks the scheduler what its unrunnable tasks need (`PoolsAdaptive`),
            // and each daskq process attached to it gets its own worker status subscription.
            ...(placement === "local" ? ["--preload", SCHEDULER_PRELOAD] : []),
            ...(schedulerOptions.extraArgs ?? []),
          ],
          logger,
        };
        if (placement === "job") {
          // The default pool's backend checks its credentials (prepare) before the scheduler job is submitted.
          const spec = specs[0] as JobSpec;
          schedulerBackend = firstOwned.wrapBackend(first.descriptor.create({ runner: firstOwned.wrapRunner(runner), logger, options: spec.backendOptions, section: first.config.section, clusterId }));
          if (!schedulerBackend.launchScheduler) throw new ConfigError(`"job" needs a backend that runs the scheduler as a job; ${first.descriptor.name} does not`, { keyPath: placementKey });
          await schedulerBackend.prepare?.();
          scheduler = await schedulerBackend.launchScheduler({ spec, logger, onSubmitted: (id) => firstOwned.recordJobs([id]), ...(tls ? { tls: tls.pem } : {}) });
        } else {
          scheduler =
            placement === "remote"
              ? await RemoteScheduler.start({ ...launch, runner, python, leaseSeconds: schedulerOptions.leaseSeconds })
              : await SchedulerProcess.start({ ...launch, python: localPython });
        }
      }
      const address = scheduler?.address ?? (schedulerOptions.address as string);
      await ownership.recordScheduler(address, scheduler instanceof SchedulerProcess ? scheduler.workDirectory : undefined);
      connection = new SchedulerConnection(address, tls ? { tls: tls.files } : {});
      const clientEnvFile = tls ? await writeClientEnvFile(tls, address) : undefined;
      watch = await WorkerWatch.open(connection, { name: `daskq-worker-status-${clusterId}`, checkIntervalMs: options.workerCheckIntervalMs, logger });
      let cluster: JobQueueCluster | undefined;
      const context = {
        scheduler: connection,
        workerSchedulerAddress: () => (cluster as JobQueueCluster).workerSchedulerAddress,
        tls: tls?.pem,
        emit: (event: keyof ClusterEvents, ...args: unknown[]) => (cluster as JobQueueCluster).emitEvent(event, args),
        logger,
        several: setups.length > 1,
        pollIntervalMs: options.pollIntervalMs ?? 2_000,
        maxStartFailures: options.maxStartFailures ?? 3,
        retryBackoffMs: options.retryBackoffMs ?? 2_000,
      };
      for (const [i, setup] of setups.entries()) {
        const id = poolId(clusterId, setups, i);
        const poolOwnership = ownership.pool(setup.options.name);
        const spec = specs[i] as JobSpec;
        // With "job" placement the default pool's backend exists already, prepared: it launched the scheduler.
        const early = i === 0 ? schedulerBackend : undefined;
        const backend = early ?? poolOwnership.wrapBackend(setup.descriptor.create({ runner: poolOwnership.wrapRunner(setup.runner), logger, options: spec.backendOptions, section: setup.config.section, clusterId: id }));
        try {
          if (!early) await backend.prepare?.();
        } catch (error) {
          await backend.close?.();
          throw error;
        }
        const output = await clusterOutputLocation(setup.runner, id, spec.logDirectory);
        // A dead owner's cleanup removes it as close() does (a `log-directory` is never removed).
        if (output.owned) await poolOwnership.recordRunnerDirectory(output.owned);
        const { minimumJobs = 0, maximumJobs = Infinity, resources = {} } = setup.options;
        pools.push(
          new WorkerPool(
            { name: setup.options.name, poolId: id, descriptor: setup.descriptor, config: setup.config, spec, backend, output, runner: setup.runner, ownsRunner: setup.ownsRunner, ownership: poolOwnership, resources, minimumJobs, maximumJobs },
            context,
          ),
        );
      }
      const parts: Parts = { pools, scheduler, connection, watch, clusterId, linkTemplate, tls, clientEnvFile, ownership };
      cluster = new JobQueueCluster(parts, options, logger);
      return cluster;
    } catch (error) {
      watch?.close();
      for (const pool of pools) await pool.parts.backend.close?.();
      connection?.close();
      await scheduler?.stop();
      if (schedulerBackend && !pools.some((pool) => pool.parts.backend === schedulerBackend)) await schedulerBackend.close?.();
      for (const setup of setups) if (setup.ownsRunner) await setup.runner.close();
      await removeClusterTls(tls);
      await ownership?.closed();
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
    const pool = poolName === undefined ? this.defaultPool : this.pool(poolName);
    const jobs = jobsForRequest(size as ScaleRequest, pool.spec);
    if (this.adaptive) {
      this.logger.info("scale() called by hand: adaptivity stopped");
      await this.stopAdapting();
    }
    const where = this.parts.pools.length > 1 ? `pool ${pool.name}: ` : "";
    this.logger.info(`${where}scale to ${jobs} job(s) (${jobs * pool.spec.processes} workers)`);
    pool.reconciler.setTarget(jobs);
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
    await this.stopAdapting();
    const version = await this.parts.connection.distributedVersion().catch(() => undefined);
    const common = {
      ...options,
      targetUnit: adaptiveTargetUnit(version),
      logger: options.logger ?? this.logger,
      onDecision: (decision: ScaleDecision) => {
        options.onDecision?.(decision);
        this.emit("scale-decision", decision);
      },
    };
    if (this.parts.pools.length > 1) {
      const bounds = Object.entries(options).filter(([key, value]) => /^(minimum|maximum)/.test(key) && value !== undefined);
      if (bounds.length > 0) throw new DaskqError("adaptive", `a cluster with pools adapts each pool between its own minimumJobs and maximumJobs; got ${bounds.map(([k]) => k).join(", ")} for adapt()`);
      const adaptive = new PoolsAdaptive(this.parts.connection, this.parts.pools, common);
      this.adaptive = adaptive;
      this.logger.info(`adapting ${this.parts.pools.map((p) => `${p.name} (${p.parts.minimumJobs}..${p.parts.maximumJobs} jobs)`).join(", ")} (distributed ${version ?? "unknown"})`);
      return adaptive.start();
    }
    const pool = this.defaultPool;
    const bounds = jobBounds({ minimumJobs: pool.parts.minimumJobs || undefined, maximumJobs: Number.isFinite(pool.parts.maximumJobs) ? pool.parts.maximumJobs : undefined, ...options }, pool.spec);
    const adaptive = new JobAdaptive(this.parts.connection, pool.reconciler, pool.spec, bounds, common);
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
    const workers = [...this.ownWorkers.values()].map(({ worker: w, jobId, pool }) => ({ name: w.name, address: w.address, host: w.host, jobId, pool }));
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
        otherWorkers: [...this.parts.watch.workers.keys()].filter((address) => !this.ownWorkers.has(address)).length,
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
    if (this.ownWorkers.size >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.off("worker-joined", check);
        this.off("cluster-error", done);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (this.ownWorkers.size >= n) done();
      };
      const timer = setTimeout(() => done(new TimeoutError("cluster", `waiting for ${n} workers (have ${this.ownWorkers.size})`, timeoutMs)), timeoutMs);
      this.on("worker-joined", check);
      this.on("cluster-error", done);
    });
  }

  /**
   * Cancels every job (queued first, one backend call per pool), waits until the batch systems
   * confirm, stops the scheduler if daskq started it, and releases everything. Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private get defaultPool(): WorkerPool {
    return this.parts.pools[0] as WorkerPool;
  }

  /** Emits an event of a pool (its name last). */
  private emitEvent(event: keyof ClusterEvents, args: unknown[]): void {
    (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
  }

  private async doClose(): Promise<void> {
    const { connection, scheduler, pools } = this.parts;
    const watch = this.parts.watch;
    await this.parts.ownership.closing();
    await this.stopAdapting();
    await Promise.all(
      pools.map(async (pool) => {
        try {
          const left = await pool.cancelAll(this.options.closeTimeoutMs ?? 60_000);
          if (left.length > 0) this.logger.warn(`jobs still alive after close: ${left.join(" ")}; check them with your batch system`);
        } catch (error) {
          this.logger.error(`cancelling jobs${pools.length > 1 ? ` of pool ${pool.name}` : ""} failed: ${(error as Error).message}`);
        }
      }),
    );
    await this.seeOwnWorkersLeave(watch);
    watch.close();
    connection.close();
    await scheduler?.stop();
    for (const pool of pools) await pool.release();
    await removeClusterTls(this.parts.tls);
    await this.parts.ownership.closed();
    this.removeShutdownHook?.();
    this.emit("closed");
  }

  /**
   * After its jobs ended, waits (briefly) until the scheduler no longer lists the cluster's
   * workers, checking the scheduler directly, so that every worker that joined is also announced
   * leaving, also by a process that follows the workers by checks (attach mode without the preload).
   */
  private async seeOwnWorkersLeave(watch: WorkerWatch): Promise<void> {
    const deadline = Date.now() + CLOSE_WORKER_CHECK_MS;
    while (this.ownWorkers.size > 0 && Date.now() < deadline) {
      try {
        await watch.check();
      } catch {
        return;
      }
      if (this.ownWorkers.size > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** A worker joined: the pool whose job it belongs to (if any) takes it; a worker of no job of ours is not this cluster's. */
  private onWorkerAdded(worker: WorkerInfo): void {
    for (const pool of this.parts.pools) {
      const jobId = pool.workerAdded(worker);
      if (jobId === undefined) continue;
      this.ownWorkers.set(worker.address, { worker, jobId, pool: pool.name });
      this.emit("worker-joined", worker, jobId, pool.name);
      return;
    }
  }

  private onWorkerRemoved(address: string, worker: WorkerInfo | undefined): void {
    const own = this.ownWorkers.get(address);
    if (!own) return;
    this.ownWorkers.delete(address);
    const info = worker ?? own.worker;
    this.parts.pools.find((p) => p.name === own.pool)?.workerRemoved(info);
    this.emit("worker-left", info, own.jobId, own.pool);
  }
}

/** The pools of a cluster: `options.pools`, or one pool named `default` from `backend`, `job` and `configName`. */
function poolsOf(options: JobQueueClusterOptions): PoolOptions[] {
  const inherited = { env: options.env, homeDir: options.homeDir };
  if (options.pools) {
    if (options.backend !== undefined || options.job !== undefined || options.configName !== undefined) {
      throw new DaskqError("cluster", "give either pools or backend/job/configName, not both (each pool has its own backend, job and configName)");
    }
    checkPools(options.pools);
    return options.pools.map((pool) => ({ ...inherited, ...pool }));
  }
  if (options.backend === undefined) throw new DaskqError("cluster", "no backend given: set backend (e.g. \"slurm\") or pools");
  return [{ ...inherited, name: "default", backend: options.backend, job: options.job, configName: options.configName }];
}

/** A pool's backend descriptor, configuration and runner (nothing started yet). */
function resolvePoolSetup(pool: PoolOptions, options: JobQueueClusterOptions, container: DependencyContainer, logger: Logger): PoolSetup {
  const descriptor = typeof pool.backend === "string" ? findBackend(container, pool.backend) : pool.backend;
  const config = loadBackendConfig(descriptor, pool);
  for (const warning of config.warnings) logger.warn(warning);
  const { runner, owned } = runnerFromConfig(config, { runner: pool.runner ?? options.runner, container, ssh: options.ssh, logger });
  return { options: pool, descriptor, config, runner, ownsRunner: owned };
}

/** The first pool has the cluster's id (its state file is the cluster's); a further one `<clusterId>-<name>`. */
function poolId(clusterId: string, setups: readonly PoolSetup[], index: number): string {
  return index === 0 ? clusterId : `${clusterId}-${(setups[index] as PoolSetup).options.name}`;
}

/**
 * The placement asked for, else `remote` for a runner that reaches another machine, else `local`.
 *
 * @throws ConfigError for another value, or `remote` with a runner on this machine.
 */
function schedulerPlacement(value: unknown, runner: CommandRunner, keyPath: string): SchedulerPlacement {
  if (value === undefined || value === null) return runner.forwardLocalPort ? "remote" : "local";
  if (value !== "local" && value !== "remote" && value !== "job") throw new ConfigError(`expected local, remote or job, got ${JSON.stringify(value)}`, { keyPath });
  if (value === "remote" && !runner.forwardLocalPort) {
    throw new ConfigError(`"remote" needs a runner that reaches another machine (set ssh); ${runner.description} runs here`, { keyPath });
  }
  return value;
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

/** The SSH destination of a runner made from config `ssh` (a watchdog can reconnect to it); undefined otherwise. */
function sshOfRunner(config: ResolvedConfig, given: CommandRunner | undefined): { destination: string; acceptNewHostKey: boolean } | undefined {
  const destination = config.values["ssh"] as string | undefined;
  if (given || destination === undefined) return undefined;
  return { destination, acceptNewHostKey: config.values["ssh-accept-new-host-key"] === true };
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
