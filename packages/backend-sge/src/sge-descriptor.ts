import type { BackendContext, BackendDescriptor, ConfigKey } from "@daskq/core";
import { SgeBackend } from "./sge-backend.js";
import { readSgeOptions, SGE_OPTIONS } from "./sge-options.js";

/** Grid Engine's own keys under `jobqueue.sge`, beyond the shared ones (see `SGE_OPTIONS`). */
export const SGE_CONFIG_KEYS: readonly ConfigKey[] = SGE_OPTIONS.keys;

/** Makes a Grid Engine backend; `context.options` are the validated values of its section (kebab-case keys). */
export function createSgeBackend(context: BackendContext): SgeBackend {
  return new SgeBackend(context.runner, context.logger, readSgeOptions(context.options, context.section));
}

/** The registration unit of the Grid Engine backend. */
export const sgeBackend: BackendDescriptor = {
  name: "sge",
  description: "Grid Engine (qsub/qstat/qdel, job arrays)",
  configKeys: SGE_CONFIG_KEYS,
  defaults: { walltime: "00:30:00" },
  // Grid Engine reads a bare number as seconds (h_rt=90 is 90 s). Its own time format is
  // [[h:]m:]s filled from the right, and qsub rejects two parts (h_rt=1:30, measured): daskq reads
  // A:B the same right-to-left way, as minutes:seconds, and always writes HH:MM:SS.
  walltimeBareUnit: "seconds",
  walltimeTwoPart: "minutes:seconds",
  create: createSgeBackend,
};
