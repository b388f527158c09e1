import { posix } from "node:path";
import { optionValue, readDirectives } from "./lsf-directives.js";
import { parseLsfJobId } from "./lsf-ids.js";

/**
 * Expands an LSF -o/-e file name: `%J` is the job id, `%I` the array index ("Otherwise, %I is
 * replaced by 0", bsub -o).
 */
export function expandLsfPattern(pattern: string, jobId: string, index: number): string {
  return pattern.replaceAll("%J", jobId).replaceAll("%I", String(index));
}

/**
 * The file a job's output goes to, read from its own `#BSUB` lines (`header`, as rendered for it:
 * generated lines, skips and extra directives applied; the last `-o`/`-oo` wins), or undefined
 * when it cannot be known: no `-o` (LSF then mails the output), a relative path (relative to where
 * bsub ran, unless `-cwd` is absolute), or an id that is not an LSF id.
 */
export function outputFileOf(header: readonly string[], jobId: string): string | undefined {
  const id = parseLsfJobId(jobId);
  if (!id) return undefined;
  const directives = readDirectives(header.join("\n"));
  const pattern = optionValue(directives, "-o", "-oo");
  if (pattern === undefined) return undefined;
  const path = expandLsfPattern(pattern, id.jobId, id.kind === "element" ? id.index : 0);
  if (posix.isAbsolute(path)) return path;
  const cwd = optionValue(directives, "-cwd");
  return cwd !== undefined && posix.isAbsolute(cwd) ? posix.join(cwd, path) : undefined;
}

/**
 * Directories the -o/-e files of a script go to, to be created before bsub runs: LSF does not
 * create them ("If the specified output_file path is not accessible, the output will not be
 * stored", bsub -o), so a worker's log would be lost. Directories with `%J`/`%I` are left out;
 * relative ones are kept (relative to bsub's working directory, which is where the runner runs
 * `mkdir` too) unless the script changes directory with `-cwd`.
 */
export function outputDirectories(script: string): string[] {
  const directives = readDirectives(script);
  const cwd = optionValue(directives, "-cwd");
  const dirs = new Set<string>();
  for (const pattern of [optionValue(directives, "-o", "-oo"), optionValue(directives, "-e", "-eo")]) {
    if (pattern === undefined) continue;
    const slash = pattern.lastIndexOf("/");
    if (slash < 0) continue;
    const dir = pattern.slice(0, slash) || "/";
    if (/%[JI]/.test(dir)) continue;
    if (posix.isAbsolute(dir)) dirs.add(dir);
    else if (cwd === undefined) dirs.add(dir);
    else if (posix.isAbsolute(cwd)) dirs.add(posix.join(cwd, dir));
  }
  return [...dirs];
}
