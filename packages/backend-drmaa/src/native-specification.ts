import { ConfigError, type JobSpec } from "@daskq/core";
import { sgeResourceRequests } from "@daskq/backend-sge";
import type { DrmaaOptions } from "./drmaa-options.js";

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

/**
 * The native specification of a job: with `native-options: sge` (default) `-b n` (the remote command
 * is a job script, which Grid Engine reads and spools at submission, as `qsub` does), then the
 * requests the sge backend writes into its header (`sgeResourceRequests`: `-q`, `-P`, `-pe`,
 * memory per slot or `resource-spec`, `-l h_rt=`) and, for a bulk submission with a limit,
 * `-tc <maxRunning>`; then `native-specification` VERBATIM (as dask-drmaa passes it), so its options
 * come last and win where Grid Engine lets a later option override an earlier one.
 *
 * @throws ConfigError naming the key of a value that cannot be written as one word.
 */
export function renderNativeSpecification(spec: JobSpec, options: DrmaaOptions, maxRunning?: number): string {
  const words: string[] = [];
  if (options.nativeOptions === "sge") {
    words.push("-b", "n");
    words.push(...sgeResourceRequests(spec, options.gridEngine, nativeWord).flat());
    if (maxRunning !== undefined) words.push("-tc", String(maxRunning));
  }
  if (options.nativeSpecification) words.push(options.nativeSpecification);
  return words.join(" ");
}
