import { EventEmitter } from "node:events";
import { silentLogger, type Logger } from "../logger.js";
import type { SchedulerConnection } from "./scheduler-connection.js";
import type { WorkerInfo } from "./worker-info.js";
import type { WorkerStatusStream } from "./worker-status-stream.js";

/** Options of `WorkerWatch.open`. */
export interface WorkerWatchOptions {
  /**
   * The subscriber's own name, unique on the scheduler (a cluster uses `daskq-worker-status-<clusterId>`).
   * Used when the scheduler has daskq's preload; otherwise the subscription is distributed's shared one.
   */
  readonly name: string;
  /**
   * How often the workers are compared with the scheduler's `identity` to catch events the stream
   * missed. Default 3000 ms on distributed's shared subscription (another subscriber may have taken
   * it over), 30 000 ms on a named one (a safety net only).
   */
  readonly checkIntervalMs?: number;
  /** Delay before the first new subscription after the stream dropped; doubles up to 10 s. Default 500 ms. */
  readonly retryDelayMs?: number;
  readonly logger?: Logger;
}

/** What a `WorkerWatch` found when it caught up with the scheduler. */
export interface WorkerCatchUp {
  /** Workers it had missed joining. */
  readonly added: number;
  /** Workers it had missed leaving. */
  readonly removed: number;
}

/** Events of a `WorkerWatch`. Each worker is announced once when it joins and once when it leaves. */
export interface WorkerWatchEvents {
  add: [worker: WorkerInfo];
  remove: [address: string, worker: WorkerInfo | undefined];
  /** The stream is back after it dropped: how long it was down, how many attempts it took, what was caught up. */
  resubscribed: [details: WorkerCatchUp & { readonly downMs: number; readonly attempts: number }];
}

/** Longest wait between two attempts to subscribe again. */
const MAX_RETRY_DELAY_MS = 10_000;

/**
 * The scheduler's workers as one subscriber sees them, kept right through a dropped stream and
 * through other subscribers on the same scheduler:
 *
 * - it subscribes under its own name when the scheduler has daskq's preload (`SCHEDULER_PRELOAD`),
 *   else to distributed's shared subscription, which a later subscriber takes over silently;
 * - when the stream drops, it subscribes again with back-off and compares the answer (the
 *   scheduler's identity) with what it knew: the workers that joined or left meanwhile are
 *   announced then (`resubscribed` says how many);
 * - every `checkIntervalMs` (also while the stream is down) it compares its view with `identity`
 *   the same way, which is how a subscriber whose shared subscription was taken over still
 *   follows the workers.
 */
export class WorkerWatch extends EventEmitter<WorkerWatchEvents> {
  private readonly known = new Map<string, WorkerInfo>();
  private stream: WorkerStatusStream;
  /** Events applied from the stream so far: a check whose answer may predate one of them is dropped. */
  private applied = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private toldTakenOver = false;

  private constructor(
    private readonly connection: SchedulerConnection,
    stream: WorkerStatusStream,
    private readonly options: WorkerWatchOptions,
  ) {
    super();
    this.stream = stream;
    for (const [address, worker] of stream.workers) this.known.set(address, worker);
    this.follow(stream);
    this.scheduleCheck();
  }

  /** Subscribes (named when the scheduler allows it) and starts following the workers. */
  static async open(connection: SchedulerConnection, options: WorkerWatchOptions): Promise<WorkerWatch> {
    return new WorkerWatch(connection, await connection.subscribeWorkerStatus(options.name), options);
  }

  /** Workers connected right now, by address. */
  get workers(): ReadonlyMap<string, WorkerInfo> {
    return this.known;
  }

  /** True while the subscription has this watch's own name (see `WorkerStatusStream.named`). */
  get named(): boolean {
    return this.stream.named;
  }

