import type { BackendContext, BackendDescriptor, ConfigKey } from "@daskq/core";
import { SgeBackend } from "./sge-backend.js";
import { readSgeOptions } from "./sge-options.js";

/** Grid Engine's own keys under `jobqueue.sge`, beyond the shared ones (queue, walltime, ...). */
export const SGE_CONFIG_KEYS: readonly ConfigKey[] = [
  // `project` is dask-jobqueue's SGE key for -P, not a deprecated name of `account` as elsewhere:
  // redeclare `account` without that alias, and give `project` a key of its own.
  { name: "account", kind: "string", description: "Project the jobs are charged to (-P); `project` wins when both are set" },
  { name: "project", kind: "string", description: "Project the jobs are charged to (-P), dask-jobqueue's name for it" },
  {
    name: "parallel-environment",
    kind: "string",
    default: "smp",
    description: "Parallel environment for the job's cores (-pe <pe> <cores>); null or empty: no -pe, the job gets one slot",
  },
  {
    name: "memory-resource",
    kind: "string",
    default: "h_vmem",
    description: "Resource that requests memory per slot (-l <resource>=<memory/slots>), e.g. h_vmem or mem_free; null or empty: none",
  },
  {
    name: "resource-spec",
    kind: "string",
    description: "Resource request written as -l <resource-spec> instead of the memory request, e.g. h_vmem=4G,mem_free=4G",
  },
  {
    name: "arrays",
    kind: "boolean",
    default: true,
    description: "Submit several jobs at once as ONE array job (qsub -t 1-N); false for sites that forbid arrays",
  },
  {
    name: "array-max-running",
    kind: "integer",
    description: "At most this many tasks of one array run at once (qsub -tc N); unset: no limit",
  },
];

/** Makes a Grid Engine backend; `context.options` are the validated `jobqueue.sge` values (kebab-case keys). */
export function createSgeBackend(context: BackendContext): SgeBackend {
  return new SgeBackend(context.runner, context.logger, readSgeOptions(context.options));
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
