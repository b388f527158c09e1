import { DaskqError } from "../errors.js";
import type { SubmitRequest } from "./backend.js";

/**
 * Refuses a submission a backend cannot honour, before anything is written or run: a count that is
 * not a positive integer, an array while arrays are off (`arraysOffReason` says why, e.g.
 * `jobqueue.slurm.arrays: false`), or an array limit that is not a positive integer.
 */
export function checkSubmitRequest(component: string, request: SubmitRequest, arrays: boolean, arraysOffReason: string): void {
  const { count, maxRunning } = request;
  if (!Number.isInteger(count) || count < 1) throw new DaskqError(component, `cannot submit ${count} jobs: the count must be a positive integer`);
  if (count > 1 && !arrays) {
    throw new DaskqError(component, `cannot submit ${count} jobs as one array: arrays are switched off (${arraysOffReason})`);
  }
  if (maxRunning !== undefined && (!Number.isInteger(maxRunning) || maxRunning < 1)) {
    throw new DaskqError(component, `array-max-running must be a positive integer, got ${maxRunning}`);
  }
}
