import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { container as globalContainer, type DependencyContainer } from "tsyringe";
import type { Backend } from "../backend/backend.js";
import { DaskqError } from "../errors.js";
import type { Logger } from "../logger.js";
import { findBackend, listBackends } from "../registry/backend-registry.js";
import { findBackendPackages, loadBackends } from "../registry/backend-packages.js";
import type { CommandRunner } from "../runner/command-runner.js";
import { LocalRunner } from "../runner/local-runner.js";
import { SshRunner } from "../ssh/ssh-runner.js";
import type { ClusterRecord } from "./cluster-record.js";
import { optionsWithoutSecrets } from "./recorded-options.js";

/** A recorded cluster's backend, rebuilt in another process, and the runner it uses. */
export interface RebuiltBackend {
  readonly backend: Backend;
  readonly runner: CommandRunner;
}

/**
 * Rebuilds the backend of a recorded cluster with the same backend code and options, so that a
 * process other than its owner (the watchdog, `daskq cleanup`) can cancel its jobs. The backend
 * is taken from `container` when registered there, else from the installed backend packages
 * (`@daskq/backend-*`, `daskq-backend-*`) seen from the owner's working directory and from here.
 *
 * @throws DaskqError when the backend is not installed or its runner cannot be rebuilt.
 */
export async function backendFromRecord(record: ClusterRecord, logger: Logger, container: DependencyContainer = globalContainer): Promise<RebuiltBackend> {
  if (!listBackends(container).some((b) => b.name === record.backend)) {
    const here = dirname(fileURLToPath(import.meta.url));
    await loadBackends(container, findBackendPackages([record.cwd, here]), (m) => logger.warn(m));
  }
  const descriptor = findBackend(container, record.backend);
  const runner = runnerFromRecord(record, logger);
  const { options, withheld } = optionsWithoutSecrets(record.backendOptions);
  if (withheld.length > 0) logger.warn(`${withheld.join(", ")}: secret, not kept in the state file; the ${record.backend} backend goes without it (set its *-env variable if it needs one)`);
  return { backend: descriptor.create({ runner, logger, options, clusterId: record.clusterId }), runner };
}

/** The runner the cluster submitted through: this machine, or the same SSH destination (agent or key files; no prompt). */
function runnerFromRecord(record: ClusterRecord, logger: Logger): CommandRunner {
  if (record.ssh) return SshRunner.to(record.ssh.destination, { logger, ...(record.ssh.acceptNewHostKey ? { hostKeyPolicy: "accept-new" as const } : {}) });
  if (record.submitsVia === "local") return new LocalRunner();
  throw new DaskqError("ownership", `cluster ${record.clusterId} submitted via ${record.submitsVia}, a runner daskq cannot rebuild in another process; cancel its jobs ${record.jobs.map((j) => j.id).join(" ")} by hand`);
}
