import { homedir } from "node:os";
import { join } from "node:path";

/** daskq's per-user directory on this machine: `$DASKQ_HOME`, by default `~/.daskq`. */
export function daskqHome(env: NodeJS.ProcessEnv = process.env): string {
  return env["DASKQ_HOME"] || join(env["HOME"] || homedir(), ".daskq");
}

/**
 * The per-user directory holding one state file per cluster: `$DASKQ_HOME/state`, by default
 * `~/.daskq/state`. It is created with mode 0700 when a cluster starts.
 */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return join(daskqHome(env), "state");
}
