// No side effects: importing the package registers nothing (use "@daskq/backend-drmaa/register").
export { DrmaaBackend } from "./drmaa-backend.js";
export { drmaaBackend, createDrmaaBackend, DRMAA_CONFIG_KEYS } from "./drmaa-descriptor.js";
export { register } from "./registration.js";
export { readDrmaaOptions, DEFAULT_DRMAA_OPTIONS, DRMAA_OPTIONS, type DrmaaOptions, type NativeOptionStyle } from "./drmaa-options.js";
export { renderNativeSpecification, nativeWord } from "./native-specification.js";
export { workerJobTemplate, outputPathPattern, outputFileOfTask } from "./drmaa-job-template.js";
export { statusOfPs, statusesOf } from "./drmaa-status.js";
export { DrmaaHelper, DrmaaError, helperEntry, type DrmaaHelperOptions } from "./drmaa-helper.js";
export { helperEnvironment, withStaticTls, findSgeRoot, sgeRootFromDefaults, STATIC_TLS_TUNABLE } from "./helper-environment.js";
export { resolveLibraryPath, DRMAA_LIBRARY_ENV, DEBIAN_SGE_LIBDRMAA } from "./library-path.js";
export { DrmaaAction, DrmaaErrno, DrmaaPs, DRMAA_INCR_PH } from "./drmaa-constants.js";
export type { JobTemplate, JobPsAnswer, JobExit } from "./helper-protocol.js";
