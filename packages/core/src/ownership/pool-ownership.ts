import type { Backend, SubmitRequest } from "../backend/backend.js";
import type { CommandRunner } from "../runner/command-runner.js";
import type { RecordedJob } from "./cluster-record.js";

/** What a pool owns in its cluster's state file: its jobs and the directories made on its runner host. */
export interface PoolHoldings {
  readonly jobs: readonly RecordedJob[];
  readonly runnerTempDirs: readonly string[];
}

/**
 * One pool's side of a cluster's crash-safe ownership (see `ClusterOwnership.pool`): its backend
 * and runner are wrapped so that every submitted job id and every temporary directory is in the
 * cluster's state file, under this pool, BEFORE `submit()` / `makeTempDir()` returns.
 */
export class PoolOwnership {
  /** @param save applies a change to this pool's holdings and resolves once it is on disk (a failed write is logged). */
  constructor(private readonly save: (change: (holdings: PoolHoldings) => PoolHoldings) => Promise<void>) {}

  /** Records a directory on the runner's host that daskq made for the pool (its job output directory), to remove after a crash. */
  recordRunnerDirectory(directory: string): Promise<void> {
    return this.save((h) => ({ ...h, runnerTempDirs: [...h.runnerTempDirs, directory] }));
  }

  /** The runner, with every temporary directory it makes recorded before it is returned. */
  wrapRunner(runner: CommandRunner): CommandRunner {
    const makeTempDir = async (prefix: string): Promise<string> => {
      const dir = await runner.makeTempDir(prefix);
      await this.recordRunnerDirectory(dir);
      return dir;
    };
    return forwardingProxy(runner, { makeTempDir });
  }

  /** Records submitted jobs (queued) so that a watchdog cancels them after a crash. */
  recordJobs(ids: readonly string[]): Promise<void> {
    return this.save((h) => ({ ...h, jobs: [...h.jobs, ...ids.map((id): RecordedJob => ({ id, state: "queued" }))] }));
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
    void this.save((h) => ({ ...h, jobs: h.jobs.map((j) => (j.id === id ? { id, state: "running" } : j)) }));
  }

  /** A job ended: nothing is left to cancel for it. */
  jobEnded(id: string): void {
    void this.save((h) => ({ ...h, jobs: h.jobs.filter((j) => j.id !== id) }));
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
