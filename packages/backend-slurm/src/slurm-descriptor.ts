import type { BackendContext, BackendDescriptor, ConfigKey } from "@daskq/core";
import { SlurmBackend } from "./slurm-backend.js";
import { readSlurmOptions, SLURM_OPTIONS } from "./slurm-options.js";

/** Slurm's own keys under `jobqueue.slurm`, beyond the shared ones (see `SLURM_OPTIONS`). */
export const SLURM_CONFIG_KEYS: readonly ConfigKey[] = SLURM_OPTIONS.keys;

/** Makes a Slurm backend; `context.options` are the validated values of its section (kebab-case keys). */
export function createSlurmBackend(context: BackendContext): SlurmBackend {
  return new SlurmBackend(context.runner, context.logger, readSlurmOptions(context.options, context.section));
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
