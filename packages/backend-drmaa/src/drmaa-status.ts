import type { JobStatus } from "@daskq/core";
import { DrmaaErrno, DrmaaPs } from "./drmaa-constants.js";
import type { JobExit, JobPsAnswer } from "./helper-protocol.js";

const NATIVE: Readonly<Record<number, string>> = {
  [DrmaaPs.UNDETERMINED]: "UNDETERMINED",
  [DrmaaPs.QUEUED_ACTIVE]: "QUEUED_ACTIVE",
  [DrmaaPs.SYSTEM_ON_HOLD]: "SYSTEM_ON_HOLD",
  [DrmaaPs.USER_ON_HOLD]: "USER_ON_HOLD",
  [DrmaaPs.USER_SYSTEM_ON_HOLD]: "USER_SYSTEM_ON_HOLD",
  [DrmaaPs.RUNNING]: "RUNNING",
  [DrmaaPs.SYSTEM_SUSPENDED]: "SYSTEM_SUSPENDED",
  [DrmaaPs.USER_SUSPENDED]: "USER_SUSPENDED",
  [DrmaaPs.USER_SYSTEM_SUSPENDED]: "USER_SYSTEM_SUSPENDED",
  [DrmaaPs.DONE]: "DONE",
  [DrmaaPs.FAILED]: "FAILED",
};

function howItEnded(exit: JobExit | undefined): string | undefined {
  if (exit?.signal) return `killed by ${exit.signal}`;
  if (exit?.exitCode !== undefined) return `exited with code ${exit.exitCode}`;
  return undefined;
}

/**
 * The daskq status of a `drmaa_job_ps` program state. DONE is `finished` unless the job exited
 * with another code than 0 or was killed by a signal (Grid Engine reports DONE for any exit code); FAILED (the job could not run, or was terminated)
 * is `failed`. Holds count as queued and suspensions as running, with the reason. UNDETERMINED is
 * reported as queued (a report never moves a job back).
 */
export function statusOfPs(ps: number, exit?: JobExit): JobStatus {
  const native = NATIVE[ps] ?? `0x${ps.toString(16)}`;
  switch (ps) {
    case DrmaaPs.QUEUED_ACTIVE:
    case DrmaaPs.UNDETERMINED:
      return { state: "queued", native };
    case DrmaaPs.SYSTEM_ON_HOLD:
    case DrmaaPs.USER_ON_HOLD:
    case DrmaaPs.USER_SYSTEM_ON_HOLD:
      return { state: "queued", native, reason: "on hold" };
    case DrmaaPs.RUNNING:
      return { state: "running", native };
    case DrmaaPs.SYSTEM_SUSPENDED:
    case DrmaaPs.USER_SUSPENDED:
    case DrmaaPs.USER_SYSTEM_SUSPENDED:
      return { state: "running", native, reason: "suspended" };
    case DrmaaPs.DONE: {
      const ended = howItEnded(exit);
      return ended === undefined || exit?.exitCode === 0 ? { state: "finished", native } : { state: "failed", native, reason: ended };
    }
    case DrmaaPs.FAILED:
      return { state: "failed", native, reason: howItEnded(exit) ?? "the batch system reports that the job failed" };
    default:
      return { state: "queued", native };
  }
}

/**
 * The statuses of the answered ids. An id DRMAA does not know (`DRMAA_ERRNO_INVALID_JOB`: never
 * existed, or ended and forgotten) is absent, for core to decide. Any other error is returned, so
 * the caller can fail the whole poll rather than report a partial picture.
 */
export function statusesOf(answers: Readonly<Record<string, JobPsAnswer>>): { statuses: Map<string, JobStatus>; errors: string[] } {
  const statuses = new Map<string, JobStatus>();
  const errors: string[] = [];
  for (const [id, answer] of Object.entries(answers)) {
    if ("ps" in answer) statuses.set(id, statusOfPs(answer.ps, answer.exit));
    else if (answer.errno !== DrmaaErrno.INVALID_JOB) errors.push(`${id}: ${answer.message}`);
  }
  return { statuses, errors };
}
