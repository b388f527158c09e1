import { posix } from "node:path";
import { ConfigError, type CommandRunner } from "@daskq/core";

/** The units LSF_UNIT_FOR_LIMITS can name (lsf.conf); LSF's default is KB. */
export type LsfUnit = "KB" | "MB" | "GB" | "TB" | "PB" | "EB";

/** Bytes per unit, 1000-based as dask-jobqueue converts them (16GB -> 16000000 KB). */
export const LSF_UNIT_BYTES: Readonly<Record<LsfUnit, number>> = { KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, PB: 1e15, EB: 1e18 };

const UNITS = Object.keys(LSF_UNIT_BYTES) as LsfUnit[];

/** A unit as LSF spells it, case-insensitively, with or without the B (`MB`, `mb`, `M`); undefined for anything else. */
export function lsfUnit(value: unknown): LsfUnit | undefined {
  const text = typeof value === "string" ? value.trim().toUpperCase() : "";
  const unit = (text.length === 1 ? `${text}B` : text) as LsfUnit;
  return UNITS.includes(unit) ? unit : undefined;
}

/** What is wrong with a value that is not a unit (`lsfUnit` gave undefined). */
export function unknownUnitMessage(value: unknown): string {
  return `unknown unit ${JSON.stringify(value)}; expected one of ${UNITS.join(", ")} (as LSF_UNIT_FOR_LIMITS in lsf.conf)`;
}

/**
 * `lsfUnit(value)`, or an error.
 *
 * @param where the config key (or lsf.conf parameter) the value came from, named in the error.
 * @param source the file it came from, if any.
 * @throws ConfigError for anything but a unit.
 */
export function parseLsfUnit(value: unknown, where: string, source?: string, hint = ""): LsfUnit {
  const unit = lsfUnit(value);
  if (unit === undefined) throw new ConfigError(`${unknownUnitMessage(value)}${hint}`, { keyPath: where, ...(source ? { source } : {}) });
  return unit;
}

/**
 * `-M` value: `bytes` in `unit`, rounded UP so the limit is never below the memory asked for
 * (`16GB` in KB -> `16000000`, `1GiB` in MB -> `1074`).
 *
 * @throws ConfigError unless `bytes` is a positive number.
 */
export function formatLsfMemory(bytes: number, unit: LsfUnit, key = "memory"): string {
  if (typeof bytes !== "number" || !Number.isFinite(bytes) || bytes <= 0) {
    throw new ConfigError(`expected a positive size in bytes, got ${JSON.stringify(bytes)}`, { keyPath: key });
  }
  return String(Math.ceil(bytes / LSF_UNIT_BYTES[unit]));
}

/** The unit of `-M` and where it came from. */
export interface DetectedUnits {
  readonly unit: LsfUnit;
  /** The lsf.conf that set it, or `default` (no lsf.conf, or no LSF_UNIT_FOR_LIMITS in it). */
  readonly source: string;
}

/** The lsf.conf files to try, in order: under $LSF_ENVDIR (where LSF itself looks), $LSF_CONFDIR, then /etc. */
export function lsfConfCandidates(env: Readonly<Record<string, string | undefined>>): string[] {
  const dirs = [env["LSF_ENVDIR"], env["LSF_CONFDIR"], "/etc"].filter((d): d is string => typeof d === "string" && d.trim() !== "");
  return [...new Set(dirs.map((d) => posix.join(d, "lsf.conf")))];
}

/** The value of LSF_UNIT_FOR_LIMITS in an lsf.conf text (last assignment wins, comments and quotes dropped). */
export function unitFromLsfConf(text: string): string | undefined {
  let value: string | undefined;
  for (const raw of text.split("\n")) {
    const m = /^\s*LSF_UNIT_FOR_LIMITS\s*=\s*(.*?)\s*$/.exec(raw.replace(/#.*$/, ""));
    if (m) value = (m[1] as string).replace(/^(["'])(.*)\1$/, "$2").trim();
  }
  return value;
}

/**
 * A fixed shell program (no value is interpolated) that prints `$LSF_ENVDIR` and `$LSF_CONFDIR` of
 * the runner's host, one per line, empty when unset.
 */
const PRINT_LSF_DIRS = 'printf "%s\\n%s\\n" "${LSF_ENVDIR-}" "${LSF_CONFDIR-}"';

/**
 * LSF_UNIT_FOR_LIMITS from the first lsf.conf that exists ON THE RUNNER'S HOST, where the LSF
 * commands run (see `lsfConfCandidates`; one `sh` for the environment, then the files through the
 * runner); KB, LSF's default, when there is none or it does not set the unit.
 *
 * @throws ConfigError naming the file when it sets a unit LSF does not have.
 */
export async function detectLsfUnits(runner: CommandRunner): Promise<DetectedUnits> {
  const result = await runner.run("sh", ["-c", PRINT_LSF_DIRS]);
  const [envdir = "", confdir = ""] = result.exitCode === 0 ? result.stdout.split("\n") : [];
  for (const path of lsfConfCandidates({ LSF_ENVDIR: envdir, LSF_CONFDIR: confdir })) {
    const text = await runner.readFile(path).catch(() => undefined);
    if (text === undefined) continue;
    const value = unitFromLsfConf(text);
    if (value === undefined || value === "") return { unit: "KB", source: "default" };
    return { unit: parseLsfUnit(value, "LSF_UNIT_FOR_LIMITS", path, "; set jobqueue.lsf.lsf-units to override it"), source: path };
  }
  return { unit: "KB", source: "default" };
}
