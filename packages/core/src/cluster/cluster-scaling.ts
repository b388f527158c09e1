import { jobBounds, type AdaptOptions } from "../adaptive/adapt-options.js";
import { adaptiveTargetUnit } from "../adaptive/adaptive-target.js";
import { JobAdaptive } from "../adaptive/job-adaptive.js";
import { PoolsAdaptive } from "../adaptive/pools-adaptive.js";
import type { ScaleDecision } from "../adaptive/scale-decision.js";
import { DaskqError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { WorkerPool } from "../pool/worker-pool.js";
import type { SchedulerConnection } from "../scheduler/scheduler-connection.js";
import { jobsForRequest, type ScaleRequest } from "./scale-request.js";

/**
 * The size of a cluster's pools: set by hand (`scale`), or by the load (`adapt`) until the next
 * `scale` or `stop`. Each pool's reconciler then drives its jobs toward the size.
 */
export class ClusterScaling {
  private adaptive: JobAdaptive | PoolsAdaptive | undefined;

  constructor(
    private readonly pools: readonly WorkerPool[],
    private readonly scheduler: SchedulerConnection,
    private readonly logger: Logger,
    /** Emits `scale-decision`. */
    private readonly onDecision: (decision: ScaleDecision) => void,
  ) {}

  /** Sets `pool` to this size, rounded up to whole jobs; like in Dask, it stops adaptivity. */
  async scale(pool: WorkerPool, size: ScaleRequest): Promise<void> {
    const jobs = jobsForRequest(size, pool.spec);
    if (this.adaptive) {
      this.logger.info("scale() called by hand: adaptivity stopped");
      await this.stop();
    }
    const where = this.pools.length > 1 ? `pool ${pool.name}: ` : "";
    this.logger.info(`${where}scale to ${jobs} job(s) (${jobs * pool.spec.processes} workers)`);
    pool.reconciler.setTarget(jobs);
  }

  /** See `JobQueueCluster.adapt`. */
  async adapt(options: AdaptOptions): Promise<JobAdaptive | PoolsAdaptive> {
    await this.stop();
    const version = await this.scheduler.distributedVersion().catch(() => undefined);
    const common = {
      ...options,
      targetUnit: adaptiveTargetUnit(version),
      logger: options.logger ?? this.logger,
      onDecision: (decision: ScaleDecision) => {
        options.onDecision?.(decision);
        this.onDecision(decision);
      },
    };
    if (this.pools.length > 1) {
      const bounds = Object.entries(options).filter(([key, value]) => /^(minimum|maximum)/.test(key) && value !== undefined);
      if (bounds.length > 0) throw new DaskqError("adaptive", `a cluster with pools adapts each pool between its own minimumJobs and maximumJobs; got ${bounds.map(([k]) => k).join(", ")} for adapt()`);
      const adaptive = new PoolsAdaptive(this.scheduler, this.pools, common);
      this.adaptive = adaptive;
      this.logger.info(`adapting ${this.pools.map((p) => `${p.name} (${p.parts.minimumJobs}..${p.parts.maximumJobs} jobs)`).join(", ")} (distributed ${version ?? "unknown"})`);
      return adaptive.start();
    }
    const pool = this.pools[0] as WorkerPool;
    const bounds = jobBounds({ minimumJobs: pool.parts.minimumJobs || undefined, maximumJobs: Number.isFinite(pool.parts.maximumJobs) ? pool.parts.maximumJobs : undefined, ...options }, pool.spec);
    const adaptive = new JobAdaptive(this.scheduler, pool.reconciler, pool.spec, bounds, common);
    this.adaptive = adaptive;
    this.logger.info(`adapting between ${bounds.minJobs} and ${bounds.maxJobs} job(s) (distributed ${version ?? "unknown"})`);
    return adaptive.start();
  }

  /** Stops adaptivity, if on; the pools keep their current size. */
  async stop(): Promise<void> {
    const adaptive = this.adaptive;
    this.adaptive = undefined;
    await adaptive?.stop();
  }
}
