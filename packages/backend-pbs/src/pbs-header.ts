import { ConfigError, positiveInteger, type HeaderContext, type JobSpec } from "@daskq/core";
import { PBS, directiveWord } from "./pbs-directives.js";
import type { PbsFlavour } from "./pbs-flavour.js";

const KIB = 1024;
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/**
 * A memory request as dask-jobqueue writes it for PBS: 1024-based units named GB/MB/kB (PBS reads
 * them as powers of 1024), rounded UP, in the largest unit that keeps at least 10 of them:
 * `16GB` (16e9 bytes) -> `15GB`, `4GB` -> `3815MB`, `100MB` -> `96MB`.
 *
 * @throws ConfigError unless `bytes` is a positive number.
 */
export function formatPbsMemory(bytes: number, key = "memory"): string {
  if (typeof bytes !== "number" || !Number.isFinite(bytes) || bytes <= 0) {
    throw new ConfigError(`expected a positive size in bytes, got ${JSON.stringify(bytes)}`, { keyPath: key });
  }
  if (bytes >= 10 * GIB) return `${Math.ceil(bytes / GIB)}GB`;
  if (bytes >= 10 * MIB) return `${Math.ceil(bytes / MIB)}MB`;
  if (bytes >= 10 * KIB) return `${Math.ceil(bytes / KIB)}kB`;
  return `${Math.ceil(bytes)}B`;
}

/** `walltime=` value: `HH:MM:SS` (PBS reads `[[HH:]MM:]SS`; hours may exceed 24); fractions round up. */
export function formatPbsWalltime(seconds: number): string {
  const total = Math.ceil(seconds);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}

/**
 * The generated resource request of one worker job:
 * PBS Pro `select=1:ncpus=<cores>:mem=<memory>` (dask-jobqueue's line);
 * Torque and Moab `nodes=1:ppn=<cores>,mem=<memory>` (their node syntax; Torque has no `select`).
 */
export function defaultResourceSpec(flavour: PbsFlavour, cores: number, memory: number): string {
  const ncpus = positiveInteger(cores, "cores");
  const mem = formatPbsMemory(memory);
  return flavour === "pro" ? `select=1:ncpus=${ncpus}:mem=${mem}` : `nodes=1:ppn=${ncpus},mem=${mem}`;
}

/** What the header needs besides the JobSpec. */
export interface PbsHeaderSettings {
  /** The flavour whose resource syntax to use. */
  readonly flavour: PbsFlavour;
  /** Replaces the generated resource request when set. */
  readonly resourceSpec?: string | undefined;
  /** Account when the spec has none (`$PBS_ACCOUNT`). */
  readonly accountFallback?: string | undefined;
}

/**
 * The `-o` value for an output directory (`log-directory`, else daskq's own for the cluster): the
 * directory with a trailing `/`, so that PBS names the file itself (`<job id>.OU` on PBS Pro, `<job name>.o<seq>` on Torque).
 *
 * @throws ConfigError for a `:` (PBS would read the part before it as a host name).
 */
export function outputDirectoryWord(outputDirectory: string): string {
  if (outputDirectory.includes(":")) {
    throw new ConfigError(`${JSON.stringify(outputDirectory)} contains ':', which PBS reads as <host>:<path>`, { keyPath: "log-directory" });
  }
  const dir = outputDirectory.replace(/\/+$/, "");
  return directiveWord(`${dir}/`, "log-directory");
}

/**
 * The generated `#PBS` lines of one worker job, in dask-jobqueue's order: `-N`, `-q`, `-A`, `-l`
 * resources (or `resource-spec`), `-l walltime`, then `-j oe` and `-o <output directory>/` (none
 * when the context has no output directory: a preview without `log-directory`). Every value
 * is checked and quoted for qsub's directive parser; a value that cannot be written safely is a
 * ConfigError naming its key, so a malformed header is never produced.
 */
export function renderPbsHeader(spec: JobSpec, context: HeaderContext, settings: PbsHeaderSettings): string[] {
  const lines: string[] = [];
  const add = (option: string, value: string, key: string) => lines.push(`${PBS} ${option} ${directiveWord(value, key)}`);

  add("-N", context.jobName, "name");
  if (spec.queue) add("-q", spec.queue, "queue");
  const account = spec.account || settings.accountFallback;
  if (account) add("-A", account, spec.account ? "account" : "PBS_ACCOUNT");
  if (settings.resourceSpec) add("-l", settings.resourceSpec, "resource-spec");
  else add("-l", defaultResourceSpec(settings.flavour, spec.cores, spec.memory), "cores");

  if (spec.walltime !== undefined && spec.walltime !== null) {
    if (!Number.isFinite(spec.walltime) || spec.walltime < 0) {
      throw new ConfigError(`expected a duration, got ${JSON.stringify(spec.walltime)} seconds`, { keyPath: "walltime" });
    }
    // Zero means "no limit" to daskq: leave the queue's default in force rather than write walltime=0.
    if (spec.walltime > 0) lines.push(`${PBS} -l walltime=${formatPbsWalltime(spec.walltime)}`);
  }

  if (context.outputDirectory) {
    lines.push(`${PBS} -j oe`);
    lines.push(`${PBS} -o ${outputDirectoryWord(context.outputDirectory)}`);
  }
  return lines;
}
