import { CommandError, runChecked, type CommandRunner, type JobState, type JobStatus, type Logger, type NamedJob } from "@daskq/core";
import { inTaskRanges, parseJobId, parseTaskRanges, type TaskRange } from "./sge-ids.js";

/** One `<job_list>` entry of `qstat -xml`. */
export interface QstatEntry {
  readonly jobId: string;
  /** `JB_name`: the job's name (`-N`). */
  readonly name: string | undefined;
  /** The state letters as printed: `qw`, `hqw`, `r`, `t`, `Rr`, `dr`, `Eqw`, `s`, ... */
  readonly state: string;
  /**
   * The array tasks this entry stands for: one task for each running task (`<tasks>2</tasks>`),
   * ranges for pending ones (`<tasks>1,4-6:1,8-30:1</tasks>`); undefined for a job that is not an array.
   */
  readonly tasks: readonly TaskRange[] | undefined;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (all, name: string) => {
    if (name.startsWith("#x") || name.startsWith("#X")) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name.toLowerCase()] ?? all;
  });
}

function element(block: string, name: string): string | undefined {
  const m = new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`).exec(block);
  return m ? decodeXml(m[1] as string).trim() : undefined;
}

/**
 * Parses `qstat -xml`: running jobs under `<queue_info>`, pending ones under `<job_info>`, each a
 * `<job_list>` with `JB_job_number`, `state` and, for array jobs, `tasks`. Entries without a job
 * number or state, or with a task list that cannot be read, are skipped.
 *
 * @throws Error when the text is not qstat's XML answer at all (no `<job_info>`).
 */
export function parseQstatXml(xml: string): QstatEntry[] {
  if (!/<job_info[\s>]/.test(xml)) throw new Error(`not a qstat -xml answer: ${JSON.stringify(xml.slice(0, 200))}`);
  const entries: QstatEntry[] = [];
  for (const m of xml.matchAll(/<job_list(?:\s[^>]*)?>([\s\S]*?)<\/job_list>/g)) {
    const block = m[1] as string;
    const jobId = element(block, "JB_job_number");
    const state = element(block, "state");
    const name = element(block, "JB_name");
    if (!jobId || !/^\d+$/.test(jobId) || !state) continue;
    const taskText = element(block, "tasks");
    if (taskText === undefined || taskText === "") {
      entries.push({ jobId, name, state, tasks: undefined });
      continue;
    }
    const tasks = parseTaskRanges(taskText);
    if (tasks) entries.push({ jobId, name, state, tasks });
  }
  return entries;
}

/**
 * The daskq state of Grid Engine state letters (qstat(1) "state"), with why, or undefined for letters
 * Grid Engine does not use. Letters: `q`ueued, `w`aiting, `h`old, `r`unning, `t`ransferring (dispatched,
 * starting), `R`estarted, `s`/`S`/`T` suspended (by the user, the queue, a threshold), `d`eletion
 * requested, `E`rror, `z`ombie (ended; only with `qstat -s z`).
 *
 * - any `E` (`Eqw`, `Ehqw`, `EhRqw`): failed: the job cannot start until someone clears the error.
 * - `z`: finished.
 * - `r` or `t` (`r`, `t`, `Rr`, `Rt`, `dr`, `dt`, `hr`), or suspended (`s`, `S`, `T`, `ts`, `dS`): running,
 *   the job holds its slots (a suspended or deleting job says so in the reason).
 * - `q`/`w` (`qw`, `hqw`, `hRwq`, `Rq`): queued.
 */
export function mapSgeState(word: string): { state: JobState; reason?: string } | undefined {
  if (word === "" || !/^[dEhrRsStTwqz]+$/.test(word)) return undefined;
  const reasons: string[] = [];
  if (word.includes("d")) reasons.push("deletion requested");
  if (word.includes("h")) reasons.push("on hold");
  if (/[sST]/.test(word)) reasons.push("suspended");
  const reason = reasons.length > 0 ? reasons.join(", ") : undefined;
  const withReason = (state: JobState) => (reason === undefined ? { state } : { state, reason });
  if (word.includes("E")) return { state: "failed", reason: `job is in the error state (${word})` };
  if (word.includes("z")) return withReason("finished");
  if (/[rtsST]/.test(word)) return withReason("running");
  if (/[qw]/.test(word)) return withReason("queued");
  return undefined;
}

/**
 * The entry of `entries` that stands for `id`: a job id matches an entry without tasks, a task id
 * (`123.4`) an entry of its array whose tasks include it. Undefined when none does.
 */
export function findEntry(entries: readonly QstatEntry[], id: string): QstatEntry | undefined {
  const parsed = parseJobId(id);
  if (!parsed) return undefined;
  if (parsed.kind === "job") return entries.find((e) => e.jobId === parsed.jobId && e.tasks === undefined);
  return entries.find((e) => e.jobId === parsed.jobId && e.tasks !== undefined && inTaskRanges(e.tasks, parsed.taskId));
}

/** A status from an entry; unknown letters are reported as `queued` (a report never moves a job back). */
export function entryStatus(entry: QstatEntry, onUnknown?: (word: string) => void): JobStatus {
  const mapped = mapSgeState(entry.state);
  if (!mapped) {
    onUnknown?.(entry.state);
    return { state: "queued", native: entry.state };
  }
  return mapped.reason === undefined ? { state: mapped.state, native: entry.state } : { state: mapped.state, native: entry.state, reason: mapped.reason };
}

/**
 * The statuses of `ids` found in `entries`. Ids without an entry are absent: the job has left
 * Grid Engine (ended, or never existed), and the caller decides what that means.
 */
export function matchEntries(entries: readonly QstatEntry[], ids: readonly string[], onUnknown?: (word: string) => void): Map<string, JobStatus> {
  const result = new Map<string, JobStatus>();
  for (const id of ids) {
    const entry = findEntry(entries, id);
    if (entry) result.set(id, entryStatus(entry, onUnknown));
  }
  return result;
}

/**
 * The `error reason` lines of `qstat -j` output, by job id and task (`1` for a job that is not an
 * array), without the date and `[uid:pid]` prefix and the leading `error: `:
 * `error reason    1:   11/22/2026 04:14:39 [0:6362]: error: can't chdir to /x: No such file or directory`
 * gives `can't chdir to /x: No such file or directory`.
 */
export function parseErrorReasons(text: string): Map<string, Map<number, string>> {
  const reasons = new Map<string, Map<number, string>>();
  let jobId: string | undefined;
  for (const line of text.split("\n")) {
    const number = /^job_number:\s+(\d+)\s*$/.exec(line);
    if (number) {
      jobId = number[1] as string;
      continue;
    }
    const m = /^error reason\s+(\d+):\s*(.*?)\s*$/.exec(line);
    if (!m || jobId === undefined) continue;
    const message = (m[2] as string).replace(/^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d \[[^\]]*\]:\s*/, "").replace(/^error:\s*/, "");
    if (!reasons.has(jobId)) reasons.set(jobId, new Map());
    reasons.get(jobId)?.set(Number(m[1]), message);
  }
  return reasons;
}

