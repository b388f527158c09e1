import { ConfigError } from "@daskq/core";
import { parseLsfUnit, type LsfUnit } from "./lsf-units.js";

/** The LSF-only settings that change how jobs are submitted (the header reads its keys from the JobSpec). */
export interface LsfOptions {
  /** `lsf-units`: the unit of `-M`, overriding lsf.conf. Undefined: read LSF_UNIT_FOR_LIMITS. */
  readonly units: LsfUnit | undefined;
  /** `use-stdin`: submit with `bsub < script` (true, the default) or `bsub script` (false). */
  readonly useStdin: boolean;
  /** `arrays`: submit many jobs as ONE job array (`-J "name[1-N]"`). Default true. */
  readonly arrays: boolean;
  /** `array-max-running`: at most this many elements of one array run at once (`name[1-N]%k`). */
  readonly arrayMaxRunning: number | undefined;
}

export const DEFAULT_LSF_OPTIONS: LsfOptions = { units: undefined, useStdin: true, arrays: true, arrayMaxRunning: undefined };

/**
 * Reads `lsf-units`, `use-stdin`, `arrays` and `array-max-running` from a validated `jobqueue.lsf`
 * section (kebab-case keys, as in `JobSpec.backendOptions`). Missing keys take their defaults.
 *
 * @throws ConfigError naming the key when a value has the wrong type or is not a known unit.
 */
export function readLsfOptions(values: Readonly<Record<string, unknown>> | undefined): LsfOptions {
  const units = values?.["lsf-units"];
  const limit = values?.["array-max-running"];
  return {
    units: units === undefined || units === null ? undefined : parseLsfUnit(units, "lsf-units"),
    useStdin: booleanOption(values?.["use-stdin"], "use-stdin", DEFAULT_LSF_OPTIONS.useStdin),
    arrays: booleanOption(values?.["arrays"], "arrays", DEFAULT_LSF_OPTIONS.arrays),
    arrayMaxRunning: limit === undefined || limit === null ? undefined : positiveInteger(limit, "array-max-running"),
  };
}

function booleanOption(value: unknown, key: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "boolean") throw new ConfigError(`expected true or false, got ${JSON.stringify(value)}`, { keyPath: key });
  return value;
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
