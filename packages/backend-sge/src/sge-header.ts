import { ConfigError, type HeaderContext, type JobSpec } from "@daskq/core";
import { QSUB_PREFIX, checkDirectiveValue, checkJobName, directiveWord, nameWord } from "./sge-directives.js";
import { positiveInteger, readSgeHeaderOptions } from "./sge-options.js";

const MIB = 2 ** 20;

/**
 * A memory request per slot: whole MiB rounded UP, written as `G` when that is a whole number of
 * GiB. Grid Engine reads `M` and `G` as 1024-based (`m` and `g` would be 1000-based). So 16GB over
 * 8 slots (2·10⁹ bytes, 1907.35 MiB) is `1908M`, 16GiB over 8 slots is `2G`: never less than
 * asked, at most 1 MiB more.
 *
 * @throws ConfigError unless `bytes` is a positive number.
 */
export function formatSgeMemory(bytes: number, key = "memory"): string {
  if (typeof bytes !== "number" || !Number.isFinite(bytes) || bytes <= 0) {
    throw new ConfigError(`expected a positive size in bytes, got ${JSON.stringify(bytes)}`, { keyPath: key });
  }
  const mib = Math.ceil(bytes / MIB);
  return mib % 1024 === 0 ? `${mib / 1024}G` : `${mib}M`;
}

/**
 * `h_rt` value: `HH:MM:SS`, hours unbounded (`100:00:00`; Grid Engine has no day field), fractions
 * of a second rounded up.
 */
export function formatSgeWalltime(seconds: number): string {
  const total = Math.ceil(seconds);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  return [hours, minutes, secs].map((n) => String(n).padStart(2, "0")).join(":");
}

/**
 * The `-o` value for an output directory (`log-directory`, else daskq's own for the cluster): the
 * directory with ONE trailing `/`, as dask-jobqueue writes it. The slash tells qsub that it names a
 * directory: each job writes `<dir>/<name>.o<job id>[.<task>]` there, and a missing directory puts
 * the job in the error state instead of turning the path into a file (measured). A path with `:`
 * gets a leading `:` (qsub reads `host:path`, and an empty host means "any host"; measured).
 *
 * @throws ConfigError for a `,` (qsub reads a list of paths) and what no directive can hold.
 */
export function outputPathWord(logDirectory: string): string {
  checkDirectiveValue(logDirectory, "log-directory");
  if (logDirectory.includes(",")) {
    throw new ConfigError(`${JSON.stringify(logDirectory)} contains a comma, which qsub reads as a list of output paths`, {
      keyPath: "log-directory",
    });
  }
  const dir = `${logDirectory.replace(/\/+$/, "")}/`;
  return directiveWord(dir.includes(":") ? `:${dir}` : dir, "log-directory");
}

/**
 * The generated `#$` lines of one worker job, in dask-jobqueue's order with the resource requests
 * dask-jobqueue leaves out:
 * `-N`, `-q`, `-P`, `-pe <pe> <cores>`, `-l <memory-resource>=<memory per slot>` (or
 * `-l <resource-spec>`), `-l h_rt=`, `-cwd`, `-j y`, then `-o` into the context's output directory
 * (none when it has none: a preview without `log-directory`).
 * Every value is checked; a value that cannot be written safely is a ConfigError naming its key, so
 * a malformed header is never produced.
 */
export function renderSgeHeader(spec: JobSpec, context: HeaderContext): string[] {
  const options = readSgeHeaderOptions(spec.backendOptions);
  const lines: string[] = [];
  const add = (...words: string[]) => lines.push([QSUB_PREFIX, ...words].join(" "));

  add("-N", checkJobName(context.jobName, "name"));
  if (spec.queue) add("-q", nameWord(spec.queue, "queue"));
  const project = options.project ?? (spec.account || undefined);
  if (project) add("-P", nameWord(project, options.project ? "project" : "account"));

  const cores = positiveInteger(spec.cores, "cores");
  // With a parallel environment the job holds `cores` slots and Grid Engine multiplies per-slot
  // limits by them; without one it holds one slot, which then carries all the memory.
  const slots = options.parallelEnvironment ? cores : 1;
  if (options.parallelEnvironment) add("-pe", nameWord(options.parallelEnvironment, "parallel-environment"), String(cores));

  if (options.resourceSpec) {
    add("-l", nameWord(options.resourceSpec, "resource-spec"));
  } else if (options.memoryResource) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.memoryResource)) {
      throw new ConfigError(`${JSON.stringify(options.memoryResource)} is not a Grid Engine complex name (e.g. h_vmem, mem_free)`, {
        keyPath: "memory-resource",
      });
    }
    add("-l", `${options.memoryResource}=${formatSgeMemory(spec.memory / slots)}`);
  }

  if (spec.walltime !== undefined && spec.walltime !== null) {
    if (!Number.isFinite(spec.walltime) || spec.walltime < 0) {
      throw new ConfigError(`expected a duration, got ${JSON.stringify(spec.walltime)} seconds`, { keyPath: "walltime" });
    }
    // Zero means "no limit" to daskq: leave the queue's h_rt in force rather than write h_rt=0.
    if (spec.walltime > 0) add("-l", `h_rt=${formatSgeWalltime(spec.walltime)}`);
  }

  add("-cwd");
  add("-j", "y");
  if (context.outputDirectory) add("-o", outputPathWord(context.outputDirectory));
  return lines;
}
