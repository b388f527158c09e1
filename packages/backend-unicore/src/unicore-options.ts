import { ConfigError, type ConfigKey } from "@daskq/core";
import type { CredentialSettings } from "./unicore-credentials.js";
import { readBaseDescription, type UnicoreJobDescription } from "./job-description.js";

/** UNICORE's own keys under `jobqueue.unicore`, beyond the shared ones (queue, account/project, walltime, ...). */
export const UNICORE_CONFIG_KEYS: readonly ConfigKey[] = [
  { name: "url", kind: "string", description: "Base URL of the site's UNICORE core services, e.g. https://gateway:8080/SITE/rest/core" },
  { name: "username", kind: "string", description: "User for HTTP Basic (with password or $UNICORE_PASSWORD)" },
  { name: "password", kind: "string", secret: true, description: "Password for HTTP Basic; prefer the environment variable named by password-env" },
  { name: "token", kind: "string", secret: true, description: "Bearer token (OIDC or UNICORE JWT); prefer the environment variable named by token-env" },
  { name: "password-env", kind: "string", default: "UNICORE_PASSWORD", description: "Environment variable holding the password" },
  { name: "token-env", kind: "string", default: "UNICORE_TOKEN", description: "Environment variable holding the token" },
  { name: "scheduler-job-description", kind: "map", description: "Base UNICORE job description of the scheduler job; daskq adds only what is missing" },
  { name: "worker-job-description", kind: "map", description: "Base UNICORE job description of each worker job; daskq adds only what is missing" },
  { name: "threads", kind: "integer", description: "Threads per worker process (--nthreads); unset: cores / processes" },
  { name: "local-port", kind: "integer", default: 0, description: "Local port of the forward to the scheduler job (pyunicore's local_port); 0: a free one" },
  { name: "connect-dashboard", kind: "boolean", default: false, description: "Also forward the scheduler job's dashboard to a local port" },
  { name: "dashboard-port", kind: "integer", default: 0, description: "Local port of the dashboard forward; 0: a free one" },
  {
    name: "allocation",
    kind: "map",
    description: 'Job description of an allocation daskq creates ("Job type": "ALLOCATE", Resources.Nodes, ...); the scheduler and workers run inside it with srun --tasks=1',
  },
  { name: "allocation-url", kind: "string", description: "URL of an existing UNICORE allocation job to run the scheduler and workers in" },
];

/** The validated `jobqueue.unicore` values. */
export interface UnicoreOptions {
  /** Undefined until configured: `prepare()` then says so (a backend is created before it is used). */
  readonly url: string | undefined;
  readonly credentials: CredentialSettings;
  readonly schedulerJobDescription: UnicoreJobDescription;
  readonly workerJobDescription: UnicoreJobDescription;
  readonly threads: number | undefined;
  readonly localPort: number;
  readonly connectDashboard: boolean;
  readonly dashboardPort: number;
  readonly allocation: UnicoreJobDescription | undefined;
  readonly allocationUrl: string | undefined;
}

/** The base URL, or a ConfigError saying it is not set. */
export function requireUrl(options: UnicoreOptions): string {
  if (!options.url) throw new ConfigError("the UNICORE base URL is not set (e.g. https://gateway:8080/SITE/rest/core)", { keyPath: "jobqueue.unicore.url" });
  return options.url;
}

/** Reads and checks the backend options (kebab-case keys, already typed by the config loader). */
export function readUnicoreOptions(options: Readonly<Record<string, unknown>> = {}): UnicoreOptions {
  const text = (key: string) => (typeof options[key] === "string" && options[key] !== "" ? (options[key] as string) : undefined);
  const url = text("url");
  if (url !== undefined && !/^https?:\/\//.test(url)) throw new ConfigError(`expected an http(s) URL, got ${JSON.stringify(url)}`, { keyPath: "jobqueue.unicore.url" });
  const allocation = options["allocation"] === undefined ? undefined : readBaseDescription(options["allocation"], "allocation");
  if (allocation && String(allocation["Job type"] ?? "ALLOCATE").toUpperCase() !== "ALLOCATE") {
    throw new ConfigError(`an allocation's "Job type" must be ALLOCATE, got ${JSON.stringify(allocation["Job type"])}`, { keyPath: "jobqueue.unicore.allocation" });
  }
  const port = (key: string) => {
    const value = options[key] === undefined ? 0 : Number(options[key]);
    if (!Number.isInteger(value) || value < 0 || value > 65535) throw new ConfigError(`expected a port (0-65535), got ${JSON.stringify(options[key])}`, { keyPath: `jobqueue.unicore.${key}` });
    return value;
  };
  const threads = options["threads"] === undefined ? undefined : Number(options["threads"]);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new ConfigError(`expected a positive integer, got ${JSON.stringify(options["threads"])}`, { keyPath: "jobqueue.unicore.threads" });
  return {
    url,
    credentials: { username: text("username"), password: text("password"), token: text("token"), passwordEnv: text("password-env"), tokenEnv: text("token-env") },
    schedulerJobDescription: readBaseDescription(options["scheduler-job-description"], "scheduler-job-description"),
    workerJobDescription: readBaseDescription(options["worker-job-description"], "worker-job-description"),
    threads,
    localPort: port("local-port"),
    connectDashboard: options["connect-dashboard"] === true,
    dashboardPort: port("dashboard-port"),
    allocation: allocation ? { ...allocation, "Job type": "ALLOCATE" } : undefined,
    allocationUrl: text("allocation-url"),
  };
}
