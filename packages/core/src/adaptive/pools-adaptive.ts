import { providesResources } from "../pool/pool-options.js";
import type { TrackedJob } from "../pool/tracked-job.js";
import type { WorkerPool } from "../pool/worker-pool.js";
import type { ResourceDemand, SchedulerConnection } from "../scheduler/scheduler-connection.js";
import { Adaptive, type AdaptiveOptions } from "./adaptive.js";
import type { ScaleDecision } from "./scale-decision.js";

/** One pool's part of a decision. */
interface PoolPlan {
  readonly pool: WorkerPool;
  /** Jobs wanted, within the pool's bounds. */
  want: number;
  /** Of `want`, jobs wanted for tasks that need this pool's resources. */
  forResources: number;
}

/**
 * Dask's adaptive policy over the pools of a heterogeneous cluster, at job granularity:
 * - tasks with resource restrictions (`resources={"GPU": 1}`; from the scheduler preload's
 *   `daskq_resource_demand`) grow only a pool whose workers provide the resources, the first such
 *   pool in order of preference, one worker slot per task;
 * - the rest of the scheduler's `adaptive_target` (plain load) fills the pools in order of
 *   preference (cheapest first), each up to its maximum;
 * - every pool keeps at least its minimum; queued jobs count as capacity;
 * - a pool above its wish drops its jobs without workers first, then running jobs whose workers are
 *   all idle, after `waitCount` ticks in a row; the most expensive pool goes first. Workers are
 *   retired (data moved) before their jobs are cancelled, and jobs go whole.
 * Without the preload (attach mode), resource demand is unknown: plain load only.
 */
export class PoolsAdaptive extends Adaptive {
  private demandKnown = true;

  constructor(
    scheduler: SchedulerConnection,
    private readonly pools: readonly WorkerPool[],
    options: Omit<AdaptiveOptions, "minimum" | "maximum"> = {},
  ) {
    const first = pools[0] as WorkerPool;
    super(scheduler, { ...options, minimum: undefined, maximum: undefined, threadsPerWorker: Math.max(1, Math.floor(first.spec.cores / first.spec.processes)) });
  }

  /** Grows the pools, in order of preference, to `n` workers in total. */
  async scaleUp(n: number): Promise<void> {
    let left = n;
    for (const pool of this.pools) {
      const jobs = Math.min(Math.ceil(Math.max(0, left) / pool.spec.processes), pool.parts.maximumJobs);
      if (jobs > pool.reconciler.liveJobs.length) pool.reconciler.setTarget(jobs);
      left -= jobs * pool.spec.processes;
    }
  }

  /** Removes the jobs these workers belong to (whole jobs), whatever their pool. */
  async scaleDown(workers: readonly string[]): Promise<void> {
    const names = new Set(workers);
    for (const pool of this.pools) {
      await pool.reconciler.removeJobs(pool.reconciler.liveJobs.filter((j) => [...j.workers.values()].some((w) => names.has(w.name))));
    }
  }

  protected planned(): number {
    return this.pools.reduce((sum, pool) => sum + pool.reconciler.liveJobs.length * pool.spec.processes, 0);
  }

