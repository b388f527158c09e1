import type { BackendContext, BackendDescriptor, ConfigKey } from "@daskq/core";
import { SlurmBackend } from "./slurm-backend.js";
import { readSlurmOptions } from "./slurm-options.js";

/** Slurm's own keys under `jobqueue.slurm`, beyond the shared ones (queue, account, walltime, ...). */
export const SLURM_CONFIG_KEYS: readonly ConfigKey[] = [
  { name: "job-cpu", kind: "integer", description: "CPUs per job (--cpus-per-task); unset: cores" },
  { name: "job-mem", kind: "bytes", description: "Memory per job (--mem, rounded up to whole GiB); unset: memory" },
  {
    name: "arrays",
    kind: "boolean",
    default: true,
    description: "Submit several jobs at once as ONE job array (sbatch --array); false for sites that forbid arrays",
  },
  {
    name: "array-max-running",
    kind: "integer",
    description: "At most this many tasks of one array run at once (--array=0-N%limit); unset: no limit",
  },
];

/** Makes a Slurm backend; `context.options` are the validated `jobqueue.slurm` values (kebab-case keys). */
export function createSlurmBackend(context: BackendContext): SlurmBackend {
  return new SlurmBackend(context.runner, context.logger, readSlurmOptions(context.options));
}

/** The registration unit of the Slurm backend. */
export const slurmBackend: BackendDescriptor = {
  name: "slurm",
  description: "Slurm (sbatch/squeue/scancel, job arrays)",
  configKeys: SLURM_CONFIG_KEYS,
  defaults: { walltime: "00:30:00" },
  // sbatch -t reads A:B as minutes:seconds (formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S).
  walltimeTwoPart: "minutes:seconds",
  create: createSlurmBackend,
};
