import { previewJobScript } from "@daskq/core";
import type { DependencyContainer } from "tsyringe";
import { CLUSTER_OPTIONS_HELP, clusterOptionsFrom, parseClusterArgs } from "../cli-options.js";
import { consoleLogger } from "../console-logger.js";

export const JOB_SCRIPT_HELP = `Usage: daskq job-script [options]

Prints the job script that would be submitted for one worker job, without starting anything.
The scheduler address is a placeholder unless --scheduler-address is given.

Example: daskq job-script --backend slurm --cores 8 --memory 16GB --queue debug

${CLUSTER_OPTIONS_HELP}`;

/** `daskq job-script`. */
export async function jobScript(argv: string[], container: DependencyContainer): Promise<number> {
  const { values } = parseClusterArgs(argv);
  if (values.help) {
    process.stdout.write(`${JOB_SCRIPT_HELP}\n`);
    return 0;
  }
  const options = clusterOptionsFrom(values);
  const script = await previewJobScript({ ...options, container, schedulerAddress: options.scheduler?.address, logger: consoleLogger(false) });
  process.stdout.write(values.json ? `${JSON.stringify({ backend: options.backend, script })}\n` : script);
  return 0;
}
