import type { BackendContext, BackendDescriptor, ConfigKey } from "@daskq/core";
import { LsfBackend } from "./lsf-backend.js";
import { readLsfOptions } from "./lsf-options.js";

/** LSF's own keys under `jobqueue.lsf`, beyond the shared ones (queue, account/project, walltime, ...). */
export const LSF_CONFIG_KEYS: readonly ConfigKey[] = [
  { name: "ncpus", kind: "integer", description: "Cores asked from LSF (-n); unset: cores" },
  { name: "mem", kind: "bytes", description: "Memory limit of the job (-M), e.g. 16GB; unset: memory" },
  {
    name: "lsf-units",
    kind: "string",
    description: "Unit of -M (KB, MB, GB, TB, PB, EB); unset: LSF_UNIT_FOR_LIMITS from lsf.conf ($LSF_ENVDIR, $LSF_CONFDIR, /etc), else KB",
  },
  {
    name: "use-stdin",
    kind: "boolean",
    default: true,
    description: "Submit with bsub < script (true) or bsub script (false; LSF then reads #BSUB lines only with LSB_BSUB_PARSE_SCRIPT=Y)",
  },
  {
    name: "arrays",
    kind: "boolean",
    default: true,
    description: 'Submit several jobs at once as ONE job array (bsub -J "name[1-N]"); false for sites that forbid arrays',
  },
  {
    name: "array-max-running",
    kind: "integer",
    description: "At most this many elements of one array run at once (name[1-N]%limit); unset: no limit",
  },
];

/** Makes an LSF backend; `context.options` are the validated `jobqueue.lsf` values (kebab-case keys). */
export function createLsfBackend(context: BackendContext): LsfBackend {
  return new LsfBackend(context.runner, context.logger, readLsfOptions(context.options));
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
