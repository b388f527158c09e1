import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { PoolOptions } from "../pool/pool-options.js";
import { checkPools } from "../pool/pool-options.js";
import { DaskqError, ConfigError } from "../errors.js";
import { parseConfigText } from "./config-files.js";
import { canonicalKeyName } from "./config-key.js";

/** The keys of one pool under `jobqueue.pools.<name>`. */
const POOL_KEYS = new Set(["backend", "config-name", "resources", "minimum-jobs", "maximum-jobs"]);

/**
 * Reads the pools of a heterogeneous cluster from a dask config file. The pools sit next to the
 * `jobqueue.<backend>` sections, in order of preference (cheapest first); each pool reads its job
 * settings from `jobqueue.<config-name>` (default `jobqueue.<backend>`), in this file or in the
 * usual dask config files:
 *
 * ```yaml
 * jobqueue:
 *   slurm-gpu: { cores: 4, memory: 16GB, queue: gpu }
 *   pools:
 *     cpu: { backend: slurm }
 *     gpu: { backend: slurm, config-name: slurm-gpu, resources: { GPU: 1 }, maximum-jobs: 2 }
 * ```
 *
 * The file itself is read as the highest-priority config file of every pool.
 *
 * @throws ConfigError naming the file and the key path (`jobqueue.pools.gpu.resources`).
 */
export function readPoolsFile(path: string): PoolOptions[] {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read the pools file: ${(error as Error).message}`, { source: file });
  }
  const data = parseConfigText(text, file) ?? {};
  const jobqueue = data["jobqueue"];
  const pools = isMapping(jobqueue) ? jobqueue["pools"] : undefined;
  if (!isMapping(pools) || Object.keys(pools).length === 0) {
    throw new ConfigError("expected a mapping of pools, e.g. cpu: {backend: slurm}", { source: file, keyPath: "jobqueue.pools" });
  }
  const result = Object.entries(pools).map(([name, raw]) => poolFromFile(file, name, raw));
  try {
    checkPools(result, `${file}: jobqueue.pools`);
  } catch (error) {
    throw new ConfigError((error as DaskqError).message.replace(/^\[daskq:cluster\] /, ""));
  }
  return result;
}

function poolFromFile(file: string, name: string, raw: unknown): PoolOptions {
  const at = `jobqueue.pools.${name}`;
  if (!isMapping(raw)) throw new ConfigError(`expected a mapping with backend (and config-name, resources, minimum-jobs, maximum-jobs), got ${JSON.stringify(raw)}`, { source: file, keyPath: at });
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const canonical = canonicalKeyName(key);
    if (!POOL_KEYS.has(canonical)) throw new ConfigError(`unknown key; a pool has ${[...POOL_KEYS].join(", ")} (job settings go in jobqueue.<config-name>)`, { source: file, keyPath: `${at}.${key}` });
    values[canonical] = value;
  }
  const backend = values["backend"];
  if (typeof backend !== "string" || backend === "") throw new ConfigError(`expected a backend name (e.g. slurm), got ${JSON.stringify(backend)}`, { source: file, keyPath: `${at}.backend` });
  const configName = values["config-name"];
  if (configName !== undefined && (typeof configName !== "string" || configName === "")) {
    throw new ConfigError(`expected the name of a jobqueue section, got ${JSON.stringify(configName)}`, { source: file, keyPath: `${at}.config-name` });
  }
  const resources = values["resources"];
  if (resources !== undefined && !isMapping(resources)) throw new ConfigError(`expected a mapping like {GPU: 1}, got ${JSON.stringify(resources)}`, { source: file, keyPath: `${at}.resources` });
  const bound = (key: string): number | undefined => {
    const value = values[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw new ConfigError(`expected a whole number >= 0, got ${JSON.stringify(value)}`, { source: file, keyPath: `${at}.${key}` });
    return value;
  };
  return {
    name,
    backend,
    configName: configName as string | undefined,
    resources: resources as Record<string, number> | undefined,
    minimumJobs: bound("minimum-jobs"),
    maximumJobs: bound("maximum-jobs"),
    configFiles: [file],
  };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
