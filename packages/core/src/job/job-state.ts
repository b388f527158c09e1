/**
 * The life of a batch job as daskq tracks it.
 *
 * ```
 * queued -> running -> finished | failed | cancelled
 *    \-> failed | cancelled | lost           (any state -> lost when the batch system forgets the id)
 * ```
 */
export type JobState = "queued" | "running" | "finished" | "failed" | "cancelled" | "lost";

/** The states a job never leaves. */
export const TERMINAL_STATES: ReadonlySet<JobState> = new Set(["finished", "failed", "cancelled", "lost"]);

/** True once a job can no longer run a worker. */
export function isTerminal(state: JobState): boolean {
  return TERMINAL_STATES.has(state);
}

const ALLOWED: Readonly<Record<JobState, readonly JobState[]>> = {
  queued: ["running", "finished", "failed", "cancelled", "lost"],
  running: ["finished", "failed", "cancelled", "lost"],
  finished: [],
  failed: [],
  cancelled: [],
  lost: [],
};

/**
 * The state a job moves to when the batch system reports `next`. Terminal states are sticky and a
 * report can never move a job backwards (a late `queued` after `running` is ignored).
 */
export function nextJobState(current: JobState, next: JobState): JobState {
  if (current === next) return current;
  return ALLOWED[current].includes(next) ? next : current;
}
