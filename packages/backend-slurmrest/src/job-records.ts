import { mapSlurmState, matchRows, parseTaskRanges, taskJobId, type SqueueRow, type SqueueRowId } from "@daskq/backend-slurm";
import { isTerminal, type JobStatus, type NamedJob } from "@daskq/core";
import type { JobRecord } from "./slurmrest-client.js";

/**
 * One job record of `GET jobs` as the row squeue would print for it, so that backend-slurm's state
 * mapping and matching apply unchanged: an array task (`array_job_id` and `array_task_id` set), the
 * still pending tasks of an array (`array_task_string` such as `0-31%4`, no task id, like squeue's
 * `123_[0-31%4]`), or a plain job. Records that are none of these are undefined.
 */
export function recordRow(record: JobRecord): SqueueRow | undefined {
  if (typeof record.job_id !== "number" || typeof record.job_state !== "string") return undefined;
  const arrayJobId = record.array_job_id ?? 0;
  let id: SqueueRowId | undefined;
  if (arrayJobId > 0 && typeof record.array_task_id === "number") {
    id = { kind: "task", arrayJobId: String(arrayJobId), taskId: record.array_task_id };
  } else if (arrayJobId > 0 && record.array_task_string) {
    const ranges = parseTaskRanges(record.array_task_string);
    id = ranges && { kind: "tasks", arrayJobId: String(arrayJobId), ranges };
  } else {
    id = { kind: "job", jobId: String(record.job_id) };
  }
  const reason = record.state_reason;
  return id && { id, native: record.job_state, reason: reason && reason !== "None" && reason !== "(null)" ? reason : undefined };
}

/** The statuses of `ids` among `records` (ids without a record are absent), as backend-slurm maps squeue's. */
export function statusOfRecords(records: readonly JobRecord[], ids: readonly string[], onUnknown?: (word: string) => void): Map<string, JobStatus> {
  const rows = records.map(recordRow).filter((row): row is SqueueRow => row !== undefined);
  return matchRows(rows, ids, onUnknown);
}

/**
 * The unfinished jobs named `name` among `records`, each array task on its own (what
 * `squeue -r -n <name>` lists): a record of still pending tasks (`0-31%4`) yields every task in it.
 * Records in a final state are left out; a state word Slurm may add later counts as unfinished.
 */
export function namedJobsOfRecords(records: readonly JobRecord[], name: string): NamedJob[] {
  return unfinishedJobs(records.filter((record) => record.name === name));
}

/** The unfinished tasks of array `arrayJobId` among `records` (pending ranges task by task). */
export function liveTasksOfArray(records: readonly JobRecord[], arrayJobId: string): number[] {
  const tasks = unfinishedJobs(records.filter((record) => String(record.array_job_id) === arrayJobId));
  return tasks.flatMap((job) => (job.arrayIndex === undefined ? [] : [job.arrayIndex]));
}

/** Each record that is not in a final state as jobs: itself, its task, or every task of its pending range. */
function unfinishedJobs(records: readonly JobRecord[]): NamedJob[] {
  const jobs: NamedJob[] = [];
  for (const record of records) {
    const row = recordRow(record);
    const state = row && mapSlurmState(row.native);
    if (!row || (state !== undefined && isTerminal(state))) continue;
    const id = row.id;
    if (id.kind === "job") jobs.push({ id: id.jobId });
    else if (id.kind === "task") jobs.push({ id: taskJobId(id.arrayJobId, id.taskId), arrayIndex: id.taskId });
    else {
      for (const range of id.ranges) {
        for (let task = range.first; task <= range.last; task += range.step) jobs.push({ id: taskJobId(id.arrayJobId, task), arrayIndex: task });
      }
    }
  }
  return jobs;
}
