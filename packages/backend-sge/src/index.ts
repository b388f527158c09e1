// No side effects: importing the package registers nothing (use "@daskq/backend-sge/register").
export { SgeBackend } from "./sge-backend.js";
export { sgeBackend, createSgeBackend, SGE_CONFIG_KEYS } from "./sge-descriptor.js";
export { register } from "./registration.js";
export { renderSgeHeader, outputPathWord } from "./sge-header.js";
export { sgeResourceRequests, formatSgeMemory, formatSgeWalltime } from "./sge-resource-requests.js";
export { QSUB_PREFIX, directiveWord, nameWord, checkJobName, readDirectives } from "./sge-directives.js";
export { parseQsubOutput, qsubArgs, type QsubAnswer } from "./sge-submit.js";
export {
  parseQstatXml,
  mapSgeState,
  matchEntries,
  parseErrorReasons,
  type QstatEntry,
} from "./sge-status.js";
export { qdelArgs, onlyHarmlessErrors } from "./sge-cancel.js";
export { outputFileOf } from "./sge-output.js";
export { readSgeOptions, readSgeHeaderOptions, DEFAULT_SGE_OPTIONS, SGE_OPTIONS, type SgeOptions, type SgeHeaderOptions } from "./sge-options.js";
export { parseJobId, parseTaskRanges, compressTasks, type SgeJobId, type TaskRange } from "./sge-ids.js";
