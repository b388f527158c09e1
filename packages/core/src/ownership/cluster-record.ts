import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { isAlive, isLocal, type ProcessIdentity } from "./process-identity.js";

/** A job recorded in a cluster's state file: submitted, not yet known to have ended. */
export interface RecordedJob {
  readonly id: string;
  /** The last state daskq saw: queued jobs are cancelled first. */
  readonly state: "queued" | "running";
}

/** What a cleanup of a dead cluster did. */
export interface CleanupReport {
  readonly at: string;
  /** Ids cancelled, queued ones first, in ONE backend call. */
  readonly cancelled: readonly string[];
  /** Ids the batch system still listed when the cleanup gave up waiting. */
  readonly left: readonly string[];
  /** Why the cleanup failed, if it did. */
  readonly error?: string;
}

/**
 * A further pool of a cluster with several (see `ClusterRecord.pools`): enough to rebuild ITS
 * backend and cancel its jobs.
 */
export interface PoolRecord {
  /** The pool's name, e.g. `gpu`. */
  readonly name: string;
  /** The id its backend was created with, `<clusterId>-<name>` (its job names carry it). */
  readonly poolId: string;
  readonly backend: string;
  readonly backendOptions: Readonly<Record<string, unknown>>;
  readonly submitsVia: string;
  readonly ssh?: { readonly destination: string; readonly acceptNewHostKey: boolean };
  /** Jobs of this pool not yet known to have ended, in submission order. */
  readonly jobs: readonly RecordedJob[];
  /** Directories daskq made on this pool's runner host. */
  readonly runnerTempDirs: readonly string[];
}

/**
 * The state file of one cluster (`<state dir>/<clusterId>.json`, mode 0600): enough for another
 * process to rebuild its backends and cancel its jobs when the owning process died without closing.
 * A cluster with several pools has ONE state file: the backend, jobs and runner directories at the
 * top level are its first pool's (`pool`), each further pool's are in `pools`.
 */
export interface ClusterRecord {
  readonly version: 1;
  readonly clusterId: string;
  /** Backend name, e.g. `slurm`, and its validated options (`JobSpec.backendOptions`). */
  readonly backend: string;
  readonly backendOptions: Readonly<Record<string, unknown>>;
  /** Where jobs are submitted: the command runner's description, e.g. `local` or `ssh me@login1`. */
  readonly submitsVia: string;
  /** When the jobs are submitted over SSH (config `ssh`): how to reconnect. */
  readonly ssh?: { readonly destination: string; readonly acceptNewHostKey: boolean };
  /** The process that owns the cluster (a `daskq up`, or an application using the library). */
  readonly owner: ProcessIdentity;
  /** The watchdog that cleans up when the owner dies without closing. */
  readonly watchdog: ProcessIdentity | undefined;
  /** The owner's working directory: where backend packages are looked up again. */
  readonly cwd: string;
  readonly createdAt: string;
  readonly schedulerAddress: string | undefined;
  /** `open` while the owner runs it, `closing` during close(), `cleaned` after a cleanup. */
  readonly phase: "open" | "closing" | "cleaned";
  /** Jobs not yet known to have ended, in submission order. */
  readonly jobs: readonly RecordedJob[];
  /** Temporary directories on this machine (the scheduler's) and on the runner's host (scripts). */
  readonly localTempDirs: readonly string[];
  readonly runnerTempDirs: readonly string[];
  /** With several pools: the name of the first pool, whose backend, jobs and runner directories are the ones above. */
  readonly pool?: string;
  /** With several pools: the further ones, each cancelled through its own backend. */
  readonly pools?: readonly PoolRecord[];
  readonly cleanup?: CleanupReport;
}

/**
 * A cluster's record split by pool, each part a record of its own: the first pool's is the record
 * without `pools`; a further pool's has that pool's backend, runner, jobs and runner directories
 * under its pool id, and no directories on this machine. What the watchdog and `daskq cleanup`
 * cancel through each pool's own backend.
 */
export function poolParts(record: ClusterRecord): ClusterRecord[] {
  const { pools = [], ...first } = record;
  return [
    first,
    ...pools.map((pool): ClusterRecord => {
      const { ssh: _ssh, ...withoutSsh } = first;
      return {
        ...withoutSsh,
        clusterId: pool.poolId,
        pool: pool.name,
        backend: pool.backend,
        backendOptions: pool.backendOptions,
        submitsVia: pool.submitsVia,
        ...(pool.ssh ? { ssh: pool.ssh } : {}),
        jobs: pool.jobs,
        localTempDirs: [],
        runnerTempDirs: pool.runnerTempDirs,
      };
    }),
  ];
}

/** Every job the record holds, of every pool. */
export function recordedJobs(record: ClusterRecord): RecordedJob[] {
  return poolParts(record).flatMap((part) => part.jobs);
}

/** How a recorded cluster is doing. */
export type ClusterCondition =
  /** Its owner runs. */
  | "live"
  /** Its owner died; nothing of it is left (the watchdog or `daskq cleanup` cleaned up). */
  | "dead-cleaned"
  /** Its owner died and jobs or temporary directories may be left. */
  | "dead-with-jobs"
  /** Its owner runs on another host (a shared home directory): it cannot be judged from here. */
  | "other-host";

/** The condition of a recorded cluster, judged now. */
export function clusterCondition(record: ClusterRecord): ClusterCondition {
  if (!isLocal(record.owner)) return "other-host";
  if (isAlive(record.owner)) return "live";
  const leftovers = poolParts(record).reduce((sum, part) => sum + part.jobs.length + part.localTempDirs.length + part.runnerTempDirs.length, 0);
  return leftovers === 0 ? "dead-cleaned" : "dead-with-jobs";
}

/** Path of a cluster's state file. */
export function clusterRecordPath(directory: string, clusterId: string): string {
  return join(directory, `${clusterId}.json`);
}

/** Reads a state file; undefined when it does not exist or is not a daskq cluster record. */
export async function readClusterRecord(path: string): Promise<ClusterRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    const record = JSON.parse(text) as Partial<ClusterRecord>;
    if (record.version !== 1 || typeof record.clusterId !== "string" || typeof record.backend !== "string" || !Array.isArray(record.jobs)) return undefined;
    if (record.pools !== undefined && !(Array.isArray(record.pools) && record.pools.every((p) => typeof p?.backend === "string" && Array.isArray(p.jobs) && Array.isArray(p.runnerTempDirs)))) return undefined;
    return record as ClusterRecord;
  } catch {
    return undefined;
  }
}

/** Every cluster recorded in `directory`, oldest first. */
export async function listClusterRecords(directory: string): Promise<Array<{ readonly path: string; readonly record: ClusterRecord }>> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return [];
  }
  const found: Array<{ path: string; record: ClusterRecord }> = [];
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    const path = join(directory, name);
    const record = await readClusterRecord(path);
    if (record) found.push({ path, record });
  }
  return found.sort((a, b) => a.record.createdAt.localeCompare(b.record.createdAt));
}
