import { configKey, configKeyPath, ConfigError, defineOptions, expected, schema as v, TEXT_OR_UNSET } from "@daskq/core";
import type { MarathonAuth } from "./marathon-client.js";

const OPERATORS = ["UNIQUE", "CLUSTER", "GROUP_BY", "LIKE", "UNLIKE", "MAX_PER", "IS"];
const URL_FORM = /^https?:\/\/[^/\s]+/;
const URL_EXPECTED = "expected Marathon's URL, e.g. http://marathon.example.com:8080 (--set url=...)";

/** An empty string takes `fallback` (the key's default), as an unset key would. */
const textOr = (fallback: string) => v.transform((text: string) => (text === "" ? fallback : text));

/** Marathon's own keys under `jobqueue.marathon`, beyond the shared ones, declared once. */
export const MARATHON_OPTIONS = defineOptions({
  url: configKey("string", {
    description: "Marathon's base URL, e.g. http://marathon.example.com:8080 (required)",
    value: v.pipe(v.string(), v.check((url) => url === "" || URL_FORM.test(url), expected(URL_EXPECTED)), TEXT_OR_UNSET),
  }),
  "app-id-prefix": configKey("string", {
    default: "/daskq/",
    description: "The cluster's app id is this prefix followed by the cluster id",
    value: v.pipe(
      v.string(),
      v.regex(/^[a-z0-9./-]*$/, expected("an app id prefix of lowercase letters, digits, '-', '.' and '/', e.g. /daskq/")),
      textOr("/daskq/"),
      v.transform((prefix) => `/${prefix.replace(/^\/+/, "")}`),
    ),
  }),
  username: configKey("string", { description: "HTTP Basic user name (with password)", value: TEXT_OR_UNSET }),
  password: configKey("string", { secret: true, description: "HTTP Basic password (with username)", value: TEXT_OR_UNSET }),
  token: configKey("string", { secret: true, description: "Token sent as 'Authorization: token=<token>' (DC/OS)", value: TEXT_OR_UNSET }),
  "ca-file": configKey("string", { description: "PEM file of the CA that signed Marathon's HTTPS certificate", value: TEXT_OR_UNSET }),
  image: configKey("string", { description: "Container image the workers run in; unset: the agent's own environment", value: TEXT_OR_UNSET }),
  "container-type": configKey("string", {
    default: "DOCKER",
    description: "Containerizer for image: DOCKER or MESOS",
    value: v.pipe(v.string(), textOr("DOCKER"), v.picklist(["DOCKER", "MESOS"], expected("DOCKER or MESOS"))),
  }),
  constraints: configKey("string-list", {
    default: [],
    description: "Placement constraints, each field:OPERATOR[:value], e.g. hostname:UNIQUE",
    value: v.array(
      v.pipe(
        v.string(),
        v.check(isConstraint, expected(`field:OPERATOR[:value] with OPERATOR one of ${OPERATORS.join(", ")}`)),
        v.transform((constraint) => constraint.split(":")),
      ),
    ),
  }),
  labels: configKey("map", { default: {}, description: "Labels of the app", value: v.record(v.string(), v.string(expected("a string"))) }),
  force: configKey("boolean", { default: false, description: "Send force=true: override deployments that lock the app instead of waiting" }),
  "agent-url": configKey("string", {
    default: "http://{host}:5051",
    description: "A task's Mesos agent ({host}: the task's host), where a failed worker's stderr is read",
    value: v.pipe(v.string(), textOr("http://{host}:5051")),
  }),
  "deployment-timeout": configKey("number", {
    default: 60,
    description: "Seconds to wait for a deployment that locks the app before failing",
    value: v.pipe(v.number(), v.gtValue(0, expected("a positive number of seconds"))),
  }),
  "task-kill-grace-period": configKey("number", {
    default: 30,
    description: "Seconds between SIGTERM and SIGKILL of a killed task: time for its worker to close and remove its TLS files",
    value: v.pipe(v.number(), v.integer(expected("a whole number of seconds >= 0")), v.minValue(0, expected("a whole number of seconds >= 0"))),
  }),
});

/** The validated `jobqueue.<section>` settings of a Marathon backend. */
export interface MarathonOptions {
  /** The section they were read from (`marathon`, or a pool's own): later errors name keys under it. */
  readonly section: string;
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

/**
 * The settings from validated `jobqueue.<section>` values (kebab-case keys, as in
 * `JobSpec.backendOptions`); what spans keys (credentials) is checked here.
 *
 * @throws ConfigError naming `jobqueue.<section>.<key>` and what was expected.
 */
export function readMarathonOptions(values: Readonly<Record<string, unknown>> | undefined, section = "marathon"): MarathonOptions {
  const o = MARATHON_OPTIONS.read(values, { section });
  const { username, password, token } = o;
  if ((username === undefined) !== (password === undefined)) {
    throw new ConfigError("expected both username and password (HTTP Basic), or neither", { keyPath: configKeyPath(section, username === undefined ? "username" : "password") });
  }
  if (token !== undefined && username !== undefined) {
    throw new ConfigError("expected either token or username/password, not both", { keyPath: configKeyPath(section, "token") });
  }
  return {
    section,
    url: o.url,
    appIdPrefix: o["app-id-prefix"],
    auth: token !== undefined ? { kind: "token", token } : username !== undefined ? { kind: "basic", username, password: password as string } : undefined,
    caFile: o["ca-file"],
    image: o.image,
    containerType: o["container-type"],
    constraints: o.constraints,
    labels: o.labels,
    force: o.force,
    deploymentTimeout: o["deployment-timeout"],
    agentUrl: o["agent-url"],
    taskKillGracePeriod: o["task-kill-grace-period"],
  };
}

/**
 * The Marathon URL, which every request needs.
 *
 * @throws ConfigError naming `jobqueue.<section>.url` when it is missing.
 */
export function requireUrl(options: Pick<MarathonOptions, "url" | "section">): string {
  if (options.url === undefined) throw new ConfigError(`${URL_EXPECTED}, got null`, { keyPath: configKeyPath(options.section, "url") });
  return options.url;
}

function isConstraint(constraint: string): boolean {
  const parts = constraint.split(":");
  return parts.length >= 2 && parts.length <= 3 && OPERATORS.includes(parts[1] as string) && parts[0] !== "";
}
