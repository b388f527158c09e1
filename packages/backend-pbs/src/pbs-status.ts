import { CommandError, type CommandRunner, type JobState, type JobStatus, type Logger } from "@daskq/core";
import { arrayOf, parsePbsJobId, sequenceKey } from "./pbs-ids.js";

/** One job as qstat reports it. */
export interface PbsRecord {
  readonly id: string;
  /** The state letter, e.g. `R`, `F`, `C`. */
  readonly state: string;
  /** `Exit_status` (PBS Pro) or `exit_status` (Torque), when set. */
  readonly exitStatus?: number | undefined;
  /** PBS Pro substate (91 terminated, 92 finished, 93 failed), when reported. */
  readonly substate?: number | undefined;
  readonly comment?: string | undefined;
  /** `Job_Name` (read from `qstat -f` text only). */
  readonly name?: string | undefined;
}

/** Longest operand list we pass; beyond it qstat lists every job and we filter (one call either way). */
const MAX_OPERAND_CHARS = 50_000;

// ---------------------------------------------------------------------------------------------
// States.

/** PBS Pro letters that are not final (pbs_job_attributes(7B) job_state; qstat(1B) "S" column). */
const PRO_STATES: Readonly<Record<string, JobState>> = {
  Q: "queued", // queued
  H: "queued", // held
  W: "queued", // waiting for its start time
  T: "queued", // being moved (transiting)
  S: "queued", // suspended (a report never moves a running job back)
  U: "queued", // suspended for workstation activity
  R: "running",
  E: "running", // exiting after having run
  B: "running", // array: at least one subjob has begun
  M: "lost", // moved to another server: this one cannot follow it
};

/** Torque letters that are not final (qstat(1B) of Torque: C E H Q R T W S). */
const TORQUE_STATES: Readonly<Record<string, JobState>> = {
  Q: "queued",
  H: "queued",
  W: "queued",
  T: "queued",
  S: "queued",
  R: "running",
  E: "running",
};

/**
 * How a job that ended ended: PBS Pro substate 91 (JOB_SUBSTATE_TERMINATED: deleted) is cancelled;
 * otherwise Exit_status 0 is finished and any other value failed (negative values are PBS's own
 * JOB_EXEC_* failures, > 256 means killed by signal 256-n). Without an exit status, substate 92 is
 * finished and 93 failed; a job that ended with neither never ran: it was deleted.
 */
function endedState(exit: number | undefined, substate: number | undefined): JobState {
  if (substate === 91) return "cancelled";
  if (exit !== undefined) return exit === 0 ? "finished" : "failed";
  if (substate === 92) return "finished";
  if (substate === 93) return "failed";
  return "cancelled";
}

/** The daskq state of a PBS Pro record; undefined for a letter this backend does not know. */
export function mapProState(record: PbsRecord): JobState | undefined {
  if (record.state === "F" || record.state === "X") return endedState(record.exitStatus, record.substate);
  return PRO_STATES[record.state];
}

/** The daskq state of a Torque record (`C` = completed); undefined for an unknown letter. */
export function mapTorqueState(record: PbsRecord): JobState | undefined {
  if (record.state === "C") return endedState(record.exitStatus, undefined);
  return TORQUE_STATES[record.state];
}

/** A record's JobStatus; an unknown letter is reported as queued and named through `onUnknown`. */
export function recordStatus(record: PbsRecord, map: (r: PbsRecord) => JobState | undefined, onUnknown?: (letter: string) => void): JobStatus {
  let state = map(record);
  if (state === undefined) {
    onUnknown?.(record.state);
    state = "queued";
  }
  let reason: string | undefined;
  if (state === "failed") reason = record.exitStatus === undefined ? record.comment : `Exit_status=${record.exitStatus}${describeExit(record.exitStatus)}`;
  else if (state === "queued" || state === "lost") reason = record.comment;
  return reason === undefined ? { state, native: record.state } : { state, native: record.state, reason };
}

function describeExit(exit: number): string {
  if (exit > 256 && exit < 256 + 65) return ` (killed by signal ${exit - 256})`;
  if (exit < 0) return " (PBS could not run the job)";
  return "";
}

// ---------------------------------------------------------------------------------------------
// Output parsers.

function numberOrUndefined(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number(value);
  return undefined;
}

/**
 * Parses `qstat -f -F json` (PBS Pro/OpenPBS): `{"timestamp":..,"pbs_version":..,"pbs_server":..,
 * "Jobs":{"<id>":{"job_state":"R","substate":42,"Exit_status":0,...}}}`; "Jobs" is absent when no
 * job matched. Some PBS versions print invalid JSON (unescaped characters in attribute values); then
 * each job's state, substate and Exit_status are scanned out of the text instead.
 */
