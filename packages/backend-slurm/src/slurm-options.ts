import { configKey, defineOptions, POSITIVE_INTEGER } from "@daskq/core";

/** Slurm's own keys under `jobqueue.slurm`, beyond the shared ones (queue, account, walltime, ...), declared once. */
export const SLURM_OPTIONS = defineOptions({
  "job-cpu": configKey("integer", { description: "CPUs per job (--cpus-per-task); unset: cores", value: POSITIVE_INTEGER }),
  "job-mem": configKey("bytes", { description: "Memory per job (--mem, rounded up to whole GiB); unset: memory" }),
  arrays: configKey("boolean", {
    default: true,
    description: "Submit several jobs at once as ONE job array (sbatch --array); false for sites that forbid arrays",
  }),
  "array-max-running": configKey("integer", {
    description: "At most this many tasks of one array run at once (--array=0-N%limit); unset: no limit",
    value: POSITIVE_INTEGER,
  }),
});

/** The Slurm-only settings that change how jobs are submitted (not how the header looks). */
export interface SlurmOptions {
  /** Submit many jobs as ONE array job (`sbatch --array`). Default true. */
  readonly arrays: boolean;
  /** At most this many tasks of one array run at once (`--array=0-N%limit`); unset: no limit. */
  readonly arrayMaxRunning: number | undefined;
}

export const DEFAULT_SLURM_OPTIONS: SlurmOptions = { arrays: true, arrayMaxRunning: undefined };

/**
 * The submission settings from validated `jobqueue.<section>` values (kebab-case keys, as in
 * `JobSpec.backendOptions`); missing keys take their defaults.
 *
 * @throws ConfigError naming `jobqueue.<section>.<key>` for a value `SLURM_OPTIONS` rejects.
 */
export function readSlurmOptions(values: Readonly<Record<string, unknown>> | undefined, section = "slurm"): SlurmOptions {
  const options = SLURM_OPTIONS.read(values, { section });
  return { arrays: options.arrays, arrayMaxRunning: options["array-max-running"] };
}
