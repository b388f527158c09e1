import { runChecked, type CommandRunner, type JobState, type JobStatus, type Logger } from "@daskq/core";

/** One `<job .../>` element of `showq --xml`. */
export interface ShowqJob {
  readonly id: string;
  /** The `State` attribute (Running, Idle, BatchHold, ...), when present. */
  readonly state: string | undefined;
  /** The `option` of the enclosing `<queue>`: active, eligible, blocked or completed. */
  readonly queue: string | undefined;
  /** `CompletionCode` of a completed job, when present. */
  readonly completionCode: number | undefined;
  /** The `JobName` attribute, when present. */
  readonly name?: string | undefined;
}

const ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, name: string) => {
    if (name.startsWith("#x") || name.startsWith("#X")) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name.toLowerCase()] ?? all;
  });
}

function attributes(tag: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const m of tag.matchAll(/([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) result.set(m[1] as string, decodeEntities(m[2] ?? m[3] ?? ""));
  return result;
}

/**
 * Parses `showq --xml` (Moab): `<Data>` with `<queue count=".." option="active|eligible|blocked|completed">`
 * sections holding `<job JobID=".." State=".." .../>` elements.
 */
export function parseShowqXml(xml: string): ShowqJob[] {
  const jobs: ShowqJob[] = [];
  let queue: string | undefined;
  for (const m of xml.matchAll(/<(\/?)(queue|job)\b([^>]*)>/g)) {
    const [, closing, name, rest] = m;
    if (name === "queue") {
      queue = closing ? undefined : attributes(rest ?? "").get("option");
      continue;
    }
    if (closing) continue;
    const attrs = attributes(rest ?? "");
    const id = attrs.get("JobID") ?? attrs.get("JobId");
    if (!id) continue;
    const code = attrs.get("CompletionCode");
    jobs.push({ id, state: attrs.get("State"), queue, completionCode: code !== undefined && /^-?\d+$/.test(code) ? Number(code) : undefined, name: attrs.get("JobName") });
  }
  return jobs;
}

/** Moab job states (Moab's "Job States") and what they mean to daskq. */
const MOAB_STATES: Readonly<Record<string, JobState>> = {
  running: "running",
  starting: "running",
  staging: "running",
  idle: "queued",
  staged: "queued",
  hold: "queued",
  userhold: "queued",
  systemhold: "queued",
  batchhold: "queued",
  deferred: "queued",
  blocked: "queued",
  notqueued: "queued",
  migrated: "queued",
  suspended: "queued",
  removed: "cancelled",
  vacated: "failed",
};

/** The daskq state of a showq job; undefined when neither its State nor its queue tells. */
export function mapMoabState(job: ShowqJob): JobState | undefined {
  const state = job.state?.toLowerCase();
  if (state === "completed" || (state === undefined && job.queue === "completed")) {
    return job.completionCode === undefined || job.completionCode === 0 ? "finished" : "failed";
  }
  if (state !== undefined && MOAB_STATES[state]) return MOAB_STATES[state];
  if (job.queue === "active") return "running";
  if (job.queue === "eligible" || job.queue === "blocked") return "queued";
  return undefined;
}

/** The trailing job number and subjob index of a Moab id (`Moab.45[3]` -> `45[3]`), to match ids spelled differently. */
function numericKey(id: string): string | undefined {
  return /(\d+(?:\[\d+\])?)$/.exec(id)?.[1];
}

/** The statuses of `wanted` in `jobs`: by exact id, else by job number. */
export function matchShowq(jobs: readonly ShowqJob[], wanted: readonly string[], onUnknown?: (state: string) => void): Map<string, JobStatus> {
  const exact = new Map(jobs.map((j) => [j.id, j] as const));
  const numeric = new Map<string, ShowqJob>();
  for (const j of jobs) {
    const key = numericKey(j.id);
    if (key !== undefined && !numeric.has(key)) numeric.set(key, j);
  }
  const result = new Map<string, JobStatus>();
  for (const id of wanted) {
    const key = numericKey(id);
    const job = exact.get(id) ?? (key === undefined ? undefined : numeric.get(key));
    if (!job) continue;
    let state = mapMoabState(job);
    if (state === undefined) {
      onUnknown?.(job.state ?? job.queue ?? "?");
      state = "queued";
    }
    const native = job.state ?? job.queue ?? "unknown";
    const reason = state === "failed" && job.completionCode !== undefined ? `CompletionCode=${job.completionCode}` : state === "queued" && native !== "Idle" ? native : undefined;
    result.set(id, reason === undefined ? { state, native } : { state, native, reason });
  }
  return result;
}

/**
 * The state of `ids` from ONE `showq --xml` call (all jobs Moab shows: active, eligible, blocked).
 * Jobs that completed are no longer listed by plain showq: they are absent from the result.
 */
export async function queryMoabStatus(runner: CommandRunner, ids: readonly string[], logger?: Logger): Promise<Map<string, JobStatus>> {
  const wanted = ids.filter((id) => id.trim() !== "");
  if (wanted.length === 0) return new Map();
  const result = await runChecked(runner, "pbs", "showq", ["--xml"]);
  return matchShowq(parseShowqXml(result.stdout), wanted, (s) => logger?.warn(`pbs: unknown Moab job state ${s}; treating it as queued`));
}
