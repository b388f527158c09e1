import { silentLogger, type Logger } from "../logger.js";
import type { SchedulerConnection } from "../scheduler/scheduler-connection.js";
import { targetWorkers, type AdaptiveTargetUnit } from "./adaptive-target.js";
import type { ScaleDecision } from "./scale-decision.js";

/** Options of the adaptive policy (Dask's names and defaults). */
export interface AdaptiveOptions {
  /** Fewest workers. Default 0. */
  readonly minimum?: number;
  /** Most workers. Default unbounded. */
  readonly maximum?: number;
  /** Time between decisions, ms. Default 1000. */
  readonly interval?: number;
  /** Seconds the scheduler should aim to finish the current work in. Default 5. */
  readonly targetDuration?: number;
  /** A worker is closed only after being suggested this many times in a row. Default 3. */
  readonly waitCount?: number;
  /** What `adaptive_target` counts on this scheduler; see `adaptiveTargetUnit`. Default `workers`. */
  readonly targetUnit?: AdaptiveTargetUnit;
  /** Threads per worker, to convert a `threads` answer. Default 1. */
  readonly threadsPerWorker?: number;
  readonly logger?: Logger;
  /** Called with every decision, including `same`. */
  readonly onDecision?: (decision: ScaleDecision) => void;
}

/**
 * Dask's adaptive contract: Dask knows WHEN to grow and shrink, the cluster manager knows HOW.
 * Subclasses implement `scaleUp(n)` (grow to n workers in total), `scaleDown(names)` (remove these
 * workers; they are already retired, their data moved), and `planned()` (workers asked for,
 * arrived or not). Each tick asks the scheduler for `adaptive_target`, and on the way down for
 * `workers_to_close`; a worker goes only after `waitCount` suggestions in a row.
 */
export abstract class Adaptive {
  protected readonly options: AdaptiveOptions;
  protected readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ScaleDecision | undefined> | undefined;
  private stopped = true;
  /** Consecutive suggestions to close, by worker (or job) name. */
  protected readonly closeCounts = new Map<string, number>();
  /** The decision of the current tick once `report` has handed it on. */
  private reported: ScaleDecision | undefined;

  constructor(
    protected readonly scheduler: SchedulerConnection,
    options: AdaptiveOptions = {},
  ) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
  }

  /** Grow to `n` workers in total. */
  abstract scaleUp(n: number): Promise<void>;

  /** Remove these workers (by name). They were retired through the scheduler just before. */
  abstract scaleDown(workers: readonly string[]): Promise<void>;

  /** Workers asked for, arrived or not. */
  protected abstract planned(): number;

  /** Names of workers asked for that have not joined yet: dropped first on the way down. */
  protected notYetArrived(): readonly string[] {
    return [];
  }

  /** True while the loop runs. */
  get active(): boolean {
    return !this.stopped;
  }

  /** Starts deciding every `interval`. */
  start(): this {
    if (!this.stopped) return this;
    this.stopped = false;
    const loop = () => {
      this.timer = setTimeout(() => void this.tick().finally(() => !this.stopped && loop()), this.options.interval ?? 1000);
    };
    loop();
    return this;
  }

  /** Stops the loop; an ongoing tick finishes first. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /**
   * One decision. At most one runs at a time (a call during a tick waits for it and returns its
   * result). Errors are logged and the loop goes on.
   */
  tick(): Promise<ScaleDecision | undefined> {
    this.running ??= this.decideAndAct()
      .catch((error: unknown) => {
        this.logger.warn(`adaptive: decision failed, will try again: ${(error as Error).message}`);
        return undefined;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** The scheduler's wish in workers, clamped to [minimum, maximum]; also the raw answer. */
  protected async targetInWorkers(): Promise<{ raw: number; workers: number }> {
    const raw = await this.scheduler.adaptiveTarget(this.options.targetDuration ?? 5);
    const workers = targetWorkers(raw, this.options.targetUnit ?? "workers", this.options.threadsPerWorker ?? 1);
    return { raw, workers: clamp(workers, this.options.minimum ?? 0, this.options.maximum ?? Infinity) };
  }

  /** Keeps only names suggested `waitCount` times in a row; forgets the rest. */
  protected confirmed(suggested: readonly string[]): string[] {
    const wanted = new Set(suggested);
    for (const name of [...this.closeCounts.keys()]) if (!wanted.has(name)) this.closeCounts.delete(name);
    const firm: string[] = [];
    for (const name of suggested) {
      const count = (this.closeCounts.get(name) ?? 0) + 1;
      this.closeCounts.set(name, count);
      if (count >= (this.options.waitCount ?? 3)) firm.push(name);
    }
    return firm;
  }

  /** Dask's worker-level policy. Subclasses with coarser units (jobs) override it. */
  protected async decide(): Promise<ScaleDecision> {
    const { raw, workers: target } = await this.targetInWorkers();
    const current = this.planned();
    const pending = this.notYetArrived();
    const base = { rawTarget: raw, target, current, pending: pending.length };
    if (target > current) {
      this.closeCounts.clear();
      await this.scaleUp(target);
      return { ...base, action: "up", removing: [], reason: `target ${target} > ${current} planned: scale up to ${target}` };
    }
    if (target === current) {
      this.closeCounts.clear();
      return { ...base, action: "same", removing: [], reason: `target ${target} = planned` };
    }
    const suggested = pending.slice(0, current - target);
    if (target < current - suggested.length) {
      suggested.push(...(await this.scheduler.workersToClose({ target })).filter((n) => !suggested.includes(n)));
    }
    const firm = this.confirmed(suggested);
    if (firm.length === 0) {
      return { ...base, action: "same", removing: [], reason: `target ${target} < ${current} planned; waiting for ${this.options.waitCount ?? 3} suggestions in a row` };
    }
    const decision = this.report({ ...base, action: "down", removing: firm, reason: `target ${target} < ${current} planned: removing ${firm.join(", ")}` });
    const arrived = firm.filter((n) => !pending.includes(n));
    if (arrived.length > 0) await this.scheduler.retireWorkers({ names: arrived });
    await this.scaleDown(firm);
    for (const name of firm) this.closeCounts.delete(name);
    return decision;
  }

  /**
   * Logs a decision and hands it to `onDecision`. `decide()` calls it BEFORE acting on a decision
   * to remove workers, so that the decision is reported before its effects (workers leaving, jobs
   * ending) can be seen; any other decision is reported when `decide()` returns.
   */
  protected report(decision: ScaleDecision): ScaleDecision {
    if (decision.action !== "same") this.logger.info(`adaptive: ${decision.reason}`);
    else this.logger.debug(`adaptive: ${decision.reason}`);
    this.reported = decision;
    this.options.onDecision?.(decision);
    return decision;
  }

  private async decideAndAct(): Promise<ScaleDecision> {
    this.reported = undefined;
    const decision = await this.decide();
    if (this.reported !== decision) this.report(decision);
    return decision;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
