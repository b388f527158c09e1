import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { container as tsyringeContainer, type DependencyContainer } from "tsyringe";
import { DaskqError, findBackendPackages, loadBackends } from "@daskq/core";
import { backends } from "./commands/backends.js";
import { cleanup } from "./commands/cleanup.js";
import { ls } from "./commands/ls.js";
import { config } from "./commands/config.js";
import { jobScript } from "./commands/job-script.js";
import { logs } from "./commands/logs.js";
import { control } from "./commands/control.js";
import { pythonPath } from "./commands/python-path.js";
import { run } from "./commands/run.js";
import { up } from "./commands/up.js";

export const MAIN_HELP = `Usage: daskq COMMAND [options]

Deploy Dask clusters on HPC job queues.

Commands:
  up           start a cluster and keep it up until Ctrl-C
  run          start a cluster, run a command against it, tear it down
  logs         print the end of a job's output
  job-script   print the job script that would be submitted
  config       show the resolved configuration and where each value came from
  backends     list the installed backends
  ls           list recorded clusters: live, dead-with-jobs, dead-cleaned
  cleanup      cancel the jobs and remove the files that dead clusters left
  control      let a program (the Python package) drive a cluster over stdin/stdout
  python-path  print the folder to put on PYTHONPATH for the Python package daskq

Run 'daskq COMMAND --help' for the options of a command.`;

/** A command: its arguments and the ONE container every backend is registered in and looked up from. */
type Command = (argv: string[], container: DependencyContainer) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  up,
  run,
  logs,
  "job-script": jobScript,
  config,
  backends,
  ls,
  cleanup,
  control,
  "python-path": pythonPath,
};

/**
 * Runs the CLI and resolves with the process exit code. Installed backend packages are registered in
 * `container` (by default this package's tsyringe container), and every command looks them up THERE:
 * with several copies of tsyringe installed, each copy has its own global container.
 */
export async function main(argv: string[], container: DependencyContainer = tsyringeContainer): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${MAIN_HELP}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`daskq: unknown command '${name}'\n\n${MAIN_HELP}\n`);
    return 2;
  }
  const here = dirname(fileURLToPath(import.meta.url));
  await loadBackends(container, findBackendPackages([process.cwd(), here]), (m) => process.stderr.write(`daskq warning: ${m}\n`));
  try {
    return await command(rest, container);
  } catch (error) {
    if (error instanceof DaskqError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
