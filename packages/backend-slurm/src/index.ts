// No side effects: importing the package registers nothing (use "@daskq/backend-slurm/register").
export { SlurmBackend } from "./slurm-backend.js";
export { slurmBackend, createSlurmBackend, SLURM_CONFIG_KEYS } from "./slurm-descriptor.js";
export { register } from "./registration.js";
export { renderSlurmHeader, formatSlurmMemory, formatSlurmWalltime, outputPattern } from "./slurm-header.js";
export { SBATCH, directiveWord, readDirectives } from "./slurm-directives.js";
export { parseSbatchOutput, sbatchArgs, type SbatchAnswer } from "./slurm-submit.js";
export { parseSqueueOutput, mapSlurmState, matchRows, squeueSelectors, SQUEUE_FORMAT, type SqueueRow, type SqueueRowId } from "./slurm-status.js";
export { scancelArgs, onlyHarmlessErrors } from "./slurm-cancel.js";
export { outputFileOf, expandOutputPattern } from "./slurm-output.js";
export { readSlurmOptions, DEFAULT_SLURM_OPTIONS, SLURM_OPTIONS, type SlurmOptions } from "./slurm-options.js";
export { parseJobId, taskJobId, parseTaskRanges, NOT_AN_ARRAY_TASK, type SlurmJobId, type TaskRange } from "./slurm-ids.js";
