import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Backend, SubmitRequest } from "../backend/backend.js";
import type { Logger } from "../logger.js";
import type { CommandRunner } from "../runner/command-runner.js";
import { ClusterStateFile } from "./cluster-state-file.js";
import type { RecordedJob } from "./cluster-record.js";
import { currentProcess } from "./process-identity.js";
import { startWatchdog, type WatchdogHandle } from "./watchdog.js";

/** Options of crash-safe job ownership (see `ClusterOwnership`). */
export interface OwnershipOptions {
  /** Directory of the state files; default `stateDirectory()` (`$DASKQ_HOME/state`, `~/.daskq/state`). */
  readonly stateDirectory: string;
  /** Start a watchdog that cleans up when this process dies without closing. Default true. */
  readonly watchdog?: boolean;
}

/** Facts about a cluster that its state file records from the start. */
export interface OwnedCluster {
  readonly clusterId: string;
  readonly backend: string;
  readonly backendOptions: Readonly<Record<string, unknown>>;
  /** The runner the backend submits through. */
  readonly runner: CommandRunner;
  /** The SSH destination when the runner was made from config `ssh`. */
  readonly ssh?: { readonly destination: string; readonly acceptNewHostKey: boolean };
}

/**
 * Crash-safe job ownership of one cluster: its state file, kept current, and its watchdog.
 * The cluster's backend and runner are wrapped so that every submitted job id and every temporary
 * directory is on disk BEFORE `submit()` / `makeTempDir()` returns to the cluster.
 */
export class ClusterOwnership {
  private constructor(
    private readonly file: ClusterStateFile,
    private readonly watchdog: WatchdogHandle | undefined,
    private readonly watchdogLog: string,
    private readonly logger: Logger,
  ) {}

  /** Writes the cluster's state file, then starts its watchdog. */
  static async open(cluster: OwnedCluster, options: OwnershipOptions, logger: Logger): Promise<ClusterOwnership> {
    const file = await ClusterStateFile.create(options.stateDirectory, {
      version: 1,
      clusterId: cluster.clusterId,
      backend: cluster.backend,
      backendOptions: cluster.backendOptions,
      submitsVia: cluster.runner.description,
      ...(cluster.ssh ? { ssh: cluster.ssh } : {}),
      owner: currentProcess(),
      watchdog: undefined,
      cwd: process.cwd(),
      createdAt: new Date().toISOString(),
      schedulerAddress: undefined,
      phase: "open",
      jobs: [],
      localTempDirs: [],
      runnerTempDirs: [],
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
    return new ClusterOwnership(file, watchdog, watchdogLog, logger);
  }

  /** Path of the state file. */
  get statePath(): string {
    return this.file.path;
  }

  /** Records the scheduler's address and its temporary directory (when daskq started it). */
  recordScheduler(address: string, workDirectory: string | undefined): Promise<void> {
    return this.save((r) => ({ ...r, schedulerAddress: address, localTempDirs: workDirectory ? [...r.localTempDirs, workDirectory] : r.localTempDirs }));
  }

  /** Records a private directory on this machine (e.g. the TLS files) to remove after a crash. */
  recordLocalTempDir(directory: string): Promise<void> {
    return this.save((r) => ({ ...r, localTempDirs: [...r.localTempDirs, directory] }));
  }

  /**
   * Records a directory on the runner's host that daskq made for the cluster (its own job output
   * directory) to remove after a crash, as close() removes it.
   */
  recordRunnerDirectory(directory: string): Promise<void> {
    return this.save((r) => ({ ...r, runnerTempDirs: [...r.runnerTempDirs, directory] }));
  }

  /** The runner, with every temporary directory it makes recorded before it is returned. */
  wrapRunner(runner: CommandRunner): CommandRunner {
    const makeTempDir = async (prefix: string): Promise<string> => {
      const dir = await runner.makeTempDir(prefix);
      await this.save((r) => ({ ...r, runnerTempDirs: [...r.runnerTempDirs, dir] }));
      return dir;
    };
    return forwardingProxy(runner, { makeTempDir });
  }

  /** Records submitted jobs (queued) so that a watchdog cancels them after a crash. */
  recordJobs(ids: readonly string[]): Promise<void> {
    return this.save((r) => ({ ...r, jobs: [...r.jobs, ...ids.map((id): RecordedJob => ({ id, state: "queued" }))] }));
  }

  /** The backend, with every submitted job id recorded before `submit()` returns. */
  wrapBackend(backend: Backend): Backend {
    const submit = async (request: SubmitRequest): Promise<string[]> => {
      const ids = await backend.submit(request);
      await this.recordJobs(ids);
      return ids;
    };
    return forwardingProxy(backend, { submit });
  }

  /** A job runs: it is cancelled after the queued ones. */
  jobRunning(id: string): void {
    void this.save((r) => ({ ...r, jobs: r.jobs.map((j) => (j.id === id ? { id, state: "running" } : j)) }));
  }

  /** A job ended: nothing is left to cancel for it. */
  jobEnded(id: string): void {
    void this.save((r) => ({ ...r, jobs: r.jobs.filter((j) => j.id !== id) }));
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

/** `target` with some methods replaced; everything else (also methods added later) is forwarded. */
function forwardingProxy<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, property) {
      if (Object.hasOwn(overrides, property)) return (overrides as Record<PropertyKey, unknown>)[property];
      const value = Reflect.get(t, property, t);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}
