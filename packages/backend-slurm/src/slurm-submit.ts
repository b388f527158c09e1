import { CommandError, DaskqError, runChecked, type CommandRunner, type SubmitRequest, checkSubmitRequest as checkRequest } from "@daskq/core";
import { taskJobId } from "./slurm-ids.js";

/** A job id as `sbatch --parsable` prints it: `123`, or `123;cluster` on a multi-cluster site. */
export interface SbatchAnswer {
  readonly jobId: string;
  readonly cluster: string | undefined;
}

/** Parses `sbatch --parsable` output (the last non-empty line); undefined if it is not an id. */
export function parseSbatchOutput(stdout: string): SbatchAnswer | undefined {
  const last = stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .at(-1);
  const m = last === undefined ? null : /^(\d+)(?:;(\S+))?$/.exec(last);
  return m ? { jobId: m[1] as string, cluster: m[2] } : undefined;
}

/** The sbatch arguments for one submission of `count` jobs of the script at `scriptPath`. */
export function sbatchArgs(scriptPath: string, count: number, maxRunning: number | undefined): string[] {
  const args = ["--parsable"];
  if (count > 1) args.push(`--array=0-${count - 1}${maxRunning === undefined ? "" : `%${maxRunning}`}`);
  args.push(scriptPath);
  return args;
}

/**
 * Checks a submission before anything runs.
 *
 * @throws DaskqError for a count that is not a positive integer, an array when arrays are switched
 *   off, or a `maxRunning` that is not a positive integer.
 */
export function checkSubmitRequest(request: SubmitRequest, arrays: boolean): void {
  checkRequest("slurm", request, arrays, "jobqueue.slurm.arrays: false");
}

/**
 * Runs `sbatch --parsable [--array=0-(count-1)[%limit]] <scriptPath>` and resolves the job ids:
 * `[123]` for one job, `[123_0, ..., 123_(count-1)]` for an array.
 *
 * @throws CommandError with sbatch's message when it exits non-zero or prints no job id.
 */
export async function runSbatch(runner: CommandRunner, scriptPath: string, count: number, maxRunning: number | undefined): Promise<string[]> {
  const result = await runChecked(runner, "slurm", "sbatch", sbatchArgs(scriptPath, count, maxRunning));
  const answer = parseSbatchOutput(result.stdout);
  if (!answer) {
    const said = [result.stdout.trim(), result.stderr.trim()].filter(Boolean).join("\n") || "(no output)";
    throw new CommandError("slurm", "sbatch", result.exitCode, `printed no job id: ${said}`);
  }
  if (count === 1) return [answer.jobId];
  return Array.from({ length: count }, (_, i) => taskJobId(answer.jobId, i));
}
