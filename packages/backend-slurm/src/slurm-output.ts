import type { CommandRunner } from "@daskq/core";
import { NOT_AN_ARRAY_TASK, parseJobId } from "./slurm-ids.js";
import { outputPattern } from "./slurm-header.js";

/** What Slurm substitutes into an output file name pattern for one job. */
export interface PatternValues {
  /** `%A`: the array job id, or the job id for a job that is not an array. */
  readonly arrayJobId: string;
  /** `%a`: the task index, 4294967294 for a job that is not an array. */
  readonly taskId: number;
  /** `%j`: the job's own id; unknown for an array task (each task has its own, not the one we hold). */
  readonly jobId: string | undefined;
  /** `%x`: the job name, when known. */
  readonly jobName: string | undefined;
}

/**
 * Expands a Slurm file name pattern (`%%`, `%A`, `%a`, `%j`, `%x`, with optional zero padding such as
 * `%4a`). Undefined when the pattern uses anything we cannot know here (`%N`, `%u`, `%J`, ...), or
 * holds a backslash (Slurm then does not expand at all).
 */
export function expandOutputPattern(pattern: string, values: PatternValues): string | undefined {
  if (pattern.includes("\\")) return undefined;
  let unknown = false;
  const expanded = pattern.replace(/%(%|(\d*)([A-Za-z]))/g, (_all, what: string, width: string, letter: string | undefined) => {
    if (what === "%") return "%";
    let value: string | undefined;
    if (letter === "A") value = values.arrayJobId;
    else if (letter === "a") value = String(values.taskId);
    else if (letter === "j") value = values.jobId;
    else if (letter === "x") value = values.jobName;
    if (value === undefined) {
      unknown = true;
      return "";
    }
    return letter === "x" || !width ? value : value.padStart(Number(width), "0");
  });
  return unknown ? undefined : expanded;
}

/**
 * The file job `jobId` writes its output to, with the `-o` pattern `renderSlurmHeader` writes for
 * `outputDirectory` (`<dir>/%x-%A_%a.out`) and job name `jobName`; undefined for an id that is not
 * a Slurm job id (`123`, `123_4`).
 */
export function outputFileOf(outputDirectory: string, jobName: string, jobId: string): string | undefined {
  const id = parseJobId(jobId);
  if (!id) return undefined;
  const values: PatternValues =
    id.kind === "job"
      ? { arrayJobId: id.jobId, taskId: NOT_AN_ARRAY_TASK, jobId: id.jobId, jobName }
      : { arrayJobId: id.arrayJobId, taskId: id.taskId, jobId: undefined, jobName };
  return expandOutputPattern(outputPattern(outputDirectory), values);
}

/**
 * The output file of job `jobId` in `outputDirectory` whatever job name it ran under (a cluster
 * tags its job names with its id, which `daskq logs` does not know): ONE `find <dir> -maxdepth 1
 * -name '*-<array job id>_<task>.out'` through the runner. Undefined when there is none, or for an
 * id that is not a Slurm job id.
 */
export async function findOutputFile(runner: CommandRunner, outputDirectory: string, jobId: string): Promise<string | undefined> {
  const id = parseJobId(jobId);
  if (!id) return undefined;
  const [arrayJobId, taskId] = id.kind === "job" ? [id.jobId, NOT_AN_ARRAY_TASK] : [id.arrayJobId, id.taskId];
  // A starting point beginning with `-` would be read as an expression by find.
  const start = outputDirectory.startsWith("/") ? outputDirectory : `./${outputDirectory}`;
  const result = await runner.run("find", [start, "-maxdepth", "1", "-type", "f", "-name", `*-${arrayJobId}_${taskId}.out`]);
  if (result.exitCode !== 0) return undefined;
  return result.stdout.split("\n").find((line) => line.length > 0);
}
