import { DaskqError, readJobLogTail } from "@daskq/core";
import type { DependencyContainer } from "tsyringe";
import { CLUSTER_OPTIONS, clusterOptionsFrom, integer, parseCommandArgs } from "../cli-options.js";

const LOGS_OPTIONS = {
  backend: CLUSTER_OPTIONS.backend,
  "config-name": CLUSTER_OPTIONS["config-name"],
  "log-directory": CLUSTER_OPTIONS["log-directory"],
  set: CLUSTER_OPTIONS.set,
  ssh: CLUSTER_OPTIONS.ssh,
  "ssh-accept-new-host-key": CLUSTER_OPTIONS["ssh-accept-new-host-key"],
  lines: { type: "string", short: "n" },
  help: CLUSTER_OPTIONS.help,
} as const;

export const LOGS_HELP = `Usage: daskq logs [options] JOB-ID

Prints the end of a worker job's output, read through the backend (where the batch system keeps
it; over SSH with --ssh).

Example: daskq logs --backend slurm --log-directory ~/dask-logs 1234_5

Options:
  -b, --backend NAME            batch system (default local)
      --config-name NAME        read jobqueue.NAME instead of jobqueue.<backend>
      --log-directory DIR       the log-directory the cluster used
      --set KEY=VALUE           any jobqueue config key
      --ssh DEST                read it on a login node over SSH (see daskq up --help)
      --ssh-accept-new-host-key record the login node's key if known_hosts lacks it
  -n, --lines N                 how many lines (default 50)
  -h, --help                    this help`;

/** `daskq logs JOB-ID`: prints the tail of a job's output; exit 1 when it is not known. */
export async function logs(argv: string[], container: DependencyContainer): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, LOGS_OPTIONS, true);
  if (values.help) {
    process.stdout.write(`${LOGS_HELP}\n`);
    return 0;
  }
  const [jobId, ...extra] = positionals;
  if (!jobId || extra.length > 0) throw new DaskqError("cli", "daskq logs takes exactly one job id, e.g. daskq logs --backend slurm 1234");
  const lines = values.lines === undefined ? 50 : integer("--lines", values.lines);
  const { backend, configName, job } = clusterOptionsFrom(values);
  const tail = await readJobLogTail({ backend, configName, job, container }, jobId, lines);
  if (tail === undefined) {
    throw new DaskqError("cli", `no output known for job ${jobId} on ${backend}: give the --log-directory the cluster used (or set log-directory in jobqueue.yaml)`);
  }
  process.stdout.write(tail.endsWith("\n") || tail === "" ? tail : `${tail}\n`);
  return 0;
}
