/**
 * What the scheduler's `adaptive_target` counts. distributed 2022.12 answers in THREADS (its code
 * still says "TODO: threads per worker"); from 2023 on it divides by the threads per worker and
 * answers in WORKERS.
 */
export type AdaptiveTargetUnit = "threads" | "workers";

/** The unit for a distributed version string such as `2022.12.1+ds.1` or `2025.1.0`. */
export function adaptiveTargetUnit(distributedVersion: string | undefined): AdaptiveTargetUnit {
  const match = /^(\d{4})\.(\d+)/.exec(distributedVersion ?? "");
  if (!match) return "workers";
  return Number(match[1]) <= 2022 ? "threads" : "workers";
}

/** Converts an `adaptive_target` answer to a number of workers. */
export function targetWorkers(raw: number, unit: AdaptiveTargetUnit, threadsPerWorker: number): number {
  if (!Number.isFinite(raw) || raw < 0) return 0;
  return unit === "threads" ? Math.ceil(raw / Math.max(1, threadsPerWorker)) : Math.ceil(raw);
}
