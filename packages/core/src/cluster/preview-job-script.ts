import { container as globalContainer, type DependencyContainer } from "tsyringe";
import type { BackendDescriptor } from "../backend/backend.js";
import { loadBackendConfig, type BackendConfigSources } from "../config/load-backend-config.js";
import { resolveJobSpec } from "../config/job-spec-from-config.js";
import { renderJobScript } from "../job/job-script.js";
import { silentLogger } from "../logger.js";
import { findBackend } from "../registry/backend-registry.js";
import { findPython } from "../scheduler/find-python.js";
import { findRemotePython } from "../scheduler/remote-scheduler.js";
import type { SshRunnerOptions } from "../ssh/ssh-runner.js";
import type { CommandRunner } from "../runner/command-runner.js";
import { runnerFromConfig } from "./runner-from-config.js";

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
}

/**
 * The job script a cluster with these options would submit, without starting a scheduler or
 * submitting anything (`daskq job-script`).
 */
export async function previewJobScript(options: PreviewOptions): Promise<string> {
  const descriptor = typeof options.backend === "string" ? findBackend(options.container ?? globalContainer, options.backend) : options.backend;
  const config = loadBackendConfig(descriptor, options);
  const { runner, owned } = runnerFromConfig(config, { runner: options.runner, container: options.container ?? globalContainer, ssh: options.ssh, logger: silentLogger });
  try {
    // Over SSH, the default python is the login node's (where the workers' jobs start from).
    const configured = config.values["python"] as string | undefined;
    const python = configured ?? (runner.forwardLocalPort ? await findRemotePython(runner) : (await findPython(undefined, options.env ?? process.env)).path);
    const spec = resolveJobSpec(config, { python });
    const backend = descriptor.create({ runner, logger: silentLogger, options: spec.backendOptions });
    try {
      return renderJobScript(backend, spec, options.schedulerAddress ?? "tcp://SCHEDULER-ADDRESS:8786", { jobName: `${spec.jobName}-0` });
    } finally {
      await backend.close?.();
    }
  } finally {
    if (owned) await runner.close();
  }
}
