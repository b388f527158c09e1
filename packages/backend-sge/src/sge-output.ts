import { posix } from "node:path";
import { optionValue, readDirectives } from "./sge-directives.js";
import { parseJobId } from "./sge-ids.js";

/** What Grid Engine substitutes for the pseudo variables of an output path, for one job. */
export interface PathValues {
  readonly jobId: string;
  /** `$TASK_ID`: the task of an array job; a job that is not an array gets 0 (measured). */
  readonly taskId: number | undefined;
  readonly jobName: string;
}

/**
 * Expands the pseudo variables qsub allows in `-o`/`-e` paths: `$JOB_ID`, `$JOB_NAME`, `$TASK_ID`.
 * Undefined when the path uses one daskq cannot know here (`$HOME`, `$USER`, `$HOSTNAME`: they
 * belong to the execution host). Any other `$` stays as written, as Grid Engine leaves it (measured).
 */
export function expandOutputPath(path: string, values: PathValues): string | undefined {
  let unknown = false;
  const expanded = path.replace(/\$(JOB_ID|JOB_NAME|TASK_ID|HOSTNAME|HOME|USER)/g, (_all, name: string) => {
    if (name === "JOB_ID") return values.jobId;
    if (name === "JOB_NAME") return values.jobName;
    if (name === "TASK_ID") return String(values.taskId ?? 0);
    unknown = true;
    return "";
  });
  return unknown ? undefined : expanded;
}

/**
 * The path part of an `-o`/`-e` value: `[[host]:]path` (a leading `host:` or `:` dropped).
 * Undefined for a list of paths (`a,b`: one per host; which one applies is not known here).
 */
function pathOf(value: string): string | undefined {
  if (value.includes(",")) return undefined;
  const colon = value.indexOf(":");
  const path = colon >= 0 ? value.slice(colon + 1) : value;
  return path === "" ? undefined : path;
}

/**
 * The file a job's output goes to, read from the job's own `#$` lines (`header`, as rendered for it:
 * generated lines, skips and extra directives applied), or undefined when it cannot be known for
 * sure: no `-o` (Grid Engine then writes into the job's working directory, which with `-cwd` is
 * wherever the runner ran qsub), no `-N`, a relative path, pseudo variables of the execution host,
 * or an id that is not a Grid Engine id.
 *
 * An `-o` value ending in `/` is a directory, where Grid Engine names the file
 * `<job name>.o<job id>` for a job and `<job name>.o<job id>.<task>` for an array task (measured);
 * any other value is the file itself.
 */
export function outputFileOf(header: readonly string[], jobId: string): string | undefined {
  const id = parseJobId(jobId);
  if (!id) return undefined;
  const directives = readDirectives(header.join("\n"));
  const output = optionValue(directives, "-o");
  const jobName = optionValue(directives, "-N");
  if (output === undefined || jobName === undefined) return undefined;
  const raw = pathOf(output);
  if (raw === undefined) return undefined;
  const taskId = id.kind === "task" ? id.taskId : undefined;
  const path = expandOutputPath(raw, { jobId: id.jobId, taskId, jobName });
  if (path === undefined) return undefined;
  const file = path.endsWith("/") ? `${path}${jobName}.o${id.jobId}${taskId === undefined ? "" : `.${taskId}`}` : path;
  if (posix.isAbsolute(file)) return posix.normalize(file);
  const workdir = optionValue(directives, "-wd");
  return workdir !== undefined && posix.isAbsolute(workdir) ? posix.join(workdir, file) : undefined;
}

/**
 * Directories the output and error files of a script go to, so that they can be created before qsub
 * runs: a path ending in `/` is a directory itself, any other path's parent is. Grid Engine does not
 * create them, and a job whose output directory is missing goes into the error state `Eqw` ("can't
 * open output file"; measured). Paths with pseudo variables (`$JOB_ID`, ...) or lists of paths are
 * left out; relative ones are kept (they are relative to qsub's working directory with `-cwd`, which
 * is also where the runner runs `mkdir`) unless the script sets `-wd`.
 */
export function outputDirectories(script: string): string[] {
  const directives = readDirectives(script);
  const workdir = optionValue(directives, "-wd");
  const dirs = new Set<string>();
  for (const value of [optionValue(directives, "-o"), optionValue(directives, "-e")]) {
    const path = value === undefined ? undefined : pathOf(value);
    if (path === undefined || path.includes("$")) continue;
    let dir: string;
    if (path.endsWith("/")) dir = path.replace(/\/+$/, "") || "/";
    else {
      const slash = path.lastIndexOf("/");
      if (slash < 0) continue;
      dir = path.slice(0, slash) || "/";
    }
    if (posix.isAbsolute(dir)) dirs.add(dir);
    else if (workdir === undefined) dirs.add(dir);
    else if (posix.isAbsolute(workdir)) dirs.add(posix.join(workdir, dir));
  }
  dirs.delete("/");
  return [...dirs];
}
