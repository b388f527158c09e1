import { container as globalContainer, type DependencyContainer } from "tsyringe";
import type { Backend, BackendDescriptor } from "../backend/backend.js";
import { loadBackendConfig, type BackendConfigSources } from "../config/load-backend-config.js";
import { resolveJobSpec } from "../config/job-spec-from-config.js";
import type { JobSpec } from "../job/job-spec.js";
import { silentLogger, type Logger } from "../logger.js";
import { findBackend } from "../registry/backend-registry.js";
import type { CommandRunner } from "../runner/command-runner.js";
import { pythonWithDask } from "../scheduler/find-python.js";
import type { SshRunnerOptions } from "../ssh/ssh-runner.js";
import { newClusterId } from "./cluster-id.js";
import { runnerFromConfig } from "./runner-from-config.js";

/** Which backend, configured how, reached through which runner (as for a cluster). */
export interface OfflineBackendOptions extends BackendConfigSources {
  readonly backend: string | BackendDescriptor;
  readonly container?: DependencyContainer;
  /** Where the backend's commands would run; default as for a cluster (config `ssh`, else here). */
  readonly runner?: CommandRunner;
  /** How to connect when config `ssh` is set. */
  readonly ssh?: SshRunnerOptions;
  /** Where the backend says what it assumed for the preview (PBS without a flavour); default silent. */
  readonly logger?: Logger;
}

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
export async function withOfflineBackend<T>(options: OfflineBackendOptions & { readonly preview?: boolean }, use: (offline: OfflineBackend) => Promise<T>): Promise<T> {
  const descriptor = typeof options.backend === "string" ? findBackend(options.container ?? globalContainer, options.backend) : options.backend;
  const config = loadBackendConfig(descriptor, options);
  const { runner, owned } = runnerFromConfig(config, { runner: options.runner, container: options.container ?? globalContainer, ssh: options.ssh, logger: silentLogger });
  try {
    // Over SSH, the default python is the login node's (where the workers' jobs start from).
    const configured = config.values["python"] as string | undefined;
    const python = configured ?? (await pythonWithDask(runner, {}, options.env ?? process.env));
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
