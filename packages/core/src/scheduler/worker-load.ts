import { toWorkerInfo, type WorkerInfo } from "./worker-info.js";

/** A worker with what it is doing, as the scheduler last heard from it (its heartbeat metrics). */
export interface WorkerLoad extends WorkerInfo {
  /** Memory the worker process uses (RSS), bytes; undefined before its first heartbeat. */
  readonly memory: number | undefined;
  /** Tasks running on the worker right now (`executing` plus `long-running`). */
  readonly executing: number;
  /** Tasks waiting on the worker for a thread (`ready` plus `constrained`). */
  readonly ready: number;
  /** When the scheduler last heard from the worker (`last_seen`, seconds on the scheduler's clock): tells heartbeats apart. */
  readonly lastSeen: number | undefined;
}

/**
 * Reads the `workers` map of the scheduler's `identity` reply. Each worker's `metrics` carries
 * `task_counts` (distributed 2022.11 and later) or the older flat `executing`/`ready` counts.
 */
export function toWorkerLoads(workers: unknown): WorkerLoad[] {
  if (workers === null || typeof workers !== "object") return [];
  return Object.entries(workers as Record<string, unknown>).map(([address, raw]) => {
    const metrics = ((raw as Record<string, unknown> | null)?.["metrics"] ?? {}) as Record<string, unknown>;
    const counts = (metrics["task_counts"] ?? metrics) as Record<string, unknown>;
    const count = (...names: string[]) => names.reduce((sum, name) => sum + (typeof counts[name] === "number" ? counts[name] : 0), 0);
    return {
      ...toWorkerInfo(address, raw),
      memory: typeof metrics["memory"] === "number" ? metrics["memory"] : undefined,
      executing: count("executing", "long-running"),
      ready: count("ready", "constrained"),
      lastSeen: typeof (raw as Record<string, unknown> | null)?.["last_seen"] === "number" ? ((raw as Record<string, unknown>)["last_seen"] as number) : undefined,
    };
  });
}
