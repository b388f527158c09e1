import { rm } from "node:fs/promises";
import { join } from "node:path";
import { DaskqError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { CommandRunner } from "../runner/command-runner.js";
import { ClusterStateFile } from "./cluster-state-file.js";
import type { ClusterRecord, PoolRecord } from "./cluster-record.js";
import { PoolOwnership, type PoolHoldings } from "./pool-ownership.js";
import { currentProcess } from "./process-identity.js";
import { startWatchdog, type WatchdogHandle } from "./watchdog.js";

/** Options of crash-safe job ownership (see `ClusterOwnership`). */
export interface OwnershipOptions {
  /** Directory of the state files; default `stateDirectory()` (`$DASKQ_HOME/state`, `~/.daskq/state`). */
  readonly stateDirectory: string;
  /** Start a watchdog that cleans up when this process dies without closing. Default true. */
  readonly watchdog?: boolean;
}

/** Facts about one pool of a cluster that the state file records from the start. */
export interface OwnedPool {
  readonly name: string;
  /** The id its backend is created with: the cluster id for the first pool, `<clusterId>-<name>` for the others. */
  readonly poolId: string;
  readonly backend: string;
  readonly backendOptions: Readonly<Record<string, unknown>>;
  /** The runner the backend submits through. */
  readonly runner: CommandRunner;
  /** The SSH destination when the runner was made from config `ssh`. */
  readonly ssh?: { readonly destination: string; readonly acceptNewHostKey: boolean };
}

/** Facts about a cluster that its state file records from the start. */
export interface OwnedCluster {
  readonly clusterId: string;
  /** Its pools, the first (default) one first; at least one. */
  readonly pools: readonly OwnedPool[];
}

/**
 * Crash-safe job ownership of one cluster: its ONE state file, kept current, and its watchdog.
 * Each pool writes its part (`pool(name)`): every submitted job id and
 * every temporary directory is on disk, under its pool, BEFORE the submission / `makeTempDir()`
 * returns to the cluster; after a crash each pool's jobs are cancelled through its own backend.
 */
export class ClusterOwnership {
  private readonly pools = new Map<string, PoolOwnership>();

  private constructor(
    private readonly file: ClusterStateFile,
    poolNames: readonly string[],
    private readonly watchdog: WatchdogHandle | undefined,
    private readonly watchdogLog: string,
    private readonly logger: Logger,
  ) {
    for (const [index, name] of poolNames.entries()) {
      this.pools.set(name, new PoolOwnership((change) => this.save((r) => changePool(r, index, change))));
    }
  }

  /** Writes the cluster's state file, then starts its watchdog. */
  static async open(cluster: OwnedCluster, options: OwnershipOptions, logger: Logger): Promise<ClusterOwnership> {
    const [first, ...further] = cluster.pools;
    if (!first) throw new DaskqError("ownership", `cluster ${cluster.clusterId} has no pool`);
    const file = await ClusterStateFile.create(options.stateDirectory, {
      version: 1,
      clusterId: cluster.clusterId,
      backend: first.backend,
      backendOptions: first.backendOptions,
      submitsVia: first.runner.description,
      ...(first.ssh ? { ssh: first.ssh } : {}),
      owner: currentProcess(),
      watchdog: undefined,
      cwd: process.cwd(),
      createdAt: new Date().toISOString(),
      schedulerAddress: undefined,
      phase: "open",
      jobs: [],
      localTempDirs: [],
      runnerTempDirs: [],
      ...(further.length > 0 ? { pool: first.name, pools: further.map(poolRecord) } : {}),
    });
    let watchdog: WatchdogHandle | undefined;
    const watchdogLog = join(options.stateDirectory, `${cluster.clusterId}.log`);
    try {
      if (options.watchdog ?? true) {
        watchdog = startWatchdog(file.path, watchdogLog);
        await file.update((r) => ({ ...r, watchdog: watchdog?.identity }));
      }
    } catch (error) {
      watchdog?.release();
      await file.remove();
      await rm(watchdogLog, { force: true });
      throw error;
    }
    return new ClusterOwnership(
      file,
      cluster.pools.map((p) => p.name),
      watchdog,
      watchdogLog,
      logger,
    );
  }

  /** Path of the state file. */
  get statePath(): string {
    return this.file.path;
  }

  /**
   * The ownership of the pool called `name`: its jobs and runner directories.
   *
   * @throws DaskqError for a pool the cluster was not opened with.
   */
  pool(name: string): PoolOwnership {
    const pool = this.pools.get(name);
    if (!pool) throw new DaskqError("ownership", `no pool named ${JSON.stringify(name)} in the state file ${this.file.path}`);
    return pool;
  }

  /** Records the scheduler's address and its temporary directory (when daskq started it). */
  recordScheduler(address: string, workDirectory: string | undefined): Promise<void> {
    return this.save((r) => ({ ...r, schedulerAddress: address, localTempDirs: workDirectory ? [...r.localTempDirs, workDirectory] : r.localTempDirs }));
  }

  /** Records a private directory on this machine (e.g. the TLS files) to remove after a crash. */
  recordLocalTempDir(directory: string): Promise<void> {
    return this.save((r) => ({ ...r, localTempDirs: [...r.localTempDirs, directory] }));
  }

  /** close() started: a death from here on still gets cleaned up. */
  closing(): Promise<void> {
    return this.save((r) => ({ ...r, phase: "closing" }));
  }

  /** The cluster closed cleanly: removes the state file and the watchdog's log, and lets the watchdog go. */
  async closed(): Promise<void> {
    await this.file.remove();
    this.watchdog?.release();
    await rm(this.watchdogLog, { force: true });
  }

  /** Applies a change; a failed write is logged (the jobs stay tracked in memory). */
  private async save(change: Parameters<ClusterStateFile["update"]>[0]): Promise<void> {
    try {
      await this.file.update(change);
    } catch (error) {
      this.logger.error(`could not write the cluster state file ${this.file.path}: ${(error as Error).message}`);
    }
  }
}

/** A further pool as the state file records it at the start: no jobs, no directories yet. */
function poolRecord(pool: OwnedPool): PoolRecord {
  return {
    name: pool.name,
    poolId: pool.poolId,
    backend: pool.backend,
    backendOptions: pool.backendOptions,
    submitsVia: pool.runner.description,
    ...(pool.ssh ? { ssh: pool.ssh } : {}),
    jobs: [],
    runnerTempDirs: [],
  };
}

/** The record with the holdings of pool `index` changed (0: the first pool, at the top level). */
function changePool(record: ClusterRecord, index: number, change: (holdings: PoolHoldings) => PoolHoldings): ClusterRecord {
  if (index === 0) return { ...record, ...change({ jobs: record.jobs, runnerTempDirs: record.runnerTempDirs }) };
  const pools = (record.pools ?? []).map((pool, i) => (i === index - 1 ? { ...pool, ...change({ jobs: pool.jobs, runnerTempDirs: pool.runnerTempDirs }) } : pool));
  return { ...record, pools };
}
