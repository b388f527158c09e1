import { homedir } from "node:os";
import { ConfigError } from "../errors.js";
import { canonicalKeyName } from "./config-key.js";
import { readConfigFiles, type ConfigFileContext } from "./config-files.js";
import { interpretEnvValue } from "./env-config.js";
import { isMapping } from "./parse-value.js";

/** Dask's default `distributed.dashboard.link`. */
export const DEFAULT_DASHBOARD_LINK = "{scheme}://{host}:{port}/status";

const ENV_VARIABLE = "DASK_DISTRIBUTED__DASHBOARD__LINK";
const KEY_PATH = "distributed.dashboard.link";

/** Where a dashboard link template came from, for error messages. */
export interface DashboardLinkTemplate {
  readonly template: string;
  /** A file path, `env DASK_DISTRIBUTED__DASHBOARD__LINK` or `default`. */
  readonly source: string;
}

/**
 * Dask's `distributed.dashboard.link` as dask would read it: the dask config files (see
 * `readConfigFiles`), then the environment variable `DASK_DISTRIBUTED__DASHBOARD__LINK`, else
 * `{scheme}://{host}:{port}/status`. JupyterHub users set it to
 * `{JUPYTERHUB_SERVICE_PREFIX}proxy/{port}/status`.
 *
 * @throws ConfigError when the value is not a string.
 */
export function dashboardLinkTemplate(context: Partial<ConfigFileContext> = {}): DashboardLinkTemplate {
  const env = context.env ?? process.env;
  let found: { value: unknown; source: string } | undefined;
  for (const document of readConfigFiles({ env, homeDir: context.homeDir ?? homedir() })) {
    const value = lookup(document.data, ["distributed", "dashboard", "link"]);
    if (value !== undefined) found = { value, source: document.path };
  }
  const fromEnv = env[ENV_VARIABLE];
  if (fromEnv !== undefined) found = { value: interpretEnvValue(fromEnv), source: `env ${ENV_VARIABLE}` };
  if (found === undefined || found.value === null) return { template: DEFAULT_DASHBOARD_LINK, source: "default" };
  if (typeof found.value !== "string") {
    throw new ConfigError(`expected a link template string such as "${DEFAULT_DASHBOARD_LINK}", got ${JSON.stringify(found.value)}`, { source: found.source, keyPath: KEY_PATH });
  }
  return { template: found.value, source: found.source };
}

/** What a link points at. */
export interface LinkTarget {
  /** Host name or address (an IPv6 address is bracketed here). */
  readonly host: string;
  readonly port: number;
  /** Default `http`. */
  readonly scheme?: string;
}

/**
 * Fills a link template the way dask's `format_dashboard_link` does (Python's `str.format` with
 * the environment plus `host`, `port` and `scheme`; `{{` and `}}` are literal braces).
 *
 * @throws ConfigError naming the template's source when it names a variable that is not set.
 */
export function formatDashboardLink(template: DashboardLinkTemplate, target: LinkTarget, env: NodeJS.ProcessEnv = process.env): string {
  const host = target.host.includes(":") && !target.host.startsWith("[") ? `[${target.host}]` : target.host;
  const fields: Record<string, string> = { host, port: String(target.port), scheme: target.scheme ?? "http" };
  return template.template.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (whole, name: string | undefined) => {
    if (whole === "{{") return "{";
    if (whole === "}}") return "}";
    const key = name ?? "";
    const value = Object.hasOwn(fields, key) ? fields[key] : env[key];
    if (value === undefined) {
      throw new ConfigError(`the link template ${JSON.stringify(template.template)} names {${key}}, which is neither host, port, scheme nor a set environment variable`, {
        source: template.source,
        keyPath: KEY_PATH,
      });
    }
    return value;
  });
}

function lookup(data: Record<string, unknown> | null, path: readonly string[]): unknown {
  let node: unknown = data;
  for (const part of path) {
    if (!isMapping(node)) return undefined;
    const key = Object.keys(node).findLast((k) => canonicalKeyName(k) === part);
    if (key === undefined) return undefined;
    node = node[key];
  }
  return node;
}
