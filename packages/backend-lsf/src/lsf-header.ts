import { ConfigError, positiveInteger, type HeaderContext, type JobSpec } from "@daskq/core";
import { BSUB, checkDirectiveValue, directiveWord } from "./lsf-directives.js";
import { formatLsfMemory, parseLsfUnit, type LsfUnit } from "./lsf-units.js";

/**
 * `-W` value: LSF's `[hour:]minute`, written `HH:MM` (3600 s -> `01:00`, 36 h -> `36:00`).
 * LSF counts whole minutes: a limit that is not a whole number of minutes is rounded UP.
 */
export function formatLsfWalltime(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** Job names that can also be a file name: used in the output file name as they are. */
const FILE_SAFE_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * The `-o`/`-e` path for an output directory (`log-directory`, else daskq's own for the cluster):
 * `<dir>/<name>-%J_%I.out`, where LSF puts the job id for
 * `%J` and the array index for `%I` (0 for a job that is not an array). A trailing `/` is dropped.
 *
 * @throws ConfigError for a directory LSF would alter (`%J`, `%I`) or that cannot be a #BSUB word.
 */
export function outputPattern(outputDirectory: string, jobName: string): string {
  checkDirectiveValue(outputDirectory, "log-directory");
  if (/%[JI]/.test(outputDirectory)) {
    throw new ConfigError(`${JSON.stringify(outputDirectory)} contains %J or %I, which LSF would replace by a job id or array index`, {
      keyPath: "log-directory",
    });
  }
  const dir = outputDirectory === "/" ? "" : outputDirectory.replace(/\/+$/, "");
  const base = FILE_SAFE_NAME.test(jobName) ? jobName : "dask-worker";
  return `${dir}/${base}-%J_%I.out`;
}

/**
 * The generated `#BSUB` lines of one worker job, as dask-jobqueue writes them: `-J`, `-q`,
 * `-P "project"`, `-n`, `-R "span[hosts=1]"`, `-M` (in `units`), `-W [HH:]MM`, then `-o` and `-e`
 * (the same file, so stderr and stdout end up together) into the context's output directory (none
 * when it has none: a preview without `log-directory`).
 *
 * `ncpus` and `mem` (dask-jobqueue's LSF keys) override `cores` and `memory` for `-n` and `-M`.
 * Every value is checked; one that cannot be written safely is a ConfigError naming its key.
 */
export function renderLsfHeader(spec: JobSpec, context: HeaderContext, units: LsfUnit): string[] {
  const lines: string[] = [];
  const name = context.jobName;
  if (/[[\]]/.test(name)) {
    throw new ConfigError(`${JSON.stringify(name)} contains [ or ], which LSF reads as a job array index list`, { keyPath: "name" });
  }
  lines.push(`${BSUB} -J ${directiveWord(name, "name")}`);
  if (spec.queue) lines.push(`${BSUB} -q ${directiveWord(spec.queue, "queue")}`);
  if (spec.account) lines.push(`${BSUB} -P ${directiveWord(spec.account, "account", true)}`);

  const ncpus = spec.backendOptions["ncpus"];
  const cores = ncpus === undefined || ncpus === null ? positiveInteger(spec.cores, "cores") : positiveInteger(ncpus, "ncpus");
  lines.push(`${BSUB} -n ${cores}`, `${BSUB} -R "span[hosts=1]"`);

  const mem = spec.backendOptions["mem"];
  const memory = mem === undefined || mem === null ? formatLsfMemory(spec.memory, units) : formatLsfMemory(mem as number, units, "mem");
  lines.push(`${BSUB} -M ${memory}`);

  if (spec.walltime !== undefined && spec.walltime !== null) {
    if (!Number.isFinite(spec.walltime) || spec.walltime < 0) {
      throw new ConfigError(`expected a duration, got ${JSON.stringify(spec.walltime)} seconds`, { keyPath: "walltime" });
    }
    // Zero means "no limit" to daskq: leave the queue's RUNLIMIT in force rather than write -W 0.
    if (spec.walltime > 0) lines.push(`${BSUB} -W ${formatLsfWalltime(spec.walltime)}`);
  }

  if (context.outputDirectory) {
    const path = directiveWord(outputPattern(context.outputDirectory, name), "log-directory");
    lines.push(`${BSUB} -o ${path}`, `${BSUB} -e ${path}`);
  }
  return lines;
}

/** The unit a spec asks for with `lsf-units`, if any. */
export function specUnits(spec: JobSpec): LsfUnit | undefined {
  const value = spec.backendOptions["lsf-units"];
  return value === undefined || value === null ? undefined : parseLsfUnit(value, "lsf-units");
}
