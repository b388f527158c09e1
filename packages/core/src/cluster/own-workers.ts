import type { EventEmitter } from "node:events";
import { TimeoutError } from "../errors.js";
import type { WorkerPool } from "../pool/worker-pool.js";
import type { WorkerInfo } from "../scheduler/worker-info.js";
import type { WorkerWatch } from "../scheduler/worker-watch.js";
import type { ClusterEvents } from "./cluster-events.js";

/** How long `seeThemLeave` looks for the cluster's workers to leave the scheduler after its jobs ended. */
const CLOSE_WORKER_CHECK_MS = 3_000;

/** One of the cluster's workers, with its job and pool. */
export interface OwnWorker {
  readonly worker: WorkerInfo;
  readonly jobId: string;
  readonly pool: string;
}

/**
 * The cluster's own workers: of all the workers the scheduler reports (`WorkerWatch`), those of
 * the cluster's jobs, each handed to the pool whose job it belongs to and announced
 * (`worker-joined`, `worker-left`). Workers of no job of ours (another daskq process's on a
 * shared scheduler, or started by hand) are only counted, never announced.
 */
export class OwnWorkers {
  /** By address. */
  private readonly byAddress = new Map<string, OwnWorker>();

  constructor(
    private readonly watch: WorkerWatch,
    private readonly pools: readonly WorkerPool[],
    private readonly events: EventEmitter<ClusterEvents>,
  ) {}

  /** Takes the workers the scheduler has now, then follows its add and remove events. */
  follow(): void {
    for (const worker of this.watch.workers.values()) this.added(worker);
    this.watch.on("add", (worker) => this.added(worker));
    this.watch.on("remove", (address, worker) => this.removed(address, worker));
  }

  /** How many of the cluster's workers are connected. */
  get size(): number {
    return this.byAddress.size;
  }

  /** The cluster's workers, in the order they joined. */
  get all(): readonly OwnWorker[] {
    return [...this.byAddress.values()];
  }

  /** Workers of the scheduler that are not this cluster's. */
  get others(): number {
    return [...this.watch.workers.keys()].filter((address) => !this.byAddress.has(address)).length;
  }

  /** Resolves when at least `n` of them are connected; rejects on timeout or `cluster-error`. */
  waitFor(n: number, timeoutMs: number): Promise<void> {
    if (this.size >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.events.off("worker-joined", check);
        this.events.off("cluster-error", done);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (this.size >= n) done();
      };
      const timer = setTimeout(() => done(new TimeoutError("cluster", `waiting for ${n} workers (have ${this.size})`, timeoutMs)), timeoutMs);
      this.events.on("worker-joined", check);
      this.events.on("cluster-error", done);
    });
  }

  /**
   * After the cluster's jobs ended, waits (briefly) until the scheduler no longer lists its
   * workers, checking the scheduler directly, so that every worker that joined is also announced
   * leaving, also by a process that follows the workers by checks (attach mode without the preload).
   */
  async seeThemLeave(): Promise<void> {
    const deadline = Date.now() + CLOSE_WORKER_CHECK_MS;
    while (this.size > 0 && Date.now() < deadline) {
      try {
        await this.watch.check();
      } catch {
        return;
      }
      if (this.size > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** A worker joined: the pool whose job it belongs to (if any) takes it; a worker of no job of ours is not this cluster's. */
  private added(worker: WorkerInfo): void {
    for (const pool of this.pools) {
      const jobId = pool.workerAdded(worker);
      if (jobId === undefined) continue;
      this.byAddress.set(worker.address, { worker, jobId, pool: pool.name });
      this.events.emit("worker-joined", worker, jobId, pool.name);
      return;
    }
  }

  private removed(address: string, worker: WorkerInfo | undefined): void {
    const own = this.byAddress.get(address);
    if (!own) return;
    this.byAddress.delete(address);
    const info = worker ?? own.worker;
    this.pools.find((p) => p.name === own.pool)?.workerRemoved(info);
    this.events.emit("worker-left", info, own.jobId, own.pool);
  }
}
