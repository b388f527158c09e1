import type { BackendContext, BackendDescriptor, ConfigKey } from "@daskq/core";
import { SGE_CONFIG_KEYS } from "@daskq/backend-sge";
import { DrmaaBackend } from "./drmaa-backend.js";
import { DEFAULT_DRMAA_OPTIONS, readDrmaaOptions } from "./drmaa-options.js";

/** The sge backend's keys that shape Grid Engine's resource requests (`sgeResourceRequests`). */
const GRID_ENGINE_REQUEST_KEYS = ["account", "project", "parallel-environment", "memory-resource", "resource-spec"];

/** The DRMAA backend's own keys under `jobqueue.drmaa`, beyond the shared ones (cores, memory, queue, account, ...). */
export const DRMAA_CONFIG_KEYS: readonly ConfigKey[] = [
  { name: "library", kind: "string", description: "Path of libdrmaa; unset: $DRMAA_LIBRARY_PATH, then Debian's /usr/lib/gridengine-drmaa/lib/libdrmaa.so.1.0" },
  { name: "contact", kind: "string", description: "drmaa_init contact string; unset: the library's default system" },
  {
    name: "native-specification",
    kind: "string",
    description: "drmaa_native_specification passed verbatim after daskq's own options (as dask-drmaa's nativeSpecification)",
  },
  {
    name: "native-options",
    kind: "string",
    default: DEFAULT_DRMAA_OPTIONS.nativeOptions,
    description: "sge: -b n (the job script is spooled), and cores, memory, walltime, queue and account/project become Grid Engine options as in the sge backend (-q, -P, -pe, -l); none: only native-specification",
  },
  // With native-options sge, the same requests as the sge backend, from the same keys.
  ...SGE_CONFIG_KEYS.filter((key) => GRID_ENGINE_REQUEST_KEYS.includes(key.name)),
  {
    name: "task-index-variable",
    kind: "string",
    default: DEFAULT_DRMAA_OPTIONS.taskIndexVariable,
    description: "Variable holding a bulk job's task index inside the job, for worker names (SGE_TASK_ID on Grid Engine)",
  },
];

/** Makes a DRMAA backend; `context.options` are the validated `jobqueue.drmaa` values (kebab-case keys). */
export function createDrmaaBackend(context: BackendContext): DrmaaBackend {
  return new DrmaaBackend(readDrmaaOptions(context.options), context.logger, context.clusterId);
}

/** The registration unit of the DRMAA backend. */
export const drmaaBackend: BackendDescriptor = {
  name: "drmaa",
  description: "Any DRMAA 1.0 library through FFI (bulk jobs, drmaa_job_ps, drmaa_control); tested on Grid Engine's libdrmaa",
  configKeys: DRMAA_CONFIG_KEYS,
  // dask-drmaa asks for nothing: `dask-drmaa 10` starts 10 one-worker jobs. So `daskq up --backend
  // drmaa --workers 10` works without --cores/--memory too: one core and 2 GiB per job unless set.
  defaults: { walltime: "00:30:00", cores: 1, memory: "2GiB" },
  // With the default native options the walltime becomes Grid Engine's h_rt: read it the same way
  // as the sge backend (a bare number is seconds, A:B is minutes:seconds).
  walltimeBareUnit: "seconds",
  walltimeTwoPart: "minutes:seconds",
  create: createDrmaaBackend,
};
