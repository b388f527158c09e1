import { CommandError, type CommandResult, type CommandRunner, type JobState, type JobStatus, type Logger } from "@daskq/core";
import { elementJobId, parseLsfJobId } from "./lsf-ids.js";

/** The bjobs -o fields daskq asks for. */
export const BJOBS_FIELDS = "jobid jobindex stat exit_code exit_reason pend_reason";

/** The delimiter of the text form (`bjobs -noheader -o "... delimiter='^'"`): no field daskq reads contains it. */
export const TEXT_DELIMITER = "^";

/** Longest list of ids we pass to bjobs; beyond it bjobs lists all of the user's jobs (-a) and we filter. */
const MAX_ID_LIST_CHARS = 50_000;

/**
 * LSF job states (bjobs STAT) and what they mean to daskq. From the bjobs(1) "Job states" list:
 * PEND waiting; PSUSP suspended while pending (e.g. `bsub -H`); RUN running; USUSP/SSUSP suspended
 * while running by the user / by LSF (the job still holds its slots and its worker processes, which
 * are stopped: daskq counts it as running); DONE exited 0; EXIT exited non-zero or was killed; ZOMBI
 * killed while its host was unreachable; UNKWN mbatchd lost contact with the host; WAIT (chunk job
 * waiting) and PROV (host being provisioned) are on their way to RUN.
 */
const STATES: Readonly<Record<string, JobState>> = {
  PEND: "queued",
  PSUSP: "queued",
  WAIT: "queued",
  PROV: "queued",
  RUN: "running",
  USUSP: "running",
  SSUSP: "running",
  DONE: "finished",
  EXIT: "failed",
  ZOMBI: "lost",
  UNKWN: "lost",
};

/** The daskq state of an LSF state word; undefined if unknown. */
export function mapLsfState(word: string): JobState | undefined {
  return STATES[word.toUpperCase()];
}

/** Exit reasons of jobs someone killed on purpose (bkill by the owner or an administrator). */
const KILLED_ON_PURPOSE = /^TERM_(OWNER|ADMIN|FORCE_OWNER|FORCE_ADMIN)\b/;

/** One job or array element as bjobs reports it. */
export interface BjobsRecord {
  /** `123` or `123[4]`. */
  readonly id: string;
  readonly stat: string;
  readonly exitCode: string | undefined;
  readonly exitReason: string | undefined;
  readonly pendReason: string | undefined;
}

const clean = (value: unknown): string | undefined => {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const text = String(value).trim();
  return text === "" || text === "-" ? undefined : text;
};

/** `123`, or `123[4]` when JOBID holds the index (LSB_BJOBS_DISPLAY_ENH=Y) or JOBINDEX is not 0. */
function recordId(jobId: string | undefined, jobIndex: string | undefined): string | undefined {
  if (jobId === undefined) return undefined;
  if (parseLsfJobId(jobId)?.kind === "element") return jobId;
  if (!/^\d+$/.test(jobId)) return undefined;
  return jobIndex !== undefined && /^\d+$/.test(jobIndex) && Number(jobIndex) > 0 ? elementJobId(jobId, Number(jobIndex)) : jobId;
}

/**
 * Parses `bjobs -o "<BJOBS_FIELDS>" -json` output:
 * `{"COMMAND":"bjobs","JOBS":n,"RECORDS":[{"JOBID":"123","JOBINDEX":"0","STAT":"RUN",...}]}`.
 * Records that carry an ERROR instead of a job are skipped. Empty output is no record; output that
 * is not such a document is undefined.
 */
