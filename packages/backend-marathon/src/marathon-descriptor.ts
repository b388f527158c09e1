import type { BackendContext, BackendDescriptor, ConfigKey, Logger } from "@daskq/core";
import { MarathonBackend } from "./marathon-backend.js";
import { MarathonClient } from "./marathon-client.js";
import { marathonAppId } from "./marathon-app.js";
import { readMarathonOptions, requireUrl, type MarathonOptions } from "./marathon-options.js";
import { fetchWithCa } from "./fetch-with-ca.js";

/** Marathon's own keys under `jobqueue.marathon`, beyond the shared ones. */
export const MARATHON_CONFIG_KEYS: readonly ConfigKey[] = [
  { name: "url", kind: "string", description: "Marathon's base URL, e.g. http://marathon.example.com:8080 (required)" },
  { name: "app-id-prefix", kind: "string", default: "/daskq/", description: "The cluster's app id is this prefix followed by the cluster id" },
  { name: "username", kind: "string", description: "HTTP Basic user name (with password)" },
  { name: "password", kind: "string", secret: true, description: "HTTP Basic password (with username)" },
  { name: "token", kind: "string", secret: true, description: "Token sent as 'Authorization: token=<token>' (DC/OS)" },
  { name: "ca-file", kind: "string", description: "PEM file of the CA that signed Marathon's HTTPS certificate" },
  { name: "image", kind: "string", description: "Container image the workers run in; unset: the agent's own environment" },
  { name: "container-type", kind: "string", default: "DOCKER", description: "Containerizer for image: DOCKER or MESOS" },
  { name: "constraints", kind: "string-list", default: [], description: "Placement constraints, each field:OPERATOR[:value], e.g. hostname:UNIQUE" },
  { name: "labels", kind: "map", default: {}, description: "Labels of the app" },
  { name: "force", kind: "boolean", default: false, description: "Send force=true: override deployments that lock the app instead of waiting" },
  {
    name: "agent-url",
    kind: "string",
    default: "http://{host}:5051",
    description: "A task's Mesos agent ({host}: the task's host), where a failed worker's stderr is read",
  },
  { name: "deployment-timeout", kind: "number", default: 60, description: "Seconds to wait for a deployment that locks the app before failing" },
  {
    name: "task-kill-grace-period",
    kind: "number",
    default: 30,
    description: "Seconds between SIGTERM and SIGKILL of a killed task: time for its worker to close and remove its TLS files",
  },
];

/**
 * Makes a Marathon backend; `context.options` are the validated `jobqueue.marathon` values. Its
 * client is made at the first request, so that a backend made only to read its capabilities needs
 * no URL.
 *
 * @throws ConfigError for a bad value (a missing url: at the first request).
 */
export function createMarathonBackend(context: BackendContext): MarathonBackend {
  const options = readMarathonOptions(context.options);
  const appId = marathonAppId(options, context.clusterId);
  return new MarathonBackend(() => marathonClient(options, context.logger), appId, context.clusterId, options, context.logger);
}

/** The client `options` describe: URL, credentials, CA, force, deployment timeout. */
export function marathonClient(options: MarathonOptions, logger?: Logger): MarathonClient {
  const url = requireUrl(options.url);
  const ca = options.caFile === undefined ? undefined : fetchWithCa(options.caFile);
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
