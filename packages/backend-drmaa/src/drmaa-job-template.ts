import type { JobSpec } from "@daskq/core";
import { DRMAA_INCR_PH } from "./drmaa-constants.js";
import type { JobTemplate } from "./helper-protocol.js";

/** Where each job of a submission writes its output (stdout and stderr joined): one file per task. */
export function outputPathPattern(outputDirectory: string, jobName: string, submission: string): string {
  return `${outputDirectory.replace(/\/+$/, "")}/${jobName}.${submission}.${DRMAA_INCR_PH}.log`;
}

/** The output file of task `index` (1-based) of a pattern from `outputPathPattern`. */
export function outputFileOfTask(pattern: string, index: number): string {
  return pattern.replace(DRMAA_INCR_PH, String(index));
}

/**
 * The DRMAA job template of a worker job: the job script at `scriptPath` (core's job script, as the
 * script backends submit it) with no arguments and no environment of its own (the script exports
 * `env`), the job's name and output file (DRMAA's `[host]:path`, empty host: any; stderr joined),
 * working directory `workingDirectory` (like `qsub -cwd`), and the native specification.
 */
export function workerJobTemplate(args: {
  readonly spec: Pick<JobSpec, "jobName">;
  readonly scriptPath: string;
  readonly outputPattern: string;
  readonly nativeSpecification: string;
  readonly workingDirectory: string;
}): JobTemplate {
  return {
    remoteCommand: args.scriptPath,
    args: [],
    env: {},
    jobName: args.spec.jobName,
    outputPath: `:${args.outputPattern}`,
    workingDirectory: args.workingDirectory,
    nativeSpecification: args.nativeSpecification,
  };
}
