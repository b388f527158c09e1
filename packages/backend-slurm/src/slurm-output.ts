import { posix } from "node:path";
import { NOT_AN_ARRAY_TASK, parseJobId } from "./slurm-ids.js";
import { optionValue, readDirectives } from "./slurm-directives.js";

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
 * The file a job's output goes to, read from the job's own `#SBATCH` lines (`header`, as rendered
 * for it: generated lines, skips and extra directives applied), or undefined when it cannot be known
 * for sure: no `-o` (Slurm's default `slurm-%j.out` lands in sbatch's working directory, which the
 * runner decides), a relative path, a pattern with values we do not have, or an id we do not parse.
 */
export function outputFileOf(header: readonly string[], jobId: string): string | undefined {
  const id = parseJobId(jobId);
  if (!id) return undefined;
  const directives = readDirectives(header.join("\n"));
  const pattern = optionValue(directives, "o", "output");
  if (pattern === undefined) return undefined;
  const values: PatternValues =
    id.kind === "job"
      ? { arrayJobId: id.jobId, taskId: NOT_AN_ARRAY_TASK, jobId: id.jobId, jobName: optionValue(directives, "J", "job-name") }
      : { arrayJobId: id.arrayJobId, taskId: id.taskId, jobId: undefined, jobName: optionValue(directives, "J", "job-name") };
  const path = expandOutputPattern(pattern, values);
  if (path === undefined) return undefined;
  if (posix.isAbsolute(path)) return path;
  const workdir = optionValue(directives, "D", "chdir");
  return workdir !== undefined && posix.isAbsolute(workdir) ? posix.join(workdir, path) : undefined;
}

/**
 * Directories the output and error files of a script go to, so that they can be created before
 * sbatch runs: Slurm does not create them, and a job whose output directory is missing FAILS at
 * launch (`JobLaunchFailure`, measured). Directories whose names hold patterns other than `%%` are
 * left out; relative ones are kept (they are relative to sbatch's working directory, which is also
 * where the runner runs `mkdir`) unless the script changes directory with `-D`.
 */
export function outputDirectories(script: string): string[] {
  const directives = readDirectives(script);
  const workdir = optionValue(directives, "D", "chdir");
  const dirs = new Set<string>();
  for (const pattern of [optionValue(directives, "o", "output"), optionValue(directives, "e", "error")]) {
    if (pattern === undefined || pattern.includes("\\")) continue;
    const slash = pattern.lastIndexOf("/");
    if (slash < 0) continue;
    const dir = pattern.slice(0, slash) || "/";
    if (dir.replaceAll("%%", "").includes("%")) continue;
    const plain = dir.replaceAll("%%", "%");
    if (posix.isAbsolute(plain)) dirs.add(plain);
    else if (workdir === undefined) dirs.add(plain);
    else if (posix.isAbsolute(workdir)) dirs.add(posix.join(workdir, plain));
  }
  return [...dirs];
}
