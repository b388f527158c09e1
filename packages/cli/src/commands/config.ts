import { configToJson, findBackend, formatConfig, loadBackendConfig } from "@daskq/core";
import type { DependencyContainer } from "tsyringe";
import { CLUSTER_OPTIONS_HELP, clusterOptionsFrom, parseClusterArgs, poolOptionsFrom } from "../cli-options.js";

export const CONFIG_HELP = `Usage: daskq config [options]

Shows every resolved job setting of a backend and where it came from: a default, a config file
(/etc/dask, ~/.config/dask, $DASK_CONFIG), an environment variable (DASK_JOBQUEUE__<BACKEND>__<KEY>)
or a command-line option. Options beat env, env beats files.

Examples:
  daskq config --backend slurm --cores 8
  daskq config --pools pools.yaml          # each pool's values and their sources

${CLUSTER_OPTIONS_HELP}`;

/** `daskq config`. */
export async function config(argv: string[], container: DependencyContainer): Promise<number> {
  const { values } = parseClusterArgs(argv);
  if (values.help) {
    process.stdout.write(`${CONFIG_HELP}\n`);
    return 0;
  }
  if (values.pools !== undefined) return showPools(values, container);
  const options = clusterOptionsFrom(values);
  const resolved = loadBackendConfig(findBackend(container, options.backend as string), options);
  for (const warning of resolved.warnings) process.stderr.write(`daskq warning: ${warning}\n`);
  process.stdout.write(values.json ? `${JSON.stringify(configToJson(resolved), null, 2)}\n` : `${formatConfig(resolved)}\n`);
  return 0;
}

/** `daskq config --pools FILE`: every pool's resolved values, with their sources, in order of preference. */
function showPools(values: ReturnType<typeof parseClusterArgs>["values"], container: DependencyContainer): number {
  const pools = poolOptionsFrom(values).pools ?? [];
  const shown = pools.map((pool) => {
    const resolved = loadBackendConfig(findBackend(container, pool.backend as string), { ...pool, env: process.env });
    for (const warning of resolved.warnings) process.stderr.write(`daskq warning: pool ${pool.name}: ${warning}\n`);
    return { pool, resolved };
  });
  if (values.json) {
    const json = shown.map(({ pool, resolved }) => ({
      pool: pool.name,
      backend: pool.backend,
      resources: pool.resources ?? {},
      minimumJobs: pool.minimumJobs ?? 0,
      maximumJobs: pool.maximumJobs ?? null,
      config: configToJson(resolved),
    }));
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }
  for (const { pool, resolved } of shown) {
    const resources = Object.entries(pool.resources ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
    process.stdout.write(
      `pool ${pool.name}: backend ${pool.backend as string}, jobqueue.${resolved.section}, jobs ${pool.minimumJobs ?? 0}..${pool.maximumJobs ?? "unbounded"}${resources ? `, resources ${resources}` : ""}\n`,
    );
    process.stdout.write(`${formatConfig(resolved)}\n\n`);
  }
  return 0;
}
