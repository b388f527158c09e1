import { CommandError, runChecked, type CommandRunner, type JobState, type JobStatus, type Logger } from "@daskq/core";
import { type SlurmJobId, type TaskRange, inTaskRanges, parseJobId, parseTaskRanges, taskJobId } from "./slurm-ids.js";

/** squeue output format: job id, long state name, reason (the reason may contain spaces, so it is last). */
export const SQUEUE_FORMAT = "%i %T %r";

/** Longest `-j` argument we send; beyond it squeue lists every job and we filter (one call either way). */
const MAX_JOB_LIST_CHARS = 50_000;

/**
 * Slurm job states (long names, with squeue's compact codes) and what they mean to daskq.
 * From squeue(1) "JOB STATE CODES".
 */
const STATES: ReadonlyArray<readonly [long: string, compact: string, state: JobState]> = [
  ["PENDING", "PD", "queued"],
  ["CONFIGURING", "CF", "queued"],
  ["REQUEUED", "RQ", "queued"],
  ["REQUEUE_HOLD", "RH", "queued"],
  ["REQUEUE_FED", "RF", "queued"],
  ["RESV_DEL_HOLD", "RD", "queued"],
  ["SPECIAL_EXIT", "SE", "queued"],
  ["SUSPENDED", "S", "queued"],
  ["STOPPED", "ST", "queued"],
  ["RUNNING", "R", "running"],
  ["COMPLETING", "CG", "running"],
  ["STAGE_OUT", "SO", "running"],
  ["SIGNALING", "SI", "running"],
  ["RESIZING", "RS", "running"],
  ["COMPLETED", "CD", "finished"],
  ["CANCELLED", "CA", "cancelled"],
  ["FAILED", "F", "failed"],
  ["TIMEOUT", "TO", "failed"],
  ["NODE_FAIL", "NF", "failed"],
  ["OUT_OF_MEMORY", "OOM", "failed"],
  ["BOOT_FAIL", "BF", "failed"],
  ["DEADLINE", "DL", "failed"],
  ["PREEMPTED", "PR", "failed"],
  ["REVOKED", "RV", "failed"],
];

const BY_NAME: ReadonlyMap<string, JobState> = new Map(STATES.flatMap(([long, compact, state]) => [[long, state], [compact, state]] as const));

/** The daskq state of a Slurm state word, long (`PENDING`) or compact (`PD`); undefined if unknown. */
export function mapSlurmState(word: string): JobState | undefined {
  return BY_NAME.get(word.toUpperCase().replace(/\+$/, ""));
}

/** What one squeue line names: a job, one array task, or pending tasks in bracket notation (`123_[0-3]`). */
export type SqueueRowId = SlurmJobId | { readonly kind: "tasks"; readonly arrayJobId: string; readonly ranges: readonly TaskRange[] };

/** One parsed line of `squeue -o "%i %T %r"`. */
export interface SqueueRow {
  readonly id: SqueueRowId;
  /** The state word as printed. */
  readonly native: string;
  /** squeue's reason; undefined for `None`. */
  readonly reason: string | undefined;
}

/**
 * Parses squeue output in the `%i %T %r` format (header lines already suppressed with `-h`). Tasks
 * that squeue collapses (`123_[0-3%2]`, printed without `-r`) are understood too. Lines whose id is
 * not a job or an array element (e.g. heterogeneous jobs `123+0`) are skipped.
 */
export function parseSqueueOutput(stdout: string): SqueueRow[] {
  const rows: SqueueRow[] = [];
  for (const line of stdout.split("\n")) {
    const m = /^\s*(\S+)\s+(\S+)(?:\s+(.*?))?\s*$/.exec(line);
    if (!m) continue;
    const id = parseRowId(m[1] as string);
    if (!id) continue;
    const reason = m[3];
    rows.push({ id, native: m[2] as string, reason: reason && reason !== "None" && reason !== "(null)" ? reason : undefined });
  }
  return rows;
}

function parseRowId(text: string): SqueueRowId | undefined {
  const single = parseJobId(text);
  if (single) return single;
  const m = /^(\d+)_\[([^\]]+)\]$/.exec(text);
  const ranges = m ? parseTaskRanges(m[2] as string) : undefined;
  return m && ranges ? { kind: "tasks", arrayJobId: m[1] as string, ranges } : undefined;
}

/**
 * A row's JobStatus. An unknown state word is reported as `queued` (a report never moves a job
 * backwards, so this cannot undo `running`) and the caller is told through `onUnknown`.
 */
