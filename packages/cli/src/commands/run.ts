import { execa } from "execa";
import { DaskqError, JobQueueCluster } from "@daskq/core";
import type { DependencyContainer } from "tsyringe";
import { adaptOptionsFrom, CLUSTER_OPTIONS_HELP, clusterOptionsFrom, parseClusterArgs, scaleRequestFrom } from "../cli-options.js";
import { consoleLogger } from "../console-logger.js";

export const RUN_HELP = `Usage: daskq run [options] -- COMMAND [ARGS...]

Starts a cluster, runs COMMAND with DASK_SCHEDULER_ADDRESS set, and with TLS (the default) the
DASK_DISTRIBUTED__COMM__TLS__* variables of the cluster's certificate: dask's Client() picks them
all up, so a script needs no change. Then cancels every job, stops the scheduler and exits with
COMMAND's code.

Examples:
  daskq run --backend pbs --jobs 4 -- python analysis.py
  daskq run --backend slurm --adapt --minimum 1 --maximum 20 -- python analysis.py

${CLUSTER_OPTIONS_HELP}`;

/** `daskq run`: resolves with the command's exit code. */
export async function run(argv: string[], container: DependencyContainer): Promise<number> {
  const split = argv.indexOf("--");
  const own = split >= 0 ? argv.slice(0, split) : argv;
  const command = split >= 0 ? argv.slice(split + 1) : [];
  const { values } = parseClusterArgs(own);
  if (values.help) {
    process.stdout.write(`${RUN_HELP}\n`);
    return 0;
  }
  if (command.length === 0) throw new DaskqError("cli", "daskq run needs a command after --, e.g. daskq run --jobs 2 -- python script.py");
  const logger = consoleLogger(values.verbose ?? false);
  const request = scaleRequestFrom(values);
  if (values.adapt && request) throw new DaskqError("cli", "give --adapt or --jobs/--workers, not both");
  const cluster = await JobQueueCluster.create({ ...clusterOptionsFrom(values), container, logger, handleSignals: false });
  try {
    cluster.on("cluster-error", (error) => logger.error(error.message));
    if (values.adapt) await cluster.adapt(adaptOptionsFrom(values));
    else await cluster.scale(request ?? { jobs: 1 });
    logger.info(`scheduler at ${cluster.schedulerAddress}; running ${command.join(" ")}`);
    const child = execa(command[0] as string, command.slice(1), {
      stdio: "inherit",
      reject: false,
      env: cluster.clientEnv,
    });
    // Ctrl-C reaches the command too (same process group); we wait for it, then clean up.
    const ignore = () => {};
    for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(s, ignore);
    const result = await child;
    for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.off(s, ignore);
    if (result.failed && result.exitCode === undefined && !result.signal) throw new DaskqError("cli", `could not run ${command[0]}: ${result.shortMessage}`);
    return result.exitCode ?? 128 + signalNumber(result.signal);
  } finally {
    await cluster.close();
  }
}

function signalNumber(signal: string | undefined): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal ?? ""] ?? 1;
}
