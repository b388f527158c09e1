import { configKey, defineOptions, POSITIVE_INTEGER, TRIMMED_OR_UNSET } from "@daskq/core";

/** Grid Engine's own keys under `jobqueue.sge`, beyond the shared ones (queue, walltime, ...), declared once. */
export const SGE_OPTIONS = defineOptions({
  // `project` is dask-jobqueue's SGE key for -P, not a deprecated name of `account` as elsewhere:
  // redeclare `account` without that alias, and give `project` a key of its own.
  account: configKey("string", { description: "Project the jobs are charged to (-P); `project` wins when both are set" }),
  project: configKey("string", { description: "Project the jobs are charged to (-P), dask-jobqueue's name for it", value: TRIMMED_OR_UNSET }),
  "parallel-environment": configKey("string", {
    default: "smp",
    description: "Parallel environment for the job's cores (-pe <pe> <cores>); null or empty: no -pe, the job gets one slot",
    value: TRIMMED_OR_UNSET,
  }),
  "memory-resource": configKey("string", {
    default: "h_vmem",
    description: "Resource that requests memory per slot (-l <resource>=<memory/slots>), e.g. h_vmem or mem_free; null or empty: none",
    value: TRIMMED_OR_UNSET,
  }),
  "resource-spec": configKey("string", {
    description: "Resource request written as -l <resource-spec> instead of the memory request, e.g. h_vmem=4G,mem_free=4G",
    value: TRIMMED_OR_UNSET,
  }),
  arrays: configKey("boolean", {
    default: true,
    description: "Submit several jobs at once as ONE array job (qsub -t 1-N); false for sites that forbid arrays",
  }),
  "array-max-running": configKey("integer", {
    description: "At most this many tasks of one array run at once (qsub -tc N); unset: no limit",
    value: POSITIVE_INTEGER,
  }),
});

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
 * The submission settings from validated `jobqueue.<section>` values (kebab-case keys, as in
 * `JobSpec.backendOptions`); missing keys take their defaults.
 *
 * @throws ConfigError naming `jobqueue.<section>.<key>` for a value `SGE_OPTIONS` rejects.
 */
export function readSgeOptions(values: Readonly<Record<string, unknown>> | undefined, section = "sge"): SgeOptions {
  const options = SGE_OPTIONS.read(values, { section });
  return { arrays: options.arrays, arrayMaxRunning: options["array-max-running"] };
}

/**
 * The header keys. They arrive in `backendOptions` only when they have a value: the config loader
 * fills in the defaults (`parallel-environment: smp`, `memory-resource: h_vmem`), and a `null` in
 * any layer unsets a key, so a key that is absent, null or blank means "do not request".
 *
 * @throws ConfigError naming `jobqueue.<section>.<key>` when a value is not a string.
 */
export function readSgeHeaderOptions(values: Readonly<Record<string, unknown>>, section = "sge"): SgeHeaderOptions {
  const options = SGE_OPTIONS.read(values, { section, defaults: false });
  return {
    parallelEnvironment: options["parallel-environment"],
    memoryResource: options["memory-resource"],
    resourceSpec: options["resource-spec"],
    project: options.project,
  };
}
