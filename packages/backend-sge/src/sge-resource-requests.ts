import { ConfigError, positiveInteger, type JobSpec } from "@daskq/core";
import type { SgeHeaderOptions } from "./sge-options.js";

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
 * Grid Engine's resource requests of a job, each an option with its words, in dask-jobqueue's
 * order: `-q`, `-P`, `-pe <pe> <cores>`, `-l <memory-resource>=<memory per slot>` (or
 * `-l <resource-spec>`), `-l h_rt=`. The sge backend writes each as a `#$` line; the DRMAA backend
 * joins them into its native specification. `word` checks a value from config for where it goes.
 *
 * @throws ConfigError naming the key of a value that cannot be requested.
 */
export function sgeResourceRequests(spec: JobSpec, options: SgeHeaderOptions, word: (value: string, key: string) => string): string[][] {
  const requests: string[][] = [];
  if (spec.queue) requests.push(["-q", word(spec.queue, "queue")]);
  const project = options.project ?? (spec.account || undefined);
  if (project) requests.push(["-P", word(project, options.project ? "project" : "account")]);

  const cores = positiveInteger(spec.cores, "cores");
  // With a parallel environment the job holds `cores` slots and Grid Engine multiplies per-slot
  // limits by them; without one it holds one slot, which then carries all the memory.
  const slots = options.parallelEnvironment ? cores : 1;
  if (options.parallelEnvironment) requests.push(["-pe", word(options.parallelEnvironment, "parallel-environment"), String(cores)]);

  if (options.resourceSpec) {
    requests.push(["-l", word(options.resourceSpec, "resource-spec")]);
  } else if (options.memoryResource) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.memoryResource)) {
      throw new ConfigError(`${JSON.stringify(options.memoryResource)} is not a Grid Engine complex name (e.g. h_vmem, mem_free)`, {
        keyPath: "memory-resource",
      });
    }
    requests.push(["-l", `${options.memoryResource}=${formatSgeMemory(spec.memory / slots)}`]);
  }

  if (spec.walltime !== undefined && spec.walltime !== null) {
    if (!Number.isFinite(spec.walltime) || spec.walltime < 0) {
      throw new ConfigError(`expected a duration, got ${JSON.stringify(spec.walltime)} seconds`, { keyPath: "walltime" });
    }
    // Zero means "no limit" to daskq: leave the queue's h_rt in force rather than write h_rt=0.
    if (spec.walltime > 0) requests.push(["-l", `h_rt=${formatSgeWalltime(spec.walltime)}`]);
  }
  return requests;
}