export function parseProJson(stdout: string): PbsRecord[] {
  const text = stdout.trim();
  if (text === "") return [];
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return scanProJson(text);
  }
  const jobs = (root as { Jobs?: unknown } | null)?.Jobs;
  if (jobs === null || typeof jobs !== "object") return [];
  const records: PbsRecord[] = [];
  for (const [id, value] of Object.entries(jobs as Record<string, unknown>)) {
    const attrs = (value ?? {}) as Record<string, unknown>;
    const state = attrs["job_state"];
    if (typeof state !== "string") continue;
    records.push({
      id,
      state,
      exitStatus: numberOrUndefined(attrs["Exit_status"]),
      substate: numberOrUndefined(attrs["substate"]),
      comment: typeof attrs["comment"] === "string" ? attrs["comment"] : undefined,
    });
  }
  return records;
}

/** Fallback for JSON that does not parse: finds each `"<job id>":{` and the attributes after it. */
function scanProJson(text: string): PbsRecord[] {
  const starts = [...text.matchAll(/"(\d+(?:\[\d*\])?(?:\.[^"\s]*)?)"\s*:\s*\{/g)];
  const records: PbsRecord[] = [];
  starts.forEach((m, i) => {
    const body = text.slice((m.index ?? 0) + m[0].length, starts[i + 1]?.index ?? text.length);
    const state = /"job_state"\s*:\s*"([A-Z])"/.exec(body)?.[1];
    if (!state) return;
    const exit = /"Exit_status"\s*:\s*"?(-?\d+)/.exec(body)?.[1];
    const substate = /"substate"\s*:\s*"?(\d+)/.exec(body)?.[1];
    const comment = /"comment"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(body)?.[1];
    records.push({ id: m[1] as string, state, exitStatus: exit === undefined ? undefined : Number(exit), substate: substate === undefined ? undefined : Number(substate), comment });
  });
  return records;
}

/**
 * Parses the text of `qstat -f` (Torque; PBS Pro prints the same layout): a `Job Id: <id>` line,
 * then `    name = value` lines; a value too long for the line continues on lines indented by a tab
 * (none with `-1`); a blank line ends the job.
 */
export function parseQstatFull(stdout: string): PbsRecord[] {
  const records: PbsRecord[] = [];
  let id: string | undefined;
  let attrs = new Map<string, string>();
  let lastName: string | undefined;
  const flush = () => {
    const state = attrs.get("job_state");
    if (id !== undefined && state !== undefined) {
      records.push({
        id,
        state: state.trim(),
        exitStatus: numberOrUndefined(attrs.get("exit_status") ?? attrs.get("Exit_status")),
        substate: numberOrUndefined(attrs.get("substate")),
        comment: attrs.get("comment"),
        name: attrs.get("Job_Name"),
      });
    }
    id = undefined;
    attrs = new Map();
    lastName = undefined;
  };
  for (const raw of stdout.split("\n")) {
    const line = raw.replace(/\r$/, "");
    const header = /^Job Id:\s*(\S+)/.exec(line);
    if (header) {
      flush();
      id = header[1];
      continue;
    }
    if (id === undefined) continue;
    const attr = /^\s+([A-Za-z_][\w.]*)\s=\s?(.*)$/.exec(line);
    if (attr && !line.startsWith("\t")) {
      lastName = attr[1] as string;
      attrs.set(lastName, attr[2] as string);
    } else if (line.trim() !== "" && lastName !== undefined) {
      attrs.set(lastName, `${attrs.get(lastName) ?? ""}${line.trim()}`);
    }
  }
  flush();
  return records;
}

/** Ids that qstat's stderr calls unknown: `qstat: Unknown Job Id <id>` (Pro), `... Unknown Job Id Error <id>` (Torque). */
export function unknownIds(stderr: string): string[] {
  return [...stderr.matchAll(/Unknown Job Id(?: Error)?\s+(\S+)/gi)].map((m) => m[1] as string);
}

/** Whether every stderr line only says an id is unknown (or, without -x, that a job finished). */
function onlyUnknownIdErrors(stderr: string): boolean {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length > 0 && lines.every((l) => /Unknown Job Id|Job has finished/i.test(l));
}

// ---------------------------------------------------------------------------------------------

/**
 * What to pass to qstat for `ids`: each job id, and each array's id ONCE for all its subjobs
 * (`124[].s`; with `-t` qstat lists the array and every subjob), so that polling a 1000-subjob array
 * is one short operand. Ids that are not PBS ids are left out (they cannot be known).
 */
