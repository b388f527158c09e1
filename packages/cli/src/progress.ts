import type { ClusterStatus } from "@daskq/core";

/** One progress line, e.g. `3/8 workers, 5 jobs queued, 1 failed`. */
export function formatProgress(status: ClusterStatus, processesPerJob: number): string {
  const wanted = status.targetJobs * processesPerJob;
  const failed = status.jobs.filter((j) => j.state === "failed").length;
  const parts = [`${status.counts.workers}/${wanted} workers`, `${status.counts.queued} jobs queued`];
  if (failed > 0) parts.push(`${failed} failed`);
  return parts.join(", ");
}
