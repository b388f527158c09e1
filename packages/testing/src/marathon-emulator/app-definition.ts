import type { AppDefinition, EmulatedApp } from "./emulated-app.js";
import type { PortDefinitionJson } from "./marathon-json.js";

/** A 422 "Object is not valid" (traits.raml `objectValidator`). */
export class InvalidObject extends Error {
  constructor(readonly details: { path: string; errors: string[] }[]) {
    super("Object is not valid");
  }
}

/** `strings.PathId` (stringTypes.raml). */
const PATH_ID = /^(\/?((\.\.)|(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9]))?($|\/))+$/;

/** Marathon's absolute form of an app id: leading slash, no trailing one. */
export function absoluteAppId(id: string): string {
  return `/${id.replace(/^\/+|\/+$/g, "")}`;
}

const KNOWN = new Set([
  "id", "cmd", "args", "instances", "cpus", "mem", "disk", "env", "labels", "constraints", "container",
  "portDefinitions", "backoffSeconds", "backoffFactor", "maxLaunchDelaySeconds", "taskKillGracePeriodSeconds",
]);

/**
 * Validates a posted (or PUT) app definition the way types/app.raml constrains it and fills the
 * defaults (instances 1, cpus 1, mem 128, disk 0, backoff 1 s x 1.15 up to 300 s). With `base`, the
 * body is a partial update of it (`partialUpdate`, the default of PUT).
 *
 * @throws InvalidObject listing each bad path.
 */
export function readAppDefinition(body: Record<string, unknown>, id: string, base?: AppDefinition): AppDefinition {
  const errors: { path: string; errors: string[] }[] = [];
  const bad = (path: string, error: string) => errors.push({ path, errors: [error] });
  const pick = <T>(key: string, fallback: T): unknown => (key in body ? body[key] : fallback);

  if (!PATH_ID.test(id)) bad("/id", `'${id}' must fully match the regular expression '${PATH_ID.source}'`);
  const number = (key: string, fallback: number, minimum: number, integer = false): number => {
    const value = pick(key, fallback);
    if (typeof value !== "number" || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
      bad(`/${key}`, integer ? "error.expected.int" : "error.expected.jsnumber");
      return fallback;
    }
    if (value < minimum) bad(`/${key}`, `got ${value}, expected ${minimum} or more`);
    return value;
  };
  const cmd = pick("cmd", base?.cmd ?? null);
  const args = pick("args", base?.args ?? null);
  if (cmd !== null && (typeof cmd !== "string" || cmd.length === 0)) bad("/cmd", "error.minLength");
  if (args !== null && (!Array.isArray(args) || !args.every((a) => typeof a === "string"))) bad("/args", "error.expected.jsarray");
  if (cmd !== null && args !== null) bad("/", "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.");
  const container = pick("container", base?.container ?? null);
  if (cmd === null && args === null && container === null) bad("/", "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.");

  const stringMap = (key: string, fallback: Readonly<Record<string, string>>): Record<string, string> => {
    const value = pick(key, fallback);
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.values(value).every((v) => typeof v === "string")) {
      bad(`/${key}`, "error.expected.jsobject");
      return { ...fallback };
    }
    return value as Record<string, string>;
  };
  const constraints = pick("constraints", base?.constraints ?? []);
  if (
    !Array.isArray(constraints) ||
    !constraints.every((c) => Array.isArray(c) && c.length >= 2 && c.length <= 3 && c.every((s) => typeof s === "string"))
  ) {
    bad("/constraints", "Each constraint must be a 2 or 3 element array [fieldName, operator(, value)]");
  } else {
    constraints.forEach((c: string[], i) => {
      if (!["UNIQUE", "CLUSTER", "GROUP_BY", "LIKE", "UNLIKE", "MAX_PER", "IS"].includes(c[1] as string)) bad(`/constraints(${i})`, "Constraint operator must be one of the following: [UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER, IS]");
    });
  }
  const portDefinitions = pick("portDefinitions", base?.portDefinitions ?? [{ port: 0, protocol: "tcp", name: "default" }]);
  const ports: PortDefinitionJson[] = [];
  if (!Array.isArray(portDefinitions)) bad("/portDefinitions", "error.expected.jsarray");
  else {
    const names = new Set<string>();
    portDefinitions.forEach((p: Record<string, unknown>, i) => {
      const port = p?.["port"] ?? 0;
      const name = p?.["name"];
      if (typeof port !== "number") bad(`/portDefinitions(${i})/port`, "error.expected.jsnumber");
      if (name !== undefined && (typeof name !== "string" || names.has(name))) bad(`/portDefinitions(${i})/name`, "Port names must be unique.");
      if (typeof name === "string") names.add(name);
      ports.push({ port: Number(port), protocol: String(p?.["protocol"] ?? "tcp"), ...(typeof name === "string" ? { name } : {}), labels: (p?.["labels"] as Record<string, string>) ?? {} });
    });
  }
  const grace = pick("taskKillGracePeriodSeconds", base?.taskKillGracePeriodSeconds ?? null);
  const definition: AppDefinition = {
    id,
    cmd: cmd as string | null,
    args: args as string[] | null,
    instances: number("instances", base?.instances ?? 1, 0, true),
    cpus: number("cpus", base?.cpus ?? 1, 0.001),
    mem: number("mem", base?.mem ?? 128, 0),
    disk: number("disk", base?.disk ?? 0, 0),
    env: stringMap("env", base?.env ?? {}),
    labels: stringMap("labels", base?.labels ?? {}),
    constraints: Array.isArray(constraints) ? (constraints as string[][]) : [],
    container,
    portDefinitions: ports,
    backoffSeconds: number("backoffSeconds", base?.backoffSeconds ?? 1, 0, true),
    backoffFactor: number("backoffFactor", base?.backoffFactor ?? 1.15, 1),
    maxLaunchDelaySeconds: number("maxLaunchDelaySeconds", base?.maxLaunchDelaySeconds ?? 300, 0, true),
    taskKillGracePeriodSeconds: typeof grace === "number" ? grace : null,
    extra: { ...base?.extra, ...Object.fromEntries(Object.entries(body).filter(([k]) => !KNOWN.has(k))) },
  };
  if (errors.length > 0) throw new InvalidObject(errors);
  return definition;
}

