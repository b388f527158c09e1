import type { DependencyContainer } from "tsyringe";
import type { Logger } from "../logger.js";
import type { BackendDescriptor } from "../backend/backend.js";
import type { BackendConfigSources } from "../config/load-backend-config.js";
import { renderJobScript } from "../job/job-script.js";
import { workerLaunch } from "../job/worker-command.js";
import type { SshRunnerOptions } from "../ssh/ssh-runner.js";
import type { CommandRunner } from "../runner/command-runner.js";
import { withOfflineBackend } from "./offline-backend.js";

/** Options of `previewJobScript`. */
export interface PreviewOptions extends BackendConfigSources {
  readonly backend: string | BackendDescriptor;
  readonly container?: DependencyContainer;
  /** Address written into the script; default a placeholder, since no scheduler is started. */
  readonly schedulerAddress?: string;
  /** Where the backend's commands would run; default as for a cluster (config `ssh`, else here). */
  readonly runner?: CommandRunner;
  /** How to connect when config `ssh` is set. */
  readonly ssh?: SshRunnerOptions;
  /** Where the backend says what it assumed for the preview (PBS without a flavour); default silent. */
  readonly logger?: Logger;
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