  protected override async decide(): Promise<ScaleDecision> {
    // Taken before the scheduler is asked: a worker that joins meanwhile must not count as present
    // when the target was computed without it.
    const noWorkers = this.pools.every((p) => p.workerCount === 0);
    // Demand first, target second: a restricted task only moves on (unrunnable, processing, done),
    // so the later target never counts a worker that the earlier demand does not explain.
    const demand = await this.resourceDemand();
    const { raw, workers } = await this.targetInWorkers();
    const plans: PoolPlan[] = this.pools.map((pool) => ({ pool, want: pool.parts.minimumJobs, forResources: 0 }));
    const restricted = demand.filter((d) => Object.keys(d.resources).length > 0);
    const unserved: string[] = [];
    // Workers the scheduler's target already counts: those running restricted tasks.
    let counted = 0;
    for (const d of restricted) {
      const plan = plans.find((p) => providesResources(p.pool.resources, d.resources) && p.forResources < p.pool.parts.maximumJobs);
      if (!plan) {
        if (d.unrunnable > 0) unserved.push(resourceText(d.resources));
        continue;
      }
      const perWorker = Math.max(1, Math.min(...Object.entries(d.resources).map(([name, amount]) => Math.floor((plan.pool.resources[name] ?? 0) / amount))));
      const jobs = Math.ceil((d.unrunnable + d.processing) / (perWorker * plan.pool.spec.processes));
      plan.forResources = Math.min(plan.forResources + jobs, plan.pool.parts.maximumJobs);
      plan.want = Math.max(plan.want, plan.forResources);
      counted += Math.ceil(d.processing / perWorker);
    }
    // With no worker at all, distributed 2022.12 asks for one worker whenever a task is unrunnable:
    // when only restricted tasks wait, that worker is the resource pool's, not plain load.
    const plainWaiting = demand.filter((d) => Object.keys(d.resources).length === 0).reduce((sum, d) => sum + d.unrunnable, 0);
    const plainTarget = noWorkers && plainWaiting === 0 && restricted.some((d) => d.unrunnable > 0) ? 0 : Math.max(0, workers - counted);
    // Plain load fills the pools in order of preference; each pool keeps at least its floor.
    let plain = plainTarget;
    for (const plan of plans) {
      const share = plain > 0 ? Math.min(Math.ceil(plain / plan.pool.spec.processes), plan.pool.parts.maximumJobs) : 0;
      plain -= share * plan.pool.spec.processes;
      plan.want = Math.max(plan.want, share);
    }
    const lines: string[] = [];
    let action: ScaleDecision["action"] = "same";
    let loads: Map<string, number> | undefined;
    const suggested: TrackedJob[] = [];
    // The most expensive pool (last in order of preference) gives up its jobs first.
    for (const plan of [...plans].reverse()) {
      const { pool, want } = plan;
      const live = pool.reconciler.liveJobs;
      lines.unshift(`${pool.name} ${live.length}->${want}${plan.forResources > 0 ? ` (${plan.forResources} for resources)` : ""}`);
      if (want >= live.length) {
        if (want > live.length) action = "up";
        if (pool.reconciler.targetJobs !== want) pool.reconciler.setTarget(want);
        continue;
      }
      const excess = live.length - want;
      const waiting = [...live.filter((j) => j.workers.size === 0)].reverse();
      const picked = [...waiting.filter((j) => j.state === "queued"), ...waiting.filter((j) => j.state !== "queued")].slice(0, excess);
      if (picked.length < excess) {
        loads ??= await this.busyWorkers();
        const idle = live.filter((j) => j.workers.size > 0 && [...j.workers.values()].every((w) => (loads as Map<string, number>).get(w.name) === 0));
        picked.push(...idle.reverse().slice(0, excess - picked.length));
      }
      suggested.push(...picked);
    }
    const firm = new Set(this.confirmed(suggested.map((j) => j.id)));
    const going = [...plans].reverse().map((plan) => ({ pool: plan.pool, jobs: plan.pool.reconciler.liveJobs.filter((j) => firm.has(j.id)) }));
    const removing = going.flatMap((g) => g.jobs.map((j) => j.id));
    if (removing.length > 0 && action === "same") action = "down";
    const target = plans.reduce((sum, p) => sum + p.want, 0);
    const current = plans.reduce((sum, p) => sum + p.pool.reconciler.liveJobs.length, 0);
    const pending = plans.reduce((sum, p) => sum + p.pool.reconciler.liveJobs.filter((j) => j.workers.size === 0).length, 0);
    const notes = [
      `adaptive_target ${raw} -> ${workers} workers`,
      restricted.length > 0 ? `resource demand ${restricted.map((d) => `${resourceText(d.resources)}: ${d.unrunnable} unrunnable, ${d.processing} processing`).join("; ")}` : undefined,
      unserved.length > 0 ? `no pool provides ${unserved.join(", ")}` : undefined,
      suggested.length > firm.size ? `${suggested.length - firm.size} job(s) idle, waiting for ${this.options.waitCount ?? 3} ticks in a row` : undefined,
      removing.length > 0 ? `removing job(s) ${removing.join(" ")}` : undefined,
    ].filter((n): n is string => n !== undefined);
    const decision: ScaleDecision = { action, rawTarget: raw, target, current, pending, removing, reason: `jobs ${lines.join(", ")}; ${notes.join("; ")}` };
    if (removing.length === 0) return decision;
    // Reported before acting, so that nobody sees workers leave before the decision that let them go.
    this.report(decision);
    for (const { pool, jobs } of going) if (jobs.length > 0) await pool.reconciler.removeJobs(jobs);
    for (const id of firm) this.closeCounts.delete(id);
    return decision;
  }

  /** The scheduler preload's answer; empty (plain load only) when the scheduler has no preload. */
  private async resourceDemand(): Promise<ResourceDemand[]> {
    try {
      const demand = await this.scheduler.resourceDemand();
      this.demandKnown = true;
      return demand;
    } catch (error) {
      if (this.demandKnown) {
        this.logger.warn(`adaptive: the scheduler does not report resource demand (${(error as Error).message}); growing pools on plain load only (a scheduler daskq starts has the preload)`);
      }
      this.demandKnown = false;
      return [];
    }
  }

  /** Tasks running or waiting on each worker, by worker name (ONE identity call). */
  private async busyWorkers(): Promise<Map<string, number>> {
    const loads = await this.scheduler.workerLoads();
    return new Map(loads.map((w) => [w.name, w.executing + w.ready]));
  }
}

function resourceText(resources: Readonly<Record<string, number>>): string {
  return Object.entries(resources)
    .map(([name, amount]) => `${name}=${amount}`)
    .join(",");
}
