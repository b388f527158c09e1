import { posix } from "node:path";
import type { CommandRunner } from "../runner/command-runner.js";

/** Where a cluster's job output goes, decided once when the cluster is created. */
export interface OutputLocation {
  /** The directory every job's output goes to. */
  readonly directory: string;
  /** A directory daskq made for this cluster and removes on close; undefined for the user's `log-directory`. */
  readonly owned: string | undefined;
}

/**
 * The output directory of a cluster: `log-directory` when set (never removed by daskq), else
 * `<home>/.daskq/clusters/<clusterId>/logs` on the runner's host, which compute nodes share on a
 * typical site. So a job that fails to start always leaves the batch system's own error line
 * where its backend's `logTail` finds it.
 */
export async function clusterOutputLocation(runner: CommandRunner, clusterId: string, logDirectory: string | undefined): Promise<OutputLocation> {
  if (logDirectory) return { directory: logDirectory, owned: undefined };
  const owned = posix.join(await runner.homeDirectory(), ".daskq", "clusters", clusterId);
  return { directory: posix.join(owned, "logs"), owned };
}
