import { withOfflineBackend } from "./offline-backend.js";
import type { PreviewOptions } from "./preview-job-script.js";

/**
 * The last `lines` lines of a job's output, read through the backend without a cluster
 * (`daskq logs`; over SSH when config `ssh` is set); undefined when the backend does not know
 * where the output is.
 */
export function readJobLogTail(options: Omit<PreviewOptions, "schedulerAddress">, jobId: string, lines = 50): Promise<string | undefined> {
  // Only the output location matters here: cores and memory need not be configured to read a log.
  return withOfflineBackend({ ...options, job: { cores: 1, memory: "1GiB", ...options.job } }, async ({ backend, spec, runner }) => {
    const path = backend.outputFile?.(spec, jobId);
    if (!path) return undefined;
    const text = await runner.readFile(path);
    return text?.trimEnd().split("\n").slice(-lines).join("\n");
  });
}