export function rowStatus(row: SqueueRow, onUnknown?: (word: string) => void): JobStatus {
  let state = mapSlurmState(row.native);
  if (state === undefined) {
    onUnknown?.(row.native);
    state = "queued";
  }
  const reason = row.reason ?? (state === "failed" ? row.native : undefined);
  return reason === undefined ? { state, native: row.native } : { state, native: row.native, reason };
}

/**
 * The statuses of the `wanted` ids found in `rows`. A line for a single job or task beats a bracket
 * line covering the same task. Ids without a line are absent.
 */
export function matchRows(rows: readonly SqueueRow[], wanted: readonly string[], onUnknown?: (word: string) => void): Map<string, JobStatus> {
  const want = new Set(wanted);
  const result = new Map<string, JobStatus>();
  const bracketed: SqueueRow[] = [];
  for (const row of rows) {
    const { id } = row;
    if (id.kind === "tasks") bracketed.push(row);
    else {
      const key = id.kind === "job" ? id.jobId : taskJobId(id.arrayJobId, id.taskId);
      if (want.has(key)) result.set(key, rowStatus(row, onUnknown));
    }
  }
  if (bracketed.length === 0) return result;
  for (const key of want) {
    if (result.has(key)) continue;
    const id = parseJobId(key);
    if (id?.kind !== "task") continue;
    const row = bracketed.find((r) => r.id.kind === "tasks" && r.id.arrayJobId === id.arrayJobId && inTaskRanges(r.id.ranges, id.taskId));
    if (row) result.set(key, rowStatus(row, onUnknown));
  }
  return result;
}

/**
 * What to pass to `squeue -j` for `ids`: each job id, and each array's job id ONCE for all its
 * tasks (`-j 123` lists every task of array 123, one line each with `-r`), so that a poll of a
 * 1000-task array is `-j 123`, not a 9 kB argument. Invalid ids are left out (they cannot be known).
 */
export function squeueSelectors(ids: readonly string[]): string[] {
  const selectors = new Set<string>();
  for (const id of ids) {
    const parsed = parseJobId(id);
    if (parsed) selectors.add(parsed.kind === "job" ? parsed.jobId : parsed.arrayJobId);
  }
  return [...selectors];
}

/** squeue's answer when (on Slurm 22.05: the only) id given to `-j` is unknown. */
const INVALID_JOB_ID = /Invalid job id specified/i;

/**
 * The state of `ids` from ONE `squeue -h -r -t all -o "%i %T %r" -j <ids>` call. `-t all` keeps
 * finished jobs (COMPLETED, FAILED, CANCELLED, ...) visible for MinJobAge after they end; `-r`
 * prints each array task on its own line.
 *
 * squeue exits 1 with "Invalid job id specified" when it cannot resolve the ids. On 22.05 (measured)
 * that happens only when a single id is given and it is unknown: the answer is then simply "none of
 * them". Other versions may refuse a whole list because of one unknown id, printing nothing for the
 * known ones; then we ask once more without `-j` and pick our ids out of the full list. So: one call
 * per poll, two in that error case.
 */
export async function querySlurmStatus(runner: CommandRunner, ids: readonly string[], logger?: Logger): Promise<Map<string, JobStatus>> {
  const selectors = squeueSelectors(ids);
  if (selectors.length === 0) return new Map();
  const base = ["-h", "-r", "-t", "all", "-o", SQUEUE_FORMAT];
  const list = selectors.join(",");
  const onUnknown = (word: string) => logger?.warn(`slurm: unknown Slurm job state ${word}; treating it as queued`);

  if (list.length > MAX_JOB_LIST_CHARS) return matchRows(parseSqueueOutput(await squeueAll(runner, base)), ids, onUnknown);

  const result = await runner.run("squeue", [...base, "-j", list]);
  if (result.exitCode === 0) return matchRows(parseSqueueOutput(result.stdout), ids, onUnknown);
  if (result.exitCode === 1 && INVALID_JOB_ID.test(result.stderr)) {
    if (selectors.length === 1) return new Map();
    logger?.debug(`slurm: squeue refused the job list (${result.stderr.trim()}); listing all jobs instead`);
    return matchRows(parseSqueueOutput(await squeueAll(runner, base)), ids, onUnknown);
  }
  throw new CommandError("slurm", "squeue", result.exitCode, result.stderr || result.stdout);
}

async function squeueAll(runner: CommandRunner, base: readonly string[]): Promise<string> {
  return (await runChecked(runner, "slurm", "squeue", base)).stdout;
}
