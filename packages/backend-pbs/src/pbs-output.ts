import { posix } from "node:path";
import { optionValue, readDirectives } from "./pbs-directives.js";
import type { PbsFlavour } from "./pbs-flavour.js";
import { parsePbsJobId } from "./pbs-ids.js";

/** `[host:]path` -> path (qsub(1B) -o/-e). */
function stripHost(value: string): string {
  const colon = value.indexOf(":");
  return colon > 0 && !value.slice(0, colon).includes("/") ? value.slice(colon + 1) : value;
}

/**
 * The file a job's output goes to, read from the job's own `#PBS` lines (`header`, as rendered for
 * it), or undefined when it cannot be known for sure. The stream that carries the worker's log is
 * used: the joined one with `-j oe`/`-j eo`, else `-e` (Dask logs to stderr), else `-o`.
 *
 * - PBS Pro (qsub(1B)): a path without a file name (a directory, `dir/`) gets `<job ID>.OU`/`.ER`;
 *   in a file name `^array_index^` is replaced by the subjob index.
 * - Torque (its server's add_std_filename and array cloning): a directory gets
 *   `<job name>.o<seq>`/`.e<seq>`, and a subjob's path gets `-<index>` appended.
 *
 * Undefined without `-o`/`-e` (the default file lands in qsub's working directory, which the runner
 * decides), for relative paths, and for ids that are not PBS ids (Moab names).
 */
export function outputFileOf(header: readonly string[], jobId: string, flavour: PbsFlavour): string | undefined {
  const id = parsePbsJobId(jobId);
  if (!id) return undefined;
  const directives = readDirectives(header.join("\n"));
  const join = optionValue(directives, "j");
  const out = optionValue(directives, "o");
  const err = optionValue(directives, "e");
  const [value, kind] = join === "oe" ? [out, "o"] : join === "eo" ? [err, "e"] : err !== undefined ? [err, "e"] : [out, "o"];
  if (value === undefined) return undefined;
  const path = stripHost(value);
  if (!posix.isAbsolute(path)) return undefined;
  const isDir = path.endsWith("/");
  const index = id.kind === "subjob" ? id.index : undefined;
  if (flavour === "pro") {
    if (isDir) return posix.join(path, `${jobId}.${kind === "o" ? "OU" : "ER"}`);
    return index === undefined ? path : path.replaceAll("^array_index^", String(index));
  }
  const name = optionValue(directives, "N");
  if (isDir && name === undefined) return undefined;
  const base = isDir ? posix.join(path, `${name}.${kind}${id.seq}`) : path;
  return index === undefined ? base : `${base}-${index}`;
}

/**
 * Absolute directories the output and error files of a script go to, so that they can be created
 * before qsub runs: PBS does not create them, and output it cannot deliver ends up in the user's
 * undelivered spool instead.
 */
export function outputDirectories(script: string): string[] {
  const directives = readDirectives(script);
  const dirs = new Set<string>();
  for (const value of [optionValue(directives, "o"), optionValue(directives, "e")]) {
    if (value === undefined) continue;
    const path = stripHost(value);
    if (!posix.isAbsolute(path)) continue;
    dirs.add(path.endsWith("/") ? path.replace(/\/+$/, "") || "/" : posix.dirname(path));
  }
  return [...dirs];
}
