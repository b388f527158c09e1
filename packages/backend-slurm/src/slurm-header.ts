import { ConfigError, positiveInteger, type HeaderContext, type JobSpec } from "@daskq/core";
import { SBATCH, checkDirectiveValue, directiveWord } from "./slurm-directives.js";

const GIB = 2 ** 30;
const MIB = 2 ** 20;

/**
 * `--mem` value: whole GiB rounded UP (`16GB` = 16e9 bytes -> `15G`, as dask-jobqueue writes it);
 * below 1 GiB, whole MiB rounded up (`500MB` -> `477M`). Slurm reads `G` and `M` as 1024-based.
 *
 * @throws ConfigError unless `bytes` is a positive number (`--mem=0` would mean "all of the node").
 */
export function formatSlurmMemory(bytes: number, key = "memory"): string {
  if (typeof bytes !== "number" || !Number.isFinite(bytes) || bytes <= 0) {
    throw new ConfigError(`expected a positive size in bytes, got ${JSON.stringify(bytes)}`, { keyPath: key });
  }
  return bytes >= GIB ? `${Math.ceil(bytes / GIB)}G` : `${Math.ceil(bytes / MIB)}M`;
}

/** `-t` value: `HH:MM:SS`, or `D-HH:MM:SS` from one day on; fractions of a second round up. */
export function formatSlurmWalltime(seconds: number): string {
  const total = Math.ceil(seconds);
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  const hms = [hours, minutes, secs].map((n) => String(n).padStart(2, "0")).join(":");
  return days > 0 ? `${days}-${hms}` : hms;
}

/** The file name pattern every job writes its output to: `%x-%A_%a.out` in the output directory. */
export const OUTPUT_FILE_NAME = "%x-%A_%a.out";

/**
 * The `-o` pattern for an output directory (`log-directory`, else daskq's own for the cluster): `%`
 * in the directory is doubled (Slurm would expand it), a trailing `/` dropped.
 *
 * @throws ConfigError for a backslash (Slurm then stops expanding patterns, and jobs fail to start).
 */
export function outputPattern(outputDirectory: string): string {
  checkDirectiveValue(outputDirectory, "log-directory");
  if (outputDirectory.includes("\\")) {
    throw new ConfigError(`${JSON.stringify(outputDirectory)} contains a backslash, which Slurm output file names cannot hold`, {
      keyPath: "log-directory",
    });
  }
  const dir = outputDirectory.replace(/\/+$/, "");
  return `${dir.replaceAll("%", "%%")}/${OUTPUT_FILE_NAME}`;
}

/**
 * The generated `#SBATCH` lines of one worker job, in dask-jobqueue's order:
 * `-J`, `-p`, `-A`, `-n 1`, `-N 1`, `--cpus-per-task`, `--mem`, `-t`, then `-o` into the context's
 * output directory (none when it has none: a preview without `log-directory`).
 * Every value is checked and quoted for sbatch's directive parser; a value that cannot be written
 * safely is a ConfigError naming its key, so a malformed header is never produced.
 */
export function renderSlurmHeader(spec: JobSpec, context: HeaderContext): string[] {
  const lines: string[] = [];
  const add = (option: string, value: string, key: string) => lines.push(`${SBATCH} ${option} ${directiveWord(value, key)}`);

  add("-J", context.jobName, "name");
  if (spec.queue) add("-p", spec.queue, "queue");
  if (spec.account) add("-A", spec.account, "account");
  lines.push(`${SBATCH} -n 1`, `${SBATCH} -N 1`);

  const jobCpu = spec.backendOptions["job-cpu"];
  const cpus = jobCpu === undefined || jobCpu === null ? positiveInteger(spec.cores, "cores") : positiveInteger(jobCpu, "job-cpu");
  lines.push(`${SBATCH} --cpus-per-task=${cpus}`);

  const jobMem = spec.backendOptions["job-mem"];
  const memory = jobMem === undefined || jobMem === null ? formatSlurmMemory(spec.memory) : formatSlurmMemory(jobMem as number, "job-mem");
  lines.push(`${SBATCH} --mem=${memory}`);

  if (spec.walltime !== undefined && spec.walltime !== null) {
    if (!Number.isFinite(spec.walltime) || spec.walltime < 0) {
      throw new ConfigError(`expected a duration, got ${JSON.stringify(spec.walltime)} seconds`, { keyPath: "walltime" });
    }
    // Zero means "no limit" to daskq: leave the partition's default in force rather than write -t 0.
    if (spec.walltime > 0) lines.push(`${SBATCH} -t ${formatSlurmWalltime(spec.walltime)}`);
  }

  if (context.outputDirectory) add("-o", outputPattern(context.outputDirectory), "log-directory");
  return lines;
}
