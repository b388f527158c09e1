import type { JobState } from "@daskq/core";

/** The cluster as a whole. */
export interface ClusterSummary {
  readonly schedulerAddress: string;
  /** Backends whose jobs this cluster runs (one today; several with pools). */
  readonly backends: readonly string[];
  /** The scheduler speaks TLS. */
  readonly tls: boolean;
  /** ms since the epoch. */
  readonly startedAt: number;
  readonly uptimeSeconds: number;
  /** Dask's own dashboard, through the link template; null when the scheduler serves none. */
  readonly dashboardLink: string | null;
  readonly targetJobs: number;
  readonly processesPerJob: number;
  /** targetJobs × processesPerJob. */
  readonly wantedWorkers: number;
}

/** A group of jobs with one spec: today one per backend; a pool when pools exist. */
export interface GroupRow {
  readonly name: string;
  readonly backend: string;
}

/** One batch job, live or ended. */
export interface JobRow {
  /** The batch system's id. */
  readonly id: string;
  readonly name: string;
  /** The group (pool) it belongs to; see `GroupRow`. */
  readonly group: string;
  readonly state: JobState;
  /** The batch system's own word for the state. */
  readonly native: string | null;
  readonly reason: string | null;
  readonly submittedAt: number;
  readonly ageSeconds: number;
  /** Where its workers ran, when one joined. */
  readonly host: string | null;
  readonly workers: readonly string[];
  /** For failed jobs: the end of the job's output, when the backend knows it. */
  readonly logTail: string | null;
}

/** One Dask worker, as the scheduler reports it. */
export interface WorkerRow {
  readonly name: string;
  readonly address: string;
  readonly host: string | null;
  /** Its batch job; null for a worker daskq did not start. */
  readonly jobId: string | null;
  readonly group: string | null;
  readonly nthreads: number;
  /** Process memory (RSS), bytes; null before its first heartbeat or when the scheduler did not answer. */
  readonly memory: number | null;
  readonly memoryLimit: number;
  /** Tasks running now. */
  readonly executing: number | null;
  /** Tasks waiting on the worker for a thread. */
  readonly ready: number | null;
}

/** One adaptive decision. */
export interface DecisionRow {
  readonly at: number;
  readonly action: "up" | "down" | "same";
  readonly target: number;
  readonly current: number;
  readonly pending: number;
  readonly reason: string;
}

/** One sample of the chart. */
export interface HistoryPoint {
  /** ms since the epoch. */
  readonly at: number;
  readonly queued: number;
  readonly running: number;
  readonly workers: number;
}

/** Everything the status page shows; also its JSON endpoint's body. */
export interface StatusReport {
  readonly generatedAt: number;
  readonly cluster: ClusterSummary;
  readonly counts: Readonly<Record<JobState, number>> & { readonly workers: number };
  readonly groups: readonly GroupRow[];
  /** Live jobs first (newest first), then the most recent ended ones. */
  readonly jobs: readonly JobRow[];
  readonly workers: readonly WorkerRow[];
  /** Decisions that changed the size, newest first, then the latest one when it held the size. */
  readonly decisions: readonly DecisionRow[];
  readonly history: readonly HistoryPoint[];
  /** Things the page could not find out this time (e.g. the scheduler did not answer). */
  readonly warnings: readonly string[];
}
