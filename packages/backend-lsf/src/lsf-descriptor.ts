import type { BackendContext, BackendDescriptor, ConfigKey } from "@daskq/core";
import { LsfBackend } from "./lsf-backend.js";
import { LSF_OPTIONS, readLsfOptions } from "./lsf-options.js";

/** LSF's own keys under `jobqueue.lsf`, beyond the shared ones (see `LSF_OPTIONS`). */
export const LSF_CONFIG_KEYS: readonly ConfigKey[] = LSF_OPTIONS.keys;

/** Makes an LSF backend; `context.options` are the validated values of its section (kebab-case keys). */
export function createLsfBackend(context: BackendContext): LsfBackend {
  return new LsfBackend(context.runner, context.logger, readLsfOptions(context.options, context.section));
}

/** The registration unit of the LSF backend. */
export const lsfBackend: BackendDescriptor = {
  name: "lsf",
  description: "IBM Spectrum LSF (bsub/bjobs/bkill, job arrays)",
  configKeys: LSF_CONFIG_KEYS,
  // dask-jobqueue's LSF default: 30 minutes, written [HH:]MM.
  defaults: { walltime: "00:30" },
  // bsub -W reads A:B as hours:minutes and a bare number as minutes.
  walltimeTwoPart: "hours:minutes",
  walltimeBareUnit: "minutes",
  create: (context) => createLsfBackend(context),
};
