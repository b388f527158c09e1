import { container as globalContainer, type DependencyContainer } from "tsyringe";
import type { BackendDescriptor } from "../backend/backend.js";
import { loadBackendConfig, type BackendConfigSources } from "../config/load-backend-config.js";
import { resolveJobSpec } from "../config/job-spec-from-config.js";
import { renderJobScript } from "../job/job-script.js";
import { silentLogger } from "../logger.js";
import { findBackend } from "../registry/backend-registry.js";
import { LocalRunner } from "../runner/local-runner.js";
import { findPython } from "../scheduler/find-python.js";

/** Options of `previewJobScript`. */
export interface PreviewOptions extends BackendConfigSources {
  readonly backend: string | BackendDescriptor;
  readonly container?: DependencyContainer;
  /** Address written into the script; default a placeholder, since no scheduler is started. */
  readonly schedulerAddress?: string;
}

/**
 * The job script a cluster with these options would submit, without starting a scheduler or
 * submitting anything (`daskq job-script`).
 */
export async function previewJobScript(options: PreviewOptions): Promise<string> {
  const descriptor = typeof options.backend === "string" ? findBackend(options.container ?? globalContainer, options.backend) : options.backend;
  const config = loadBackendConfig(descriptor, options);
  const python = (config.values["python"] as string | undefined) ?? (await findPython(undefined, options.env ?? process.env)).path;
  const spec = resolveJobSpec(config, { python });
  const backend = descriptor.create({ runner: new LocalRunner(), logger: silentLogger, options: spec.backendOptions });
  return renderJobScript(backend, spec, options.schedulerAddress ?? "tcp://SCHEDULER-ADDRESS:8786", { jobName: `${spec.jobName}-0` });
}
