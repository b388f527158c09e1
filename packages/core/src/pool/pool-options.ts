import type { BackendDescriptor } from "../backend/backend.js";
import type { BackendConfigSources } from "../config/load-backend-config.js";
import { DaskqError } from "../errors.js";
import type { CommandRunner } from "../runner/command-runner.js";

/**
 * One pool of a heterogeneous cluster: workers of one backend and one job spec, advertising the
 * same Dask resources. `job`, `configName`, `env` and `homeDir` feed the config loader as for a
 * single-pool cluster (`configName` reuses a named `jobqueue.<name>` section).
 */
export interface PoolOptions extends BackendConfigSources {
  /** Short name (letters, digits, `_`; e.g. `cpu`, `gpu`): in events, status, job and worker names. */
  readonly name: string;
  /** Backend name (e.g. `slurm`) or descriptor. */
  readonly backend: string | BackendDescriptor;
  /** Dask resources every worker of this pool advertises (`--resources GPU=1`). */
  readonly resources?: Readonly<Record<string, number>>;
  /** Fewest jobs of this pool while adapting. Default 0. */
  readonly minimumJobs?: number;
  /** Most jobs of this pool while adapting. Default unbounded. */
  readonly maximumJobs?: number;
  /** Where this pool's backend commands run; default as for the cluster (config `ssh`, else the cluster's runner). */
  readonly runner?: CommandRunner;
}

const POOL_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
const RESOURCE_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/**
 * Checks the pools of a cluster: at least one, unique safe names, resources as `name: number > 0`,
 * bounds as whole numbers with minimum <= maximum. `where` names the source in errors (a file).
 *
 * @throws DaskqError naming the pool and the key.
 */
export function checkPools(pools: readonly PoolOptions[], where = "pools"): void {
  if (pools.length === 0) throw new DaskqError("cluster", `${where}: a cluster needs at least one pool`);
  const seen = new Set<string>();
  for (const [i, pool] of pools.entries()) {
    const at = `${where}[${i}]`;
    if (typeof pool.name !== "string" || !POOL_NAME.test(pool.name)) {
      throw new DaskqError("cluster", `${at}.name: expected a letter then letters, digits or _ (at most 32), got ${JSON.stringify(pool.name)}`);
    }
    if (seen.has(pool.name)) throw new DaskqError("cluster", `${at}.name: pool ${pool.name} is named twice`);
    seen.add(pool.name);
    for (const [name, amount] of Object.entries(pool.resources ?? {})) {
      if (!RESOURCE_NAME.test(name)) throw new DaskqError("cluster", `${where}.${pool.name}.resources: invalid resource name ${JSON.stringify(name)} (letters, digits, _ and .)`);
      if (typeof amount !== "number" || !Number.isFinite(amount) || amount <= 0) {
        throw new DaskqError("cluster", `${where}.${pool.name}.resources.${name}: expected a number > 0, got ${JSON.stringify(amount)}`);
      }
    }
    const min = pool.minimumJobs ?? 0;
    const max = pool.maximumJobs ?? Infinity;
    for (const [key, value] of [["minimum-jobs", min], ["maximum-jobs", max]] as const) {
      if (value !== Infinity && (!Number.isInteger(value) || value < 0)) throw new DaskqError("cluster", `${where}.${pool.name}.${key}: expected a whole number >= 0, got ${JSON.stringify(value)}`);
    }
    if (min > max) throw new DaskqError("cluster", `${where}.${pool.name}: minimum-jobs ${min} > maximum-jobs ${max}`);
  }
}

/** The `--resources` argument of a pool's workers (`GPU=1,MEM=2`), or none. */
export function resourceArguments(resources: Readonly<Record<string, number>> | undefined): string[] {
  const entries = Object.entries(resources ?? {});
  return entries.length === 0 ? [] : ["--resources", entries.map(([name, amount]) => `${name}=${amount}`).join(",")];
}

/** True when a worker with `offered` resources can run a task restricted to `needed`. */
export function providesResources(offered: Readonly<Record<string, number>> | undefined, needed: Readonly<Record<string, number>>): boolean {
  return Object.entries(needed).every(([name, amount]) => (offered?.[name] ?? 0) >= amount);
}
