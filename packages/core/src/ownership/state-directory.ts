import { homedir } from "node:os";
import { join } from "node:path";

/**
 * The per-user directory holding one state file per cluster: `$DASKQ_HOME/state`, by default
 * `~/.daskq/state`. It is created with mode 0700 when a cluster starts.
 */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const home = env["DASKQ_HOME"] || join(env["HOME"] || homedir(), ".daskq");
  return join(home, "state");
}
