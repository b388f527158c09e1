// No side effects: importing the package registers nothing (use "@daskq/backend-slurmrest/register").
export { SlurmRestBackend, JOB_PATH } from "./slurmrest-backend.js";
export { slurmRestBackend, createSlurmRestBackend, SLURMREST_CONFIG_KEYS } from "./slurmrest-descriptor.js";
export { register } from "./registration.js";
export { SlurmRestClient, SlurmRestError, describeApiError, type JwtAuth, type JobRecord, type SlurmApiError } from "./slurmrest-client.js";
export { SUPPORTED_VERSIONS, offeredVersions, chooseVersion, compareVersions } from "./api-version.js";
export { jobProperties, parseMegabytes, parseMinutes, KNOWN_OPTIONS, type JobProperties } from "./sbatch-options.js";
export { readTokenClaims, checkTokenClaims, type TokenClaims } from "./jwt.js";
export { readSlurmRestOptions, SLURMREST_OPTIONS, type SlurmRestOptions } from "./slurmrest-options.js";
export { recordRow, statusOfRecords } from "./job-records.js";
export { ArrayBook } from "./cancel-plan.js";
export type { HttpTransport, HttpRequest, HttpAnswer } from "./http-transport.js";
export { FetchTransport } from "./fetch-transport.js";
export { UnixSocketTransport } from "./unix-socket-transport.js";
