import type { DependencyContainer } from "tsyringe";
import type { Backend, BackendDescriptor } from "../backend/backend.js";
import { loadBackendConfig } from "../config/load-backend-config.js";
import type { ResolvedConfig } from "../config/load-config.js";
import type { DashboardLinkTemplate } from "../config/dashboard-link.js";
import { resolveJobSpec } from "../config/job-spec-from-config.js";
import { DaskqError } from "../errors.js";
import type { JobSpec } from "../job/job-spec.js";
import type { Logger } from "../logger.js";
import { ClusterOwnership } from "../ownership/cluster-ownership.js";
import type { PoolOwnership } from "../ownership/pool-ownership.js";
import { recordedBackendOptions } from "../ownership/recorded-options.js";
import { RecordingRunner } from "../ownership/recording-runner.js";
import { stateDirectory } from "../ownership/state-directory.js";
import { clusterOutputLocation } from "../pool/output-directory.js";
import { checkPools, resourceArguments, type PoolOptions } from "../pool/pool-options.js";
import { WorkerPool, type WorkerPoolContext } from "../pool/worker-pool.js";
import { findBackend } from "../registry/backend-registry.js";
import type { CommandRunner } from "../runner/command-runner.js";
import { pythonWithDask } from "../scheduler/find-python.js";
import type { LaunchedScheduler } from "../scheduler/launched-scheduler.js";
import type { SchedulerConnection } from "../scheduler/scheduler-connection.js";
import type { WorkerWatch } from "../scheduler/worker-watch.js";
import type { ClusterTls } from "../security/cluster-tls.js";
import type { JobQueueClusterOptions } from "./cluster-options.js";
import { runnerFromConfig } from "./runner-from-config.js";

/** A pool's backend and configuration, before anything is started. */
export interface PoolSetup {
  readonly options: PoolOptions;
  readonly descriptor: BackendDescriptor;
  readonly config: ResolvedConfig;
  readonly runner: CommandRunner;
  readonly ownsRunner: boolean;
  /** The id its backend, job names and output directory use: the cluster id for the first pool, `<clusterId>-<name>` for the others. */
  readonly poolId: string;
}

/**
 * Step 1 of a cluster: each pool's backend descriptor, configuration (warnings logged) and runner,
 * pushed onto `into` one by one (so the runners made so far can be closed when a later pool fails).
 * The pools are `options.pools`, or one pool named `default` from `backend`, `job` and `configName`.
 */
export function resolvePools(options: JobQueueClusterOptions, clusterId: string, container: DependencyContainer, logger: Logger, into: PoolSetup[]): void {
  for (const [index, pool] of poolsOf(options).entries()) {
    const descriptor = typeof pool.backend === "string" ? findBackend(container, pool.backend) : pool.backend;
    const config = loadBackendConfig(descriptor, pool);
    for (const warning of config.warnings) logger.warn(warning);
    const { runner, owned } = runnerFromConfig(config, { runner: pool.runner ?? options.runner, container, ssh: options.ssh, logger });
    // The first pool has the cluster's id (its state file is the cluster's); a further one `<clusterId>-<name>`.
    into.push({ options: pool, descriptor, config, runner, ownsRunner: owned, poolId: index === 0 ? clusterId : `${clusterId}-${pool.name}` });
  }
}

/**
 * Step 2: each pool's job spec, with the pool's `--resources` in `workerExtraArgs`. A pool without
 * a configured `python` gets `python` (the first pool's runner's); a further pool whose runner
 * reaches another machine gets one found there.
 */
export async function workerSpecs(setups: readonly PoolSetup[], python: string, env: NodeJS.ProcessEnv): Promise<JobSpec[]> {
  const specs: JobSpec[] = [];
  for (const [i, setup] of setups.entries()) {
    const configured = setup.config.values["python"] as string | undefined;
    const fallback = i > 0 && setup.runner.forwardLocalPort ? await pythonWithDask(setup.runner, { fallback: configured }, env) : python;
    const spec = resolveJobSpec(setup.config, { python: fallback });
    const resourceArgs = resourceArguments(setup.options.resources);
    specs.push(resourceArgs.length > 0 ? { ...spec, workerExtraArgs: [...spec.workerExtraArgs, ...resourceArgs] } : spec);
  }
  return specs;
}