export function statusOperands(ids: readonly string[]): string[] {
  const operands = new Set<string>();
  for (const id of ids) {
    const parsed = parsePbsJobId(id);
    if (!parsed) continue;
    operands.add(parsed.kind === "subjob" ? (arrayOf(id) as string) : id);
  }
  return [...operands];
}

/** The statuses of `wanted` found in `records`: by exact id, else by sequence number and index. */
export function matchRecords(
  records: readonly PbsRecord[],
  wanted: readonly string[],
  map: (r: PbsRecord) => JobState | undefined,
  onUnknown?: (letter: string) => void,
): Map<string, JobStatus> {
  const exact = new Map<string, PbsRecord>();
  const bySequence = new Map<string, PbsRecord>();
  for (const r of records) {
    exact.set(r.id, r);
    const key = sequenceKey(r.id);
    if (key !== undefined && !bySequence.has(key)) bySequence.set(key, r);
  }
  const result = new Map<string, JobStatus>();
  for (const id of wanted) {
    const key = sequenceKey(id);
    const record = exact.get(id) ?? (key === undefined ? undefined : bySequence.get(key));
    if (record) result.set(id, recordStatus(record, map, onUnknown));
  }
  return result;
}

/**
 * The qstat arguments of one poll, before the operands.
 * PBS Pro: full attributes as JSON (-f -F json), subjobs of arrays (-t), and finished jobs too (-x)
 * while the server keeps job history. Torque: full attributes, one line each (-1), subjobs (-t);
 * completed jobs (C) stay visible for keep_completed seconds without any option.
 */
export function qstatArgs(flavour: "pro" | "torque", history = true): string[] {
  if (flavour === "torque") return ["-f", "-1", "-t"];
  return history ? ["-x", "-f", "-F", "json", "-t"] : ["-f", "-F", "json", "-t"];
}

/** PBS Pro's answer to -x when job_history_enable is off (msg_job_history_notset; qstat still exits 0). */
const HISTORY_OFF = /not configured to maintain job history/i;

/** What a backend remembers between polls. */
export interface StatusSession {
  /** Whether PBS Pro's job history can be asked for (-x); cleared when the server says it keeps none. */
  history: boolean;
}

/**
 * The state of `ids` from ONE qstat call: `qstat -x -f -F json -t <operands>` (PBS Pro) or
 * `qstat -f -1 -t <operands>` (Torque). Both print the jobs they know and exit 153 (PBSE_UNKJOBID,
 * 15001 & 0xff) with one `Unknown Job Id` line per unknown id: that is read as "those are absent".
 *
 * A PBS Pro server without job history (job_history_enable false, OpenPBS's default) answers `-x`
 * with `PBS is not configured to maintain job history` for every operand and lists nothing. Then
 * the poll is asked once more without `-x`, and `session.history` remembers it: finished jobs are
 * simply absent on such a server. Any other failure is a CommandError.
 */
export async function queryPbsStatus(
  runner: CommandRunner,
  flavour: "pro" | "torque",
  ids: readonly string[],
  logger?: Logger,
  session: StatusSession = { history: true },
): Promise<Map<string, JobStatus>> {
  const operands = statusOperands(ids);
  if (operands.length === 0) return new Map();
  const map = flavour === "pro" ? mapProState : mapTorqueState;
  const parse = flavour === "pro" ? parseProJson : parseQstatFull;
  const onUnknown = (letter: string) => logger?.warn(`pbs: unknown job state ${letter}; treating it as queued`);
  const tooLong = operands.join(" ").length > MAX_OPERAND_CHARS;
  const ask = () => {
    const base = qstatArgs(flavour, session.history);
    return runner.run("qstat", tooLong ? base : [...base, ...operands]);
  };
  let result = await ask();
  if (flavour === "pro" && session.history && HISTORY_OFF.test(result.stderr)) {
    session.history = false;
    logger?.info("pbs: this PBS server keeps no job history (job_history_enable is off): finished jobs will be absent from qstat");
    result = await ask();
  }
  if (result.exitCode !== 0 && !onlyUnknownIdErrors(result.stderr)) {
    throw new CommandError("pbs", "qstat", result.exitCode, result.stderr || result.stdout);
  }
  if (result.exitCode !== 0) logger?.debug(`pbs: qstat does not know ${unknownIds(result.stderr).join(" ")}`);
  return matchRecords(parse(result.stdout), ids, map, onUnknown);
}

