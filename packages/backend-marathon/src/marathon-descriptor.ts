import { configKeyPath, type BackendContext, type BackendDescriptor, type ConfigKey, type Logger } from "@daskq/core";
import { MarathonBackend } from "./marathon-backend.js";
import { MarathonClient } from "./marathon-client.js";
import { marathonAppId } from "./marathon-app.js";
import { MARATHON_OPTIONS, readMarathonOptions, requireUrl, type MarathonOptions } from "./marathon-options.js";
import { fetchWithCa } from "./fetch-with-ca.js";

/** Marathon's own keys under `jobqueue.marathon`, beyond the shared ones (see `MARATHON_OPTIONS`). */
export const MARATHON_CONFIG_KEYS: readonly ConfigKey[] = MARATHON_OPTIONS.keys;

/**
 * Makes a Marathon backend; `context.options` are the validated values of its section. Its
 * client is made at the first request, so that a backend made only to read its capabilities needs
 * no URL.
 *
 * @throws ConfigError for a bad value (a missing url: at the first request).
 */
export function createMarathonBackend(context: BackendContext): MarathonBackend {
  const options = readMarathonOptions(context.options, context.section);
  const appId = marathonAppId(options, context.clusterId);
  return new MarathonBackend(() => marathonClient(options, context.logger), appId, context.clusterId, options, context.logger);
}

/** The client `options` describe: URL, credentials, CA, force, deployment timeout. */
export function marathonClient(options: MarathonOptions, logger?: Logger): MarathonClient {
  const url = requireUrl(options);
  const ca = options.caFile === undefined ? undefined : fetchWithCa(options.caFile, configKeyPath(options.section, "ca-file"));
  // An unreadable CA file fails the first request with its ConfigError (and no unhandled rejection meanwhile).
  ca?.catch(() => undefined);
  return new MarathonClient({
    url,
    ...(options.auth ? { auth: options.auth } : {}),
    ...(ca ? { fetch: async (target, init) => (await ca)(target, init) } : {}),
    force: options.force,
    deploymentTimeoutMs: options.deploymentTimeout * 1000,
    ...(logger ? { logger } : {}),
  });
}

/** The registration unit of the Marathon backend. */
export const marathonBackend: BackendDescriptor = {
  name: "marathon",
  description: "Marathon (REST API v2: one app per cluster, tasks are workers)",
  configKeys: MARATHON_CONFIG_KEYS,
  // One task runs one worker: processes must be 1 (dask-jobqueue's default would split cores).
  // Marathon enforces no walltime: none by default, so its workers are not rotated.
  defaults: { processes: 1, walltime: null },
  create: createMarathonBackend,
};
