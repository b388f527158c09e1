import { CommandError, DaskqError, runChecked, type CommandRunner, type SubmitRequest, checkSubmitRequest as checkRequest } from "@daskq/core";
import { optionValue, readDirectives } from "./lsf-directives.js";
import { elementJobId } from "./lsf-ids.js";

/** What bsub says when it accepts a job. */
export interface BsubAnswer {
  readonly jobId: string;
  /** The queue LSF put the job in. */
  readonly queue: string;
}

/**
 * Reads `Job <123> is submitted to queue <normal>.` or `Job <123> is submitted to default queue
 * <normal>.` (bsub may print other lines first, e.g. from an esub); undefined if there is none.
 */
export function parseBsubOutput(stdout: string): BsubAnswer | undefined {
  const m = /Job <(\d+)> is submitted to (?:default )?queue <([^>]*)>/.exec(stdout);
  return m ? { jobId: m[1] as string, queue: m[2] as string } : undefined;
}

/** The name of the array LSF gets: the script's `-J` (without any index list), else `daskq`. */
export function arrayBaseName(script: string): string {
  const name = optionValue(readDirectives(script), "-J")?.replace(/\[.*$/, "");
  return name && !/[\s"'\\]/.test(name) ? name : "daskq";
}

/**
 * The bsub arguments for one submission of `count` jobs. An array is asked for on the command line,
 * `-J name[1-N]` or `-J name[1-N]%k` ("the command line option overrides the option in the standard
 * input", bsub(1)), so the script keeps the plain header users know. `scriptPath` is the last
 * argument when the script is not given on standard input.
 */
export function bsubArgs(script: string, count: number, maxRunning: number | undefined, scriptPath?: string): string[] {
  const args: string[] = [];
  if (count > 1) args.push("-J", `${arrayBaseName(script)}[1-${count}]${maxRunning === undefined ? "" : `%${maxRunning}`}`);
  if (scriptPath !== undefined) args.push(scriptPath);
  return args;
}

/**
 * Checks a submission before anything runs.
 *
 * @throws DaskqError for a count that is not a positive integer, an array when arrays are switched
 *   off, or a `maxRunning` that is not a positive integer.
 */
export function checkSubmitRequest(request: SubmitRequest, arrays: boolean): void {
  checkRequest("lsf", request, arrays, "jobqueue.lsf.arrays: false");
}

/**
 * Runs bsub — `bsub [-J "name[1-N]%k"] < script` (script on standard input) or
 * `bsub [-J ...] <scriptPath>` — and resolves the ids: `[123]`, or `[123[1], ..., 123[N]]` for an
 * array (LSF array indices start at 1).
 *
 * @throws CommandError with bsub's message when it exits non-zero or prints no job id.
 */
export async function runBsub(
  runner: CommandRunner,
  script: string,
  count: number,
  maxRunning: number | undefined,
  scriptPath?: string,
): Promise<string[]> {
  const args = bsubArgs(script, count, maxRunning, scriptPath);
  const result = await runChecked(runner, "lsf", "bsub", args, scriptPath === undefined ? { input: script } : {});
  const answer = parseBsubOutput(result.stdout);
  if (!answer) {
    const said = [result.stdout.trim(), result.stderr.trim()].filter(Boolean).join("\n") || "(no output)";
    throw new CommandError("lsf", "bsub", result.exitCode, `printed no job id: ${said}`);
  }
  if (count === 1) return [answer.jobId];
  return Array.from({ length: count }, (_, i) => elementJobId(answer.jobId, i + 1));
}
