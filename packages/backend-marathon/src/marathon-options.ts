import { ConfigError } from "@daskq/core";
import type { MarathonAuth } from "./marathon-client.js";

/** The validated `jobqueue.marathon` settings. */
export interface MarathonOptions {
  /** Marathon's base URL (required to talk to Marathon; checked by `requireUrl`). */
  readonly url: string | undefined;
  /** The app id is this prefix followed by the cluster id, e.g. `/daskq/daskq-3f9a`. */
  readonly appIdPrefix: string;
  readonly auth: MarathonAuth | undefined;
  /** PEM file of the CA that signed Marathon's HTTPS certificate. */
  readonly caFile: string | undefined;
  /** Docker image the tasks run in (a `container` of type `containerType`); unset: the agent's host. */
  readonly image: string | undefined;
  readonly containerType: "DOCKER" | "MESOS";
  /** Placement constraints, `[field, operator(, value)]`. */
  readonly constraints: readonly (readonly string[])[];
  readonly labels: Readonly<Record<string, string>>;
  /** Send `force=true` with deployable requests. */
  readonly force: boolean;
  /** Seconds a request waits for a deployment that locks the app. */
  readonly deploymentTimeout: number;
  /** URL of a task's Mesos agent, `{host}` standing for the task's host: where its sandbox is read. */
  readonly agentUrl: string;
  /**
   * Seconds between the SIGTERM and the SIGKILL of a killed task (the app's
   * `taskKillGracePeriodSeconds`): time for its worker to close and for the TLS cleanup to run.
   */
  readonly taskKillGracePeriod: number;
}

const OPERATORS = ["UNIQUE", "CLUSTER", "GROUP_BY", "LIKE", "UNLIKE", "MAX_PER", "IS"];

/**
 * Reads a validated `jobqueue.marathon` section (kebab-case keys, as in `JobSpec.backendOptions`).
 *
 * @throws ConfigError naming the key and what was expected.
 */
export function readMarathonOptions(values: Readonly<Record<string, unknown>> | undefined): MarathonOptions {
  const v = values ?? {};
  const string = (key: string): string | undefined => {
    const value = v[key];
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") throw new ConfigError(`expected a string, got ${JSON.stringify(value)}`, { keyPath: `jobqueue.marathon.${key}` });
    return value;
  };
  const url = string("url");
  if (url !== undefined) requireUrl(url);
  const prefix = string("app-id-prefix") ?? "/daskq/";
  if (!/^[a-z0-9./-]*$/.test(prefix)) {
    throw new ConfigError(`expected an app id prefix of lowercase letters, digits, '-', '.' and '/', e.g. /daskq/, got ${JSON.stringify(prefix)}`, { keyPath: "jobqueue.marathon.app-id-prefix" });
  }
  const username = string("username");
  const password = string("password");
  const token = string("token");
  if ((username === undefined) !== (password === undefined)) {
    throw new ConfigError("expected both username and password (HTTP Basic), or neither", { keyPath: `jobqueue.marathon.${username === undefined ? "username" : "password"}` });
  }
  if (token !== undefined && username !== undefined) {
    throw new ConfigError("expected either token or username/password, not both", { keyPath: "jobqueue.marathon.token" });
  }
  const containerType = string("container-type") ?? "DOCKER";
  if (containerType !== "DOCKER" && containerType !== "MESOS") {
    throw new ConfigError(`expected DOCKER or MESOS, got ${JSON.stringify(containerType)}`, { keyPath: "jobqueue.marathon.container-type" });
  }
  const constraints = ((v["constraints"] as unknown[] | undefined) ?? []).map((c, i) => {
    const parts = typeof c === "string" ? c.split(":") : [];
    if (parts.length < 2 || parts.length > 3 || !OPERATORS.includes(parts[1] as string) || parts[0] === "") {
      throw new ConfigError(`expected field:OPERATOR[:value] with OPERATOR one of ${OPERATORS.join(", ")}, got ${JSON.stringify(c)}`, { keyPath: `jobqueue.marathon.constraints[${i}]` });
    }
    return parts;
  });
  const labels = (v["labels"] as Record<string, unknown> | undefined) ?? {};
  for (const [key, value] of Object.entries(labels)) {
    if (typeof value !== "string") throw new ConfigError(`expected a string, got ${JSON.stringify(value)}`, { keyPath: `jobqueue.marathon.labels.${key}` });
  }
  const force = v["force"] ?? false;
  if (typeof force !== "boolean") throw new ConfigError(`expected true or false, got ${JSON.stringify(force)}`, { keyPath: "jobqueue.marathon.force" });
  const timeout = v["deployment-timeout"] ?? 60;
  if (typeof timeout !== "number" || !(timeout > 0)) throw new ConfigError(`expected a positive number of seconds, got ${JSON.stringify(timeout)}`, { keyPath: "jobqueue.marathon.deployment-timeout" });
  const grace = v["task-kill-grace-period"] ?? 30;
  if (typeof grace !== "number" || !Number.isInteger(grace) || grace < 0) {
    throw new ConfigError(`expected a whole number of seconds >= 0, got ${JSON.stringify(grace)}`, { keyPath: "jobqueue.marathon.task-kill-grace-period" });
  }
  return {
    url,
    appIdPrefix: `/${prefix.replace(/^\/+/, "")}`,
    auth: token !== undefined ? { kind: "token", token } : username !== undefined ? { kind: "basic", username, password: password as string } : undefined,
    caFile: string("ca-file"),
    image: string("image"),
    containerType,
    constraints,
    labels: labels as Record<string, string>,
    force,
    deploymentTimeout: timeout,
    agentUrl: string("agent-url") ?? "http://{host}:5051",
    taskKillGracePeriod: grace,
  };
}

/**
 * The Marathon URL, which every request needs.
 *
 * @throws ConfigError naming `jobqueue.marathon.url` when it is missing or not an http(s) URL.
 */
export function requireUrl(url: string | undefined): string {
  if (url === undefined || !/^https?:\/\/[^/\s]+/.test(url)) {
    throw new ConfigError(`expected Marathon's URL, e.g. http://marathon.example.com:8080 (--set url=...), got ${JSON.stringify(url ?? null)}`, {
      keyPath: "jobqueue.marathon.url",
    });
  }
  return url;
}
