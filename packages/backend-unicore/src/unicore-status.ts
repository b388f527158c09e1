import type { JobStatus } from "@daskq/core";
import type { UnicoreJob } from "./unicore-client.js";

/** The statusMessage of an aborted job (unicorex xnjs `DefaultProcessor.handleAborting`). */
export const ABORTED_MESSAGE = "Job aborted.";

/**
 * UNICORE's job state in core's terms: READY/STAGINGIN/QUEUED (and UNDEFINED) are queued,
 * RUNNING/STAGINGOUT running, SUCCESSFUL finished, FAILED failed, or cancelled when it was aborted.
 */
export function jobStatusOf(job: UnicoreJob): JobStatus {
  switch (job.status) {
    case "RUNNING":
    case "STAGINGOUT":
      return { state: "running", native: job.status };
    case "SUCCESSFUL":
      return { state: "finished", native: job.status };
    case "FAILED":
      return job.statusMessage.trim() === ABORTED_MESSAGE
        ? { state: "cancelled", native: job.status, reason: job.statusMessage }
        : { state: "failed", native: job.status, reason: job.statusMessage || undefined };
    default:
      return { state: "queued", native: job.status };
  }
}
