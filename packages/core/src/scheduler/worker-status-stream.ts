import { EventEmitter } from "node:events";
import { ProtocolError } from "../errors.js";
import type { DaskComm } from "./dask-comm.js";
import { toWorkerList, type WorkerInfo } from "./worker-info.js";

/** Events of a `WorkerStatusStream`. */
export interface WorkerStatusEvents {
  /** A worker registered with the scheduler. */
  add: [worker: WorkerInfo];
  /** A worker left (retired, died, or its job ended). */
  remove: [address: string, worker: WorkerInfo | undefined];
  /** The stream ended; `error` says why unless `close()` was called. */
  close: [error: Error | undefined];
}

/**
 * A live view of the scheduler's workers, fed by `subscribe_worker_status` (or the preload's named
 * `daskq_subscribe_worker_status`): the scheduler answers with its identity, then pushes batches
 * like `[["add", {workers: {...}}], ["remove", addr]]`. See `WorkerWatch` for one that survives
 * drops and other subscribers.
 */
export class WorkerStatusStream extends EventEmitter<WorkerStatusEvents> {
  private readonly current = new Map<string, WorkerInfo>();
  private stopped = false;

  /** @internal Created by `SchedulerConnection.subscribeWorkerStatus()`. */
  constructor(
    private readonly comm: DaskComm,
    initialWorkers: unknown,
    /**
     * True when the subscription has the subscriber's own name (the scheduler has daskq's preload);
     * false for distributed's shared `worker-status` subscription, which a later subscriber takes over.
     */
    readonly named = false,
  ) {
    super();
    for (const w of toWorkerList(initialWorkers)) this.current.set(w.address, w);
    void this.pump();
  }

  /** Workers connected right now, by address. */
  get workers(): ReadonlyMap<string, WorkerInfo> {
    return this.current;
  }

  /** Stops listening and closes the connection. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.comm.close();
    this.emit("close", undefined);
  }

  private async pump(): Promise<void> {
    for (;;) {
      let batch: unknown;
      try {
        batch = await this.comm.read();
      } catch (error) {
        if (!this.stopped) {
          this.stopped = true;
          this.emit("close", error as Error);
        }
        return;
      }
      try {
        this.apply(batch);
      } catch (error) {
        this.stopped = true;
        this.comm.close();
        this.emit("close", error as Error);
        return;
      }
    }
  }

  private apply(batch: unknown): void {
    if (!Array.isArray(batch)) throw new ProtocolError(`unexpected worker status message: ${JSON.stringify(batch)}`);
    for (const event of batch) {
      if (!Array.isArray(event)) continue;
      const [kind, payload] = event as [unknown, unknown];
      if (kind === "add") {
        const workers = (payload as Record<string, unknown> | null)?.["workers"];
        for (const w of toWorkerList(workers)) {
          this.current.set(w.address, w);
          this.emit("add", w);
        }
      } else if (kind === "remove" && typeof payload === "string") {
        const known = this.current.get(payload);
        this.current.delete(payload);
        this.emit("remove", payload, known);
      }
    }
  }
}