  /**
   * Compares the workers with the scheduler's `identity` now and announces the differences.
   * Resolves undefined when a stream event arrived meanwhile (the answer may be older than it).
   */
  async check(): Promise<WorkerCatchUp | undefined> {
    const before = this.applied;
    const stream = this.stream;
    const { workers } = await this.connection.identity();
    if (this.closed || this.applied !== before || stream !== this.stream) return undefined;
    const caught = this.catchUp(new Map(workers.map((w) => [w.address, w])));
    if (caught.added + caught.removed > 0) {
      const what = `caught up with ${caught.added} worker(s) joined and ${caught.removed} left that the worker status stream did not announce`;
      if (!this.stream.named && !this.toldTakenOver) {
        this.toldTakenOver = true;
        this.logger.warn(
          `${what}: another subscriber (e.g. another daskq process) took over distributed's shared worker-status subscription; ` +
            `following the workers every ${this.checkIntervalMs} ms instead (a scheduler started with daskq's preload gives each subscriber its own)`,
        );
      } else this.logger.info(what);
    }
    return caught;
  }

  /** Stops following and closes the stream. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.stream.close();
  }

  private get logger(): Logger {
    return this.options.logger ?? silentLogger;
  }

  private get checkIntervalMs(): number {
    return this.options.checkIntervalMs ?? (this.stream.named ? 30_000 : 3_000);
  }

  private follow(stream: WorkerStatusStream): void {
    stream.on("add", (worker) => {
      if (stream !== this.stream) return;
      this.applied++;
      this.added(worker);
    });
    stream.on("remove", (address) => {
      if (stream !== this.stream) return;
      this.applied++;
      this.removed(address);
    });
    stream.on("close", (error) => {
      if (stream !== this.stream || this.closed || !error) return;
      void this.resubscribe(error);
    });
  }

  private added(worker: WorkerInfo): void {
    const known = this.known.has(worker.address);
    this.known.set(worker.address, worker);
    if (!known) this.emit("add", worker);
  }

  private removed(address: string): void {
    const worker = this.known.get(address);
    if (!worker) return;
    this.known.delete(address);
    this.emit("remove", address, worker);
  }

  /** Makes the known workers those of `current`, announcing each difference. */
  private catchUp(current: ReadonlyMap<string, WorkerInfo>): WorkerCatchUp {
    const gone = [...this.known.keys()].filter((address) => !current.has(address));
    const come = [...current.values()].filter((w) => !this.known.has(w.address));
    for (const address of gone) this.removed(address);
    for (const worker of come) this.added(worker);
    return { added: come.length, removed: gone.length };
  }

  private async resubscribe(error: Error): Promise<void> {
    const lostAt = Date.now();
    this.logger.warn(`lost the worker status stream (${error.message}); subscribing again`);
    let delay = this.options.retryDelayMs ?? 500;
    for (let attempts = 1; !this.closed; attempts++, delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.closed) return;
      let stream: WorkerStatusStream;
      try {
        stream = await this.connection.subscribeWorkerStatus(this.options.name);
      } catch (failure) {
        this.logger.debug(`subscribing to worker status again failed (attempt ${attempts}): ${(failure as Error).message}`);
        continue;
      }
      if (this.closed) return stream.close();
      // The answer is the scheduler's identity at subscription time; events after it follow in order.
      this.stream = stream;
      const caught = this.catchUp(stream.workers);
      this.follow(stream);
      const downMs = Date.now() - lostAt;
      this.logger.info(`worker status followed again after ${downMs} ms (${attempts} attempt(s)): ${caught.added} worker(s) joined and ${caught.removed} left meanwhile`);
      this.emit("resubscribed", { ...caught, downMs, attempts });
      return;
    }
  }

  private scheduleCheck(): void {
    clearTimeout(this.timer);
    if (this.closed) return;
    this.timer = setTimeout(() => {
      void this.check()
        .catch((error: unknown) => this.logger.debug(`checking the workers against the scheduler failed: ${(error as Error).message}`))
        .finally(() => this.scheduleCheck());
    }, this.checkIntervalMs);
    this.timer.unref();
  }
}