/** Step 3: the cluster's ONE state file, recording each pool's backend, runner and (later) jobs, and its watchdog. */
export function openOwnership(clusterId: string, setups: readonly PoolSetup[], specs: readonly JobSpec[], options: JobQueueClusterOptions, logger: Logger): Promise<ClusterOwnership> {
  const pools = setups.map((setup, i) => ({
    name: setup.options.name,
    poolId: setup.poolId,
    backend: setup.descriptor.name,
    backendOptions: recordedBackendOptions((specs[i] as JobSpec).backendOptions, setup.config.keys, setup.config.section),
    runner: setup.runner,
    ssh: sshOfRunner(setup.config, setup.options.runner ?? options.runner),
  }));
  const directory = options.stateDirectory ?? stateDirectory(options.env ?? process.env);
  return ClusterOwnership.open({ clusterId, pools }, { stateDirectory: directory, watchdog: options.watchdog }, logger);
}

/**
 * A pool's backend, not yet prepared. Its runner records every directory it makes in the pool's
 * part of the state file (`RecordingRunner`); the jobs it submits are recorded by the reconciler.
 */
export function makeBackend(setup: PoolSetup, spec: JobSpec, ownership: PoolOwnership, logger: Logger): Backend {
  const runner = new RecordingRunner(setup.runner, (directory) => ownership.recordRunnerDirectory(directory));
  return setup.descriptor.create({ runner, logger, options: spec.backendOptions, section: setup.config.section, clusterId: setup.poolId });
}

/**
 * Step 5 (after the scheduler runs): the pools, each with its backend prepared and its output
 * location decided, pushed onto `into` one by one (so those made can be released when a later one
 * fails). `prepared` is the default pool's backend when it exists already (it launched the scheduler).
 */
export async function makePools(
  setups: readonly PoolSetup[],
  specs: readonly JobSpec[],
  ownership: ClusterOwnership,
  prepared: Backend | undefined,
  context: WorkerPoolContext,
  into: WorkerPool[],
): Promise<void> {
  for (const [i, setup] of setups.entries()) {
    const poolOwnership = ownership.pool(setup.options.name);
    const spec = specs[i] as JobSpec;
    const early = i === 0 ? prepared : undefined;
    const backend = early ?? makeBackend(setup, spec, poolOwnership, context.logger);
    try {
      if (!early) await backend.prepare?.();
    } catch (error) {
      await backend.close?.();
      throw error;
    }
    const output = await clusterOutputLocation(setup.runner, setup.poolId, spec.logDirectory);
    // A dead owner's cleanup removes it as close() does (a `log-directory` is never removed).
    if (output.owned) await poolOwnership.recordRunnerDirectory(output.owned);
    const { minimumJobs = 0, maximumJobs = Infinity, resources = {} } = setup.options;
    into.push(
      new WorkerPool(
        { name: setup.options.name, poolId: setup.poolId, descriptor: setup.descriptor, config: setup.config, spec, backend, output, runner: setup.runner, ownsRunner: setup.ownsRunner, ownership: poolOwnership, resources, minimumJobs, maximumJobs },
        context,
      ),
    );
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

/** The SSH destination of a runner made from config `ssh` (a watchdog can reconnect to it); undefined otherwise. */
function sshOfRunner(config: ResolvedConfig, given: CommandRunner | undefined): { destination: string; acceptNewHostKey: boolean } | undefined {
  const destination = config.values["ssh"] as string | undefined;
  if (given || destination === undefined) return undefined;
  return { destination, acceptNewHostKey: config.values["ssh-accept-new-host-key"] === true };
}

/** Everything a started cluster is made of (see `JobQueueCluster.create`). */
export interface ClusterParts {
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

/** What `create` made so far; released in reverse (`abandonSetup`) when a later step fails. */
export interface PartialCluster {
  readonly setups: PoolSetup[];
  readonly pools: WorkerPool[];
  ownership?: ClusterOwnership;
  tls?: ClusterTls;
  scheduler?: LaunchedScheduler;
  /** With `job` placement: the default pool's backend, made early because it launched the scheduler. */
  schedulerBackend?: Backend;
  connection?: SchedulerConnection;
  watch?: WorkerWatch;
}
