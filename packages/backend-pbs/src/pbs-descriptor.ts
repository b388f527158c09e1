import type { BackendContext, BackendDescriptor, ConfigKey } from "@daskq/core";
import { PbsBackend } from "./pbs-backend.js";
import { PBS_OPTIONS, readPbsOptions } from "./pbs-options.js";

/** PBS's own keys under `jobqueue.pbs`, beyond the shared ones (see `PBS_OPTIONS`). */
export const PBS_CONFIG_KEYS: readonly ConfigKey[] = PBS_OPTIONS.keys;

/**
 * Makes a PBS backend; `context.options` are the validated values of its section (kebab-case keys).
 * `env` supplies `$PBS_ACCOUNT`, the account used when none is configured. `context.preview`: see
 * `PbsBackend.prepare`.
 */
export function createPbsBackend(context: BackendContext, env: NodeJS.ProcessEnv = process.env): PbsBackend {
  return new PbsBackend(context.runner, context.logger, readPbsOptions(context.options, env, context.section), context.preview ?? false);
}

/** The registration unit of the PBS backend (PBS Pro/OpenPBS, Torque, Moab). */
export const pbsBackend: BackendDescriptor = {
  name: "pbs",
  description: "PBS Pro/OpenPBS, Torque and Moab (qsub/qstat/qdel, msub/showq/canceljob, job arrays)",
  configKeys: PBS_CONFIG_KEYS,
  defaults: { walltime: "00:30:00" },
  // PBS reads walltime as [[HH:]MM:]SS: a bare number is seconds, A:B is minutes:seconds.
  walltimeTwoPart: "minutes:seconds",
  walltimeBareUnit: "seconds",
  create: (context) => createPbsBackend(context),
};
