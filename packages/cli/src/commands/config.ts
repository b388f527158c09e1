import { configToJson, findBackend, formatConfig, loadBackendConfig } from "@daskq/core";
import type { DependencyContainer } from "tsyringe";
import { CLUSTER_OPTIONS_HELP, clusterOptionsFrom, parseClusterArgs } from "../cli-options.js";

export const CONFIG_HELP = `Usage: daskq config [options]

Shows every resolved job setting of a backend and where it came from: a default, a config file
(/etc/dask, ~/.config/dask, $DASK_CONFIG), an environment variable (DASK_JOBQUEUE__<BACKEND>__<KEY>)
or a command-line option. Options beat env, env beats files.

Example: daskq config --backend slurm --cores 8

${CLUSTER_OPTIONS_HELP}`;

/** `daskq config`. */
export async function config(argv: string[], container: DependencyContainer): Promise<number> {
  const { values } = parseClusterArgs(argv);
  if (values.help) {
    process.stdout.write(`${CONFIG_HELP}\n`);
    return 0;
  }
  const options = clusterOptionsFrom(values);
  const resolved = loadBackendConfig(findBackend(container, options.backend as string), options);
  for (const warning of resolved.warnings) process.stderr.write(`daskq warning: ${warning}\n`);
  process.stdout.write(values.json ? `${JSON.stringify(configToJson(resolved), null, 2)}\n` : `${formatConfig(resolved)}\n`);
  return 0;
}
