import { ConfigError, type JobSpec } from "@daskq/core";
import type { DrmaaOptions } from "./drmaa-options.js";

const MIB = 2 ** 20;

/**
 * A Grid Engine name or request as ONE word of a native specification: Grid Engine splits the
 * specification at whitespace and reads a word starting with `-` as an option, so neither may be
 * in a value taken from config (it would smuggle in other options).
 *
 * @throws ConfigError naming `key`.
 */
export function nativeWord(value: string, key: string): string {
  if (value === "" || /[\s"'\\\u0000-\u001f\u007f]/.test(value) || value.startsWith("-")) {
    throw new ConfigError(
      `${JSON.stringify(value)} cannot be one word of a DRMAA native specification (no whitespace, quotes, backslashes or control characters, no leading -)`,
      { keyPath: key },
    );
  }
  return value;
}

/** Memory per slot for Grid Engine: whole MiB rounded up, as `G` when a whole number of GiB (Grid Engine's `M`/`G` are 1024-based). */
export function sgeMemory(bytes: number): string {
  const mib = Math.ceil(bytes / MIB);
  return mib % 1024 === 0 ? `${mib / 1024}G` : `${mib}M`;
}

/** `HH:MM:SS`, hours unbounded, seconds rounded up (Grid Engine's `h_rt`). */
export function sgeTime(seconds: number): string {
  const total = Math.ceil(seconds);
  return [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60].map((n) => String(n).padStart(2, "0")).join(":");
}

/**
 * The native specification of a job: with `native-options: sge` (default) `-b n` (the remote command
 * is a job script, which Grid Engine reads and spools at submission, as `qsub` does), then Grid
 * Engine's options for the job's queue (`-q`), account (`-P`), cores (`-pe <pe> <cores>`), memory per slot
 * (`-l <resource>=<memory/slots>`), walltime (`-l h_rt=`) and, for a bulk submission with a limit,
 * `-tc <maxRunning>`; then `native-specification` VERBATIM (as dask-drmaa passes it), so its options
 * come last and win where Grid Engine lets a later option override an earlier one.
 *
 * @throws ConfigError naming the key of a value that cannot be written as one word.
 */
export function renderNativeSpecification(spec: JobSpec, options: DrmaaOptions, maxRunning?: number): string {
  const words: string[] = [];
  if (options.nativeOptions === "sge") {
    words.push("-b", "n");
    if (spec.queue) words.push("-q", nativeWord(spec.queue, "queue"));
    if (spec.account) words.push("-P", nativeWord(spec.account, "account"));
    const slots = options.parallelEnvironment ? spec.cores : 1;
    if (options.parallelEnvironment) words.push("-pe", nativeWord(options.parallelEnvironment, "parallel-environment"), String(spec.cores));
    if (options.memoryResource) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.memoryResource)) {
        throw new ConfigError(`${JSON.stringify(options.memoryResource)} is not a Grid Engine complex name (e.g. h_vmem, mem_free)`, {
          keyPath: "memory-resource",
        });
      }
      words.push("-l", `${options.memoryResource}=${sgeMemory(spec.memory / slots)}`);
    }
    if (spec.walltime !== undefined && spec.walltime > 0) words.push("-l", `h_rt=${sgeTime(spec.walltime)}`);
    if (maxRunning !== undefined) words.push("-tc", String(maxRunning));
  }
  if (options.nativeSpecification) words.push(options.nativeSpecification);
  return words.join(" ");
}