/** `app.AppInfo` JSON: the definition with defaults, versions, counts, deployments and the embeds asked for. */
export function appInfoJson(app: EmulatedApp, deployments: readonly string[], embed: ReadonlySet<string>, prefix: "app" | "apps"): Record<string, unknown> {
  const d = app.definition;
  const tasks = [...app.tasks.values()];
  const info: Record<string, unknown> = {
    ...d.extra,
    id: d.id,
    cmd: d.cmd,
    args: d.args,
    user: null,
    env: d.env,
    instances: d.instances,
    cpus: d.cpus,
    mem: d.mem,
    disk: d.disk,
    gpus: 0,
    executor: "",
    constraints: d.constraints,
    uris: [],
    fetch: [],
    storeUrls: [],
    backoffSeconds: d.backoffSeconds,
    backoffFactor: d.backoffFactor,
    maxLaunchDelaySeconds: d.maxLaunchDelaySeconds,
    container: d.container,
    healthChecks: [],
    readinessChecks: [],
    dependencies: [],
    upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
    labels: d.labels,
    acceptedResourceRoles: null,
    portDefinitions: d.portDefinitions,
    requirePorts: false,
    killSelection: "YOUNGEST_FIRST",
    ...(d.taskKillGracePeriodSeconds === null ? {} : { taskKillGracePeriodSeconds: d.taskKillGracePeriodSeconds }),
    version: app.version,
    versionInfo: { lastScalingAt: app.lastScalingAt, lastConfigChangeAt: app.lastConfigChangeAt },
    tasksStaged: tasks.filter((t) => t.state === "TASK_STAGING" || t.state === "TASK_STARTING").length,
    tasksRunning: tasks.filter((t) => t.state === "TASK_RUNNING").length,
    tasksHealthy: 0,
    tasksUnhealthy: 0,
    deployments: deployments.map((id) => ({ id })),
  };
  if (embed.has(`${prefix}.tasks`) || embed.has(`${prefix}.failures`)) info["tasks"] = tasks.map((t) => t.toJson());
  if ((embed.has(`${prefix}.lastTaskFailure`) || embed.has(`${prefix}.failures`)) && app.lastTaskFailure) info["lastTaskFailure"] = app.lastTaskFailure;
  return info;
}