export function parseBjobsJson(stdout: string): BjobsRecord[] | undefined {
  const text = stdout.trim();
  if (text === "") return [];
  const start = text.indexOf("{");
  let doc: unknown;
  try {
    doc = JSON.parse(start > 0 ? text.slice(start) : text);
  } catch {
    return undefined;
  }
  const records = (doc as { RECORDS?: unknown } | null)?.RECORDS;
  if (!Array.isArray(records)) return undefined;
  const result: BjobsRecord[] = [];
  for (const entry of records) {
    if (typeof entry !== "object" || entry === null) continue;
    const r = entry as Record<string, unknown>;
    const id = recordId(clean(r["JOBID"]), clean(r["JOBINDEX"]));
    const stat = clean(r["STAT"]);
    if (id === undefined || stat === undefined) continue;
    result.push({ id, stat, exitCode: clean(r["EXIT_CODE"]), exitReason: clean(r["EXIT_REASON"]), pendReason: clean(r["PEND_REASON"]) });
  }
  return result;
}

/**
 * Parses `bjobs -noheader -o "<BJOBS_FIELDS> delimiter='^'"` output, one job or element a line,
 * `-` for an empty field. Lines that do not start with a job id are skipped (e.g. continuation lines).
 */
export function parseBjobsText(stdout: string): BjobsRecord[] {
  const result: BjobsRecord[] = [];
  for (const line of stdout.split("\n")) {
    const parts = line.includes(TEXT_DELIMITER) ? line.split(TEXT_DELIMITER) : line.trim().split(/\s+/);
    const id = recordId(clean(parts[0]), clean(parts[1]));
    const stat = clean(parts[2]);
    if (id === undefined || stat === undefined || !/^[A-Z]+$/.test(stat)) continue;
    result.push({ id, stat, exitCode: clean(parts[3]), exitReason: clean(parts[4]), pendReason: clean(parts.slice(5).join(TEXT_DELIMITER)) });
  }
  return result;
}

/**
 * A record's JobStatus. EXIT is `cancelled` for jobs daskq cancelled itself (`cancelled`) or that
 * someone killed on purpose (TERM_OWNER, TERM_ADMIN), otherwise `failed`. An unknown state word is
 * reported as `queued` (a report never moves a job backwards) and the caller is told through `onUnknown`.
 */
export function recordStatus(record: BjobsRecord, cancelled: boolean, onUnknown?: (word: string) => void): JobStatus {
  let state = mapLsfState(record.stat);
  if (state === undefined) {
    onUnknown?.(record.stat);
    state = "queued";
  }
  if (state === "failed" && (cancelled || KILLED_ON_PURPOSE.test(record.exitReason ?? ""))) state = "cancelled";
  const native = record.stat;
  let reason: string | undefined;
  if (state === "queued") reason = record.pendReason?.replace(/;\s*$/, "") ?? (native === "PSUSP" ? "held (PSUSP)" : undefined);
  else if (state === "failed" || state === "cancelled") reason = record.exitReason ?? (record.exitCode ? `exit code ${record.exitCode}` : undefined);
  else if (native === "USUSP") reason = "suspended by the user (USUSP)";
  else if (native === "SSUSP") reason = "suspended by LSF (SSUSP)";
  else if (state === "lost") reason = native === "ZOMBI" ? "killed while its host was unreachable (ZOMBI)" : "LSF lost contact with its host (UNKWN)";
  return reason === undefined ? { state, native } : { state, native, reason };
}

/**
 * What to pass to bjobs for `ids`: each job id, and each array's job id ONCE for all its elements
 * (`bjobs 123` lists every element of array 123), so a poll of a 1000-element array is `bjobs 123`.
 * Ids that are not LSF ids are left out (they cannot be known).
 */
export function bjobsSelectors(ids: readonly string[]): string[] {
  const selectors = new Set<string>();
  for (const id of ids) {
    const parsed = parseLsfJobId(id);
    if (parsed) selectors.add(parsed.jobId);
  }
  return [...selectors];
}

/** bjobs' message for an id it does not know (any more): `Job <123> is not found`. */
const NOT_FOUND = /^Job <[^>]*> is not found\.?$/;
/** bjobs' message when nothing matched a listing without ids. */
const NOTHING = /^No (\w+ )?job found\.?$/;

