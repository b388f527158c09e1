import { container as globalContainer } from "tsyringe";
import type { Backend } from "../backend/backend.js";
import { loadBackendConfig } from "../config/load-backend-config.js";
import { resolveJobSpec } from "../config/job-spec-from-config.js";
import type { JobSpec } from "../job/job-spec.js";
import { silentLogger } from "../logger.js";
import { findBackend } from "../registry/backend-registry.js";
import type { CommandRunner } from "../runner/command-runner.js";
import { findPython } from "../scheduler/find-python.js";
import { findRemotePython } from "../scheduler/remote-scheduler.js";
import type { PreviewOptions } from "./preview-job-script.js";
import { newClusterId } from "./cluster-id.js";
import { runnerFromConfig } from "./runner-from-config.js";

/** A backend as a cluster with these options would have it, with no scheduler behind it. */
export interface OfflineBackend {
  readonly backend: Backend;
  readonly spec: JobSpec;
  /** Where its commands run (config `ssh`, else here). */
  readonly runner: CommandRunner;
}

/**
 * Runs `use` with the backend these options describe (runner chosen as for a cluster), prepared
 * (PBS knows its flavour, LSF its units), then releases the backend and the runner it opened.
 */
export async function withOfflineBackend<T>(options: Omit<PreviewOptions, "schedulerAddress"> & { readonly preview?: boolean }, use: (offline: OfflineBackend) => Promise<T>): Promise<T> {
  const descriptor = typeof options.backend === "string" ? findBackend(options.container ?? globalContainer, options.backend) : options.backend;
  const config = loadBackendConfig(descriptor, options);
  const { runner, owned } = runnerFromConfig(config, { runner: options.runner, container: options.container ?? globalContainer, ssh: options.ssh, logger: silentLogger });
  try {
    // Over SSH, the default python is the login node's (where the workers' jobs start from).
    const configured = config.values["python"] as string | undefined;
    const python = configured ?? (runner.forwardLocalPort ? await findRemotePython(runner) : (await findPython(undefined, options.env ?? process.env)).path);
    const spec = resolveJobSpec(config, { python });
    const backend = descriptor.create({ runner, logger: options.logger ?? silentLogger, options: spec.backendOptions, section: config.section, clusterId: newClusterId(), preview: options.preview });
    try {
      await backend.prepare?.();
      return await use({ backend, spec, runner });
    } finally {
      await backend.close?.();
    }
  } finally {
    if (owned) await runner.close();
  }
}
