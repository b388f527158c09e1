import { configKey, configKeyPath, ConfigError, defineOptions, expected, POSITIVE_INTEGER, schema as v, TEXT_OR_UNSET } from "@daskq/core";
import type { CredentialSettings } from "./unicore-credentials.js";
import { BASE_DESCRIPTION, type UnicoreJobDescription } from "./job-description.js";

/** A local port: 0 (a free one) to 65535. */
const PORT = v.pipe(v.number(), v.minValue(0, expected("a port (0-65535)")), v.maxValue(65535, expected("a port (0-65535)")));
/** A base job description from config; its typed value is `{}` when unset. */
const DESCRIPTION = v.pipe(BASE_DESCRIPTION, v.transform((description) => description as UnicoreJobDescription));

/** UNICORE's own keys under `jobqueue.unicore`, beyond the shared ones (queue, account/project, walltime, ...), declared once. */
export const UNICORE_OPTIONS = defineOptions({
  url: configKey("string", {
    description: "Base URL of the site's UNICORE core services, e.g. https://gateway:8080/SITE/rest/core",
    value: v.pipe(v.string(), v.check((url) => url === "" || /^https?:\/\//.test(url), expected("an http(s) URL")), TEXT_OR_UNSET),
  }),
  username: configKey("string", {
    description: "User for HTTP Basic (with password or $UNICORE_PASSWORD)",
    value: v.pipe(v.string(), v.check((user) => !user.includes(":"), "a UNICORE username cannot contain ':' (HTTP Basic)"), TEXT_OR_UNSET),
  }),
  password: configKey("string", { secret: true, description: "Password for HTTP Basic; prefer the environment variable named by password-env", value: TEXT_OR_UNSET }),
  token: configKey("string", { secret: true, description: "Bearer token (OIDC or UNICORE JWT); prefer the environment variable named by token-env", value: TEXT_OR_UNSET }),
  "password-env": configKey("string", { default: "UNICORE_PASSWORD", description: "Environment variable holding the password", value: TEXT_OR_UNSET }),
  "token-env": configKey("string", { default: "UNICORE_TOKEN", description: "Environment variable holding the token", value: TEXT_OR_UNSET }),
  "scheduler-job-description": configKey("map", {
    description: "Base UNICORE job description of the scheduler job; daskq adds only what is missing",
    value: DESCRIPTION,
  }),
  "worker-job-description": configKey("map", { description: "Base UNICORE job description of each worker job; daskq adds only what is missing", value: DESCRIPTION }),
  threads: configKey("integer", { description: "Threads per worker process (--nthreads); unset: cores / processes", value: POSITIVE_INTEGER }),
  "local-port": configKey("integer", { default: 0, description: "Local port of the forward to the scheduler job (pyunicore's local_port); 0: a free one", value: PORT }),
  "connect-dashboard": configKey("boolean", { default: false, description: "Also forward the scheduler job's dashboard to a local port" }),
  "dashboard-port": configKey("integer", { default: 0, description: "Local port of the dashboard forward; 0: a free one", value: PORT }),
  allocation: configKey("map", {
    description: 'Job description of an allocation daskq creates ("Job type": "ALLOCATE", Resources.Nodes, ...); the scheduler and workers run inside it with srun --tasks=1',
    value: v.pipe(
      DESCRIPTION,
      v.check(
        (allocation) => String(allocation["Job type"] ?? "ALLOCATE").toUpperCase() === "ALLOCATE",
        (issue) => `an allocation's "Job type" must be ALLOCATE, got ${JSON.stringify((issue.input as UnicoreJobDescription)["Job type"])}`,
      ),
      v.transform((allocation): UnicoreJobDescription => ({ ...allocation, "Job type": "ALLOCATE" })),
    ),
  }),
  "allocation-url": configKey("string", { description: "URL of an existing UNICORE allocation job to run the scheduler and workers in", value: TEXT_OR_UNSET }),
});

/** UNICORE's own keys, as the loader takes them. */
export const UNICORE_CONFIG_KEYS = UNICORE_OPTIONS.keys;

/** The validated `jobqueue.<section>` values of a UNICORE backend. */
export interface UnicoreOptions {
  /** The section they were read from (`unicore`, or a pool's own): later errors name keys under it. */
  readonly section: string;
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
  if (!options.url) throw new ConfigError("the UNICORE base URL is not set (e.g. https://gateway:8080/SITE/rest/core)", { keyPath: configKeyPath(options.section, "url") });
  return options.url;
}

/**
 * The settings from validated `jobqueue.<section>` values (kebab-case keys, as the loader gives them).
 *
 * @throws ConfigError naming `jobqueue.<section>.<key>` for a value `UNICORE_OPTIONS` rejects.
 */
export function readUnicoreOptions(values: Readonly<Record<string, unknown>> = {}, section = "unicore"): UnicoreOptions {
  const o = UNICORE_OPTIONS.read(values, { section });
  return {
    section,
    url: o.url,
    credentials: { section, username: o.username, password: o.password, token: o.token, passwordEnv: o["password-env"], tokenEnv: o["token-env"] },
    schedulerJobDescription: o["scheduler-job-description"] ?? {},
    workerJobDescription: o["worker-job-description"] ?? {},
    threads: o.threads,
    localPort: o["local-port"],
    connectDashboard: o["connect-dashboard"],
    dashboardPort: o["dashboard-port"],
    allocation: o.allocation,
    allocationUrl: o["allocation-url"],
  };
}
