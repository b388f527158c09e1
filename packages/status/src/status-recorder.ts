import { isTerminal, type JobQueueCluster, type JobSnapshot, type JobState, type ScaleDecision, type WorkerInfo, type WorkerLoad } from "@daskq/core";
import type { DecisionRow, HistoryPoint, JobRow, StatusReport, WorkerRow } from "./status-report.js";

/** Options of a `StatusRecorder`. */
export interface StatusRecorderOptions {
  /** Time between chart samples, ms. Default 2000. */
  readonly sampleIntervalMs?: number;
  /** Chart samples kept. Default 1800 (an hour at 2 s). */
  readonly historyLength?: number;
  /** Ended jobs listed (the most recent). Default 50. */
  readonly endedJobs?: number;
  /** Decisions that changed the size, kept. Default 30. */
  readonly decisions?: number;
  /** Lines of a failed job's output shown. Default 20. */
  readonly logLines?: number;
}

const JOB_STATES: readonly JobState[] = ["queued", "running", "finished", "failed", "cancelled", "lost"];

/**
 * Follows a cluster from the moment it is attached: samples jobs and workers over time, keeps the
 * adaptive decisions and the output tails of failed jobs, and builds a `StatusReport` on demand
 * (asking the scheduler for the workers' memory and tasks, one `identity` call).
 */
export class StatusRecorder {
  private readonly history: HistoryPoint[] = [];
  private readonly decisions: DecisionRow[] = [];
  private lastDecision: DecisionRow | undefined;
  private readonly logTails = new Map<string, Promise<string | undefined>>();
  private readonly jobHosts = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;
  private readonly detach: () => void;

  constructor(
    private readonly cluster: JobQueueCluster,
    private readonly options: StatusRecorderOptions = {},
  ) {
    const onDecision = (decision: ScaleDecision) => this.recordDecision(decision);
    const onFailed = (job: JobSnapshot, details: { logTail: string | undefined }) => this.logTails.set(job.id, Promise.resolve(details.logTail));
    const onJoined = (worker: WorkerInfo, jobId: string | undefined) => {
      if (jobId && worker.host) this.jobHosts.set(jobId, worker.host);
    };
    cluster.on("scale-decision", onDecision);
    cluster.on("job-failed", onFailed);
    cluster.on("worker-joined", onJoined);
    this.detach = () => {
      cluster.off("scale-decision", onDecision);
      cluster.off("job-failed", onFailed);
      cluster.off("worker-joined", onJoined);
    };
    this.sample();
    this.timer = setInterval(() => this.sample(), options.sampleIntervalMs ?? 2_000);
    this.timer.unref();
  }

  /** Everything the page shows, now. */
  async report(): Promise<StatusReport> {
    const now = Date.now();
    const status = this.cluster.status();
    // One group per pool when the cluster has several, else the backend as before.
    const pooled = status.pools.length > 1;
    const group = this.cluster.backendName;
    const jobPools = new Map(status.pools.flatMap((p) => p.jobs.map((j) => [j.id, p.name] as const)));
    const groupOfJob = (id: string): string => (pooled ? (jobPools.get(id) ?? group) : group);
    const warnings: string[] = [];
    for (const worker of status.workers) if (worker.jobId && worker.host) this.jobHosts.set(worker.jobId, worker.host);

    let loads: Map<string, WorkerLoad> | undefined;
    try {
      loads = new Map((await this.cluster.scheduler.workerLoads()).map((w) => [w.address, w]));
    } catch (error) {
      warnings.push(`the scheduler did not answer (${(error as Error).message}); worker memory and tasks are unknown`);
    }
    const workers: WorkerRow[] = status.workers.map((w) => {
      const load = loads?.get(w.address);
      return {
        name: w.name,
        address: w.address,
        host: w.host ?? load?.host ?? null,
        jobId: w.jobId ?? null,
        group: w.jobId ? groupOfJob(w.jobId) : null,
        nthreads: load?.nthreads ?? 0,
        memory: load?.memory ?? null,
        memoryLimit: load?.memoryLimit ?? 0,
        executing: load?.executing ?? null,
        ready: load?.ready ?? null,
      };
    });

    const live = status.jobs.filter((j) => !isTerminal(j.state)).reverse();
    const ended = status.jobs.filter((j) => isTerminal(j.state)).slice(-(this.options.endedJobs ?? 50)).reverse();
    const jobs: JobRow[] = await Promise.all(
      [...live, ...ended].map(async (job) => ({
        id: job.id,
        name: job.name,
        group: groupOfJob(job.id),
        state: job.state,
        native: job.native ?? null,
        reason: job.reason ?? null,
        submittedAt: job.submittedAt,
        ageSeconds: Math.max(0, Math.round((now - job.submittedAt) / 1000)),
        host: this.jobHosts.get(job.id) ?? null,
        workers: job.workers,
        logTail: job.state === "failed" ? ((await this.logTail(job.id)) ?? null) : null,
      })),
    );

    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, status.jobs.filter((j) => j.state === s).length])) as Record<JobState, number>;
    const processes = this.cluster.spec.processes;
    const wantedWorkers = this.cluster.pools.reduce((sum, pool) => sum + pool.reconciler.targetJobs * pool.spec.processes, 0);
    const decisions = [...this.decisions].reverse();
    if (this.lastDecision && this.lastDecision.action === "same") decisions.unshift(this.lastDecision);
    return {
      generatedAt: now,
      cluster: {
        schedulerAddress: status.schedulerAddress,
        backends: [...new Set(status.pools.map((p) => p.backend))],
        tls: this.cluster.tls,
        startedAt: this.cluster.startedAt,
        uptimeSeconds: Math.round((now - this.cluster.startedAt) / 1000),
        dashboardLink: this.cluster.dashboardLink ?? null,
        targetJobs: status.targetJobs,
        processesPerJob: processes,
        wantedWorkers,
      },
      counts: { ...counts, workers: workers.length },
      groups: pooled ? status.pools.map((p) => ({ name: p.name, backend: p.backend })) : [{ name: group, backend: this.cluster.backendName }],
      jobs,
      workers,
      decisions,
      history: [...this.history, { at: now, queued: counts.queued, running: counts.running, workers: workers.length }],
      warnings,
    };
  }

  /** Stops sampling and listening to the cluster. */
  close(): void {
    clearInterval(this.timer);
    this.detach();
  }

  private sample(): void {
    const { counts } = this.cluster.status();
    this.history.push({ at: Date.now(), queued: counts.queued, running: counts.running, workers: counts.workers });
    const excess = this.history.length - (this.options.historyLength ?? 1_800);
    if (excess > 0) this.history.splice(0, excess);
  }

  private recordDecision(decision: ScaleDecision): void {
    const row: DecisionRow = {
      at: Date.now(),
      action: decision.action,
      target: decision.target,
      current: decision.current,
      pending: decision.pending,
      reason: decision.reason,
    };
    this.lastDecision = row;
    if (row.action === "same") return;
    this.decisions.push(row);
    const excess = this.decisions.length - (this.options.decisions ?? 30);
    if (excess > 0) this.decisions.splice(0, excess);
  }

  /** A failed job's output tail: from its `job-failed` event, else read once through the backend. */
  private logTail(jobId: string): Promise<string | undefined> {
    let tail = this.logTails.get(jobId);
    if (!tail) {
      tail = this.cluster.jobLogTail(jobId, this.options.logLines ?? 20).catch(() => undefined);
      this.logTails.set(jobId, tail);
    }
    return tail;
  }
}
