// No side effects: importing the package registers nothing (use "@daskq/backend-pbs/register").
export { PbsBackend } from "./pbs-backend.js";
export { pbsBackend, createPbsBackend, PBS_CONFIG_KEYS } from "./pbs-descriptor.js";
export { register } from "./registration.js";
export { FLAVOURS, FLAVOUR_SETTINGS, detectFlavour, flavourFromVersion, type PbsFlavour, type PbsFlavourSetting, type FlavourCommands } from "./pbs-flavour.js";
export { renderPbsHeader, formatPbsMemory, formatPbsWalltime, defaultResourceSpec, outputDirectoryWord, type PbsHeaderSettings } from "./pbs-header.js";
export { PBS, directiveWord } from "./pbs-directives.js";
export { parsePbsJobId, formatPbsJobId, arrayOf, subjobIds, sequenceKey, type PbsJobId } from "./pbs-ids.js";
export { submitArgs, parseSubmitOutput, checkSubmitRequest } from "./pbs-submit.js";
export {
  parseProJson,
  parseQstatFull,
  mapProState,
  mapTorqueState,
  matchRecords,
  statusOperands,
  unknownIds,
  qstatArgs,
  type PbsRecord,
  type StatusSession,
} from "./pbs-status.js";
export { parseShowqXml, mapMoabState, matchShowq, type ShowqJob } from "./pbs-moab.js";
export { cancelArgs, onlyHarmlessErrors } from "./pbs-cancel.js";
export { outputFileOf } from "./pbs-output.js";
export { readPbsOptions, DEFAULT_PBS_OPTIONS, PBS_OPTIONS, type PbsOptions } from "./pbs-options.js";
