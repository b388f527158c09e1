import { withOfflineBackend, type OfflineBackendOptions } from "./offline-backend.js";

/**
 * The last `lines` lines of a job's output, read through the backend without a cluster
 * (`daskq logs`; over SSH when config `ssh` is set): the backend adopts the job with the output
 * directory the configuration names (`log-directory`), then answers `logTail`. Undefined without
 * `log-directory` (a cluster's own output directory lives only as long as the cluster), or when the
 * backend cannot adopt jobs or has no output for this one.
 */
export function readJobLogTail(options: OfflineBackendOptions, jobId: string, lines = 50): Promise<string | undefined> {
  // Only the output location matters here: cores and memory need not be configured to read a log.
  return withOfflineBackend({ ...options, job: { cores: 1, memory: "1GiB", ...options.job } }, async ({ backend, spec }) => {
    if (!spec.logDirectory || !backend.adoptJob) return undefined;
    backend.adoptJob(jobId, { spec, outputDirectory: spec.logDirectory });
    return backend.logTail(jobId, lines);
  });
}
