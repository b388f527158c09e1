import { renderJobScript } from "../job/job-script.js";
import { workerLaunch } from "../job/worker-command.js";
import { withOfflineBackend, type OfflineBackendOptions } from "./offline-backend.js";

/** Options of `previewJobScript`. */
export interface PreviewOptions extends OfflineBackendOptions {
  /** Address written into the script; default a placeholder, since no scheduler is started. */
  readonly schedulerAddress?: string;
}

/**
 * The job script a cluster with these options would submit, without starting a scheduler or
 * submitting anything (`daskq job-script`). The backend's `prepare()` runs first (PBS asks its
 * flavour, LSF reads its units); it is made with `preview: true`, so a discovery that fails may fall
 * back to a default (PBS: PBS Pro's syntax, as dask-jobqueue writes) with a warning. Without `log-directory` the header names no output directory:
 * a cluster decides its own when it starts.
 */
export function previewJobScript(options: PreviewOptions): Promise<string> {
  return withOfflineBackend({ ...options, preview: true }, async ({ backend, spec }) => {
    const worker = workerLaunch(spec, options.schedulerAddress ?? "tcp://SCHEDULER-ADDRESS:8786", { kind: "fixed", name: `${spec.jobName}-0` });
    return renderJobScript(backend, spec, worker, spec.logDirectory);
  });
}