/**
 * The state of `ids` from ONE `qstat -xml` call. It lists every pending and running job of the user
 * (Grid Engine cannot narrow the list to given ids in this format), and ids are picked from it: for
 * array jobs, running tasks each have their own entry and pending tasks share one entry with task
 * ranges. Jobs that ended are no longer listed and are absent from the map; so are malformed ids.
 *
 * Only when one of `ids` is in an error state (`Eqw`) does a second call, `qstat -j <those jobs>`,
 * read Grid Engine's error reason (e.g. `can't chdir to /x`). Such a job is failed for daskq and is
 * not asked about again, so this costs one more call once per failed job, never per poll.
 *
 * @throws CommandError when qstat fails or does not answer with its XML.
 */
export async function querySgeStatus(runner: CommandRunner, ids: readonly string[], logger?: Logger): Promise<Map<string, JobStatus>> {
  const wanted = [...new Set(ids)].filter((id) => parseJobId(id) !== undefined);
  if (wanted.length === 0) return new Map();
  const result = await runChecked(runner, "sge", "qstat", ["-xml"]);
  let entries: QstatEntry[];
  try {
    entries = parseQstatXml(result.stdout);
  } catch (error) {
    throw new CommandError("sge", "qstat", result.exitCode, (error as Error).message);
  }
  const onUnknown = (word: string) => logger?.warn(`sge: unknown Grid Engine job state ${word}; treating it as queued`);
  const report = matchEntries(entries, wanted, onUnknown);
  await addErrorReasons(runner, report, logger);
  return report;
}

/**
 * The unfinished jobs named `name`, each array task on its own (pending ranges expanded), from ONE
 * `qstat -xml` (the user's jobs).
 *
 * @throws CommandError when qstat fails or does not answer with its XML.
 */
export async function findSgeJobsNamed(runner: CommandRunner, name: string): Promise<NamedJob[]> {
  const result = await runChecked(runner, "sge", "qstat", ["-xml"]);
  let entries: QstatEntry[];
  try {
    entries = parseQstatXml(result.stdout);
  } catch (error) {
    throw new CommandError("sge", "qstat", result.exitCode, (error as Error).message);
  }
  const jobs: NamedJob[] = [];
  for (const entry of entries.filter((e) => e.name === name)) {
    if (entry.tasks === undefined) jobs.push({ id: entry.jobId });
    else for (const range of entry.tasks) for (let t = range.first; t <= range.last; t += range.step) jobs.push({ id: `${entry.jobId}.${t}`, arrayIndex: t });
  }
  return jobs;
}

/** Replaces the generic reason of jobs in an error state with Grid Engine's own (one `qstat -j`). */
async function addErrorReasons(runner: CommandRunner, report: Map<string, JobStatus>, logger?: Logger): Promise<void> {
  const failed = [...report.entries()].filter(([, status]) => status.state === "failed" && status.native?.includes("E"));
  if (failed.length === 0) return;
  const jobIds = [...new Set(failed.map(([id]) => parseJobId(id)?.jobId).filter((j): j is string => j !== undefined))];
  let reasons: Map<string, Map<number, string>>;
  try {
    const answer = await runner.run("qstat", ["-j", jobIds.join(",")]);
    reasons = parseErrorReasons(answer.stdout);
  } catch (error) {
    logger?.debug(`sge: could not read the error reasons of ${jobIds.join(",")}: ${(error as Error).message}`);
    return;
  }
  for (const [id, status] of failed) {
    const parsed = parseJobId(id);
    const byTask = parsed ? reasons.get(parsed.jobId) : undefined;
    if (!parsed || !byTask) continue;
    const reason = (parsed.kind === "task" ? byTask.get(parsed.taskId) : undefined) ?? byTask.values().next().value;
    if (reason) report.set(id, { ...status, reason });
  }
}
