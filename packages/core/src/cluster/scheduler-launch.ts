import type { Backend } from "../backend/backend.js";
import { ConfigError } from "../errors.js";
import type { JobSpec } from "../job/job-spec.js";
import type { Logger } from "../logger.js";
import type { PoolOwnership } from "../ownership/pool-ownership.js";
import { RecordingRunner } from "../ownership/recording-runner.js";
import type { CommandRunner } from "../runner/command-runner.js";
import { pythonWithDask } from "../scheduler/find-python.js";
import type { LaunchedScheduler } from "../scheduler/launched-scheduler.js";
import { RemoteScheduler } from "../scheduler/remote-scheduler.js";
import { SCHEDULER_PRELOAD } from "../scheduler/scheduler-preload.js";
import { SchedulerProcess } from "../scheduler/scheduler-process.js";
import type { ClusterTls } from "../security/cluster-tls.js";
import { schedulerTlsArguments } from "../security/cluster-tls-setup.js";
import type { SchedulerOptions, SchedulerPlacement } from "./cluster-options.js";
import { makeBackend, type PoolSetup } from "./cluster-setup.js";

/** What starting (or attaching to) the cluster's scheduler needs. */
export interface SchedulerLaunch {
  /** `scheduler-options` of the default pool's config, overridden by the explicit options (see `schedulerOptionsOf`). */
  readonly options: SchedulerOptions;
  /** From `schedulerPlacement`; ignored when `options.address` is given (attach). */
  readonly placement: SchedulerPlacement;
  /** The config key the placement came from, for errors. */
  readonly placementKey: string;
  /** The Python with distributed on the default pool's runner's machine (`pythonWithDask`). */
  readonly python: string;
  /** Every pool, the default (first) one first: the scheduler's host depends on all of them. */
  readonly setups: readonly PoolSetup[];
  /** The default pool's job spec (a scheduler job is submitted with it). */
  readonly spec: JobSpec;
  /** The default pool's part of the state file (a scheduler job's id goes there). */
  readonly ownership: PoolOwnership;
  readonly tls: ClusterTls | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
}

/** A scheduler to use: launched by daskq, or attached to (then `scheduler` is undefined). */
export interface ScheduledCluster {
  readonly scheduler: LaunchedScheduler | undefined;
  readonly address: string;
  /** With `job` placement: the default pool's backend, prepared (it launched the scheduler and goes on to submit the workers). */
  readonly backend?: Backend;
}

/** The scheduler's arguments common to every placement that starts one. */
interface LaunchArguments {
  readonly host: string | undefined;
  readonly port: number | undefined;
  readonly dashboardAddress: string | undefined;
  readonly interface: string | undefined;
  readonly protocol: string | undefined;
  readonly extraArgs: readonly string[];
  readonly logger: Logger;
}

/** How each placement starts the scheduler. */
const PLACEMENTS: Record<SchedulerPlacement, (launch: SchedulerLaunch, args: LaunchArguments) => Promise<ScheduledCluster>> = {
  /** A process on this machine that dies with daskq. Over SSH (workers' runner elsewhere) it uses this machine's Python. */
  local: async (launch, args) => {
    const runner = launch.setups[0]?.runner;
    const python = runner?.forwardLocalPort ? await pythonWithDask(undefined, { explicit: launch.options.python }, launch.env) : launch.python;
    const scheduler = await SchedulerProcess.start({ ...args, python });
    return { scheduler, address: scheduler.address };
  },
  /** A process on the runner's machine (the SSH login node), reached through a forward. */
  remote: async (launch, args) => {
    const runner = (launch.setups[0] as PoolSetup).runner;
    const scheduler = await RemoteScheduler.start({ ...args, runner, python: launch.python, leaseSeconds: launch.options.leaseSeconds });
    return { scheduler, address: scheduler.address };
  },
  /** A job of the batch system (UNICORE): the default pool's backend launches it, then submits the workers too. */
  job: async (launch) => {
    const first = launch.setups[0] as PoolSetup;
    const backend = makeBackend(first, launch.spec, launch.ownership, launch.logger);
    try {
      if (!backend.launchScheduler) throw new ConfigError(`"job" needs a backend that runs the scheduler as a job; ${first.descriptor.name} does not`, { keyPath: launch.placementKey });
      // The backend checks its credentials (prepare) before the scheduler job is submitted.
      await backend.prepare?.();
      const { ownership, spec, logger, tls } = launch;
      const scheduler = await backend.launchScheduler({ spec, logger, onSubmitted: (id) => ownership.recordJobs([id]), ...(tls ? { tls: tls.pem } : {}) });
      return { scheduler, address: scheduler.address, backend };
    } catch (error) {
      await backend.close?.();
      throw error;
    }
  },
};

/**
 * Starts the cluster's scheduler where its placement says (`local`, `remote` or `job`), or attaches
 * to `options.address`: the ONE path by which a cluster gets its scheduler.
 */
export async function launchScheduler(launch: SchedulerLaunch): Promise<ScheduledCluster> {
  const { options, placement, tls, setups } = launch;
  if (options.address) return { scheduler: undefined, address: options.address };
  const first = setups[0] as PoolSetup;
  const remote = placement === "remote" ? new RecordingRunner(first.runner, (directory) => launch.ownership.recordRunnerDirectory(directory)) : undefined;
  const defaultHost = first.descriptor.defaultSchedulerHost;
  const args: LaunchArguments = {
    // A local-only host (127.0.0.1 of the local backend) only when every pool's workers can use it.
    host: options.host ?? (placement === "local" && setups.every((s) => s.descriptor.defaultSchedulerHost === defaultHost) ? defaultHost : undefined),
    port: options.port,
    dashboardAddress: options.dashboardAddress,
    interface: options.interface,
    protocol: tls ? "tls" : options.protocol,
    extraArgs: [
      ...(tls ? await schedulerTlsArguments(tls, remote) : []),
      // Adaptivity across pools asks the scheduler what its unrunnable tasks need (`PoolsAdaptive`),
      // and each daskq process attached to it gets its own worker status subscription.
      ...(placement === "local" ? ["--preload", SCHEDULER_PRELOAD] : []),
      ...(options.extraArgs ?? []),
    ],
    logger: launch.logger,
  };
  return PLACEMENTS[placement](launch, args);
}

/**
 * The placement asked for, else `remote` for a runner that reaches another machine, else `local`.
 *
 * @throws ConfigError for another value, or `remote` with a runner on this machine.
 */
export function schedulerPlacement(value: unknown, runner: CommandRunner, keyPath: string): SchedulerPlacement {
  if (value === undefined || value === null) return runner.forwardLocalPort ? "remote" : "local";
  if (value !== "local" && value !== "remote" && value !== "job") throw new ConfigError(`expected local, remote or job, got ${JSON.stringify(value)}`, { keyPath });
  if (value === "remote" && !runner.forwardLocalPort) {
    throw new ConfigError(`"remote" needs a runner that reaches another machine (set ssh); ${runner.description} runs here`, { keyPath });
  }
  return value;
}

/** `scheduler-options` from config (dask-jobqueue's names), overridden by explicit options. */
export function schedulerOptionsOf(fromConfig: unknown, explicit: SchedulerOptions | undefined): SchedulerOptions {
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