/** Whether bjobs' standard error holds "not found" lines and nothing else. */
export function onlyNotFound(stderr: string): boolean {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  return lines.length > 0 && lines.every((line) => NOT_FOUND.test(line) || NOTHING.test(line));
}

/** Whether a failed `bjobs -json` means that this LSF does not know -json (before 10.1.0.2). */
export function jsonUnsupported(result: CommandResult): boolean {
  if (result.exitCode === 0) return true; // it printed something that is not JSON: -json was ignored
  return /json|illegal option|unknown option|invalid option|usage/i.test(`${result.stderr}\n${result.stdout}`);
}

/**
 * The state of many jobs in ONE bjobs call per poll. It asks for JSON (`bjobs -o "..." -json ids`);
 * an LSF without -json (before 10.1.0.2) is detected on the first poll, which then asks once more
 * for the text form (`bjobs -noheader -o "... delimiter='^'" ids`), used from then on.
 *
 * bjobs reports unknown ids (never known, or finished longer than CLEAN_PERIOD ago) as
 * `Job <123> is not found` on standard error and exits 255 (0 for some versions); those ids are
 * simply absent from the result. Any other failure is a CommandError.
 */
export class BjobsStatus {
  private mode: "json" | "text" | undefined;

  constructor(
    private readonly runner: CommandRunner,
    private readonly logger?: Logger,
  ) {}

  /** The output form in use: undefined until the first poll settles it. */
  get format(): "json" | "text" | undefined {
    return this.mode;
  }

  async query(ids: readonly string[], cancelled: ReadonlySet<string> = new Set()): Promise<Map<string, JobStatus>> {
    const selectors = bjobsSelectors(ids);
    if (selectors.length === 0) return new Map();
    // A list too long for one command line: all of the user's jobs, finished ones included, filtered here.
    const targets = selectors.join(" ").length > MAX_ID_LIST_CHARS ? ["-a"] : selectors;
    const onUnknown = (word: string) => this.logger?.warn(`lsf: unknown LSF job state ${word}; treating it as queued`);
    const match = (records: readonly BjobsRecord[]) => matchRecords(records, ids, cancelled, onUnknown);

    if (this.mode !== "text") {
      const result = await this.runner.run("bjobs", ["-o", BJOBS_FIELDS, "-json", ...targets]);
      const records = parseBjobsJson(result.stdout);
      if (records !== undefined && (result.exitCode === 0 || onlyNotFound(result.stderr))) {
        this.mode = "json";
        return match(records);
      }
      if (this.mode === "json" || !jsonUnsupported(result)) {
        throw new CommandError("lsf", "bjobs", result.exitCode, result.stderr || result.stdout);
      }
      this.mode = "text";
      this.logger?.info(`lsf: bjobs does not support -json here (${(result.stderr || result.stdout).trim().split("\n")[0] ?? ""}); using its text output`);
    }

    const result = await this.runner.run("bjobs", ["-noheader", "-o", `${BJOBS_FIELDS} delimiter='${TEXT_DELIMITER}'`, ...targets]);
    if (result.exitCode !== 0 && !onlyNotFound(result.stderr)) {
      throw new CommandError("lsf", "bjobs", result.exitCode, result.stderr || result.stdout);
    }
    return match(parseBjobsText(result.stdout));
  }
}

/** The statuses of the `wanted` ids among `records`; ids without a record are absent. */
export function matchRecords(
  records: readonly BjobsRecord[],
  wanted: readonly string[],
  cancelled: ReadonlySet<string> = new Set(),
  onUnknown?: (word: string) => void,
): Map<string, JobStatus> {
  const want = new Set(wanted);
  const result = new Map<string, JobStatus>();
  for (const record of records) {
    if (want.has(record.id)) result.set(record.id, recordStatus(record, cancelled.has(record.id), onUnknown));
  }
  return result;
}
