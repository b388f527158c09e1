import { ConfigError } from "@daskq/core";

/** The Slurm-only settings that change how jobs are submitted (not how the header looks). */
export interface SlurmOptions {
  /** Submit many jobs as ONE array job (`sbatch --array`). Default true. */
  readonly arrays: boolean;
  /** At most this many tasks of one array run at once (`--array=0-N%limit`); unset: no limit. */
  readonly arrayMaxRunning: number | undefined;
}

export const DEFAULT_SLURM_OPTIONS: SlurmOptions = { arrays: true, arrayMaxRunning: undefined };

/**
 * Reads `arrays` and `array-max-running` from a validated `jobqueue.slurm` section (kebab-case keys,
 * as in `JobSpec.backendOptions`). Missing keys take their defaults.
 *
 * @throws ConfigError when a value has the wrong type.
 */
export function readSlurmOptions(values: Readonly<Record<string, unknown>> | undefined): SlurmOptions {
  const arrays = values?.["arrays"];
  const limit = values?.["array-max-running"];
  if (arrays !== undefined && arrays !== null && typeof arrays !== "boolean") {
    throw new ConfigError(`expected true or false, got ${JSON.stringify(arrays)}`, { keyPath: "arrays" });
  }
  return {
    arrays: arrays ?? DEFAULT_SLURM_OPTIONS.arrays,
    arrayMaxRunning: limit === undefined || limit === null ? undefined : positiveInteger(limit, "array-max-running"),
  };
}

/**
 * `value` as a positive integer.
 *
 * @throws ConfigError naming `key` otherwise.
 */
export function positiveInteger(value: unknown, key: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(`expected a positive integer, got ${JSON.stringify(value)}`, { keyPath: key });
  }
  return value;
}
