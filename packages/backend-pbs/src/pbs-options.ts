import { ConfigError } from "@daskq/core";
import { FLAVOUR_SETTINGS, type PbsFlavourSetting } from "./pbs-flavour.js";

/** The PBS-only settings, read from a validated `jobqueue.pbs` section. */
export interface PbsOptions {
  /** `auto` (ask `qstat --version` once), `pro`, `torque` or `moab`. */
  readonly flavour: PbsFlavourSetting;
  /** Written as `#PBS -l <value>` instead of the generated select/nodes line. */
  readonly resourceSpec: string | undefined;
  /** Submit many jobs as ONE array job. Default true. */
  readonly arrays: boolean;
  /** At most this many subjobs of one array run at once (`%limit`); unset: no limit. */
  readonly arrayMaxRunning: number | undefined;
  /** Account used when `account` is not configured: `$PBS_ACCOUNT`, as in dask-jobqueue. */
  readonly accountFallback: string | undefined;
}

export const DEFAULT_PBS_OPTIONS: PbsOptions = {
  flavour: "auto",
  resourceSpec: undefined,
  arrays: true,
  arrayMaxRunning: undefined,
  accountFallback: undefined,
};

/**
 * Reads `flavour`, `resource-spec`, `arrays` and `array-max-running` (kebab-case, as in
 * `JobSpec.backendOptions`) and `$PBS_ACCOUNT` from `env`. Missing keys take their defaults.
 *
 * @throws ConfigError naming the key when a value has the wrong type or is not allowed.
 */
export function readPbsOptions(values: Readonly<Record<string, unknown>> | undefined, env: NodeJS.ProcessEnv = {}): PbsOptions {
  const flavour = values?.["flavour"] ?? "auto";
  if (typeof flavour !== "string" || !FLAVOUR_SETTINGS.includes(flavour.toLowerCase() as PbsFlavourSetting)) {
    throw new ConfigError(`expected one of ${FLAVOUR_SETTINGS.join(", ")}, got ${JSON.stringify(flavour)}`, { keyPath: "flavour" });
  }
  const arrays = values?.["arrays"];
  if (arrays !== undefined && arrays !== null && typeof arrays !== "boolean") {
    throw new ConfigError(`expected true or false, got ${JSON.stringify(arrays)}`, { keyPath: "arrays" });
  }
  const spec = values?.["resource-spec"];
  if (spec !== undefined && spec !== null && typeof spec !== "string") {
    throw new ConfigError(`expected a PBS resource list such as select=1:ncpus=8:mem=15GB, got ${JSON.stringify(spec)}`, { keyPath: "resource-spec" });
  }
  const limit = values?.["array-max-running"];
  const account = env["PBS_ACCOUNT"];
  return {
    flavour: flavour.toLowerCase() as PbsFlavourSetting,
    resourceSpec: typeof spec === "string" && spec.trim() !== "" ? spec.trim() : undefined,
    arrays: arrays ?? DEFAULT_PBS_OPTIONS.arrays,
    arrayMaxRunning: limit === undefined || limit === null ? undefined : positiveInteger(limit, "array-max-running"),
    accountFallback: account !== undefined && account !== "" ? account : undefined,
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
