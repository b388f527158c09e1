// No side effects: importing the package registers nothing (use "@daskq/backend-lsf/register").
export { LsfBackend } from "./lsf-backend.js";
export { lsfBackend, createLsfBackend, LSF_CONFIG_KEYS } from "./lsf-descriptor.js";
export { register } from "./registration.js";
export { renderLsfHeader, formatLsfWalltime, outputPattern, specUnits } from "./lsf-header.js";
export { BSUB, directiveWord, checkDirectiveValue, readDirectives, optionValue } from "./lsf-directives.js";
export {
  LSF_UNIT_BYTES,
  detectLsfUnits,
  formatLsfMemory,
  lsfConfCandidates,
  parseLsfUnit,
  unitFromLsfConf,
  type DetectedUnits,
  type LsfUnit,
} from "./lsf-units.js";
export { parseBsubOutput, bsubArgs, arrayBaseName, type BsubAnswer } from "./lsf-submit.js";
export {
  BjobsStatus,
  BJOBS_FIELDS,
  TEXT_DELIMITER,
  bjobsSelectors,
  mapLsfState,
  matchRecords,
  parseBjobsJson,
  parseBjobsText,
  recordStatus,
  type BjobsRecord,
} from "./lsf-status.js";
export { bkillArgs, onlyHarmlessErrors } from "./lsf-cancel.js";
export { outputFileOf, expandLsfPattern } from "./lsf-output.js";
export { readLsfOptions, DEFAULT_LSF_OPTIONS, LSF_OPTIONS, type LsfOptions } from "./lsf-options.js";
export { parseLsfJobId, elementJobId, type LsfJobId } from "./lsf-ids.js";
