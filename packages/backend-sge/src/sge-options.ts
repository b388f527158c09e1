import { ConfigError } from "@daskq/core";

/** The Grid Engine settings that change how jobs are submitted (not how the header looks). */
export interface SgeOptions {
  /** Submit many jobs as ONE array job (`qsub -t 1-N`). Default true. */
  readonly arrays: boolean;
  /** At most this many tasks of one array run at once (`qsub -tc N`); unset: no limit. */
  readonly arrayMaxRunning: number | undefined;
}

export const DEFAULT_SGE_OPTIONS: SgeOptions = { arrays: true, arrayMaxRunning: undefined };

/** The Grid Engine settings that shape the header, from `JobSpec.backendOptions`. */
export interface SgeHeaderOptions {
  /** `-pe <name> <cores>`; undefined: no parallel environment (the job has one slot). */
  readonly parallelEnvironment: string | undefined;
  /** `-l <name>=<memory per slot>`; undefined: memory is not requested. */
  readonly memoryResource: string | undefined;
  /** `-l <resource-spec>`, replacing the memory request; undefined: not set. */
  readonly resourceSpec: string | undefined;
  /** `-P`: the `project` key, dask-jobqueue's name for it; undefined: use `account`. */
  readonly project: string | undefined;
}

/**
 * Reads `arrays` and `array-max-running` from a validated `jobqueue.sge` section (kebab-case keys,
 * as in `JobSpec.backendOptions`). Missing keys take their defaults.
 *
 * @throws ConfigError when a value has the wrong type.
 */
export function readSgeOptions(values: Readonly<Record<string, unknown>> | undefined): SgeOptions {
  const arrays = values?.["arrays"];
  const limit = values?.["array-max-running"];
  if (arrays !== undefined && arrays !== null && typeof arrays !== "boolean") {
    throw new ConfigError(`expected true or false, got ${JSON.stringify(arrays)}`, { keyPath: "arrays" });
  }
  return {
    arrays: arrays ?? DEFAULT_SGE_OPTIONS.arrays,
    arrayMaxRunning: limit === undefined || limit === null ? undefined : positiveInteger(limit, "array-max-running"),
  };
}

/**
 * Reads the header keys. They arrive in `backendOptions` only when they have a value: the config
 * loader fills in the defaults (`parallel-environment: smp`, `memory-resource: h_vmem`), and a
 * `null` in any layer unsets a key, so a key that is absent, null or empty means "do not request".
 *
 * @throws ConfigError naming the key when a value is not a string.
 */
export function readSgeHeaderOptions(values: Readonly<Record<string, unknown>>): SgeHeaderOptions {
  return {
    parallelEnvironment: optionalString(values, "parallel-environment"),
    memoryResource: optionalString(values, "memory-resource"),
    resourceSpec: optionalString(values, "resource-spec"),
    project: optionalString(values, "project"),
  };
}

function optionalString(values: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = values[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new ConfigError(`expected a string, got ${JSON.stringify(value)}`, { keyPath: key });
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
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
