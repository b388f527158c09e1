import { configKey, defineOptions, expected, POSITIVE_INTEGER, schema as v, TRIMMED_OR_UNSET } from "@daskq/core";
import { FLAVOUR_SETTINGS, type PbsFlavourSetting } from "./pbs-flavour.js";

/** PBS's own keys under `jobqueue.pbs`, beyond the shared ones (queue, account, walltime, ...), declared once. */
export const PBS_OPTIONS = defineOptions({
  "resource-spec": configKey("string", {
    description: "Resource request written as '#PBS -l <value>' instead of the generated one, e.g. select=1:ncpus=8:mem=15GB",
    value: TRIMMED_OR_UNSET,
  }),
  flavour: configKey("string", {
    default: "auto",
    description: "pro (PBS Pro/OpenPBS), torque, moab, or auto: ask 'qstat --version' once",
    value: v.pipe(
      v.string(),
      v.check((flavour) => FLAVOUR_SETTINGS.includes(flavour.toLowerCase() as PbsFlavourSetting), expected(`one of ${FLAVOUR_SETTINGS.join(", ")}`)),
      v.transform((flavour) => flavour.toLowerCase() as PbsFlavourSetting),
    ),
  }),
  arrays: configKey("boolean", {
    default: true,
    description: "Submit several jobs at once as ONE job array (qsub -J on PBS Pro, -t on Torque); false for sites that forbid arrays",
  }),
  "array-max-running": configKey("integer", {
    description: "At most this many subjobs of one array run at once (-J 0-N%limit, -t 0-N%limit); unset: no limit",
    value: POSITIVE_INTEGER,
  }),
});

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
 * The PBS settings from validated `jobqueue.<section>` values (kebab-case, as in
 * `JobSpec.backendOptions`; missing keys take their defaults) and `$PBS_ACCOUNT` from `env`.
 *
 * @throws ConfigError naming `jobqueue.<section>.<key>` for a value `PBS_OPTIONS` rejects.
 */
export function readPbsOptions(values: Readonly<Record<string, unknown>> | undefined, env: NodeJS.ProcessEnv = {}, section = "pbs"): PbsOptions {
  const options = PBS_OPTIONS.read(values, { section });
  const account = env["PBS_ACCOUNT"];
  return {
    flavour: options.flavour,
    resourceSpec: options["resource-spec"],
    arrays: options.arrays,
    arrayMaxRunning: options["array-max-running"],
    accountFallback: account !== undefined && account !== "" ? account : undefined,
  };
}
