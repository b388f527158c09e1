/**
 * What the scheduler's `adaptive_target` counts. Up to distributed 2023.7.x it answers in THREADS
 * (its code says "TODO: threads per worker"); from 2023.8.0 on (PR #8041, "Respect average
 * nthreads in adaptive") it divides by the average threads per worker and answers in WORKERS.
 */
export type AdaptiveTargetUnit = "threads" | "workers";

/** The first release whose `adaptive_target` counts workers (distributed PR #8041). */
const WORKERS_SINCE: readonly [number, number] = [2023, 8];

/** The unit for a distributed version string such as `2022.12.1+ds.1` or `2025.1.0`; unknown: workers. */
export function adaptiveTargetUnit(distributedVersion: string | undefined): AdaptiveTargetUnit {
  const match = /^(\d{4})\.(\d+)/.exec(distributedVersion ?? "");
  if (!match) return "workers";
  const [year, month] = [Number(match[1]), Number(match[2])];
  return year < WORKERS_SINCE[0] || (year === WORKERS_SINCE[0] && month < WORKERS_SINCE[1]) ? "threads" : "workers";
}

/** Converts an `adaptive_target` answer to a number of workers. */
export function targetWorkers(raw: number, unit: AdaptiveTargetUnit, threadsPerWorker: number): number {
  if (!Number.isFinite(raw) || raw < 0) return 0;
  return unit === "threads" ? Math.ceil(raw / Math.max(1, threadsPerWorker)) : Math.ceil(raw);
}
