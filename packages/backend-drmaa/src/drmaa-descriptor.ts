import type { BackendContext, BackendDescriptor, ConfigKey } from "@daskq/core";
import { DrmaaBackend } from "./drmaa-backend.js";
import { DRMAA_OPTIONS, readDrmaaOptions } from "./drmaa-options.js";

/** The DRMAA backend's own keys under `jobqueue.drmaa`, beyond the shared ones (see `DRMAA_OPTIONS`). */
export const DRMAA_CONFIG_KEYS: readonly ConfigKey[] = DRMAA_OPTIONS.keys;

/** Makes a DRMAA backend; `context.options` are the validated values of its section (kebab-case keys). */
export function createDrmaaBackend(context: BackendContext): DrmaaBackend {
  return new DrmaaBackend(readDrmaaOptions(context.options, context.section), context.logger, context.clusterId);
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
