import { CommandError, DaskqError, runChecked, type CommandRunner, type SubmitRequest, checkSubmitRequest as checkRequest } from "@daskq/core";
import { parseTaskRanges, taskJobId, type TaskRange } from "./sge-ids.js";

/** What `qsub -terse` prints: `123` for a job, `123.1-4:1` for an array (first-last:step). */
export interface QsubAnswer {
  readonly jobId: string;
  readonly tasks: TaskRange | undefined;
}

/**
 * Parses `qsub -terse` output: the last line that is a job id (qsub may print warnings before it).
 * Undefined if there is none.
 */
export function parseQsubOutput(stdout: string): QsubAnswer | undefined {
  const lines = stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  for (const line of lines.reverse()) {
    const m = /^(\d+)(?:\.(\S+))?$/.exec(line);
    if (!m) continue;
    if (m[2] === undefined) return { jobId: m[1] as string, tasks: undefined };
    const ranges = parseTaskRanges(m[2]);
    if (ranges?.length === 1) return { jobId: m[1] as string, tasks: ranges[0] };
  }
  return undefined;
}

/** The qsub arguments for one submission of `count` jobs of the script at `scriptPath`. */
export function qsubArgs(scriptPath: string, count: number, maxRunning: number | undefined): string[] {
  const args = ["-terse"];
  if (count > 1) {
    args.push("-t", `1-${count}`);
    if (maxRunning !== undefined) args.push("-tc", String(maxRunning));
  }
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
  checkRequest("sge", request, arrays, "jobqueue.sge.arrays: false");
}

/**
 * Runs `qsub -terse [-t 1-count [-tc limit]] <scriptPath>` and resolves the job ids: `[123]` for one
 * job, `[123.1, ..., 123.count]` for an array (Grid Engine numbers tasks from 1).
 *
 * @throws CommandError with qsub's message when it exits non-zero or prints no job id. When qsub
 *   submitted something other than what was asked for (a `-t` among `job-extra-directives` makes
 *   every job an array), that submission is deleted again with qdel and a CommandError says why.
 */
export async function runQsub(runner: CommandRunner, scriptPath: string, count: number, maxRunning: number | undefined): Promise<string[]> {
  const result = await runChecked(runner, "sge", "qsub", qsubArgs(scriptPath, count, maxRunning));
  const answer = parseQsubOutput(result.stdout);
  const said = () => [result.stdout.trim(), result.stderr.trim()].filter(Boolean).join("\n") || "(no output)";
  if (!answer) throw new CommandError("sge", "qsub", result.exitCode, `printed no job id: ${said()}`);
  const { tasks } = answer;
  const asked = count === 1 ? tasks === undefined : tasks !== undefined && tasks.first === 1 && tasks.last === count && tasks.step === 1;
  if (!asked) {
    await runner.run("qdel", [answer.jobId]).catch(() => undefined);
    const wanted = count === 1 ? "one job" : `the array 1-${count}:1`;
    throw new CommandError(
      "sge",
      "qsub",
      result.exitCode,
      `submitted ${said()} where ${wanted} was asked for, and the submission was deleted again`,
      "Remove -t from job-extra-directives: daskq submits arrays itself",
    );
  }
  if (count === 1) return [answer.jobId];
  return Array.from({ length: count }, (_, i) => taskJobId(answer.jobId, i + 1));
}
