import type { BackendContext, BackendDescriptor, ConfigKey } from "@daskq/core";
import { PbsBackend } from "./pbs-backend.js";
import { readPbsOptions } from "./pbs-options.js";

/** PBS's own keys under `jobqueue.pbs`, beyond the shared ones (queue, account, walltime, ...). */
export const PBS_CONFIG_KEYS: readonly ConfigKey[] = [
  {
    name: "resource-spec",
    kind: "string",
    description: "Resource request written as '#PBS -l <value>' instead of the generated one, e.g. select=1:ncpus=8:mem=15GB",
  },
  {
    name: "flavour",
    kind: "string",
    default: "auto",
    description: "pro (PBS Pro/OpenPBS), torque, moab, or auto: ask 'qstat --version' once",
  },
  {
    name: "arrays",
    kind: "boolean",
    default: true,
    description: "Submit several jobs at once as ONE job array (qsub -J on PBS Pro, -t on Torque); false for sites that forbid arrays",
  },
  {
    name: "array-max-running",
    kind: "integer",
    description: "At most this many subjobs of one array run at once (-J 0-N%limit, -t 0-N%limit); unset: no limit",
  },
];

/**
 * Makes a PBS backend; `context.options` are the validated `jobqueue.pbs` values (kebab-case keys).
 * `env` supplies `$PBS_ACCOUNT`, the account used when none is configured. `context.preview`: see
 * `PbsBackend.prepare`.
 */
export function createPbsBackend(context: BackendContext, env: NodeJS.ProcessEnv = process.env): PbsBackend {
  return new PbsBackend(context.runner, context.logger, readPbsOptions(context.options, env), context.preview ?? false);
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
