// No side effects: importing the package registers nothing (use "@daskq/backend-drmaa/register").
export { DrmaaHelper, DrmaaError, helperEntry, type DrmaaHelperOptions } from "./drmaa-helper.js";
export { helperEnvironment, withStaticTls, findSgeRoot, sgeRootFromDefaults, STATIC_TLS_TUNABLE } from "./helper-environment.js";
export { resolveLibraryPath, DRMAA_LIBRARY_ENV, DEBIAN_SGE_LIBDRMAA } from "./library-path.js";
export { DrmaaAction, DrmaaErrno, DrmaaPs, DRMAA_INCR_PH } from "./drmaa-constants.js";
export type { JobTemplate, JobPsAnswer, JobExit } from "./helper-protocol.js";
