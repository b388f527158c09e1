import { configKey, defineOptions, POSITIVE_INTEGER, schema as v } from "@daskq/core";
import { lsfUnit, unknownUnitMessage, type LsfUnit } from "./lsf-units.js";

/** LSF's own keys under `jobqueue.lsf`, beyond the shared ones (queue, account/project, walltime, ...), declared once. */
export const LSF_OPTIONS = defineOptions({
  ncpus: configKey("integer", { description: "Cores asked from LSF (-n); unset: cores", value: POSITIVE_INTEGER }),
  mem: configKey("bytes", { description: "Memory limit of the job (-M), e.g. 16GB; unset: memory" }),
  "lsf-units": configKey("string", {
    description: "Unit of -M (KB, MB, GB, TB, PB, EB); unset: LSF_UNIT_FOR_LIMITS from lsf.conf ($LSF_ENVDIR, $LSF_CONFDIR, /etc), else KB",
    value: v.pipe(
      v.string(),
      v.check((unit) => lsfUnit(unit) !== undefined, (issue) => unknownUnitMessage(issue.input)),
      v.transform((unit) => lsfUnit(unit) as LsfUnit),
    ),
  }),
  "use-stdin": configKey("boolean", {
    default: true,
    description: "Submit with bsub < script (true) or bsub script (false; LSF then reads #BSUB lines only with LSB_BSUB_PARSE_SCRIPT=Y)",
  }),
  arrays: configKey("boolean", {
    default: true,
    description: 'Submit several jobs at once as ONE job array (bsub -J "name[1-N]"); false for sites that forbid arrays',
  }),
  "array-max-running": configKey("integer", {
    description: "At most this many elements of one array run at once (name[1-N]%limit); unset: no limit",
    value: POSITIVE_INTEGER,
  }),
});

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
 * The submission settings from validated `jobqueue.<section>` values (kebab-case keys, as in
 * `JobSpec.backendOptions`); missing keys take their defaults.
 *
 * @throws ConfigError naming `jobqueue.<section>.<key>` for a value `LSF_OPTIONS` rejects.
 */
export function readLsfOptions(values: Readonly<Record<string, unknown>> | undefined, section = "lsf"): LsfOptions {
  const options = LSF_OPTIONS.read(values, { section });
  return { units: options["lsf-units"], useStdin: options["use-stdin"], arrays: options.arrays, arrayMaxRunning: options["array-max-running"] };
}
