import { DaskqError, workerNameWord, workerShellCommand, type JobSpec, type WorkerLaunch } from "@daskq/core";
import { DRMAA_INCR_PH } from "./drmaa-constants.js";
import type { JobTemplate } from "./helper-protocol.js";

/** The program every job runs: a POSIX shell, for the prologue, the worker and the epilogue. */
export const JOB_SHELL = "/bin/sh";

/**
 * The `sh -c` text of every job: ONE line of constant text (Grid Engine cuts a `drmaa_v_argv`
 * argument at its first line break; measured), which takes everything else from its positional
 * parameters: `<worker line> <n> <prologue line>... <m> <epilogue line>...`. It evals the prologue
 * lines, the worker line (core's `workerShellCommand`: every word quoted, so only `$VAR` references
 * core leaves live expand), the epilogue lines, and exits with the WORKER's code.
 */
export const WORKER_SHELL_SCRIPT = [
  "nl=$(printf '\\nx'); nl=${nl%x}",
  "worker=$1; shift",
  'pro=; n=$1; shift; while [ "$n" -gt 0 ]; do pro="$pro$1$nl"; shift; n=$((n - 1)); done',
  'epi=; n=$1; shift; while [ "$n" -gt 0 ]; do epi="$epi$1$nl"; shift; n=$((n - 1)); done',
  'eval "$pro"',
  'eval "$worker"',
  "rc=$?",
  'eval "$epi"',
  "exit $rc",
].join("; ");

/**
 * The positional parameters of `WORKER_SHELL_SCRIPT`: the worker as one shell line named
 * `--name <name>` (an array task: `<base>-$<indexVariable>`), then the prologue and epilogue.
 *
 * @throws DaskqError for a line break in any of them (Grid Engine would cut the argument there).
 */
export function workerShellArguments(worker: WorkerLaunch, indexVariable: string): string[] {
  const line = workerShellCommand(worker, workerNameWord(worker.naming, indexVariable));
  const args = [line, String(worker.prologue.length), ...worker.prologue, String(worker.epilogue.length), ...worker.epilogue];
  const broken = args.find((a) => /[\n\r]/.test(a));
  if (broken !== undefined) {
    throw new DaskqError("drmaa", `${JSON.stringify(broken)} contains a line break, which a DRMAA job argument cannot carry (Grid Engine cuts it there)`);
  }
  return args;
}

/** Where each job of a submission writes its output (stdout and stderr joined): one file per task. */
export function outputPathPattern(outputDirectory: string, jobName: string, submission: string): string {
  return `${outputDirectory.replace(/\/+$/, "")}/${jobName}.${submission}.${DRMAA_INCR_PH}.log`;
}

/** The output file of task `index` (1-based) of a pattern from `outputPathPattern`. */
export function outputFileOfTask(pattern: string, index: number): string {
  return pattern.replace(DRMAA_INCR_PH, String(index));
}

/**
 * The DRMAA job template of a worker job: `/bin/sh -c <script> daskq-worker <parameters...>`, the
 * job's environment, name and output file (DRMAA's `[host]:path`, empty host: any), stderr joined,
 * working directory `workingDirectory` (like `qsub -cwd`), and the native specification.
 */
export function workerJobTemplate(args: {
  readonly spec: JobSpec;
  readonly worker: WorkerLaunch;
  readonly outputPattern: string;
  readonly nativeSpecification: string;
  readonly indexVariable: string;
  readonly workingDirectory: string;
}): JobTemplate {
  const { worker } = args;
  return {
    remoteCommand: JOB_SHELL,
    args: ["-c", WORKER_SHELL_SCRIPT, "daskq-worker", ...workerShellArguments(worker, args.indexVariable)],
    env: { ...worker.env },
    jobName: args.spec.jobName,
    outputPath: `:${args.outputPattern}`,
    workingDirectory: args.workingDirectory,
    nativeSpecification: args.nativeSpecification,
  };
}
